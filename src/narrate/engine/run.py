"""The build pipeline: what to rebuild, in which order, on how many workers.

1. open the project and read every source once into a Document;
2. for each publication, key every artifact on the hashes of what it is made
   from (sources, images, config, templates, voice files, narrate's version);
   reuse an artifact whose key and bytes match the previous manifest;
3. make the rest (editions.py), each written atomically;
4. write manifest.json, keeping the previous entries of publications that
   failed or were not selected, so nothing already built is lost.

A failure in one publication does not stop the others unless ``fail_fast``.
The CLI is the only printer: progress and results go through ``Reporter``.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import multiprocessing
import os
import queue
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from narrate import model as m
from narrate.artifacts import (
    MANIFEST,
    ManifestError,
    artifact_entry,
    atomic_write,
    is_temp_name,
    load_manifest,
    remove_unfinished,
    write_manifest,
)
from narrate.audio.synth import STOP_WAIT_S, install_stop_handlers, stop_pool, stoppable_task
from narrate.editions.context import Made, PublicationContext, page_list
from narrate.editions.makers import MAKERS, narration
from narrate.editions.narration import preflight_narration, presynthesize
from narrate.engine.fingerprints import Fingerprints
from narrate.engine.first_built import FirstBuilt
from narrate.engine.results import BuildReport, PublicationResult
from narrate.errors import ConfigError, NarrateError, OutputError, SourceError
from narrate.sources.config import ALL_FORMATS, EXECUTORS, Config
from narrate.sources.project import Project, Source, discover, load_document, modified_time, open_project, project_root

NARRATED = ("mp3", "m4b", "epub-readaloud")
STAGING = ".staging"  # output/.staging/<slug>/: new editions wait here until the publication is done


class Reporter(Protocol):
    def warning(self, message: str) -> None: ...
    def started(self, slug: str, title: str) -> None: ...
    def progress(self, slug: str, done: int, total: int, audio_ms: int) -> None: ...
    def finished(self, result: PublicationResult) -> None: ...


class SilentReporter:
    def warning(self, message: str) -> None:
        pass

    def started(self, slug: str, title: str) -> None:
        pass

    def progress(self, slug: str, done: int, total: int, audio_ms: int) -> None:
        pass

    def finished(self, result: PublicationResult) -> None:
        pass


@dataclass(frozen=True)
class BuildOptions:
    formats: tuple[str, ...] | None = None
    only: tuple[str, ...] = ()
    output: Path | None = None
    voice: str = ""
    jobs: int = 1
    executor: str = ""  # local | ray; empty: narrate.toml [build] executor
    ray_address: str = ""  # empty: RAY_ADDRESS, then [build] ray_address, else a local Ray
    fail_fast: bool = False
    strict: bool = False


def resolve_formats(requested: tuple[str, ...]) -> tuple[str, ...]:
    for fmt in requested:
        if fmt not in ALL_FORMATS:
            raise ConfigError(f"unknown format {fmt!r}; expected one of {', '.join(ALL_FORMATS)}")
    ordered = [f for f in ALL_FORMATS if f in requested]
    makers = ["cover"] + ordered
    if any(f in NARRATED for f in ordered):
        makers.insert(makers.index(next(f for f in ordered if f in NARRATED)), "transcript")
    return tuple(makers)


LOCK_NAME = "lock"  # .narrate/lock: one build, clean or package at a time per project
LOCK_WAIT_S = 10.0  # how long a second command waits (NARRATE_LOCK_WAIT overrides) before refusing


def lock_wait() -> float:
    """``$NARRATE_LOCK_WAIT`` in seconds (default ``LOCK_WAIT_S``): a finite number, zero or more.

    A negative or infinite wait would make ``filelock`` wait forever, and NaN compares false with
    everything: each is refused, naming the variable, rather than hanging a command.
    """
    value = os.environ.get("NARRATE_LOCK_WAIT")
    if value is None:
        return LOCK_WAIT_S
    try:
        wait = float(value)
    except ValueError:
        wait = math.nan
    if not math.isfinite(wait) or wait < 0:
        raise ConfigError(f"NARRATE_LOCK_WAIT: expected a number of seconds, 0 or more, found {value!r}")
    return wait


@contextlib.contextmanager
def project_lock(root: Path | str, command: str, notify: Callable[[str], None],
                 wait: float | None = None) -> Iterator[None]:
    """Hold the project's lock (``.narrate/lock``, an OS file lock via ``filelock``) while
    ``command`` runs. A second build, clean or package on the same project waits up to
    ``wait`` seconds (default ``LOCK_WAIT_S``, or ``$NARRATE_LOCK_WAIT``), saying so through
    ``notify``, then refuses with a ``NarrateError``. The OS drops the lock when its holder
    exits, even when killed, so a stale lock never blocks anything.
    """
    from filelock import FileLock, Timeout

    path = project_root(root) / ".narrate" / LOCK_NAME  # a folder, or one Markdown file's project
    if wait is None:
        wait = lock_wait()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(path)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            notify(f"another narrate command (build, clean, package or import) is working on this project; "
                   f"waiting up to {wait:g} s for it to finish")
            try:
                lock.acquire(timeout=wait)
            except Timeout:
                raise NarrateError(f"another narrate command (build, clean, package or import) is still working "
                                   f"on this project after {wait:g} s; let it finish, then run `narrate {command}` "
                                   "again",
                                   path.parent.parent) from None
    except OSError as exc:
        raise OutputError(f"cannot take the project lock: {exc.strerror or exc}", path) from exc
    try:
        yield
    finally:
        lock.release()


def build(root: Path | str, options: BuildOptions, reporter: Reporter | None = None) -> BuildReport:
    reporter = reporter or SilentReporter()
    with project_lock(root, "build", reporter.warning):
        return _build(root, options, reporter)


def _sweep_temp_files(cache_dir: Path) -> None:
    """Remove the temporary files a killed run left in the cache. Safe: the project lock
    is held, so no other narrate process is writing them."""
    if cache_dir.is_dir():
        for path in cache_dir.rglob(".*"):
            if path.is_file() and is_temp_name(path.name):
                with contextlib.suppress(OSError):
                    path.unlink()


def _build(root: Path | str, options: BuildOptions, reporter: Reporter) -> BuildReport:
    started = time.monotonic()
    project = open_project(root)
    _sweep_temp_files(project.cache_dir)
    output = (options.output or project.root / "output").resolve()
    if not project.single and output.is_relative_to(project.content_dir):
        raise ConfigError("the output folder must not be inside content/", output)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file in the way, a read-only or impossible place: one clear error
        raise OutputError(f"cannot make the output folder: {exc.strerror or exc}", output) from exc
    _refuse_foreign_output(project, output)
    remember_output(project, output)
    makers = resolve_formats(options.formats or project.config.defaults.formats)
    options = _resolve_executor(project, options)
    modified_time([])  # a bad SOURCE_DATE_EPOCH is one project-level error, not one per publication
    docs, failures = read_all(project)
    if any(MAKERS[maker][2] for maker in makers):
        preflight_narration(project.root, options.voice or project.config.defaults.voice)
    selected = _select(docs, failures, options.only + _selected_slugs(project, docs, failures))
    try:
        manifest = load_manifest(output)
    except ManifestError as exc:  # a damaged manifest costs a full rebuild, said out loud
        reporter.warning(f"{exc}; rebuilding every edition")
        manifest = {"publications": []}
    previous = {p["slug"]: p for p in manifest["publications"]}
    fingerprints = Fingerprints(project)
    jobs = [_job(project, output, doc, makers, options, previous.get(doc.meta.slug), fingerprints)
            for doc in selected]
    for w in project.warnings:
        reporter.warning(w)
    if len(jobs) == 1 and options.executor != "ray":
        # one publication: its render synthesizes on the build's workers, pipelined with its
        # mastering, and builds its script once (a batch pass first would build it twice)
        jobs = [replace(jobs[0], jobs=max(1, options.jobs))]
    elif options.jobs > 1 or options.executor == "ray":
        jobs = _presynthesize(project, jobs, options, reporter)
    results = list(failures)
    for failure in failures:
        reporter.finished(failure)
    current = {d.meta.slug for d in docs} | {f.slug for f in failures}
    first_built = FirstBuilt(project.root / ".narrate")

    def checkpoint() -> None:  # after every publication, and on an interrupt: record what finished
        _write_manifest(output, previous, results, current, first_built)
        first_built.save()

    try:
        _run(jobs, options, reporter, results, checkpoint)
    finally:
        checkpoint()
        with contextlib.suppress(OSError):
            (output / STAGING).rmdir()
    return BuildReport(output, results, list(project.warnings), time.monotonic() - started)


OUTPUTS = "outputs.json"  # .narrate/outputs.json: the output folders outside the project this project built


def built_outputs(project: Project) -> list[str]:
    """The output folders outside the project that ``build`` wrote for it (resolved paths)."""
    try:
        data = json.loads((project.root / ".narrate" / OUTPUTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(p) for p in data] if isinstance(data, list) else []


def _refuse_foreign_output(project: Project, output: Path) -> None:
    """An output folder outside the project whose manifest lists none of this project's sources is
    another project's: a build there would drop its publications from that manifest (and a later
    ``clean`` their files). Refused before anything is written."""
    if output.is_relative_to(project.root) or str(output) in built_outputs(project):
        return
    try:
        listed = {str(p.get("source", "")) for p in load_manifest(output)["publications"]}
    except ManifestError:  # none, or damaged: the build says so and rebuilds
        return
    ours = {source.rel(project.root) for source in discover(project)}
    if listed and not listed & ours:
        raise OutputError("expected an empty folder or an output folder of this project, found another "
                          f"project's (its {MANIFEST} lists none of this project's sources); nothing was "
                          "written: choose another --output", output)


def remember_output(project: Project, output: Path) -> None:
    """Record an output folder outside the project (in the project, so the output folder's own
    files stay the same wherever the project lies): ``clean --output`` accepts only those."""
    if output.is_relative_to(project.root):
        return
    known = built_outputs(project)
    if str(output) not in known:
        atomic_write(project.root / ".narrate" / OUTPUTS, json.dumps(sorted([*known, str(output)]), indent=0) + "\n")


def read_all(project: Project) -> tuple[list[m.Document], list[PublicationResult]]:
    """Read every source once; a bad source becomes a failed result, not an abort."""
    docs: list[m.Document] = []
    failures: list[PublicationResult] = []
    seen: dict[str, str] = {}
    for source in discover(project):
        rel = source.rel(project.root)
        try:
            doc = load_document(project, source)
            if doc.meta.slug in seen:
                raise SourceError(f"slug '{doc.meta.slug}' is already used by {seen[doc.meta.slug]}; "
                                  "give one of them a different 'slug' in its front matter", rel,
                                  doc.key_lines.get("slug"))
        except NarrateError as exc:
            failures.append(PublicationResult(_slug_guess(source), "", rel, error=exc))
            continue
        except RecursionError as exc:
            error = SourceError("expected a document nested less deeply, found structure too deep to read", rel)
            failures.append(PublicationResult(_slug_guess(source), "", rel, error=error))
            del exc
            continue
        seen[doc.meta.slug] = rel
        docs.append(doc)
    if not docs and not failures:
        raise ConfigError("expected Markdown files under content/, found none", project.content_dir)
    return docs, failures


def _slug_guess(source: Source) -> str:
    return source.path.stem if source.kind == "article" else source.path.name


def _selected_slugs(project: Project, docs: list[m.Document], failures: list[PublicationResult]) -> tuple[str, ...]:
    """The slug of the source named on the command line (``narrate build content/a.md``), if any."""
    if project.selected is None:
        return ()
    wanted = project.selected.resolve()
    for doc in docs:
        if any((project.root / s).resolve() == wanted for s in doc.source_files):
            return (doc.meta.slug,)
    for failure in failures:
        if (project.root / failure.source).resolve() == wanted:
            return (failure.slug,)
    raise ConfigError("expected a publication source (an article, or a chapter of a book), found a file "
                      "narrate does not build", project.rel(wanted))


def _select(docs: list[m.Document], failures: list[PublicationResult], only: tuple[str, ...]) -> list[m.Document]:
    if not only:
        return docs
    known = {d.meta.slug for d in docs} | {f.slug for f in failures}
    for slug in only:
        if slug not in known:
            raise ConfigError(f"--only {slug}: no publication has that slug (known: {', '.join(sorted(known))})")
    failures[:] = [f for f in failures if f.slug in only]
    return [d for d in docs if d.meta.slug in only]


# --------------------------------------------------------------------- keys


@dataclass(frozen=True)
class Job:
    root: Path
    output: Path
    doc: m.Document
    makers: tuple[str, ...]
    keys: dict[str, str]
    previous: dict[str, Any] | None
    config: Config
    voice: str
    cache_dir: Path
    premade: Any = None  # a ``TextResult``: text editions a cluster made (``editions/text_tasks``)
    jobs: int = 1  # workers its narration may use (a build of one publication: the build's own)
    prepared: Any = None  # (voice profile, script) the cluster path worked out (``editions/on_cluster``)


def _job(project: Project, output: Path, doc: m.Document, makers: tuple[str, ...], options: BuildOptions,
         previous: dict[str, Any] | None, fingerprints: Fingerprints) -> Job:
    voice = options.voice or doc.meta.voice or project.config.defaults.voice
    keys = {maker: fingerprints.key(doc, maker, voice, makers) for maker in makers}
    return Job(project.root, output, doc, makers, keys, previous, project.config, voice, project.cache_dir)


def _needs_narration(job: Job) -> bool:
    previous = {a.get("format"): a for a in (job.previous or {}).get("artifacts", []) if isinstance(a, dict)}
    return any(MAKERS[maker][2] and _reusable(job.output, previous, MAKERS[maker][1], job.keys[maker]) is None
               for maker in job.makers)


def _text_todo(job: Job, kinds: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The makers of ``kinds`` (default: the text editions) whose editions must be made again."""
    from narrate.editions.text_tasks import TEXT_MAKERS

    previous = {a.get("format"): a for a in (job.previous or {}).get("artifacts", []) if isinstance(a, dict)}
    return tuple(maker for maker in job.makers if maker in (kinds or TEXT_MAKERS)
                 and _reusable(job.output, previous, MAKERS[maker][1], job.keys[maker]) is None)


