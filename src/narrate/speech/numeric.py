"""English rules that read digits: dates, times, phones, ranges, money, units, plain numbers.

Each rule is ``text -> text``. ``rules_dates_times(locale)`` and
``rules_quantities(locale)`` give them, in the fixed order ``normalize``
applies them (dates before ranges before money before plain numbers); only the
numeric dates and dotted times depend on the document's region. Digits are
matched as ASCII ``[0-9]`` only; a callback that cannot read its match leaves
it as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from narrate.speech import numbers as n
from narrate.speech.languages import SpeechLocale

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


_DIGIT = re.compile(D)


def sub(pattern: re.Pattern[str], fn: Callable[[re.Match[str]], str], *, needs_digit: bool = False) -> Rule:
    """A rule; with ``needs_digit`` it skips text without an ASCII digit (most sentences: it is faster)."""
    callback = safe(fn)
    if needs_digit:
        return lambda text: pattern.sub(callback, text) if _DIGIT.search(text) else text
    return lambda text: pattern.sub(callback, text)


def num(pattern: re.Pattern[str], fn: Callable[[re.Match[str]], str]) -> Rule:
    """A rule whose every match contains a digit."""
    return sub(pattern, fn, needs_digit=True)


_END = re.compile(r"\s*\Z")


def _keep_final_period(m: re.Match[str], words: str) -> str:
    """A match that swallowed the text's final period ("7 p.m.") gives it back."""
    return words + "." if m.group(0).endswith(".") and _END.match(m.string, m.end()) else words


# ----------------------------------------------------------------------- units

UNITS: dict[str, tuple[str, str]] = {
    "km": ("kilometer", "kilometers"), "m": ("meter", "meters"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"), "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"), "ft": ("foot", "feet"), "mi": ("mile", "miles"), "yd": ("yard", "yards"),
    "mph": ("mile per hour", "miles per hour"), "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"), "km/hr": ("kilometer per hour", "kilometers per hour"),
    "m/s": ("meter per second", "meters per second"), "mpg": ("mile per gallon", "miles per gallon"),
    "rpm": ("revolution per minute", "revolutions per minute"), "KB": ("kilobyte", "kilobytes"),
    "kB": ("kilobyte", "kilobytes"), "MB": ("megabyte", "megabytes"), "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"), "kWh": ("kilowatt hour", "kilowatt hours"),
    "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"), "W": ("watt", "watts"),
    "V": ("volt", "volts"), "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"), "GHz": ("gigahertz", "gigahertz"),
    "ml": ("milliliter", "milliliters"), "mL": ("milliliter", "milliliters"), "l": ("liter", "liters"),
    "L": ("liter", "liters"), "ms": ("millisecond", "milliseconds"), "sec": ("second", "seconds"),
    "secs": ("second", "seconds"), "min": ("minute", "minutes"), "mins": ("minute", "minutes"),
    "hr": ("hour", "hours"), "hrs": ("hour", "hours"), "h": ("hour", "hours"), "ha": ("hectare", "hectares"),
    "wk": ("week", "weeks"), "wks": ("week", "weeks"), "mo": ("month", "months"), "mos": ("month", "months"),
    "yr": ("year", "years"), "yrs": ("year", "years"), "kgs": ("kilogram", "kilograms"),
    "KG": ("kilogram", "kilograms"), "KM": ("kilometer", "kilometers"), "LBS": ("pound", "pounds"),
    "MPH": ("mile per hour", "miles per hour"), "bps": ("bit per second", "bits per second"),
    "kbps": ("kilobit per second", "kilobits per second"), "Kbps": ("kilobit per second", "kilobits per second"),
    "mbps": ("megabit per second", "megabits per second"), "Mbps": ("megabit per second", "megabits per second"),
    "Mbit/s": ("megabit per second", "megabits per second"),
    "gbps": ("gigabit per second", "gigabits per second"), "Gbps": ("gigabit per second", "gigabits per second"),
    "MB/s": ("megabyte per second", "megabytes per second"), "GB/s": ("gigabyte per second", "gigabytes per second"),
    "sq ft": ("square foot", "square feet"), "sq. ft.": ("square foot", "square feet"),
    "sq mi": ("square mile", "square miles"), "cu ft": ("cubic foot", "cubic feet"),
    "mAh": ("milliamp hour", "milliamp hours"), "cc": ("cubic centimeter", "cubic centimeters"),
    "nm": ("nanometer", "nanometers"), "µm": ("micrometer", "micrometers"), "μm": ("micrometer", "micrometers"),
    "kPa": ("kilopascal", "kilopascals"), "hPa": ("hectopascal", "hectopascals"), "MPa": ("megapascal", "megapascals"),
    "kJ": ("kilojoule", "kilojoules"), "kcal": ("kilocalorie", "kilocalories"), "dB": ("decibel", "decibels"),
    "mol": ("mole", "moles"), "mmol": ("millimole", "millimoles"), "GW": ("gigawatt", "gigawatts"),
    "MWh": ("megawatt hour", "megawatt hours"), "GWh": ("gigawatt hour", "gigawatt hours"),
    "TWh": ("terawatt hour", "terawatt hours"), "µg": ("microgram", "micrograms"), "μg": ("microgram", "micrograms"),
    "mV": ("millivolt", "millivolts"), "kV": ("kilovolt", "kilovolts"), "mA": ("milliamp", "milliamps"),
}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_POWERED = {"km", "m", "cm", "mm", "ft", "mi", "yd"}  # units that take ² or ³
_POWER_RE = r"[²³]|(?<=[a-z])[23](?![0-9])"
_POWER_WORDS = {"²": "square", "2": "square", "³": "cubic", "3": "cubic"}
_UNIT_TAIL = rf"({_UNIT_RE})({_POWER_RE})?(?![\w/²³])"


