"""Segment synthesis through a content-addressed cache, serially or on worker processes.

A segment's audio lives at ``cache_dir/<k[:2]>/<k>.flac`` with
``k = sha256(engine.cache_key() + NUL + spoken text)``, losslessly compressed (``audio_flac``):
an engine writes a WAV beside it under a temporary name, stored as FLAC and removed. Writes
are atomic, so a file that exists is complete: an interrupted build resumes where it stopped.
A file that is not whole all the same (a disk that filled up, a copy cut short, a hand-edited
cache) is synthesized again instead of failing the build: ``segment_complete``. A cache made
before FLAC (``<k>.wav`` only) is converted as it is found, never synthesized again.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import secrets
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Protocol

from narrate.artifacts import remove_unfinished
from narrate.audio import flac
from narrate.errors import AudioError, NarrateError
from narrate.speech.engines import Engine, get_engine
from narrate.speech.voices import VoiceProfile

Progress = Callable[[str, int, int], None]


class Executor(Protocol):
    """Runs (text, cache path) jobs elsewhere than this process's pool, e.g. ``audio_ray.RayExecutor``."""

    def run(self, jobs: list[tuple[str, str]], profile: VoiceProfile, progress: Progress | None) -> None: ...


_WORKER_ENGINE: Engine | None = None


def segment_key(engine_key: str, spoken: str) -> str:
    return hashlib.sha256(f"{engine_key}\0{spoken}".encode()).hexdigest()


def cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / key[:2] / f"{key}{flac.SUFFIX}"


def segment_complete(path: Path) -> bool:
    """Is the cached sentence ``path`` all there? A sentence an older narrate cached as a WAV
    (``<k>.wav`` beside it) is converted to FLAC here, losslessly, and counts as there."""
    if flac.complete(path):
        return True
    return store_wav(path)


def store_wav(path: Path) -> bool:
    """Store ``path``'s WAV (an engine's output, or an older cache's entry) as ``path``; True if done."""
    wav = path.with_suffix(".wav")
    if not wav_complete(wav):
        return False
    try:
        flac.wav_to_flac(wav, path)
    except AudioError:
        return False  # not a mono 16-bit WAV: synthesized again
    wav.unlink(missing_ok=True)
    return True


def synthesize_to_cache(engine: Engine, text: str, path: Path) -> None:
    """``text`` spoken by ``engine`` into the cache entry ``path``, through a WAV under a temporary
    name beside it (one a killed build leaves is swept by the next: ``artifacts.is_temp_name``)."""
    wav = path.parent / f".{path.stem}.wav.{secrets.token_hex(4)}.part"
    try:
        engine.synthesize(text, wav)
        flac.write(path, *flac.from_wav(wav))
    finally:
        wav.unlink(missing_ok=True)


