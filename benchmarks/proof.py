"""``narrate proof`` on a long generated book (espeak-ng voice), cold and from a warm cache.

    PYTHONPATH=src python benchmarks/proof.py --hours 1 --jobs 2
    PYTHONPATH=src python benchmarks/proof.py --hours 10 --distinct-hours 1 --project DIR

With ``--distinct-hours`` smaller than ``--hours`` the book repeats that much distinct text
(10 h of sentences, 1 h of distinct ones to synthesize): nothing is built, the first proof
run fills the synthesis cache and the clips, and the warm run is timed on the full length
(without loudness pictures, which need a built MP3; their warm cost is one cached JSON read).
``--project DIR`` keeps the project (and its cache) for another run.

Writes a Markdown book of about HOURS of speech (ordinary sentences with names, acronyms,
heteronyms and numbers), builds its MP3 (which fills the synthesis cache), then times
``narrate proof`` twice: first with no clips or loudness measured yet, then warm (every
clip and measurement in place), the case the target (<= 30 s for 10 hours) is about.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENTENCES = [
    "The harbour lights came on one by one along the quay while the ferry waited for the last passengers.",
    "Adaeze Okonkwo read the report from the RNLI station twice before she put it down.",
    "At 6:15 on March 3, 2025, the wind rose and the boats stayed in for three days.",
    "Marcel said the bridge had cost $12.50 a plank and ran for 12 km across the marsh.",
    "Nobody in the village could remember a winter as long or as dark as that one.",
    "The children painted the sea gold and called the shine on the water glimmerwork.",
    "She will wind the old clock in the hall every Sunday until the spring comes back.",
    "Dr. Thibodeaux kept a record of every storm since 1987 in a green notebook.",
]
WORDS_PER_HOUR = 9600  # about 160 words a minute


def write_book(root: Path, hours: float, chapters: int, distinct_hours: float | None = None) -> int:
    words_per_sentence = sum(len(s.split()) for s in SENTENCES) / len(SENTENCES)
    total = round(hours * WORDS_PER_HOUR / words_per_sentence)
    distinct = round((distinct_hours or hours) * WORDS_PER_HOUR / words_per_sentence)
    book = root / "content" / "long-book"
    book.mkdir(parents=True, exist_ok=True)
    (book / "book.toml").write_text('title = "A Long Book"\nauthor = "Bench Writer"\n', encoding="utf-8")
    per = -(-total // chapters)
    for c in range(chapters):
        lines = [f"---\ntitle: Chapter {c + 1}\n---\n"]
        for n in range(c * per, min(total, (c + 1) * per)):
            lines.append(f"{SENTENCES[n % distinct % len(SENTENCES)][:-1]}, for the {n % distinct + 1}th time." +
                         ("\n" if n % 5 == 4 else ""))
        (book / f"{c + 1:03d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "narrate.toml").write_text('[defaults]\nvoice = "espeak"\n', encoding="utf-8")
    return total


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "narrate", *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--chapters", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--distinct-hours", type=float, default=None)
    parser.add_argument("--project", type=Path, default=None, help="keep the project here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="narrate-proof-bench-") as scratch:
        root = args.project or Path(scratch)
        sentences = write_book(root, args.hours, args.chapters, args.distinct_hours)
        repeated = args.distinct_hours is not None and args.distinct_hours < args.hours
        if not repeated:
            build_s = timed(["build", str(root), "--formats", "mp3", "--jobs", str(args.jobs), "--quiet"])
            print(f"build (mp3, fills the synthesis cache): {build_s:.1f} s")
        cold_s = timed(["proof", str(root), "--jobs", str(args.jobs)])
        warm_s = timed(["proof", str(root), "--jobs", str(args.jobs)])
        page = root / "output" / "proof" / "long-book.html"
        clips = sum(1 for _ in (root / "output" / "proof" / "clips").rglob("*.mp3"))
        wavs = sorted((root / ".narrate" / "cache" / "audio").rglob("*.wav"))
        print(f"book: {args.hours} h of text ({args.distinct_hours or args.hours} h distinct), {sentences} sentences, "
              f"{args.chapters} chapters; {len(wavs)} cached sentences")
        print(f"narrate proof, first run (clips{'' if repeated else ', loudness'}): {cold_s:.1f} s ({clips} clips)")
        print(f"narrate proof, warm: {warm_s:.1f} s; page {page.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
