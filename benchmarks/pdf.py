"""Seconds per PDF, normal and large print, for each sample publication in content/.

    /tmp/venv/bin/python benchmarks/pdf.py [--repeat 3] [--root .]

Each edition is rendered ``--repeat`` times (after one warm-up render, which pays for
WeasyPrint's imports and font loading); the best and median wall times are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pikepdf  # the test extra

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from narrate.sources.project import discover, load_document, open_project  # noqa: E402
from narrate.writers.pdf import write_pdf  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    project = open_project(args.root)
    docs = [load_document(project, source) for source in discover(project)]
    with tempfile.TemporaryDirectory(prefix="narrate-pdf-bench-") as scratch:
        out = Path(scratch)
        write_pdf(docs[0], project.root, out / "warmup.pdf")
        print(f"{'publication':<24} {'edition':<10} {'best s':>7} {'median s':>9} {'pages':>6} {'KiB':>6}")
        for doc in docs:
            for large in (False, True):
                target = out / f"{doc.meta.slug}{'-large' if large else ''}.pdf"
                times = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    write_pdf(doc, project.root, target, large=large)
                    times.append(time.perf_counter() - started)
                with pikepdf.open(target) as pdf:
                    pages = len(pdf.pages)
                print(f"{doc.meta.slug:<24} {'large' if large else 'normal':<10} {min(times):>7.2f} "
                      f"{statistics.median(times):>9.2f} {pages:>6} {target.stat().st_size / 1024:>6.0f}")


if __name__ == "__main__":
    main()
