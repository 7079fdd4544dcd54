"""Build-engine figures on the sample content plus 10 generated articles, in one run.

Prints: cold build, warm rebuild (no change), rebuild after editing one paragraph,
the non-audio editions with --jobs 1 against --jobs 2, and narration wall time
against the raw engine's best configuration for the same sentences. Narration and raw
synthesis are also given in CPU-seconds (every child process's user + system time), which
a busy machine disturbs less than wall time, with the MP3 encoder's own CPU over the batch's
audio: on 2 cores, no narration can finish before (synthesis + encoding) CPU / 2.

    .venv/bin/python benchmarks/build.py [--voice joe] [--articles 10]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = ("river library evening volunteer reading chapter harbour lantern morning village window garden "
         "letter station winter market bridge teacher story music").split()


def english_only(folder: str, names: list[str]) -> set[str]:
    """copytree's ignore: the samples in other languages (one English voice reads the batch)."""
    skip = set()
    for name in names:
        path = Path(folder) / name
        meta = path / "book.toml" if path.is_dir() else path
        if meta.is_file() and meta.suffix in (".md", ".toml"):
            found = re.search(r"^language\s*[:=]\s*[\"']?([A-Za-z]+)", meta.read_text(encoding="utf-8"), re.M)
            if found and not found.group(1).lower().startswith("en"):
                skip.add(name)
    return skip


def generate(root: Path, count: int) -> None:
    shutil.copytree(REPO / "content", root / "content", ignore=english_only)
    shutil.copytree(REPO / "voices", root / "voices")
    for n in range(count):
        paragraphs = []
        for p in range(6):
            words = [WORDS[(n * 7 + p * 3 + i) % len(WORDS)] for i in range(45)]
            sentences = [" ".join(words[i:i + 15]).capitalize() + "." for i in range(0, 45, 15)]
            paragraphs.append(" ".join(sentences))
        body = "\n\n".join(paragraphs[:2]) + "\n\n## Second part\n\n" + "\n\n".join(paragraphs[2:4])
        body += "\n\n## Third part\n\n" + "\n\n".join(paragraphs[4:])
        text = f"---\ntitle: Generated article {n}\ndate: 2026-01-{n + 1:02d}\n---\n\n{body}\n"
        (root / "content" / f"generated-{n:02d}.md").write_text(text)


