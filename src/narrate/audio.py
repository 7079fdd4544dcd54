"""Synthesized segments → one loudness-normalized master WAV and its ``Timeline``.

``render()`` runs three streaming steps, so memory does not grow with book length:

1. synthesis per ``Segment`` through the content-addressed cache (``audio_synth``);
2. assembly: each cached WAV is copied in 64 KiB blocks, with the pauses, into one raw
   WAV; the ``Timeline`` is counted from those sample counts (exact, integer ms);
3. loudness: ffmpeg's ``ebur128`` measures integrated loudness and true peak, then one
   ffmpeg pass applies the gain (and, only if the peaks need it, a 4x-oversampled
   limiter that keeps the true peak under the ceiling). Targets: ``default`` -19 LUFS,
   -1.5 dBTP at the voice's rate; ``acx`` measures as ACX does (unweighted RMS over the
   file, sample peak) and aims at RMS -20.5 dB (ACX: -23…-18), peaks ≤ -3.5 dB, 44.1 kHz;
   each chapter opens with 0.75 s and ends with ≥ 2 s of room tone (a ~-78 dBFS noise
   floor before gain rather than digital silence; ACX: ≤ -60 dB).

``chapter_audio()`` cuts one chapter from the master (MP3, AAC or WAV) so per-chapter
clips (EPUB media overlays) line up with the timeline.
"""

from __future__ import annotations

import os
import random
import wave
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from narrate.artifacts import atomic_path
from narrate.audio_ffmpeg import Loudness, measure_loudness, measure_rms, run_ffmpeg
from narrate.audio_synth import Progress, synthesize_missing
from narrate.audio_timeline import Rendered, Timeline, TimelineBuilder
from narrate.errors import AudioError
from narrate.speech.engines import Engine
from narrate.speech.script import Script
from narrate.speech.voices import VoiceProfile

__all__ = ["LoudnessTarget", "Rendered", "Timeline", "TARGETS", "chapter_audio", "render"]

_BLOCK_FRAMES = 32768
CODEC_HEADROOM_DB = 1.0


@dataclass(frozen=True)
class LoudnessTarget:
    integrated_lufs: float
    true_peak_dbtp: float
    sample_rate: int | None  # None: keep the engine's rate
    head_ms: int = 0  # room tone before each chapter
    tail_ms: int = 0  # at least this much room tone after each chapter
    room_tone: bool = False  # low noise instead of digital silence
    measure: str = "lufs"  # "lufs": EBU R128 integrated + true peak; "rms": ACX's RMS + sample peak

    @property
    def master_peak_dbtp(self) -> float:
        """The master's peak limit: lossy encoding (MP3/AAC at low bitrates) overshoots the
        master's true peak by up to about 1 dB, so the master keeps that much headroom.
        (ACX's limit already carries its own margin.)"""
        return self.true_peak_dbtp - (CODEC_HEADROOM_DB if self.measure == "lufs" else 0.0)

    def level(self, path: Path) -> Loudness:
        """The level to correct: integrated LUFS (its peak is not measured: the limiter always
        runs and holds it) or, for ACX, RMS and sample peak."""
        return measure_loudness(path, true_peak=False) if self.measure == "lufs" else measure_rms(path)


TARGETS = {
    "default": LoudnessTarget(-19.0, -1.5, None),
    "acx": LoudnessTarget(-20.5, -3.5, 44100, head_ms=750, tail_ms=2000, room_tone=True, measure="rms"),
}


