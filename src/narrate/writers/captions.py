"""Captions to caption conventions, from the timeline's sentences.

A sentence read in 20 s is not one caption. The common guidelines (BBC subtitle
guidelines, Netflix's timed-text style guide, the DCMP captioning key) agree on: at most
two lines, about 42 characters a line, and a cue on screen for at most about 7 s. So a
sentence is cut into cues at word boundaries (preferring a break after a comma, colon
or semicolon), each cue's time is its share of the sentence's time in proportion to its
characters (the speech rate is about even within a sentence), and a cue of two lines is
broken where the lines come out most even.

Breaks fall at phrase boundaries (BBC: "break at natural linguistic points"): never after
an article, preposition, conjunction or auxiliary when another break fits ("in the / harbour"
becomes "in the harbour / …"), for line breaks and cue breaks alike, with a list of such
words per language (en, de, fr, es; others use none). Reading speed: a sentence whose cues
would go faster than 17 characters a second (BBC and Netflix adult pace) stays on screen into
the pause after it, up to the next sentence, as far as that pause allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from narrate.audio.timeline import Timeline

MAX_LINE = 42  # characters a line
MAX_LINES = 2
MAX_CUE_MS = 7000
MAX_CPS = 17.0  # characters a second a cue is shown for, at most, where the pause after it allows
_CLAUSE_END = (",", ";", ":", "—", "–")
_SENTENCE_END = (".", "!", "?", "…")
WEAK_COST = 30  # characters of line evenness a break after a function word is worth avoiding
CLAUSE_BONUS = 12  # … and a break after a clause mark is worth seeking

# Words a line or cue should not end on: articles, prepositions, conjunctions, auxiliaries,
# possessives. Kept short and certain (a word that is also a content word is left out).
FUNCTION_WORDS = {
    "en": frozenset("""a an the and or but nor of in on at to for from by with into onto upon about as than
        that which who whose whom if because while although though so no not my your his her its our their
        this these those is are was were be been being has have had do does did will would shall should
        can could may might must very""".split()),
    "de": frozenset("""der die das den dem des ein eine einen einem einer eines und oder aber denn sondern
        von zu mit nach bei aus auf an in im am um für über unter vor hinter durch ohne gegen bis seit als
        wie dass ob weil wenn während mein meine sein seine ihr ihre unser unsere nicht ist sind war waren
        hat haben hatte hatten wird werden wurde kann können konnte muss soll will""".split()),
    "fr": frozenset("""le la les l' un une des du de d' au aux et ou mais donc car ni à en dans sur sous
        avec pour par sans chez vers entre que qu' qui dont si ce cet cette ces mon ma mes ton ta tes son
        sa ses notre nos votre vos leur leurs ne est sont était étaient a ont avait""".split()),
    "es": frozenset("""el la los las lo un una unos unas y e o u pero ni de del a al en con por para sin
        sobre entre hacia desde hasta que quien cuyo si mi mis tu tus su sus nuestro nuestra es son era
        eran ha han había no muy""".split()),
}


def weak(word: str, language: str = "en") -> bool:
    """True if ``word`` is one a line or cue should not end on (see FUNCTION_WORDS)."""
    if word.endswith(_CLAUSE_END + _SENTENCE_END):
        return False
    words = FUNCTION_WORDS.get((language or "en").split("-")[0].lower(), frozenset())
    bare = word.strip("\"'“”‘’«»„()[]").lower()
    return bare in words or bare.replace("’", "'") in words


@dataclass(frozen=True)
class Cue:
    id: str
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]


def two_lines(words: list[str], language: str = "en") -> tuple[str, ...] | None:
    """The words as one line, or two lines as even as possible with the break at a phrase
    boundary (not after a function word; after a clause mark if one is near); None if they
    do not fit."""
    text = " ".join(words)
    if len(text) <= MAX_LINE:
        return (text,)
    best: tuple[float, str, str] | None = None
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        if len(first) <= MAX_LINE and len(second) <= MAX_LINE:
            cost = max(len(first), len(second)) + _break_cost(words[cut - 1], language)
            if best is None or cost < best[0]:
                best = (cost, first, second)
    if best is None and len(words) == 1:
        return (text,)  # one word longer than a line: shown as it is
    return best[1:] if best else None


def _break_cost(last: str, language: str) -> int:
    if weak(last, language):
        return WEAK_COST
    return -CLAUSE_BONUS if last.endswith(_CLAUSE_END) else 0


def chunks(text: str, duration_ms: int, language: str = "en") -> list[list[str]]:
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
        if current and (_size(candidate) > budget or two_lines(candidate, language) is None):
            out.append(current)
            current = [word]
        else:
            current = candidate
    if current:
        out.append(current)
    return _avoid_weak_ends(_prefer_clause_breaks(out, budget, language), budget, language)


def _size(words: list[str]) -> int:
    return len(" ".join(words)) + 1


def _prefer_clause_breaks(runs: list[list[str]], budget: int, language: str) -> list[list[str]]:
    """Move the words after a cue's last clause mark (in its second half) to the next cue,
    when the next cue still fits; captions then break where the voice pauses."""
    for index in range(len(runs) - 1):
        run = runs[index]
        marks = [i for i, word in enumerate(run[:-1]) if word.endswith(_CLAUSE_END) and i >= len(run) // 2]
        if not marks:
            continue
        keep, tail = run[: marks[-1] + 1], run[marks[-1] + 1 :]
        merged = tail + runs[index + 1]
        if _size(merged) <= budget and two_lines(merged, language) is not None:
            runs[index], runs[index + 1] = keep, merged
    return runs


def _avoid_weak_ends(runs: list[list[str]], budget: int, language: str) -> list[list[str]]:
    """A cue that ends on a function word hands it (and any before it) to the next cue, or, if
    that cue cannot take them, the next cue's first word comes back; else it stays."""
    slack = budget + budget // 5  # a cue may run 20 % over its time share to break well
    for index in range(len(runs) - 1):
        run, following = runs[index], runs[index + 1]
        tail = 0
        while tail < len(run) - 1 and weak(run[len(run) - 1 - tail], language):
            tail += 1
        if not tail:
            continue
        moved = run[-tail:] + following
        if _size(moved) <= slack and two_lines(moved, language) is not None:
            runs[index], runs[index + 1] = run[:-tail], moved
            continue
        for take in range(1, min(4, len(following))):  # pull words back until the cue ends well
            grown = run + following[:take]
            if _size(grown) > slack or two_lines(grown, language) is None:
                break
            if not weak(grown[-1], language):
                runs[index], runs[index + 1] = grown, following[take:]
                break
    return [run for run in runs if run]