def unit_words(unit: str, power: str | None, plural: bool) -> str:
    """('km', '²', True) → 'square kilometers'."""
    one, many = UNITS[unit]
    words = many if plural else one
    if power:
        if unit not in _POWERED:
            raise ValueError(unit)
        words = f"{_POWER_WORDS[power]} {words}"
    return words


# ----------------------------------------------------------------------- dates

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def _month_forms() -> dict[str, int]:
    """Every written form of a month that the rules accept, with its number.

    Full names in title, upper or lower case ("march" and "may" only capitalized:
    they are common words); abbreviations ("Jan", "SEPT.", "jan.") with or without
    a period ("may" never abbreviates)."""
    forms: dict[str, int] = {}
    for number, name in enumerate(MONTHS, 1):
        for form in (name, name.upper(), name.lower()):
            if form not in {"march", "may"}:
                forms[form] = number
        for abbr in [name[:3]] + (["Sept"] if name == "September" else []):
            if abbr == "May":
                continue
            for form in (abbr, abbr.upper(), abbr.lower()):
                forms[form + "."] = number
                if form not in {"mar"}:
                    forms[form] = number
    return forms


_MONTH_FORMS = _month_forms()
_MONTH_RE = ("(?=[JFMASONDjfmasond])(?:"  # the first-letter test makes the long alternation cheap
             + "|".join(re.escape(f) for f in sorted(_MONTH_FORMS, key=len, reverse=True)) + r")(?![A-Za-z])")


def _month(word: str) -> str:
    return MONTHS[(_MONTH_FORMS.get(word) or _MONTH_FORMS[word.title()]) - 1]


def _day(text: str) -> str:
    if not 1 <= int(text) <= 31:
        raise ValueError(text)
    return n.ordinal(str(int(text)))


def _year_words(text: str) -> str:
    """A date's year: '2020' → 'twenty twenty'; two digits '05' → 'oh five', '98' → 'ninety-eight'."""
    if len(text) == 2:
        return f"oh {n.DIGITS[int(text[1])]}" if text[0] == "0" else n.cardinal(text)
    return n.year(text)


def _with_year(words: str, year: str | None) -> str:
    return f"{words}, {_year_words(year)}" if year else words


_DAY_END = r"(?:st|nd|rd|th)?(?![0-9:]|[.,][0-9])"
_MONTH_DAY = re.compile(
    rf"(?<![\w.])({_MONTH_RE})(?:\s+|-)({D}{{1,2}}){_DAY_END}(?:(?:,\s*|\s+|-)({D}{{4}})(?![\w]|[.,][0-9]))?")
_DAY_MONTH = re.compile(
    rf"(?<![\w.,])({D}{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?(?:\s+|-)({_MONTH_RE})"
    rf"(?:,?\s+({D}{{4}})(?![\w]|[.,][0-9]))?")
_DAY_MONTH_LOWER = re.compile(  # "17 may 2010": lowercase "may" and "march" only with a day and a year
    rf"(?<![\w.,])({D}{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+(may|march)\b,?\s+({D}{{4}})(?![\w]|[.,][0-9])")
_MONTH_YEAR = re.compile(rf"(?<![\w.])({_MONTH_RE})\s+({D}{{4}})(?![\w]|[.,][0-9])")
_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)


def _month_day(m: re.Match[str]) -> str:
    return _with_year(f"{_month(m.group(1))} {_day(m.group(2))}", m.group(3))


def _month_the_day(m: re.Match[str]) -> str:
    """Where the day comes first (en-GB), "January 5" is said "January the fifth"."""
    the = "" if _THE_BEFORE.search(m.string, max(0, m.start() - 8), m.start()) else "the "
    return _with_year(f"{_month(m.group(1))} {the}{_day(m.group(2))}", m.group(3))


def _day_month(m: re.Match[str]) -> str:
    the = "" if _THE_BEFORE.search(m.string, max(0, m.start() - 8), m.start()) else "the "
    words = _with_year(f"{the}{_day(m.group(1))} of {_month(m.group(2))}", m.group(3))
    return words if m.group(3) else _keep_final_period(m, words)


def _month_year(m: re.Match[str]) -> str:
    return f"{_month(m.group(1))} {n.year(m.group(2))}"


# Numeric dates: 2020-01-15 (year first, any separator), else day and month in
# the region's order; an impossible reading (month 15) swaps them. Dots and
# hyphens need a four-digit year ("1.2.10" is a version, "10-15-20" a list).
_NUMERIC_DATE = re.compile(
    rf"(?<![\w./:-])(?:(?P<y>{D}{{4}})(?P<s1>[/.-])(?P<ym>{D}{{1,2}})(?P=s1)(?P<yd>{D}{{1,2}})"
    rf"|(?P<a>{D}{{1,2}})(?:(?P<s2>[/.-])(?P<b>{D}{{1,2}})(?P=s2)(?P<c>{D}{{4}})"
    rf"|/(?P<b2>{D}{{1,2}})/(?P<c2>{D}{{2}})))(?![\w/-]|[.,:][0-9])")


def _spoken_date(day: int, month: int, year: str, day_first: bool) -> str:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError((day, month))
    words = f"the {_day(str(day))} of {MONTHS[month - 1]}" if day_first else f"{MONTHS[month - 1]} {_day(str(day))}"
    return _with_year(words, year)


