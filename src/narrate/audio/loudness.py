"""Momentary loudness measured in-process, with libebur128 (through pyebur128).

A chapter's blocks are measured twice each (raw, to find the gain, and mastered, to check it),
and most are short: a batch of articles has blocks of about thirty seconds. Starting ffmpeg
costs about 0.07 CPU-s, and its ebur128 filter only works at 48 kHz, so each run also
resamples: two minutes of speech took 0.15 CPU-s to measure in an ffmpeg run, 0.05 s here
(measured). libebur128 is the reference implementation of EBU R128; it applies the K-weighting
at the file's own rate. On the same audio the integrated loudness gated from its values is
ffmpeg's within 0.01 LU (``tests/test_loudness.py``).
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pyebur128

from narrate.errors import AudioError

STEPS_PER_S = 10  # a value every 100 ms, as ffmpeg's ebur128 reports, each over the last 400 ms:
WINDOW_STEPS = 4  # the first three cover less than a whole window (no gating block): reported as silence
FLOOR_LUFS = -120.0  # silence (libebur128 says -inf); far under the -70 LUFS absolute gate
_CHUNK_STEPS = 10  # 100 ms steps read at a time (a second): memory stays flat however long the file


def momentary(path: Path) -> list[float]:
    """The momentary loudness (LUFS, 400 ms windows) of a 16-bit PCM WAV every 100 ms, rounded
    to 0.001: one value per whole 100 ms, as ffmpeg's ebur128 reports them (the first three,
    before a whole 400 ms window, at ``FLOOR_LUFS``: the gating ignores them)."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise AudioError(f"expected 16-bit PCM to measure, found {8 * wav.getsampwidth()}-bit", path)
            rate, channels = wav.getframerate(), wav.getnchannels()
            state = pyebur128.R128State(channels, rate, pyebur128.MeasurementMode.MODE_M)
            values: list[float] = []
            fed, step = 0, 1  # frames given to libebur128; the next value's number
            while chunk := wav.readframes(rate * _CHUNK_STEPS // STEPS_PER_S):
                samples = np.frombuffer(chunk, dtype="<i2").astype(np.float64)
                samples *= 1 / 32768
                end, start = fed + len(samples) // channels, fed
                while (boundary := step * rate // STEPS_PER_S) <= end:
                    _add(state, samples, start - fed, boundary - fed, channels)
                    value = pyebur128.get_loudness_momentary(state) if step >= WINDOW_STEPS else FLOOR_LUFS
                    values.append(max(round(value, 3), FLOOR_LUFS))
                    start, step = boundary, step + 1
                _add(state, samples, start - fed, end - fed, channels)
                fed = end
    except (OSError, EOFError, wave.Error) as exc:
        raise AudioError(f"cannot measure the loudness of this audio: {exc}", path) from exc
    return values


def _add(state: pyebur128.R128State, samples: np.ndarray, first: int, last: int, channels: int) -> None:
    if last > first:
        state.add_frames(np.ascontiguousarray(samples[first * channels:last * channels]), last - first)
