"""Sentence synthesis on a Ray cluster (``narrate build --executor ray``).

A pool of Ray actors, one per cluster CPU, each holding one loaded voice. The voice's
files (a Piper model and its config, the profile's lexicons) travel through Ray's object
store: an actor writes them into a private temp folder on its own node, so the nodes
need narrate installed but no shared filesystem. Sentences go out in batches; each
finished batch comes back as FLAC bytes and is written, atomically, into the
content-addressed cache on the machine running ``narrate build`` (``audio_synth``), so
progress, resume and ``narrate clean`` work as with the local pool.

Faults: a batch whose actor (or node) died is queued again for a live actor and a
replacement actor is requested; a segment is a pure function of its key, so a retried
batch writes the same bytes. Ctrl-C kills this build's actors and disconnects; a local
Ray started for the build is stopped, a cluster narrate did not start never is. A head
that stops answering is a ``ClusterError`` (exit 9) within seconds (``HeadWatch``).

A local Ray started here listens on 127.0.0.1 only, with a token of narrate's own
(``loopback_only``).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from narrate import errors
from narrate.artifacts import atomic_path, remove_unfinished
from narrate.audio.cluster import (
    TASK_RETRIES,
    Calls,
    ChapterWork,
    Outcome,
    Tasks,
    VoiceStore,
    run_chapters,
    run_tasks,
)
from narrate.audio.ray_worker import VoiceWorker, voice_files
from narrate.errors import AudioError, ClusterError, ConfigError, NarrateError
from narrate.speech.voices import VoiceProfile

INSTALL_HINT = 'pip install "narrate[ray]" (or run scripts/setup.sh)'
CONNECT_TIMEOUT_S = 5.0
MAX_BATCH = 32  # sentences per task: ~10 s of Piper work, so per-task overhead stays far below 1 %
IN_FLIGHT = 2  # batches queued per actor, so an actor never waits for the driver between batches
STALL_TIMEOUT_S = 600.0  # no batch finished and no actor alive for this long: give up
HEAD_CHECK_S = 2.0  # how often the driver checks that the cluster's head still answers
HEAD_LOST_S = 10.0  # unanswered this long: the head is gone (Ray's own core ends the driver after 60 s)
SAFE_POINT_S = 3.0  # then the build's loop has this long to raise it between two tasks...
LAST_RESORT_S = 5.0  # ...a signal this long to raise it wherever the build is, before the process ends
HEAD_LOST_SIGNAL = signal.SIGUSR2

Progress = Callable[[str, int, int], None]
Warn = Callable[[str], None]


def import_ray() -> Any:
    """The ``ray`` module, or a ConfigError saying how to install it."""
    try:
        import ray
    except ImportError:
        raise ConfigError(f"executor 'ray' needs Ray, which is not installed here; install it with "
                          f"{INSTALL_HINT}") from None
    return ray


def _host_port(address: str) -> tuple[str, int]:
    bare = address.split("://", 1)[-1].rstrip("/")
    host, sep, port = bare.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ConfigError(f"Ray address {address!r}: expected HOST:PORT (e.g. 10.0.0.5:6379), 'auto', or "
                          "ray://HOST:10001")
    return host.strip("[]"), int(port)


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """A ConfigError naming ``address`` unless a gRPC server (as Ray's head is) answers there within ``timeout``.

    Ray's own connect retries for 40 s or more, and waits as long on a port that is not Ray's
    (the dashboard's, say); this answers in seconds. The check is the HTTP/2 handshake every
    gRPC server answers with a SETTINGS frame.
    """
    host, port = _host_port(address)
    hint = ("; start it with `ray start --head` on that machine, or fix --ray-address / RAY_ADDRESS / "
            "[build] ray_address")
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))
            reply = conn.recv(9)
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise ConfigError(f"cannot reach the Ray cluster at {address!r} ({reason}){hint}") from None
    if len(reply) < 4 or reply[3] != 4:
        raise ConfigError(f"{address!r} answers, but not as a Ray cluster (no gRPC server there); expected the "
                          "address `ray start --head` printed (port 6379 by default, not the dashboard's)")


@contextlib.contextmanager
def ray_session(address: str = "") -> Iterator[Any]:
    """Ray connected for the build: to ``address``, to RAY_ADDRESS, or to a local Ray started here.

    Only a local Ray started here is stopped afterwards (``ray.shutdown`` on a connected
    driver just disconnects).
    """
    ray = import_ray()
    if ray.is_initialized():  # a program that already set Ray up keeps its session
        yield ray
        return
    address = address or os.environ.get("RAY_ADDRESS", "")
    if address and address != "auto":
        check_reachable(address)
    kwargs: dict[str, Any] = {"logging_level": "ERROR", "log_to_driver": False, "configure_logging": True}
    if not address:
        kwargs |= {"include_dashboard": False, "_node_ip_address": LOOPBACK}
    with loopback_only(ray) if not address else contextlib.nullcontext():
        try:
            ray.init(address=address or "local", **kwargs)  # "local": a new Ray, never a running one
        except Exception as exc:  # Ray raises ConnectionError, RpcError, RuntimeError, ValueError...
            where = address or "a local Ray"
            raise ConfigError(f"cannot connect to the Ray cluster at {where!r}: {exc}") from None
        try:
            if not address:
                check_loopback(ray)
            yield ray
        finally:
            ray.shutdown()


LOOPBACK = "127.0.0.1"
# Ray binds its servers (GCS, raylet, workers) to the node's address when that address is a
# loopback one, else to every interface. But a Linux Ray swaps a loopback node address for the
# machine's network address unless this variable is "0" (it exists so that a laptop's Ray stays
# local): read from the environment by the processes Ray starts, and by the driver when Ray is
# imported, so the driver's copy is set too.
LOCAL_ONLY_VAR = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
_TOKEN = secrets.token_hex(32)  # one per narrate process: Ray's driver caches the token it first loads
_AUTH_VARS = ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH", LOCAL_ONLY_VAR)


@contextlib.contextmanager
def loopback_only(ray: Any) -> Iterator[None]:
    """While a local Ray started by narrate runs: its node address stays 127.0.0.1 (so every one
    of its servers listens there only), and its token (Ray asks for one from every client) is
    narrate's own, handed down in the environment (readable by this user only) instead of Ray's
    default ``~/.ray/auth_token``, which Ray writes readable by every user of the machine."""
    from ray._private import ray_constants

    saved = {name: os.environ.get(name) for name in _AUTH_VARS}
    cluster_flag = getattr(ray_constants, "ENABLE_RAY_CLUSTER", None)
    os.environ.update({LOCAL_ONLY_VAR: "0", "RAY_AUTH_TOKEN": _TOKEN})
    for name in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN_PATH"):  # unset: a new local Ray turns token mode on itself
        os.environ.pop(name, None)
    if cluster_flag is not None:
        ray_constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        if cluster_flag is not None:
            ray_constants.ENABLE_RAY_CLUSTER = cluster_flag
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def check_loopback(ray: Any) -> None:
    """A ConfigError (and the local Ray stopped) unless the local Ray's node address is loopback:
    a Ray version that ignored ``loopback_only`` would listen on every interface."""
    node_ip = ray.util.get_node_ip_address()
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(node_ip).is_loopback:
            return
    ray.shutdown()
    raise ConfigError(f"the local Ray started for this build would listen on {node_ip}, not only on {LOOPBACK}; "
                      "start a Ray yourself (`ray start --head --node-ip-address 127.0.0.1`) and pass its "
                      "address with --ray-address")


class HeadWatch:
    """Notices the cluster's head (its GCS) going away, well before Ray does.

    Ray's core, in the driver, ends the whole process 60 s after it lost the head, printing
    only its own log line; so the head is checked (the handshake ``check_reachable`` makes)
    every ``HEAD_CHECK_S``, and once it has not answered for ``grace`` seconds (a head restarted
    within that time, Ray's GCS fault tolerance, is waited for) the build ends with a
    ``ClusterError``. The build's loops call ``check`` and raise it where they stand, between
    two tasks. A thread (``start``) checks too, for the times the build is not in such a loop
    (held in a Ray call that waits for the lost head, or in long work of its own): it gives the
    loop ``SAFE_POINT_S`` to raise, then raises the error in the main thread through a signal
    (which wakes a blocking call), and as a last resort, ``LAST_RESORT_S`` later, removes this
    process's unfinished temp files, prints the error and ends the process with its exit code:
    finished cache entries are whole files (written by rename), so nothing is lost.
    """

    def __init__(self, ray: Any, grace: float = HEAD_LOST_S):
        self.address = ""
        with contextlib.suppress(Exception):  # Ray Client (ray://) has no GCS address here
            self.address = str(ray.get_runtime_context().gcs_address or "")
        self.grace = grace
        self.lost = False
        self.error: ClusterError | None = None
        self.done = 0  # sentences or tasks finished in this pass, for the message
        self._next = 0.0
        self._silent_since: float | None = None
        self._probe = threading.Lock()
        self._ended = threading.Event()
        self._thread: threading.Thread | None = None
        self._saved_handler: Any = None

    def check(self, done: int) -> None:
        """In the build's loop: raise the ClusterError once the head is lost."""
        self.done = done
        if self.error is not None:
            raise self.error
        now = time.monotonic()
        if not self.address or now < self._next:
            return
        self._next = now + HEAD_CHECK_S
        if self._silent(now):
            raise self.error  # type: ignore[misc]

    def _silent(self, now: float) -> bool:
        """Probe the head; True (with ``error`` set) once it has not answered for ``grace`` s."""
        with self._probe:
            if self.error is not None:
                return True
            try:
                check_reachable(self.address, timeout=HEAD_CHECK_S)
            except ConfigError:
                self._silent_since = self._silent_since or now
                if now - self._silent_since < self.grace:
                    return False
                self._lose(f" (for {self.grace:.0f} s)")
                return True
            self._silent_since = None
            return False

    def gone_now(self) -> bool:
        """After Ray itself failed (a broken pipe to the lost head's raylet, say): True, with
        ``error`` set, when the head does not answer now (no grace: Ray has already given up)."""
        with self._probe:
            if self.error is not None:
                return True
            if not self.address:
                return False
            try:
                check_reachable(self.address, timeout=HEAD_CHECK_S)
            except ConfigError:
                self._lose("")
                return True
            return False

    def _lose(self, how_long: str) -> None:
        self.lost = True
        self.error = ClusterError(
            f"the Ray cluster's head at {self.address} stopped answering during the build{how_long}; every "
            f"sentence synthesized before ({self.done} in this pass) is kept in the cache and the next build "
            "starts from them; restart the head (`ray start --head`, with its workers) and run `narrate build` "
            "again")

    def start(self) -> None:
        """Watch from a thread too; only in the main thread of a process of its own (a studio's
        build thread is never signalled or ended: its loops' ``check`` is all it gets)."""
        if not self.address or threading.current_thread() is not threading.main_thread():
            return
        self._saved_handler = signal.signal(HEAD_LOST_SIGNAL, self._raise_here)
        self._thread = threading.Thread(target=self._watch, name="narrate-ray-head", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._ended.set()
        if self._thread is not None:
            self._thread.join(timeout=HEAD_CHECK_S * 2)
            self._thread = None
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(HEAD_LOST_SIGNAL, self._saved_handler)

    def _raise_here(self, signum: int, frame: Any) -> None:  # noqa: ARG002 - a signal handler's signature
        if self.error is not None:
            raise self.error

    def _watch(self) -> None:
        while not self._ended.wait(HEAD_CHECK_S):
            if self._silent(time.monotonic()):
                break
        else:
            return
        if self._ended.wait(SAFE_POINT_S):  # the build's loop raised it: the session is over
            return
        signal.pthread_kill(threading.main_thread().ident or 0, HEAD_LOST_SIGNAL)
        if self._ended.wait(LAST_RESORT_S):
            return
        remove_unfinished()
        with contextlib.suppress(Exception):
            sys.stderr.write(f"error: {self.error}\n")
            sys.stderr.flush()
        os._exit(ClusterError.exit_code)


# ---------------------------------------------------------------- the actors


def _actor_class(ray: Any) -> Any:
    # max_restarts=0: a lost actor is replaced by the driver, which re-queues its batches
    # on the actors still alive instead of waiting for the restart to find a free CPU.
    return ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(VoiceWorker)


def _raise_remote(profile: VoiceProfile, failure: tuple[str, str, str | None]) -> None:
    name, message, path = failure
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, NarrateError)):
        cls = NarrateError
    raise cls(message, path or profile.source)


# ---------------------------------------------------------------- the driver


def _write_segment(path: Path, wav: bytes) -> None:
    """As the engines write the cache (``atomic_wav``): temp + rename, no fsync per segment
    (a lost segment is only re-synthesized; an fsync each would cost the driver ~4 ms a sentence)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(wav)


class RayExecutor:
    """Runs a list of (text, cache path) jobs on a pool of ``VoiceWorker`` actors."""

    def __init__(self, ray: Any, warn: Warn | None = None, batch: int = 0):
        self.ray = ray
        self.warn = warn or (lambda message: None)
        self.batch = batch
        self.retried = 0  # batches run again after their actor or node was lost
        self.tasks = 0
        self.failed_starts = 0
        self.driver_seconds = 0.0  # spent here fetching results and writing them into the cache
        self.received_bytes = 0  # cache entries whole chapters sent back (``run_chapters``)
        self.head = HeadWatch(ray)
        self.voice = VoiceStore(ray)  # each voice's files put in the object store once for the build

    def cluster_cpus(self) -> int:
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def batch_size(self, total: int, actors: int) -> int:
        if self.batch:
            return self.batch
        return max(1, min(MAX_BATCH, total // (actors * 4)))

    def run(self, jobs: list[tuple[str, str]], profile: VoiceProfile, progress: Progress | None) -> None:
        ray = self.ray
        from ray.exceptions import RayActorError, WorkerCrashedError

        lost_errors = (RayActorError, WorkerCrashedError)
        total = len(jobs)
        size = min(self.cluster_cpus(), total)
        step = self.batch_size(total, size)
        batches = [jobs[i:i + step] for i in range(0, total, step)]
        size = min(size, len(batches))
        shipped, files = voice_files(profile)
        files_ref = ray.put(files)
        actor_class = _actor_class(ray)

        def new_actor() -> Any:
            return actor_class.remote(shipped, files_ref, 1)

        starting: dict[Any, Any] = {}  # ready() ref -> actor not yet known to be running
        live: dict[Any, int] = {}  # actor -> batches in flight on it

        def start_actor() -> None:
            actor = new_actor()
            starting[actor.ready.remote()] = actor

        for _ in range(size):
            start_actor()
        queue = deque(range(len(batches)))
        running: dict[Any, tuple[Any, int]] = {}
        done = 0
        last_event = time.monotonic()
        try:
            while queue or running:
                self.head.check(done)
                for actor in sorted(live, key=live.get):
                    while queue and live[actor] < IN_FLIGHT:
                        index = queue.popleft()
                        ref = actor.synthesize.remote([text for text, _ in batches[index]])
                        running[ref] = (actor, index)
                        live[actor] += 1
                        self.tasks += 1
                if not running and not starting:
                    raise AudioError(f"voice {profile.name!r}: no Ray worker is left to synthesize on; "
                                     "the cluster lost its nodes", profile.source)
                ready, _ = ray.wait([*running, *starting], num_returns=1, timeout=1.0)
                if not ready:
                    if time.monotonic() - last_event > STALL_TIMEOUT_S:
                        raise AudioError(f"voice {profile.name!r}: no batch finished on the Ray cluster for "
                                         f"{STALL_TIMEOUT_S:.0f} s", profile.source)
                    continue
                last_event = time.monotonic()
                for ref in ready:
                    if ref in starting:
                        actor = starting.pop(ref)
                        try:
                            ray.get(ref)
                        except lost_errors as exc:
                            self.failed_starts += 1
                            if self.failed_starts > 2 * size:  # e.g. narrate not installed on the nodes
                                cause = str(exc).strip().splitlines()[-1][:300]
                                raise AudioError(f"voice {profile.name!r}: Ray workers fail to start ({cause})",
                                                 profile.source) from None
                            start_actor()
                            continue
                        live[actor] = 0
                        continue
                    actor, index = running.pop(ref)
                    fetched = time.perf_counter()
                    try:
                        result = ray.get(ref)
                    except lost_errors:
                        if self._lost(actor, live):
                            start_actor()  # scheduled when a CPU is free: a node rejoining, or a new one
                        queue.appendleft(index)
                        self.retried += 1
                        continue
                    live[actor] -= 1
                    if isinstance(result, tuple):
                        _raise_remote(profile, result)
                    for (_, path), wav in zip(batches[index], result, strict=True):
                        _write_segment(Path(path), wav)
                    done += len(result)
                    self.driver_seconds += time.perf_counter() - fetched
                    if progress:
                        progress("synthesize", done, total)
        finally:
            if not self.head.lost:  # else nothing answers: the actors end with their nodes
                self._stop(running, [*live, *starting.values()])
        if self.retried:
            self.warn(f"Ray: {self.retried} batch(es) of voice {profile.name!r} were run again after a worker "
                      "or node was lost; nothing was lost")

    def run_chapters(self, work: list[ChapterWork], progress: Progress | None, alongside: Sequence[Tasks] = (),
                     finished: Callable[[int], Calls] | None = None, later: Calls = ()) -> Outcome:
        """Whole chapters as Ray tasks (``audio.cluster``): synthesized, mastered and encoded on the
        nodes; what they made written into this machine's cache. The calls of ``alongside`` and
        ``later`` (``remote_tasks``), and those ``finished(index)`` gives once chapter ``index`` is
        back, run in the same pass, so no node waits for one kind to end before the other."""
        if not work and not later and not any(group.count for group in alongside):
            return Outcome()
        outcome = run_chapters(self.ray, self.head, work, self.cluster_cpus(), progress, alongside, finished, later,
                               self.voice)
        self.driver_seconds += outcome.driver_seconds
        self.received_bytes += outcome.received_bytes
        return outcome

    def remote_tasks(self, function: Callable[..., Any], count: int, arguments: Callable[[int], tuple[Any, ...]],
              collect: Callable[[int, Any], None], sources: Callable[[int], str | Path | None]) -> Tasks:
        """``function`` to be called ``count`` times as Ray tasks of one CPU each (``audio.cluster.Tasks``);
        a call whose worker or node was lost runs again elsewhere."""
        task = self.ray.remote(num_cpus=1, max_retries=TASK_RETRIES)(function)
        return Tasks(task, count, arguments, collect, sources)

    def run_tasks(self, tasks: Tasks, progress: Progress | None = None) -> dict[int, str]:
        """``tasks`` run on their own (``audio.cluster.run_tasks``); returns the calls that never finished."""
        return run_tasks(self.ray, self.head, [tasks], self.cluster_cpus(), progress)[0]

    def _stop(self, running: dict[Any, Any], actors: list[Any]) -> None:
        for ref in running:
            with contextlib.suppress(Exception):
                self.ray.cancel(ref, force=False)
        for actor in actors:
            with contextlib.suppress(Exception):
                self.ray.kill(actor)

    def _lost(self, actor: Any, live: dict[Any, int]) -> bool:
        """Forget a dead actor; True the first time (its other in-flight batches fail the same way)."""
        if actor not in live:
            return False
        del live[actor]
        with contextlib.suppress(Exception):
            self.ray.kill(actor)
        return True


@contextlib.contextmanager
def ray_executor(address: str = "", warn: Warn | None = None) -> Iterator[RayExecutor]:
    """A ``RayExecutor`` on the cluster at ``address`` (see ``ray_session``) for one build."""
    executor: RayExecutor | None = None
    try:
        with ray_session(address) as ray:
            executor = RayExecutor(ray, warn)
            executor.head.start()
            yield executor
    except NarrateError:
        raise
    except Exception:  # Ray's own failure once its head is gone (OSError: broken pipe, RpcError...)
        if executor is not None and executor.head.gone_now():
            raise executor.head.error from None
        raise
    finally:  # after the session's end too: disconnecting from a lost head may wait for it
        if executor is not None:
            executor.head.stop()
