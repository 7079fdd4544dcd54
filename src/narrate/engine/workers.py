"""Publications built on worker processes (``--jobs N``, the local executor): largest first,
progress sent back through a queue, a worker that dies failing only the publications it held."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import queue
import sys
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from narrate.artifacts import remove_unfinished
from narrate.audio.synth import install_stop_handlers, stop_pool, stoppable_task, workers_starting
from narrate.engine.job import BuildOptions, Job, Reporter
from narrate.engine.publication import build_publication
from narrate.engine.results import PublicationResult
from narrate.errors import OutputError


def run_parallel(jobs: list[Job], workers: int, options: BuildOptions, reporter: Reporter,
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
        with workers_starting(context):
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