def _presynthesize(project: Project, jobs: list[Job], options: BuildOptions, reporter: Reporter) -> list[Job]:
    """With --jobs N, every sentence the batch still needs is synthesized first, on N workers; on a
    Ray cluster, its chapters narrated and its text editions made there (the jobs carry them)."""
    batch = [(job.doc, job.voice) for job in jobs if _needs_narration(job)]
    text = [(job.doc, todo) for job in jobs if (todo := _text_todo(job))] if options.executor == "ray" else []
    if not batch and not text:
        return jobs

    def progress(stage: str, done: int, total: int) -> None:
        reporter.progress("all publications", done, total, 0)

    if options.executor != "ray":
        presynthesize(project.root, project.config, project.cache_dir, batch, options.jobs, progress)
        return jobs
    from narrate.audio.cluster import Outcome
    from narrate.audio.ray import ray_executor
    from narrate.editions.audio_tasks import AUDIO_MAKERS, audio_tasks, merged
    from narrate.editions.on_cluster import narrate_on_cluster
    from narrate.editions.text_tasks import text_tasks

    formats = tuple(dict.fromkeys(maker for job in jobs for maker in job.makers))
    outcome, prepared = Outcome(), {}
    audio = [(job.doc, job.voice, todo) for job in jobs if (todo := _text_todo(job, AUDIO_MAKERS))]
    slots = {doc.meta.slug: index for index, (doc, _, _) in enumerate(audio)}
    with ray_executor(options.ray_address, reporter.warning) as executor:
        tasks, made = text_tasks(executor, project.root, project.config, text, formats, page_list(formats))
        stitching, stitched, received = audio_tasks(executor, project.root, project.config, project.cache_dir,
                                                    audio, prepared, formats, page_list(formats))
        # whole chapters on the nodes, the text editions alongside, and each publication's audio
        # editions stitched on a node as soon as its chapters are: this machine only writes
        # (``editions/on_cluster``, ``editions/text_tasks``, ``editions/audio_tasks``)
        if batch:
            outcome = narrate_on_cluster(project.root, project.config, project.cache_dir, batch, formats, executor,
                                         progress, prepared, [tasks],
                                         lambda slug: [(stitching, slots[slug])] if slug in slots else [])
        elif text:
            executor.run_tasks(tasks)
        if lost := stitching.lost:
            reporter.warning(f"Ray: the audio editions of {len(lost)} publication(s) could not be stitched on "
                             f"the cluster (the first: {next(iter(lost.values()))}); they are stitched here")
        executor.received_bytes += received[0]
    jobs = [replace(job, premade=merged(made.get(job.doc.meta.slug), stitched.get(job.doc.meta.slug)),
                    prepared=prepared.get(job.doc.meta.slug)) for job in jobs]
    if outcome.failed:
        first = next(iter(outcome.failed.values()))
        reporter.warning(f"Ray: {len(outcome.failed)} chapter(s) could not be narrated on the cluster (the first: "
                         f"{first}); their publications narrate them here")
    return jobs


