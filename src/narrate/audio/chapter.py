"""The chapter as the unit of audio work: mastered chapter pieces and their encodings, cached.

A chapter's piece is its sentences and pauses, with room tone at the head and between
sentences, loudness-normalized on its own (one measurement, then one pass that applies the
gain and the true-peak limiter), at 44.1 kHz. It is cached under ``<cache>/chapters`` with a
key of exactly what it is made from: the loudness target, the engine's rate, and for each
sentence its synthesized audio's key and the pause after it. Editing one sentence re-masters
its chapter only; adding, removing or reordering chapters reuses every other piece.

Encodings (MP3 for the edition and the read-along, AAC for the M4B) are cached beside the
piece, keyed on the piece, the codec and the bitrate, so stitching an edition copies frames
and never re-encodes an unchanged chapter.

Gapless joins. Both encoders add a fixed number of samples: LAME (via ffmpeg) writes
``ceil((n + 1152) / 1152)`` frames of 1152 samples for ``n`` input samples (576 of encoder
delay, the rest padding); ffmpeg's AAC writes ``ceil((n + 1024) / 1024)`` packets of 1024 (1024
of priming). A piece is therefore padded with room tone to ``n = M - 1152`` samples, ``M`` a
multiple of 9216 (the lcm of 1152 and 1024): its MP3 is then exactly ``M / 1152`` frames and its
AAC exactly ``M / 1024`` packets. Concatenating the frame streams and skipping the first
stream's delay once (LAME/Xing gapless info, an MP4 edit list) puts every chapter's first
sample at the sum of the previous spans ``M`` in both editions, so one timeline serves both,
and chapter times follow from the frame and packet counts. Between chapters 1152 samples
(26 ms) of codec padding and priming separate one chapter's room tone from the next's.
Measured: decoded, those 26 ms are near or exact digital silence inside the room tone (espeak-ng
at 64 kbps: the tone dips from about -76 to -92 dBFS; the fake engine, whose chapters get -7 dB,
decodes 440 zero samples, 10 ms). They sit inside the chapter's head pause (>= 750 ms) and the
timeline counts them; removing them would need per-join edit lists (M4B) or overlapping encodes,
which a frame-copied MP3 cannot carry.
"""

from __future__ import annotations

import json
import math
import random
import tempfile
import wave
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from narrate.artifacts import atomic_path, atomic_write, hash_parts
from narrate.audio.ffmpeg import Loudness, measure_loudness, measure_rms, parse_loudness, probe, run_ffmpeg
from narrate.errors import AudioError

OUT_RATE = 44100
SPAN_QUANTUM = 9216  # lcm(1152, 1024): a whole number of MP3 frames and of AAC packets
CODEC_GAP = 1152  # samples each encoder adds to a piece (see the module docstring)
CODEC_HEADROOM_DB = 1.0
_BLOCK_FRAMES = 32768
_VERSION = "chapter-piece/2"  # 2: the record holds the master's measured level
LIMITER_MARGIN_DB = 0.5  # the limiter's ceiling sits this far under ``master_peak_dbtp``
EXCERPT_S = 30  # seconds of a piece encoded to learn a codec's level offset


@dataclass(frozen=True)
class LoudnessTarget:
    integrated_lufs: float
    true_peak_dbtp: float
    head_ms: int = 750  # room tone before each chapter's first words (every profile)
    tail_ms: int = 0  # at least this much room tone after each chapter
    measure: str = "lufs"  # "lufs": EBU R128 integrated + true peak; "rms": ACX's RMS + sample peak

    @property
    def master_peak_dbtp(self) -> float:
        """The master's peak limit: lossy encoding (MP3/AAC at low bitrates) overshoots the
        master's true peak by up to about 1 dB, so the master keeps that much headroom.
        (ACX's limit already carries its own margin.)"""
        return self.true_peak_dbtp - (CODEC_HEADROOM_DB if self.measure == "lufs" else 0.0)

    def level(self, path: Path) -> Loudness:
        """The level to correct: integrated LUFS or, for ACX, RMS and sample peak."""
        return measure_loudness(path, true_peak=False) if self.measure == "lufs" else measure_rms(path)


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
class ChapterPiece:
    id: str
    key: str
    wav: Path
    frames: int  # mastered samples at OUT_RATE
    offsets: tuple[tuple[int, int], ...]  # each segment's (start, end) in the piece, OUT_RATE samples
    gain_db: float = 0.0
    limited: bool = False
    level_lufs: float | None = None  # the master's measured integrated loudness (LUFS targets)

    @property
    def span(self) -> int:
        """Samples from this chapter's start to the next chapter's start in a stitched edition."""
        return self.frames + CODEC_GAP


