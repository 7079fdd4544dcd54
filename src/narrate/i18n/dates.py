"""Dates (and lists of names) as a reader of the publication's language and region writes them.

Babel's CLDR data is the one source (through ``i18n/cldr.py``, Babel's only home in narrate).

``long_date(date, "en-US")`` is "August 20, 2025", ``"en-GB"`` gives "20 August 2025",
``"de"`` "20. August 2025", ``"fr"`` "20 août 2025". Only human-readable text uses this;
machine-readable dates (``<time datetime>``, OPF, RSS ``pubDate``) stay ISO 8601 / RFC 2822.

A language tag Babel does not know falls back to its primary language ("en-XX" → "en"),
then to ISO 8601 ("2025-08-20"), which every reader can read: never an error, a date is not
worth a failed build.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from narrate.i18n.cldr import Locale, UnknownLocaleError, format_date, format_list, format_unit


@lru_cache(maxsize=64)
def locale_for(language: str) -> Locale | None:
    """Babel's locale for a BCP 47 tag, else for its primary language, else None."""
    tag = language.strip().replace("_", "-")
    candidates = [tag, tag.split("-")[0]] if tag else []
    for candidate in candidates:
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return None


def numeric_conventions(language: str, region: str = "", script: str = "") -> tuple[str, str]:
    """(CLDR short date pattern, decimal separator) for a language, region and script.

    Falls back to the language without its script, then without its region, then to English;
    the speech normalizer reads numeric dates and decimals by these (speech/languages.py).
    """
    for lang, scr, reg in ((language, script, region), (language, "", region), (language, "", ""), ("en", "", "")):
        if not lang:
            continue
        try:
            found = Locale(lang, territory=reg or None, script=scr or None)
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        return found.date_formats["short"].pattern, found.number_symbols.get("latn", {}).get("decimal", ".")
    return "M/d/yy", "."


def long_date(date: dt.date, language: str) -> str:
    """``date`` in the long form of ``language`` (a BCP 47 tag such as "en-GB"); ISO 8601 if unknown."""
    locale = locale_for(language or "")
    if locale is None:
        return date.isoformat()
    return format_date(date, format="long", locale=locale)


def list_text(items: list[str] | tuple[str, ...], language: str) -> str:
    """``items`` joined as ``language`` joins a list: "A and B" (en), "A und B" (de), "A et B" (fr)."""
    if not items:
        return ""
    return format_list(list(items), locale=locale_for(language or "") or "en")


def duration_text(seconds: float, language: str) -> str:
    """A duration in CLDR's unit names, listed as prose lists them: "8 minutes and 2 seconds" (en),
    "1 Stunde, 2 Minuten und 3 Sekunden" (de)."""
    locale = locale_for(language or "") or "en"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [format_unit(n, f"duration-{unit}", length="long", locale=locale)
             for n, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second")) if n]
    if not parts:
        return format_unit(0, "duration-second", length="long", locale=locale)
    return format_list(parts, locale=locale)


def size_text(size: int, language: str) -> str:
    """A file size in decimal units as ``language`` writes them: "1.2 MB" (en), "1,2 Mo" (fr)."""
    locale = locale_for(language or "") or "en"
    if size < 1000:
        return format_unit(size, "digital-byte", length="long", locale=locale)
    value: float = size
    for unit in ("kilobyte", "megabyte", "gigabyte"):
        value /= 1000
        if round(value, 1) < 1000 or unit == "gigabyte":
            break
    return format_unit(value, f"digital-{unit}", length="short", locale=locale, format="#,##0.0")


def language_name(tag: str, language: str) -> str:
    """The name of language ``tag`` in ``language``: ("de", "fr") → "allemand"; the tag if unknown."""
    named, reader = locale_for(tag or ""), locale_for(language or "") or locale_for("en")
    name = named.get_display_name(reader) if named is not None else None
    return name or tag
