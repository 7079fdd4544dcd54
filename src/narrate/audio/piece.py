"""A chapter's piece, its blocks and their cache records (``audio/chapter`` tells the design).

What a piece is made from (``ChapterPlan``), what mastering made of it (``ChapterPiece``, its
``Block``s), where each lives in the cache (``piece_path``) and how a cached one is read back
(``load_piece``), checked whole (``whole_wav``) or listed for ``narrate clean`` (``piece_files``).
"""

from __future__ import annotations

import json
import math
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from narrate.artifacts import atomic_path, hash_parts
from narrate.audio import flac
from narrate.errors import AudioError

OUT_RATE = 44100
SPAN_QUANTUM = 9216  # lcm(1152, 1024): a whole number of MP3 frames and of AAC packets
CODEC_GAP = 1152  # samples each encoder adds to a piece (see the module docstring)
CODEC_HEADROOM_DB = 1.0
_BLOCK_FRAMES = 32768
PIECE_VERSION = "chapter-piece/10"  # 10: no last block under 20 s; 9: blocks of 20-90 s (``layout.BLOCK_MIN_S``);
# 8: sentences laid out without the engine's silence, and room tone under the whole master; 6: levels in-process;
# 5: the voice's limiter loss in the gain; 4: second pass above 0.3 LU again; 3: blocks;
# 2: the record holds the master's level

# each codec's file suffix in the cache (``audio/encoding`` encodes them)
CODEC_SUFFIX = {"mp3": ".mp3", "aac": ".aac"}


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
        return hash_parts(PIECE_VERSION, repr(target), str(in_rate), *parts)


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
        suffix = CODEC_SUFFIX[codec]
        info = piece_path(cache_dir, encoding_key(key, codec, bitrate), ".json")
        encoding = read_json(info)
        files |= {info, piece_path(cache_dir, encoding_key(key, codec, bitrate), suffix)}
        for name in encoding.get("blocks", ()):
            files |= {piece_path(cache_dir, str(name), suffix), piece_path(cache_dir, str(name), ".json")}
    return files


def read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def encoding_key(piece_key: str, codec: str, bitrate: str) -> str:
    return hash_parts(piece_key, codec, bitrate, "/2")



def _check_format(src: wave.Wave_read, path: Path, sample_rate: int) -> None:
    if (src.getnchannels(), src.getsampwidth(), src.getframerate()) != (1, 2, sample_rate):
        raise AudioError(
            f"expected mono 16-bit audio at {sample_rate} Hz, found {src.getnchannels()} "
            f"channel(s), {8 * src.getsampwidth()} bits at {src.getframerate()} Hz",
            path,
        )



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
    suffix = CODEC_SUFFIX[codec]
    data = read_json(piece_path(cache_dir, encoding_key(piece_key, codec, bitrate), ".json"))
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

