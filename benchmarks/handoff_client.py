"""What the ``narrate build`` client costs when it hands its build to a running studio (issue 31).

A small project (the fake voice, MP3 only) is built once, a studio serves it in this process
(``narrate serve``'s server, no file watcher), then ``narrate build`` runs ``--runs`` times with
nothing changed, so the studio's part is a few milliseconds and the client is the figure: its
CPU-seconds (user + system of the child process, ``RUSAGE_CHILDREN``; the studio's threads are not
counted), its wall time, and how long after the client's start the studio began the build (the
client posts it before importing the command line's module since ``studio/early_handoff``; this
process times the studio's side, ``CLOCK_MONOTONIC`` being the machine's). ``--importtime``
prints the client's ten costliest imports (``python -X importtime``, cumulative microseconds)
from one more run.

    PYTHONPATH=src .venv/bin/python benchmarks/handoff_client.py [--runs 10] [--importtime]
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FAKE_VOICE = 'name = "fake"\nengine = "fake"\nmodel = "fake"\nlanguage = "en-US"\n'
ARTICLE = "---\ntitle: A short article\ndate: 2026-01-05\n---\n\nThe harbour was quiet. Boats rested at the quay.\n"


STARTED: list[float] = []  # when the studio began each handed build (``time_the_studio``)


def time_the_studio() -> None:
    """Record when the studio in this process begins each handed build."""
    from narrate.studio import delegate

    real = delegate.run

    def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        STARTED.append(time.monotonic())
        return real(*args, **kwargs)

    delegate.run = timed


def client(root: Path, *flags: str) -> tuple[float, float, str, float]:
    """Wall seconds, CPU-seconds and stderr of one ``narrate build`` handed to the studio, and the
    seconds from its start until the studio began the build."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    STARTED.clear()
    started = time.monotonic()
    proc = subprocess.run([sys.executable, *flags, "-m", "narrate", "build", str(root), "--voice", "fake"],
                          capture_output=True, text=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0 or "building in the studio" not in proc.stderr:
        sys.exit(f"the build was not handed to the studio: {proc.stderr}")
    return (wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, proc.stderr,
            STARTED[0] - started if STARTED else float("nan"))


def costliest(stderr: str, count: int = 10) -> list[tuple[int, str]]:
    rows = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line.split("|")
            rows.append((int(cumulative), name.rstrip()))
    top = [row for row in rows if not row[1].startswith("   ")]  # the client's own imports, not theirs
    return sorted(top or rows, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    print("load average at start: {:.2f} {:.2f} {:.2f} on {} cores".format(*os.getloadavg(), os.cpu_count()))
    from narrate.engine.run import BuildOptions, build
    from narrate.studio.server import make_server, start_in_thread

    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as scratch:
        root = Path(scratch) / "project"
        (root / "content").mkdir(parents=True)
        (root / "voices").mkdir()
        (root / "voices" / "fake.toml").write_text(FAKE_VOICE, encoding="utf-8")
        (root / "content" / "article.md").write_text(ARTICLE, encoding="utf-8")
        (root / "narrate.toml").write_text('[defaults]\nformats = ["mp3"]\nvoice = "fake"\n', encoding="utf-8")
        build(root, BuildOptions(voice="fake", jobs=1))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        served = start_in_thread(make_server(root, port=port, voice="fake", watch=False))
        time_the_studio()
        try:
            client(root)  # the studio's first hand-off (its first read of the project)
            runs = [client(root) for _ in range(args.runs)]
            walls, cpus, posted = [r[0] for r in runs], [r[1] for r in runs], [r[3] for r in runs]
            print(f"client, {args.runs} hand-offs with nothing to build: median {statistics.median(walls):.3f} s, "
                  f"{statistics.median(cpus):.3f} CPU-s (min {min(cpus):.3f}, max {max(cpus):.3f}); the studio "
                  f"began the build {statistics.median(posted):.3f} s after the client's start (median; "
                  f"min {min(posted):.3f}, max {max(posted):.3f})")
            if args.importtime:
                for cumulative, name in costliest(client(root, "-X", "importtime")[2]):
                    print(f"  {cumulative / 1000:7.1f} ms  {name.strip()}")
        finally:
            served.stop()
    print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
