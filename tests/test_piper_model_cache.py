"""Piper's model as ONNX Runtime optimized it, kept in the project's cache (issue 31): a fresh
process loads it without optimizing the graph again, the audio is byte for byte the same, and a
damaged file is ignored. The key holds the runtime's version, the machine and the model's hash."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from narrate.speech import piper as piper_module
from narrate.speech.voices import BUILTIN_PROFILES, piper_model_paths

SCRIPT = """
import sys
from pathlib import Path
from narrate.speech.engines import get_engine
from narrate.speech.voices import BUILTIN_PROFILES
import dataclasses
profile = dataclasses.replace(BUILTIN_PROFILES["joe"], root=Path(sys.argv[1]))
get_engine(profile).synthesize("The harbour was quiet, and the boats rested at the quay.", Path(sys.argv[2]))
"""


def say(root: Path, out: Path) -> bytes:
    """A sentence said by ``joe`` for the project at ``root``, in a fresh process."""
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(root), str(out)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "onnxruntime" not in proc.stderr, proc.stderr  # its warning about the saved file is not shown
    return out.read_bytes()


def cached(root: Path) -> list[Path]:
    return sorted((root / ".narrate" / "cache" / piper_module.MODELS).glob("*.onnx"))


def test_the_optimized_model_is_kept_and_gives_the_same_audio(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    plain = say(root, tmp_path / "plain.wav")  # no .narrate/: nothing is kept
    assert not (root / ".narrate").exists()
    (root / ".narrate").mkdir()
    first = say(root, tmp_path / "first.wav")
    assert len(cached(root)) == 1
    again = say(root, tmp_path / "again.wav")
    assert plain == first == again
    model, _ = piper_model_paths(BUILTIN_PROFILES["joe"])
    session = piper_module._session(model, 1, root / ".narrate" / "cache")
    assert Path(session._model_path) == cached(root)[0]  # loaded from the cache


def test_a_damaged_cached_model_is_ignored(tmp_path):
    root = tmp_path / "project"
    (root / ".narrate").mkdir(parents=True)
    profile = dataclasses.replace(BUILTIN_PROFILES["joe"], root=root)
    model, _ = piper_model_paths(profile)
    import onnxruntime

    path = piper_module.optimized_model(root / ".narrate" / "cache", model, onnxruntime.__version__)
    path.write_bytes(b"not a model")
    session = piper_module._session(model, 1, root / ".narrate" / "cache")
    assert Path(session._model_path) == model and not path.exists()


def test_the_key_holds_runtime_machine_and_model(tmp_path, monkeypatch):
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"one model")
    key = piper_module.optimized_model(tmp_path, model, "1.0")
    assert key != piper_module.optimized_model(tmp_path, model, "1.1")
    monkeypatch.setattr(piper_module, "_cpu_flags", lambda: "other")
    assert key != piper_module.optimized_model(tmp_path, model, "1.0")
    monkeypatch.undo()
    model.write_bytes(b"another model")
    assert key != piper_module.optimized_model(tmp_path, model, "1.0")