def render(
    script: Script,
    profile: VoiceProfile,
    engine: Engine,
    *,
    cache_dir: Path,
    work_dir: Path,
    jobs: int = 1,
    progress: Progress | None = None,
    parts: Mapping[str, tuple[VoiceProfile, Engine]] | None = None,
) -> Rendered:
    """Synthesize (cached), assemble and normalize ``script`` into ``work_dir/<slug>.wav``.

    ``parts`` maps a language to the voice that speaks the script's segments in that language
    (``Segment.language``, a passage marked ``{lang=fr}``); other segments use ``engine``.

    ``progress(stage, done, total)`` is called with stage ``synthesize``, ``assemble``
    and ``loudness``.
    """
    target = TARGETS.get(profile.loudness)
    if target is None:
        raise AudioError(f"voice {profile.name!r}: unknown loudness {profile.loudness!r}", profile.source)
    segments = list(script.segments())
    own = {lang for lang in (parts or {})}
    texts = [s.spoken if s.language not in own else "" for s in segments]
    paths, synthesized = synthesize_missing(texts, engine, profile, cache_dir, jobs=jobs, progress=progress)
    for lang, (part_profile, part_engine) in (parts or {}).items():
        if part_engine.sample_rate != engine.sample_rate:
            raise AudioError(f"voice {part_profile.name!r} for the {lang!r} parts speaks at "
                             f"{part_engine.sample_rate} Hz, the publication's voice {profile.name!r} at "
                             f"{engine.sample_rate} Hz; choose voices with the same sample rate", part_profile.source)
        part_texts = [s.spoken if s.language == lang else "" for s in segments]
        part_paths, made = synthesize_missing(part_texts, part_engine, part_profile, cache_dir, jobs=jobs,
                                              progress=progress)
        paths = [p if s.language == lang else q for s, p, q in zip(segments, part_paths, paths, strict=True)]
        synthesized += made
    work_dir.mkdir(parents=True, exist_ok=True)
    raw = work_dir / f"{script.slug}.raw.wav"
    master = work_dir / f"{script.slug}.wav"
    try:
        timeline, frames = _assemble(script, paths, engine.sample_rate, raw, target, progress)
        if progress:
            progress("loudness", 0, 1)
        out_rate = target.sample_rate or engine.sample_rate
        gain, limited = _normalize(raw, master, engine.sample_rate, out_rate, frames, target)
        if progress:
            progress("loudness", 1, 1)
    finally:
        raw.unlink(missing_ok=True)
    return Rendered(master, out_rate, timeline, synthesized, profile.loudness, gain, limited)


# -------------------------------------------------------------------- assembly


class _Writer:
    """Streams frames into a mono 16-bit WAV; silence is zeros or room tone."""

    def __init__(self, wav: wave.Wave_write, sample_rate: int, room_tone: bool):
        self.wav = wav
        self.sample_rate = sample_rate
        if room_tone:
            rng = random.Random(0x4ACC)
            self.silence = array("h", (round(rng.gauss(0.0, 4.0)) for _ in range(sample_rate))).tobytes()
        else:
            self.silence = bytes(2 * sample_rate)

    def frames_for_ms(self, ms: int) -> int:
        return (ms * self.sample_rate + 500) // 1000

    def write_silence(self, frames: int) -> None:
        while frames > 0:
            count = min(frames, self.sample_rate)
            self.wav.writeframesraw(self.silence[: 2 * count])
            frames -= count

    def copy(self, path: Path) -> int:
        try:
            with wave.open(str(path), "rb") as src:
                if (src.getnchannels(), src.getsampwidth(), src.getframerate()) != (1, 2, self.sample_rate):
                    raise AudioError(
                        f"expected mono 16-bit audio at {self.sample_rate} Hz, found {src.getnchannels()} "
                        f"channel(s), {8 * src.getsampwidth()} bits at {src.getframerate()} Hz",
                        path,
                    )
                total = src.getnframes()
                while block := src.readframes(_BLOCK_FRAMES):
                    self.wav.writeframesraw(block)
                return total
        except (wave.Error, EOFError, OSError) as exc:
            raise AudioError(
                f"cannot read synthesized audio ({exc}); delete it to re-synthesize", path
            ) from exc


def _assemble(
    script: Script,
    paths: Sequence[Path],
    sample_rate: int,
    raw: Path,
    target: LoudnessTarget,
    progress: Progress | None,
) -> tuple[Timeline, int]:
    builder = TimelineBuilder(sample_rate)
    total = len(paths)
    index = 0
    with atomic_path(raw) as tmp, wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        writer = _Writer(wav, sample_rate, target.room_tone)
        for chapter in script.chapters:
            builder.start_chapter(chapter.id, chapter.title)
            head = writer.frames_for_ms(target.head_ms)
            writer.write_silence(head)
            builder.add_silence(head)
            for number, segment in enumerate(chapter.segments, 1):
                path = paths[index]
                index += 1
                frames = writer.copy(path) if segment.spoken.strip() else 0
                builder.add_segment(segment.id, segment.block_id, segment.text, frames)
                pause = segment.pause_after_ms
                if number == len(chapter.segments):
                    pause = max(pause, target.tail_ms)
                writer.write_silence(writer.frames_for_ms(pause))
                builder.add_silence(writer.frames_for_ms(pause))
                if progress and (index % 200 == 0 or index == total):
                    progress("assemble", index, total)
    return builder.build(), builder.samples


# -------------------------------------------------------------------- loudness