def _resolve_executor(project: Project, options: BuildOptions) -> BuildOptions:
    """--executor over [build] executor; --ray-address over RAY_ADDRESS over [build] ray_address."""
    executor = options.executor or project.config.build.executor
    if executor not in EXECUTORS:
        raise ConfigError(f"--executor: expected one of {', '.join(EXECUTORS)}, found {executor!r}")
    if executor == "ray":
        from narrate.audio.ray import import_ray

        import_ray()  # not installed: say how to install it before any work
    address = options.ray_address or os.environ.get("RAY_ADDRESS", "") or project.config.build.ray_address
    return replace(options, executor=executor, ray_address=address)


# -------------------------------------------------------------------- running


def _run(jobs: list[Job], options: BuildOptions, reporter: Reporter, results: list[PublicationResult],
         checkpoint: Callable[[], None]) -> None:
    """Build every job, appending to ``results`` as each finishes (so an interrupt keeps them)."""
    workers = min(max(1, options.jobs), len(jobs))
    if workers <= 1:
        for job in jobs:
            result = build_publication(job, reporter)
            reporter.finished(result)
            results.append(result)
            checkpoint()
            if options.fail_fast and not result.ok:
                break
        return
    _run_parallel(jobs, workers, options, reporter, results, checkpoint)


