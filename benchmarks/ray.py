"""Ray executor figures, printed: a two-node cluster (1 CPU each) against the local pool.

1. A 10-title batch, narrated from an empty cache: ``--executor local -j 2`` against
   ``--executor ray`` on a two-node cluster on 127.0.0.1: wall-time ratio, and how much of
   each build was synthesis (the part that runs on the cluster).
2. Per-sentence scheduling overhead on the cluster: near-empty sentences (fake voice,
   one character) in batches of 1 and of ``MAX_BATCH``.
3. The projection for a 500-title, 10-hour-each backlist on 100 nodes of 16 cores.
5. ``--head-fit``: the same head cost on titles of different lengths (``--short`` batches of the
   generated 2-minute articles, ``--long`` books of generated text, minutes each), each from an empty
   cache in its own project on one cluster, and the fit head CPU = per build + per title x titles +
   per hour x hours of audio (least squares), cold and from full caches; ``--profile DIR`` writes a
   CPU profile (cProfile by the main thread's CPU time) of each cold build there.
4. ``--head-cost``: what the machine running ``narrate build`` spends per hour of narrated
   audio on a local cluster (a head with no CPUs for tasks + 2 one-CPU worker nodes, all on
   127.0.0.1): its CPU-seconds (narrate and its own subprocesses, e.g. ffmpeg) and the bytes
   it receives (every cache entry the chapter tasks send back: sentences as FLAC, chapter
   records, levels, encoded blocks; and the finished audio editions the stitching tasks send
   back), and the sentence cache as FLAC against the same sentences
   as WAV (44-byte header + 2 bytes a sample).

    .venv/bin/python benchmarks/ray.py [--voice joe] [--titles 10] [--head-cost]
    .venv/bin/python benchmarks/ray.py --head-fit --voice espeak-en --short 2,8 --long 20,40
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # keep Ray on 127.0.0.1 (before importing ray)
# Ray runs its workers at niceness 15: on a machine other jobs share, its nodes' tasks then get a
# sliver of the CPU the local build's processes (niceness 0) get, and the ratio measures the
# scheduler; 0 here, as the local build, for the nodes this script starts
os.environ["RAY_worker_niceness"] = "0"
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# this file is ray.py: its folder must not shadow the ray package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(REPO / "src"))


def generate(root: Path, count: int) -> None:
    """benchmarks/build.py's batch: the sample content plus ``count`` generated articles."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("narrate_bench_build", HERE / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(root, count)

FAKE = 'name = "fake"\nengine = "fake"\nmodel = "fake"\nlanguage = "en-US"\n'


FORMATS = "mp3,m4b"  # --formats: what every build of this script makes (the audio by default)


# ``narrate build`` with its Ray executors' count of the bytes the head received (cache entries as
# the chapter tasks sent them, the audio editions as the stitching tasks sent them) written to argv[1]
COUNTING = """import atexit, json, os, sys, time
from narrate.audio import ray
executors, real = [], ray.RayExecutor.__init__
def init(self, *args, **kwargs):
    real(self, *args, **kwargs)
    executors.append(self)
ray.RayExecutor.__init__ = init
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps({"received": sum(e.received_bytes for e in executors)})))
sys.argv[0] = "narrate"
from narrate.cli import run
if os.environ.get("NARRATE_BENCH_PROFILE"):  # the main thread's CPU, by function
    import cProfile
    profile = cProfile.Profile(time.thread_time)
    atexit.register(lambda: profile.dump_stats(os.environ["NARRATE_BENCH_PROFILE"]))
    profile.enable()
run()
"""


