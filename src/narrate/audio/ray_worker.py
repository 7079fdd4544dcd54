"""What runs on a cluster node for ``audio/ray``: one loaded voice per Ray actor.

Kept apart from ``audio/ray`` (the driver's side, the only module that imports Ray): a node
needs narrate installed, and unpickles ``VoiceWorker`` from here.
"""

from __future__ import annotations

import os
import socket
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from narrate.artifacts import atomic_write
from narrate.errors import AudioError, NarrateError
from narrate.speech.voices import VoiceProfile, piper_model_paths


def voice_files(profile: VoiceProfile) -> tuple[VoiceProfile, dict[str, bytes]]:
    """The profile as an actor will see it (paths relative to its own folder) and the files to ship."""
    files: dict[str, bytes] = {}
    shipped = profile
    try:
        if profile.engine == "piper":
            model, config = piper_model_paths(profile)
            files = {"voice.onnx": model.read_bytes(), "voice.onnx.json": config.read_bytes()}
            shipped = replace(shipped, model="voice.onnx")
        lexicons = []
        for n, path in enumerate(profile.lexicons):
            name = f"lexicon-{n}{Path(path).suffix}"
            files[name] = Path(path).read_bytes()
            lexicons.append(Path(name))
        shipped = replace(shipped, lexicons=tuple(lexicons), root=None)
    except OSError as exc:
        raise AudioError(f"voice {profile.name!r}: cannot read a voice file ({exc.strerror})", exc.filename) from exc
    return shipped, files


class VoiceWorker:
    """One loaded voice on a cluster node (made a Ray actor by ``_actor_class``)."""

    def __init__(self, profile: VoiceProfile, files: dict[str, bytes], threads: int):
        os.environ["NARRATE_ENGINE_THREADS"] = str(threads)
        self.folder = Path(tempfile.mkdtemp(prefix="narrate-voice-"))
        for name, data in files.items():
            atomic_write(self.folder / name, data)
        lexicons = tuple(self.folder / p for p in profile.lexicons)
        model = str(self.folder / profile.model) if profile.model in files else profile.model
        self.profile = replace(profile, model=model, lexicons=lexicons, root=self.folder)
        self.engine: Any = None

    def ready(self) -> str:
        return socket.gethostname()

    def synthesize(self, texts: list[str]) -> list[bytes] | tuple[str, str, str | None]:
        """WAV bytes per text; a NarrateError comes back as (class name, message, path)."""
        from narrate.speech.engines import get_engine

        out = self.folder / "segment.wav"
        try:
            if self.engine is None:
                self.engine = get_engine(self.profile)
            wavs = []
            for text in texts:
                self.engine.synthesize(text, out)
                wavs.append(out.read_bytes())
            return wavs
        except NarrateError as exc:
            return type(exc).__name__, exc.message, exc.path