def _numeric_date(order: str) -> Callable[[re.Match[str]], str]:
    def read(m: re.Match[str]) -> str:
        if m.group("y"):
            return _spoken_date(int(m.group("yd")), int(m.group("ym")), m.group("y"), order == "dmy")
        first, second = int(m.group("a")), int(m.group("b") or m.group("b2"))
        year = m.group("c") or m.group("c2")
        day_first = order == "dmy"
        if (second if day_first else first) > 12 and (first if day_first else second) <= 12:
            day_first = not day_first
        day, month = (first, second) if day_first else (second, first)
        return _spoken_date(day, month, year, day_first)

    return read


_WEEKDAYS = {"Mon": "Monday", "Tue": "Tuesday", "Tues": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday",
             "Thur": "Thursday", "Thurs": "Thursday", "Fri": "Friday", "Sat": "Saturday", "Sun": "Sunday"}
_WEEKDAY_RE = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_WEEKDAY = re.compile(rf"\b({_WEEKDAY_RE})\.")  # "Wed.": bare "Sat" or "Sun" may be words
_WEEKDAY_RANGE = re.compile(rf"\b({_WEEKDAY_RE})\.?\s?[–-]\s?({_WEEKDAY_RE})\b(\.?)")


def _weekday(m: re.Match[str]) -> str:
    return _keep_final_period(m, _WEEKDAYS[m.group(1)])


def _weekday_range(m: re.Match[str]) -> str:
    return _keep_final_period(m, f"{_WEEKDAYS[m.group(1)]} to {_WEEKDAYS[m.group(2)]}")


_ERA_LETTERS = {"AD": "A D", "BC": "B C", "BCE": "B C E", "CE": "C E"}
_ERA_RE = r"(A\.?D|B\.?C\.?E|B\.?C|C\.?E)\.?(?![\w])"
_YEAR_ERA = re.compile(rf"(?<![\w.,$£€])({D}{{1,4}})\s?{_ERA_RE}")
_ERA_YEAR = re.compile(rf"\b(A\.?D)\.?\s({D}{{1,4}})(?![\w]|[.,][0-9])")


def _era(dotted: str) -> str:
    return _ERA_LETTERS[dotted.replace(".", "")]


def _year_era(m: re.Match[str]) -> str:
    return _keep_final_period(m, f"{n.year(m.group(1))} {_era(m.group(2))}")


def _era_year(m: re.Match[str]) -> str:
    return f"{_era(m.group(1))} {n.year(m.group(2))}"


# ----------------------------------------------------------------------- times

_TIME_ZONES = ("EST EDT CST CDT MST MDT PST PDT AKST AKDT HST GMT UTC BST IST CET CEST EET EEST WET WEST "
               "AEST AEDT ACST AWST JST NZST NZDT ET CT MT PT").split()
_TZ_RE = "|".join(sorted({*_TIME_ZONES, *(z.lower() for z in _TIME_ZONES if len(z) >= 3)}, key=len, reverse=True))
_DOTTED_TZ = r"(?:[a-zA-Z]\.){2,3}[a-zA-Z]?\.?"
_AMPM = (rf"(?:([aApP])\.\s?[mM]\.?|([aApP])[mM](?![A-Za-z]))"
         rf"(?:\s?(\b(?:{_TZ_RE})\b|(?<=[mM]\.)(?:{_TZ_RE})\b|\b{_DOTTED_TZ}(?![\w])))?")
_CLOCK = re.compile(rf"(?<![\w:.])({D}{{1,2}}):({D}{{2}})(?::({D}{{2}}))?(?![0-9:])(?:\s?{_AMPM})?")
_DOTTED_CLOCK = re.compile(rf"(?<![\w:.,$£€])({D}{{1,2}})\.({D}{{2}})()\s?{_AMPM}")
_REGION_DOTTED_CLOCK = re.compile(
    rf"\b(?:at|from|until|till|by|before|after|to) ({D}{{1,2}})\.({D}{{2}})()(?![\w%]|[.,][0-9])")
_HOUR_AMPM = re.compile(rf"(?<![\w:.,/$£€])({D}{{1,2}})\s?{_AMPM}")
_HOURS_BEFORE_AMPM = re.compile(  # "9-5 pm", "9:00-17:00": the dash is "to"
    rf"(?<![\w:.,/$£€])({D}{{1,2}}(?::{D}{{2}})?)\s?[–-]\s?(?={D}{{1,2}}(?::{D}{{2}})?\s?{_AMPM}"
    rf"|(?:(?<=:{D}{{2}}-)|(?<=:{D}{{2}}–)|(?<=:{D}{{2}} - )|(?<=:{D}{{2}} – )){D}{{1,2}}:{D}{{2}}(?![0-9:]))")
_AFTER_AMPM_DASH = re.compile(r"(?<=[AP] M)\s?[–-]\s?(?=[a-z])")


def _ampm(m: re.Match[str], first: int) -> str:
    letter = m.group(first) or m.group(first + 1)
    if not letter:
        return ""
    words = f" {letter.upper()} M"
    zone = m.group(first + 2)
    if zone:
        words += " " + " ".join(ch.upper() for ch in zone if ch.isalpha())
    return _keep_final_period(m, words)


def _clock(m: re.Match[str]) -> str:
    hour, minute, second = int(m.group(1)), int(m.group(2)), m.group(3)
    if hour > 24 or minute > 59 or (second and int(second) > 59):
        raise ValueError(m.group(0))
    suffix = _ampm(m, 4) if m.re.groups >= 4 else ""
    if suffix and not 1 <= hour <= 12:
        raise ValueError(m.group(0))
    if minute == 0:  # "10:00:05 a.m.": "ten o'clock and five seconds", never "ten and five seconds"
        tail = "" if suffix and not (second and int(second)) else (" o'clock" if hour <= 12 else " hundred")
    elif minute < 10:
        tail = f" oh {n.cardinal(minute)}"
    else:
        tail = f" {n.cardinal(minute)}"
    if second and int(second) and not suffix:  # "14:10:30": fourteen hours, ten minutes and thirty seconds
        parts = [(hour, "hour"), (minute, "minute"), (int(second), "second")]
        said = [f"{n.cardinal(v)} {name}{'' if v == 1 else 's'}" for v, name in parts if v or name == "hour"]
        return ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else said[0]
    words = n.cardinal(hour) + tail
    if second and int(second):
        words += f" and {n.cardinal(int(second))} {'second' if int(second) == 1 else 'seconds'}"
    return words + suffix


