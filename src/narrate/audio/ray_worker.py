"""What runs on a cluster node for ``audio/ray``: one loaded voice per Ray actor.

Kept apart from ``audio/ray`` (the driver's side, the only module that imports Ray): a node
needs narrate installed, and unpickles ``VoiceWorker`` from here.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from narrate.artifacts import atomic_write
from narrate.audio import flac
from narrate.audio.ray_spans import Spans, with_spans
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
        """FLAC bytes per text (the cache's own format, about half a WAV's bytes to send back); a
        NarrateError comes back as (class name, message, path)."""
        from narrate.speech.engines import get_engine

        out = self.folder / "segment.wav"
        try:
            if self.engine is None:
                self.engine = get_engine(self.profile)
            wavs = []
            for text in texts:
                self.engine.synthesize(text, out)
                wavs.append(flac.encode(*flac.from_wav(out)))
            return wavs
        except NarrateError as exc:
            return type(exc).__name__, exc.message, exc.path


# ------------------------------------------------------------ whole chapters on a node


@dataclass(frozen=True)
class ChapterJob:
    """One chapter to narrate on a node (``narrate_chapter``), or a voice's level alone (no segments).

    Paths are relative to the sentence cache (``<k[:2]>/<k>.flac``, ``chapters/…``): the node
    works in a scratch cache of its own, from the entries the building machine sent (``given``).
    """

    chapter_id: str
    segments: tuple[tuple[str, str], ...]  # (text, cache path) per segment; ("", "") is silent
    pauses_ms: tuple[int, ...]
    loudness: str  # a name in ``audio.master.TARGETS``
    encodings: tuple[tuple[str, str], ...]  # (codec, bitrate) the editions stitch
    calibration: tuple[tuple[str, str], ...]  # the voice's calibration sentences, (text, cache path)
    given: dict[str, bytes] = field(default_factory=dict)  # cache entries it needs that exist already


_VOICES: dict[str, Any] = {}  # per worker process: a loaded engine per voice (tasks reuse processes)


def files_key(files: dict[str, bytes]) -> str:
    """``files`` named by their own bytes hashed (0.04 CPU-s for a 63 MB model)."""
    from narrate.artifacts import hash_parts

    return hash_parts(*(part for name in sorted(files) for part in (name, files[name])))


@dataclass(frozen=True)
class Stored:
    """A voice's files put once in a cluster's object store (``audio.cluster.store``), as tasks are
    given them: ``key`` is ``files_key`` of them, worked out once on the machine running the build;
    the reference is held in a tuple, so that Ray does not fetch the files (63 MB for a Piper voice)
    with every task's arguments: a worker fetches them (``load``) only to load a voice it has not."""

    key: str
    refs: tuple[Any, ...]
    get: Callable[[Any], Any]  # Ray's ``get``: this module never imports Ray

    def load(self) -> dict[str, bytes]:
        return self.get(self.refs[0])


def _engine(profile: VoiceProfile, files: dict[str, bytes] | Stored) -> Any:
    return local_voice(profile, files)[1]


def local_voice(profile: VoiceProfile, files: dict[str, bytes] | Stored) -> tuple[VoiceProfile, Any]:
    """``profile`` (as ``voice_files`` shipped it) with its files written on this node, and its engine;
    once per worker process and voice (its files fetched then only, when they are ``Stored``)."""
    from narrate.artifacts import hash_parts
    from narrate.speech.engines import get_engine

    key = hash_parts(repr(profile), files.key if isinstance(files, Stored) else files_key(files))
    if key not in _VOICES:
        files = files.load() if isinstance(files, Stored) else files
        os.environ["NARRATE_ENGINE_THREADS"] = "1"  # one CPU per task, as the local pool's workers
        folder = Path(tempfile.mkdtemp(prefix="narrate-voice-"))
        for name, data in files.items():
            atomic_write(folder / name, data)
        model = str(folder / profile.model) if profile.model in files else profile.model
        here = replace(profile, model=model, lexicons=tuple(folder / p for p in profile.lexicons), root=folder)
        _VOICES[key] = (here, get_engine(here))
    return _VOICES[key]


def narrate_chapter(job: ChapterJob, profile: VoiceProfile, files: dict[str, bytes] | Stored
                    ) -> dict[str, bytes | Spans] | tuple[str, str, str | None]:
    """Synthesize the chapter's missing sentences, master and encode it, as ``audio.master.render``
    does; return every cache entry made (relative path → bytes) but the mastered WAVs (the editions
    stitch the encodings). A pure function of its job: run again elsewhere, it returns the same bytes."""
    from narrate.audio.chapter import ChapterPlan, encode_piece, master_piece
    from narrate.audio.master import TARGETS
    from narrate.audio.synth import segment_complete, synthesize_to_cache
    from narrate.audio.voicelevel import VoiceLevel

    try:
        engine = _engine(profile, files)
        with tempfile.TemporaryDirectory(prefix="narrate-chapter-") as scratch:
            cache, work = Path(scratch) / "cache", Path(scratch) / "work"
            for rel, data in job.given.items():
                atomic_write(cache / rel, data)
            target, rate = TARGETS[job.loudness], engine.sample_rate
            level = VoiceLevel([cache / rel for _, rel in job.calibration], rate, target, cache, work) \
                if job.calibration else None
            # the calibration passage only when its figures were not sent: a chapter task given them
            # (``ChapterWork.late``) would read it again for nothing, 20 s of speech in every chapter
            joined: set[str] = set()  # the chapter's joined encodings (cache-relative)
            calibrate = job.calibration if level is not None and not level.cached(job.encodings) else ()
            for text, rel in (*calibrate, *job.segments):
                if text.strip() and not segment_complete(cache / rel):
                    synthesize_to_cache(engine, text, cache / rel)
            if job.segments:
                plan = ChapterPlan(job.chapter_id, tuple(cache / rel if rel else Path() for _, rel in job.segments),
                                   job.pauses_ms)
                piece = master_piece(plan, target, rate, cache, work, 1, level.limiter_loss() if level else 0.0)
                for codec, bitrate in job.encodings:
                    encoded = encode_piece(piece, codec, bitrate, target, cache, 1, level).path
                    if len(piece.blocks) > 1:  # its blocks joined: the one entry made of others
                        joined.add(encoded.relative_to(cache).as_posix())
            elif level is not None:  # the voice's level figures, before its chapters
                level.limiter_loss()
                for codec, bitrate in job.encodings:
                    level.offset(codec, bitrate)
            # a chapter's joined encoding is its blocks' frames: sent as spans of them, the audio once
            return with_spans(made_entries(cache, set(job.given)), joined)
    except NarrateError as exc:
        return type(exc).__name__, exc.message, exc.path


def made_entries(cache: Path, given: set[str]) -> dict[str, bytes]:
    """Every file under ``cache`` not in ``given``, but mastered WAVs (``chapters/**.wav``)."""
    made = {}
    for path in sorted(cache.rglob("*")):
        rel = path.relative_to(cache).as_posix()
        if path.is_file() and rel not in given and not (rel.startswith("chapters/") and path.suffix == ".wav"):
            made[rel] = path.read_bytes()
    return made
