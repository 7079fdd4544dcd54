"""Peak memory of a long espeak-ng narration: should stay flat as the book grows.

    PYTHONPATH=src python benchmarks/memory.py --hours 1 5 --jobs 2

Each size runs in a fresh subprocess (so peaks do not mix) that renders a generated book
with espeak-ng (paragraph-sized segments keep the process count down) and writes the MP3
and M4B; it prints wall time and peak RSS (getrusage: this process and its largest child).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from narration import book, peak_rss_mb, profile_for  # noqa: E402

from narrate.audio.master import render  # noqa: E402
from narrate.speech.engines import get_engine  # noqa: E402
from narrate.writers import AudioMeta  # noqa: E402
from narrate.writers.m4b import write_m4b  # noqa: E402
from narrate.writers.mp3 import write_mp3  # noqa: E402


def one(hours: float, jobs: int, engine_name: str) -> None:
    profile = profile_for(engine_name)
    script = book(hours * 60, words_per_segment=80, segments_per_chapter=40, slug=f"mem{hours:g}h")
    with tempfile.TemporaryDirectory(prefix="narrate-mem-") as scratch:
        root = Path(scratch)
        started = time.perf_counter()
        rendered = render(
            script, profile, get_engine(profile), cache_dir=root / "cache", work_dir=root / "w", jobs=jobs
        )
        rendering = time.perf_counter() - started
        meta = AudioMeta(title="Memory benchmark")
        write_mp3(rendered, meta, None, root / "book.mp3")
        write_m4b(rendered, meta, None, root / "book.m4b")
        total = time.perf_counter() - started
        master_mb = sum(piece.wav.stat().st_size for piece in rendered.pieces) / 1e6  # chapter pieces
    rss_self, rss_children = peak_rss_mb()
    print(
        f"{rendered.timeline.duration_ms / 3.6e6:5.2f} h audio, {len(rendered.timeline.segments)} segments, "
        f"{len(rendered.timeline.chapters)} chapters: render {rendering:6.1f} s, +mp3+m4b {total:6.1f} s, "
        f"master {master_mb:.0f} MB; peak RSS self {rss_self:.0f} MB, largest child {rss_children:.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, nargs="+", default=[1.0, 5.0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--engine", default="espeak", choices=["espeak", "fake"])
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        one(args.one, args.jobs, args.engine)
        return
    for hours in args.hours:
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(hours),
                "--jobs",
                str(args.jobs),
                "--engine",
                args.engine,
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