def _region_clock(m: re.Match[str]) -> str:
    """en-GB "at 5.30": the cue word stays."""
    return m.group(0)[: m.start(1) - m.start()] + _clock(m)


def _hour_ampm(m: re.Match[str]) -> str:
    if not 1 <= int(m.group(1)) <= 12:
        raise ValueError(m.group(0))
    return n.cardinal(int(m.group(1))) + _ampm(m, 2)


# ---------------------------------------------------------------- telephones

_PHONE = re.compile(
    rf"(?<![\w.+-])(?:(\+?1)[\s.-]?)?(?:\(({D}{{3}})\)[\s-]?|({D}{{3}})[\s.-])({D}{{3}})[.-]({D}{{4}})"
    rf"(?:,?\s?(?:ext\.?|x|extension)\s?({D}{{1,5}}))?(?![\w-])")
_PHONE_INTL = re.compile(
    rf"(?<![\w+])\+({D}{{1,3}})((?:[ .-](?:\(0\))?{D}{{2,5}}){{2,5}})"
    rf"(?:,?\s?(?:ext\.?|x|extension)\s?({D}{{1,5}}))?(?![\w-]|[.-][0-9])")
_PHONE_CUES = re.compile(
    r"\b(?:call|calls|called|calling|phone|telephone|tel|fax|dial|dialed|dialled|text|number|line|hotline|"
    r"helpline|ring|mobile|cell)\b\W{0,3}(?:\w+\W{1,3}){0,2}$", re.IGNORECASE)
_LOCAL_PHONE = re.compile(rf"(?<![\w.,$£€-])({D}{{3}})-({D}{{4}})(?![\w-]|[.,][0-9])")
_TRUNK_PHONE = re.compile(rf"(?<![\w.,+-])(0{D}{{2,4}})([ -])({D}{{3,6}})(?:\2({D}{{3,4}}))?(?![\w-]|[.,][0-9])")


def _trunk_phone(m: re.Match[str]) -> str:
    """'07700 900123', '0161 496 0000': a national number with its trunk zero, in groups."""
    groups = [g for g in (m.group(1), m.group(3), m.group(4)) if g]
    if not 9 <= sum(len(g) for g in groups) <= 11:
        return m.group(0)
    return _phone_groups(groups, None)


_RATIO = re.compile(rf"(?<![\w:.])({D}+):({D})(?![0-9:])")


def _phone_groups(groups: list[str], extension: str | None) -> str:
    words = ", ".join(n.digits_words(g) for g in groups if g)
    return f"{words}, extension {n.digits_words(extension)}" if extension else words


def _phone(m: re.Match[str]) -> str:
    country = m.group(1)
    head = [("plus one" if country.startswith("+") else "one")] if country else []
    body = _phone_groups([m.group(2) or m.group(3), m.group(4), m.group(5)], m.group(6))
    return ", ".join([*head, body])


def _phone_intl(m: re.Match[str]) -> str:
    groups = re.split(r"[ .-]", m.group(2).replace("(0)", "").strip(" .-"))
    return "plus " + _phone_groups([m.group(1), *groups], m.group(3))


def _local_phone(m: re.Match[str]) -> str:
    if not _PHONE_CUES.search(m.string, max(0, m.start() - 40), m.start()):
        return m.group(0)
    return _phone_groups([m.group(1), m.group(2)], None)


def _ratio(m: re.Match[str]) -> str:
    return f"{n.cardinal(m.group(1))} to {n.cardinal(m.group(2))}"


# ------------------------------------------------- dimensions, identifiers, terms

_FEET_INCHES = re.compile(rf"(?<![\w'’])({D}{{1,2}})['′’]\s?({D}{{1,2}})(?:[\"″”]|'')")


# "a 12" ruler": a straight double quote after a number is inches unless it closes a quotation
_INCHES = re.compile(rf"(?<![\w.,'’])({NUM})\s?(″|\"(?![\w\"]))")

_QUOTE_MARK = re.compile(r'(?<![0-9])"')


def _inches(m: re.Match[str]) -> str:
    quotes = len(_QUOTE_MARK.findall(m.string, 0, m.start()))  # not counting earlier inch marks
    if m.group(2) == '"' and (quotes % 2 or m.string[m.start() - 1: m.start()] == '"'):
        return m.group(0)  # '"It was 7" she said': the quotation closes
    return f"{n.number(m.group(1))} {'inch' if n.is_one(m.group(1)) else 'inches'}"


def _feet_inches(m: re.Match[str]) -> str:
    """A height: 6'2" → 'six foot two'."""
    if int(m.group(2)) >= 12:
        raise ValueError(m.group(0))
    return f"{n.cardinal(m.group(1))} foot {n.cardinal(m.group(2))}"


_DIMENSIONS = re.compile(
    rf"(?<![\w.,])({NUM})(\s?)([x×X])(\s?)({NUM})(?:\s?[x×X]\s?({NUM}))?(?:\s?{_UNIT_TAIL})?(?![\w])")


_DIMENSION_UNITS = re.compile(rf"(?<![\w.,])({NUM})\s?{_UNIT_TAIL}\s?[x×X]\s?(?=(?:{NUM})\s?{_UNIT_TAIL})")


