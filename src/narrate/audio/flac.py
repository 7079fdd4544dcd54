"""Sentence audio stored losslessly compressed: FLAC, read and written in-process (libsndfile).

The sentence cache (``audio_synth``) holds each sentence as 16-bit mono FLAC: about half a
WAV's size (measured: ``benchmarks/RESULTS.md``), so the cache, and what a cluster sends back
and forth, shrinks. FLAC is lossless, so the PCM read back is the PCM the engine wrote, and a
chapter mastered from it is byte for byte the chapter mastered from the WAV. Reading a sentence
is one libsndfile call (no ffmpeg process per sentence). libsndfile's FLAC encoder writes the
same bytes for the same samples (no dates, no random ids), so cache files are reproducible too.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import soundfile

from narrate.artifacts import atomic_path
from narrate.errors import AudioError

SUFFIX = ".flac"
_FORMAT = {"format": "FLAC", "subtype": "PCM_16"}


def _write(sink: str | io.BytesIO, pcm: bytes, rate: int) -> None:
    if not pcm:  # libsndfile writes no readable FLAC without a frame: an empty sentence is a WAV
        with wave.open(sink, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
        return
    with soundfile.SoundFile(sink, "w", rate, 1, **_FORMAT) as out:
        out.buffer_write(pcm, dtype="int16")


def write(out: Path, pcm: bytes, rate: int) -> None:
    """Mono 16-bit little-endian ``pcm`` at ``rate`` Hz as a FLAC file at ``out``, atomically."""
    with atomic_path(out) as tmp:
        _write(str(tmp), pcm, rate)


def encode(pcm: bytes, rate: int) -> bytes:
    """``pcm`` (mono 16-bit) as FLAC bytes: what a cluster worker sends back."""
    sink = io.BytesIO()
    _write(sink, pcm, rate)
    return sink.getvalue()


def from_wav(wav: Path) -> tuple[bytes, int]:
    """A mono 16-bit WAV's samples and rate (what an engine wrote), checked."""
    try:
        with wave.open(str(wav), "rb") as src:
            if (src.getnchannels(), src.getsampwidth()) != (1, 2):
                raise AudioError(f"expected mono 16-bit audio, found {src.getnchannels()} channel(s) of "
                                 f"{8 * src.getsampwidth()} bits", wav)
            return src.readframes(src.getnframes()), src.getframerate()
    except (wave.Error, EOFError, OSError) as exc:
        raise AudioError(f"cannot read synthesized audio ({exc})", wav) from exc


def sentence_pcm(path: Path, rate: int) -> bytes:
    """A cached sentence's samples as mono 16-bit PCM at ``rate`` Hz: FLAC (or the empty WAV kept
    under a FLAC's name) through libsndfile, anything else as a WAV; an AudioError otherwise."""
    if path.suffix == SUFFIX:
        return read(path, rate)
    pcm, found = from_wav(path)
    if found != rate:
        raise AudioError(f"expected mono 16-bit audio at {rate} Hz, found {found} Hz", path)
    return pcm


def wav_to_flac(wav: Path, out: Path) -> None:
    """The WAV ``wav`` stored as FLAC at ``out`` (atomically)."""
    pcm, rate = from_wav(wav)
    write(out, pcm, rate)


def info(path: Path) -> tuple[int, int, int, str]:
    """(frames, rate, channels, subtype) from the FLAC's header; an AudioError if unreadable."""
    try:
        found = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError, OSError) as exc:
        raise AudioError(f"cannot read synthesized audio ({exc}); delete it to re-synthesize", path) from exc
    return found.frames, found.samplerate, found.channels, found.subtype


def check(path: Path, rate: int) -> int:
    """Frames of the mono 16-bit FLAC ``path`` at ``rate`` Hz; an AudioError for anything else."""
    frames, found_rate, channels, subtype = info(path)
    if (channels, subtype, found_rate) != (1, "PCM_16", rate):
        raise AudioError(f"expected mono 16-bit audio at {rate} Hz, found {channels} channel(s), {subtype} at "
                         f"{found_rate} Hz", path)
    return frames


def read(path: Path, rate: int) -> bytes:
    """The samples of ``path`` (checked as ``check`` does) as mono 16-bit little-endian PCM."""
    frames = check(path, rate)
    try:
        with soundfile.SoundFile(str(path)) as src:
            pcm = bytes(src.buffer_read(frames, dtype="int16"))
    except (soundfile.LibsndfileError, RuntimeError, OSError) as exc:
        raise AudioError(f"cannot read synthesized audio ({exc}); delete it to re-synthesize", path) from exc
    if len(pcm) != 2 * frames:
        raise AudioError(f"expected {frames} samples, decoded {len(pcm) // 2}; delete it to re-synthesize", path)
    return pcm


def complete(path: Path) -> bool:
    """Can the last sample of ``path`` be decoded? (A cut-short FLAC fails there.) An empty
    sentence (a WAV with no frame, see ``write``) is complete too."""
    try:
        with soundfile.SoundFile(str(path)) as src:
            if src.frames <= 0:
                return src.format == "WAV"
            src.seek(src.frames - 1)
            return len(src.buffer_read(1, dtype="int16")) == 2
    except (soundfile.LibsndfileError, RuntimeError, OSError, ValueError):
        return False


def decode(path: Path) -> np.ndarray:
    """Every sample of a compressed file libsndfile reads (FLAC, and MP3 through its mpg123) as
    float64 in [-1, 1], channels interleaved: what ``loudness.true_peak_dbtp`` measures an
    encoding on without an ffmpeg run."""
    try:
        samples, _ = soundfile.read(str(path), dtype="float64", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, OSError) as exc:
        raise AudioError(f"cannot decode this audio ({exc})", path) from exc
    return samples.reshape(-1)
