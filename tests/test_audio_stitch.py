"""Stitched editions: the MP3 and M4B joined from cached chapter pieces play every chapter where
the timeline says, to the millisecond, and an edit re-encodes only the chapter it touches."""

from __future__ import annotations

import subprocess
from array import array

import pytest
from conftest_audio import FAKE, make_script

from narrate.audio.chapter import OUT_RATE
from narrate.audio.ffmpeg import measure_loudness
from narrate.audio.master import render
from narrate.speech.engines import get_engine
from narrate.writers import AudioMeta
from narrate.writers.m4b import write_m4b
from narrate.writers.mp3 import write_mp3

META = AudioMeta(title="Joins", authors=("A. Writer",), genre="Audiobook", language="en")


def decode(path) -> array:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(OUT_RATE),
                          "-"], capture_output=True, check=True).stdout
    return array("h", raw)


def onset(samples: array, around: int, window: int = 4410, threshold: int = 1500) -> int:
    """The first loud sample within ``window`` of ``around`` (speech after room tone)."""
    for i in range(max(0, around - window), min(len(samples), around + window)):
        if abs(samples[i]) > threshold:
            return i
    raise AssertionError(f"no speech near sample {around}")


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    root = tmp_path_factory.mktemp("stitch")
    script = make_script(chapters=4, segments=3, words=8)
    rendered = render(script, FAKE, get_engine(FAKE), cache_dir=root / "cache", work_dir=root / "work")
    mp3 = write_mp3(rendered, META, None, root / "book.mp3")
    m4b = write_m4b(rendered, META, None, root / "book.m4b")
    return rendered, mp3, m4b, root


@pytest.mark.parametrize("kind", ["mp3", "m4b"])
def test_every_sentence_starts_where_the_timeline_says(editions, kind):
    rendered, mp3, m4b, _ = editions
    samples = decode(mp3 if kind == "mp3" else m4b)
    timeline = rendered.timeline
    # the MP3 decodes to exactly the timeline (LAME gapless info); the M4B keeps the AAC's last
    # 128 samples of padding (under 3 ms) after the end
    slack = 0 if kind == "mp3" else 128
    assert 0 <= len(samples) - round(timeline.duration_ms * OUT_RATE / 1000) <= slack + 23
    for segment in timeline.segments:
        expected = round(segment.start_ms * OUT_RATE / 1000)
        found = onset(samples, expected)
        assert abs(found - expected) * 1000 / OUT_RATE <= 2.0, (kind, segment.id, found, expected)


def test_each_edition_lands_on_the_loudness_target(editions):
    _, mp3, m4b, _ = editions
    for path in (mp3, m4b):
        measured = measure_loudness(path)
        assert measured.integrated_lufs == pytest.approx(-19.0, abs=0.3), path
        assert measured.true_peak_dbtp <= -1.5 + 0.2, path


def test_an_edit_reencodes_only_its_chapter_and_equals_a_clean_build(editions, tmp_path):
    rendered, mp3, m4b, root = editions
    edited = make_script(chapters=4, segments=3, words=8, edit={"c2-p1-s1": "An edited sentence here."})
    before = {p for p in (root / "cache" / "chapters").rglob("*") if p.is_file()}
    again = render(edited, FAKE, get_engine(FAKE), cache_dir=root / "cache", work_dir=root / "work")
    warm_mp3 = write_mp3(again, META, None, tmp_path / "warm.mp3")
    warm_m4b = write_m4b(again, META, None, tmp_path / "warm.m4b")
    added = {p for p in (root / "cache" / "chapters").rglob("*") if p.is_file()} - before
    # a short chapter is one block: its master, the chapter's record, the block's raw and mastered
    # levels, and per codec the block's encoding, its record and the chapter's encoding record (the
    # codec's level offset is the voice's, learned once: ``voicelevel``)
    assert sorted(p.suffix for p in added) == [".aac", *[".json"] * 7, ".mp3", ".wav"]
    assert [p.key for p in again.pieces if p.id != "c2"] == [p.key for p in rendered.pieces if p.id != "c2"]
    clean = render(edited, FAKE, get_engine(FAKE), cache_dir=tmp_path / "fresh", work_dir=tmp_path / "w")
    assert clean.timeline == again.timeline
    assert write_mp3(clean, META, None, tmp_path / "clean.mp3").read_bytes() == warm_mp3.read_bytes()
    assert write_m4b(clean, META, None, tmp_path / "clean.m4b").read_bytes() == warm_m4b.read_bytes()
    assert warm_mp3.read_bytes() != mp3.read_bytes()
