"""What an edit costs: cold narration against a one-sentence (or one-paragraph) edit.

    PYTHONPATH=src python benchmarks/chapter_edit.py book --hours 2 --chapters 12 --engine espeak [--edits 12]
    PYTHONPATH=src python benchmarks/chapter_edit.py project content/some-article.md "old text" "new text"

``book``: a generated book rendered to its MP3, M4B and read-along chapter MP3s (what a build
makes from the narration), cold in an empty cache, then again after one sentence changed.
``project``: ``narrate build`` of a copy of this project (its default voice) cold, then after
replacing ``old`` by ``new`` in one source. Prints wall times and the edit/cold ratio.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from narration import book, profile_for  # noqa: E402  (benchmarks/narration.py)

from narrate.audio.chapter import ChapterPiece, compensation_db  # noqa: E402
from narrate.audio.master import document_mp3, render, target_of  # noqa: E402
from narrate.audio.timeline import Rendered  # noqa: E402
from narrate.speech.engines import get_engine  # noqa: E402
from narrate.speech.script import Script, ScriptChapter  # noqa: E402
from narrate.writers import AudioMeta  # noqa: E402
from narrate.writers.m4b import write_m4b  # noqa: E402
from narrate.writers.mp3 import write_mp3  # noqa: E402

META = AudioMeta(title="Benchmark", authors=("B. Enchmark",), genre="Audiobook", language="en")


def editions(script: Script, engine_name: str, root: Path, tag: str, jobs: int, quiet: bool = False
             ) -> tuple[float, Rendered]:
    profile = profile_for(engine_name)
    started = time.monotonic()
    rendered = render(script, profile, get_engine(profile), cache_dir=root / "cache", work_dir=root / "work",
                      jobs=jobs, encodings=(("mp3", "64k"), ("aac", "64k")))  # as a build of mp3 + m4b does
    with ThreadPoolExecutor(2) as pool:  # side by side, as narrate build stitches them (engine/run STITCHERS)
        stitched = [pool.submit(write_mp3, rendered, META, None, root / f"{tag}.mp3"),
                    pool.submit(write_m4b, rendered, META, None, root / f"{tag}.m4b")]
        for future in stitched:
            future.result()
    for chapter in script.chapters:  # the read-along's audio: one MP3 per chapter document
        document_mp3(rendered, [chapter.id], root / "work" / f"{chapter.id}.mp3")
    seconds = time.monotonic() - started
    if not quiet:
        print(f"  {tag:5s} {seconds:7.1f} s  ({rendered.synthesized} sentences synthesized, "
              f"{rendered.timeline.duration_ms / 3_600_000:.2f} h of audio, {len(rendered.pieces)} chapters)")
    return seconds, rendered


def edited(script: Script, chapter: int | None = None, segment: int = 0, text: str = "") -> Script:
    """``script`` with one sentence replaced: by default the middle chapter's first."""
    chapters = list(script.chapters)
    at = len(chapters) // 2 if chapter is None else chapter
    segments = list(chapters[at].segments)
    old = segments[segment]
    segments[segment] = type(old)(old.id, old.block_id, old.text, text or "One sentence was corrected here.",
                                  old.pause_after_ms)
    chapters[at] = ScriptChapter(chapters[at].id, chapters[at].title, tuple(segments))
    return Script(script.slug, script.title, script.language, tuple(chapters))


