"""The studio writes a pronunciation into the voice's lexicon file keeping its format and
comments (TOML through tomlkit, PLS as text) and never lands an entry narrate cannot read."""

from __future__ import annotations

import pytest

from narrate.errors import SpeechError
from narrate.speech.lexicon import load_lexicon
from narrate.studio.lexfile import save_entry
from narrate.studio.pronounce import entry_for

PLS = """<?xml version="1.0" encoding="UTF-8"?>
<!-- House names: listen before you add one. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="en-US">
    <!-- people -->
    <lexeme><grapheme>Siobhan</grapheme><alias>shiv-AWN</alias></lexeme>
    <lexeme><grapheme>Nguyen</grapheme><phoneme>wɪn</phoneme></lexeme>
</lexicon>
"""


def test_a_pls_entry_is_added_with_comments_and_spacing_kept(tmp_path):
    path = tmp_path / "names.pls"
    path.write_text(PLS, encoding="utf-8")
    save_entry(path, entry_for("Quillfeather", "respelling", "KWILL-feh-ther"))
    save_entry(path, entry_for("Okonkwo", "ipa", "/oʊˈkɒŋkwoʊ/"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[:7] == PLS.splitlines()[:7]
    assert lines[7:] == ["    <lexeme><grapheme>Quillfeather</grapheme><alias>KWILL-feh-ther</alias></lexeme>",
                         '    <lexeme><grapheme>Okonkwo</grapheme>'
                         '<phoneme alphabet="ipa">oʊˈkɒŋkwoʊ</phoneme></lexeme>',
                         "</lexicon>"]
    lexicon = load_lexicon(path)
    assert lexicon.lookup("quillfeather").alias == "KWILL-feh-ther"
    assert lexicon.lookup("Okonkwo").phoneme == "oʊˈkɒŋkwoʊ"


def test_a_pls_entry_for_a_listed_word_is_replaced_in_place(tmp_path):
    path = tmp_path / "names.pls"
    path.write_text(PLS, encoding="utf-8")
    save_entry(path, entry_for("siobhan", "alias", "shi-VAWN"))
    assert path.read_text(encoding="utf-8") == PLS.replace(
        "<grapheme>Siobhan</grapheme><alias>shiv-AWN</alias>", "<grapheme>siobhan</grapheme><alias>shi-VAWN</alias>")


def test_a_toml_alias_is_replaced_in_place_and_comments_stay(tmp_path):
    path = tmp_path / "lexicon.toml"
    text = '# names\n[aliases]\n"Siobhan" = "shiv-AWN"  # checked by ear\n"Nguyen" = "win"\n'
    path.write_text(text, encoding="utf-8")
    save_entry(path, entry_for("Nguyen", "respelling", "nwin"))
    assert path.read_text(encoding="utf-8") == text.replace('"win"', '"nwin"')


def test_ipa_into_a_toml_lexicon_is_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "lexicon.toml"
    path.write_text('[aliases]\n"A" = "b"\n', encoding="utf-8")
    with pytest.raises(SpeechError, match="PLS"):
        save_entry(path, entry_for("Okonkwo", "ipa", "oʊˈkɒŋkwoʊ"))
    assert path.read_text(encoding="utf-8") == '[aliases]\n"A" = "b"\n'


def test_a_lexicon_without_an_aliases_table_gets_one(tmp_path):
    path = tmp_path / "lexicon.toml"
    path.write_text("# empty for now\n", encoding="utf-8")
    save_entry(path, entry_for("Dr. Who", "alias", "doctor who"))
    assert path.read_text(encoding="utf-8").startswith("# empty for now\n")
    assert load_lexicon(path).lookup("Dr. Who").alias == "doctor who"


def test_an_ipa_entry_is_heard_in_the_preview(tmp_path):
    """An IPA entry typed in the studio reaches the voice as phonemes (the engine's own lexicon
    holds it), so the preview sounds as a build with the saved entry will: the sentence's audio
    differs from the one without it."""
    from narrate.studio.session import Studio

    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / "voices").mkdir()
    (root / "narrate.toml").write_text('[defaults]\nformats = ["mp3"]\nvoice = "espeak-en"\n', encoding="utf-8")
    (root / "voices" / "espeak-en.toml").write_text(
        'name = "espeak-en"\nengine = "espeak"\nmodel = "en-us"\nlanguage = "en-US"\n'
        'lexicons = ["voices/names.pls"]\n', encoding="utf-8")
    (root / "voices" / "names.pls").write_text(PLS, encoding="utf-8")
    (root / "content" / "visit.md").write_text("---\ntitle: A visit\n---\nOkonkwo came home late.\n",
                                               encoding="utf-8")
    session = Studio(root)
    doc = session.document("visit")
    chapter = doc.chapters[-1].id
    sentence = next(s for s in session.chapter("visit", chapter)["sentences"] if "Okonkwo" in s["text"])
    plain = session.hear("visit", chapter, sentence["id"], "Okonkwo", "ipa", "")
    given = session.hear("visit", chapter, sentence["id"], "Okonkwo", "ipa", "/wɪn/")
    assert given.changed and not plain.changed
    assert given.clip != plain.clip
    out = session.output
    assert (out / given.clip).read_bytes() != (out / plain.clip).read_bytes()
