"""A batch's audio editions (MP3, M4B, transcripts, read-along EPUB) stitched on a Ray cluster.

In the chapters' pass (``editions/on_cluster``), once every chapter of a publication is mastered
and encoded in the cache of the machine running ``narrate build``, the publication (if its audio
editions must be made again) becomes one task (``make_audio``) on a node: it is given the
parsed ``Document``, the voice and script the head worked out, the project files the editions
read (``text_tasks.read_files``: sources, images, cover) and the cache entries the editions are
stitched from (``narration_entries``: the chapters' records, levels and encodings; no sentence,
no mastered WAV). It renders the narration from that cache (nothing to synthesize or master:
every chapter is cached), runs the makers a local build runs in a scratch folder of its own, and
sends back each finished file and any cache entry it had to make. A file made mostly of the
encoded blocks the head holds (the MP3, the M4B, the read-along EPUB) comes back as spans of
them (``audio.ray_spans``): the head joins the slices and checks them, so the audio crosses the
network once. The head writes the files into the publication's staging folder
(``text_tasks.write_made``) and the entries into its cache: the files are a local build's, byte
for byte.

A task is a pure function of its job: a node lost mid-task, Ray runs it again elsewhere. A task
that failed (a NarrateError on the node, or retries spent) sends nothing back: the publication's
own build then makes those editions here, and meets and reports the error as a local build would.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrate import model as m
from narrate.artifacts import atomic_write
from narrate.audio.cluster import write_entries
from narrate.audio.master import used_cache_files
from narrate.audio.ray_spans import Spans, SpanSources, find_spans, inside
from narrate.audio.ray_worker import Stored, local_voice, made_entries
from narrate.editions.context import PublicationContext
from narrate.editions.makers import MAKERS
from narrate.editions.text_tasks import Finished, TextJob, TextResult, read_files
from narrate.errors import NarrateError
from narrate.sources.config import Config
from narrate.speech.engines import get_engine

AUDIO_MAKERS = tuple(maker for maker, (_, _, narrated) in MAKERS.items() if narrated)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class AudioJob:
    text: TextJob  # the document, settings, makers (of ``AUDIO_MAKERS``) and project files
    voice: str  # the voice asked for (``--voice``, front matter, project default)
    script: Any  # the ``Script`` the head worked out
    cache: dict[str, bytes]  # audio-cache-relative path → bytes: what the narration reads
    cache_key: str  # the voice's cache key on the head (a packaged Piper voice's is its package's version,
    # its shipped copy's would be the file's hash: the node must find the head's entries)
    epoch: str | None = None  # the head's SOURCE_DATE_EPOCH (an M4B's creation time), None when unset
    cover: tuple[bytes, str] | None = None  # (bytes, extension) of the cover this build's text task made, if
    # it is back: the tags and the M4B embed it (rendering a generated cover again cost the task ~0.4 CPU-s)


@dataclass
class AudioResult:
    made: dict[str, list[tuple[str, str, bytes | Spans, dict[str, Any]]]]  # maker → its files (``Finished``, a
    # file that copies the head's encoded blocks sent as ``Spans`` of them)
    warnings: dict[str, list[str]]
    entries: dict[str, bytes]  # cache entries made on the node (none when every chapter was cached)


def make_audio(job: AudioJob, profile: Any, files: dict[str, bytes] | Stored
               ) -> AudioResult | tuple[str, str, str | None]:
    """On a node: ``job``'s audio editions made in a scratch project from the cache entries it was
    given; a NarrateError comes back as (class name, message, path)."""
    try:
        here, engine = local_voice(profile, files)
        with _epoch(job.epoch), tempfile.TemporaryDirectory(prefix="narrate-audio-") as scratch:
            root, cache = Path(scratch) / "project", Path(scratch) / "cache"
            for rel, data in job.text.files.items():
                atomic_write(root / rel, data, fsync=False)
            for rel, data in job.cache.items():
                atomic_write(cache / "audio" / rel, data, fsync=False)
            ctx = PublicationContext(job.text.doc, root, Path(scratch) / "out", job.text.config, job.voice, cache,
                                     _cover=job.cover, page_list=job.text.page_list, formats=job.text.formats,
                                     prepared=(here, job.script, HeadKeyed(engine, job.cache_key)))
            made, warnings = {}, {}
            encoded = SpanSources(job.cache)  # the blocks' frames found once for all the files
            try:
                for maker in job.text.makers:
                    # a file that copies the encoded blocks the head holds is sent as spans of them
                    made[maker] = [(fmt, path.name, find_spans(data := path.read_bytes(), encoded) or data, extra)
                                   for fmt, path, extra in MAKERS[maker][0](ctx)]
                    warnings[maker], ctx.warnings = ctx.warnings, []
            finally:
                for cleanup in ctx.cleanups:
                    cleanup()
            return AudioResult(made, warnings, made_entries(cache / "audio", set(job.cache)))
    except NarrateError as exc:
        return type(exc).__name__, exc.message, str(exc.path) if exc.path else None


class HeadKeyed:
    """A node's engine that keys the cache as the head's engine of the same voice does."""

    def __init__(self, engine: Any, key: str):
        self._engine, self._key = engine, key

    def cache_key(self) -> str:
        return self._key

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # pickle's probes of an instance it is making: no ``_engine`` yet
            raise AttributeError(name)
        return getattr(self._engine, name)


def keyed_engine(profile: Any, engines: dict[str, Any]) -> HeadKeyed:
    """``profile``'s engine, one per voice in ``engines`` (a build's), its cache key worked out once: a
    Piper engine's reads the package's metadata every time (about 16 times per publication here)."""
    key = repr(profile)
    if key not in engines:
        engine = get_engine(profile)
        engines[key] = HeadKeyed(engine, engine.cache_key())
    return engines[key]


@contextlib.contextmanager
def _epoch(value: str | None) -> Iterator[None]:
    """``SOURCE_DATE_EPOCH`` as on the machine running the build, for one task (a node's worker
    process runs other builds' tasks too)."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    if value is not None:
        os.environ["SOURCE_DATE_EPOCH"] = value
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def narration_entries(cache_dir: Path, profile: Any, engine: Any, script: Any) -> dict[str, bytes]:
    """The cache entries (relative path → bytes) the editions of ``script`` read by ``profile`` are
    stitched from once every chapter is mastered and encoded: the chapters' records, levels and
    encodings (``chapters/``), never the sentences (the render reads none when every chapter is
    cached: ``audio.master.all_encoded``) nor the mastered WAVs (the editions stitch the encodings)."""
    audio = cache_dir / "audio"
    entries = {}
    for path in sorted(used_cache_files(script, profile, engine, audio)):
        rel = path.relative_to(audio)
        if rel.parts[0] == "chapters" and path.suffix != ".wav" and path.is_file():
            entries[rel.as_posix()] = path.read_bytes()
    return entries


def audio_tasks(executor: Any, root: Path, config: Config, cache_dir: Path,
                wanted: Sequence[tuple[m.Document, str, tuple[str, ...]]], prepared: dict[str, tuple[Any, Any]],
                formats: tuple[str, ...], page_list: bool, made_text: Mapping[str, TextResult] | None = None
                ) -> tuple[Any, dict[str, TextResult], list[int]]:
    """Each (document, voice, makers) of ``wanted`` as a task for ``executor``'s cluster
    (``audio.cluster.Tasks``), read by the (profile, script) ``prepared`` holds for its slug when the
    task is sent; the slug → finished editions it fills, and a one-item list counting the bytes
    received (editions and cache entries). A job's files and cache entries are read when it is
    sent (once its chapters are all in the cache), so a large batch is never all in memory at once."""
    results: dict[str, TextResult] = {}
    received = [0]
    engines: dict[str, Any] = {}

    def arguments(index: int) -> tuple[Any, ...]:
        doc, voice, makers = wanted[index]
        profile, script = prepared[doc.meta.slug]
        engine = keyed_engine(profile, engines)
        job = AudioJob(TextJob(doc, config, makers, formats, page_list, read_files(root, doc)), voice, script,
                       narration_entries(cache_dir, profile, engine, script), engine.cache_key(),
                       os.environ.get("SOURCE_DATE_EPOCH"), made_cover((made_text or {}).get(doc.meta.slug)))
        return (job, *executor.voice(profile))

    def collect(index: int, result: Any) -> None:
        if not isinstance(result, AudioResult):
            return
        audio = cache_dir / "audio"
        received[0] += write_entries(audio, result.entries)
        made: dict[str, Finished] = {}
        for maker, files in result.made.items():
            made[maker] = []
            for fmt, name, data, extra in files:
                received[0] += data.sent if isinstance(data, Spans) else len(data)
                whole = data.rebuild(lambda rel: _cached(audio, rel)) if isinstance(data, Spans) else data
                if whole is None:  # not as the node made it: this publication's editions are stitched here
                    tasks.lost[index] = f"{name} did not come out of this machine's cache as the node made it"
                    return
                made[maker].append((fmt, name, whole, extra))
        results[wanted[index][0].meta.slug] = TextResult(made, result.warnings)

    def source(index: int) -> str | None:
        doc = wanted[index][0]
        return doc.source_files[0] if doc.source_files else None

    tasks = executor.remote_tasks(make_audio, len(wanted), arguments, collect, source)
    return tasks, results, received


def _cached(audio: Path, rel: str) -> bytes:
    if not inside(rel):
        raise OSError(f"not a cache entry: {rel!r}")
    return (audio / rel).read_bytes()


def made_cover(text: TextResult | None) -> tuple[bytes, str] | None:
    """(bytes, extension) of the cover a text task of this build made (the cover the audio editions embed:
    the same function of the publication's metadata and files), None when there is none."""
    for _, name, data, _ in (text.made.get("cover", ()) if text else ()):
        if isinstance(data, bytes) and ".cover." in name:
            return data, name.rsplit(".", 1)[1]
    return None


def merged(first: TextResult | None, second: TextResult | None) -> TextResult | None:
    """The editions of both (text editions and audio editions made on the nodes)."""
    if first is None or second is None:
        return first or second
    return TextResult({**first.made, **second.made}, {**first.warnings, **second.warnings})
