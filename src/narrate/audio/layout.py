"""A chapter laid out in blocks before mastering (``audio/chapter`` tells the design).

Where the blocks are cut (``cut_after``: content-defined; ``cut_indexes``: a block reaching the
maximum ends at its last paragraph end that could have been picked), where each segment sits in its block
(``layout``), the room tone filling the pauses, and each block's raw audio at the engine's rate
written when first needed (``RawBlocks``).
"""

from __future__ import annotations

import math
import os
import random
import threading
import wave
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from narrate.artifacts import atomic_path, hash_parts
from narrate.audio import flac
from narrate.audio.piece import OUT_RATE, PIECE_VERSION, ChapterPlan, LoudnessTarget, padded_frames
from narrate.audio.trim import speech_window

# An edit masters and encodes its block again (LAME: about 1 CPU-s per 100 s of audio), so blocks are
# short; each costs a cold build only its padding since a chapter's blocks share their ffmpeg runs
# (``block_master.groups``; measured on the 8-minute article of ``benchmarks/cli_edit.py``: 30-180 s,
# 20-90 s and 15-60 s blocks cost its cold mastering and encoding the same within 1 CPU-s; RESULTS.md).
BLOCK_MIN_S = 20  # a block (see the module docstring) lasts at least this long, unless its chapter is shorter
BLOCK_MAX_S = 90  # and at most this long (plus one sentence)
BLOCK_CUT_PAUSE_MS = 500  # blocks end where a paragraph does: a pause at least this long
BLOCK_CUT_ONE_IN = 2  # one paragraph end in this many (picked by a hash of its sentence) ends a block
BLOCK_LEAD_MS = 250  # room tone opening a block after the first (taken from the pause at the cut)


# ------------------------------------------------------------------ room tone


class RoomTone:
    """A ~-78 dBFS noise floor (before gain), deterministic, filling the layout's pauses; the
    master lays its own room tone over everything after the gain (``apply_master``)."""

    def __init__(self, sample_rate: int):
        self.sample_rate = sample_rate

    @property
    def block(self) -> bytes:
        """One second of it (made once per rate: 22,050 Gaussian draws in Python took 20 ms a block)."""
        return _tone_second(self.sample_rate)

    def frames_for_ms(self, ms: int) -> int:
        return (ms * self.sample_rate + 500) // 1000

    def write(self, wav: wave.Wave_write, frames: int) -> None:
        while frames > 0:
            count = min(frames, self.sample_rate)
            wav.writeframesraw(self.block[: 2 * count])
            frames -= count


@cache
def _tone_second(sample_rate: int) -> bytes:
    rng = random.Random(0x4ACC)
    return array("h", (round(rng.gauss(0.0, 4.0)) for _ in range(sample_rate))).tobytes()


def segment_frames(path: Path, sample_rate: int) -> int:
    """Frames of one cached sentence (0 for a silent one), checking its format."""
    if path == Path():
        return 0
    start, end = speech_window(path, sample_rate)  # the engine's own leading and trailing silence left out
    return end - start


def _copy_speech(wav: wave.Wave_write, path: Path, sample_rate: int) -> None:
    """A sentence's samples from its first to its last sound (``trim.speech_window``)."""
    start, end = speech_window(path, sample_rate)
    wav.writeframesraw(flac.sentence_pcm(path, sample_rate)[2 * start:2 * end])



# ------------------------------------------------------------------ layout


@dataclass(frozen=True)
class BlockLayout:
    """One block of a chapter before mastering: which segments, where, and its raw key."""

    first: int  # index of its first segment in the chapter
    spans: tuple[tuple[int, int], ...]  # its segments' (start, end), input samples from the block's start
    content: int  # input samples, the head (first block) and the pause after its last segment included
    frames: int  # mastered samples at OUT_RATE (``padded_frames``)
    key: str  # of exactly what its raw audio is made from


