"""Pictures for the proof page: each chapter's loudness over time, and chapter durations.

Drawn as inline SVG by the page template from the geometry computed here, rather than
with a plotting library: two simple chart kinds need no 40 MB dependency, inline SVG
takes the page's colours and fonts, stays byte-identical from run to run, and carries
its text alternative (``<title>``/``<desc>`` and a data table beside it).

Loudness is ffmpeg's EBU R128 short-term loudness (3 s window, ``ebur128`` filter),
sampled once a second, measured over the built MP3 (or M4B), or, before a build, over the
cached sentences laid out with their pauses (before the build's loudness correction);
cached under ``.narrate/proof/`` by the file's sha256 or the sentences' keys, so a warm
run reads a small JSON file.
"""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from narrate.artifacts import atomic_write, hash_parts
from narrate.audio import flac
from narrate.audio.ffmpeg import run_ffmpeg

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 200, 48, 28, 10
FLOOR, CEILING = -60.0, -5.0  # LUFS shown on the loudness charts
TARGET_LUFS = -19.0
_FRAME = re.compile(r"\bt:\s*([\d.]+).*?\bS:\s*(-?[\d.]+|-?inf)")


@dataclass(frozen=True)
class Tick:
    at: float  # pixels
    label: str


@dataclass(frozen=True)
class LoudnessChart:
    title: str
    desc: str
    points: str  # SVG polyline points
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    target_y: float
    summary: dict[str, str]  # for the table: start, duration, median, quietest, loudest


@dataclass(frozen=True)
class Bar:
    title: str
    y: float
    width: float
    label: str  # "12:34"


@dataclass(frozen=True)
class DurationChart:
    title: str
    desc: str
    bars: tuple[Bar, ...]
    height: int
    x_ticks: tuple[Tick, ...]


def clock(seconds: float) -> str:
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def loudness_series(audio: Path, sha256: str, cache_dir: Path) -> list[float]:
    """Short-term loudness (LUFS), one value per second of ``audio``; cached by ``sha256``."""
    return _cached_series(cache_dir / f"loudness-{sha256}.json", ["-i", str(audio)], audio)


def loudness_from_cache(parts: list[tuple[Path, int]], cache_dir: Path) -> list[float]:
    """The same for a narration not yet built: each cached sentence WAV (``Path()`` for a silent
    one) followed by its pause in milliseconds, as the build lays them out, before its
    loudness correction. Read through ffmpeg's concat demuxer, with silent WAVs for the pauses."""
    cached = cache_dir / f"loudness-{hash_parts(*(f'{w.stem}:{ms}' for w, ms in parts))}.json"
    if cached.is_file():
        return _cached_series(cached, [], None)
    first = next((w for w, _ in parts if w != Path()), None)
    if first is None:
        return []
    rate = flac.info(first)[1]
    lines = []
    for wav, ms in parts:
        if wav != Path() and flac.info(wav)[0]:  # an empty sentence adds nothing (and is not FLAC)
            lines.append(f"file '{_quoted(wav)}'")
        if ms > 0:
            lines.append(f"file '{_quoted(_silence(cache_dir, rate, ms))}'")
    listing = cache_dir / f"{cached.stem}.txt"
    atomic_write(listing, "ffconcat version 1.0\n" + "\n".join(lines) + "\n")
    try:
        return _cached_series(cached, ["-f", "concat", "-safe", "0", "-i", str(listing)], first)
    finally:
        listing.unlink(missing_ok=True)


def _quoted(path: Path) -> str:
    return str(path.resolve()).replace("'", "'\\''")