def _run_parallel(jobs: list[Job], workers: int, options: BuildOptions, reporter: Reporter,
                  results: list[PublicationResult], checkpoint: Callable[[], None]) -> None:
    """Publications on worker processes, largest first; progress comes back through a queue.

    Largest first (by source size) keeps a long book from starting last and running
    alone. Each worker's engine gets ``cores // workers`` threads.
    """
    threads = max(1, (os.cpu_count() or 1) // workers)
    _preload(jobs[0].makers)
    # Forked workers start at once; but a parent that loaded onnxruntime (Piper) must not be
    # forked, so then they are spawned (each re-imports narrate: about a second apiece).
    context = multiprocessing.get_context("spawn" if "onnxruntime" in sys.modules else "fork")
    events = context.Queue()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                               initargs=(threads, events))
    try:
        pending = {pool.submit(_build_in_worker, job): job for job in sorted(jobs, key=_size, reverse=True)}
        while pending:
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(events, reporter)
            for future in done:
                job = pending.pop(future)
                result = _result_of(future, job)
                reporter.finished(result)
                results.append(result)
                checkpoint()
                if options.fail_fast and not result.ok:
                    for other in pending:
                        other.cancel()
                    pending = {f: j for f, j in pending.items() if not f.cancelled()}
    except BaseException:  # Ctrl-C, SIGTERM: stop the workers too, then report the interrupt
        stop_pool(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _drain(events, reporter)
        events.close()


def _result_of(future: Future, job: Job) -> PublicationResult:
    """A worker's result; a worker that died (OOM killer, a signal, a native crash) fails the
    publications it took down with it, as ``path: message``, like any other failure."""
    try:
        return future.result()
    except (BrokenProcessPool, CancelledError):
        error = OutputError("the worker process building this publication died (killed by a signal or by the "
                            "out-of-memory killer, or crashed); its previous editions are kept; run the build "
                            "again, with fewer --jobs if memory is short", job.doc.source_files[0])
        return PublicationResult(job.doc.meta.slug, job.doc.meta.title, job.doc.source_files[0], error=error)


def _size(job: Job) -> int:
    return sum((job.root / rel).stat().st_size for rel in job.doc.source_files if (job.root / rel).is_file())


def _preload(makers: tuple[str, ...]) -> None:
    """Import the writers before forking, so workers inherit them instead of each paying
    for WeasyPrint's and ebooklib's imports (about half a second apiece)."""
    wanted = {"epub": "narrate.writers.epub", "epub-readaloud": "narrate.editions.readalong",
              "pdf": "narrate.writers.pdf", "pdf-large": "narrate.writers.pdf",
              "mp3": "narrate.editions.narration", "m4b": "narrate.editions.narration"}
    for maker in makers:
        if maker in wanted:
            importlib.import_module(wanted[maker])


_EVENTS: Any = None  # in a worker: the queue back to the main process


def _init_worker(threads: int, events: Any) -> None:
    global _EVENTS
    _EVENTS = events
    os.environ["NARRATE_ENGINE_THREADS"] = str(threads)
    install_stop_handlers()


def _build_in_worker(job: Job) -> PublicationResult:
    with stoppable_task():
        try:
            return build_publication(job, QueueReporter(_EVENTS))
        except KeyboardInterrupt:
            remove_unfinished()
            raise


class QueueReporter:
    """Runs in a worker: forwards started/progress events to the main process."""

    def __init__(self, events: Any):
        self.events = events

    def warning(self, message: str) -> None:
        self.events.put(("warning", (message,)))

    def started(self, slug: str, title: str) -> None:
        self.events.put(("started", (slug, title)))

    def progress(self, slug: str, done: int, total: int, audio_ms: int) -> None:
        self.events.put(("progress", (slug, done, total, audio_ms)))

    def finished(self, result: PublicationResult) -> None:
        pass  # the main process reports results from the futures


def _drain(events: Any, reporter: Reporter) -> None:
    while True:
        try:
            kind, args = events.get_nowait()
        except (queue.Empty, OSError, EOFError):
            return
        getattr(reporter, kind)(*args)


def build_publication(job: Job, reporter: Reporter | None) -> PublicationResult:
    """Make a publication's changed editions in a staging folder, then move them into place.

    Nothing replaces a previous edition until every edition of the publication is made,
    so a failed, interrupted or killed build leaves the previous outputs as they were. If
    moving fails midway (a full disk, a permission), the publication fails but its entry
    records the editions already moved, so the manifest always agrees with the files.
    """
    doc = job.doc
    slug = doc.meta.slug
    result = PublicationResult(slug, doc.meta.title, doc.source_files[0])
    started = time.monotonic()
    staging = job.output / STAGING / slug
    if reporter is not None:
        reporter.started(slug, doc.meta.title)
    progress = (lambda done, total, ms: reporter.progress(slug, done, total, ms)) if reporter else None
    # With --jobs N a batch was synthesized beforehand; one publication synthesizes on job.jobs workers.
    ctx = PublicationContext(doc, job.root, staging, job.config, job.voice, job.cache_dir, job.jobs, progress=progress,
                             page_list=page_list(job.makers), formats=tuple(job.makers),
                             prepared=job.prepared)
    previous = {a.get("format"): a for a in (job.previous or {}).get("artifacts", []) if isinstance(a, dict)}
    artifacts: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    try:
        shutil.rmtree(staging, ignore_errors=True)
        made = _make_all(job, ctx, previous, artifacts, result)
        _move_into_place(job, made, moved)
    except NarrateError as exc:
        result.error = _project_relative(exc, job)
    except Exception as exc:  # a bug in narrate: report it, keep building the others
        result.error = _internal_error(exc, job, doc)
    finally:
        for cleanup in ctx.cleanups:
            cleanup()
        shutil.rmtree(staging, ignore_errors=True)
    artifacts += moved
    done = {a["format"] for a in artifacts}
    # formats not requested this time keep their previous entries while their files exist
    artifacts += [a for fmt, a in previous.items()
                  if fmt not in done and (job.output / str(a.get("path", ""))).is_file()]
    result.warnings = ctx.warnings
    result.seconds = time.monotonic() - started
    if result.ok or moved:
        result.entry = {"slug": slug, "title": doc.meta.title, "kind": doc.meta.kind,
                        "language": doc.meta.language, "source": doc.source_files[0], "artifacts": artifacts}
    return result


# Makers that only stitch the rendered narration's cached pieces (ffmpeg copying frames): they
# run side by side once the narration is rendered, so an edit's MP3 and M4B are written together.
STITCHERS = ("mp3", "m4b")


def _make_all(job: Job, ctx: PublicationContext, previous: dict[str, Any], artifacts: list[dict[str, Any]],
              result: PublicationResult) -> list[tuple[str, Path, str, dict[str, Any]]]:
    todo = []
    for maker in job.makers:
        formats = MAKERS[maker][1]
        reused = _reusable(job.output, previous, formats, job.keys[maker])
        if reused is None:
            todo.append(maker)
        else:
            artifacts += reused
            result.reused += list(formats)
            if maker == "cover":
                ctx._cover = _reused_cover(job.output, reused[0])
    here = [maker for maker in todo if job.premade is None or maker not in job.premade.made]  # not made on a node
    stitchers = [maker for maker in here if maker in STITCHERS] if len(set(here) & set(STITCHERS)) > 1 else []
    narrated = [maker for maker in here if MAKERS[maker][2]]
    text = [maker for maker in todo if maker not in narrated]
    made = _text_while_rendering(job, ctx, text) if narrated and text else {}
    made |= {maker: _make(job, maker, ctx) for maker in todo if maker not in stitchers and maker not in made}
    if stitchers:
        narration(ctx)  # rendered once, here, before the stitchers share it
        with ThreadPoolExecutor(max_workers=len(stitchers), thread_name_prefix="narrate-stitch") as pool:
            running = {maker: pool.submit(MAKERS[maker][0], ctx) for maker in stitchers}
            made |= {maker: running[maker].result() for maker in stitchers}  # the first failure in maker order
    result.built += [fmt for maker in todo for fmt in MAKERS[maker][1]]
    return [(fmt, path, job.keys[maker], extra) for maker in todo for fmt, path, extra in made[maker]]


def _make(job: Job, maker: str, ctx: PublicationContext) -> Made:
    """``maker``'s edition: written from what a cluster node made of it (``editions/text_tasks``), else made here."""
    if job.premade is None or maker not in job.premade.made:
        return MAKERS[maker][0](ctx)
    from narrate.editions.text_tasks import write_made

    ctx.warnings.extend(job.premade.warnings.get(maker, []))
    return write_made(ctx, job.premade.made[maker])


def _interrupt(thread: threading.Thread) -> None:
    """Raise KeyboardInterrupt in ``thread`` (at its next Python instruction: a running ffmpeg or
    model call ends first) and wait a little for its ``finally`` blocks."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident or 0), ctypes.py_object(KeyboardInterrupt))
    thread.join(STOP_WAIT_S)


def _text_while_rendering(job: Job, ctx: PublicationContext, makers: list[str]) -> dict[str, Made]:
    """The text editions ``makers`` made here while the narration renders on a thread (ffmpeg and
    the voice work mostly outside the interpreter's lock, so the two share the cores). An error
    waits for the render to end (the publication's cleanups then remove its work folder); an
    interrupt (Ctrl-C, SIGTERM) is raised in the render too, which is given ``STOP_WAIT_S`` for its
    cleanups (an atomic write's temp file, ffmpeg) before the build goes on stopping."""
    failed: list[BaseException] = []

    def render() -> None:
        try:
            narration(ctx)
        except BaseException as exc:  # raised in the build's thread, below
            failed.append(exc)

    thread = threading.Thread(target=render, name="narrate-render", daemon=True)
    thread.start()
    try:
        made = {maker: _make(job, maker, ctx) for maker in makers}
        thread.join()
    except Exception:
        thread.join()
        raise
    except BaseException:
        _interrupt(thread)
        raise
    if failed:
        raise failed[0]
    return made


def _move_into_place(job: Job, made: list[tuple[str, Path, str, dict[str, Any]]],
                     entries: list[dict[str, Any]]) -> None:
    """Rename each new edition over the old one, appending its entry to ``entries`` as it lands."""
    final_dir = job.output / job.doc.meta.slug
    try:
        final_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the publication's folder: {exc.strerror}", final_dir) from exc
    for fmt, path, key, extra in made:
        target = final_dir / path.name
        try:
            os.replace(path, target)
        except OSError as exc:
            raise OutputError(f"cannot move the new edition into place: {exc.strerror}", target) from exc
        entries.append(artifact_entry(job.output, fmt, target, key, **extra))


def _project_relative(exc: NarrateError, job: Job) -> NarrateError:
    """Name the file relative to the project (a staged edition by its final place), so a
    message reads the same from any worker, any folder, --jobs 1 or N."""
    if exc.path and Path(exc.path).is_absolute():
        path = Path(exc.path)
        staging = job.output / STAGING / job.doc.meta.slug
        if path.is_relative_to(staging):
            path = job.output / job.doc.meta.slug / path.relative_to(staging)
        exc.path = path.relative_to(job.root).as_posix() if path.is_relative_to(job.root) else str(path)
    return exc


def _internal_error(exc: Exception, job: Job, doc: m.Document) -> NarrateError:
    log = job.root / ".narrate" / "crash.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"--- {doc.meta.slug}\n{''.join(traceback.format_exception(exc))}\n")
    except OSError:
        pass
    return NarrateError(f"internal error in narrate ({type(exc).__name__}: {exc}); this is a bug, "
                        f"details in {log}", doc.source_files[0])


def _reused_cover(output: Path, entry: dict[str, Any]) -> tuple[bytes, str]:
    """The cover the previous build made, for the editions that embed it (the EPUB): reused
    under the same key, it is the image cover_bytes would make again (a generated cover's
    drawing and PNG encoding cost an edit's rebuild about half a CPU-second)."""
    path = output / str(entry["path"])
    return path.read_bytes(), path.suffix.lstrip(".")


def _reusable(output: Path, previous: dict[str, Any], formats: tuple[str, ...], key: str):
    entries = []
    for fmt in formats:
        entry = previous.get(fmt)
        if not entry or entry.get("key") != key:
            return None
        path = output / str(entry.get("path", ""))
        if not path.is_file() or path.stat().st_size != entry.get("bytes"):
            return None
        entries.append(entry)
    return entries


def _write_manifest(output: Path, previous: dict[str, Any], results: list[PublicationResult],
                    current: set[str], first_built: FirstBuilt) -> None:
    publications: dict[str, dict[str, Any]] = {}
    for slug, entry in previous.items():
        if slug in current:  # keep what a failed or unselected publication had
            publications[slug] = entry
    for result in results:
        if result.entry is not None:  # first_built: an undated episode's stable pubDate (publish/catalog)
            publications[result.slug] = {**result.entry,
                                         "first_built": first_built.date(result.slug, previous.get(result.slug))}
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the output folder: {exc.strerror or exc}", output) from exc
    write_manifest(output, list(publications.values()))


def default_jobs() -> int:
    return os.cpu_count() or 1