def padded_frames(content: int) -> int:
    """The piece length for ``content`` samples: room tone up to a whole span minus the codec gap."""
    return math.ceil((content + CODEC_GAP) / SPAN_QUANTUM) * SPAN_QUANTUM - CODEC_GAP


def piece_path(cache_dir: Path, key: str, suffix: str) -> Path:
    return cache_dir / "chapters" / key[:2] / f"{key}{suffix}"


# the editions' encodings (writers/mp3.py, writers/m4b.py, the read-along): what ``narrate clean`` keeps
KNOWN_ENCODINGS = (("mp3", "64k"), ("mp3", "192k"), ("aac", "64k"), ("aac", "128k"))


def piece_files(cache_dir: Path, key: str) -> set[Path]:
    """Every cache file that belongs to the piece ``key``: its WAV, its record, its encodings."""
    files = {piece_path(cache_dir, key, ".wav"), piece_path(cache_dir, key, ".json")}
    for codec, bitrate in KNOWN_ENCODINGS:
        encoding = _encoding_key(key, codec, bitrate)
        files |= {piece_path(cache_dir, encoding, _CODECS[codec][0]), piece_path(cache_dir, encoding, ".json")}
    return files


def _encoding_key(piece_key: str, codec: str, bitrate: str) -> str:
    return hash_parts(piece_key, codec, bitrate, "/2")


# ------------------------------------------------------------------ room tone


class RoomTone:
    """A ~-78 dBFS noise floor (before gain), deterministic, instead of digital silence."""

    def __init__(self, sample_rate: int):
        rng = random.Random(0x4ACC)
        self.sample_rate = sample_rate
        self.block = array("h", (round(rng.gauss(0.0, 4.0)) for _ in range(sample_rate))).tobytes()

    def frames_for_ms(self, ms: int) -> int:
        return (ms * self.sample_rate + 500) // 1000

    def write(self, wav: wave.Wave_write, frames: int) -> None:
        while frames > 0:
            count = min(frames, self.sample_rate)
            wav.writeframesraw(self.block[: 2 * count])
            frames -= count


def segment_frames(path: Path, sample_rate: int) -> int:
    """Frames of one cached sentence (0 for a silent one), checking its format."""
    if path == Path():
        return 0
    try:
        with wave.open(str(path), "rb") as src:
            _check_format(src, path, sample_rate)
            return src.getnframes()
    except (wave.Error, EOFError, OSError) as exc:
        raise AudioError(f"cannot read synthesized audio ({exc}); delete it to re-synthesize", path) from exc


def _check_format(src: wave.Wave_read, path: Path, sample_rate: int) -> None:
    if (src.getnchannels(), src.getsampwidth(), src.getframerate()) != (1, 2, sample_rate):
        raise AudioError(
            f"expected mono 16-bit audio at {sample_rate} Hz, found {src.getnchannels()} "
            f"channel(s), {8 * src.getsampwidth()} bits at {src.getframerate()} Hz",
            path,
        )


def _copy(wav: wave.Wave_write, path: Path, sample_rate: int) -> int:
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


