"""Audio checks for ``narrate check``: chapters, decoded duration, loudness, ACX rules.

Everything goes through ffprobe/ffmpeg (``audio_ffmpeg``): chapters from ``ffprobe``, the
duration from the number of decoded samples (an MP3's container duration includes the
encoder's delay and padding), levels from ``ebur128`` and ``astats``. The loudness target
is the one the build mastered to, recorded in the manifest (``loudness``; the files name
the voice only as credited, "Joe, a synthetic voice", never by its profile's id); a manifest
without it counts a 44.1 kHz 192 kbps MP3 as ACX.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrate.audio.ffmpeg import astats, measure_loudness, probe, run_ffmpeg
from narrate.audio.master import TARGETS

if TYPE_CHECKING:
    from narrate.check.findings import Publication

# The stitched editions agree with the timeline to the millisecond (audio_chapter): chapter starts
# and the MP3's decoded length within 1 ms plus rounding; the M4B keeps the AAC's last 128 samples
# of padding (2.9 ms at 44.1 kHz) after the end.
TOLERANCE_S = 0.0015
DURATION_TOLERANCE_S = {"mp3": 0.0015, "m4b": 0.0045}
LOUDNESS_TOLERANCE_LU = 0.3  # each edition is level-compensated per codec (audio_chapter.encode_piece)
PEAK_TOLERANCE_DB = 0.1
ACX_RMS_DB = (-23.0, -18.0)
ACX_PEAK_DB = -3.0
ACX_NOISE_FLOOR_DB = -60.0
ACX_HEAD_S = (0.5, 1.0)
ACX_TAIL_S = (1.0, 5.0)
ACX_SAMPLE_RATE = 44100
ACX_MP3_BITRATE = 192000
ACX_MAX_MINUTES = 120
PROFILES = ("acx",)  # ``narrate check --profile``: a store's spec, whatever the build mastered to
SILENCE = "silencedetect=noise=-50dB:d=0.1"
_SILENCE_EVENT = re.compile(r"silence_(start|end): (-?[\d.]+)")


def check_audio(pub: Publication, art: dict[str, Any], path: Path, profile: str = "") -> None:
    """Chapters, duration and loudness of an MP3 or M4B; with ``profile="acx"`` every rule of
    ACX's audio submission requirements it can measure, whatever the build's target was."""
    info = probe(path, "stream=codec_type,sample_rate,bit_rate,channels", "chapter=start_time:chapter_tags=title",
                 "format_tags=comment")
    stream = next((s for s in info.get("streams", []) if s.get("codec_type") == "audio"), None)
    if stream is None:
        pub.add(art, "audio", "error", "no audio stream")
        return
    _check_chapters(pub, art, info.get("chapters", []))
    stats = astats(path)
    rate = int(stream.get("sample_rate") or 0)
    duration = stats.get("Number of samples", 0.0) / rate if rate else 0.0
    _check_duration(pub, art, duration, DURATION_TOLERANCE_S.get(str(art.get("format")), 0.1))
    profile = profile or loudness_profile(pub, art, info, stream)
    if profile == "acx":
        _check_acx(pub, art, path, stats, stream, duration)
    else:
        _check_loudness(pub, art, path, profile)


def _check_chapters(pub: Publication, art: dict[str, Any], chapters: list[dict[str, Any]]) -> None:
    found = sorted((float(c.get("start_time", 0)), str(c.get("tags", {}).get("title", ""))) for c in chapters)
    if pub.chapter_titles is None:
        if not found:
            pub.add(art, "audio-chapters", "error", "no chapter markers")
        return
    titles = [title for _, title in found]
    if titles != pub.chapter_titles:
        pub.add(art, "audio-chapters", "error", f"expected {len(pub.chapter_titles)} chapters "
                                                f"{pub.chapter_titles} (chapters JSON), found {len(titles)} {titles}")
        return
    for (start, title), expected in zip(found, pub.chapter_starts or [], strict=False):
        if abs(start - expected) > TOLERANCE_S:
            pub.add(art, "audio-chapters", "error", f"chapter {title!r} starts at {start:.3f} s, the chapters "
                                                    f"JSON says {expected:.3f} s")


def _check_duration(pub: Publication, art: dict[str, Any], duration: float, tolerance: float) -> None:
    expected = art.get("duration_s")
    if not isinstance(expected, (int, float)) or isinstance(expected, bool):
        pub.add(art, "audio-duration", "error", f"the manifest has no duration_s (decoded: {duration:.3f} s)")
    elif not 0 <= duration - expected <= tolerance and abs(duration - expected) > TOLERANCE_S:
        pub.add(art, "audio-duration", "error", f"decoded audio lasts {duration:.4f} s, the manifest says "
                                                f"{expected} s (tolerance {tolerance * 1000:g} ms)")


def loudness_profile(pub: Publication, art: dict[str, Any], info: dict[str, Any], stream: dict[str, Any]) -> str:
    """``"acx"`` or ``"default"``: the target the build mastered to (the manifest's
    ``loudness``), else guessed from the MP3's format."""
    recorded = art.get("loudness")
    if isinstance(recorded, str) and recorded in TARGETS:
        return recorded
    acx_like = (art.get("format") == "mp3" and int(stream.get("sample_rate") or 0) == ACX_SAMPLE_RATE
                and int(stream.get("bit_rate") or 0) == ACX_MP3_BITRATE)
    return "acx" if acx_like else "default"


