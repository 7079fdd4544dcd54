"""A deterministic stand-in engine for tests: speech-like noise, 60 ms per character.

The noise is seeded from a hash of the text and shaped by a ~4 Hz "syllable" envelope,
so loudness measurement behaves roughly as on speech. ``calls`` counts syntheses in
this process (tests use it to check the cache).
"""

from __future__ import annotations

import hashlib
import math
import random
from pathlib import Path

import numpy as np

from narrate.speech.engines import atomic_wav
from narrate.speech.voices import VoiceProfile

MS_PER_CHAR = 60
SAMPLE_RATE = 22050
_BLOCK = 2205  # 100 ms of noise, reused with different gains


class FakeEngine:
    name = "fake"
    sample_rate = SAMPLE_RATE
    calls = 0  # class-wide counter of synthesize() calls in this process

    def __init__(self, profile: VoiceProfile):
        self.profile = profile

    def cache_key(self) -> str:
        return f"fake;v1;rate={self.profile.rate};model={self.profile.model}"

    @staticmethod
    def frames_for(text: str, rate: float = 1.0) -> int:
        return round(len(text) * MS_PER_CHAR / rate * SAMPLE_RATE / 1000)

    def synthesize(self, text: str, out_wav: Path) -> None:
        FakeEngine.calls += 1
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
        rng = random.Random(seed)
        block = np.array([rng.gauss(0.0, 0.25) for _ in range(_BLOCK)])
        total = self.frames_for(text, self.profile.rate)
        chunks = []
        for start in range(0, total, _BLOCK):
            count = min(_BLOCK, total - start)
            t = start / SAMPLE_RATE
            gain = 0.35 + 0.65 * abs(math.sin(math.pi * 4.0 * t + seed % 7))
            offset = rng.randrange(_BLOCK)
            # the same doubles as (32767 * gain) * sample, truncated toward zero and clipped, per sample
            values = (32767 * gain) * block[(offset + np.arange(count)) % _BLOCK]
            chunks.append(np.clip(np.trunc(values), -32767, 32767).astype("<i2"))
        samples = np.concatenate(chunks) if chunks else np.zeros(0, "<i2")
        with atomic_wav(out_wav, SAMPLE_RATE) as wav:
            wav.writeframes(samples.tobytes())
