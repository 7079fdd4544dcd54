"""Several blocks in one ffmpeg run (issue 31): starting ffmpeg costs about 0.1 CPU-s whatever it
does, so a chapter's blocks are mastered (and encoded) a group per run; each block's file must be
byte for byte what a run of its own writes, so a cold build (groups) equals an edit (one block)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from narrate.audio import encoding
from narrate.audio.block_master import apply_master, apply_masters, groups
from narrate.audio.master import TARGETS
from narrate.audio.piece import CODEC_GAP, SPAN_QUANTUM, Block, ChapterPiece

RATE = 22050


def raw(path: Path, seconds: float, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    voice = 0.3 * np.sin(2 * np.pi * (140 + 40 * seed) * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) ** 2
    samples = np.clip(voice + 0.01 * rng.standard_normal(len(t)), -1, 1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


@pytest.mark.parametrize("limited", [True, False])
def test_masters_made_together_are_the_masters_made_alone(tmp_path, limited):
    target = TARGETS["default"]
    blocks = [(raw(tmp_path / f"raw{n}.wav", seconds, n), seconds) for n, seconds in enumerate((2.5, 1.2, 3.7))]
    frames = [int(seconds * 44100) + 1000 for _, seconds in blocks]
    made = [(r, tmp_path / f"together{n}.wav", f) for n, ((r, _), f) in enumerate(zip(blocks, frames, strict=True))]
    together = apply_masters(made, RATE, target, 4.2, limited)
    for n, ((r, _), f) in enumerate(zip(blocks, frames, strict=True)):
        alone = apply_master(r, tmp_path / f"alone{n}.wav", f, RATE, target, 4.2, limited)
        assert (tmp_path / f"together{n}.wav").read_bytes() == (tmp_path / f"alone{n}.wav").read_bytes()
        assert together[n] == alone
        with wave.open(str(tmp_path / f"alone{n}.wav")) as w:
            assert w.getnframes() == f
    assert not list(tmp_path.glob(".*.tmp"))


def test_groups_share_the_work_and_keep_each_block_once():
    sizes = [90, 10, 40, 40, 80, 5, 60]
    runs = groups(range(7), sizes, 2)
    assert sorted(i for run in runs for i in run) == list(range(7))
    assert len(runs) == 2 and all(run == sorted(run) for run in runs)
    totals = [sum(sizes[i] for i in run) for run in runs]
    assert max(totals) - min(totals) <= max(sizes)
    assert groups([], sizes, 2) == []
    assert groups([3], sizes, 2) == [[3]]
    assert max(len(run) for run in groups(range(40), [1] * 40, 1, most=16)) <= 16


@pytest.mark.parametrize(("codec", "compensation"), [("mp3", 0.4), ("mp3", 0.0), ("mp3", 0.8), ("aac", 0.3)])
def test_blocks_encoded_together_are_the_blocks_encoded_alone(tmp_path, codec, compensation):
    """A chapter's blocks encoded in one run (``encoding._encode_blocks``) and each alone (as an
    edit encodes its one block): the same bytes, the same packets; the run's record names each."""
    target = TARGETS["default"]
    blocks = []
    for n, spans in enumerate((3, 1, 2)):
        frames = spans * SPAN_QUANTUM - CODEC_GAP
        wav = tmp_path / f"master{n}.wav"
        apply_master(raw(tmp_path / f"raw{n}.wav", frames / 44100, n), wav, frames, RATE, target, 6.0, True)
        blocks.append(Block(f"block{n}", wav, frames))
    piece = ChapterPiece("c1", "piece", tuple(blocks), ())
    together = encoding._encode_blocks(piece, [0, 1, 2], codec, "64k", compensation, target, tmp_path / "a")
    for n in range(3):
        alone = encoding._encode_blocks(piece, [n], codec, "64k", compensation, target, tmp_path / "b")[0]
        assert together[n][0].read_bytes() == alone[0].read_bytes(), n
        assert together[n][1] == alone[1] == (blocks[n].frames + CODEC_GAP) // (1152 if codec == "mp3" else 1024)
        assert encoding._cached_block(blocks[n], codec, "64k", compensation, tmp_path / "a") == together[n]
