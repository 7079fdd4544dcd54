"""Heteronyms on the proof page: one spelling, two readings (read, wind, wound, close, record …).

The reading listed is the one the voice is given: narrate's pronunciation step
(``speech/pronounce``) tags each spoken sentence for part of speech and gives the voice the
reading for the word's tag, as phonemes; the page shows those phonemes, the sense and the
sentence. Heteronyms that meaning decides, not grammar ("lead" the metal or the leash, "bass",
"row"), are listed too, read by the voice on its own: a listener must check them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from narrate.speech.heteronyms import is_heteronym as has_readings
from narrate.speech.pronounce import Choice

# spelled alike, told apart by meaning: the voice reads them its own way
BY_MEANING: dict[str, str] = {
    "lead": "leed (to guide) or led (the metal)", "bass": "bayss (low sound) or bass (the fish)",
    "row": "roh (a line) or row (a quarrel)", "sow": "soh (to plant) or sow (a pig)",
    "sewer": "SOO-er (a drain) or SOH-er (who sews)", "polish": "POH-lish (from Poland) or POL-ish (to shine)",
    "moped": "MOH-ped (a motorbike) or mohpt (sulked)", "resume": "REZ-oo-may (a CV) or ri-ZOOM (to continue)",
    "putting": "PUT-ing (to place) or PUTT-ing (golf)", "wind-up": "wynd-up (to turn) or wind-up (a joke)",
}
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class HeardHeteronym:
    word: str
    reading: str  # "/ɹˈɛd/ past tense (VBD)", or the two readings when meaning decides
    sentence: str  # the spoken sentence it is in
    segment: str  # the segment's id
    chosen: bool  # narrate chose the reading (by part of speech); False: the voice reads it its own way


def is_heteronym(word: str) -> bool:
    return has_readings(word) or word.lower() in BY_MEANING


def describe(choice: Choice) -> str:
    return f"/{choice.ipa}/ {choice.gloss} ({choice.tag})"


def heteronyms_in(segment_id: str, spoken: str, choices: Callable[[str], list[Choice]] | None) -> list[HeardHeteronym]:
    """Every heteronym of one spoken utterance, in order, with the reading the voice is given;
    ``choices`` is the voice's pronunciation step, None for a voice that takes text (it reads them its own way)."""
    chosen = {c.start: c for c in choices(spoken) if c.kind == "heteronym"} if choices else {}
    out = []
    for m in _WORD.finditer(spoken):
        word = m.group(0).lower()
        if m.start() in chosen:
            out.append(HeardHeteronym(word, describe(chosen[m.start()]), spoken, segment_id, True))
        elif word in BY_MEANING or has_readings(word):
            how = BY_MEANING.get(word, "this voice takes text, so it chooses the reading itself")
            out.append(HeardHeteronym(word, f"the voice's own: {how}", spoken, segment_id, False))
    return out
