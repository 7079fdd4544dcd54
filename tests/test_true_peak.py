"""The in-process true peak (``loudness.true_peak_dbtp``, issue 31): the samples it looks between
are found without sorting, and it measures exactly what the sorted set (``np.unique``) gave."""

from __future__ import annotations

import math

import numpy as np
import pytest

from narrate.audio import loudness
from narrate.audio.loudness import _HALF, _NEAR_PEAK, _PHASES, _TAPS, true_peak_dbtp


def reference(samples: np.ndarray) -> float:
    """The measurement as it was first written: every neighbourhood's indices sorted with np.unique."""
    magnitude = np.abs(samples)
    peak = float(magnitude.max(initial=0.0))
    if peak <= 0.0:
        return -math.inf
    near = np.flatnonzero(magnitude >= peak * _NEAR_PEAK)
    around = np.unique((near[:, None] + np.arange(-_HALF, _HALF + 1)[None, :]).ravel())
    around = around[(around >= _HALF) & (around < len(samples) - _HALF)]
    if around.size:
        peak = max(peak, float(np.abs(samples[around[:, None] + _TAPS[None, :]] @ _PHASES).max()))
    return 20 * math.log10(peak)


@pytest.mark.parametrize("seed", range(40))
def test_the_same_figure_as_the_sorted_neighbourhoods(seed):
    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 5000))
    samples = rng.standard_normal(count) * rng.uniform(0.01, 0.3)
    if seed % 2:
        samples[rng.integers(0, count, 6)] = rng.choice([-1, 1], 6) * 0.99  # peaks, some at the edges
    if seed % 5 == 0:
        samples[:3] = 0.999
        samples[-2:] = -0.999
    assert true_peak_dbtp(samples) == reference(samples)


def test_an_intersample_peak_is_found():
    """A full-scale sine at a quarter of the rate, sampled 45 degrees off its crests: every sample
    is at 0.707, the true peak is 0 dBTP (3 dB above the samples)."""
    samples = np.sin(2 * np.pi * 0.25 * np.arange(4000) + np.pi / 4)
    assert 20 * math.log10(np.abs(samples).max()) == pytest.approx(-3.01, abs=0.01)
    assert true_peak_dbtp(samples) == pytest.approx(0.0, abs=0.1)
    assert true_peak_dbtp(samples) == reference(samples)


def test_the_neighbourhoods_are_each_index_once_in_order():
    near = np.array([0, 3, 10, 50, 97, 99])
    got = loudness._around(near, 100)
    wanted = np.unique((near[:, None] + np.arange(-_HALF, _HALF + 1)[None, :]).ravel())
    wanted = wanted[(wanted >= _HALF) & (wanted < 100 - _HALF)]
    assert got.tolist() == wanted.tolist()
    assert loudness._around(np.array([2]), 5).size == 0  # no whole window fits in five samples


def test_silence_has_no_peak():
    assert true_peak_dbtp(np.zeros(100)) == -math.inf
