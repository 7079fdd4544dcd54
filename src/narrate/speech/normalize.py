"""Text normalization: written text → the words an engine should say.

``normalize(text, language)`` runs before any engine, so every engine says the
same words. It is deterministic and never raises.

English runs ordered rules (each in ``numeric.py`` or ``wording.py``):

1. language-neutral cleanup (NFC, invisible characters, whitespace);
2. e-mail addresses and URLs ("jo at example dot org");
3. dates ("March third, twenty twenty-five"), clock times ("seven thirty P M"),
   telephone numbers (digit by digit), ratios ("3:2" → "three to two");
4. Roman numerals after cue words ("Chapter four"), regnal names ("Henry the
   eighth") and other capitalized words ("World War two"); abbreviations
   ("Dr." → Doctor before a name, Drive after a street name; "St."; "e.g." …);
5. symbols ("&", "+", "=", "/" as "per" or "or");
6. ranges and scores ("ten to fifteen", years "nineteen thirty-nine to nineteen
   forty-five"; a hyphen between numbers is a range only if it rises, or
   after a word like "won"/"score"), negatives, money, percentages, degrees,
   units, fractions, ordinals, decades, "No."/"#", years, plain numbers;
7. acronyms ("B B C"; "Nasa" for those read as words; all-caps emphasis is
   lowercased).

Year convention: 1999 "nineteen ninety-nine", 1905 "nineteen oh five", 2000-2009
"two thousand (five)", 2010 on "twenty ten", "twenty twenty-five". A four-digit
number from 1000 to 2099 is a year unless nothing marks it as one (no "in",
"since", month, "AD" … before it) and a lowercase word follows ("1500 people").

Other languages get the neutral cleanup and, if ``num2words`` knows the language,
plain integers as words; everything else is left to the engine.

Text between ``PROTECT_OPEN`` and ``PROTECT_CLOSE`` (the lexicon marks its
replacements so) is passed through untouched, without the marks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from . import numbers as n
from .numeric import RULES_DATES_TIMES, RULES_QUANTITIES
from .wording import RULES_ADDRESSES, RULES_WORDS, SPELLED_ACRONYMS, WORD_ACRONYMS, acronyms, symbols

PROTECT_OPEN = "\ue000"
PROTECT_CLOSE = "\ue001"
_SLOT_OPEN, _SLOT_CLOSE, _SLOT_BASE = "\ue002", "\ue003", 0xE100
_PRIVATE = re.compile("[\ue000-\ue1ff]")
_MARKED = re.compile(f"{PROTECT_OPEN}([^{PROTECT_OPEN}{PROTECT_CLOSE}]*){PROTECT_CLOSE}")
_SLOT = re.compile(f"{_SLOT_OPEN}([\ue100-\ue1ff]+){_SLOT_CLOSE}")
_SLOT_WORD = re.compile(f"[Zz]?{_SLOT.pattern}")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

__all__ = ["PROTECT_CLOSE", "PROTECT_OPEN", "SPELLED_ACRONYMS", "WORD_ACRONYMS", "cleanup", "is_english",
           "normalize", "protect"]


def protect(text: str) -> str:
    """Mark text so that ``normalize`` leaves it as it is."""
    return f"{PROTECT_OPEN}{_PRIVATE.sub('', text)}{PROTECT_CLOSE}"


def _slot(index: int) -> str:
    digits = ""
    while True:
        index, rest = divmod(index, 256)
        digits = chr(_SLOT_BASE + rest) + digits
        if not index:
            return f"{_SLOT_OPEN}{digits}{_SLOT_CLOSE}"


def _stash(text: str) -> tuple[str, list[str]]:
    """Replace marked spans by slots; drop any other private-use character.

    A slot for text that starts with a letter starts with "Z" or "z", so rules
    that look at the next word ("Dr." before a name) see its case."""
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append(m.group(1))
        first = m.group(1)[:1]
        prefix = ("Z" if first.isupper() else "z") if first.isalpha() else ""
        return prefix + _slot(len(kept) - 1)

    text = _MARKED.sub(keep, text)
    pieces = _SLOT.split(text)  # odd items are slot digits
    for i in range(0, len(pieces), 2):
        pieces[i] = _PRIVATE.sub("", pieces[i])
    for i in range(1, len(pieces), 2):
        pieces[i] = f"{_SLOT_OPEN}{pieces[i]}{_SLOT_CLOSE}"
    return "".join(pieces), kept


def _unstash(text: str, kept: list[str]) -> str:
    def value(m: re.Match[str]) -> str:
        index = 0
        for ch in m.group(1):
            index = index * 256 + ord(ch) - _SLOT_BASE
        return kept[index] if index < len(kept) else ""

    return _PRIVATE.sub("", _SLOT_WORD.sub(value, text))


def cleanup(text: str) -> str:
    """Language-neutral: NFC, no invisible characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _english(text: str, words: Collection[str], spelled: Collection[str]) -> str:
    for rule in RULES_ADDRESSES + RULES_DATES_TIMES + RULES_WORDS:
        text = rule(text)
    text = symbols(text)
    for rule in RULES_QUANTITIES:
        text = rule(text)
    return acronyms(text, words, spelled)


_PLAIN_INTEGER = re.compile(r"(?<![0-9.,:/])[0-9]+(?![0-9]|[.,:/][0-9])")


def _other_language(text: str, language: str) -> str:
    if n.num2words_language(language) is None:
        return text
    return _PLAIN_INTEGER.sub(lambda m: n.cardinal_in(language, m.group(0)), text)


def is_english(language: str) -> bool:
    return language.lower().replace("_", "-").split("-")[0] in {"en", ""}


def normalize(text: str, language: str = "en", *, word_acronyms: Collection[str] | None = None,
              spelled_acronyms: Collection[str] | None = None) -> str:
    """The words to say for ``text``. ``word_acronyms`` are read as words ("NASA"),
    ``spelled_acronyms`` letter by letter even if they look like words."""
    text, kept = _stash(str(text))
    text = cleanup(text)
    if is_english(language):
        text = _english(text, WORD_ACRONYMS if word_acronyms is None else word_acronyms,
                        SPELLED_ACRONYMS if spelled_acronyms is None else spelled_acronyms)
    else:
        text = _other_language(text, language)
    return cleanup(_unstash(text, kept))