def _check_loudness(pub: Publication, art: dict[str, Any], path: Path, profile: str) -> None:
    target = TARGETS.get(profile, TARGETS["default"])
    level = measure_loudness(path)
    summary = (f"integrated {level.integrated_lufs:.1f} LUFS, true peak {level.true_peak_dbtp:.1f} dBTP "
               f"(voice loudness {profile!r}: {target.integrated_lufs:g} LUFS ±{LOUDNESS_TOLERANCE_LU:g} LU, "
               f"≤ {target.true_peak_dbtp:g} dBTP)")
    bad = abs(level.integrated_lufs - target.integrated_lufs) > LOUDNESS_TOLERANCE_LU
    bad = bad or level.true_peak_dbtp > target.true_peak_dbtp + PEAK_TOLERANCE_DB
    pub.add(art, "loudness", "error" if bad else "info", summary)


def _check_acx(pub: Publication, art: dict[str, Any], path: Path, stats: dict[str, float],
               stream: dict[str, Any], duration: float) -> None:
    problems = []
    rms, peak = stats.get("RMS level dB", -200.0), stats.get("Peak level dB", 0.0)
    floor = stats.get("Noise floor dB", 0.0)
    if not ACX_RMS_DB[0] <= rms <= ACX_RMS_DB[1]:
        problems.append(f"RMS {rms:.1f} dB outside {ACX_RMS_DB[0]:g}…{ACX_RMS_DB[1]:g} dB")
    if peak > ACX_PEAK_DB:
        problems.append(f"peak {peak:.1f} dB above {ACX_PEAK_DB:g} dB")
    if floor > ACX_NOISE_FLOOR_DB:
        problems.append(f"noise floor {floor:.1f} dB above {ACX_NOISE_FLOOR_DB:g} dB")
    problems += _acx_format(art, stream, path)
    if duration > ACX_MAX_MINUTES * 60:
        problems.append(f"{duration / 60:.0f} minutes long, expected at most {ACX_MAX_MINUTES} minutes per file "
                        "(split the book into files by chapter)")
    problems += _acx_channels(pub, art, stream)
    head, tail = edge_silence(path, duration)
    if not ACX_HEAD_S[0] <= head <= ACX_HEAD_S[1]:
        problems.append(f"{head:.2f} s of room tone at the head, expected {ACX_HEAD_S[0]:g}–{ACX_HEAD_S[1]:g} s")
    if not ACX_TAIL_S[0] <= tail <= ACX_TAIL_S[1]:
        problems.append(f"{tail:.2f} s of room tone at the tail, expected {ACX_TAIL_S[0]:g}–{ACX_TAIL_S[1]:g} s")
    for problem in problems:
        pub.add(art, "acx", "error", f"ACX: {problem}")
    if not problems:
        pub.add(art, "acx", "info", f"ACX: RMS {rms:.1f} dB, peak {peak:.1f} dB, noise floor {floor:.1f} dB, "
                                    f"room tone {head:.2f} s head / {tail:.2f} s tail")


