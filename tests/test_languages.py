"""The voice follows the document's language; the spoken furniture is in that language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import png_bytes
from typer.testing import CliRunner

from narrate.cli import app
from narrate.engine.views import publication_script_text
from narrate.errors import SpeechError
from narrate.speech.voices import best_voice, espeak_voice, load_profiles, voice_for

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

GERMAN = """\
---
title: Der Gezeitenmarkt
language: de
authors: [Anna Weber, Jonas Berg]
date: 2026-03-03
---
Am 3. März öffnete der Markt um 14:30 Uhr.

![Ein Stand mit Fischen](img.png)
"""


@needs_espeak
@pytest.mark.parametrize(("tag", "voice"), [("de", "de"), ("de-AT", "de"), ("fr", "fr-fr"), ("fr-CA", "fr-fr"),
                                            ("es", "es"), ("es-MX", "es-419"), ("en-GB", "en-gb"),
                                            ("en", "en-us"), ("zz", None)])
def test_espeak_voice_per_language(tag, voice):
    assert espeak_voice(tag, "en-us") == voice


@needs_espeak
def test_no_voice_chosen_picks_the_best_installed_for_the_language(tmp_path: Path):
    profiles = load_profiles(tmp_path)
    german = voice_for(profiles, None, "de")
    assert (german.engine, german.model, german.language) == ("espeak", "de", "de")
    # --voice espeak: espeak-ng in the document's language
    spanish = voice_for(profiles, "espeak", "es-MX")
    assert (spanish.engine, spanish.model, spanish.language) == ("espeak", "es-419", "es-MX")


@needs_espeak
def test_a_piper_profile_for_the_language_wins_when_usable(tmp_path: Path):
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "thorsten.toml").write_text('engine = "piper"\nmodel = "voices/missing.onnx"\nlanguage = "de-DE"\n',
                                          encoding="utf-8")
    profiles = load_profiles(tmp_path)
    assert best_voice(profiles, "de").engine == "espeak"  # the Piper model is not installed: not usable
    (voices / "missing.onnx").write_bytes(b"onnx")
    (voices / "missing.onnx.json").write_text("{}", encoding="utf-8")
    if best_voice(load_profiles(tmp_path), "de").engine == "piper":
        assert best_voice(load_profiles(tmp_path), "de").name == "thorsten"
    else:  # piper-tts itself is not installed here
        pytest.skip("piper-tts is not installed")


def test_a_language_no_voice_speaks_is_a_clear_error(tmp_path: Path):
    with pytest.raises(SpeechError) as err:
        voice_for(load_profiles(tmp_path), None, "tlh", tmp_path / "content" / "a.md", 3)
    text = str(err.value)
    assert "'tlh'" in text and text.startswith(f"{tmp_path / 'content' / 'a.md'}:3: ")


@needs_espeak
def test_german_script_speaks_german_furniture_with_the_default_voice(make_project):
    root = make_project({"content/markt.md": GERMAN, "content/img.png": png_bytes()})
    text = publication_script_text(root, "markt")
    lines = text.splitlines()
    assert "von Anna Weber und Jonas Berg" in lines
    assert "Diese Lesung spricht eine synthetische Stimme." in lines
    assert "Bild: Ein Stand mit Fischen" in lines
    assert not any("by " in line or "synthetic" in line for line in lines)


@needs_espeak
def test_narrate_toml_overrides_the_german_disclosure(make_project):
    root = make_project({"content/markt.md": GERMAN, "content/img.png": png_bytes(),
                         "narrate.toml": '[narration]\ndisclosure_text = "English only."\n'
                                         '[messages.de]\ndisclosure = "Eine Maschine liest."\n'})
    lines = publication_script_text(root, "markt").splitlines()
    assert "Eine Maschine liest." in lines and "English only." not in lines


@needs_espeak
def test_voices_command_shows_what_each_language_gets(make_project):
    root = make_project({"content/markt.md": GERMAN})
    result = CliRunner().invoke(app, ["voices", str(root)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    german = next(line for line in result.output.splitlines() if line.strip("│ ").startswith("de "))
    assert "espeak (espeak de)" in german


MIXED = """\
---
title: Gemischt
language: de
---
Er sagte [c'est la vie]{lang=fr} und ging am 3. März.

{lang=fr}
Le 1er mars 2025, M. Dupont a payé 12,50 €.

{lang=es}
> ¿Dónde está el Sr. García?

{lang=12}
Wieder Deutsch.

[Hasta luego.]{lang=es}
"""


def _mixed_doc(make_project):
    from narrate.engine.run import read_all
    from narrate.sources.project import open_project

    root = make_project({"content/mix.md": MIXED})
    docs, failures = read_all(open_project(root))
    assert not failures
    return root, docs[0]


def test_parts_in_another_language_are_read_in_it(make_project):
    from narrate.speech.script import ScriptOptions, build_script

    _, doc = _mixed_doc(make_project)
    segments = [s for s in build_script(doc, ScriptOptions(disclosure="")).segments() if s.kind != "opening"]
    by_text = {s.text: s for s in segments}
    french = by_text["Le 1er mars 2025, M. Dupont a payé 12,50 €."]
    assert french.language == "fr"
    assert french.spoken == "Le premier mars deux mille vingt-cinq, Monsieur Dupont a payé douze euros et " \
                            "cinquante centimes."
    spanish = by_text["¿Dónde está el Sr. García?"]
    assert (spanish.language, spanish.spoken) == ("es", "¿Dónde está el señor García?")
    german = by_text["Er sagte c’est la vie und ging am 3. März."]
    assert (german.language, german.spoken) == ("", "Er sagte c’est la vie und ging am dritten März.")
    assert by_text["Wieder Deutsch."].language == ""  # a malformed tag is a warning, not a part
    assert by_text["Hasta luego."].language == "es"  # a paragraph that is one passage in Spanish


def test_a_malformed_language_tag_is_a_warning_naming_the_line():
    from narrate.sources.reader import parse_body

    found: list[str] = []
    parse_body("Text.\n\n{lang=12}\nMore.\n", path="content/x.md", first_line=1, title="x", split_sections=False,
               resolve_asset=lambda s, p: s, warnings=found)
    assert any(w.startswith("content/x.md:4") and "lang='12'" in w for w in found), found


def test_german_epub_speaks_german_and_tags_its_parts(make_project, tmp_path):
    from conftest import epubcheck

    from narrate.writers.epub import EpubOptions, write_epub

    root, doc = _mixed_doc(make_project)
    out = tmp_path / "mix.epub"
    write_epub(doc, root, out, EpubOptions())
    import zipfile

    with zipfile.ZipFile(out) as zf:
        nav = zf.read("EPUB/nav.xhtml").decode()
        text = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("EPUB/text/"))
    assert "<title>Inhalt</title>" in nav and "Inhaltsverzeichnis" in nav and "Beginn des Inhalts" in nav
    assert '<span lang="fr" xml:lang="fr">c’est la vie</span>' in text
    assert '<p id="c1-b2" lang="fr" xml:lang="fr">' in text or 'lang="fr" xml:lang="fr">Le 1er' in text
    assert '<blockquote id="c1-b3" lang="es" xml:lang="es">' in text or '<blockquote' in text and 'lang="es"' in text
    errors, _, report = epubcheck(out)
    assert errors == 0, report


def test_pdf_contents_heading_and_hyphenation_follow_the_language():
    from narrate import model as m
    from narrate.writers.pdf_html import contents

    chapter = m.Chapter(id="c1", title="Eins", heading=None, blocks=(), footnotes=(), source=m.SourcePos("a.md"))
    doc = m.Document(meta=m.Meta(title="T", slug="t", language="fr", identifier="urn:x", kind="book"),
                     chapters=(chapter,), source_files=("a.md",))
    assert '<h2 id="contents-title" class="toc-title">Table des matières</h2>' in contents(doc)
    from importlib import resources
    css = resources.files("narrate").joinpath("templates/print.css").read_text(encoding="utf-8")
    assert "hyphens: auto" in css  # with lang on the root, WeasyPrint hyphenates in the document's language


@pytest.mark.slow
@needs_espeak
def test_the_german_sample_builds_narrated_in_german(tmp_path: Path):
    """The repository's German article, end to end with no voice chosen: espeak-ng's German voice,
    an MP3 that plays, an EPUB in German that passes EPUBCheck."""
    import json
    import subprocess

    from conftest import REPO, epubcheck

    from narrate.engine.run import BuildOptions, build

    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    shutil.copy(REPO / "content" / "articles" / "vorlesestunde-am-fluss.md", root / "content")
    report = build(root, BuildOptions(formats=("mp3", "epub")))
    assert not report.failed, [str(r.error) for r in report.failed]
    out = root / "output" / "vorlesestunde-am-fluss"
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_format", "-of", "json",
                                       str(out / "vorlesestunde-am-fluss.mp3")],
                                      capture_output=True, text=True, check=True).stdout)
    assert float(probe["format"]["duration"]) > 60
    tags = probe["format"]["tags"]
    # the narrator credited in German, as a listener would be told, never by the profile's id
    assert tags["language"] == "ger" and tags["comment"].endswith("Es liest eine synthetische Stimme.")
    assert tags["composer"] == "eine synthetische Stimme"
    errors, _, text = epubcheck(out / "vorlesestunde-am-fluss.epub")
    assert errors == 0, text
