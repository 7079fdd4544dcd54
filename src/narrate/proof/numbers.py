"""Numbers, dates, units and abbreviations, each with the words narrate will say for it."""

from __future__ import annotations

import re
from functools import lru_cache

from narrate.speech.normalize import normalize

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec")
_UNITS = (r"%|percent|km/h|km|kg|mg|cm|mm|ml|m|g|l|mi|mph|ft|in|lb|lbs|oz|°[CF]?|kWh|kW|W|V|Hz|kHz|MHz|GB|MB|KB|"
          r"TB|am|pm|a\.m\.|p\.m\.|BC|AD|BCE|CE|s|st|nd|rd|th")
NUMERIC = re.compile(
    rf"(?:(?:{_MONTHS})\.?\s+)?"  # a month before a day
    r"(?:[#$£€¥-]|No\.\s?)?\d(?:[\d,.:/–-]*\d)?"  # the number, with separators
    rf"(?:\s?(?:{_UNITS})(?![A-Za-z]))?"  # a unit or suffix
    r"(?:,?\s\d{4}(?!\d))?"  # a year after a day
)
ABBREVIATION = re.compile(
    r"(?<![\w.])(?:(?:Dr|St|Mr|Mrs|Ms|Prof|Rev|Gen|Col|Capt|Lt|Sgt|Jr|Sr|Mt|Ft|Ave|Rd|Blvd|vs|etc|approx|dept|"
    r"est|fig|Fig|vol|Vol|ch|Ch|pp|cf)\.|(?:[A-Za-z]\.){2,})(?:\s+[A-Z][a-z]+)?")


@lru_cache(maxsize=8192)
def spoken_form(span: str, language: str) -> str:
    return normalize(span, language)


def find_numbers(text: str) -> list[tuple[int, int, str]]:
    """(start, end, span) of each number, date, quantity or abbreviation in ``text``."""
    spans = [(m.start(), m.end(), m.group(0).rstrip(".,;:") if m.group(0)[-1] in ",;:" else m.group(0))
             for m in NUMERIC.finditer(text)]
    taken = [range(a, b) for a, b, _ in spans]
    for m in ABBREVIATION.finditer(text):
        if not any(m.start() in r for r in taken):
            spans.append((m.start(), m.end(), m.group(0)))
    return sorted(spans)
