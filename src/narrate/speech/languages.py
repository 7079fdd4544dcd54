"""Which conventions a document's language tag brings to normalization.

``speech_locale("en-GB")`` parses a BCP 47 tag into a ``SpeechLocale``: the
language ("en"), the region ("GB") and the region's written conventions that
the normalizer needs: the order of numeric dates ("dmy": 15/01/2020 is the
fifteenth of January) and the decimal separator. The conventions come from the
CLDR data that Babel ships, so every language and region CLDR knows gets the
right ones; a tag Babel cannot parse falls back to its language, then to the
conventions of plain English.

The normalizer keeps one rule set per language (``normalize.register``); a
language without one gets the language-neutral cleanup only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from narrate.i18n.dates import numeric_conventions

__all__ = ["SpeechLocale", "speech_locale"]

_TAG = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*")


@dataclass(frozen=True)
class SpeechLocale:
    tag: str  # as given, e.g. "en-GB"
    language: str  # lowercase primary subtag, e.g. "en"; "" if the tag is empty or malformed
    region: str  # uppercase region subtag, e.g. "GB"; "" if none
    date_order: str  # "mdy", "dmy" or "ymd": how numeric dates are written there
    decimal: str  # the decimal separator, "." or ","


def _date_order(pattern: str) -> str:
    """'dd/MM/y' → 'dmy'; 'M/d/yy' → 'mdy'; 'y-MM-dd' → 'ymd'."""
    order = ""
    for ch in re.sub(r"'[^']*'", "", pattern):
        key = {"d": "d", "M": "m", "L": "m", "y": "y"}.get(ch)
        if key and key not in order:
            order += key
    return order if sorted(order) == ["d", "m", "y"] else "mdy"


@lru_cache(maxsize=64)
def speech_locale(tag: str) -> SpeechLocale:
    """The conventions for a BCP 47 tag ("en", "en-GB", "de-AT", "zh-Hant-TW" …)."""
    text = (tag or "").strip()
    if not _TAG.fullmatch(text):
        return SpeechLocale(tag=tag, language="", region="", date_order="mdy", decimal=".")
    subtags = re.split(r"[-_]", text)
    language = subtags[0].lower()
    script = next((s.title() for s in subtags[1:] if len(s) == 4 and s.isalpha()), "")
    region = next((s.upper() for s in subtags[1:] if (len(s) == 2 and s.isalpha())
                   or (len(s) == 3 and s.isdigit())), "")
    pattern, decimal = numeric_conventions(language, region, script)
    return SpeechLocale(tag=tag, language=language, region=region, date_order=_date_order(pattern),
                        decimal=decimal if decimal in {".", ","} else ".")