def _dimension_units(m: re.Match[str]) -> str:
    """'10 cm x 20 cm' → '10 cm by 20 cm' (the units are read later)."""
    return f"{m.group(1)} {m.group(2)}{m.group(3) or ''} by "


def _dimensions(m: re.Match[str]) -> str:
    glued = not (m.group(2) or m.group(4))
    unit = m.group(7)
    if not glued and not unit and m.group(3) == "×":
        return m.group(0)  # "3 × 4" is a product: the symbol rules say "times"
    sides = [n.number(g) for g in (m.group(1), m.group(5), m.group(6)) if g]
    words = " by ".join(sides)
    if unit:
        words += " " + unit_words(unit, m.group(8), True)
    return words


_LETTER_SUFFIX_NUMBER = re.compile(rf"(?<![\w.])({D})({D}{{2}})\(([A-Za-z])\)")  # 401(k), 403(b)


def _letter_suffix_number(m: re.Match[str]) -> str:
    head, rest = n.DIGITS[int(m.group(1))], m.group(2)
    tail = f"oh {n.DIGITS[int(rest[1])]}" if rest[0] == "0" else n.cardinal(rest)
    return f"{head} {tail} {m.group(3).upper()}"


_QUARTER = re.compile(  # "2Q22", "Q3 2024", and halves: "1H23", "H2 2024"
    rf"\b(?:([1-4])([QH])\s?((?:{D}{{2}}){{1,2}})|([QH])([1-4])\s?((?:{D}{{2}}){{1,2}})?)(?![\w])")


def _quarter(m: re.Match[str]) -> str:
    number, letter, year = m.group(1, 2, 3) if m.group(1) else m.group(5, 4, 6)
    if letter == "H" and number not in {"1", "2"}:
        return m.group(0)
    words = f"the {n.ordinal(number)} {'quarter' if letter == 'Q' else 'half'}"
    if not year:
        return f"{letter} {n.cardinal(number)}" if letter == "Q" else m.group(0)
    # a two-digit year is said as written: "2Q22" is "the second quarter of twenty-two"
    if len(year) == 2:
        return f"{words} of {n.cardinal(year) if year[0] != '0' else 'oh ' + n.cardinal(year[1])}"
    return f"{words} of {n.year(year)}"


_US_STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
              "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR").split()
_ZIP = re.compile(
    rf"(?:\b(?:{'|'.join(_US_STATES)}),?|\b(?:ZIP|Zip|zip)(?:\s+[Cc]ode)?:?|\b[Pp]ostcode:?)\s({D}{{5}})(?:-({D}{{4}}))?(?![\w-])")
_SERIAL = re.compile(
    rf"\b((?:[Aa]ccount|[Oo]rder|[Ii]nvoice|[Tt]racking|[Cc]onfirmation|[Rr]eference|[Pp]olicy|[Cc]ase)"
    rf"\s+(?:[Nn]umber|[Nn]o\.|#)|[Ss]erial(?:\s+(?:[Nn]umber|[Nn]o\.))?|S/N|SN|ID|PIN|OTP|PNR|[Rr]ef\.|"
    rf"[Ee]nding\s+(?:in|with))"
    rf"(\s?[:#]?\s?)({D}{{3,}})(?![\w.,]?[0-9])")
_IDENTIFIER = re.compile(  # after a hyphen only when letters and digits alternate at least twice ("t-0t25d12")
    r"(?<![\w'’-])(?=[A-Za-z]*[0-9])(?=[0-9]*[A-Za-z])[A-Za-z0-9]{2,}(?![\w'’])"
    r"|(?<=[A-Za-z]-)(?=[0-9]+[A-Za-z]+[0-9])[A-Za-z0-9]{3,}(?![\w'’])"
    r"|(?<=[A-Za-z0-9]-)[0-9]+[a-z]{1,2}(?![\w'’])")  # "x-1a", "W-2c": a letter after the number, never "onea"

_SERIAL_LABEL = re.compile(r"\b(?:S/N|SN|ID|PIN|PNR|[Ss]erial(?:\s+[Nn]umber|\s+[Nn]o\.)?|[Cc]ode)\s?[:#]?\s?$")


def _zip(m: re.Match[str]) -> str:
    head = m.group(0)[: m.start(1) - m.start()]
    words = n.digits_words(m.group(1))
    return f"{head}{words}, {n.digits_words(m.group(2))}" if m.group(2) else head + words


def _serial(m: re.Match[str]) -> str:
    label = re.sub(r"(?:\b[Nn]o\.|#)$", "number", m.group(1))
    separator = " number " if "#" in m.group(2) else m.group(2) or " "
    return f"{label}{separator}{n.digits_words(m.group(3))}"


def _identifier(m: re.Match[str]) -> str:
    """'a1b2' → 'A one B two'; 'B2B' → 'B two B'. Two runs ('MP3', '3D', '10th') are left to other rules."""
    runs = re.findall(r"[A-Za-z]+|[0-9]+", m.group(0))
    if len(runs) == 2:  # lowercase letters glued to digits: "ab9453", "k4", "3d"
        head, tail = runs
        if head.isalpha() and head.islower() and len(head) <= 3:
            number = n.digits_words(tail) if len(tail) >= 3 else n.cardinal(tail)
            return f"{' '.join(head.upper())} {number}"
        if tail == "p" and len(head) in (3, 4) and not head.startswith("0"):  # "1080p": ten eighty P
            return f"{n.year(head)} P"
        if tail.islower() and len(tail) <= 2 and tail not in {"x", "s", "st", "nd", "rd", "th"}:
            return f"{n.cardinal(head)} {' '.join(tail.upper())}"
        return m.group(0)
    if len(runs) == 3 and runs[2] == "s" and runs[0].isupper() and runs[1].isdigit():  # "MP3s", "W26s"
        return f"{' '.join(runs[0])} {_plural(n.cardinal(runs[1]))}"
    if len(runs) < 3 or (len(runs) == 3 and runs[-1] in {"s", "st", "nd", "rd", "th"}):
        return m.group(0)
    copied = _SERIAL_LABEL.search(m.string, max(0, m.start() - 20), m.start()) is not None
    return " ".join((n.digits_words(r) if copied else _code_digits(r)) if r.isdigit() else " ".join(r.upper())
                    for r in runs)


