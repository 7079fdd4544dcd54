"""A one-paragraph edit from the command line, as a user runs it (issue 31).

An ~8-minute generated article is built cold with ``narrate build --formats epub,pdf,mp3``
(a fresh interpreter, start-up and imports included), then one paragraph is edited and the
same command runs again, ``--edits`` times (a different paragraph each time). Prints the wall
time and the CPU-seconds (user + system of the build process and its children, which a busy
machine disturbs less than wall time) of each run, and the edit/cold ratios.

    PYTHONPATH=src .venv/bin/python benchmarks/cli_edit.py [--voice joe] [--minutes 8] [--edits 3] [--studio]
        [--rewrite]

With ``--studio`` the cold build is the same fresh process, then a studio (``narrate serve``'s
server, without its file watcher, so that only the command line builds) runs in this process and
each edit's ``narrate build`` hands its build to it. CPU-seconds are then this process's own
(the studio's threads) plus its children's (the ``narrate build`` client, ffmpeg): ``os.times``.
The studio's first edit pays its first load of the voice and of WeasyPrint; the later ones are what
an editor with the studio open pays.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = ("river library evening volunteer reading chapter harbour lantern morning village window garden "
         "letter station winter market bridge teacher story music").split()
FORMATS = "epub,pdf,mp3"


def article(minutes: float) -> list[str]:
    """Paragraphs of about ``minutes`` of speech at 160 words a minute, 60 words each."""
    paragraphs = []
    for p in range(max(2, round(minutes * 160 / 60))):
        words = [WORDS[(p * 7 + i * 3) % len(WORDS)] for i in range(60)]
        paragraphs.append(" ".join(" ".join(words[i:i + 12]).capitalize() + "." for i in range(0, 60, 12)))
    return paragraphs


def rewritten(paragraph: str, n: int) -> str:
    """``paragraph`` with every sentence new (a word added to each): an editor's rewrite, whose
    sentences are all synthesized again, where the default edit adds one sentence."""
    sentences = [s for s in paragraph.split(". ") if s]
    return ". ".join(f"{s.rstrip('.')} again {n}" if i else f"Rewrite {n}: {s.rstrip('.')}"
                     for i, s in enumerate(sentences)) + "."


def write(root: Path, paragraphs: list[str]) -> None:
    body = "\n\n".join(paragraphs)
    text = f"---\ntitle: An eight-minute article\ndate: 2026-01-05\n---\n\n{body}\n"
    (root / "content" / "article.md").write_text(text, encoding="utf-8")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def all_cpu() -> float:
    """This process (a studio's threads) and its waited-for children (the client, ffmpeg)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def build(root: Path, voice: str, *, studio: bool = False) -> tuple[float, float]:
    """Wall seconds and CPU-seconds of one ``narrate build`` as a user types it."""
    command = [sys.executable, "-m", "narrate", "build", str(root), "--voice", voice, "--formats", FORMATS]
    counter = all_cpu if studio else children_cpu
    cpu, started = counter(), time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"build failed: {proc.stderr}")
    if studio and "building in the studio" not in proc.stderr:
        sys.exit(f"the build was not handed to the studio: {proc.stderr}")
    return wall, counter() - cpu


def start_studio(root: Path, voice: str):  # noqa: ANN201 - narrate.studio.server.Served
    """The studio serving ``root`` on 127.0.0.1, in this process, without its file watcher."""
    import socket

    from narrate.studio.server import make_server, start_in_thread

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return start_in_thread(make_server(root, port=port, voice=voice, watch=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voice", default="joe")
    parser.add_argument("--minutes", type=float, default=8.0)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--studio", action="store_true", help="hand each edit's build to a running studio")
    parser.add_argument("--rewrite", action="store_true", help="each edit makes every sentence of its paragraph new")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    print("load average at start: {:.2f} {:.2f} {:.2f} on {} cores".format(*os.getloadavg(), os.cpu_count()))
    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as scratch:
        root = Path(scratch) / "project"
        (root / "content").mkdir(parents=True)
        shutil.copytree(REPO / "voices", root / "voices")
        shutil.copy(REPO / "narrate.toml", root / "narrate.toml")
        paragraphs = article(args.minutes)
        write(root, paragraphs)
        cold, cold_cpu = build(root, args.voice)
        print(f"cold build ({len(paragraphs)} paragraphs, {FORMATS}, {args.voice}): "
              f"{cold:6.1f} s, {cold_cpu:6.1f} CPU-s")
        served = start_studio(root, args.voice) if args.studio else None
        if served is not None:
            print(f"studio running at {served.url} (in this process, no file watcher)")
        walls, cpus = [], []
        for n in range(args.edits):
            at = (len(paragraphs) // 2 + n * 3) % len(paragraphs)
            if args.rewrite:
                paragraphs[at] = rewritten(paragraphs[at], n + 1)
            else:
                paragraphs[at] = f"Edit number {n + 1} rewrote this paragraph. " + paragraphs[at]
            write(root, paragraphs)
            wall, cpu = build(root, args.voice, studio=served is not None)
            walls.append(wall)
            cpus.append(cpu)
            print(f"  edit {n + 1} (paragraph {at + 1}): {wall:5.2f} s = {wall / cold:5.1%} of cold, "
                  f"{cpu:5.2f} CPU-s = {cpu / cold_cpu:5.1%} of cold")
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(f"one-paragraph edit, median of {len(walls)}: {wall:.2f} s = {wall / cold:.1%} of cold (goal <= 10 %), "
              f"{cpu:.2f} CPU-s = {cpu / cold_cpu:.1%} of cold CPU")
        if served is not None:
            served.stop()
        print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
