"""Whole chapters narrated on a Ray cluster: the machine running ``narrate build`` only stitches.

Each chapter that is not cached yet becomes one Ray task (``ray_worker.narrate_chapter``) on a
node: it synthesizes the chapter's missing sentences, masters and encodes its blocks there, and
sends back the cache entries it made (sentences as FLAC, the chapter's record, its blocks'
levels and encodings, its joined encoding as spans of its blocks: ``ray_spans``; never the
mastered WAVs). The driver writes them, atomically, into the
cache of the machine running the build, whose publications then find every chapter mastered
and encoded and only stitch and write the editions. A voice's level figures (``voicelevel``)
are learned first, one task per voice, and sent to its chapters.

A task is a pure function of its job, so Ray's own task retries (a node or worker lost) run it
again elsewhere with the same bytes. The Ray module itself lives in ``audio/ray`` (this module
is handed it), and the head's watch (``HeadWatch``) turns a lost head into a ``ClusterError``.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from narrate import errors
from narrate.artifacts import atomic_path
from narrate.audio.ray_spans import Spans, inside
from narrate.audio.ray_worker import ChapterJob, Stored, files_key, narrate_chapter, voice_files
from narrate.errors import AudioError, NarrateError
from narrate.speech.voices import VoiceProfile

TASK_RETRIES = 3  # a task whose worker or node was lost runs again (Ray retries system failures only)
IN_FLIGHT_PER_CPU = 2  # tasks submitted per cluster CPU, so no CPU waits for the driver
STALL_TIMEOUT_S = 1800.0  # no chapter finished for this long: give up

Progress = Callable[[str, int, int], None]
Calls = Sequence[tuple["Tasks", int]]  # calls of Ray tasks, each (its group, its index there)


@dataclass
class ChapterWork:
    """A chapter to narrate on the cluster, and where its results go."""

    job: ChapterJob
    profile: VoiceProfile  # the voice as on this machine (its files are shipped)
    cache_dir: Path  # the sentence cache of the machine running the build
    source: str | Path | None = None  # named in an error (the publication's source)
    late: tuple[str, ...] = ()  # cache entries read when the task is sent (the voice's level figures,
    # learned by an earlier task); those that exist join ``job.given``


@dataclass
class Outcome:
    done: int = 0
    failed: dict[int, NarrateError] | None = None  # index in the work list → its error
    received_bytes: int = 0
    driver_seconds: float = 0.0  # spent here writing what came back

    def __post_init__(self) -> None:
        self.failed = {} if self.failed is None else self.failed


def write_entries(cache_dir: Path, entries: Mapping[str, bytes | Spans]) -> int:
    """``entries`` (cache-relative path → bytes, or ``Spans`` of other entries: a chapter's joined
    encoding) written atomically under ``cache_dir``; the bytes they took to send. An entry whose
    spans do not rebuild as sent is left out (the chapter's encoding is then joined again here)."""
    total = 0
    for rel in sorted(entries, key=lambda name: isinstance(entries[name], Spans)):  # the spans' sources first
        data = entries[rel]
        if not inside(rel):  # checked by its name (a resolve per entry cost the head more than writing it)
            raise AudioError(f"a cluster task sent back a cache entry outside the cache: {rel!r}", cache_dir)
        if isinstance(data, Spans):
            total += data.sent
            rebuilt = data.rebuild(lambda name: _entry(cache_dir, entries, name))
            if rebuilt is None:
                continue
            data = rebuilt
        else:
            total += len(data)
        with atomic_path(cache_dir / rel) as tmp:
            tmp.write_bytes(data)
    return total


def _entry(cache_dir: Path, entries: Mapping[str, bytes | Spans], name: str) -> bytes:
    data = entries.get(name)
    if isinstance(data, bytes):
        return data
    if not inside(name):
        raise OSError(f"not a cache entry: {name!r}")
    return (cache_dir / name).read_bytes()


def store(ray: Any, files: dict[str, bytes]) -> Stored:
    """A voice's ``files`` in the cluster's object store once, for all of a build's tasks (``Stored``)."""
    return Stored(files_key(files), (ray.put(files),), ray.get)


class VoiceStore:
    """Each voice as shipped (``voice_files``) and its files put in the object store once for a whole
    build (its level pass, chapters and stitching tasks): 63 MB read and put for a Piper voice."""

    def __init__(self, ray: Any):
        self.ray = ray
        self.voices: dict[str, tuple[VoiceProfile, Stored]] = {}

    def __call__(self, profile: VoiceProfile) -> tuple[VoiceProfile, Stored]:
        key = repr(profile)
        if key not in self.voices:
            shipped, files = voice_files(profile)
            self.voices[key] = (shipped, store(self.ray, files))
        return self.voices[key]


def _read(cache_dir: Path, names: Sequence[str]) -> dict[str, bytes]:
    return {name: (cache_dir / name).read_bytes() for name in names if (cache_dir / name).is_file()}


def _error(failure: tuple[str, str, str | None], source: str | Path | None) -> NarrateError:
    name, message, path = failure
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, NarrateError)):
        cls = NarrateError
    return cls(message, path or source)