def _plural(words: str) -> str:
    """'three' → 'threes', 'twenty-six' → 'twenty-sixes', 'fifty' → 'fifties'."""
    if words.endswith("y"):
        return words[:-1] + "ies"
    return words + ("es" if words.endswith(("x", "s")) else "s")


def _code_digits(digits: str) -> str:
    """A group of digits inside a code: one or two as a number ("B52", "R2D2"), longer ones (or "08")
    digit by digit, as people say "B two A twenty-three" but copy "A321sam" digit by digit."""
    short = len(digits) == 1 or (len(digits) == 2 and digits[0] != "0")
    return n.cardinal(digits) if short else n.digits_words(digits)


# ---------------------------------------------------------------------- ranges

_SCORE_WORDS = re.compile(
    r"\b(?:won|win|wins|winning|lost|lose|loses|losing|beat|beats|beaten|defeat|defeated|defeats|"
    r"score|scored|scores|scoreline|draw|drew|tied|tie|led|leads|leading|trailing|trailed|victory|"
    r"loss|final score|ended|ending|finished|result)\b[^.!?;]{0,40}$", re.IGNORECASE)
_SCORE_AFTER = re.compile(r"\s(?:\w+\s)?(?:win|victory|defeat|loss|draw|lead|scoreline|thrashing|home win|away win)\b")
_RANGE = re.compile(
    rf"(?<![\w.,:/–-])([$£€]?)({NUM})(\s?[–-]\s?)([$£€]?)({NUM})(?![0-9:/–-]|\.[0-9]|,[0-9])")
_UNIT_AFTER = re.compile(rf"\s?(?:{_UNIT_TAIL}|%|°)")
_DECADE_RANGE = re.compile(rf"(?<={D}0s)\s?[–-]\s?(?=['’]?{D}{{1,3}}0s\b)")


def _is_year(text: str) -> bool:
    return text.isdigit() and len(text) == 4 and 1000 <= int(text) <= 2099


def _range(m: re.Match[str]) -> str:
    sym1, first, dash, sym2, second = m.groups()
    score = _SCORE_WORDS.search(m.string, max(0, m.start() - 60), m.start()) or _SCORE_AFTER.match(m.string, m.end())
    if score and not (sym1 or sym2):
        return f"{n.number(first)} to {n.number(second)}"
    if not (sym1 or sym2) and _UNIT_AFTER.match(m.string, m.end()):
        return f"{n.number(first)} to {second}"  # "1980-1970 kg": quantities, not years
    if _is_year(first) and not (sym1 or sym2):
        if len(second) == 2 and second.isdigit():
            if int(second) > int(first[2:]):  # "1960-80": said as written, "nineteen sixty to eighty"
                return f"{n.year(first)} to {n.cardinal(second) if second[0] != '0' else 'oh ' + n.cardinal(second[1])}"
            second = str(int(first[:2]) + 1) + second  # "1999-00": the next century, said in full
        if _is_year(second) and int(second) >= int(first):
            return f"{n.year(first)} to {n.year(second)}"
    if "–" not in dash and float(first.replace(",", "")) >= float(second.replace(",", "")):
        return m.group(0)
    return f"{sym1}{first} to {sym2 or sym1}{second}"


# ------------------------------------------------------- money, percent, units

_SCALE_RE = "|".join(sorted(n.SCALES, key=len, reverse=True))
_SYMBOL_RE = "|".join(re.escape(s) for s in sorted(n.CURRENCY_SYMBOLS, key=len, reverse=True))
_CODE_RE = "|".join(sorted(n.CURRENCY_CODES, key=len, reverse=True))
_MONEY = re.compile(rf"(?<![A-Za-z])({_SYMBOL_RE})\s?({NUM}|\.{D}+)(?:\s?({_SCALE_RE})\b)?")
_CODE_MONEY = re.compile(rf"\b({_CODE_RE})\s?({NUM}|\.{D}+)(?:\s?({_SCALE_RE})\b)?(?![\w])")
_MONEY_CODE = re.compile(rf"(?<![\w.,])({NUM})(?:\s?({_SCALE_RE}))?\s({_CODE_RE})\b")
_PERCENT = re.compile(rf"(?<![0-9.,])({NUM})\s?%")
_DEGREES = re.compile(rf"(?<![0-9.,])({NUM})\s?[°º](?:\s?([CFK])\b)?")
PER_TIME = {"s": "second", "sec": "second", "h": "hour", "hr": "hour", "min": "minute"}  # only after "/"
_UNIT = re.compile(  # ".5kg" too; "cc/s", "g/h": a time under a unit
    rf"(?<![\w.,/])({NUM}|\.{D}+)(\s(?:thousand|million|billion|trillion))?\s?({_UNIT_RE})({_POWER_RE})?"
    rf"(?:/({_UNIT_RE}|{'|'.join(PER_TIME)})({_POWER_RE})?(?![\w/²³])|(?![\w/²³]))")


_MONEY_WORDS = sorted({names[1].split()[-1] for names in n.CURRENCIES.values()} | {"cents", "pence"},
                      key=len, reverse=True)