def layout(plan: ChapterPlan, in_rate: int, target: LoudnessTarget, frames: Sequence[int]) -> tuple[
        list[tuple[int, int]], int]:
    """Each segment's (start, end) in input samples and the content length, head and pauses included."""
    tone = RoomTone(in_rate)
    position = tone.frames_for_ms(target.head_ms)
    spans = []
    for number, (count, pause) in enumerate(zip(frames, plan.pauses_ms, strict=True), 1):
        spans.append((position, position + count))
        if number == len(frames):
            pause = max(pause, target.tail_ms)
        position += count + tone.frames_for_ms(pause)
    return spans, position


def to_out(samples: int, in_rate: int) -> int:
    return (samples * OUT_RATE + in_rate // 2) // in_rate


def load_piece(plan: ChapterPlan, target: LoudnessTarget, in_rate: int, cache_dir: Path) -> ChapterPiece | None:
    """The cached piece for ``plan``, or None when it must be mastered."""
    key = plan.key(target, in_rate)
    wav, info = piece_path(cache_dir, key, ".wav"), piece_path(cache_dir, key, ".json")
    if not (wav.is_file() and info.is_file()):
        return None
    try:
        data = json.loads(info.read_text(encoding="utf-8"))
        offsets = tuple((int(a), int(b)) for a, b in data["offsets"])
        frames = int(data["frames"])
        if not _whole_wav(wav, frames):
            return None  # a truncated or damaged piece costs one re-master, never a short chapter
        level = data.get("level_lufs")
        return ChapterPiece(plan.id, key, wav, frames, offsets, float(data["gain_db"]), bool(data["limited"]),
                            None if level is None else float(level))
    except (OSError, ValueError, KeyError, TypeError, EOFError, wave.Error):
        return None  # a damaged record costs one re-master


def _whole_wav(path: Path, frames: int) -> bool:
    """The WAV holds the ``frames`` samples its record says, all of them on disk."""
    with wave.open(str(path), "rb") as wav:
        wanted = wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
        return wav.getnframes() == frames and path.stat().st_size >= wanted + 44


def master_piece(plan: ChapterPlan, target: LoudnessTarget, in_rate: int, cache_dir: Path,
                 work_dir: Path) -> ChapterPiece:
    """Assemble, measure and normalize one chapter into its cached piece (atomic)."""
    key = plan.key(target, in_rate)
    frames = [segment_frames(p, in_rate) for p in plan.paths]
    spans, content = layout(plan, in_rate, target, frames)
    out_frames = padded_frames(to_out(content, in_rate))
    raw = work_dir / f"{key}.raw.wav"
    work_dir.mkdir(parents=True, exist_ok=True)
    tone = RoomTone(in_rate)
    try:
        with atomic_path(raw) as tmp, wave.open(str(tmp), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(in_rate)
            position = 0
            for path, (start, end) in zip(plan.paths, spans, strict=True):
                tone.write(wav, start - position)
                if end > start:
                    _copy(wav, path, in_rate)
                position = end
            tone.write(wav, math.ceil(out_frames * in_rate / OUT_RATE) + 1 - position)
        wav_out = piece_path(cache_dir, key, ".wav")
        gain, limited, level = _normalize(raw, wav_out, in_rate, out_frames, target)
    finally:
        raw.unlink(missing_ok=True)
    offsets = tuple((to_out(a, in_rate), to_out(b, in_rate)) for a, b in spans)
    record = {"frames": out_frames, "offsets": offsets, "gain_db": round(gain, 3), "limited": limited,
              "level_lufs": level}
    atomic_write(piece_path(cache_dir, key, ".json"), json.dumps(record))
    return ChapterPiece(plan.id, key, wav_out, out_frames, offsets, gain, limited, level)


def _normalize(raw: Path, out: Path, in_rate: int, out_frames: int,
               target: LoudnessTarget) -> tuple[float, bool, float | None]:
    """Write ``out`` from ``raw`` at ``target``; return (gain in dB, limiter used, the master's
    measured integrated loudness for LUFS targets).

    When the limiter is needed it lowers loudness a little; one more pass with the shortfall
    added to the gain brings it back within ~0.3 LU. A LUFS master is measured in the same
    ffmpeg run that writes it (no second decode).
    """
    measured = target.level(raw)
    if measured.integrated_lufs <= -69.0:  # silence: nothing to normalize
        level = _apply(raw, out, in_rate, out_frames, target, 0.0, False)
        return 0.0, False, level
    gain = target.integrated_lufs - measured.integrated_lufs
    # LUFS targets always run the (oversampled) limiter: measuring true peak costs more
    # than limiting, and the limiter leaves anything under its ceiling untouched.
    limited = target.measure == "lufs" or measured.true_peak_dbtp + gain > target.master_peak_dbtp
    level = _apply(raw, out, in_rate, out_frames, target, gain, limited)
    if limited:
        reached = level if level is not None else target.level(out).integrated_lufs
        shortfall = target.integrated_lufs - reached
        if abs(shortfall) > 0.3:
            gain += shortfall
            level = _apply(raw, out, in_rate, out_frames, target, gain, limited)
    return gain, limited, level


def limiter(in_rate: int, ceiling_db: float) -> list[str]:
    ceiling = 10 ** (ceiling_db / 20)
    return [f"aresample={4 * in_rate}", f"alimiter=limit={ceiling:.5f}:level=0:latency=1:attack=2:release=80"]


def _apply(raw: Path, out: Path, in_rate: int, out_frames: int, target: LoudnessTarget, gain: float,
           limited: bool) -> float | None:
    """Write the master; for a LUFS target return its integrated loudness, measured on the way."""
    filters = [f"volume={gain:.3f}dB"]
    if limited:
        filters = [*filters, *limiter(in_rate, target.master_peak_dbtp - LIMITER_MARGIN_DB)]
    filters += [f"aresample={OUT_RATE}", f"apad=whole_len={out_frames}", f"atrim=end_sample={out_frames}"]
    measure = target.measure == "lufs"
    with atomic_path(out) as tmp:
        graph = ["-filter_complex", ",".join(filters) + ",asplit[o][m];[m]ebur128[n]", "-map", "[o]"] if measure \
            else ["-af", ",".join(filters)]
        lines = run_ffmpeg(["-y", "-i", str(raw), *graph, "-ac", "1", "-ar", str(OUT_RATE),
                            "-c:a", "pcm_s16le", "-bitexact", "-map_metadata", "-1", "-f", "wav", str(tmp),
                            *(["-map", "[n]", "-f", "null", "-"] if measure else [])],
                           what="normalize a chapter's loudness", path=out)
    return parse_loudness(lines, out).integrated_lufs if measure else None


# ------------------------------------------------------------------ encodings

_CODECS = {
    "mp3": (".mp3", 1152, ["-c:a", "libmp3lame", "-write_xing", "1", "-f", "mp3"]),
    "aac": (".aac", 1024, ["-c:a", "aac", "-aac_coder", "fast", "-f", "adts"]),
}
COMPENSATE_ABOVE_LU = 0.1


@dataclass(frozen=True)
class Encoded:
    path: Path
    packets: int  # MP3 frames or AAC packets (audio only; the Xing frame is not counted)
    samples_per_packet: int
    compensation_db: float = 0.0  # gain added for this codec to land on the target


def encode_piece(piece: ChapterPiece, codec: str, bitrate: str, target: LoudnessTarget,
                 cache_dir: Path) -> Encoded:
    """``piece`` encoded as ``codec`` at ``bitrate``, cached; level-compensated for the codec.

    Each codec changes level differently (LAME loses ~0.4 LU on speech, ffmpeg's AAC ~0.1), so a
    LUFS piece is encoded once with ``codec_offset`` (learned on an excerpt of the piece itself:
    a function of the piece alone, so an incremental build equals a clean one) and the master's
    own distance from the target added. A gain within the limiter's margin is applied as it is;
    a larger one goes through the limiter, so the peak ceiling holds.
    """
    suffix, per_packet, args = _CODECS[codec]
    key = _encoding_key(piece.key, codec, bitrate)
    out, info = piece_path(cache_dir, key, suffix), piece_path(cache_dir, key, ".json")
    if out.is_file() and info.is_file():
        try:
            data = json.loads(info.read_text(encoding="utf-8"))
            return Encoded(out, int(data["packets"]), per_packet, float(data["compensation_db"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    compensation = 0.0
    if target.measure == "lufs":
        level = piece.level_lufs if piece.level_lufs is not None else \
            measure_loudness(piece.wav, true_peak=False).integrated_lufs
        if level > -69.0:
            wanted = target.integrated_lufs - level - codec_offset(piece, codec, bitrate)
            compensation = round(wanted, 2) if abs(wanted) > COMPENSATE_ABOVE_LU else 0.0
    _encode(piece, out, args, bitrate, compensation, target)
    packets = _count_packets(out)
    if packets * per_packet != piece.span:
        raise AudioError(f"expected {piece.span // per_packet} {codec} packets for chapter {piece.id!r}, "
                         f"the encoder wrote {packets}", out)
    atomic_write(info, json.dumps({"packets": packets, "compensation_db": compensation}))
    return Encoded(out, packets, per_packet, compensation)


def codec_offset(piece: ChapterPiece, codec: str, bitrate: str) -> float:
    """The level (LU) ``codec`` at ``bitrate`` adds to ``piece`` (negative: it loses level),
    measured on at most ``EXCERPT_S`` seconds from the piece's middle: the excerpt is encoded
    and measured in the same ffmpeg run, then its encoding is measured."""
    suffix, _, args = _CODECS[codec]
    length = min(piece.frames, EXCERPT_S * OUT_RATE)
    start = (piece.frames - length) // 2
    with tempfile.TemporaryDirectory(prefix="narrate-codec-") as scratch:
        sample = Path(scratch) / f"excerpt{suffix}"
        lines = run_ffmpeg(["-y", "-i", str(piece.wav), "-filter_complex",
                            f"atrim=start_sample={start}:end_sample={start + length},asplit[e][m];[m]ebur128[n]",
                            "-map", "[e]", "-ac", "1", "-ar", str(OUT_RATE), "-b:a", bitrate, "-map_metadata", "-1",
                            *args, "-bitexact", str(sample), "-map", "[n]", "-f", "null", "-"],
                           what=f"learn the {codec} level of chapter {piece.id!r}", path=piece.wav)
        before = parse_loudness(lines, piece.wav).integrated_lufs
        after = measure_loudness(sample, true_peak=False).integrated_lufs
    if before <= -69.0 or after <= -69.0:
        return 0.0  # too quiet to tell (an excerpt of room tone): no compensation
    return after - before


def _encode(piece: ChapterPiece, out: Path, args: list[str], bitrate: str, compensation: float,
            target: LoudnessTarget) -> None:
    filters = []
    if compensation:
        boost = [f"volume={compensation:.2f}dB"]
        if compensation > LIMITER_MARGIN_DB:  # past the master's headroom: limit again
            boost += [*limiter(OUT_RATE, target.master_peak_dbtp - LIMITER_MARGIN_DB), f"aresample={OUT_RATE}"]
        filters = ["-af", ",".join([*boost, f"apad=whole_len={piece.frames}", f"atrim=end_sample={piece.frames}"])]
    with atomic_path(out) as tmp:
        run_ffmpeg(["-y", "-i", str(piece.wav), *filters, "-ac", "1", "-ar", str(OUT_RATE), "-b:a", bitrate,
                    "-map_metadata", "-1", *args, "-bitexact", str(tmp)],
                   what=f"encode chapter {piece.id!r}", path=out)


def _count_packets(path: Path) -> int:
    data = probe(path, "stream=nb_read_packets", count_packets=True)
    streams = data.get("streams") or [{}]
    try:
        return int(streams[0]["nb_read_packets"])
    except (KeyError, ValueError) as exc:
        raise AudioError("ffprobe cannot count the audio packets", path) from exc