def timed_build(root: Path, *args: str) -> dict:
    """One build's wall seconds, its own figure (``seconds``), its CPU-seconds (``cpu``: the build
    process and its subprocesses, read from its own exit status, so that no other process this script
    reaps meanwhile, a Ray node's for one, is counted in) and the bytes its Ray executor received
    (``received``; 0 for a local build)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "SOURCE_DATE_EPOCH": "1700000000"}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".json") as counts:
        proc = subprocess.Popen([sys.executable, "-c", COUNTING, counts.name, "build", str(root), "--json",
                                 "--formats", FORMATS, *args], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
        received = json.loads(Path(counts.name).read_text() or "{}").get("received", 0)
    if proc.returncode != 0:
        sys.exit(f"build failed: {stderr[-2000:]}")
    fallback = [w for w in json.loads(stdout).get("warnings", []) if w.startswith("Ray:")]
    if fallback:  # chapters mastered on this machine after all: the figures would not be the design's
        sys.exit(f"the cluster did not narrate every chapter: {fallback}")
    return {"wall": wall, "seconds": float(json.loads(stdout)["seconds"]), "cpu": usage.ru_utime + usage.ru_stime,
            "received": received}


def audio_seconds(root: Path) -> float:
    from mutagen.mp3 import MP3

    return sum(MP3(p).info.length for p in (root / "output").rglob("*.mp3"))


def overhead(address: str, count: int) -> dict[int, tuple[float, float]]:
    """By batch size: seconds of cluster time per sentence beyond the engine's own work, and
    seconds the driver spent per sentence fetching and writing results (serial, one machine)."""
    import ray

    from narrate.audio.ray import MAX_BATCH, RayExecutor, ray_session
    from narrate.speech.fake import FakeEngine
    from narrate.speech.voices import VoiceProfile

    profile = VoiceProfile(name="fake", engine="fake", model="fake")
    engine = FakeEngine(profile)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        for _ in range(200):
            engine.synthesize("a", Path(tmp) / "x.wav")
        compute = (time.perf_counter() - start) / 200
        result = {}
        with ray_session(address):
            cpus = int(ray.cluster_resources()["CPU"])
            for batch in (1, MAX_BATCH):
                walls, drivers = [], []
                for n in (count // 4, count):  # the difference cancels the actors' start-up
                    jobs = [(f"{chr(97 + i % 26)}", str(Path(tmp) / f"{batch}-{n}-{i}.wav")) for i in range(n)]
                    executor = RayExecutor(ray, batch=batch)
                    start = time.perf_counter()
                    executor.run(jobs, profile, None)
                    walls.append(time.perf_counter() - start)
                    drivers.append(executor.driver_seconds / n)
                marginal = (walls[1] - walls[0]) / (count - count // 4)
                result[batch] = (max(0.0, marginal * cpus - compute), drivers[1])
    return result


def task_summary(address: str, cpus: int) -> str:
    """Where the cluster's wall time went, from Ray's own task events: per kind of task its count and
    seconds running (``task::`` spans, argument fetch included), and the nodes' CPUs idle between
    the first task's start and the last one's end."""
    import ray

    with contextlib.redirect_stderr(io.StringIO()):
        ray.init(address=address, logging_level="ERROR", log_to_driver=False)
    try:
        time.sleep(2)  # task events reach the GCS in batches
        spans = [e for e in ray.timeline() if e.get("ph") == "X" and str(e.get("cat", "")).startswith("task::")]
    finally:
        ray.shutdown()
    if not spans:
        return "  no task events"
    kinds: dict[str, list[float]] = {}
    for event in spans:
        kinds.setdefault(event["cat"].split(".")[-1], []).append(event["dur"] / 1e6)
    start = min(e["ts"] for e in spans) / 1e6
    span = max(e["ts"] + e["dur"] for e in spans) / 1e6 - start
    busy = sum(sum(v) for v in kinds.values())
    per_kind = ", ".join(f"{name} {len(v)} x {sum(v) / len(v):.1f} s = {sum(v):.1f} s" for name, v in kinds.items())
    return (f"  tasks: {per_kind}; first start to last end {span:.1f} s on {cpus} CPUs: "
            f"{100 * (1 - busy / (cpus * span)):.0f} % idle")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_build(root: Path, *args: str) -> tuple[float, float, int]:
    """Wall seconds, CPU-seconds (user + system, the build and its subprocesses) and the bytes its Ray
    executor received, of one build."""
    figures = timed_build(root, *args)
    return figures["wall"], figures["cpu"], figures["received"]


def head_cost(voice: str, titles: int) -> None:
    """Figure 4: the building machine's CPU-seconds and bytes received per hour of audio."""
    from ray.cluster_utils import Cluster

    os.environ["PYTHONPATH"] = str(REPO / "src")  # the nodes' workers run this checkout's narrate too
    node = {"node_ip_address": "127.0.0.1"}
    cluster = Cluster(initialize_head=True, connect=False,
                      head_node_args={**node, "num_cpus": 0, "include_dashboard": False})
    try:
        for _ in range(2):
            cluster.add_node(num_cpus=1, **node)
        cluster.wait_for_nodes()
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "p"
            generate(root, titles)
            (root / "voices" / "fake.toml").write_text(FAKE)
            for path in (root / "content").iterdir():  # the generated articles only: a short run
                if not path.name.startswith("generated-"):
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
            args = ("--voice", voice, "--executor", "ray", "--ray-address", cluster.address)
            wall, cpu, wire = cpu_build(root, *args)
            audio = audio_seconds(root)
            (root / "output" / "manifest.json").unlink()  # every edition again, from full caches:
            stitch_wall, stitch_cpu, stitch_wire = cpu_build(root, *args)  # what stitching and writing cost alone
            (root / "output" / "manifest.json").unlink()  # the same build on this machine alone
            local_wall, local_cpu, _ = cpu_build(root, "--voice", voice, "--executor", "local", "-j", "1",
                                                 "--output", str(root / "local"))
            from narrate.audio import flac as flac_files

            cache = root / ".narrate" / "cache" / "audio"
            sentences = sorted(cache.glob("??/*.flac"))
            flac = sum(p.stat().st_size for p in sentences)
            received = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file() and "work" not in p.parts)
            wav = sum(44 + 2 * flac_files.info(p)[0] for p in sentences)
            editions = [p for p in (root / "output").glob("*/*") if p.is_file()]
            audio_editions = [p for p in editions if p.suffix in (".mp3", ".m4b", ".vtt", ".html", ".json")
                              or p.name.endswith(".readaloud.epub")]  # sent back by the audio tasks
            texts = sum(p.stat().st_size for p in editions  # sent back by the text tasks
                        if p not in audio_editions and (p.suffix in (".epub", ".pdf") or ".cover." in p.name))
            stitched = sum(p.stat().st_size for p in audio_editions)
    finally:
        cluster.shutdown()
    hours = audio / 3600
    print(f"head cost, voice {voice}, formats {FORMATS}: {titles} generated titles, {audio:.0f} s of audio "
          f"({hours:.4f} h), {len(sentences)} sentences; cluster: head (0 CPU) + 2 x 1 CPU, 127.0.0.1")
    print(f"  build wall {wall:.1f} s; head CPU {cpu:.1f} s = {cpu / hours:,.0f} CPU-s per hour of audio")
    print(f"  of which stitching and writing (the same build from full caches): {stitch_cpu:.1f} s = "
          f"{stitch_cpu / hours:,.0f} CPU-s per hour (wall {stitch_wall:.1f} s)")
    print(f"  the same build from full caches, local executor -j 1 (what the head paid when it made every "
          f"edition itself): {local_cpu:.1f} s = {local_cpu / hours:,.0f} CPU-s per hour (wall {local_wall:.1f} s)")
    print(f"  bytes received (every cache entry the chapter tasks sent back): {received:,} = "
          f"{received / hours / 1e6:,.1f} MB per hour of audio")
    print(f"  text editions and covers received (made by Ray tasks, written here): {texts:,} B")
    print(f"  audio editions received (stitched by Ray tasks, written here): {stitched:,} B = "
          f"{stitched / hours / 1e6:,.1f} MB per hour of audio; with the cache entries: "
          f"{(received + stitched) / hours / 1e6:,.1f} MB per hour")
    print(f"  bytes the head received over the wire, as its Ray executor counted them (cache entries as the "
          f"chapter tasks sent them, audio editions as the stitching tasks sent them; text editions not counted): "
          f"cold {wire:,} = {wire / hours / 1e6:,.1f} MB per hour of audio; from full caches {stitch_wire:,} = "
          f"{stitch_wire / hours / 1e6:,.1f} MB per hour")
    print(f"  sentence cache as WAV {wav:,} B, as FLAC {flac:,} B (ratio {flac / wav:.3f}); per hour of "
          f"synthesized speech: WAV 158.8 MB, FLAC {158.8 * flac / wav:,.1f} MB")