@dataclass(frozen=True)
class Tasks:
    """``count`` calls of one Ray ``task`` for ``run_tasks``: call ``index`` is given ``arguments(index)``
    when it is sent, ``collect(index, result)`` is called as it comes back (and returns the calls
    that may start now, if any), ``sources(index)`` names it in an error. ``lost`` gets the calls
    whose retries Ray spent (index → the cause)."""

    task: Any
    count: int
    arguments: Callable[[int], tuple[Any, ...]]
    collect: Callable[[int, Any], Calls | None]
    sources: Callable[[int], str | Path | None]
    lost: dict[int, str] = field(default_factory=dict, compare=False)
    held: frozenset[int] = frozenset()  # calls not sent at the start: a ``collect`` or ``gone`` releases them
    gone: Callable[[int], Calls] | None = None  # called with a call whose retries Ray spent; returns calls to send


def run_tasks(ray: Any, head: Any, groups: Sequence[Tasks], cpus: int, progress: Progress | None = None,
              later: Calls = ()) -> list[dict[int, str]]:
    """Every call of ``groups``, in one pass (a group's calls after the previous group's), then the
    calls of ``later`` and those a ``collect`` returns, as they come (a publication's stitching once
    its last chapter is back: no barrier between the two); at most ``IN_FLIGHT_PER_CPU * cpus`` in
    flight. Returns, per group of ``groups``, the calls whose retries Ray spent (its ``lost``). The
    head is checked all along (``HeadWatch``); on any exit, calls still running are cancelled
    (unless the head is gone: they end with it)."""
    queue = deque([*((group, index) for group in groups for index in range(group.count) if index not in group.held),
                   *later])
    count = len(queue)
    running: dict[Any, tuple[Tasks, int]] = {}
    done, last = 0, time.monotonic()
    if progress:
        progress("synthesize", 0, count)
    try:
        while queue or running:
            head.check(done)
            while queue and len(running) < IN_FLIGHT_PER_CPU * max(1, cpus):
                group, index = queue.popleft()
                running[group.task.remote(*group.arguments(index))] = group, index
            ready, _ = ray.wait(list(running), num_returns=1, timeout=1.0)
            if not ready:
                if time.monotonic() - last > STALL_TIMEOUT_S:
                    group, index = next(iter(running.values()))
                    raise AudioError(f"no task finished on the Ray cluster for {STALL_TIMEOUT_S:.0f} s",
                                     group.sources(index))
                continue
            last = time.monotonic()
            for ref in ready:
                group, index = running.pop(ref)
                try:
                    result = ray.get(ref)
                except ray.exceptions.RayError as exc:  # retries spent: the cluster keeps losing this task
                    group.lost[index] = str(exc).strip().splitlines()[-1][:300] if str(exc).strip() \
                        else type(exc).__name__
                    follow = group.gone(index) if group.gone else ()
                    queue.extend(follow)
                    count += len(follow)
                else:
                    follow = group.collect(index, result) or ()
                    queue.extend(follow)
                    count += len(follow)
                done += 1
                if progress:
                    progress("synthesize", done, count)
    finally:
        if not head.lost:
            for ref in running:
                with contextlib.suppress(Exception):
                    ray.cancel(ref, force=True)
    return [group.lost for group in groups]


