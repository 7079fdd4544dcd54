"""Capitalized acronyms and how narrate's normalizer will have the voice read them."""

from __future__ import annotations

import re
from functools import lru_cache

from narrate.speech.normalize import normalize

ACRONYM = re.compile(r"(?<![\w'’])([A-Z][A-Z0-9]*[A-Z](?:s|['’]s)?)(?![\w'’])")


@lru_cache(maxsize=4096)
def acronym_reading(token: str, language: str) -> tuple[str, str]:
    """(spoken form, "as letters" | "as a word") of an acronym."""
    spoken = normalize(token, language)
    core = re.sub(r"(?:s|['’]s)$", "", token)
    letters = re.fullmatch(r"(?:\w ){1,}\w(?:['’]?s)?", spoken) is not None and len(core) > 1
    return spoken, "as letters" if letters else "as a word"


def find_acronyms(text: str) -> list[tuple[int, int, str]]:
    """(start, end, acronym) in ``text``: two or more capitals, not in shouted text."""
    found = [(m.start(1), m.end(1), m.group(1)) for m in ACRONYM.finditer(text)]
    words = re.findall(r"[A-Za-z]{2,}", text)
    if len(words) >= 3 and len(found) >= 0.7 * len(words):
        return []  # a shouted sentence, read as ordinary words
    return found