def _acx_channels(pub: Publication, art: dict[str, Any], stream: dict[str, Any]) -> list[str]:
    """Mono or stereo, the same in every audio file of the publication."""
    channels = int(stream.get("channels") or 0)
    if channels not in (1, 2):
        return [f"{channels} channels, expected mono or stereo"]
    for fmt in ("mp3", "m4b"):
        other = pub.artifacts.get(fmt)
        if other is None or other is art or not isinstance(other.get("path"), str):
            continue
        path = (pub.output / other["path"]).resolve()
        if path.is_file():
            found = next((int(s.get("channels") or 0) for s in probe(path, "stream=codec_type,channels")
                          .get("streams", []) if s.get("codec_type") == "audio"), channels)
            if found != channels:
                return [f"{'mono' if channels == 1 else 'stereo'}, but the {fmt.upper()} is "
                        f"{'mono' if found == 1 else 'stereo'}: every file must be one or the other"]
    return []


def _acx_format(art: dict[str, Any], stream: dict[str, Any], path: Path) -> list[str]:
    problems = []
    if art.get("format") != "mp3":
        problems.append("only MP3 files are accepted (192 kbps CBR); upload the MP3 edition")
    rate = int(stream.get("sample_rate") or 0)
    if rate != ACX_SAMPLE_RATE:
        problems.append(f"sample rate {rate} Hz, expected {ACX_SAMPLE_RATE}")
    if art.get("format") == "mp3":
        bitrate = int(stream.get("bit_rate") or 0)
        if bitrate != ACX_MP3_BITRATE:
            problems.append(f"bit rate {bitrate // 1000} kbps, expected {ACX_MP3_BITRATE // 1000} kbps")
        if _is_vbr(path):
            problems.append("variable bit rate (Xing header), expected constant bit rate")
    return problems


def _is_vbr(path: Path) -> bool:
    """An MP3 whose first frame carries a "Xing" header is VBR (LAME writes "Info" for CBR)."""
    with open(path, "rb") as fh:
        head = fh.read(10)
        skip = 0
        if head[:3] == b"ID3" and len(head) == 10:
            skip = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F))
        fh.seek(skip)
        frame = fh.read(4096)
    return b"Xing" in frame[:200]


def edge_silence(path: Path, duration: float, window: float = 8.0) -> tuple[float, float]:
    """Seconds of quiet (below -50 dBFS) at the start and at the end of ``path``."""
    head_events = _silences(["-t", f"{window:.3f}", "-i", str(path)], path)
    head = head_events[0][1] if head_events and head_events[0][0] <= 0.05 else 0.0
    start = max(0.0, duration - window)
    tail_events = _silences(["-ss", f"{start:.3f}", "-i", str(path)], path)
    span = duration - start
    tail = 0.0
    if tail_events and tail_events[-1][1] >= span - 0.05:
        tail = span - tail_events[-1][0]
    return head, tail


def _silences(inputs: list[str], path: Path) -> list[tuple[float, float]]:
    """(start, end) of each quiet stretch; an open stretch ends at infinity."""
    lines = run_ffmpeg([*inputs, "-af", SILENCE, "-f", "null", "-"], what="find room tone", path=path)
    events: list[tuple[float, float]] = []
    for line in lines:
        for kind, value in _SILENCE_EVENT.findall(line):
            if kind == "start":
                events.append((float(value), float("inf")))
            elif events:
                events[-1] = (events[-1][0], float(value))
    return events