_AFTER_MONEY_DASH = re.compile(rf"\b({'|'.join(_MONEY_WORDS)})\s?[–-]\s?(?=[a-z])")


def _money(m: re.Match[str]) -> str:
    return n.money(m.group(1), m.group(2), m.group(3) or "")


def _money_code(m: re.Match[str]) -> str:
    return n.money(m.group(3), m.group(1), m.group(2) or "")


def _percent(m: re.Match[str]) -> str:
    return f"{n.number(m.group(1))} percent"


def _degrees(m: re.Match[str]) -> str:
    scale = {"C": " Celsius", "F": " Fahrenheit", "K": " Kelvin"}.get(m.group(2) or "", "")
    unit = "degree" if n.is_one(m.group(1)) else "degrees"
    return f"{n.number(m.group(1))} {unit}{scale}"


_BARE_POWER_UNIT = re.compile(rf"(?<![\w.,/])({'|'.join(sorted(_POWERED, key=len, reverse=True))})([²³])(?![\w])")
_DOTTED_NUMBERS = re.compile(rf"(?<![\w.,])({D}+(?:\.{D}+){{2,}})(?![\w]|\.[0-9])")


def _bare_power_unit(m: re.Match[str]) -> str:
    return unit_words(m.group(1), m.group(2), True)


def _dotted_numbers(m: re.Match[str]) -> str:
    """A version or other dotted number: '1.2.10' → 'one point two point ten'."""
    return " point ".join(n.cardinal(str(int(part))) for part in m.group(1).split("."))


def _unit(m: re.Match[str]) -> str:
    """'5 km' → 'five kilometers'; '100 million kg'; '12kg/kg' → 'twelve kilograms per kilogram'."""
    scale = m.group(2) or ""
    plural = bool(scale) or not n.is_one(m.group(1))
    words = f"{n.number(m.group(1))}{scale} {unit_words(m.group(3), m.group(4), plural)}"
    if m.group(5) in PER_TIME and m.group(5) not in UNITS:
        return f"{words} per {PER_TIME[m.group(5)]}"
    return f"{words} per {unit_words(m.group(5), m.group(6), False)}" if m.group(5) else words


# ------------------------------------------------------------------- fractions

_VULGAR = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5),
           "⅗": (3, 5), "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅛": (1, 8), "⅜": (3, 8), "⅝": (5, 8),
           "⅞": (7, 8)}
_VULGAR_RE = re.compile(rf"(?<![\w.,])(?:({D}+)\s?)?([{''.join(_VULGAR)}])(?:\s?{_UNIT_TAIL})?")
_SLASH3 = re.compile(rf"(?<![\w/.])({D}{{1,4}})/({D}{{1,2}})/({D}{{2,4}})(?![\w/]|\.[0-9])")
_SLASH = re.compile(
    rf"(?<![\w/.,])(?:({D}+)\s)?({D}{{1,4}})/({D}{{1,4}})(ths|st|nd|rd|th)?(?![\w/]|\.[0-9])(?:\s?{_UNIT_TAIL})?")
_DENOMINATORS = {2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 32, 64, 100}


def _mixed(whole: str | None, num: int, den: int) -> str:
    if not whole:
        return n.fraction(num, den)
    part = n.fraction(num, den)
    if num == 1:
        part = "a " + part.split(" ", 1)[1]
    return f"{n.cardinal(whole)} and {part}"


def _with_unit(words: str, whole: str | None, num: int, den: int, unit: str | None, power: str | None) -> str:
    """'four and a half' + lbs → 'four and a half pounds'; 'three quarters' + mi → '… of a mile'."""
    if not unit:
        return words
    if whole or num >= den:
        return f"{words} {unit_words(unit, power, True)}"
    single = unit_words(unit, power, False)
    if (num, den) == (1, 2):
        return f"half {'an' if single[0] in 'aeiou' else 'a'} {single}"
    return f"{words} of {'an' if single[0] in 'aeiou' else 'a'} {single}"


def _vulgar(m: re.Match[str]) -> str:
    num, den = _VULGAR[m.group(2)]
    return _with_unit(_mixed(m.group(1), num, den), m.group(1), num, den, m.group(3), m.group(4))


def _slash3(m: re.Match[str]) -> str:
    return " slash ".join(n.year(g) if _is_year(g) else n.cardinal(g) for g in m.groups())


def _slash(m: re.Match[str]) -> str:
    whole, num, den, suffix = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
    unit, power = m.group(5), m.group(6)
    if suffix:  # "1/4th", "3/4ths": the ordinal the writer chose
        if den < 2 or num < 1:
            raise ValueError(m.group(0))
        part = f"{n.cardinal(num)} {n.ordinal(den)}{'' if num == 1 else 's'}"
        words = f"{n.cardinal(whole)} and {part}" if whole else part
        return _with_unit(words, whole, num, den, unit, power)
    if den in _DENOMINATORS and 1 <= num < den:
        return _with_unit(_mixed(whole, num, den), whole, num, den, unit, power)
    if not whole and 12 < num < den < 100 and num + den != 100:  # no month, so no date: "17/36" is a fraction
        return _with_unit(n.fraction(num, den), whole, num, den, unit, power)  # ("30/70" a split)
    prefix = f"{n.cardinal(whole)} " if whole else ""
    words = f"{prefix}{n.cardinal(m.group(2))} {n.cardinal(m.group(3))}"
    return f"{words} {unit_words(unit, power, True)}" if unit else words


# --------------------------------------------------------- words for numerals

