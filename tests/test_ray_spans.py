"""``audio/ray_spans``: a stitched file sent as spans of the encoded blocks the receiver holds.

Real encodings (ffmpeg's LAME and AAC, as the cache holds them) of blocks that begin with the same
second of room tone (identical frames in every block, as in a book's chapters), joined as the
editions join them: the MP3 edition's frames, an M4B's remuxed AAC payloads.
"""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import missing_tool

from narrate.audio import ray_spans
from narrate.audio.cluster import write_entries
from narrate.audio.encoding import concat_adts, concat_mp3
from narrate.audio.ffmpeg import run_ffmpeg
from narrate.audio.ray_spans import Spans, SpanSources, adts_frames, find_spans, mp3_frames, with_spans

RATE = 44100


@pytest.fixture(scope="module")
def blocks(tmp_path_factory) -> dict[str, bytes]:
    """Three blocks, each 1 s of the same room tone then 4 s of its own noise, as MP3 and AAC."""
    if not shutil.which("ffmpeg"):
        missing_tool("ffmpeg is needed (scripts/setup.sh installs it)")
    folder = tmp_path_factory.mktemp("blocks")
    tone = (np.random.default_rng(7).normal(0, 30, RATE)).astype(np.int16)
    made = {}
    for n in range(3):
        speech = (np.random.default_rng(n).normal(0, 3000, 4 * RATE)).astype(np.int16)
        wav = folder / f"b{n}.wav"
        with wave.open(str(wav), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(np.concatenate([tone, speech]).tobytes())
        for codec, args in (("mp3", ["-c:a", "libmp3lame", "-write_xing", "1", "-f", "mp3"]),
                            ("aac", ["-c:a", "aac", "-aac_coder", "fast", "-f", "adts"])):
            out_path = folder / "chapters" / f"{n:02d}" / f"block{n}.{codec}"
            out_path.parent.mkdir(parents=True, exist_ok=True)
            run_ffmpeg(["-y", "-i", str(wav), "-b:a", "64k", "-map_metadata", "-1", *args, "-bitexact",
                        str(out_path)], what="encode a test block")
            made[out_path.relative_to(folder).as_posix()] = out_path.read_bytes()
    return made


def joined(blocks: dict[str, bytes], suffix: str, folder: Path) -> Path:
    paths = []
    for rel, data in blocks.items():
        if rel.endswith(suffix):
            paths.append(folder / Path(rel).name)
            paths[-1].write_bytes(data)
    out = folder / f"joined{suffix}"
    (concat_mp3 if suffix == ".mp3" else concat_adts)(paths, out)
    return out


def test_frames_are_found_in_real_encodings(blocks):
    for rel, data in blocks.items():
        frames = mp3_frames(data) if rel.endswith(".mp3") else adts_frames(data)
        assert len(frames) > 150
        last = frames[-1]
        assert last[0] + last[1] == len(data)  # every byte after the tag is a frame


def test_an_mp3_edition_comes_back_from_the_blocks_with_its_own_tag(blocks, tmp_path):
    """The edition's frames are the blocks' frames after each block's Xing frame; its tag (with a
    cover) and its own Xing frame are the only bytes sent as they are."""
    edition = joined(blocks, ".mp3", tmp_path).read_bytes()
    tag = b"ID3\x03\x00\x00\x00\x00\x10\x00" + bytes(range(256)) * 8  # 2,048 bytes no block holds
    data = tag + edition
    spans = find_spans(data, blocks)
    assert isinstance(spans, Spans)
    assert spans.sent < len(tag) + 1500 < len(data) / 20  # the three blocks' frames: not sent
    assert spans.rebuild(blocks.__getitem__) == data


def test_an_m4b_comes_back_from_the_blocks_adts_payloads(blocks, tmp_path):
    """An MP4 holds the AAC frames without their ADTS headers, chunk by chunk: each frame's payload
    is found in its block, whichever block's identical room-tone frames came first."""
    stream = joined(blocks, ".aac", tmp_path)
    m4b = tmp_path / "book.m4b"
    run_ffmpeg(["-y", "-f", "aac", "-i", str(stream), "-c:a", "copy", "-bitexact", "-movflags", "+faststart",
                "-f", "ipod", str(m4b)], what="mux a test M4B")
    data = m4b.read_bytes()
    spans = find_spans(data, blocks)
    assert isinstance(spans, Spans)
    audio = sum(n - h for rel, blob in blocks.items() if rel.endswith(".aac") for _, n, h in adts_frames(blob))
    assert spans.sent < (len(data) - audio) + audio / 10
    assert spans.rebuild(blocks.__getitem__) == data
    changed = dict(blocks)
    name = next(rel for rel in blocks if rel.endswith(".aac") and rel in spans.sources)
    changed[name] = blocks[name][:-1] + bytes([blocks[name][-1] ^ 1])
    assert spans.rebuild(changed.__getitem__) is None  # a source other than the node's: never a wrong file

    def missing(name: str) -> bytes:
        raise OSError(name)

    assert spans.rebuild(missing) is None  # a source gone from the head's cache
    cut = Spans(spans.sources, spans.pieces[:-5], spans.literals, spans.size, spans.crc)
    assert cut.rebuild(blocks.__getitem__) is None


def test_a_small_file_or_one_not_made_of_the_blocks_is_sent_as_it_is(blocks):
    assert find_spans(b"x" * 1000, blocks) is None
    noise = np.random.default_rng(3).integers(0, 256, 200_000, dtype=np.uint8).tobytes()
    assert find_spans(noise, blocks) is None


def test_a_chapters_joined_encoding_is_sent_as_spans_of_its_blocks_and_written_whole(blocks, tmp_path):
    entries = dict(blocks)
    for suffix in (".mp3", ".aac"):
        entries[f"chapters/ff/joined{suffix}"] = joined(blocks, suffix, tmp_path).read_bytes()
    sent = with_spans(entries)
    spans = {rel: value for rel, value in sent.items() if isinstance(value, Spans)}
    assert set(spans) == {"chapters/ff/joined.mp3", "chapters/ff/joined.aac"}
    # never spans of an entry itself sent as spans
    assert all(isinstance(sent[source], bytes) for value in spans.values() for source in value.sources)
    cache = tmp_path / "cache"
    received = write_entries(cache, sent)
    assert received < sum(len(data) for data in entries.values()) * 0.6
    assert {rel: (cache / rel).read_bytes() for rel in entries} == entries


class Counted(bytes):
    """Bytes that count the slices taken of them (a look-up by a position's first bytes is one)."""

    slices = 0

    def __getitem__(self, key):  # noqa: ANN001, ANN204
        if isinstance(key, slice):
            Counted.slices += 1
        return super().__getitem__(key)


def test_bytes_no_block_holds_are_skipped_not_looked_up_one_by_one(blocks, tmp_path):
    """A stitched MP3's tag with its cover, an M4B's tables: bytes that match nothing were looked up
    position by position in Python (about a microsecond a byte; 0.1-0.3 CPU-s per edition in the
    stitching tasks). The same spans come back with a few look-ups per frame, not one per byte."""
    edition = joined(blocks, ".mp3", tmp_path).read_bytes()
    cover = np.random.default_rng(5).integers(0, 256, 100_000, dtype=np.uint8).tobytes()
    tag = b"ID3\x03\x00\x00\x00\x00\x10\x00" + cover  # under half the file: still sent as spans
    data = Counted(tag + edition)
    Counted.slices = 0
    spans = find_spans(data, blocks)
    assert isinstance(spans, Spans)
    assert spans.rebuild(blocks.__getitem__) == bytes(data)
    assert spans.sent < len(tag) + 1500
    frames = len(mp3_frames(edition))
    assert Counted.slices < 4 * frames < len(cover) / 10  # per frame, not per byte of the cover
    noise = Counted(cover * 3)  # a file copying nothing: given up on without a look-up per byte
    Counted.slices = 0
    assert find_spans(noise, blocks) is None
    assert Counted.slices < 100


def test_files_looked_up_among_the_same_sources_parse_their_frames_once(blocks, tmp_path, monkeypatch):
    """A stitching task looks its MP3, M4B and read-along EPUB up among the same blocks: each block's
    frames are found once (``SpanSources``), not once per file."""
    calls: list[str] = []
    real = ray_spans.frame_units

    def counted(name, data):  # noqa: ANN001, ANN202
        calls.append(name)
        return real(name, data)

    monkeypatch.setattr(ray_spans, "frame_units", counted)
    mp3 = joined(blocks, ".mp3", tmp_path).read_bytes()
    sources = SpanSources(blocks)
    for data in (mp3, b"ID3\x03\x00\x00\x00\x00\x00\x10" + bytes(16) + mp3, mp3 + bytes(300)):
        spans = find_spans(data, sources)
        assert isinstance(spans, Spans) and spans.rebuild(blocks.__getitem__) == data
    assert sorted(calls) == sorted(blocks)  # each codec entry parsed once for the three files
