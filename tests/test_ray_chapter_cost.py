"""What a chapter task pays to send its entries back (``ray_spans.with_spans``, issue 30).

Round eight's 10-title Ray batch regressed (ratio 1.160 -> 1.435): each chapter task looked every
codec entry it made up byte by byte among the others (a block's MP3 among the AACs, each block
among the other blocks), which cost more than the chapter's mastering. Only the joined encodings
may be spans, and only of entries of their own codec.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import missing_tool

from narrate.audio import ray_spans
from narrate.audio.cluster import write_entries
from narrate.audio.encoding import concat_adts, concat_mp3
from narrate.audio.ffmpeg import run_ffmpeg
from narrate.audio.ray_spans import Spans, find_spans, with_spans

RATE = 44100


@pytest.fixture(scope="module")
def entries(tmp_path_factory) -> dict[str, bytes]:
    """Two blocks of noise (10 s, 80 KB each: above ``MIN_SIZE``) as MP3 and AAC, and the chapter's
    joined MP3 and AAC of them."""
    if not shutil.which("ffmpeg"):
        missing_tool("ffmpeg is needed (scripts/setup.sh installs it)")
    import wave

    folder = tmp_path_factory.mktemp("chapter")
    made: dict[str, bytes] = {}
    for suffix, args in ((".mp3", ["-c:a", "libmp3lame", "-write_xing", "1", "-f", "mp3"]),
                         (".aac", ["-c:a", "aac", "-aac_coder", "fast", "-f", "adts"])):
        paths = []
        for n in range(2):
            wav = folder / f"b{n}.wav"
            with wave.open(str(wav), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(RATE)
                out.writeframes(np.random.default_rng(n).normal(0, 3000, 10 * RATE).astype(np.int16).tobytes())
            path = folder / f"block{n}{suffix}"
            run_ffmpeg(["-y", "-i", str(wav), "-b:a", "64k", "-map_metadata", "-1", *args, "-bitexact", str(path)],
                       what="encode a test block")
            paths.append(path)
            made[f"chapters/0{n}/block{n}{suffix}"] = path.read_bytes()
        joined = folder / f"joined{suffix}"
        (concat_mp3 if suffix == ".mp3" else concat_adts)(paths, joined)
        made[f"chapters/ff/joined{suffix}"] = joined.read_bytes()
    return made


def test_only_the_named_joined_encodings_are_looked_up_and_only_among_their_codec(entries, monkeypatch, tmp_path):
    calls: list[tuple[int, set[str]]] = []
    real = ray_spans.find_spans

    def counted(data, sources):  # noqa: ANN001, ANN202
        calls.append((len(data), {name.rsplit(".", 1)[1] for name in sources}))
        return real(data, sources)

    monkeypatch.setattr(ray_spans, "find_spans", counted)
    joined = {"chapters/ff/joined.mp3", "chapters/ff/joined.aac"}
    sent = with_spans(entries, joined)
    assert {rel for rel, value in sent.items() if isinstance(value, Spans)} == joined
    assert len(calls) == 2  # the blocks are not looked up at all
    assert all(len(suffixes) == 1 for _, suffixes in calls)  # an MP3 among MP3s, an AAC among AACs
    cache = tmp_path / "cache"
    write_entries(cache, sent)
    assert {rel: (cache / rel).read_bytes() for rel in entries} == entries

    calls.clear()
    unnamed = with_spans(entries)  # every codec entry tried, each among its own codec's
    assert {rel for rel, value in unnamed.items() if isinstance(value, Spans)} == joined
    assert all(len(suffixes) == 1 for _, suffixes in calls)


def test_a_file_that_cannot_copy_half_is_given_up_early_with_the_same_answer(entries):
    """The look-up stops once the bytes left cannot make half of the file copied: the answer a
    full scan gives (None), without looking at the second half."""

    mp3 = entries["chapters/00/block0.mp3"]
    aacs = {rel: data for rel, data in entries.items() if rel.endswith(".aac")}
    assert len(mp3) >= ray_spans.MIN_SIZE
    assert find_spans(mp3, aacs) is None
    assert find_spans(bytes(len(mp3)), aacs) is None
    # a file that does copy most of itself still comes back whole
    joined = entries["chapters/ff/joined.mp3"]
    spans = find_spans(joined, {rel: data for rel, data in entries.items() if "block" in rel})
    assert isinstance(spans, Spans)
    assert spans.rebuild(entries.__getitem__) == joined
