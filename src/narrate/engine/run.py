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
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from narrate import model as m
from narrate.artifacts import ManifestError, is_temp_name, load_manifest, write_manifest
from narrate.editions.context import page_list
from narrate.editions.makers import MAKERS
from narrate.editions.narration import preflight_narration, presynthesize
from narrate.engine.fingerprints import Fingerprints
from narrate.engine.first_built import FirstBuilt
from narrate.engine.job import STAGING, BuildOptions, Job, Reporter, SilentReporter, resolve_formats, reusable
from narrate.engine.lock import project_lock
from narrate.engine.outputs import refuse_foreign_output, remember_output
from narrate.engine.publication import build_publication
from narrate.engine.results import BuildReport, PublicationResult
from narrate.engine.workers import run_parallel
from narrate.errors import ConfigError, NarrateError, OutputError, SourceError
from narrate.sources.config import EXECUTORS
from narrate.sources.project import Project, Source, discover, load_document, modified_time, open_project


def build(root: Path | str, options: BuildOptions, reporter: Reporter | None = None) -> BuildReport:
    reporter = reporter or SilentReporter()
    with project_lock(root, "build", reporter.warning):
        try:
            return _build(root, options, reporter)
        except KeyboardInterrupt:
            # the workers and the render thread have stopped (or been stopped): what their
            # interrupted writes left in the cache goes now, not at the next build (the lock is held)
            with contextlib.suppress(NarrateError):
                _sweep_temp_files(open_project(root).cache_dir)
            raise


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
    refuse_foreign_output(project, output)
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


def _job(project: Project, output: Path, doc: m.Document, makers: tuple[str, ...], options: BuildOptions,
         previous: dict[str, Any] | None, fingerprints: Fingerprints) -> Job:
    voice = options.voice or doc.meta.voice or project.config.defaults.voice
    keys = {maker: fingerprints.key(doc, maker, voice, makers) for maker in makers}
    return Job(project.root, output, doc, makers, keys, previous, project.config, voice, project.cache_dir)


def _needs_narration(job: Job) -> bool:
    previous = {a.get("format"): a for a in (job.previous or {}).get("artifacts", []) if isinstance(a, dict)}
    return any(MAKERS[maker][2] and reusable(job.output, previous, MAKERS[maker][1], job.keys[maker]) is None
               for maker in job.makers)


def _text_todo(job: Job, kinds: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The makers of ``kinds`` (default: the text editions) whose editions must be made again."""
    from narrate.editions.text_tasks import TEXT_MAKERS

    previous = {a.get("format"): a for a in (job.previous or {}).get("artifacts", []) if isinstance(a, dict)}
    return tuple(maker for maker in job.makers if maker in (kinds or TEXT_MAKERS)
                 and reusable(job.output, previous, MAKERS[maker][1], job.keys[maker]) is None)


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
                                                    audio, prepared, formats, page_list(formats), made)
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
    run_parallel(jobs, workers, options, reporter, results, checkpoint)


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
