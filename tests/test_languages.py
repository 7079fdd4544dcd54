"""The voice follows the document's language; the spoken furniture is in that language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import png_bytes
from typer.testing import CliRunner

from narrate.cli import app
from narrate.errors import SpeechError
from narrate.speech.voices import best_voice, espeak_voice, load_profiles, voice_for
from narrate.views import publication_script_text

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