def children_cpu() -> float:
    """CPU-seconds (user + system) of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def encoder_cpu(folder: Path) -> tuple[float, float]:
    """CPU-seconds LAME (through ffmpeg, at narrate's settings) takes to encode all the audio of
    the MP3s under ``folder`` once, and that audio's length in seconds. The audio is decoded to
    one WAV first, not timed."""
    mp3s = sorted(p for p in folder.rglob("*.mp3") if "dist" not in p.parts)
    with tempfile.TemporaryDirectory() as tmp:
        listing, wav = Path(tmp) / "list.txt", Path(tmp) / "all.wav"
        listing.write_text("".join(f"file '{p}'\n" for p in mp3s))
        subprocess.run(["ffmpeg", "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing), "-ac", "1",
                        "-ar", "44100", str(wav)], check=True)
        seconds = os.path.getsize(wav) / (2 * 44100)
        before = children_cpu()
        subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-b:a", "64k", "-c:a", "libmp3lame", "-f", "mp3",
                        str(Path(tmp) / "all.mp3")], check=True)
        return children_cpu() - before, seconds


def narrate(root: Path, *args: str) -> float:
    """Seconds of the build itself (narrate's --json figure: interpreter start-up not included)."""
    proc = subprocess.run([sys.executable, "-m", "narrate", "build", str(root), "--json", *args],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"build failed: {proc.stderr}")
    return float(json.loads(proc.stdout)["seconds"])


def spoken_texts(root: Path, voice: str) -> list[tuple[float, str]]:
    """Every distinct sentence the batch speaks, with the rate its publication reads it at (a book
    is paced slower than an article), as narrate synthesizes them."""
    sys.path.insert(0, str(REPO / "src"))
    from narrate.editions.context import PublicationContext
    from narrate.editions.narration import paced, publication_script
    from narrate.engine.run import read_all
    from narrate.sources.project import open_project
    from narrate.speech.voices import get_profile, load_profiles

    project = open_project(root)
    base = get_profile(load_profiles(root), voice)
    texts: list[tuple[float, str]] = []
    for doc in read_all(project)[0]:
        profile = paced(base, doc.meta.kind)
        ctx = PublicationContext(doc, root, root / "output", project.config, voice, project.cache_dir)
        texts += [(profile.rate, s.spoken) for s in publication_script(ctx, profile).segments() if s.spoken.strip()]
    return list(dict.fromkeys(texts))


def _raw_worker(args: tuple[str, list[tuple[float, str]], int, str]) -> float:
    voice, texts, threads, folder = args
    os.environ["NARRATE_ENGINE_THREADS"] = str(threads)
    import dataclasses

    from narrate.speech.engines import get_engine
    from narrate.speech.voices import get_profile, load_profiles

    profile = get_profile(load_profiles(Path(folder)), voice)
    engines = {rate: get_engine(dataclasses.replace(profile, rate=rate)) for rate in {r for r, _ in texts}}
    for engine in engines.values():  # loaded before the clock starts, as the model is
        engine.synthesize("Warm up.", Path(folder) / f"warm-{os.getpid()}.wav")
    start = time.perf_counter()
    for i, (rate, text) in enumerate(texts):
        engines[rate].synthesize(text, Path(folder) / f"raw-{os.getpid()}-{i}.wav")
    return time.perf_counter() - start


def raw_engine(root: Path, voice: str, texts: list[tuple[float, str]]) -> tuple[dict[str, float], float]:
    """Wall time of the bare engine over the same sentences: 1 process (all cores) and 2 × 1 thread;
    and the CPU-seconds of the 2 × 1 thread run (its model loads and warm-up included)."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(root / "voices", Path(tmp) / "voices")
        start = time.perf_counter()
        with ProcessPoolExecutor(1) as pool:
            pool.submit(_raw_worker, (voice, texts, 0, tmp)).result()
        results["1 process, all cores"] = time.perf_counter() - start
        start, cpu = time.perf_counter(), children_cpu()
        with ProcessPoolExecutor(2) as pool:
            list(pool.map(_raw_worker, [(voice, texts[0::2], 1, tmp), (voice, texts[1::2], 1, tmp)]))
        results["2 processes x 1 thread"] = time.perf_counter() - start
        cpu = children_cpu() - cpu
    return results, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voice", default="joe")
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--floor-only", action="store_true",
                        help="only the cold floor (narration against raw synthesis + one encode): a shorter run")
    args = parser.parse_args()
    env_epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    os.environ.update(env_epoch)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        generate(root, args.articles)
        voice = ("--voice", args.voice)
        if args.floor_only:
            cold_floor(root, args.voice)
            return
        cold = narrate(root, *voice, "-j", "2")
        warm = narrate(root, *voice, "-j", "2")
        target = root / "content" / "generated-03.md"
        edited = target.read_text().replace("## Second part\n\n", "## Second part\n\nAn edited paragraph.\n\n")
        target.write_text(edited)
        edit = narrate(root, *voice, "-j", "2")
        print(f"cold build (all formats, --jobs 2):        {cold:7.1f} s")
        print(f"warm rebuild (no change):                  {warm:7.2f} s   goal <= 2 s")
        print(f"rebuild after editing one paragraph:       {edit:7.1f} s   {edit / cold:.1%} of cold, goal <= 10 %")
        text_formats = ("--formats", "epub,pdf,pdf-large")
        one = narrate(root, *text_formats, "-j", "1", "--output", str(root / "o1"))
        two = narrate(root, *text_formats, "-j", "2", "--output", str(root / "o2"))
        print(f"non-audio editions, --jobs 1 / --jobs 2:   {one:7.1f} s / {two:.1f} s = {one / two:.2f}x, goal >= 1.7x")
        texts = spoken_texts(root, args.voice)
        shutil.rmtree(root / ".narrate")
        cpu = children_cpu()
        narration = narrate(root, *voice, "--formats", "mp3", "-j", "2", "--output", str(root / "o3"))
        narration_cpu, cpu = children_cpu() - cpu, children_cpu()
        shutil.rmtree(root / ".narrate" / "cache" / "audio" / "chapters")  # mastered chapters: made again
        post = narrate(root, *voice, "--formats", "mp3", "-j", "2", "--output", str(root / "o4"))
        post_cpu = children_cpu() - cpu
        raw, raw_cpu = raw_engine(root, args.voice, texts)
        lame_cpu, audio_s = encoder_cpu(root / "o3")
        best = min(raw.values())
        for name, seconds in raw.items():
            print(f"raw engine, {name:24s}     {seconds:7.1f} s  ({len(texts)} sentences)")
        print(f"narration, mp3 only, empty cache, -j 2:    {narration:7.1f} s = {narration / best:.2f}x the best raw")
        print(f"  of which assembly, loudness, encoding:   {post:7.1f} s (same build with the sentence cache full)")
        print(f"CPU: raw 2 x 1 thread {raw_cpu:.1f} CPU-s; narration {narration_cpu:.1f} CPU-s = "
              f"{narration_cpu / raw_cpu:.2f}x; its mastering alone {post_cpu:.1f} CPU-s")
        print(f"  the MP3 encoder alone over the batch's {audio_s:.0f} s of audio: {lame_cpu:.1f} CPU-s = "
              f"{lame_cpu / raw_cpu:.1%} of raw synthesis; on 2 cores narration cannot end before "
              f"{(raw_cpu + lame_cpu) / 2:.1f} s = {(raw_cpu + lame_cpu) / 2 / best:.2f}x the best raw")
        floor = raw_cpu + lame_cpu  # one codec requested (mp3): one encode of the same audio
        print(f"cold floor (issue 30): narration {narration_cpu:.1f} CPU-s / (raw synthesis {raw_cpu:.1f} + one MP3 "
              f"encode {lame_cpu:.1f}) = {narration_cpu / floor:.2f}x, goal <= 1.10x")
        print(f"  synthesis stage (the difference):        {narration - post:7.1f} s = "
              f"{(narration - post) / best:.2f}x the best raw configuration, goal <= 1.05x")


def cold_floor(root: Path, voice: str) -> None:
    """Cold narration (mp3 only, -j 2) in CPU-seconds against raw synthesis (2 x 1 thread) + one MP3 encode."""
    texts = spoken_texts(root, voice)
    cpu = children_cpu()
    narrate(root, "--voice", voice, "--formats", "mp3", "-j", "2", "--output", str(root / "o3"))
    narration_cpu = children_cpu() - cpu
    cpu = children_cpu()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(root / "voices", Path(tmp) / "voices")
        with ProcessPoolExecutor(2) as pool:
            list(pool.map(_raw_worker, [(voice, texts[0::2], 1, tmp), (voice, texts[1::2], 1, tmp)]))
    raw_cpu = children_cpu() - cpu
    lame_cpu, audio_s = encoder_cpu(root / "o3")
    floor = raw_cpu + lame_cpu
    print(f"{len(texts)} sentences, {audio_s:.0f} s of audio, load average {os.getloadavg()[0]:.1f}")
    print(f"cold floor (issue 30): narration {narration_cpu:.1f} CPU-s / (raw synthesis {raw_cpu:.1f} + one MP3 "
          f"encode {lame_cpu:.1f}) = {narration_cpu / floor:.2f}x, goal <= 1.10x")


if __name__ == "__main__":
    main()
