"""A stop signal that reaches a worker process while it still starts (a spawned one imports narrate
for a second or more on a loaded machine) is taken as a stop, never as a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import interruptible

# A pool started as narrate starts its own (``workers_starting``), whose worker is sent SIGINT
# before its stop handlers are in place: exactly where a Ctrl-C to the process group lands when a
# worker is slow to start. Each worker then gets one task.
SCRIPT = textwrap.dedent('''
    import multiprocessing
    import os
    import signal
    import sys
    from concurrent.futures import ProcessPoolExecutor

    from narrate.audio.synth import install_stop_handlers, stoppable_task, workers_starting


    def start() -> None:
        os.kill(os.getpid(), signal.SIGINT)  # the Ctrl-C, while this worker starts
        os.kill(os.getpid(), signal.SIGTERM)  # and the stop's SIGTERM
        install_stop_handlers()


    def task(n: int) -> int:
        with stoppable_task():
            return n


    if __name__ == "__main__":
        context = multiprocessing.get_context(sys.argv[1])
        with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=start) as pool:
            with workers_starting(context):
                future = pool.submit(task, 1)
            try:
                future.result(timeout=60)
            except KeyboardInterrupt:
                print("refused")  # the worker took the signal as a stop: queued work is refused
''')


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_stop_while_a_worker_starts_is_a_stop_not_a_traceback(tmp_path: Path, method: str) -> None:
    script = tmp_path / "pool.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1] / "src"),
                                                         os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script), method], capture_output=True, text=True, timeout=120,
                          env=env, preexec_fn=interruptible)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0 and done.stdout.strip() == "refused", done.stdout + done.stderr


def test_the_starting_thread_gets_its_signals_back() -> None:
    import multiprocessing

    from narrate.audio.synth import workers_starting

    before = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    with workers_starting(multiprocessing.get_context("spawn")):
        assert {signal.SIGINT, signal.SIGTERM} <= signal.pthread_sigmask(signal.SIG_BLOCK, set())
    assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == before