def _silence(cache_dir: Path, rate: int, ms: int) -> Path:
    path = cache_dir / f"silence-{rate}-{ms}{flac.SUFFIX}"  # FLAC, as the sentences are: one codec to concat
    if not path.is_file():
        flac.write(path, b"\0\0" * max(1, rate * ms // 1000), rate)
    return path


def _cached_series(cached: Path, inputs: list[str], where: Path | None) -> list[float]:
    if cached.is_file():
        try:
            return [float(v) for v in json.loads(cached.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError):
            pass
    values: list[float] = []
    next_second = 1.0

    def frame(line: str) -> bool:  # one value a second, as ffmpeg logs them (kept out of its stderr tail)
        nonlocal next_second
        match = _FRAME.search(line)
        if match and float(match.group(1)) >= next_second - 1e-6:
            values.append(max(FLOOR, float(match.group(2))))
            next_second += 1.0
        return False

    # run_ffmpeg: NARRATE_FFMPEG_TIMEOUT bounds the run, and ffmpeg never outlives narrate
    run_ffmpeg([*inputs, "-vn", "-af", "aresample=16000,ebur128=framelog=info", "-f", "null", "-"],
               what="measure loudness", path=where, keep=frame)
    atomic_write(cached, json.dumps(values))
    return values


def _y(lufs: float) -> float:
    span = HEIGHT - BOTTOM - TOP
    return round(TOP + (CEILING - max(FLOOR, min(CEILING, lufs))) / (CEILING - FLOOR) * span, 1)


def _time_ticks(duration: float, width: float) -> tuple[Tick, ...]:
    step = next(s for s in (10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10 ** 9) if duration / s <= 6)
    return tuple(Tick(round(LEFT + t / duration * width, 1), clock(t))
                 for t in range(0, int(duration) + 1, step)) if duration > 0 else ()


def loudness_chart(title: str, start: float, values: list[float], source: str = "the built audio") -> LoudnessChart:
    """A chapter's loudness line; ``values`` one a second from ``start``, measured on ``source``."""
    duration = max(1.0, float(len(values)))
    width = WIDTH - LEFT - 10
    step = max(1, len(values) // 600)  # at most ~600 points a chart
    points = " ".join(f"{LEFT + (i + step / 2) / duration * width:.1f},{_y(statistics.fmean(values[i:i + step]))}"
                      for i in range(0, len(values), step))
    voiced = [v for v in values if v > -45] or values or [FLOOR]
    median, low, high = statistics.median(voiced), min(voiced), max(voiced)
    summary = {"start": clock(start), "duration": clock(len(values)), "median": f"{median:.1f} LUFS",
               "quietest": f"{low:.1f} LUFS", "loudest": f"{high:.1f} LUFS"}
    desc = (f"Short-term loudness of {title} from {source}, {clock(len(values))} long, once a second: speech at "
            f"a median of "
            f"{median:.1f} LUFS, quietest {low:.1f}, loudest {high:.1f} (pauses below −45 LUFS left out); the "
            f"dashed line is narrate's target of {TARGET_LUFS:.0f} LUFS.")
    y_ticks = tuple(Tick(_y(v), f"{v:.0f}") for v in (-10.0, -20.0, -30.0, -40.0, -50.0, -60.0))
    return LoudnessChart(f"Loudness over time: {title}", desc, points, _time_ticks(duration, width), y_ticks,
                         _y(TARGET_LUFS), summary)


def duration_chart(chapters: list[tuple[str, float]]) -> DurationChart:
    """Horizontal bars, one per chapter (title, seconds)."""
    longest = max((s for _, s in chapters), default=1.0) or 1.0
    width = WIDTH - 200 - 60
    bars = tuple(Bar(title, 10 + i * 24, round(max(1.0, s / longest * width), 1), clock(s))
                 for i, (title, s) in enumerate(chapters))
    total = sum(s for _, s in chapters)
    longest_title = max(chapters, key=lambda c: c[1])[0] if chapters else ""
    desc = (f"{len(chapters)} chapters, {clock(total)} in all; the longest is {longest_title} "
            f"({clock(longest)}). The table below lists every chapter's duration.")
    ticks = tuple(Tick(round(200 + t.at - LEFT, 1), t.label) for t in _time_ticks(longest, width))
    return DurationChart("Chapter durations", desc, bars, 20 + len(chapters) * 24 + 20, ticks)