def wav_complete(path: Path) -> bool:
    """Is ``path`` a RIFF/WAVE file whose ``data`` chunk is all there? Reads only the headers."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return False
            pos = 12
            while pos + 8 <= size:
                fh.seek(pos)
                chunk = fh.read(8)
                length = int.from_bytes(chunk[4:8], "little")
                if chunk[:4] == b"data":
                    return pos + 8 + length <= size
                pos += 8 + length + (length & 1)
    except OSError:
        return False
    return False


# ------------------------------------------------------------ stopping workers

_STOPPING = False  # in a worker: a stop signal arrived; queued tasks are refused
STOP_WAIT_S = 30.0  # how long a stopping narrate waits for a worker or the render thread to end its
# cleanups (an atomic write's temp file, the chapters being mastered); a second Ctrl-C stops waiting
_IN_TASK = False  # in a worker: a task is running (``stoppable_task``)


def _stop(signum: int, frame: Any) -> None:  # noqa: ARG001 - signal handler signature
    global _STOPPING
    first, _STOPPING = not _STOPPING, True
    if _IN_TASK:
        if first:  # the first signal interrupts the task; later ones let its cleanup finish
            raise KeyboardInterrupt
        return
    if os.getppid() == 1:  # narrate itself is gone (PR_SET_PDEATHSIG): nothing waits for this worker
        os._exit(1)
    # Between tasks: raising here could cut short a read of the task queue that another worker
    # then finishes on a torn message (multiprocessing prints an EOFError traceback under
    # narrate's message). The worker goes on: tasks still queued are refused, and the pool's
    # shutdown sends it its end.


@contextlib.contextmanager
def stoppable_task() -> Iterator[None]:
    """In a worker: the body is a task that a stop signal interrupts with KeyboardInterrupt (so
    its ``finally`` blocks run); a task queued after the stop is refused."""
    global _IN_TASK
    refuse_if_stopping()
    _IN_TASK = True
    try:
        yield
    finally:
        _IN_TASK = False


def install_stop_handlers() -> None:
    """In a worker process: SIGTERM and SIGINT interrupt the running task (its ``finally``
    blocks run: temp files go, ffmpeg is killed) and every task still queued is refused.
    A worker starts with both blocked (``workers_starting``): one that came while it started
    is handled here, as a stop between tasks."""
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    sys.unraisablehook = _quiet_stop
    _die_with_parent()
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def workers_starting(context: Any) -> Iterator[None]:
    """Around the submits that start a pool's worker processes (``context``: the pool's
    multiprocessing context): each starts with SIGINT and SIGTERM blocked, until its initializer's
    ``install_stop_handlers``. Else a Ctrl-C (sent to the whole process group) or the stop's
    SIGTERM landing while a worker still starts (a spawned one imports narrate for a second or
    more on a loaded machine) raises in its start-up, where nothing catches it: Python prints a
    traceback, cut short when the stop then ends the process, under narrate's "interrupted".
    This thread's mask is restored after (a signal that came meanwhile is taken then)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    if context.get_start_method() != "fork":
        # the resource tracker a spawned worker needs is started with these signals blocked and
        # then *unblocks* them in the starting thread: start it first, so it leaves the mask alone
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _quiet_stop(unraisable: Any) -> None:
    """The stop can land in a finalizer (a ``wave`` writer's ``__del__``), where Python cannot
    raise it and prints it with a traceback instead: that one is expected, so say nothing (the
    task then finishes, and the queued ones are refused). Once stopping, a finalizer of an object the
    interrupt cut short can fail in other ways too (``wave.Wave_write.__del__`` of a writer whose
    ``__init__`` was interrupted: AttributeError): the worker is going away, so nothing is printed."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt) or _STOPPING:
        return
    sys.__unraisablehook__(unraisable)


def _die_with_parent() -> None:
    """Linux: SIGTERM this worker when narrate itself dies, even by SIGKILL (or the OOM
    killer), so an orphaned worker never goes on writing into the cache. Elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the line above: stop now
            os.kill(os.getpid(), signal.SIGTERM)


