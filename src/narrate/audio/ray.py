"""Sentence synthesis on a Ray cluster (``narrate build --executor ray``).

A pool of Ray actors, one per cluster CPU, each holding one loaded voice. The voice's
files (a Piper model and its config, the profile's lexicons) travel through Ray's object
store: an actor writes them into a private temp folder on its own node, so the nodes
need narrate installed but no shared filesystem. Sentences go out in batches; each
finished batch comes back as WAV bytes and is written, atomically, into the
content-addressed cache on the machine running ``narrate build`` (``audio_synth``), so
progress, resume and ``narrate clean`` work as with the local pool.

Faults: a batch whose actor (or node) died is queued again for a live actor and a
replacement actor is requested; a segment is a pure function of its key, so a retried
batch writes the same bytes. Ctrl-C kills this build's actors and disconnects; a local
Ray started for the build is stopped, a cluster narrate did not start never is.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from narrate import errors
from narrate.artifacts import atomic_path, atomic_write
from narrate.errors import AudioError, ConfigError, NarrateError
from narrate.speech.voices import VoiceProfile, piper_model_paths

INSTALL_HINT = 'pip install "narrate[ray]" (or run scripts/setup.sh)'
CONNECT_TIMEOUT_S = 5.0
MAX_BATCH = 32  # sentences per task: ~10 s of Piper work, so per-task overhead stays far below 1 %
IN_FLIGHT = 2  # batches queued per actor, so an actor never waits for the driver between batches
STALL_TIMEOUT_S = 600.0  # no batch finished and no actor alive for this long: give up

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
        kwargs |= {"include_dashboard": False, "_node_ip_address": "127.0.0.1"}
    try:
        ray.init(address=address or "local", **kwargs)  # "local": a new Ray, never a running one
    except Exception as exc:  # Ray raises ConnectionError, RpcError, RuntimeError, ValueError...
        where = address or "a local Ray"
        raise ConfigError(f"cannot connect to the Ray cluster at {where!r}: {exc}") from None
    try:
        yield ray
    finally:
        ray.shutdown()


# ---------------------------------------------------------------- the actors


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
            for ref in running:
                with contextlib.suppress(Exception):
                    ray.cancel(ref, force=False)
            for actor in [*live, *starting.values()]:
                with contextlib.suppress(Exception):
                    ray.kill(actor)
        if self.retried:
            self.warn(f"Ray: {self.retried} batch(es) of voice {profile.name!r} were run again after a worker "
                      "or node was lost; nothing was lost")

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
    with ray_session(address) as ray:
        yield RayExecutor(ray, warn)
