"""A live sync from a local WordPress (or Ghost) API: a first run over N posts, then a run after 10 edits.

    PYTHONPATH=src python benchmarks/import_sync.py [--posts 5000] [--changed 10] [--ghost]

The server is tests/sync_server.py on 127.0.0.1 (the APIs' documented shapes, 100 posts a page).
Each run is timed end to end (``run_import``: reading the API, staging, moving into content/,
the sync state), with the number of requests it sent. The second run's goal is to cost what
its changed posts cost; what it adds is listing every post's id (100 a request) to notice
posts that disappeared.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sync_server import Site, serve  # noqa: E402

from narrate.importing import ImportOptions, run_import, slugs  # noqa: E402

READS: list[str] = []  # the files the slug guard opened in a run


def _counted(read: Callable[[Path], str]) -> Callable[[Path], str]:
    def head(path: Path) -> str:
        READS.append(path.name)
        return read(path)
    return head


def timed(project: Path, base: str, options: ImportOptions, site: Site) -> tuple[float, int, int]:
    """Wall seconds, posts imported, requests; also prints the CPU seconds (the server's thread included),
    which a shared machine's load disturbs less than the wall."""
    site.asked.clear()
    READS.clear()
    started, cpu = time.perf_counter(), time.process_time()
    report = run_import(project, [base + "/"], options)
    print(f"  ({time.process_time() - cpu:.2f} CPU-s, {len(READS)} files read for their slugs)")
    return time.perf_counter() - started, len(report.imported), len(site.asked)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--ghost", action="store_true")
    args = parser.parse_args()
    slugs._head = _counted(slugs._head)  # count, not time, what the slug guard reads
    site = Site()
    site.add(args.posts)
    with tempfile.TemporaryDirectory() as tmp, serve(site) as base:
        project = Path(tmp)
        (project / "content").mkdir()
        (project / "narrate.toml").write_text('[publisher]\nname = "Bench"\n', encoding="utf-8")
        options = ImportOptions(allow_private_hosts=True, ghost_key=site.ghost_key if args.ghost else "")
        seconds, count, requests = timed(project, base, options, site)
        print(f"first sync: {count} posts imported in {seconds:.1f} s ({requests} requests)")
        step = max(1, args.posts // args.changed)
        for index in range(0, step * args.changed, step):
            site.edit(index, f"Post {index} was corrected: the ebb runs for six and a half hours. " * 3)
        seconds, count, requests = timed(project, base, options, site)
        print(f"second sync, {args.changed} changed: {count} posts imported in {seconds:.2f} s ({requests} requests)")
        seconds, count, requests = timed(project, base, options, site)
        print(f"third sync, nothing changed: {count} posts imported in {seconds:.2f} s ({requests} requests)")



if __name__ == "__main__":
    main()