def spread(script: Script, engine: str, root: Path, jobs: int, count: int, cold: Rendered) -> None:
    """``count`` more one-sentence edits, each of the original book, at places picked by a fixed
    seed: how much an edit's cost varies, and how often it moves its chapter's gain (every block
    of the chapter mastered and encoded again) or the chapter's master level enough to change
    the codecs' compensation (every block encoded again)."""
    rng = random.Random(12)
    times, moved, recoded = [], 0, 0
    for n in range(count):
        chapter = rng.randrange(len(script.chapters))
        segment = rng.randrange(len(script.chapters[chapter].segments))
        text = f"Edit number {n + 1} changed this sentence, and only this one."
        seconds, rendered = editions(edited(script, chapter, segment, text), engine, root, "edit", jobs, quiet=True)
        before, after = cold.pieces[chapter], rendered.pieces[chapter]
        gain = before.gain_db != after.gain_db
        codecs = [c for c in ("mp3", "aac") if compensation(cold, before, c) != compensation(rendered, after, c)]
        moved, recoded = moved + gain, recoded + bool(codecs)
        times.append(seconds)
        print(f"  edit {n + 1:2d}: chapter {chapter + 1:2d} ({len(after.blocks)} blocks), sentence {segment + 1:3d}: "
              f"{seconds:5.1f} s{'  gain moved' if gain else ''}"
              f"{'  compensation moved: ' + ', '.join(codecs) if codecs else ''}")
    times.sort()
    print(f"{count} edits: median {statistics.median(times):.1f} s, fastest {times[0]:.1f} s, "
          f"slowest {times[-1]:.1f} s; the chapter's gain moved in {moved}, a codec's compensation in {recoded}")


def compensation(rendered: Rendered, piece: ChapterPiece, codec: str) -> float:
    """The level compensation ``encode_piece`` gives ``piece`` for ``codec`` at 64 kbps."""
    if piece.level_lufs is None or rendered.level is None:
        return 0.0
    return compensation_db(target_of(rendered), piece.level_lufs, rendered.level.offset(codec, "64k"))


def run_book(args: argparse.Namespace) -> None:
    minutes = args.hours * 60
    total = round(minutes * 160 / 16)
    script = book(minutes, segments_per_chapter=max(1, -(-total // args.chapters)))
    print(f"book: {args.hours} h, {len(script.chapters)} chapters, engine {args.engine}, jobs {args.jobs}")
    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as scratch:
        root = Path(scratch)
        cold, rendered = editions(script, args.engine, root, "cold", args.jobs)
        edit, _ = editions(edited(script), args.engine, root, "edit", args.jobs)
        print(f"one-sentence edit: {edit:.1f} s = {100 * edit / cold:.1f} % of cold ({cold:.1f} s)")
        if args.edits:
            spread(script, args.engine, root, args.jobs, args.edits, rendered)


def run_project(args: argparse.Namespace) -> None:
    from narrate.engine.run import BuildOptions, build

    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as scratch:
        root = Path(scratch) / "project"
        shutil.copytree(here, root, ignore=shutil.ignore_patterns(".narrate", "output", ".git", ".venv", "*.pyc"))
        options = BuildOptions(formats=("mp3", "m4b", "epub-readaloud"), jobs=args.jobs,
                               only=(args.slug,) if args.slug else ())
        started = time.monotonic()
        assert not build(root, options).failed
        cold = time.monotonic() - started
        source = root / args.source
        text = source.read_text(encoding="utf-8")
        if args.old not in text:
            raise SystemExit(f"{args.source}: {args.old!r} not found")
        source.write_text(text.replace(args.old, args.new, 1), encoding="utf-8")
        started = time.monotonic()
        assert not build(root, options).failed
        edit = time.monotonic() - started
    print(f"project {args.source}: cold {cold:.1f} s, edit {edit:.1f} s = {100 * edit / cold:.1f} % of cold")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    b = sub.add_parser("book")
    b.add_argument("--hours", type=float, default=2.0)
    b.add_argument("--chapters", type=int, default=12)
    b.add_argument("--engine", default="espeak", choices=("espeak", "piper", "fake"))
    b.add_argument("--jobs", type=int, default=1)
    b.add_argument("--edits", type=int, default=0, help="then this many one-sentence edits at seeded places")
    p = sub.add_parser("project")
    p.add_argument("source")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--slug", default="")
    p.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    run_book(args) if args.mode == "book" else run_project(args)


if __name__ == "__main__":
    main()
