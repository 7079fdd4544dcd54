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

import math
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


# True peak: each sample's neighbourhood (``_TAPS`` samples) interpolated at the three points a
# quarter, a half and three quarters of a sample after it (4x oversampling, as BS.1770 asks) by a
# Hann-windowed sinc. Measured on twelve 64 kbps MP3 blocks (63-143 s), the figure is within
# 0.04 dB of ffmpeg's ebur128 (which reports 0.1 dB steps) and of libebur128's; it takes under a
# third of the CPU of an ffmpeg run, which resamples everything to 192 kHz.
_HALF = 8
_TAPS = np.arange(-_HALF + 1, _HALF + 1)  # a window x[i-7 .. i+8] around the interval after x[i]
_PHASES = np.array([np.sinc(p / 4 - _TAPS) * (0.5 + 0.5 * np.cos(np.pi * (p / 4 - _TAPS) / (_HALF + 0.5)))
                    for p in (1, 2, 3)]).T
_NEAR_PEAK = 10 ** (-4 / 20)  # only samples within 4 dB of the sample peak are looked between


def true_peak_dbtp(samples: np.ndarray) -> float:
    """The true peak (dBTP) of mono ``samples`` (floats, full scale 1.0).

    Only around samples within 4 dB of the sample peak: an intersample peak sits between samples
    of about its size (more than 4 dB over all of its 16 neighbours takes content near half the
    sample rate at full level, which the encoders measured here low-pass away)."""
    magnitude = np.abs(samples)
    peak = float(magnitude.max(initial=0.0))
    if peak <= 0.0:
        return -math.inf
    around = _around(np.flatnonzero(magnitude >= peak * _NEAR_PEAK), len(samples))
    if around.size:
        peak = max(peak, float(np.abs(samples[around[:, None] + _TAPS[None, :]] @ _PHASES).max()))
    return 20 * math.log10(peak)


def _around(near: np.ndarray, count: int) -> np.ndarray:
    """Every index within ``_HALF`` of one of ``near`` (sorted, each once) whose whole window
    (``_TAPS``) lies inside the ``count`` samples. Marked in a mask, one pass per offset: the set a
    sort of all ``near + offset`` (``np.unique``) gives, without sorting a few million indices (a
    limited master has a few percent of its samples within 4 dB of its peak: sorting them took
    three quarters of a three-minute block's measurement)."""
    mask = np.zeros(count, dtype=bool)
    for offset in range(-_HALF, _HALF + 1):
        first, end = np.searchsorted(near, (-offset, count - offset))  # ``near`` is sorted
        mask[near[first:end] + offset] = True
    mask[:_HALF] = False
    mask[max(count - _HALF, 0):] = False
    return np.flatnonzero(mask)
