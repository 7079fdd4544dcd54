"""narrate's own words in the publication's language: credits, personal copies, the MP3 chapter
list, the feed; and narrate.toml's [messages.*] overrides in the editions as in the narration."""

from __future__ import annotations

import zipfile

import pikepdf
import pytest

from narrate.editions.narration import Narration, audio_meta, narrator
from narrate.i18n.messages import messages_for
from narrate.speech.script import CLOSING_CREDITS, OPENING_CREDITS, ScriptOptions, build_script
from narrate.speech.voices import VoiceProfile

ARTICLE = """\
---
title: Der Markt
language: {lang}
authors: [Anna Weber]
---
Ein Satz.
"""

JOE = VoiceProfile(name="joe", engine="fake", model="fake", display_name="Joe")

WORDS = {
    "en": ("Narrated by Joe, a synthetic voice", "The end of Der Markt.",
           "Written by Anna Weber, and narrated by Joe, a synthetic voice.", "Opening credits", "Closing credits",
           "Prepared for Ana", "Contents", "Narrated editions from Hafenpresse."),
    "de": ("Es liest Joe, eine synthetische Stimme", "Ende von Der Markt.",
           "Geschrieben von Anna Weber; es liest Joe, eine synthetische Stimme.", "Vorspann", "Abspann",
           "Erstellt für Ana", "Inhalt", "Gelesene Ausgaben von Hafenpresse."),
    "fr": ("Lu par Joe, une voix de synthèse", "Fin de Der Markt.",
           "Écrit par Anna Weber, et lu par Joe, une voix de synthèse.", "Générique de début", "Générique de fin",
           "Préparé pour Ana", "Table des matières", "Éditions lues de Hafenpresse."),
    "es": ("Narrado por Joe, una voz sintética", "Fin de Der Markt.",
           "Escrito por Anna Weber, y narrado por Joe, una voz sintética.", "Créditos iniciales", "Créditos finales",
           "Preparado para Ana", "Índice", "Ediciones narradas de Hafenpresse."),
}


def _doc(make_project, lang: str, toml: str = ""):
    from narrate.engine.run import read_all
    from narrate.sources.project import open_project

    files = {"content/markt.md": ARTICLE.format(lang=lang)}
    if toml:
        files["narrate.toml"] = toml
    root = make_project(files)
    project = open_project(root)
    docs, failures = read_all(project)
    assert not failures
    return root, project, docs[0]


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_credits_speak_the_publications_language(make_project, lang):
    _, _, doc = _doc(make_project, lang)
    say = messages_for(lang)
    opening_line, end, written, opening_title, closing_title, *_ = WORDS[lang]
    script = build_script(doc, ScriptOptions(messages=say, narrator=narrator(JOE, say), credits=True))
    chapters = {c.id: c for c in script.chapters}
    assert chapters[OPENING_CREDITS].title == opening_title
    assert chapters[CLOSING_CREDITS].title == closing_title
    assert opening_line in [s.text for s in chapters[OPENING_CREDITS].segments]
    assert [s.text for s in chapters[CLOSING_CREDITS].segments] == [end, written]


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_personal_copy_words_follow_the_language(lang):
    from narrate.publish.personal import _insert_prepared_for, note

    prepared = WORDS[lang][5]
    assert note("Ana", lang) == prepared
    page = '<html><body><section id="colophon" class="colophon"><p>x</p></section></body></html>'
    assert f'<p class="prepared-for">{prepared}.</p>' in _insert_prepared_for(page, "Ana", lang)
    bare = _insert_prepared_for("<html><body><p>x</p></body></html>", "Ana", lang)
    label = messages_for(lang)("colophon")
    assert f'aria-label="{label}"' in bare and f"{prepared}." in bare


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_mp3_chapter_list_title_and_feed_description(make_project, tmp_path, lang):
    from conftest_audio import FAKE, make_script
    from mutagen.id3 import ID3

    from narrate.audio.master import render
    from narrate.publish.feed import channel_from_config
    from narrate.sources.config import load_config
    from narrate.speech.engines import get_engine
    from narrate.writers.mp3 import write_mp3

    _, _, doc = _doc(make_project, lang)
    contents, feed = WORDS[lang][6], WORDS[lang][7]
    script = make_script(chapters=2, segments=1, words=3)
    rendered = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "c", work_dir=tmp_path / "w")
    meta = audio_meta(doc, Narration(script, rendered, JOE))
    assert meta.contents_title == contents
    out = write_mp3(rendered, meta, None, tmp_path / "a.mp3")
    assert ID3(out).getall("CTOC")[0].sub_frames["TIT2"].text == [contents]
    (tmp_path / "narrate.toml").write_text(f'[defaults]\nlanguage = "{lang}"\n[publisher]\nname = "Hafenpresse"\n',
                                           encoding="utf-8")
    assert channel_from_config(load_config(tmp_path), [], "https://x/", "").description == feed


def test_personal_pdf_says_prepared_for_in_german(make_project, tmp_path):
    from narrate.writers.pdf import write_pdf

    root, _, doc = _doc(make_project, "de")
    out = tmp_path / "p.pdf"
    write_pdf(doc, root, out, prepared_for="Ana")
    with pikepdf.open(out) as pdf:
        assert str(pdf.docinfo["/Subject"]).endswith("Erstellt für Ana.")


OVERRIDES = """\
[messages.de]
contents = "Übersicht"
title_page = "Titelei"
landmarks = "Wegweiser"
prepared_for = "Nur für {name}."
"""


def test_message_overrides_reach_the_editions(make_project, tmp_path):
    from narrate.engine.fingerprints import Fingerprints
    from narrate.writers.epub import EpubOptions, write_epub
    from narrate.writers.pdf_html import contents

    root, project, doc = _doc(make_project, "de", OVERRIDES)
    out = tmp_path / "m.epub"
    write_epub(doc, root, out, EpubOptions())
    with zipfile.ZipFile(out) as zf:
        nav = zf.read("EPUB/nav.xhtml").decode()
    assert "<title>Übersicht</title>" in nav and "Wegweiser" in nav and "Inhalt<" not in nav
    assert '<h2 id="contents-title" class="toc-title">Übersicht</h2>' in contents(doc)
    assert audio_meta(doc, Narration(None, None, JOE)).contents_title == "Übersicht"  # type: ignore[arg-type]
    from narrate.markup.html import colophon_lines

    assert '<p class="prepared-for">Nur für Ana.</p>' in colophon_lines(doc, "Ana")
    # an override is part of what the editions are made from: their keys change with it
    (root / "narrate.toml").unlink()
    from narrate.sources.project import open_project

    plain_project = open_project(root)
    for maker in ("epub", "pdf"):
        assert Fingerprints(project).key(doc, maker, "") != Fingerprints(plain_project).key(doc, maker, "")
    assert Fingerprints(project).key(doc, "cover", "") == Fingerprints(plain_project).key(doc, "cover", "")


def test_message_overrides_reach_the_download_page_and_bundle():
    from narrate.publish.bundle import readme
    from narrate.publish.catalog import Publication
    from narrate.publish.page import render_page

    overrides = {"de": {"no_summary": "Keine Angaben.", "byline": "Text: {authors}"}}
    pub = Publication("markt", "Der Markt", "de", "article", "content/markt.md", {}, authors=("Anna Weber",))
    page = render_page([pub], title="T", language="de", href=lambda p, f: f, sizes={}, css="", sums="", feed_url="",
                       messages=overrides)
    assert "<p>Keine Angaben.</p>" in page
    assert "Text: Anna Weber" in readme(pub, "", overrides)
    assert "Von Anna Weber" in readme(pub, "")