def refuse_if_stopping() -> None:
    if _STOPPING:
        raise KeyboardInterrupt


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """The main process is stopping: cancel what has not started and signal every worker,
    so no worker goes on building (or leaves an ffmpeg running) after narrate has exited."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if process.is_alive():
                os.kill(process.pid, signal.SIGTERM)
    # wait (a little) for them to go: a worker still reading its next task when narrate exits
    # finds the pipe closed and prints multiprocessing's EOFError traceback
    deadline = time.monotonic() + STOP_WAIT_S
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(max(0.0, deadline - time.monotonic()))
    # one that has not ended by then is stopped outright: it must not go on writing after narrate
    # has exited (the build sweeps the cache's temp files once its workers are gone)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            if process.is_alive():
                process.kill()
                process.join(5.0)
    # Python's exit hook would wake this pool's manager thread through a pipe the broken pool
    # has already closed, printing "OSError: Bad file descriptor" after narrate's own message.
    with contextlib.suppress(AttributeError, TypeError):
        from concurrent.futures import process as futures_process

        futures_process._threads_wakeups.pop(manager, None)


def _init_worker(profile: VoiceProfile, threads: int) -> None:
    global _WORKER_ENGINE
    install_stop_handlers()
    os.environ["NARRATE_ENGINE_THREADS"] = str(threads)  # the workers share the cores
    _WORKER_ENGINE = get_engine(profile)


def _work(job: tuple[str, str]) -> str:
    text, out = job
    assert _WORKER_ENGINE is not None
    with stoppable_task():
        try:
            synthesize_to_cache(_WORKER_ENGINE, text, Path(out))
        except KeyboardInterrupt:
            remove_unfinished()
            raise
        except NarrateError as exc:  # message, path and line cross the process boundary as they are
            raise type(exc)(exc.message, exc.path, exc.line) from None
    return out


def synthesize_missing(
    texts: Sequence[str],
    engine: Engine,
    profile: VoiceProfile,
    cache_dir: Path,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    executor: Executor | None = None,
    on_done: Callable[[Path], None] | None = None,
) -> tuple[list[Path], int]:
    """Cache paths for ``texts`` (in order) and how many had to be synthesized now.

    Empty texts map to no file (``Path()``): they are silent. ``executor`` (e.g. a Ray
    cluster) takes the work instead of the local ``jobs`` processes. ``on_done(path)`` is
    called (in this thread) as each missing file is written, in ``texts`` order, so a caller
    can start on the first chapters while later ones are synthesized.
    """
    key = engine.cache_key()
    paths = [cache_path(cache_dir, segment_key(key, text)) if text.strip() else Path() for text in texts]
    todo: dict[Path, str] = {}
    for text, path in zip(texts, paths, strict=True):
        if text.strip() and path not in todo and not segment_complete(path):
            todo[path] = text
    total = len(todo)
    if progress:
        progress("synthesize", 0, total)
    jobs_list = [(text, str(path)) for path, text in todo.items()]
    try:
        if executor is not None and total:
            executor.run(jobs_list, profile, progress)
            for _, out in jobs_list:
                if on_done:
                    on_done(Path(out))
        elif jobs <= 1 or total < 2:
            for done, (text, out) in enumerate(jobs_list, 1):
                synthesize_to_cache(engine, text, Path(out))
                if progress:
                    progress("synthesize", done, total)
                if on_done:
                    on_done(Path(out))
        else:
            _run_pool(jobs_list, profile, min(jobs, total), progress, on_done)
    except NarrateError:
        raise
    except OSError as exc:
        raise AudioError(f"cannot write synthesized audio ({exc.strerror})", exc.filename or cache_dir) from exc
    return paths, total


def _run_pool(jobs_list: list[tuple[str, str]], profile: VoiceProfile, workers: int, progress: Progress | None,
              on_done: Callable[[Path], None] | None = None) -> None:
    """Synthesize on ``workers`` processes, each loading the engine once (``_init_worker``).

    Workers are spawned, not forked: a parent that already loaded onnxruntime (Piper) must
    not be forked. Spawning re-imports ``__main__``, so a script calling ``render(jobs>1)``
    needs the usual ``if __name__ == "__main__":`` guard (the ``narrate`` command has it).
    """
    total = len(jobs_list)
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_init_worker,
            initargs=(profile, max(1, (os.cpu_count() or 1) // workers)),
        ) as pool:
            try:
                chunk = max(1, min(16, total // (workers * 8)))
                with workers_starting(context):  # map submits every chunk now: the workers start
                    made = pool.map(_work, jobs_list, chunksize=chunk)
                for done, out in enumerate(made, 1):
                    if progress:
                        progress("synthesize", done, total)
                    if on_done:
                        on_done(Path(out))
            except BaseException:
                stop_pool(pool)  # else leaving the with-block would run every queued sentence first
                raise
    except BrokenProcessPool as exc:
        raise AudioError(
            f"voice {profile.name!r}: a synthesis worker process died ({exc}); retry with jobs = 1",
            profile.source,
        ) from exc
