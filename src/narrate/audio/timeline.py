"""The audio ``Timeline``: where each chapter and segment sits in the master, in integer ms.

Times come from the sample counts that were concatenated, not from decoding, so they
are exact to the millisecond (rounded). JSON round-trips let a build cache a render.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class TimelineChapter:
    id: str
    title: str
    start_ms: int  # first sample of the chapter (its ACX head room tone included)
    end_ms: int  # start of the next chapter (trailing pause included)


@dataclass(frozen=True)
class TimelineSegment:
    id: str
    block_id: str
    chapter_id: str
    text: str  # display text
    start_ms: int  # speech starts
    end_ms: int  # speech ends (the pause after it is not included)


@dataclass(frozen=True)
class Timeline:
    chapters: tuple[TimelineChapter, ...]
    segments: tuple[TimelineSegment, ...]
    duration_ms: int

    def chapter(self, chapter_id: str) -> TimelineChapter:
        for chapter in self.chapters:
            if chapter.id == chapter_id:
                return chapter
        raise KeyError(chapter_id)

    def segments_of(self, chapter_id: str) -> tuple[TimelineSegment, ...]:
        return tuple(s for s in self.segments if s.chapter_id == chapter_id)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Timeline:
        data = json.loads(text)
        return cls(
            chapters=tuple(TimelineChapter(**c) for c in data["chapters"]),
            segments=tuple(TimelineSegment(**s) for s in data["segments"]),
            duration_ms=int(data["duration_ms"]),
        )


@dataclass(frozen=True)
class Rendered:
    """The narration's mastered chapter pieces (``audio_chapter.ChapterPiece``) and its timeline."""

    pieces: tuple[Any, ...]
    sample_rate: int
    timeline: Timeline
    synthesized: int = 0  # segments synthesized in this render (the rest came from the cache)
    loudness: str = "default"
    gain_db: float = 0.0  # the largest chapter gain
    limited: bool = False  # a true-peak limiter was used on some chapter
    cache_dir: Path = Path()  # where the pieces' encodings are cached
    jobs: int = 1  # threads for encoding pieces
    level: Any = None  # the voice's level figures (``voicelevel.VoiceLevel``) the encodings are compensated by


class TimelineBuilder:
    """Accumulates sample counts into a ``Timeline``."""

    def __init__(self, sample_rate: int):
        self.sample_rate = sample_rate
        self.samples = 0
        self._chapters: list[TimelineChapter] = []
        self._segments: list[TimelineSegment] = []
        self._open: tuple[str, str, int] | None = None

    def ms(self, samples: int) -> int:
        return (samples * 1000 + self.sample_rate // 2) // self.sample_rate

    def start_chapter(self, chapter_id: str, title: str) -> None:
        self._close_chapter()
        self._open = (chapter_id, title, self.samples)

    def add_segment(self, seg_id: str, block_id: str, text: str, frames: int) -> None:
        assert self._open is not None
        start = self.samples
        self.samples += frames
        self._segments.append(
            TimelineSegment(seg_id, block_id, self._open[0], text, self.ms(start), self.ms(self.samples))
        )

    def add_silence(self, frames: int) -> None:
        self.samples += frames

    def _close_chapter(self) -> None:
        if self._open is not None:
            chapter_id, title, start = self._open
            self._chapters.append(TimelineChapter(chapter_id, title, self.ms(start), self.ms(self.samples)))
            self._open = None

    def build(self) -> Timeline:
        self._close_chapter()
        return Timeline(tuple(self._chapters), tuple(self._segments), self.ms(self.samples))
