"""The chapter as the unit of audio work: mastered chapter pieces and their encodings, cached.

A chapter's piece is its sentences and pauses, with room tone at the head and between
sentences, loudness-normalized on its own (one measurement for the chapter, one gain, then
passes that apply the gain and the true-peak limiter), at 44.1 kHz. Its record is cached under
``<cache>/chapters`` with a key of exactly what it is made from: the loudness target, the
engine's rate, and for each sentence its synthesized audio's key and the pause after it.
Adding, removing or reordering chapters reuses every other piece.

Blocks: the sub-chapter unit of work. A chapter is cut at paragraph ends into blocks of about
one to three minutes (``cut_after``: content-defined, so an edit moves no cut but its
neighbours'); each block is mastered (gain, limiter, resampling) and encoded on its own, and
cached under a key of its own audio, the chapter's gain (rounded to 0.1 dB, so a small edit
rarely changes it) and, for encodings, the codec's compensation (also rounded to 0.1 dB).
Each block's momentary loudness (the 400 ms gating blocks, every 100 ms) is measured once,
raw and mastered, in-process (``loudness.momentary``), and cached; the chapter's integrated
loudness is gated from all of its blocks' values (``gated_loudness``). Editing one sentence
therefore measures, masters and encodes one block (twice mastered when the limiter's shortfall
calls for a second pass); the chapter's encoding is its blocks' frames end to end. A short
chapter is one block.

Encodings (MP3 for the edition and the read-along, AAC for the M4B) are cached beside the
piece, keyed on the piece, the codec and the bitrate, so stitching an edition copies frames
and never re-encodes an unchanged chapter.

Gapless joins. Both encoders add a fixed number of samples: LAME (via ffmpeg) writes
``ceil((n + 1152) / 1152)`` frames of 1152 samples for ``n`` input samples (576 of encoder
delay, the rest padding); ffmpeg's AAC writes ``ceil((n + 1024) / 1024)`` packets of 1024 (1024
of priming). A block is therefore padded with room tone to ``n = M - 1152`` samples, ``M`` a
multiple of 9216 (the lcm of 1152 and 1024): its MP3 is then exactly ``M / 1152`` frames and its
AAC exactly ``M / 1024`` packets. Concatenating the frame streams and skipping the first
stream's delay once (LAME/Xing gapless info, an MP4 edit list) puts every block's first
sample at the sum of the previous spans ``M`` in both editions, so one timeline serves both,
and chapter times follow from the frame and packet counts. Between blocks 1152 samples
(26 ms) of codec padding and priming separate one block's room tone from the next's; inside a
chapter a block ends at a paragraph's pause, which the padding lengthens by up to 0.2 s.
Measured: decoded, those 26 ms can be near or exact digital silence inside the room tone (at
most a few ms of zeros since the master carries its own room tone, ``apply_master``). They sit
inside a pause (>= 500 ms) and the timeline counts them; removing them would need per-join edit
lists (M4B) or overlapping encodes, which a frame-copied MP3 cannot carry.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import tempfile
import threading
import wave
from array import array
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from narrate.artifacts import atomic_path, atomic_write, hash_parts
from narrate.audio import flac
from narrate.audio.ffmpeg import Loudness, measure_loudness, measure_rms, parse_loudness, probe, run_ffmpeg
from narrate.audio.loudness import momentary
from narrate.audio.trim import speech_window
from narrate.errors import AudioError

OUT_RATE = 44100
SPAN_QUANTUM = 9216  # lcm(1152, 1024): a whole number of MP3 frames and of AAC packets
CODEC_GAP = 1152  # samples each encoder adds to a piece (see the module docstring)
CODEC_HEADROOM_DB = 1.0
_BLOCK_FRAMES = 32768
_VERSION = "chapter-piece/8"  # 8: sentences laid out without the engine's silence, and room tone
# under the whole master; 6: levels in-process; 5: the voice's limiter loss in the gain;
# 4: second pass above 0.3 LU again; 3: blocks; 2: the record holds the master's level
# Room tone laid under every master (``apply_master``): pink noise at about -70 dBFS RMS, loud
# enough that a 64 kbps MP3 or AAC keeps it (at -78 dBFS and below the encoders quantized it to
# exact zeros), far under ACX's -60 dB noise-floor limit; one seed, so masters are reproducible.
ROOM_TONE_AMPLITUDE = 0.002
ROOM_TONE_SEED = 0x4ACC
LIMITER_MARGIN_DB = 0.5  # the limiter's ceiling sits this far under ``master_peak_dbtp``
EXCERPT_S = 30  # seconds of a voice's calibration master encoded to learn a codec's level offset
BLOCK_MIN_S = 30  # a block (see the module docstring) lasts at least this long, unless its chapter is shorter
BLOCK_MAX_S = 180  # and at most this long (plus one sentence)
BLOCK_CUT_PAUSE_MS = 500  # blocks end where a paragraph does: a pause at least this long
BLOCK_CUT_ONE_IN = 3  # one paragraph end in this many (picked by a hash of its sentence) ends a block
BLOCK_LEAD_MS = 250  # room tone opening a block after the first (taken from the pause at the cut)


@dataclass(frozen=True)
class LoudnessTarget:
    integrated_lufs: float
    true_peak_dbtp: float
    head_ms: int = 750  # room tone before each chapter's first words (every profile)
    tail_ms: int = 0  # at least this much room tone after each chapter
    measure: str = "lufs"  # "lufs": EBU R128 integrated + true peak; "rms": ACX's RMS + sample peak
    peak_limit_dbtp: float | None = None  # what every encoding's true peak holds; None: ``true_peak_dbtp``

    @property
    def encoded_peak_limit(self) -> float:
        """The true peak (dBTP) no encoding may exceed, measured on the decoded file."""
        return self.true_peak_dbtp if self.peak_limit_dbtp is None else self.peak_limit_dbtp

    @property
    def master_peak_dbtp(self) -> float:
        """The master's peak limit: lossy encoding (MP3/AAC at low bitrates) overshoots the
        master's true peak by up to about 1 dB, so the master keeps that much headroom.
        (ACX's limit already carries its own margin.)"""
        return self.true_peak_dbtp - (CODEC_HEADROOM_DB if self.measure == "lufs" else 0.0)

@dataclass(frozen=True)
class ChapterPlan:
    """What one chapter's piece is made from (in order): cached sentence audio and pauses."""

    id: str
    paths: tuple[Path, ...]  # Path() for a silent (empty) segment
    pauses_ms: tuple[int, ...]

    def key(self, target: LoudnessTarget, in_rate: int) -> str:
        parts = [f"{p.stem}:{ms}" for p, ms in zip(self.paths, self.pauses_ms, strict=True)]
        return hash_parts(_VERSION, repr(target), str(in_rate), *parts)


@dataclass(frozen=True)
class Block:
    """A stretch of a chapter mastered and encoded on its own (see the module docstring)."""

    key: str  # what its raw audio is made from, with the gain and limiter it was mastered with
    wav: Path
    frames: int  # mastered samples at OUT_RATE: a whole span (a multiple of SPAN_QUANTUM) minus CODEC_GAP


@dataclass(frozen=True)
class ChapterPiece:
    id: str
    key: str
    blocks: tuple[Block, ...]
    offsets: tuple[tuple[int, int], ...]  # each segment's (start, end) in the piece, OUT_RATE samples
    gain_db: float = 0.0
    limited: bool = False
    level_lufs: float | None = None  # the master's measured integrated loudness (LUFS targets)

    @property
    def frames(self) -> int:
        """Mastered samples, the codec gaps between blocks included (as the editions lay them out)."""
        return sum(b.frames for b in self.blocks) + CODEC_GAP * (len(self.blocks) - 1)

    @property
    def span(self) -> int:
        """Samples from this chapter's start to the next chapter's start in a stitched edition."""
        return self.frames + CODEC_GAP

    @property
    def wav(self) -> Path:
        """The whole mastered chapter as one WAV, laid out as in the editions (``CODEC_GAP`` silent
        samples between blocks). A one-block chapter is its block; a longer one is joined on first
        use and cached (the editions never need it: they stitch the blocks' encodings)."""
        if len(self.blocks) == 1:
            return self.blocks[0].wav
        out = self.blocks[0].wav.parent.parent / self.key[:2] / f"{self.key}.wav"  # piece_path
        if out.is_file() and whole_wav(out, self.frames):
            return out
        with atomic_path(out) as tmp, wave.open(str(tmp), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(OUT_RATE)
            for number, block in enumerate(self.blocks):
                if number:
                    wav.writeframesraw(bytes(2 * CODEC_GAP))
                _copy(wav, block.wav, OUT_RATE)
        return out


def padded_frames(content: int) -> int:
    """The piece length for ``content`` samples: room tone up to a whole span minus the codec gap."""
    return math.ceil((content + CODEC_GAP) / SPAN_QUANTUM) * SPAN_QUANTUM - CODEC_GAP


def piece_path(cache_dir: Path, key: str, suffix: str) -> Path:
    return cache_dir / "chapters" / key[:2] / f"{key}{suffix}"


# the editions' encodings (writers/mp3.py, writers/m4b.py, the read-along): what ``narrate clean`` keeps
KNOWN_ENCODINGS = (("mp3", "64k"), ("mp3", "192k"), ("aac", "64k"), ("aac", "128k"))


def piece_files(cache_dir: Path, key: str) -> set[Path]:
    """Every cache file that belongs to the piece ``key``: its record, its joined WAV, its blocks
    (those of a first mastering pass too) and every known encoding of it and of its blocks."""
    record = piece_path(cache_dir, key, ".json")
    files = {piece_path(cache_dir, key, ".wav"), record}
    data = read_json(record)
    for block in [k for k, _ in data.get("blocks", ())] + list(data.get("tried", ())):
        files |= {piece_path(cache_dir, str(block), ".wav"), piece_path(cache_dir, str(block), ".levels.json")}
    files |= {piece_path(cache_dir, str(raw), ".levels.json") for raw in data.get("raw", ())}
    for codec, bitrate in KNOWN_ENCODINGS:
        suffix = _CODECS[codec][0]
        info = piece_path(cache_dir, _encoding_key(key, codec, bitrate), ".json")
        encoding = read_json(info)
        files |= {info, piece_path(cache_dir, _encoding_key(key, codec, bitrate), suffix)}
        for name in encoding.get("blocks", ()):
            files |= {piece_path(cache_dir, str(name), suffix), piece_path(cache_dir, str(name), ".json")}
    return files


def read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _encoding_key(piece_key: str, codec: str, bitrate: str) -> str:
    return hash_parts(piece_key, codec, bitrate, "/2")


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


def _check_format(src: wave.Wave_read, path: Path, sample_rate: int) -> None:
    if (src.getnchannels(), src.getsampwidth(), src.getframerate()) != (1, 2, sample_rate):
        raise AudioError(
            f"expected mono 16-bit audio at {sample_rate} Hz, found {src.getnchannels()} "
            f"channel(s), {8 * src.getsampwidth()} bits at {src.getframerate()} Hz",
            path,
        )


def _copy_speech(wav: wave.Wave_write, path: Path, sample_rate: int) -> None:
    """A sentence's samples from its first to its last sound (``trim.speech_window``)."""
    start, end = speech_window(path, sample_rate)
    wav.writeframesraw(flac.sentence_pcm(path, sample_rate)[2 * start:2 * end])


def _copy(wav: wave.Wave_write, path: Path, sample_rate: int) -> int:
    if path.suffix == flac.SUFFIX:  # a cached sentence: decoded whole, in-process
        pcm = flac.read(path, sample_rate)
        wav.writeframesraw(pcm)
        return len(pcm) // 2
    try:
        with wave.open(str(path), "rb") as src:
            _check_format(src, path, sample_rate)
            total = src.getnframes()
            while block := src.readframes(_BLOCK_FRAMES):
                wav.writeframesraw(block)
            return total
    except (wave.Error, EOFError, OSError) as exc:
        raise AudioError(f"cannot read synthesized audio ({exc}); delete it to re-synthesize", path) from exc


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
    for index, (path, count, pause) in enumerate(zip(plan.paths, frames, plan.pauses_ms, strict=True)):
        spans.append((position, position + count))
        parts.append(f"{path.stem}:{pause}")
        if index == last:
            pause = max(pause, target.tail_ms)
        position += count
        if index == last or cut_after(path, pause, position + tone.frames_for_ms(pause), in_rate):
            share = 0 if index == last else min(pause // 2, BLOCK_LEAD_MS)
            position += tone.frames_for_ms(pause - share)
            ends = ("head" if first == 0 else f"lead:{lead}", "tail" if index == last else "")
            key = hash_parts(_VERSION, repr(target), str(in_rate), *ends, *parts)
            blocks.append(BlockLayout(first, tuple(spans), position, padded_frames(to_out(position, in_rate)), key))
            spans, parts, first, lead = [], [], index + 1, share
            position = tone.frames_for_ms(share)
        else:
            position += tone.frames_for_ms(pause)
    return blocks


def cut_after(path: Path, pause_ms: int, length: int, in_rate: int) -> bool:
    """Whether a block ends after this segment (``length`` input samples into the block).

    Content-defined, so an edit moves at most the cuts around it: after ``BLOCK_MIN_S``, a
    paragraph's end (a pause of ``BLOCK_CUT_PAUSE_MS`` or more) ends the block when a hash of the
    sentence's audio key picks it (one in ``BLOCK_CUT_ONE_IN``); at ``BLOCK_MAX_S`` any sentence does.
    """
    if length >= BLOCK_MAX_S * in_rate:
        return True
    if length < BLOCK_MIN_S * in_rate or pause_ms < BLOCK_CUT_PAUSE_MS or path == Path():
        return False
    return int(hash_parts("cut", path.stem)[:8], 16) % BLOCK_CUT_ONE_IN == 0


def to_out(samples: int, in_rate: int) -> int:
    return (samples * OUT_RATE + in_rate // 2) // in_rate


def load_piece(plan: ChapterPlan, target: LoudnessTarget, in_rate: int, cache_dir: Path,
               encodings: Sequence[tuple[str, str]] = ()) -> ChapterPiece | None:
    """The cached piece for ``plan``, or None when it must be mastered. With ``encodings``, a piece
    whose every encoding among them is cached needs no mastered WAV here (a cluster node mastered
    it and sent back only its encodings: ``audio_ray``)."""
    key = plan.key(target, in_rate)
    info = piece_path(cache_dir, key, ".json")
    if not info.is_file():
        return None
    try:
        data = json.loads(info.read_text(encoding="utf-8"))
        offsets = tuple((int(a), int(b)) for a, b in data["offsets"])
        blocks = tuple(Block(str(k), piece_path(cache_dir, str(k), ".wav"), int(n)) for k, n in data["blocks"])
        if not blocks or not (all(whole_wav(b.wav, b.frames) for b in blocks) or
                              (encodings and all(encoding_cached(cache_dir, key, *e) for e in encodings))):
            return None  # a missing, truncated or damaged block costs one re-master, never a short chapter
        level = data.get("level_lufs")
        return ChapterPiece(plan.id, key, blocks, offsets, float(data["gain_db"]), bool(data["limited"]),
                            None if level is None else float(level))
    except (OSError, ValueError, KeyError, TypeError, EOFError, wave.Error):
        return None  # a damaged record costs one re-master


def encoding_cached(cache_dir: Path, piece_key: str, codec: str, bitrate: str) -> bool:
    """Is the piece ``piece_key`` encoded as ``codec`` at ``bitrate`` in the cache, with its blocks'?"""
    suffix = _CODECS[codec][0]
    data = read_json(piece_path(cache_dir, _encoding_key(piece_key, codec, bitrate), ".json"))
    names = [str(name) for name in data.get("blocks", ())]
    return bool(names) and piece_path(cache_dir, str(data.get("file")), suffix).is_file() and \
        all(piece_path(cache_dir, name, suffix).is_file() for name in names)


def whole_wav(path: Path, frames: int) -> bool:
    """The WAV holds the ``frames`` samples its record says, all of them on disk."""
    try:
        with wave.open(str(path), "rb") as wav:
            wanted = wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
            return wav.getnframes() == frames and path.stat().st_size >= wanted + 44
    except (OSError, EOFError, wave.Error):
        return False


def master_piece(plan: ChapterPlan, target: LoudnessTarget, in_rate: int, cache_dir: Path,
                 work_dir: Path, jobs: int = 1, loss: float = 0.0) -> ChapterPiece:
    """Assemble, measure and normalize one chapter into its cached piece (atomic).

    Each block's raw audio is measured on its own and its levels cached, and the chapter's
    level is computed from all of them (one gain for the chapter); each block is then mastered
    on its own (``jobs`` at a time), or reused from the cache when a block with the same audio
    was mastered at the same gain: after an edit only the edited block is measured and mastered.
    ``loss`` is the LU the limiter takes off this voice (``voicelevel.VoiceLevel.limiter_loss``),
    added to the gain so that one pass lands on the target.
    """
    key = plan.key(target, in_rate)
    frames = [segment_frames(p, in_rate) for p in plan.paths]
    blocks = layout(plan, in_rate, target, frames)
    work_dir.mkdir(parents=True, exist_ok=True)
    raws = RawBlocks(plan, blocks, in_rate, work_dir)
    try:
        mastered, gain, limited, level, tried = _normalize(raws, in_rate, target, cache_dir, jobs, loss)
    finally:
        raws.remove()
    offsets, start = [], 0
    for block, done in zip(blocks, mastered, strict=True):
        offsets += [(start + to_out(a, in_rate), start + to_out(b, in_rate)) for a, b in block.spans]
        start += done.frames + CODEC_GAP
    record = {"offsets": offsets, "gain_db": round(gain, 3), "limited": limited, "level_lufs": level,
              "blocks": [[b.key, b.frames] for b in mastered], "tried": sorted(tried - {b.key for b in mastered}),
              "raw": [b.key for b in blocks]}
    atomic_write(piece_path(cache_dir, key, ".json"), json.dumps(record))
    return ChapterPiece(plan.id, key, tuple(mastered), tuple(offsets), gain, limited, level)


class RawBlocks:
    """The chapter's blocks' raw audio, written to ``work_dir`` when first needed."""

    def __init__(self, plan: ChapterPlan, blocks: Sequence[BlockLayout], in_rate: int, work_dir: Path):
        self.plan, self.blocks, self.in_rate = plan, list(blocks), in_rate
        stamp = f"{os.getpid()}.{threading.get_ident()}"
        self.paths = [work_dir / f"{block.key}.{stamp}.raw.wav" for block in blocks]
        self.work_dir, self.stamp = work_dir, stamp
        self.lock = threading.Lock()

    def staged(self, key: str) -> Path:
        """Where a first-pass master of block ``key`` is kept during this mastering."""
        return self.work_dir / f"{key}.{self.stamp}.master.wav"

    def path(self, index: int) -> Path:
        raw = self.paths[index]
        with self.lock:
            if not raw.is_file():
                _write_raw(self.plan, self.blocks[index], raw, self.in_rate)
        return raw

    def remove(self) -> None:
        for raw in self.paths:
            raw.unlink(missing_ok=True)
        for staged in self.work_dir.glob(f"*.{self.stamp}.master.wav"):
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


@contextmanager
def _concat_listing(paths: Sequence[Path], scratch: Path) -> Iterator[list[str]]:
    """ffmpeg input options reading ``paths`` end to end (a concat demuxer listing in ``scratch``)."""
    scratch.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".concat.", suffix=".txt.tmp", dir=scratch)
    os.close(fd)
    listed = Path(name)
    try:
        listed.write_text("ffconcat version 1.0\n" + "".join(f"file {_quote(p.resolve())}\n" for p in paths),
                          encoding="utf-8")
        yield ["-f", "concat", "-safe", "0", "-i", str(listed)]
    finally:
        listed.unlink(missing_ok=True)


# ------------------------------------------------------------------ levels

def gated_loudness(momentary: Sequence[float]) -> float:
    """Integrated loudness (ITU-R BS.1770: absolute gate -70 LUFS, relative gate -10 LU) from
    the loudness of its 400 ms gating blocks: the momentary loudness every 100 ms
    (``loudness.momentary``, as ffmpeg's ebur128 reports it). Blocks measured apart combine by
    concatenating their values."""
    def power(lufs: float) -> float:
        return 10 ** ((lufs + 0.691) / 10)

    def loudness(values: list[float]) -> float:
        return -0.691 + 10 * math.log10(sum(power(v) for v in values) / len(values))

    audible = [m for m in momentary if m > -70.0]
    if not audible:
        return -70.0
    relative = loudness(audible) - 10.0
    kept = [m for m in audible if m > relative]
    return max(loudness(kept), -70.0)


def combined_level(levels: Sequence[dict], target: LoudnessTarget) -> Loudness:
    """The chapter's level from its blocks' (``measure_block``): LUFS, or ACX's RMS and sample peak."""
    if target.measure == "lufs":
        return Loudness(gated_loudness([m for level in levels for m in level["m"]]), math.inf)
    count = sum(level["n"] for level in levels)
    energy = sum(10 ** (level["rms"] / 10) * level["n"] for level in levels)
    rms = 10 * math.log10(energy / count) if energy > 0 and count else -70.0
    return Loudness(max(rms, -70.0), max(level["peak"] for level in levels))


def measure_block(wav: Path, target: LoudnessTarget, frames: int) -> dict:
    """One block's levels: its momentary loudness (LUFS targets) or RMS, peak and length (ACX)."""
    if target.measure == "lufs":
        return {"m": momentary(wav)}
    measured = measure_rms(wav)
    return {"rms": measured.integrated_lufs, "peak": measured.true_peak_dbtp, "n": frames}


def _levels(path: Path) -> dict | None:
    data = read_json(path)
    return data if ("m" in data or "rms" in data) else None


def _normalize(raws: RawBlocks, in_rate: int, target: LoudnessTarget, cache_dir: Path, jobs: int,
               loss: float) -> tuple[list[Block], float, bool, float | None, set[str]]:
    """Master every block at ``target`` with one gain for the chapter; return the blocks, the gain,
    whether the limiter ran, the master's integrated loudness (LUFS targets) and every block key tried.

    The gain is rounded to 0.1 dB, so a small edit rarely changes it and the other blocks stay
    cached. The limiter lowers loudness a little: the gain includes the voice's ``loss``, and
    when the first pass still misses by more than 0.3 LU (a chapter whose peaks are unlike the
    voice's calibration), one more pass with the shortfall added brings it back. Every block's
    levels, raw and mastered, are cached.
    """
    def raw_level(index: int) -> dict:
        block = raws.blocks[index]
        cached = piece_path(cache_dir, block.key, ".levels.json")
        level = _levels(cached)
        if level is None:
            level = measure_block(raws.path(index), target, raw_frames(block, in_rate))
            atomic_write(cached, json.dumps(level))
        return level

    measured = combined_level(_map(raw_level, range(len(raws.blocks)), jobs), target)
    tried: set[str] = set()
    if measured.integrated_lufs <= -69.0:  # silence: nothing to normalize
        gain, limited = 0.0, False
    else:
        # LUFS targets always run the (oversampled) limiter: measuring true peak costs more
        # than limiting, and the limiter leaves anything under its ceiling untouched.
        limited = target.measure == "lufs" or \
            measured.true_peak_dbtp + target.integrated_lufs - measured.integrated_lufs > target.master_peak_dbtp
        gain = round(target.integrated_lufs - measured.integrated_lufs + (loss if limited else 0.0), 1)
    # the first pass is measured; its masters are kept (in the cache) only if no second pass follows
    mastered, level = _master_blocks(raws, in_rate, target, gain, limited, cache_dir, jobs, final=False)
    if limited and measured.integrated_lufs > -69.0:
        shortfall = target.integrated_lufs - level.integrated_lufs
        if abs(shortfall) > 0.3:
            tried |= {b.key for b in mastered}
            gain = round(gain + shortfall, 1)
    mastered, level = _master_blocks(raws, in_rate, target, gain, limited, cache_dir, jobs, final=True)
    return mastered, gain, limited, level.integrated_lufs if target.measure == "lufs" else None, tried


def _map(function, items, jobs: int) -> list:  # noqa: ANN001
    """``function`` over ``items`` in order, on up to ``jobs`` threads."""
    items = list(items)
    if jobs > 1 and len(items) > 1:
        with ThreadPoolExecutor(max_workers=min(jobs, len(items)), thread_name_prefix="narrate-block") as pool:
            return list(pool.map(function, items))
    return [function(item) for item in items]


def _master_blocks(raws: RawBlocks, in_rate: int, target: LoudnessTarget, gain: float, limited: bool,
                   cache_dir: Path, jobs: int, *, final: bool) -> tuple[list[Block], Loudness]:
    """Each block mastered at ``gain`` (its levels cached); the master's level.

    Not ``final``: only the levels are needed, and a block mastered now is kept in the work
    folder (a second pass at another gain would make it useless). ``final``: every block's master
    is in the cache, adopted from the work folder when this build made it in the first pass.
    """
    def one(index: int) -> tuple[Block, dict]:
        layout_ = raws.blocks[index]
        key = hash_parts(layout_.key, f"gain={gain:.1f}", f"limited={limited}")
        block = Block(key, piece_path(cache_dir, key, ".wav"), layout_.frames)
        record = piece_path(cache_dir, key, ".levels.json")
        level = _levels(record)
        staged = raws.staged(key)
        if level is not None and (not final or whole_wav(block.wav, block.frames)):
            return block, level
        if final and level is not None and whole_wav(staged, block.frames):
            _adopt(staged, block.wav)
            return block, level
        level = apply_master(raws.path(index), block.wav if final else staged, block.frames, in_rate, target, gain,
                       limited)
        atomic_write(record, json.dumps(level))
        return block, level

    results = _map(one, range(len(raws.blocks)), jobs)
    return [b for b, _ in results], combined_level([level for _, level in results], target)


def _adopt(staged: Path, out: Path) -> None:
    """Move a master made in the work folder into the cache (atomically; copied across devices)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(staged, out)
    except OSError:
        with atomic_path(out) as tmp:
            shutil.copyfile(staged, tmp)


def limiter(in_rate: int, ceiling_db: float) -> list[str]:
    ceiling = 10 ** (ceiling_db / 20)
    return [f"aresample={4 * in_rate}", f"alimiter=limit={ceiling:.5f}:level=0:latency=1:attack=2:release=80"]


def apply_master(raw: Path, out: Path, frames: int, in_rate: int, target: LoudnessTarget, gain: float,
                 limited: bool) -> dict:
    """Write a block's master (``frames`` samples) to ``out``; return its levels (``measure_block``)."""
    filters = [f"volume={gain:.3f}dB"]
    if limited:
        filters = [*filters, *limiter(in_rate, target.master_peak_dbtp - LIMITER_MARGIN_DB)]
    filters += [f"aresample={OUT_RATE}", f"apad=whole_len={frames}", f"atrim=end_sample={frames}"]
    # room tone under everything, after the gain: its level is the same in every chapter and
    # voice, and it fills an engine's own digital silence (espeak-ng's pauses are exact zeros)
    graph = (f"[0:a]{','.join(filters)}[voice];anoisesrc=r={OUT_RATE}:c=pink:a={ROOM_TONE_AMPLITUDE}:"
             f"seed={ROOM_TONE_SEED}[tone];[voice][tone]amix=inputs=2:duration=first:normalize=0[out]")
    with atomic_path(out) as tmp:
        run_ffmpeg(["-y", "-i", str(raw), "-filter_complex", graph, "-map", "[out]", "-ac", "1", "-ar", str(OUT_RATE),
                    "-c:a", "pcm_s16le", "-bitexact", "-map_metadata", "-1", "-f", "wav", str(tmp)],
                   what="normalize a chapter's loudness", path=out)
        return measure_block(tmp, target, frames)


# ------------------------------------------------------------------ encodings

_CODECS = {
    "mp3": (".mp3", 1152, ["-c:a", "libmp3lame", "-write_xing", "1", "-f", "mp3"]),
    "aac": (".aac", 1024, ["-c:a", "aac", "-aac_coder", "fast", "-f", "adts"]),
}
COMPENSATE_ABOVE_LU = 0.1
PEAK_ATTEMPTS = 4  # encodings of a block at most, each with the limiter lower (``_encode_within_peak``)
PEAK_STEP_DB = 0.1  # lowered beyond the measured excess, so one more encoding usually suffices


class VoiceOffsets(Protocol):
    """What an encode needs of the voice (``voicelevel.VoiceLevel``)."""

    def offset(self, codec: str, bitrate: str) -> float: ...


@dataclass(frozen=True)
class Encoded:
    path: Path
    packets: int  # MP3 frames or AAC packets (audio only; the Xing frame is not counted)
    samples_per_packet: int
    compensation_db: float = 0.0  # gain added for this codec to land on the target


def encode_piece(piece: ChapterPiece, codec: str, bitrate: str, target: LoudnessTarget,
                 cache_dir: Path, jobs: int = 1, voice: VoiceOffsets | None = None) -> Encoded:
    """``piece`` encoded as ``codec`` at ``bitrate``, cached; level-compensated for the codec.

    Each codec changes level differently (LAME loses ~0.4 LU on speech, ffmpeg's AAC ~0.1), so a
    LUFS piece is encoded once with the voice's offset for the codec (``voice.offset``, learned
    once per voice: ``voicelevel``) and the master's own distance from the target added, rounded
    to 0.1 dB. A gain within the limiter's margin is
    applied as it is; a larger one goes through the limiter, so the peak ceiling holds.

    Each block is encoded on its own (``jobs`` at a time) and cached under its own key and the
    compensation, so after an edit only the edited block is encoded again; a longer chapter's
    encoding is its blocks' frames end to end (their joins are the codec gaps of the layout).
    """
    suffix, per_packet, _ = _CODECS[codec]
    key = _encoding_key(piece.key, codec, bitrate)
    info = piece_path(cache_dir, key, ".json")
    if info.is_file():
        try:
            data = json.loads(info.read_text(encoding="utf-8"))
            path = piece_path(cache_dir, str(data["file"]), suffix)
            if path.is_file():
                return Encoded(path, int(data["packets"]), per_packet, float(data["compensation_db"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    compensation = 0.0
    if target.measure == "lufs":
        master = piece.level_lufs if piece.level_lufs is not None else \
            measure_loudness(piece.wav, true_peak=False).integrated_lufs
        compensation = compensation_db(target, master, voice.offset(codec, bitrate) if voice else 0.0)

    def one(item: tuple[int, Block]) -> tuple[Path, int]:
        number, block = item
        return _encode_block(piece, number, block, codec, bitrate, compensation, target, cache_dir)

    items = list(enumerate(piece.blocks, 1))
    if jobs > 1 and len(items) > 1:
        with ThreadPoolExecutor(max_workers=min(jobs, len(items)), thread_name_prefix="narrate-encode") as pool:
            done = list(pool.map(one, items))
    else:
        done = [one(item) for item in items]
    packets = sum(count for _, count in done)
    if len(done) == 1:
        out = done[0][0]
    else:
        out = piece_path(cache_dir, key, suffix)
        (concat_mp3 if codec == "mp3" else concat_adts)([path for path, _ in done], out)
    atomic_write(info, json.dumps({"packets": packets, "compensation_db": compensation, "file": out.stem,
                                   "blocks": [path.stem for path, _ in done]}))
    return Encoded(out, packets, per_packet, compensation)


def compensation_db(target: LoudnessTarget, master_lufs: float, offset: float) -> float:
    """The gain an encoding of a master at ``master_lufs`` gets for a codec that adds ``offset`` LU
    (``encode_piece``): to the target, rounded to 0.1 dB; none for a (near) silent master."""
    if master_lufs <= -69.0:
        return 0.0
    wanted = target.integrated_lufs - master_lufs - offset
    return round(wanted, 1) if abs(wanted) > COMPENSATE_ABOVE_LU else 0.0


def _encode_block(piece: ChapterPiece, number: int, block: Block, codec: str, bitrate: str, compensation: float,
                  target: LoudnessTarget, cache_dir: Path) -> tuple[Path, int]:
    """One block encoded (cached): its file and packet count, checked against its span."""
    suffix, per_packet, args = _CODECS[codec]
    key = hash_parts(block.key, codec, bitrate, f"compensation={compensation:.1f}", "/6")
    out, info = piece_path(cache_dir, key, suffix), piece_path(cache_dir, key, ".json")
    if out.is_file() and info.is_file():
        try:
            return out, int(json.loads(info.read_text(encoding="utf-8"))["packets"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    what = f"encode chapter {piece.id!r}" + (f" (block {number} of {len(piece.blocks)})" if len(piece.blocks) > 1
                                              else "")
    _encode_within_peak(block, out, args, bitrate, compensation, target, what)
    packets = _count_packets(out, codec)
    if packets * per_packet != block.frames + CODEC_GAP:
        raise AudioError(f"expected {(block.frames + CODEC_GAP) // per_packet} {codec} packets for chapter "
                         f"{piece.id!r}, the encoder wrote {packets}", out)
    atomic_write(info, json.dumps({"packets": packets}))
    return out, packets


def learn_codec_offset(wav: Path, frames: int, codec: str, bitrate: str, what: str) -> float:
    """The level (LU) ``codec`` at ``bitrate`` adds to the master ``wav`` (negative: it loses level),
    measured on at most ``EXCERPT_S`` seconds from its middle: the excerpt is encoded and measured
    in one ffmpeg run, then its encoding is measured."""
    suffix, _, args = _CODECS[codec]
    length = min(frames, EXCERPT_S * OUT_RATE)
    start = (frames - length) // 2
    with tempfile.TemporaryDirectory(prefix="narrate-codec-") as scratch:
        sample = Path(scratch) / f"excerpt{suffix}"
        lines = run_ffmpeg(["-y", "-i", str(wav), "-filter_complex",
                            f"atrim=start_sample={start}:end_sample={start + length},asplit[e][m];[m]ebur128[n]",
                            "-map", "[e]", "-ac", "1", "-ar", str(OUT_RATE), "-b:a", bitrate, "-map_metadata", "-1",
                            *args, "-bitexact", str(sample), "-map", "[n]", "-f", "null", "-"], what=what, path=wav)
        before = parse_loudness(lines, wav).integrated_lufs
        after = measure_loudness(sample, true_peak=False).integrated_lufs
    if before <= -69.0 or after <= -69.0:
        return 0.0  # too quiet to tell (room tone): no compensation
    return after - before


def _encode_within_peak(block: Block, out: Path, args: list[str], bitrate: str, compensation: float,
                        target: LoudnessTarget, what: str) -> None:
    """Encode ``block`` and measure the encoding's true peak (decoded, ffmpeg's ebur128) until it
    holds ``target.encoded_peak_limit``. The codec's overshoot is usually within the master's
    headroom (``CODEC_HEADROOM_DB``); on transient-rich audio at low bitrates it is not (an MP3 at
    64 kbps put a -4.5 dBFS onset at -1.2 dBTP: pre-echo, which no limiter on the master sees).
    The second encoding limits the master lower by the excess; any further one also lowers the
    block's gain by what is still in excess (a few tenths of a dB on one block, against a peak
    limit that must hold on every file a listener gets)."""
    ceiling, trim, excess = None, 0.0, 0.0
    for _ in range(PEAK_ATTEMPTS):
        _encode(block, out, args, bitrate, round(compensation - trim, 2), target, what, ceiling)
        lines = run_ffmpeg(["-i", str(out), "-af", "ebur128=peak=true", "-f", "null", "-"],
                           what="measure an encoding's true peak", path=out)
        excess = parse_loudness(lines, out, true_peak=True).true_peak_dbtp - target.encoded_peak_limit
        if excess <= 0:
            return
        if ceiling is None:
            ceiling = target.master_peak_dbtp - excess - PEAK_STEP_DB
        else:
            trim += excess + PEAK_STEP_DB
    raise AudioError(f"expected {what} to peak at most at {target.encoded_peak_limit:g} dBTP, found "
                     f"{excess + target.encoded_peak_limit:.2f} dBTP after {PEAK_ATTEMPTS} encodings", out)


def _encode(block: Block, out: Path, args: list[str], bitrate: str, compensation: float,
            target: LoudnessTarget, what: str, ceiling: float | None = None) -> None:
    """One encoding of ``block``; ``ceiling``: limit the master again there first (dBTP)."""
    filters = []
    if compensation or ceiling is not None:
        boost = [f"volume={compensation:.2f}dB"] if compensation else []
        if ceiling is not None:
            boost += [*limiter(OUT_RATE, ceiling), f"aresample={OUT_RATE}"]
        elif compensation > LIMITER_MARGIN_DB:  # past the master's headroom: limit again, at the master's
            # peak itself (the codec's overshoot is already budgeted under the target's true peak;
            # the margin below it only exists so that small boosts need no limiter): limiting at
            # the margin too took a third of the boost back, and the MP3s missed the target
            boost += [*limiter(OUT_RATE, target.master_peak_dbtp), f"aresample={OUT_RATE}"]
        filters = ["-af", ",".join([*boost, f"apad=whole_len={block.frames}", f"atrim=end_sample={block.frames}"])]
    with atomic_path(out) as tmp:
        run_ffmpeg(["-y", "-i", str(block.wav), *filters, "-ac", "1", "-ar", str(OUT_RATE), "-b:a", bitrate,
                    "-map_metadata", "-1", *args, "-bitexact", str(tmp)], what=what, path=out)


def _count_packets(path: Path, codec: str) -> int:
    """The audio packets the encoder wrote: an MP3's Xing/Info frame count (the encoder's own
    count, written because of ``-write_xing 1``) or the number of ADTS frames (each frame's header
    gives its length); ffprobe counts them when neither can be read."""
    data = path.read_bytes()
    counted = _xing_frames(data) if codec == "mp3" else _adts_frames(data)
    if counted is not None:
        return counted
    probed = probe(path, "stream=nb_read_packets", count_packets=True)
    streams = probed.get("streams") or [{}]
    try:
        return int(streams[0]["nb_read_packets"])
    except (KeyError, ValueError) as exc:
        raise AudioError("ffprobe cannot count the audio packets", path) from exc


def _xing_frames(data: bytes) -> int | None:
    start = 0
    if data[:3] == b"ID3" and len(data) >= 10:  # an ID3v2 tag: its size is syncsafe
        start = 10 + ((data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F))
    head = data[start:start + 200]
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    for tag in (b"Xing", b"Info"):
        at = head.find(tag)
        if at >= 0 and len(head) >= at + 12 and head[at + 7] & 0x01:  # the frames field is present
            return int.from_bytes(head[at + 8:at + 12], "big")
    return None


def _adts_frames(data: bytes) -> int | None:
    count = position = 0
    while position + 7 <= len(data):
        if data[position] != 0xFF or data[position + 1] & 0xF6 != 0xF0:
            return None
        length = (data[position + 3] & 0x03) << 11 | data[position + 4] << 3 | data[position + 5] >> 5
        if length < 7:
            return None
        count += (data[position + 6] & 0x03) + 1
        position += length
    return count if position == len(data) else None


def concat_mp3(paths: Sequence[Path], out: Path) -> None:
    """Concatenate MP3 frame streams (each with its LAME/Xing header) into ``out``, atomically.

    ffmpeg's concat demuxer copies the audio frames (each piece starts with an empty bit
    reservoir, so any frame boundary between pieces is a valid join) and the mp3 muxer writes
    one Xing/LAME header for the whole: the frame count and the first piece's encoder delay,
    so players skip the delay once and play every join gaplessly.
    """
    with atomic_path(out) as tmp, _concat_listing(paths, tmp.parent) as inputs:
        run_ffmpeg(["-y", *inputs, "-map", "0:a", "-c", "copy", "-map_metadata", "-1", "-write_id3v2", "0",
                    "-write_xing", "1", "-bitexact", "-f", "mp3", str(tmp)], what="join the chapters' MP3", path=out)


def concat_adts(paths: Sequence[Path], out: Path) -> None:
    """Concatenate ADTS AAC streams (self-contained frames) into ``out``, streaming."""
    with atomic_path(out) as tmp, open(tmp, "wb") as sink:
        for path in paths:
            with open(path, "rb") as source:
                shutil.copyfileobj(source, sink, 1 << 20)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"