def _normalize(
    raw: Path, master: Path, in_rate: int, out_rate: int, frames: int, target: LoudnessTarget
) -> tuple[float, bool]:
    """Write ``master`` from ``raw`` at ``target``; return (gain in dB, limiter used).

    When the limiter is needed it lowers loudness a little; one more measured pass with
    the shortfall added to the gain brings it back within ~0.3 LU.
    """
    measured = target.level(raw)
    if measured.integrated_lufs <= -69.0:  # silence: nothing to normalize
        _apply(raw, master, in_rate, out_rate, frames, target, 0.0, False)
        return 0.0, False
    gain = target.integrated_lufs - measured.integrated_lufs
    # LUFS targets always run the (oversampled) limiter: measuring true peak costs more
    # than limiting, and the limiter leaves anything under its ceiling untouched.
    limited = target.measure == "lufs" or measured.true_peak_dbtp + gain > target.master_peak_dbtp
    _apply(raw, master, in_rate, out_rate, frames, target, gain, limited)
    if limited:
        shortfall = target.integrated_lufs - target.level(master).integrated_lufs
        if abs(shortfall) > 0.3:
            gain += shortfall
            _apply(raw, master, in_rate, out_rate, frames, target, gain, limited)
    return gain, limited


def _apply(
    raw: Path,
    master: Path,
    in_rate: int,
    out_rate: int,
    frames: int,
    target: LoudnessTarget,
    gain: float,
    limited: bool,
) -> None:
    filters = [f"volume={gain:.3f}dB"]
    if limited:
        ceiling = 10 ** ((target.master_peak_dbtp - 0.5) / 20)
        filters = [
            f"aresample={4 * in_rate}",
            *filters,
            f"alimiter=limit={ceiling:.5f}:level=0:latency=1:attack=2:release=80",
        ]
    out_frames = (frames * out_rate + in_rate // 2) // in_rate
    filters += [f"aresample={out_rate}", f"apad=whole_len={out_frames}", f"atrim=end_sample={out_frames}"]
    with atomic_path(master) as tmp:
        run_ffmpeg(
            [
                "-y",
                "-i",
                str(raw),
                "-af",
                ",".join(filters),
                "-ac",
                "1",
                "-ar",
                str(out_rate),
                "-c:a",
                "pcm_s16le",
                "-bitexact",
                "-map_metadata",
                "-1",
                "-f",
                "wav",
                str(tmp),
            ],
            what="normalize loudness",
            path=master,
        )


# ------------------------------------------------------------------- chapters

_CODECS = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "{bitrate}", "-f", "mp3", "-write_id3v2", "0"],
    "m4a": ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "{bitrate}", "-f", "ipod"],
    "wav": ["-c:a", "pcm_s16le", "-f", "wav"],
}


def chapter_audio(
    rendered: Rendered, chapter_id: str, out: Path, fmt: str = "mp3", bitrate: str = "64k"
) -> Path:
    """Cut chapter ``chapter_id`` of the master to ``out`` (``fmt``: mp3, m4a or wav), atomically.

    Clip times inside the file are the timeline's times minus the chapter's ``start_ms``.
    """
    try:
        chapter = rendered.timeline.chapter(chapter_id)
    except KeyError as exc:
        raise AudioError(f"no chapter {chapter_id!r} in the narration", out) from exc
    return range_audio(rendered, chapter.start_ms, chapter.end_ms, out, fmt, bitrate, what=f"chapter {chapter_id!r}")


def range_audio(
    rendered: Rendered, start_ms: int, end_ms: int, out: Path, fmt: str = "mp3", bitrate: str = "64k",
    *, what: str = "a range",
) -> Path:
    """Cut [start_ms, end_ms) of the master to ``out``, atomically (sample-exact start and length)."""
    if fmt not in _CODECS:
        raise AudioError(f"expected a chapter format among {', '.join(_CODECS)}, found {fmt!r}", out)
    rate = rendered.sample_rate
    start = (start_ms * rate + 500) // 1000
    count = (end_ms * rate + 500) // 1000 - start
    codec = [part.format(bitrate=bitrate) for part in _CODECS[fmt]]
    with atomic_path(out) as tmp:
        run_ffmpeg(
            ["-y", "-ss", f"{start / rate:.6f}", "-i", str(rendered.master), "-af", f"atrim=end_sample={count}",
             "-ac", "1", "-map_metadata", "-1", *codec, "-bitexact", str(tmp)],
            what=f"cut {what}",
            path=out,
        )
    return out


def remove_partial(work_dir: Path) -> None:
    """Remove temporary files a killed render may have left in ``work_dir``."""
    for leftover in work_dir.glob(".*.tmp"):
        os.unlink(leftover)
