"""Transcripts from the timeline: WebVTT captions and Podcasting 2.0 JSON chapters.

* ``<slug>.vtt``: captions, each sentence cut into cues of at most two lines of about 42
  characters and about 7 s (writers/captions.py); a cue's id is its sentence's segment id
  (``-2``, ``-3``... for the sentence's later cues).
* ``<slug>.chapters.json``: JSON chapters 1.2.0 (``startTime``/``endTime`` in seconds).
"""

from __future__ import annotations

import json
from pathlib import Path

from narrate.artifacts import atomic_path
from narrate.audio.timeline import Timeline
from narrate.errors import OutputError
from narrate.writers.captions import caption_cues

CHAPTERS_VERSION = "1.2.0"


def _stamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _cue_text(text: str) -> str:
    flat = " ".join(text.split())
    return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_text(timeline: Timeline, language: str = "en") -> str:
    """WebVTT captions: sentences cut to caption size (see writers/captions.py)."""
    parts = ["WEBVTT", ""]
    for cue in caption_cues(timeline, language):
        lines = [_cue_text(line) for line in cue.lines]
        if not any(lines):
            continue
        cue_id = cue.id.replace("-->", "- ->")
        parts += [cue_id, f"{_stamp(cue.start_ms)} --> {_stamp(cue.end_ms)}", *lines, ""]
    return "\n".join(parts)


def chapters_json(timeline: Timeline) -> str:
    chapters = [
        {"startTime": chapter.start_ms / 1000, "endTime": chapter.end_ms / 1000, "title": chapter.title}
        for chapter in timeline.chapters
    ]
    return (
        json.dumps({"version": CHAPTERS_VERSION, "chapters": chapters}, ensure_ascii=False, indent=2) + "\n"
    )


def _write(out: Path, text: str) -> Path:
    try:
        with atomic_path(out) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write ({exc.strerror})", out) from exc
    return out


def write_vtt(timeline: Timeline, out: Path, language: str = "en") -> Path:
    return _write(out, vtt_text(timeline, language))


def write_chapters_json(timeline: Timeline, out: Path) -> Path:
    return _write(out, chapters_json(timeline))


def write_transcripts(timeline: Timeline, out_dir: Path, slug: str, language: str = "en") -> tuple[Path, Path]:
    """Write ``<slug>.vtt`` (line and cue breaks by ``language``'s phrases) and ``<slug>.chapters.json``."""
    return (
        write_vtt(timeline, out_dir / f"{slug}.vtt", language),
        write_chapters_json(timeline, out_dir / f"{slug}.chapters.json"),
    )
