"""Piper (offline neural TTS) engine. The only module that imports ``piper``.

The voice (an ONNX model) is loaded once per process and kept in ``_VOICES``, and only when
something is synthesized: its sample rate comes from its JSON config. Piper
phonemizes with the espeak-ng data bundled in the piper-tts wheel, so the Debian
espeak-ng package is not needed for this engine.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from narrate.errors import SpeechError
from narrate.speech.engines import atomic_wav
from narrate.speech.voices import VoiceProfile, piper_model_paths

_VOICES: dict[tuple[str, str], Any] = {}


def _load_voice(model: Path, config: Path, profile: VoiceProfile) -> Any:
    key = (str(model), str(config))
    if key not in _VOICES:
        try:
            from piper import PiperVoice
            from piper.config import PiperConfig
        except ImportError as exc:
            raise SpeechError(
                f"voice {profile.name!r}: the piper-tts package is not installed", profile.source
            ) from exc
        settings = _config(config, profile)
        try:
            # PiperVoice.load with one ONNX session, made with the worker's thread count (load
            # would make a default one first, only for it to be replaced: twice the start-up)
            _VOICES[key] = PiperVoice(config=PiperConfig.from_dict(settings), session=_session(model, engine_threads()))
        except Exception as exc:  # onnxruntime raises its own exception types
            raise SpeechError(f"voice {profile.name!r}: cannot load Piper model ({exc})", model) from exc
    return _VOICES[key]


@cache
def _read_config(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _config(path: Path, profile: VoiceProfile) -> dict[str, Any]:
    """The voice's JSON config (``<model>.onnx.json``), read once per process."""
    try:
        settings = _read_config(str(path))
        int(settings["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SpeechError(f"voice {profile.name!r}: cannot read the Piper voice config ({exc})", path) from exc
    return settings


def engine_threads() -> int:
    """Threads for one Piper session; 0 lets onnxruntime use every core.

    The build sets NARRATE_ENGINE_THREADS in worker processes so that parallel
    workers share the cores instead of each claiming all of them.
    """
    try:
        return max(0, int(os.environ.get("NARRATE_ENGINE_THREADS", "0") or 0))
    except ValueError:
        return 0


def _session(model: Path, threads: int) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if threads:  # else onnxruntime's defaults, as PiperVoice.load makes them
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])


@cache
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class PiperEngine:
    name = "piper"

    def __init__(self, profile: VoiceProfile):
        self.profile = profile
        self.model, self.config = piper_model_paths(profile)
        self._voice: Any = None

    @property
    def voice(self) -> Any:
        if self._voice is None:
            self._voice = _load_voice(self.model, self.config, self.profile)
        return self._voice

    @property
    def sample_rate(self) -> int:
        """From the voice's config: a build whose sentences are all cached never loads the model."""
        return int(_config(self.config, self.profile)["audio"]["sample_rate"])

    def _model_identity(self) -> str:
        if self.profile.model_file() is not None:
            stat = self.model.stat()
            return "sha256:" + _file_sha256(str(self.model), stat.st_size, stat.st_mtime_ns)
        return f"{self.profile.model}=={_version(self.profile.model)}"

    def cache_key(self) -> str:
        s = self.profile.piper
        return (
            f"piper-tts=={_version('piper-tts')};model={self._model_identity()};rate={self.profile.rate};"
            f"noise={s.noise_scale};noise_w={s.noise_w_scale};length={s.length_scale}"
        )

    def _synthesis_config(self) -> Any:
        from piper import SynthesisConfig

        settings = self.profile.piper
        length = settings.length_scale
        if self.profile.rate != 1.0:
            length = (length if length is not None else self.voice.config.length_scale) / self.profile.rate
        return SynthesisConfig(
            length_scale=length, noise_scale=settings.noise_scale, noise_w_scale=settings.noise_w_scale
        )

    def synthesize(self, text: str, out_wav: Path) -> None:
        config = self._synthesis_config()
        try:
            chunks = list(self.voice.synthesize(text, syn_config=config))
        except Exception as exc:  # phonemizer/onnxruntime errors
            raise SpeechError(
                f"voice {self.profile.name!r}: Piper failed on {text[:60]!r} ({exc})", self.profile.source
            ) from exc
        with atomic_wav(out_wav, self.sample_rate) as wav:
            for chunk in chunks:
                wav.writeframes(chunk.audio_int16_bytes)
