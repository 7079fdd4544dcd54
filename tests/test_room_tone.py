"""Issue 28: room tone under every pause, whatever the engine, and at one level.

espeak-ng's sentences hold exact digital zeros in their pauses (the German edition was 8.5 % zeros
in the MP3, 13.4 % in the M4B, 58 runs over 100 ms), and a room tone written before the chapter's
gain fell below -85 dBFS wherever the gain was negative, where the encoders then zeroed it. The
engine here does what espeak-ng does (speech-like noise, exact zeros between words), once loud and
once quiet (the chapters get opposite gains); the editions are decoded and measured."""

from __future__ import annotations

import subprocess
from array import array
from pathlib import Path

import numpy as np
import pytest
from conftest_audio import FAKE, make_script

from narrate.audio.master import render
from narrate.speech.engines import atomic_wav
from narrate.speech.fake import SAMPLE_RATE, FakeEngine
from narrate.writers import AudioMeta
from narrate.writers.m4b import write_m4b
from narrate.writers.mp3 import write_mp3

RATE = 44100
WINDOW = RATE // 20  # 50 ms


class Gappy(FakeEngine):
    """Noise "words" of 250 ms with 150 ms of exact digital silence after each (as espeak-ng's pauses)."""

    def __init__(self, profile, level: float):
        super().__init__(profile)
        self.level = level

    def cache_key(self) -> str:
        return f"gappy;v1;{self.level}"

    def synthesize(self, text: str, out_wav: Path) -> None:
        rng = np.random.default_rng(len(text))
        count = self.frames_for(text)
        word = SAMPLE_RATE * 400 // 1000
        noise = rng.normal(0.0, self.level, count)
        noise[(np.arange(count) % word) >= SAMPLE_RATE * 250 // 1000] = 0.0
        samples = array("h", np.clip(noise * 32767, -32767, 32767).astype(np.int16).tobytes())
        with atomic_wav(out_wav, SAMPLE_RATE) as wav:
            wav.writeframes(samples.tobytes())


def decoded(path: Path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.int16)


def longest_zero_run(samples: np.ndarray) -> int:
    zero = np.concatenate([[0], (samples == 0).astype(np.int8), [0]])
    edges = np.diff(zero)
    runs = np.where(edges == -1)[0] - np.where(edges == 1)[0]
    return int(runs.max()) if len(runs) else 0


def quiet_level(samples: np.ndarray) -> tuple[float, float]:
    """(quietest, 10th percentile) RMS of 50 ms windows, dBFS: the room tone's level."""
    count = len(samples) // WINDOW
    rms = np.sqrt((samples[: count * WINDOW].astype(float).reshape(count, WINDOW) ** 2).mean(axis=1)) / 32768
    db = 20 * np.log10(rms + 1e-12)
    return float(db.min()), float(np.percentile(db, 10))


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    out = {}
    meta = AudioMeta(title="Gaps", authors=("A",), language="de")
    for name, level in (("loud", 0.4), ("quiet", 0.03)):
        root = tmp_path_factory.mktemp(name)
        rendered = render(make_script(chapters=2, segments=3, words=8), FAKE, Gappy(FAKE, level),
                          cache_dir=root / "cache", work_dir=root / "work")
        out[name] = (write_mp3(rendered, meta, None, root / "g.mp3"), write_m4b(rendered, meta, None, root / "g.m4b"))
    return out


def test_no_exact_digital_silence_over_100_ms_in_any_edition(editions):
    for name, files in editions.items():
        for path in files:
            assert longest_zero_run(decoded(path)) <= RATE // 10, (name, path.name)


def test_the_room_tone_is_audible_to_meters_and_at_one_level(editions):
    levels = {}
    for name, files in editions.items():
        for path in files:
            quietest, low = quiet_level(decoded(path))
            assert quietest > -85.0, (name, path.name, quietest)
            assert -80.0 < low < -60.0, (name, path.name, low)  # under ACX's -60 dB noise floor
            levels[(name, path.suffix)] = low
    # the loud and the quiet voice's chapters got gains 20 dB apart; their room tone did not
    assert max(levels.values()) - min(levels.values()) < 3.0, levels