def caption_cues(timeline: Timeline, language: str = "en") -> list[Cue]:
    cues: list[Cue] = []
    segments = list(timeline.segments)
    for position, segment in enumerate(segments):
        duration = segment.end_ms - segment.start_ms
        runs = chunks(segment.text, duration, language)
        if not runs or duration <= 0:
            continue
        lengths = [_size(run) for run in runs]
        total = sum(lengths)
        following = next((s.start_ms for s in segments[position + 1:] if s.end_ms > s.start_ms), timeline.duration_ms)
        shown = _shown_ms(duration, total - 1, max(following - segment.start_ms, duration))
        start, done = segment.start_ms, 0
        for number, (run, size) in enumerate(zip(runs, lengths, strict=True), 1):
            done += size
            end = segment.start_ms + shown if number == len(runs) else segment.start_ms + round(shown * done / total)
            lines = two_lines(run, language) or (" ".join(run),)
            cue_id = segment.id if number == 1 else f"{segment.id}-{number}"
            if end > start:
                cues.append(Cue(cue_id, start, end, lines))
            start = end
    return cues


def _shown_ms(spoken_ms: int, characters: int, room_ms: int) -> int:
    """How long a sentence's cues stay up: its speech, or longer (into the pause after it, up
    to ``room_ms``) when the speech is faster than MAX_CPS."""
    needed = math.ceil(characters / MAX_CPS * 1000)
    return max(spoken_ms, min(needed, room_ms))
