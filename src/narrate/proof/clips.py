"""Small MP3 clips of each sentence, encoded from the synthesis cache.

A clip is named after its cached WAV (the sha256 of engine settings and spoken text), so
a clip that exists is current and a warm run encodes nothing. MP3 rather than Opus:
every browser, Safari included, plays it in a native ``<audio>`` element; at 32 kbit/s
mono a sentence is a few kilobytes. Missing clips are encoded in batches, many inputs
and outputs per ffmpeg run (a process start costs more than a sentence's encoding), on
``jobs`` runs at once. Each clip is written to a temporary name and renamed.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from narrate.artifacts import atomic_path
from narrate.audio.ffmpeg import run_ffmpeg

CLIPS = Path("proof") / "clips"  # under output/
BATCH = 64
ENCODE = ["-ac", "1", "-ar", "22050", "-c:a", "libmp3lame", "-b:a", "32k", "-map_metadata", "-1",
          "-fflags", "+bitexact", "-flags:a", "+bitexact", "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3"]


def clip_rel(wav: Path) -> str:
    """The clip of a cached WAV, relative to output/."""
    return (CLIPS / wav.parent.name / f"{wav.stem}.mp3").as_posix()


def write_clips(wavs: list[Path], output: Path, *, jobs: int = 1,
                progress: Callable[[int, int], None] | None = None) -> int:
    """Encode the clips of ``wavs`` that do not exist yet; returns how many were made."""
    todo: dict[Path, Path] = {}
    for wav in wavs:
        if wav == Path():
            continue
        clip = output / clip_rel(wav)
        if clip not in todo and not clip.is_file():
            todo[clip] = wav
    items = list(todo.items())
    batches = [items[i:i + BATCH] for i in range(0, len(items), BATCH)]
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for made in pool.map(_encode, batches):
            done += made
            if progress:
                progress(done, len(items))
    return len(items)


def _encode(batch: list[tuple[Path, Path]]) -> int:
    with ExitStack() as stack:
        temps = [stack.enter_context(atomic_path(clip)) for clip, _ in batch]
        args: list[str] = []
        for _, wav in batch:
            args += ["-i", str(wav)]
        for index, temp in enumerate(temps):
            args += ["-map", f"{index}:a", *ENCODE, "-y", str(temp)]
        run_ffmpeg(args, what="encode proof clips", path=batch[0][1])
    return len(batch)


def prune_clips(output: Path, used: set[str]) -> int:
    """Remove clips that no current sentence uses (``used``: paths relative to output/)."""
    removed = 0
    folder = output / CLIPS
    for clip in sorted(folder.rglob("*.mp3")) if folder.is_dir() else []:
        if clip.relative_to(output).as_posix() not in used:
            clip.unlink()
            removed += 1
    for sub in sorted(folder.iterdir()) if folder.is_dir() else []:
        if sub.is_dir() and not any(sub.iterdir()):
            sub.rmdir()
    return removed


@dataclass
class Timed:
    """A segment with its clip and place in the narration."""

    id: str
    text: str
    clip: str  # relative to output/ ("" when silent)
    start_s: float
    duration_s: float
