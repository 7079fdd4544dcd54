"""The speech ``Engine`` protocol and the registry that builds one from a voice profile.

An engine turns one utterance (already normalized text) into a mono 16-bit PCM WAV
file. Engines are cheap to construct; heavy state (a Piper model) is loaded lazily,
once per process, by the engine module itself.

``cache_key()`` identifies everything that changes the audio: the engine, the model's
identity (file hash or package version), the engine version and the settings. The
audio cache (``audio.py``) keys each segment by ``sha256(cache_key, spoken text)``.
"""

from __future__ import annotations

import importlib
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from narrate.artifacts import atomic_path
from narrate.errors import SpeechError
from narrate.speech.voices import VoiceProfile


@runtime_checkable
class Engine(Protocol):
    """What ``audio.render`` needs from a speech engine."""

    name: str

    @property
    def sample_rate(self) -> int: ...

    def cache_key(self) -> str: ...

    def synthesize(self, text: str, out_wav: Path) -> None:
        """Write ``text`` as mono 16-bit PCM WAV to ``out_wav``, atomically."""
        ...


_FACTORIES: dict[str, str] = {
    "piper": "narrate.speech.piper:PiperEngine",
    "espeak": "narrate.speech.espeak:EspeakEngine",
    "gtts": "narrate.speech.gtts:GttsEngine",
    "fake": "narrate.speech.fake:FakeEngine",
}


def register(engine: str, target: str) -> None:
    """Register ``"module:Class"`` (a class taking a ``VoiceProfile``) under ``engine``."""
    _FACTORIES[engine] = target


def _factory(name: str) -> Callable[[VoiceProfile], Engine]:
    module_name, _, attr = _FACTORIES[name].partition(":")
    return getattr(importlib.import_module(module_name), attr)


def get_engine(profile: VoiceProfile) -> Engine:
    """The engine for ``profile``; a ``SpeechError`` naming the profile if it has none."""
    if profile.engine not in _FACTORIES:
        known = ", ".join(sorted(_FACTORIES))
        raise SpeechError(
            f"voice {profile.name!r}: expected engine one of {known}, found {profile.engine!r}",
            profile.source,
        )
    return _factory(profile.engine)(profile)


# ----------------------------------------------------------------- WAV helpers


@contextmanager
def atomic_wav(out: Path, sample_rate: int) -> Iterator[wave.Wave_write]:
    """Open a mono 16-bit WAV writer whose file appears at ``out`` only when complete."""
    with atomic_path(out) as tmp:
        with wave.open(str(tmp), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(sample_rate)
            yield wav


def check_wav(path: Path, profile_name: str) -> int:
    """Frame count of ``path`` after checking it is mono 16-bit PCM; else a ``SpeechError``."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
                raise SpeechError(
                    f"voice {profile_name!r}: expected mono 16-bit PCM, found "
                    f"{wav.getnchannels()} channel(s) of {8 * wav.getsampwidth()} bits",
                    path,
                )
            return wav.getnframes()
    except (wave.Error, EOFError) as exc:
        raise SpeechError(f"voice {profile_name!r}: not a readable WAV file ({exc})", path) from exc
