"""The sentence cache is FLAC (lossless, about half the bytes a cluster sends back), and the
editions are byte for byte those made from a cache of WAVs, including a cache an older
narrate left (``<k>.wav``), which is read without synthesizing anything again."""

from __future__ import annotations

import hashlib
import shutil
import wave
from pathlib import Path

import pytest
from conftest import FAKE_VOICE, TIDES_ARTICLE, copy_project, missing_tool, write_files

from narrate.audio import flac
from narrate.engine.run import BuildOptions, build


def sentences(project: Path) -> list[Path]:
    """The sentence cache's entries (chapter pieces live under ``chapters/``)."""
    audio = project / ".narrate" / "cache" / "audio"
    return sorted(p for p in audio.glob("??/*") if p.is_file())


def editions(project: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((project / "output").rglob("*")) if p.suffix in (".mp3", ".m4b")}


def to_old_cache(project: Path) -> int:
    """Rewrite the project's sentence cache as an older narrate wrote it: one WAV per sentence
    (``<k>.wav``), no FLAC, no mastered chapters. Returns how many entries it rewrote."""
    entries = sentences(project)
    for entry in entries:
        frames, rate, _, _ = flac.info(entry)
        with wave.open(str(entry.with_suffix(".wav")), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(flac.read(entry, rate))
        entry.unlink()
    shutil.rmtree(project / ".narrate" / "cache" / "audio" / "chapters")
    return len(entries)


def build_first(root: Path, voice: str) -> Path:
    """The tides article's MP3 and M4B built cold with ``voice`` in ``root`` (one job)."""
    files = {"content/tides.md": TIDES_ARTICLE, "voices/fake.toml": FAKE_VOICE}
    write_files(root, files)
    assert not build(root, BuildOptions(formats=("mp3", "m4b"), voice=voice, jobs=1)).failed
    return root


@pytest.fixture(scope="module")
def fake_first(tmp_path_factory) -> Path:
    """The fake voice's cold build, made once: both tests of the fake voice start from it (they only
    read it, or copy it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        return build_first(tmp_path_factory.mktemp("ray-cache") / "first", "fake")


@pytest.mark.parametrize("voice", ["fake", pytest.param("espeak", marks=pytest.mark.slow)])
def test_sentences_are_cached_as_flac_and_an_old_wav_cache_gives_the_same_editions(voice, request, tmp_path,
                                                                                 monkeypatch):
    if voice == "espeak" and not shutil.which("espeak-ng"):
        missing_tool("espeak-ng is needed (scripts/setup.sh installs it)")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = request.getfixturevalue("fake_first") if voice == "fake" else build_first(tmp_path / "first", voice)
    options = BuildOptions(formats=("mp3", "m4b"), voice=voice, jobs=1)
    made = sentences(first)
    assert made and {p.suffix for p in made} == {".flac"}
    assert all(p.read_bytes()[:4] == b"fLaC" for p in made if flac.info(p)[0])
    flac_bytes = {p.name: p.read_bytes() for p in made}

    old = tmp_path / "old"
    shutil.copytree(first, old)
    shutil.rmtree(old / "output")
    assert to_old_cache(old) == len(made)
    report = build(old, options)
    assert not report.failed
    assert editions(old) == editions(first) and len(editions(first)) == 2
    # every old entry was converted (not synthesized again: the same FLAC bytes), none left as WAV
    assert {p.name: p.read_bytes() for p in sentences(old)} == flac_bytes


def test_a_cut_short_flac_entry_is_synthesized_again(fake_first, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = copy_project(fake_first, tmp_path / "project")  # sources and cache of a clean build
    before = {name: digest for name, digest in editions(fake_first).items() if name.endswith(".mp3")}
    entry = max(sentences(project), key=lambda p: p.stat().st_size)
    whole = entry.read_bytes()
    entry.write_bytes(whole[: len(whole) // 2])
    shutil.rmtree(project / ".narrate" / "cache" / "audio" / "chapters")
    assert not build(project, BuildOptions(formats=("mp3",), voice="fake", jobs=1)).failed
    assert entry.read_bytes() == whole and editions(project) == before and len(before) == 1
