"""English rules that read digits: dates, times, ranges, money, units, plain numbers.

Each rule is ``text -> text`` and is applied by ``normalize`` in a fixed order
(dates before ranges before money before plain numbers). Digits are matched as
ASCII ``[0-9]`` only; a callback that cannot read its match leaves it as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import numbers as n

D = "[0-9]"
NUM = rf"{D}{{1,3}}(?:,{D}{{3}})+(?:\.{D}+)?|{D}+(?:\.{D}+)?"  # 1,250.5 | 3.14 | 42

Rule = Callable[[str], str]


def safe(fn: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
    """A match callback that leaves the match as written if it cannot read it."""

    def wrapper(m: re.Match[str]) -> str:
        try:
            return fn(m)
        except (ValueError, OverflowError, KeyError, IndexError, NotImplementedError, TypeError):
            return m.group(0)

    return wrapper


def sub(pattern: re.Pattern[str], fn: Callable[[re.Match[str]], str]) -> Rule:
    callback = safe(fn)
    return lambda text: pattern.sub(callback, text)


# ----------------------------------------------------------------------- dates

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_MONTH_ABBR = {m[:3]: m for m in MONTHS} | {"Sept": "September"}
_MONTH_RE = "|".join(MONTHS) + "|" + "|".join(rf"{a}\.?" for a in _MONTH_ABBR if a != "May")


def _month(word: str) -> str:
    word = word.rstrip(".")
    return word if word in MONTHS else _MONTH_ABBR[word]


def _day(text: str) -> str:
    if not 1 <= int(text) <= 31:
        raise ValueError(text)
    return n.ordinal(str(int(text)))


def _with_year(words: str, year: str | None) -> str:
    return f"{words}, {n.year(year)}" if year else words


_MONTH_DAY = re.compile(
    rf"\b({_MONTH_RE})\s+({D}{{1,2}})(?:st|nd|rd|th)?(?![0-9:])(?:,?\s+({D}{{4}})\b)?(?![0-9])")
_DAY_MONTH = re.compile(
    rf"(?<![\w.,])({D}{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})(?:,?\s+({D}{{4}})\b)?")
_ISO_DATE = re.compile(rf"(?<![\w.-])({D}{{4}})-({D}{{2}})-({D}{{2}})(?![\w-])")


def _month_day(m: re.Match[str]) -> str:
    return _with_year(f"{_month(m.group(1))} {_day(m.group(2))}", m.group(3))


def _day_month(m: re.Match[str]) -> str:
    return _with_year(f"the {_day(m.group(1))} of {_month(m.group(2))}", m.group(3))


def _iso_date(m: re.Match[str]) -> str:
    month = MONTHS[int(m.group(2)) - 1] if 1 <= int(m.group(2)) <= 12 else None
    if month is None:
        raise ValueError(m.group(0))
    return _with_year(f"{month} {_day(m.group(3))}", m.group(1))


# ----------------------------------------------------------------------- times

_AMPM = r"(?:([aApP])\.\s?[mM]\.|([aApP])[mM]\b)"
_CLOCK = re.compile(rf"(?<![\w:.])({D}{{1,2}}):({D}{{2}})(?::({D}{{2}}))?(?![0-9:])(?:\s?{_AMPM})?")
_HOUR_AMPM = re.compile(rf"(?<![\w:.,/])({D}{{1,2}})\s?{_AMPM}")


def _ampm(m: re.Match[str], first: int) -> str:
    letter = m.group(first) or m.group(first + 1)
    if not letter:
        return ""
    words = f" {letter.upper()} M"
    dotted = m.group(0).endswith(".")
    return words + "." if dotted and m.end() == len(m.string) else words


def _clock(m: re.Match[str]) -> str:
    hour, minute, second = int(m.group(1)), int(m.group(2)), m.group(3)
    if hour > 24 or minute > 59:
        raise ValueError(m.group(0))
    suffix = _ampm(m, 4)
    if minute == 0:
        tail = "" if suffix else (" o'clock" if hour <= 12 else " hundred")
    elif minute < 10:
        tail = f" oh {n.cardinal(minute)}"
    else:
        tail = f" {n.cardinal(minute)}"
    words = n.cardinal(hour) + tail
    if second and int(second):
        words += f" and {n.cardinal(int(second))} seconds"
    return words + suffix


def _hour_ampm(m: re.Match[str]) -> str:
    if not 1 <= int(m.group(1)) <= 12:
        raise ValueError(m.group(0))
    return n.cardinal(int(m.group(1))) + _ampm(m, 2)


# ---------------------------------------------------------------------- ranges

_SCORE_WORDS = re.compile(
    r"\b(?:won|win|wins|winning|lost|lose|loses|losing|beat|beats|beaten|defeat|defeated|defeats|"
    r"score|scored|scores|scoreline|draw|drew|tied|tie|led|leads|leading|trailing|trailed|victory|"
    r"loss|final score)\b[^.!?;]{0,40}$", re.IGNORECASE)
_RANGE = re.compile(
    rf"(?<![\w.,:/–-])([$£€]?)({NUM})(\s?[–-]\s?)([$£€]?)({NUM})(?![0-9:/–-]|\.[0-9]|,[0-9])")


def _is_year(text: str) -> bool:
    return text.isdigit() and len(text) == 4 and 1000 <= int(text) <= 2099


def _range(m: re.Match[str]) -> str:
    sym1, first, dash, sym2, second = m.groups()
    if _SCORE_WORDS.search(m.string, max(0, m.start() - 60), m.start()) and not (sym1 or sym2):
        return f"{n.number(first)} to {n.number(second)}"
    if _is_year(first) and not (sym1 or sym2):
        if len(second) == 2 and second.isdigit():
            second = first[:2] + second
        if _is_year(second) and int(second) >= int(first):
            return f"{n.year(first)} to {n.year(second)}"
    if "–" not in dash and float(first.replace(",", "")) >= float(second.replace(",", "")):
        return m.group(0)
    return f"{sym1}{first} to {sym2 or sym1}{second}"


_PHONE = re.compile(rf"(?<![\w.-])(?:\+?1[\s.-])?\(?({D}{{3}})\)?[\s.-]({D}{{3}})[.-]({D}{{4}})(?![\w-])")


_PHONE_INTL = re.compile(rf"(?<![\w+])\+({D}{{1,3}})((?:[ .-]{D}{{2,5}}){{2,5}})(?![\w-]|[.-][0-9])")
_RATIO = re.compile(rf"(?<![\w:.])({D}+):({D})(?![0-9:])")


def _phone(m: re.Match[str]) -> str:
    return ", ".join(n.digits_words(g) for g in m.groups())


def _phone_intl(m: re.Match[str]) -> str:
    groups = re.split(r"[ .-]", m.group(2).strip(" .-"))
    return "plus " + ", ".join(n.digits_words(g) for g in [m.group(1), *groups])


def _ratio(m: re.Match[str]) -> str:
    return f"{n.cardinal(m.group(1))} to {n.cardinal(m.group(2))}"


# ------------------------------------------------------- money, percent, units

_SCALE_RE = "|".join(sorted(n.SCALES, key=len, reverse=True))
_MONEY = re.compile(rf"([$£€¥₹])\s?({NUM}|\.{D}+)(?:\s?({_SCALE_RE})\b)?")
_PERCENT = re.compile(rf"(?<![0-9.,])({NUM})\s?%")
_DEGREES = re.compile(rf"(?<![0-9.,])({NUM})\s?°(?:\s?([CFK])\b)?")

UNITS: dict[str, tuple[str, str]] = {
    "km": ("kilometer", "kilometers"), "m": ("meter", "meters"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"), "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"), "ft": ("foot", "feet"), "mi": ("mile", "miles"), "yd": ("yard", "yards"),
    "mph": ("mile per hour", "miles per hour"), "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "m/s": ("meter per second", "meters per second"), "mpg": ("mile per gallon", "miles per gallon"),
    "rpm": ("revolution per minute", "revolutions per minute"), "KB": ("kilobyte", "kilobytes"),
    "kB": ("kilobyte", "kilobytes"), "MB": ("megabyte", "megabytes"), "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"), "kWh": ("kilowatt hour", "kilowatt hours"),
    "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"), "W": ("watt", "watts"),
    "V": ("volt", "volts"), "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"), "GHz": ("gigahertz", "gigahertz"),
    "ml": ("milliliter", "milliliters"), "mL": ("milliliter", "milliliters"), "l": ("liter", "liters"),
    "L": ("liter", "liters"), "ms": ("millisecond", "milliseconds"), "sec": ("second", "seconds"),
    "min": ("minute", "minutes"), "hr": ("hour", "hours"), "hrs": ("hour", "hours"),
    "h": ("hour", "hours"), "ha": ("hectare", "hectares"),
}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_UNIT = re.compile(rf"(?<![\w.,])({NUM})\s?({_UNIT_RE})(?![\w/])")


def _money(m: re.Match[str]) -> str:
    return n.money(m.group(1), m.group(2), m.group(3) or "")


def _percent(m: re.Match[str]) -> str:
    return f"{n.number(m.group(1))} percent"


def _degrees(m: re.Match[str]) -> str:
    scale = {"C": " Celsius", "F": " Fahrenheit", "K": " Kelvin"}.get(m.group(2) or "", "")
    unit = "degree" if n.is_one(m.group(1)) else "degrees"
    return f"{n.number(m.group(1))} {unit}{scale}"


def _unit(m: re.Match[str]) -> str:
    one, many = UNITS[m.group(2)]
    return f"{n.number(m.group(1))} {one if n.is_one(m.group(1)) else many}"


# ------------------------------------------------------------------- fractions

_VULGAR = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5),
           "⅗": (3, 5), "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅛": (1, 8), "⅜": (3, 8), "⅝": (5, 8),
           "⅞": (7, 8)}
_VULGAR_RE = re.compile(rf"(?<![\w.,])(?:({D}+)\s?)?([{''.join(_VULGAR)}])")
_SLASH3 = re.compile(rf"(?<![\w/.])({D}{{1,4}})/({D}{{1,2}})/({D}{{2,4}})(?![\w/]|\.[0-9])")
_SLASH = re.compile(rf"(?<![\w/.,])(?:({D}+)\s)?({D}{{1,4}})/({D}{{1,4}})(?![\w/]|\.[0-9])")
_DENOMINATORS = {2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 32, 64, 100}


def _mixed(whole: str | None, num: int, den: int) -> str:
    if not whole:
        return n.fraction(num, den)
    part = n.fraction(num, den)
    if num == 1:
        part = "a " + part.split(" ", 1)[1]
    return f"{n.cardinal(whole)} and {part}"


def _vulgar(m: re.Match[str]) -> str:
    return _mixed(m.group(1), *_VULGAR[m.group(2)])


def _slash3(m: re.Match[str]) -> str:
    return " slash ".join(n.year(g) if _is_year(g) else n.cardinal(g) for g in m.groups())


def _slash(m: re.Match[str]) -> str:
    whole, num, den = m.group(1), int(m.group(2)), int(m.group(3))
    if den in _DENOMINATORS and 1 <= num < den:
        return _mixed(whole, num, den)
    prefix = f"{n.cardinal(whole)} " if whole else ""
    return f"{prefix}{n.cardinal(m.group(2))} {n.cardinal(m.group(3))}"


# --------------------------------------------------------- words for numerals

_ORDINAL = re.compile(rf"(?<![\w.,])({D}{{1,3}}(?:,{D}{{3}})+|{D}+)(?:st|nd|rd|th)\b")
_DECADE = re.compile(rf"(?<![\w.,'’])(['’]?)({D}{{1,3}}0)s\b")
_NUMBER_SIGN = re.compile(r"(?:#|\b[Nn]o\.)\s?(?=[0-9])")
_NUMBERS_SIGN = re.compile(r"\b[Nn]os\.\s?(?=[0-9])")
_GLUED = re.compile(rf"\b([A-Z]{{1,5}})({D}+)\b|\b({D}+)([A-Z]{{1,2}}|x)\b")
_YEAR_CUES = re.compile(
    r"(?:\b(?:in|since|by|until|till|from|of|year|circa|around|before|after|during|to|through|"
    r"and|or|the|between|early|late|mid|summer|winter|spring|autumn|fall|AD|" + "|".join(MONTHS)
    + r")\s|\bc\.\s?|\bmid-)$", re.IGNORECASE)
_YEAR = re.compile(rf"(?<![\w.,$£€:/-])({D}{{4}})(?![\w.,:/]?[0-9]|\s?%|[\w])(\s+(?:[A-Z]{{2,3}}\b|[a-z]+))?")
_NEGATIVE = re.compile(r"(?:(?<=\s)|^|(?<=\())[-−](?=[0-9]|\.[0-9])")
_NUMBER = re.compile(rf"(?<![0-9A-Za-z])(?<![0-9][.,])(?:{NUM}|\.{D}+)(?![0-9])")


def _ordinal(m: re.Match[str]) -> str:
    return n.ordinal(m.group(1))


def _decade(m: re.Match[str]) -> str:
    if m.group(1) and len(m.group(2)) != 2:  # '1990s is not a decade
        return m.group(0)
    return n.decade(int(m.group(2)))


def _glued(m: re.Match[str]) -> str:
    """'MP3' → 'MP 3', '3D' → '3 D', '10x' → '10 times'."""
    if m.group(1):
        return f"{m.group(1)} {m.group(2)}"
    return f"{m.group(3)} {'times' if m.group(4) == 'x' else m.group(4)}"


def _year(m: re.Match[str]) -> str:
    digits, after = m.group(1), m.group(2) or ""
    if not _is_year(digits):
        return m.group(0)
    cued = _YEAR_CUES.search(m.string, max(0, m.start() - 30), m.start()) is not None
    era = after.strip() in {"AD", "BC", "BCE", "CE", "and", "or", "to", "through", "until", "till"}
    if not cued and not era and after.strip() and after.strip().islower():
        return n.cardinal(digits) + after
    return n.year(digits) + after


def _number(m: re.Match[str]) -> str:
    return n.number(m.group(0))


RULES_DATES_TIMES: tuple[Rule, ...] = (
    sub(_ISO_DATE, _iso_date), sub(_MONTH_DAY, _month_day), sub(_DAY_MONTH, _day_month),
    sub(_CLOCK, _clock), sub(_HOUR_AMPM, _hour_ampm), sub(_PHONE, _phone),
    sub(_PHONE_INTL, _phone_intl), sub(_RATIO, _ratio),
)
RULES_QUANTITIES: tuple[Rule, ...] = (
    sub(_RANGE, _range), lambda text: _NEGATIVE.sub("minus ", text), sub(_SLASH3, _slash3),
    sub(_PERCENT, _percent), sub(_DEGREES, _degrees),
    sub(_MONEY, _money), sub(_UNIT, _unit), sub(_VULGAR_RE, _vulgar), sub(_SLASH, _slash),
    sub(_ORDINAL, _ordinal), sub(_DECADE, _decade),
    lambda text: _NUMBER_SIGN.sub("number ", text), lambda text: _NUMBERS_SIGN.sub("numbers ", text),
    sub(_YEAR, _year), sub(_GLUED, _glued), sub(_NUMBER, _number),
)
