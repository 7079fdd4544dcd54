"""Captions to caption conventions, from the timeline's sentences.

A sentence read in 20 s is not one caption. The common guidelines (BBC subtitle
guidelines, Netflix's timed-text style guide, the DCMP captioning key) agree on: at most
two lines, about 42 characters a line, and a cue on screen for at most about 7 s. So a
sentence is cut into cues at word boundaries (preferring a break after a comma, colon
or semicolon), each cue's time is its share of the sentence's time in proportion to its
characters (the speech rate is about even within a sentence), and a cue of two lines is
broken where the lines come out most even.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from narrate.audio.timeline import Timeline

MAX_LINE = 42  # characters a line
MAX_LINES = 2
MAX_CUE_MS = 7000
_CLAUSE_END = (",", ";", ":", "—", "–")


@dataclass(frozen=True)
class Cue:
    id: str
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]


def two_lines(words: list[str]) -> tuple[str, ...] | None:
    """The words as one line, or two lines as even as possible; None if they do not fit."""
    text = " ".join(words)
    if len(text) <= MAX_LINE:
        return (text,)
    best: tuple[str, str] | None = None
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        if len(first) <= MAX_LINE and len(second) <= MAX_LINE:
            if best is None or max(len(first), len(second)) < max(len(best[0]), len(best[1])):
                best = (first, second)
    if best is None and len(words) == 1:
        return (text,)  # one word longer than a line: shown as it is
    return best


def chunks(text: str, duration_ms: int) -> list[list[str]]:
    """The sentence's words in cue-sized runs: each fits two lines and, read at the
    sentence's pace, lasts at most MAX_CUE_MS."""
    words = text.split()
    if not words:
        return []
    total = len(" ".join(words)) + 1
    pieces = max(1, math.ceil(duration_ms / (MAX_CUE_MS * 0.9)))  # 10% slack for uneven cuts
    budget = max(1, total // pieces)  # characters (with one space) a cue may hold, for time
    out: list[list[str]] = []
    current: list[str] = []
    for word in words:
        candidate = [*current, word]
        if current and (_size(candidate) > budget or two_lines(candidate) is None):
            out.append(current)
            current = [word]
        else:
            current = candidate
    if current:
        out.append(current)
    return _prefer_clause_breaks(out, budget)


def _size(words: list[str]) -> int:
    return len(" ".join(words)) + 1


def _prefer_clause_breaks(runs: list[list[str]], budget: int) -> list[list[str]]:
    """Move the words after a cue's last clause mark (in its second half) to the next cue,
    when the next cue still fits; captions then break where the voice pauses."""
    for index in range(len(runs) - 1):
        run = runs[index]
        marks = [i for i, word in enumerate(run[:-1]) if word.endswith(_CLAUSE_END) and i >= len(run) // 2]
        if not marks:
            continue
        keep, tail = run[: marks[-1] + 1], run[marks[-1] + 1 :]
        merged = tail + runs[index + 1]
        if _size(merged) <= budget and two_lines(merged) is not None:
            runs[index], runs[index + 1] = keep, merged
    return runs


def caption_cues(timeline: Timeline) -> list[Cue]:
    cues: list[Cue] = []
    for segment in timeline.segments:
        duration = segment.end_ms - segment.start_ms
        runs = chunks(segment.text, duration)
        if not runs or duration <= 0:
            continue
        lengths = [_size(run) for run in runs]
        total = sum(lengths)
        start, done = segment.start_ms, 0
        for number, (run, size) in enumerate(zip(runs, lengths, strict=True), 1):
            done += size
            end = segment.end_ms if number == len(runs) else segment.start_ms + round(duration * done / total)
            lines = two_lines(run) or (" ".join(run),)
            cue_id = segment.id if number == 1 else f"{segment.id}-{number}"
            if end > start:
                cues.append(Cue(cue_id, start, end, lines))
            start = end
    return cues