WORDS_PER_MINUTE = 135  # espeak-ng at a book's rate with pauses (772 words made 346 s); the audio is measured


def generate_book(root: Path, slug: str, minutes: float, chapter_minutes: float) -> None:
    """A book of generated text, about ``minutes`` of narration in chapters of about ``chapter_minutes``:
    sentences of 8-18 words drawn (seeded by the slug) from the words of the sample novel's first
    chapter, so that no two sentences are alike (a book's sentences are not shared, as the generated
    articles' are), 3-6 sentences a paragraph, 5-9 paragraphs a section."""
    import random
    import re

    sample = (REPO / "content" / "the-tide-clock" / "01-low-water.md").read_text(encoding="utf-8")
    vocabulary = sorted({w.lower() for w in re.findall(r"[A-Za-z]{3,}", sample.split("---", 2)[-1])})
    rng = random.Random(slug)
    folder = root / "content" / slug
    folder.mkdir(parents=True)
    count = max(1, round(minutes / chapter_minutes))
    names = []
    for c in range(count):
        words, sections = 0, []
        while words < minutes / count * WORDS_PER_MINUTE:
            paragraphs = []
            for _ in range(rng.randint(5, 9)):
                sentences = []
                for _ in range(rng.randint(3, 6)):
                    picked = [rng.choice(vocabulary) for _ in range(rng.randint(8, 18))]
                    words += len(picked)
                    sentences.append(" ".join(picked).capitalize() + rng.choice(".....?!"))
                paragraphs.append(" ".join(sentences))
            sections.append("\n\n".join(paragraphs))
        body = "\n\n".join(f"## Part {i + 1}\n\n{text}" if i else text for i, text in enumerate(sections))
        names.append(f"{c + 1:02d}.md")
        (folder / names[-1]).write_text(f'---\ntitle: "Chapter {c + 1}"\n---\n\n{body}\n', encoding="utf-8")
    (folder / "book.toml").write_text(
        f'title = "Generated book {slug}"\nauthors = ["A. Writer"]\nlanguage = "en"\ndate = 2026-11-02\n'
        f'slug = "{slug}"\nchapters = {json.dumps(names)}\n', encoding="utf-8")