def shared_sentences(work: Sequence[ChapterWork]) -> tuple[list[tuple[str, ...]], dict[int, set[int]]]:
    """Sentences that more than one chapter lacks (a heading, a series' boilerplate, the credits of
    every title): each is synthesized by the first chapter in ``work`` that has it, and a later
    chapter is sent once those it borrows from are back, their sentences among its cache entries
    (``late``). A node's task otherwise synthesizes every sentence its own scratch cache lacks: the
    same sentence once per chapter, where a local build, with one cache, makes it once. Returns per
    chapter the sentences it borrows, and the chapters it waits for (by index)."""
    first: dict[tuple[Path, str], int] = {}
    borrowed: list[tuple[str, ...]] = []
    waits: dict[int, set[int]] = {}
    for index, item in enumerate(work):
        taken = []
        for _, rel in item.job.segments:
            if not rel or rel in item.job.given:
                continue
            owner = first.setdefault((item.cache_dir, rel), index)
            if owner != index:
                taken.append(rel)
                waits.setdefault(index, set()).add(owner)
        borrowed.append(tuple(dict.fromkeys(taken)))
    return borrowed, waits


def run_chapters(ray: Any, head: Any, work: Sequence[ChapterWork], cpus: int, progress: Progress | None = None,
                 alongside: Sequence[Tasks] = (), finished: Callable[[int], Calls] | None = None,
                 later: Calls = (), voice: Callable[[VoiceProfile], tuple[VoiceProfile, Stored]] | None = None
                 ) -> Outcome:
    """Every ``work`` item as a Ray task (``run_tasks``), with the calls of ``alongside`` and ``later``
    in the same pass; each result written into its cache as it comes back, then ``finished(index)``
    gives the calls that may start now. A task's NarrateError is kept in ``Outcome.failed`` (the
    publication's own build then meets it again and reports it as a local build would). ``voice``
    gives a voice as shipped and its files in the object store (``VoiceStore``: once per build)."""
    task = ray.remote(num_cpus=1, max_retries=TASK_RETRIES)(narrate_chapter)
    voice = voice or VoiceStore(ray)
    outcome = Outcome()
    borrowed, waits = shared_sentences(work)
    chapters: Tasks

    def arguments(index: int) -> tuple[Any, ...]:
        item = work[index]
        late = _read(item.cache_dir, (*item.late, *borrowed[index]))
        return replace(item.job, given={**item.job.given, **late}), *voice(item.profile)

    def release(index: int) -> Calls:
        """The chapters that waited for ``index``'s sentences alone, sent now (those it failed to
        make, they make themselves)."""
        free = [other for other in sorted(waits) if index in waits[other]]
        for other in free:
            waits[other].discard(index)
        return [(chapters, other) for other in free if not waits[other]]

    def collect(index: int, result: Any) -> Calls:
        item = work[index]
        if isinstance(result, tuple):
            outcome.failed[index] = _error(result, item.source)
            return release(index)
        started = time.perf_counter()
        outcome.received_bytes += write_entries(item.cache_dir, result)
        outcome.driver_seconds += time.perf_counter() - started
        outcome.done += 1
        return [*release(index), *(finished(index) if finished else ())]

    chapters = Tasks(task, len(work), arguments, collect, lambda i: work[i].source,
                     held=frozenset(i for i, before in waits.items() if before), gone=release)
    lost = run_tasks(ray, head, [chapters, *alongside], cpus, progress, later)[0]
    for index, cause in lost.items():
        outcome.failed[index] = AudioError(f"chapter {work[index].job.chapter_id!r} failed on the Ray cluster "
                                           f"({cause})", work[index].source)
    return outcome
