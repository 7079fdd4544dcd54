"""Narration overhead: render() wall time vs raw engine synthesis of the same text.

    PYTHONPATH=src python benchmarks/narration.py --engine espeak --minutes 5
    PYTHONPATH=src python benchmarks/narration.py --engine piper --minutes 2

Prints raw synthesis time (engine.synthesize on every segment, nothing else), the full
render (cached synthesis + assembly + loudness), the MP3 and M4B encodes, and the ratio
render / raw (goal: <= 1.15 for Piper; espeak-ng synthesizes so fast that the fixed
ffmpeg passes dominate). Also peak RSS of this process and of its children.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from narrate.audio.master import render
from narrate.speech.engines import get_engine
from narrate.speech.script import Script, ScriptChapter, Segment
from narrate.speech.voices import BUILTIN_PROFILES, VoiceProfile
from narrate.writers import AudioMeta
from narrate.writers.m4b import write_m4b
from narrate.writers.mp3 import write_mp3

WORDS = (
    "the tide clock turned slowly while the harbour lights came on one by one along the quay and the "
    "ferry waited for the last of the evening passengers who hurried down from the town with parcels "
    "under their arms and news of the storm that had kept the boats in for three days"
).split()
WORDS_PER_MINUTE = 160  # roughly what espeak-ng and Piper speak at rate 1.0


def book(
    minutes: float, words_per_segment: int = 16, segments_per_chapter: int = 60, slug: str = "bench"
) -> Script:
    """A generated book lasting about ``minutes``; each segment a distinct sentence."""
    total = max(1, round(minutes * WORDS_PER_MINUTE / words_per_segment))
    chapters = []
    for c in range(0, total, segments_per_chapter):
        segs = []
        for n in range(c, min(total, c + segments_per_chapter)):
            start = (n * 7) % len(WORDS)
            text = " ".join(WORDS[(start + i) % len(WORDS)] for i in range(words_per_segment))
            text = f"{text.capitalize()}, number {n}."
            segs.append(Segment(f"s{n}", f"b{n}", text, text, 350 if n % 4 else 700))
        chapters.append(ScriptChapter(f"ch{len(chapters) + 1}", f"Chapter {len(chapters) + 1}", tuple(segs)))
    return Script(slug, "Benchmark", "en", tuple(chapters))


def profile_for(engine: str) -> VoiceProfile:
    if engine == "piper":
        return BUILTIN_PROFILES["joe"]
    if engine == "espeak":
        return BUILTIN_PROFILES["espeak"]
    return VoiceProfile(name="fake", engine="fake", model="fake")


def peak_rss_mb() -> tuple[float, float]:
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return self_kb / 1024, children_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="espeak", choices=["espeak", "piper", "fake"])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    profile = profile_for(args.engine)
    engine = get_engine(profile)
    script = book(args.minutes)
    segments = list(script.segments())
    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as scratch:
        root = Path(scratch)
        raw_dir = root / "raw"
        raw_dir.mkdir()
        if args.engine == "piper":
            engine.synthesize("Warm up.", root / "warm.wav")  # model load is not synthesis
        started = time.perf_counter()
        for n, segment in enumerate(segments):
            engine.synthesize(segment.spoken, raw_dir / f"{n}.wav")
        raw = time.perf_counter() - started

        started = time.perf_counter()
        rendered = render(
            script, profile, engine, cache_dir=root / "cache", work_dir=root / "work", jobs=args.jobs
        )
        narration = time.perf_counter() - started
        meta = AudioMeta(title="Benchmark", authors=("narrate",))
        started = time.perf_counter()
        write_mp3(rendered, meta, None, root / "bench.mp3")
        mp3 = time.perf_counter() - started
        started = time.perf_counter()
        write_m4b(rendered, meta, None, root / "bench.m4b")
        m4b = time.perf_counter() - started
        cached = render(script, profile, engine, cache_dir=root / "cache", work_dir=root / "work2")

    audio_s = rendered.timeline.duration_ms / 1000
    rss_self, rss_children = peak_rss_mb()
    print(
        f"engine {args.engine}, {len(segments)} segments, {audio_s / 60:.1f} min of audio, jobs {args.jobs}"
    )
    print(f"raw synthesis      {raw:8.2f} s  ({audio_s / raw:6.1f}x real time)")
    print(f"render (narration) {narration:8.2f} s  ratio {narration / raw:.3f} (goal <= 1.15)")
    print(f"  of which not synthesis {narration - raw:8.2f} s (assembly + loudness, approx.)")
    print(f"mp3 encode         {mp3:8.2f} s;  m4b encode {m4b:.2f} s")
    print(f"cached re-render   synthesized {cached.synthesized} segments")
    print(f"loudness gain {rendered.gain_db:+.1f} dB, limiter {'on' if rendered.limited else 'off'}")
    print(f"peak RSS: self {rss_self:.0f} MB, largest child {rss_children:.0f} MB")


if __name__ == "__main__":
    main()