def layout(plan: ChapterPlan, in_rate: int, target: LoudnessTarget, frames: Sequence[int]) -> list[BlockLayout]:
    """The chapter cut into blocks (``cut_after``), each laid out: room tone for the head (first
    block), each segment, the pause after it (at least ``tail_ms`` after the chapter's last).

    The pause at a cut is shared: up to ``BLOCK_LEAD_MS`` of it (half at most) opens the next
    block, so no block starts on speech (an encoder's first packets smear an abrupt onset into
    the samples before it, which sit in the codec gap).
    """
    tone = RoomTone(in_rate)
    blocks: list[BlockLayout] = []
    spans: list[tuple[int, int]] = []
    parts: list[str] = []
    position, first, lead = tone.frames_for_ms(target.head_ms), 0, 0
    last = len(frames) - 1
    cuts = cut_indexes(plan, in_rate, target, frames)
    for index, (path, count, pause) in enumerate(zip(plan.paths, frames, plan.pauses_ms, strict=True)):
        spans.append((position, position + count))
        parts.append(f"{path.stem}:{pause}")
        if index == last:
            pause = max(pause, target.tail_ms)
        position += count
        if index in cuts:
            share = 0 if index == last else min(pause // 2, BLOCK_LEAD_MS)
            position += tone.frames_for_ms(pause - share)
            ends = ("head" if first == 0 else f"lead:{lead}", "tail" if index == last else "")
            key = hash_parts(PIECE_VERSION, repr(target), str(in_rate), *ends, *parts)
            blocks.append(BlockLayout(first, tuple(spans), position, padded_frames(to_out(position, in_rate)), key))
            spans, parts, first, lead = [], [], index + 1, share
            position = tone.frames_for_ms(share)
        else:
            position += tone.frames_for_ms(pause)
    return blocks


def cut_indexes(plan: ChapterPlan, in_rate: int, target: LoudnessTarget, frames: Sequence[int]) -> set[int]:
    """The segments after which ``layout`` ends a block (the last one included).

    A paragraph end the hash picks (``cut_after``) ends a block. A block reaching ``BLOCK_MAX_S``
    without one ends at its last paragraph end that could have been picked (past ``BLOCK_MIN_S``,
    ``BLOCK_CUT_PAUSE_MS`` or more, enough of the chapter left), so an edit before it moves that cut
    only when a paragraph end crosses the maximum; only a block without one is cut at the first
    sentence past the maximum (a cut any edit before it in the block moves, and with it the next
    block: a one-sentence edit in such a block was mastering and encoding two).
    """
    tone = RoomTone(in_rate)
    last = len(frames) - 1
    rest = _rest_after(frames, plan.pauses_ms, tone)
    cuts: set[int] = set()
    index, start = 0, tone.frames_for_ms(target.head_ms)
    while index <= last:
        position, backup = start, None
        for at in range(index, last + 1):
            path, pause = plan.paths[at], plan.pauses_ms[at]
            if at == last:
                pause = max(pause, target.tail_ms)
            position += frames[at]
            length = position + tone.frames_for_ms(pause)
            cut = at
            if at == last or cut_after(path, pause, length, in_rate, rest[at]):
                if at != last and length >= BLOCK_MAX_S * in_rate and backup is not None:
                    cut, pause = backup
                break
            if length >= BLOCK_MIN_S * in_rate and pause >= BLOCK_CUT_PAUSE_MS and path != Path() and \
                    rest[at] >= BLOCK_MIN_S * in_rate:
                backup = at, pause
            position += tone.frames_for_ms(pause)
        cuts.add(cut)
        start = 0 if cut == last else tone.frames_for_ms(min(pause // 2, BLOCK_LEAD_MS))
        index = cut + 1
    return cuts


def cut_after(path: Path, pause_ms: int, length: int, in_rate: int, rest: int | None = None) -> bool:
    """Whether a block ends after this segment (``length`` input samples into the block, ``rest``
    input samples of the chapter after it; None: not known, taken as long).

    Content-defined, so an edit moves at most the cuts around it: after ``BLOCK_MIN_S``, a
    paragraph's end (a pause of ``BLOCK_CUT_PAUSE_MS`` or more) ends the block when a hash of the
    sentence's audio key picks it (one in ``BLOCK_CUT_ONE_IN``), unless less than ``BLOCK_MIN_S``
    of the chapter would be left for the last block (each block has fixed costs: its own graph,
    peak check and join, for a few seconds of audio a 25-second chapter cut at 20 s was paying);
    at ``BLOCK_MAX_S`` any sentence does.
    """
    if length >= BLOCK_MAX_S * in_rate:
        return True
    if length < BLOCK_MIN_S * in_rate or pause_ms < BLOCK_CUT_PAUSE_MS or path == Path():
        return False
    if rest is not None and rest < BLOCK_MIN_S * in_rate:
        return False
    return int(hash_parts("cut", path.stem)[:8], 16) % BLOCK_CUT_ONE_IN == 0


def _rest_after(frames: Sequence[int], pauses_ms: Sequence[int], tone: RoomTone) -> list[int]:
    """For each segment, the chapter's input samples after it (the segments and their pauses)."""
    rest, total = [0] * len(frames), 0
    for index in range(len(frames) - 1, -1, -1):
        rest[index] = total
        total += frames[index] + tone.frames_for_ms(pauses_ms[index])
    return rest


def to_out(samples: int, in_rate: int) -> int:
    return (samples * OUT_RATE + in_rate // 2) // in_rate


class RawBlocks:
    """The chapter's blocks' raw audio, written to ``work_dir`` when first needed."""

    def __init__(self, plan: ChapterPlan, blocks: Sequence[BlockLayout], in_rate: int, work_dir: Path):
        self.plan, self.blocks, self.in_rate = plan, list(blocks), in_rate
        stamp = f"{os.getpid()}.{threading.get_ident()}"
        self.paths = [work_dir / f"{block.key}.{stamp}.raw.wav" for block in blocks]
        self.work_dir, self.stamp = work_dir, stamp
        self.lock = threading.Lock()

    def staged(self, key: str, suffix: str = ".master.wav") -> Path:
        """Where a first-pass master of block ``key`` (or, with another ``suffix``, an encoding made
        beside it: ``audio/early_encode``) is kept during this mastering."""
        return self.work_dir / f"{key}.{self.stamp}{suffix}"

    def path(self, index: int) -> Path:
        raw = self.paths[index]
        with self.lock:
            if not raw.is_file():
                _write_raw(self.plan, self.blocks[index], raw, self.in_rate)
        return raw

    def remove(self) -> None:
        for raw in self.paths:
            raw.unlink(missing_ok=True)
        for staged in self.work_dir.glob(f"*.{self.stamp}.*"):
            staged.unlink(missing_ok=True)


def _write_raw(plan: ChapterPlan, block: BlockLayout, raw: Path, in_rate: int) -> None:
    """The block's raw audio at the engine's rate: room tone, sentences, room tone to its length."""
    tone = RoomTone(in_rate)
    with atomic_path(raw) as tmp, wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(in_rate)
        position = 0
        for path, (start, end) in zip(plan.paths[block.first:], block.spans, strict=False):
            tone.write(wav, start - position)
            if end > start:
                _copy_speech(wav, path, in_rate)
            position = end
        tone.write(wav, raw_frames(block, in_rate) - position)


def raw_frames(block: BlockLayout, in_rate: int) -> int:
    return math.ceil(block.frames * in_rate / OUT_RATE) + 1