_ORDINAL = re.compile(rf"(?<![\w.,])({D}{{1,3}}(?:,{D}{{3}})+|{D}+)(?:st|nd|rd|th)\b")
_DECADE = re.compile(rf"(?<![\w.,'’])(['’]?)({D}{{1,3}}0)\s?s\b")
_NUMBER_SIGN = re.compile(r"(?:#|\b[Nn]o\.)\s?(?=[0-9])")
_NUMBERS_SIGN = re.compile(r"\b[Nn]os\.\s?(?=[0-9])")
_GLUED = re.compile(rf"\b([A-Z]{{1,5}})({D}+)\b|\b({D}+)([A-Z]{{1,2}}|x)\b")
_YEAR_CUES = re.compile(
    r"(?:\b(?:in|since|by|until|till|from|of|year|circa|around|before|after|during|to|through|"
    r"and|or|the|between|early|late|mid|summer|winter|spring|autumn|fall|AD|" + "|".join(MONTHS)
    + r")\s|\bc\.\s?|\bmid-)$", re.IGNORECASE)
_YEAR = re.compile(rf"(?<![\w.,$£€:/-])({D}{{4}})(?![\w.,:/]?[0-9]|\s?%|[\w])(\s+(?:[A-Z]{{2,3}}\b|[a-z]+))?")
_NEGATIVE = re.compile(r"(?:(?<=\s)|^|(?<=[(?!]))[-−](?=[0-9]|\.[0-9])")  # "?-34": a sign after a question
_NUMBER = re.compile(rf"(?<![0-9A-Za-z])(?<![0-9][.,])(?:{NUM}|(?<!\.)\.{D}+)(?![0-9])")  # "114...48" has no ".48"


def _ordinal(m: re.Match[str]) -> str:
    return n.ordinal(m.group(1))


def _decade(m: re.Match[str]) -> str:
    if m.group(1) and len(m.group(2)) != 2:  # '1990s is not a decade
        return m.group(0)
    if " " in m.group(0) and len(m.group(2)) != 4:  # "80 s" is eighty seconds; "1980 s" a decade
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


_LEFTOVER_DIGITS = re.compile(rf"{D}+")


def _leftover_digits(m: re.Match[str]) -> str:
    """Digits no rule could read ("Mk2", "6,5") are still said, never left for the engine to guess."""
    digits = m.group(0)
    return f" {n.cardinal(digits) if len(digits) <= 4 else n.digits_words(digits)} "


@lru_cache(maxsize=16)
def rules_dates_times(locale: SpeechLocale) -> tuple[Rule, ...]:
    """Terms, dates, eras, times and telephone numbers, for the document's region."""
    region_clock = (num(_REGION_DOTTED_CLOCK, _region_clock),) if locale.date_order == "dmy" else ()
    return (
        sub(_WEEKDAY_RANGE, _weekday_range), sub(_WEEKDAY, _weekday),
        num(_LETTER_SUFFIX_NUMBER, _letter_suffix_number), num(_QUARTER, _quarter),
        num(_NUMERIC_DATE, _numeric_date(locale.date_order)),
        num(_MONTH_DAY, _month_the_day if locale.date_order == "dmy" else _month_day),
        num(_DAY_MONTH, _day_month), num(_DAY_MONTH_LOWER, _day_month),
        num(_MONTH_YEAR, _month_year),
        num(_YEAR_ERA, _year_era), num(_ERA_YEAR, _era_year),
        lambda text: _HOURS_BEFORE_AMPM.sub(r"\1 to ", text),
        num(_CLOCK, _clock), num(_DOTTED_CLOCK, _clock), *region_clock, num(_HOUR_AMPM, _hour_ampm),
        lambda text: _AFTER_AMPM_DASH.sub(" to ", text),
        num(_PHONE, _phone), num(_PHONE_INTL, _phone_intl), num(_LOCAL_PHONE, _local_phone),
        num(_TRUNK_PHONE, _trunk_phone), num(_ZIP, _zip), num(_SERIAL, _serial),
        num(_FEET_INCHES, _feet_inches), num(_INCHES, _inches),
        num(_RATIO, _ratio), num(_DIMENSION_UNITS, _dimension_units), num(_DIMENSIONS, _dimensions),
    )


_PENCE = re.compile(rf"(?<![\w.,£$€])({D}{{1,2}})p\b")


def _pence(m: re.Match[str]) -> str:
    return f"{n.cardinal(m.group(1))} {'penny' if m.group(1) == '1' else 'pence'}"


@lru_cache(maxsize=16)
def rules_quantities(locale: SpeechLocale) -> tuple[Rule, ...]:
    """Ranges, money, percentages, units, fractions and every other number."""
    pence = (num(_PENCE, _pence),) if locale.region in {"GB", "IE", "IM", "JE", "GG"} else ()
    return (*pence,
        lambda text: _DECADE_RANGE.sub(" to ", text),
        num(_RANGE, _range), lambda text: _NEGATIVE.sub("minus ", text), num(_SLASH3, _slash3),
        num(_PERCENT, _percent), num(_DEGREES, _degrees),
        num(_MONEY, _money), num(_CODE_MONEY, _money), num(_MONEY_CODE, _money_code),
        lambda text: _AFTER_MONEY_DASH.sub(r"\1 to ", text),
        sub(_VULGAR_RE, _vulgar), num(_SLASH, _slash), num(_UNIT, _unit), sub(_BARE_POWER_UNIT, _bare_power_unit),
        num(_DOTTED_NUMBERS, _dotted_numbers),
        num(_ORDINAL, _ordinal), num(_DECADE, _decade),
        lambda text: _NUMBER_SIGN.sub("number ", text), lambda text: _NUMBERS_SIGN.sub("numbers ", text),
        num(_YEAR, _year), num(_IDENTIFIER, _identifier), num(_GLUED, _glued), num(_NUMBER, _number),
        num(_LEFTOVER_DIGITS, _leftover_digits),
    )