def head_fit(voice: str, shorts: list[int], longs: list[float], chapter_minutes: float,
             profile: Path | None) -> None:
    """Figure 5: the building machine's CPU-seconds and bytes received, by titles and hours of audio."""
    import numpy as np
    from ray.cluster_utils import Cluster

    os.environ["PYTHONPATH"] = str(REPO / "src")
    node = {"node_ip_address": "127.0.0.1"}
    cluster = Cluster(initialize_head=True, connect=False,
                      head_node_args={**node, "num_cpus": 0, "include_dashboard": False})
    runs = []
    try:
        for _ in range(2):
            cluster.add_node(num_cpus=1, **node)
        cluster.wait_for_nodes()
        args = ("--voice", voice, "--executor", "ray", "--ray-address", cluster.address)
        projects = [(f"{n} short", n, None) for n in shorts] + [(f"1 long, {m:g} min", 1, m) for m in longs]
        for name, titles, minutes in projects:
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp) / "p"
                generate(root, 0 if minutes else titles)
                (root / "voices" / "fake.toml").write_text(FAKE)
                for path in (root / "content").iterdir():  # the generated titles only
                    if not path.name.startswith("generated-"):
                        shutil.rmtree(path) if path.is_dir() else path.unlink()
                if minutes:
                    generate_book(root, f"long-{minutes:g}", minutes, chapter_minutes)
                if profile:
                    profile.mkdir(parents=True, exist_ok=True)
                    stem = name.replace(" ", "-").replace(",", "")
                    os.environ["NARRATE_BENCH_PROFILE"] = str(profile / f"{stem}.prof")
                cold = timed_build(root, *args)
                os.environ.pop("NARRATE_BENCH_PROFILE", None)
                hours = audio_seconds(root) / 3600
                sentences = len(list((root / ".narrate" / "cache" / "audio").glob("??/*.flac")))
                (root / "output" / "manifest.json").unlink()  # every edition again, from full caches
                warm = timed_build(root, *args)
                (root / "output" / "manifest.json").unlink()  # the same on this machine alone (today's local design)
                local = timed_build(root, "--voice", voice, "--executor", "local", "-j", "1",
                                    "--output", str(root / "local"))
            runs.append({"name": name, "titles": titles, "hours": hours, "sentences": sentences,
                         "cold": cold, "warm": warm, "local": local})
            print(f"{name}: {titles} titles, {hours * 3600:.0f} s of audio ({hours:.4f} h), {sentences} sentences; "
                  f"head CPU cold {cold['cpu']:.2f} s (wall {cold['seconds']:.1f} s), received {cold['received']:,} B; "
                  f"from full caches {warm['cpu']:.2f} s, received {warm['received']:,} B; local -j 1 from full "
                  f"caches {local['cpu']:.2f} s; load {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        cluster.shutdown()
    design = np.array([[1.0, r["titles"], r["hours"]] for r in runs])
    print(f"\nhead cost, voice {voice}, formats {FORMATS}, chapters of about {chapter_minutes:g} min in the long "
          "titles; cluster: head (0 CPU) + 2 x 1 CPU, 127.0.0.1")
    for label, key, field in (("head CPU-s, cold", "cold", "cpu"), ("head CPU-s, from full caches", "warm", "cpu"),
                              ("bytes received, cold", "cold", "received"),
                              ("bytes received, from full caches", "warm", "received"),
                              ("CPU-s, local -j 1 from full caches", "local", "cpu")):
        values = np.array([r[key][field] for r in runs], dtype=float)
        (fixed, per_title, per_hour), *_ = np.linalg.lstsq(design, values, rcond=None)
        worst = max(abs(design @ np.array([fixed, per_title, per_hour]) - values))
        print(f"  {label}: {fixed:,.2f} per build + {per_title:,.2f} per title + {per_hour:,.2f} per hour of audio "
              f"(largest residual {worst:,.2f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voice", default="joe")
    parser.add_argument("--titles", type=int, default=10)
    parser.add_argument("--sentences", type=int, default=2000, help="for the overhead measurement")
    parser.add_argument("--overhead-only", action="store_true", help="skip the builds")
    parser.add_argument("--head-cost", action="store_true", help="figure 4 only")
    parser.add_argument("--head-fit", action="store_true", help="figure 5 only")
    parser.add_argument("--short", default="2,8", help="--head-fit: batches of generated articles, titles each")
    parser.add_argument("--long", default="20,40", help="--head-fit: generated books, minutes of audio each")
    parser.add_argument("--chapter-minutes", type=float, default=10.0, help="--head-fit: a long title's chapters")
    parser.add_argument("--profile", type=Path, help="--head-fit: write a CPU profile of each cold build here")
    parser.add_argument("--batch-only", action="store_true",
                        help="figure 1 alone, on the generated articles only (no samples): a short run")
    parser.add_argument("--formats", default="mp3,m4b", help="the builds' --formats (must include mp3)")
    args = parser.parse_args()
    global FORMATS
    FORMATS = args.formats
    if args.head_cost:
        head_cost(args.voice, args.titles)
        return
    if args.head_fit:
        head_fit(args.voice, [int(n) for n in args.short.split(",") if n],
                 [float(m) for m in args.long.split(",") if m], args.chapter_minutes, args.profile)
        return
    from ray.cluster_utils import Cluster

    os.environ["PYTHONPATH"] = str(REPO / "src")  # the nodes' workers run this checkout's narrate too (else
    # the one installed in the venv: a driver and nodes of different versions, the figures of neither)
    node = {"num_cpus": 1, "node_ip_address": "127.0.0.1"}
    cluster = Cluster(initialize_head=True, connect=False, head_node_args={**node, "include_dashboard": False})
    try:
        cluster.add_node(**node)
        cluster.wait_for_nodes()
        if args.overhead_only:
            for batch, (value, driver) in overhead(cluster.address, args.sentences).items():
                print(f"batches of {batch}: {value * 1000:.2f} ms worker time, driver {driver * 1000:.2f} ms "
                      "per sentence")
            return
        with tempfile.TemporaryDirectory() as tmp:
            roots = {}
            for name in ("local", "ray"):
                roots[name] = Path(tmp) / name
                generate(roots[name], args.titles)
                (roots[name] / "voices" / "fake.toml").write_text(FAKE)
                for path in (roots[name] / "content").iterdir() if args.batch_only else ():
                    if not path.name.startswith("generated-"):
                        shutil.rmtree(path) if path.is_dir() else path.unlink()
            local = timed_build(roots["local"], "--voice", args.voice, "--executor", "local", "-j", "2")
            remote = timed_build(roots["ray"], "--voice", args.voice, "--executor", "ray",
                                 "--ray-address", cluster.address)
            local_cpu, remote_cpu = local["cpu"], remote["cpu"]
            tasks = task_summary(cluster.address, 2)
            audio = audio_seconds(roots["local"])
            titles = len(list((roots["local"] / "output").rglob("*.mp3")))
            segments = len(list((roots["local"] / ".narrate" / "cache" / "audio").glob("??/*.flac")))
            # the same build from a full cache: what is left is mastering and encoding (local)
            for name in ("local", "ray"):
                (roots[name] / "output" / "manifest.json").unlink()
            warm = timed_build(roots["local"], "--voice", args.voice, "--executor", "local", "-j", "2")
            same = all((roots["local"] / "output" / p.relative_to(roots["ray"] / "output")).read_bytes()
                       == p.read_bytes() for p in (roots["ray"] / "output").rglob("*.m[p4]*"))
        if args.batch_only:
            print(f"batch: {titles} titles, {audio:.0f} s of audio, voice {args.voice}, formats {FORMATS}, "
                  f"load average {os.getloadavg()[0]:.1f}")
            print(f"local -j 2: {local['seconds']:.1f} s; ray 2 x 1 CPU: {remote['seconds']:.1f} s; ratio "
                  f"{remote['seconds'] / local['seconds']:.3f}; byte-identical: {same}")
            print(f"  CPU-s of this machine's processes (the build and its subprocesses; a Ray node's work is "
                  f"not counted): local {local_cpu:.1f}, ray driver {remote_cpu:.1f}")
            print(tasks)
            return
        per_sentence = overhead(cluster.address, args.sentences)
    finally:
        cluster.shutdown()

    print(f"batch: {titles} titles, {audio:.0f} s of audio, voice {args.voice}")
    print(f"local executor (-j 2):         {local['seconds']:7.1f} s   (process wall {local['wall']:.1f} s)")
    print(f"ray, 2 nodes x 1 CPU:          {remote['seconds']:7.1f} s   (process wall {remote['wall']:.1f} s)")
    print(f"wall-time ratio ray/local:     {remote['seconds'] / local['seconds']:7.3f}")
    print(f"outputs byte-identical:        {same}")
    mastering = warm["seconds"]
    print(f"from a full cache (mastering + encoding only, local): {mastering:.1f} s = "
          f"{mastering / audio * 2:.4f} core-s per s of audio (2 cores)")
    synth = (local["seconds"] - mastering) * 2 / audio
    print(f"synthesis: about {synth:.4f} core-s per s of audio (cold minus warm build, 2 cores)")
    for batch, (value, driver) in per_sentence.items():
        print(f"scheduling overhead, batches of {batch:2d}: {value * 1000:7.2f} ms of worker time per sentence; "
              f"driver: {driver * 1000:.2f} ms per sentence")

    # the projection
    titles_b, hours, nodes, cores = 500, 10, 100, 16
    audio_s = titles_b * hours * 3600
    seconds_per_sentence = audio / segments
    sentences = audio_s / seconds_per_sentence
    piper = 0.07
    compute = audio_s * piper
    per, driver = per_sentence[max(per_sentence)]
    over = sentences * per
    wall = (compute + over) / (nodes * cores)
    wav_bytes = audio_s * 22050 * 2
    print("\nprojection: 500 titles x 10 h on 100 nodes x 16 cores")
    print(f"  audio: {titles_b} x {hours} h = {audio_s:,.0f} s; at {seconds_per_sentence:.1f} s per sentence "
          f"(this batch) = {sentences:,.0f} sentences")
    print(f"  synthesis: {audio_s:,.0f} s x {piper} core-s/s = {compute:,.0f} core-s = {compute / 3600:,.0f} core-h")
    print(f"  scheduling: {sentences:,.0f} x {per * 1000:.2f} ms = {over:,.0f} core-s")
    print(f"  driver (one process, serial): {sentences:,.0f} x {driver * 1000:.2f} ms = "
          f"{sentences * driver / 60:.1f} min")
    print(f"  wall: ({compute:,.0f} + {over:,.0f}) / ({nodes} x {cores}) = {wall:,.0f} s = {wall / 60:.1f} min")
    print(f"  WAV bytes back to the driver: {audio_s:,.0f} s x 44,100 B/s = {wav_bytes / 1e9:,.0f} GB "
          f"= {wav_bytes / 1.25e9 / 60:.1f} min at 10 Gbit/s")
    local_master = mastering / audio * 2 * audio_s / cores
    print(f"  mastering + encoding on the one driver machine ({cores} cores): {mastering / audio * 2:.4f} x "
          f"{audio_s:,.0f} / {cores} = {local_master / 3600:.1f} h")


if __name__ == "__main__":
    main()
