"""Time `narrate package` with many subscribers.

    python benchmarks/package.py [--subscribers 10000] [--sample 100]

Builds a small narrated article with the fake voice in a temp folder, then packages it:
with N subscribers and no personal copies (tokens, private feeds, pages, SUMS), with
personal EPUB copies for all N, and with each other personal format for a sample of
subscribers (PDF renders, MP3/M4B copies), extrapolated to N. A second run shows reuse.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

from publish_helpers import NARRATE_TOML, build_project  # noqa: E402

from narrate.publish import package  # noqa: E402

KEY = b"benchmark-key-0123456789abcdef"


def subscribers_csv(path: Path, count: int) -> Path:
    lines = ["email,name"] + [f"reader{i}@example.org,Reader Number {i}" for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed(root: Path, csv: Path, formats: tuple[str, ...]) -> tuple[float, object]:
    listed = ", ".join(f'"{f}"' for f in formats)
    (root / "narrate.toml").write_text(NARRATE_TOML + f"\n[subscribers]\npersonal_formats = [{listed}]\n")
    start = time.perf_counter()
    report = package(root, base_url="https://cdn.example.com/", subscribers=csv, key=KEY)
    return time.perf_counter() - start, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as scratch:
        root = build_project(Path(scratch))
        many = subscribers_csv(Path(scratch) / "many.csv", args.subscribers)
        few = subscribers_csv(Path(scratch) / "few.csv", args.sample)
        n = args.subscribers
        for label, formats, csv, count in (
            ("no personal copies", (), many, n),
            ("no personal copies, again", (), many, n),
            ("personal EPUB", ("epub",), many, n),
            ("personal EPUB, again (reused)", ("epub",), many, n),
            ("personal PDF (sample)", ("pdf",), few, args.sample),
            ("personal MP3 (sample)", ("mp3",), few, args.sample),
            ("personal M4B (sample)", ("m4b",), few, args.sample),
        ):
            if "again" not in label:
                timed(root, few, ())  # start without copies: drops the previous format's
            seconds, report = timed(root, csv, formats)
            made, reused = report.personal_made, report.personal_reused  # type: ignore[attr-defined]
            line = f"{label:32s} {count:6d} subscribers {seconds:8.2f} s  ({made} copies made, {reused} reused)"
            if count != n and made:
                line += f"  → {seconds / count * 1000:.1f} ms each, ~{seconds / count * n / 60:.1f} min for {n}"
            sys.stdout.write(line + "\n")
        dist = root / "output" / "dist"
        sizes = {p.suffix: p.stat().st_size for p in (dist / "tides").iterdir()}
        sys.stdout.write(f"sizes of one copy (bytes): {sizes}\n")


if __name__ == "__main__":
    main()
