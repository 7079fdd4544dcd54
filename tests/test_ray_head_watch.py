"""The head watch's thread (audio/ray.py ``HeadWatch.start``): a lost head ends the build with
its ClusterError even when the build is not in a loop that calls ``check``, without Ray (a
fake head: a socket that answers the gRPC handshake, or nothing listening)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest_ray import no_network  # noqa: F401  (the fixture: only loopback is reachable)

from narrate.errors import ClusterError

SCRIPT = r'''
import signal, socket, sys, threading, time
from pathlib import Path
import narrate.audio.ray as r
from narrate.artifacts import atomic_path

r.HEAD_CHECK_S, r.SAFE_POINT_S, r.LAST_RESORT_S = 0.2, 0.5, 0.5
mode, folder = sys.argv[1], Path(sys.argv[2])
server = socket.socket()
server.bind(("127.0.0.1", 0))
port = server.getsockname()[1]
if mode == "answering":  # a head that answers the handshake as a gRPC server does
    server.listen()
    def serve():
        while True:
            conn, _ = server.accept()
            with conn:
                conn.recv(64)
                conn.sendall(bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))
    threading.Thread(target=serve, daemon=True).start()
else:
    server.close()  # nothing listens there: the head is gone


class Context:
    gcs_address = f"127.0.0.1:{port}"


class FakeRay:
    def get_runtime_context(self):
        return Context()


watch = r.HeadWatch(FakeRay(), grace=0.6)
watch.start()
try:
    if mode == "deaf":  # held where no signal reaches it (a native call that ignores them)
        signal.pthread_sigmask(signal.SIG_BLOCK, [r.HEAD_LOST_SIGNAL])
    with atomic_path(folder / "entry.flac") as tmp:
        tmp.write_bytes(b"half")
        time.sleep(20)
except r.ClusterError as exc:
    print("raised:", exc, flush=True)
    sys.exit(3)
finally:
    watch.stop()
print("slept through", flush=True)
'''


def run(mode: str, folder: Path, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(folder)], capture_output=True, text=True,
                          timeout=timeout)
    return done, time.monotonic() - started


def test_a_build_held_in_a_call_gets_the_error_through_a_signal(tmp_path):
    done, _ = run("blocked", tmp_path)
    assert done.returncode == 3, done.stderr
    assert "raised:" in done.stdout and "stopped answering during the build" in done.stdout
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # the temp file was removed by atomic_path's finally


def test_a_build_no_signal_reaches_ends_with_the_error_and_its_exit_code(tmp_path):
    done, _ = run("deaf", tmp_path)
    assert done.returncode == ClusterError.exit_code == 9, done.stderr
    assert done.stderr.startswith("error: the Ray cluster's head at 127.0.0.1:"), done.stderr
    assert "Traceback" not in done.stderr and "slept through" not in done.stdout
    assert list(tmp_path.iterdir()) == []  # the unfinished temp file is gone, nothing half-written


def test_a_head_that_answers_is_left_alone(tmp_path):
    script = SCRIPT.replace("time.sleep(20)", "time.sleep(3)")
    done = subprocess.run([sys.executable, "-c", script, "answering", str(tmp_path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "slept through" in done.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["entry.flac"]



def test_after_ray_fails_a_head_that_does_not_answer_is_named_at_once(no_network):  # noqa: F811
    from narrate.audio.ray import HeadWatch

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def serve() -> None:  # answers the handshake once, as a gRPC server does
        conn, _ = server.accept()
        with conn:
            conn.recv(64)
            conn.sendall(bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))

    answering = threading.Thread(target=serve, daemon=True)
    answering.start()

    class Context:
        gcs_address = f"127.0.0.1:{port}"

    class FakeRay:
        def get_runtime_context(self):
            return Context()

    watch = HeadWatch(FakeRay())
    assert not watch.gone_now() and not watch.lost
    answering.join(timeout=10)
    server.close()
    assert watch.gone_now() and watch.lost
    assert "stopped answering during the build;" in str(watch.error)  # no grace counted: Ray gave up first
