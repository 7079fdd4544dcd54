"""English rules that read dates and times: numeric and written dates, weekdays, eras, clock
times with a.m./p.m. and zones. Each rule is ``text -> text``; ``quantities`` puts them in order."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from narrate.speech import numbers as n
from narrate.speech.languages import SpeechLocale
from narrate.speech.numeric import D, Rule, _keep_final_period, num, sub

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
# (not a day with a dash and a number after it that no run of days explains, "In March 1-0": a score,
# left to the rule for ranges and scores; "March 1-3" is read by ``_month_days`` before)
_MONTH_DAY = re.compile(
    rf"(?<![\w.])({_MONTH_RE})(?:\s+|-)({D}{{1,2}}){_DAY_END}(?!\s?[–-]\s?{D}{{1,2}}(?![0-9]))"
    rf"(?:(?:,\s*|\s+|-)({D}{{4}})(?![\w]|[.,][0-9]))?")
_DAY_MONTH = re.compile(
    rf"(?<![\w.,])({D}{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?(?:\s+|-)({_MONTH_RE})"
    rf"(?:,?\s+({D}{{4}})(?![\w]|[.,][0-9]))?")
_DAY_MONTH_LOWER = re.compile(  # "17 may 2010": lowercase "may" and "march" only with a day and a year
    rf"(?<![\w.,])({D}{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+(may|march)\b,?\s+({D}{{4}})(?![\w]|[.,][0-9])")
_MONTH_YEAR = re.compile(rf"(?<![\w.])({_MONTH_RE})\s+({D}{{4}})(?![\w]|[.,][0-9])")
_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)


# a range of days in one month: "October 3-5", "Oct. 3–5, 2024", "March 3 to 5", "3–5 October", "3 to 5 June"
_TO = r"\s?[–-]\s?|\s(?:to|through|until|till|and)\s"
_MONTH_DAYS = re.compile(
    rf"(?<![\w.])({_MONTH_RE})\s+({D}{{1,2}})(?:st|nd|rd|th)?({_TO})({D}{{1,2}}){_DAY_END}"
    rf"(?!\s?(?:[AaPp]\.?[Mm]\b|o['’]clock|percent|%))(?:,?\s+({D}{{4}})(?![\w]|[.,][0-9]))?")
_DAYS_MONTH = re.compile(
    rf"(?<![\w.,])({D}{{1,2}})(?:st|nd|rd|th)?({_TO})({D}{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})"
    rf"(?:,?\s+({D}{{4}})(?![\w]|[.,][0-9]))?")


def _joined(joint: str) -> str:
    word = joint.strip()
    return "to" if word in {"–", "-", ""} else word


def _month_days(date_order: str) -> Callable[[re.Match[str]], str]:
    def read(m: re.Match[str]) -> str:
        month, first, joint, last, year = m.groups()
        if not int(first) < int(last) <= 31:
            raise ValueError(m.group(0))
        the = "the " if date_order == "dmy" else ""
        return _with_year(f"{_month(month)} {the}{_day(first)} {_joined(joint)} {the}{_day(last)}", year)

    return read


def _days_month(m: re.Match[str]) -> str:
    first, joint, last, month, year = m.groups()
    if not int(first) < int(last) <= 31:
        raise ValueError(m.group(0))
    the = "" if _THE_BEFORE.search(m.string, max(0, m.start() - 8), m.start()) else "the "
    words = _with_year(f"{the}{_day(first)} {_joined(joint)} the {_day(last)} of {_month(month)}", year)
    return words if year else _keep_final_period(m, words)


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


# A weekday before a day and month written with a slash ("Tu (2/22)", "Monday 3/4"): the slash is a date,
# never a fraction; the weekday may be written in two letters, as calendars do ("Tu", "Th"), but not "We",
# and "Sun" or "Sat" only with a period (the rules above have made those "Sunday", "Saturday" already)
_DAY_NAMES = {**{k: v for k, v in _WEEKDAYS.items() if k not in {"Sun", "Sat"}},
              **{name: name for name in _WEEKDAYS.values()},
              "Mo": "Monday", "Tu": "Tuesday", "Th": "Thursday", "Fr": "Friday", "Sa": "Saturday", "Su": "Sunday"}
_WEEKDAY_DATE = re.compile(
    r"\b(" + "|".join(sorted(_DAY_NAMES, key=len, reverse=True)) + r")(\.?,?\s+\(?)"
    rf"({D}{{1,2}})/({D}{{1,2}})(?:/({D}{{4}}|{D}{{2}}))?(?![\w/]|[.,][0-9])")


def _day_and_month(first: int, second: int, order: str) -> tuple[int, int, bool]:
    """Day, month and whether the day came first, for "first/second" in the locale's ``order``
    ("dmy" or "mdy"); a figure over 12 where the month should be swaps them ("3/17" in dmy)."""
    day_first = order == "dmy"
    if (second if day_first else first) > 12 and (first if day_first else second) <= 12:
        day_first = not day_first
    return (first, second, day_first) if day_first else (second, first, day_first)


def _weekday_date(order: str) -> Callable[[re.Match[str]], str]:
    def read(m: re.Match[str]) -> str:
        day, month, day_first = _day_and_month(int(m.group(3)), int(m.group(4)), order)
        return _DAY_NAMES[m.group(1)] + m.group(2).lstrip(".") + _spoken_date(day, month, m.group(5), day_first)

    return read


# A day and month written with a slash after a word that takes a date ("on 1/24", "due 3/14", "until
# 12/31"): a date, never "one twenty-four"; not before "of" ("on 3/4 of the days" is a share)
_CUED_DATE = re.compile(
    r"\b([Oo]n|[Dd]ue|[Uu]ntil|[Tt]ill|[Ss]ince|[Dd]ated|[Ee]xpires|[Dd]eadline)(\s+)"
    rf"({D}{{1,2}})/({D}{{1,2}})(?![\w/]|[.,][0-9]|\s+of\b)")


def _cued_date(order: str) -> Callable[[re.Match[str]], str]:
    def read(m: re.Match[str]) -> str:
        day, month, day_first = _day_and_month(int(m.group(3)), int(m.group(4)), order)
        return m.group(1) + m.group(2) + _spoken_date(day, month, "", day_first)

    return read


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


WEEKDAY_RULES: tuple[Rule, ...] = (sub(_WEEKDAY_RANGE, _weekday_range), sub(_WEEKDAY, _weekday))


# a span of two consecutive years written with a slash: "1999/2000", "the 2023/24 season", "FY2023/24"
_YEAR_SPAN = re.compile(rf"(?:(?<=FY)|(?<![\w.,/]))(1[0-9]{{3}}|20[0-9]{{2}})/({D}{{4}}|{D}{{2}})(?![\w/]|[.,]{D})")


def _year_span(m: re.Match[str]) -> str:
    """'2023/24' → 'twenty twenty-three to twenty-four'; only a year and the next (else a ratio or a fraction)."""
    first, second = m.group(1), m.group(2)
    following = int(first) + 1
    if second != str(following) and second != f"{following % 100:02d}":
        return m.group(0)
    end = n.year(second) if len(second) == 4 else (n.cardinal(second) if second[0] != "0" else f"oh {second[1]}")
    glued = m.start() > 0 and m.string[m.start() - 1].isalpha()  # "FY2023/24"
    return f"{' ' if glued else ''}{n.year(first)} to {end}"


YEAR_SPAN_RULE: Rule = num(_YEAR_SPAN, _year_span)


@lru_cache(maxsize=16)
def rules_dates_clock(locale: SpeechLocale) -> tuple[Rule, ...]:
    """Numeric and written dates, eras and clock times, for the document's region."""
    region_clock = (num(_REGION_DOTTED_CLOCK, _region_clock),) if locale.date_order == "dmy" else ()
    return (
        YEAR_SPAN_RULE,
        num(_MONTH_DAYS, _month_days(locale.date_order)), num(_DAYS_MONTH, _days_month),
        num(_WEEKDAY_DATE, _weekday_date(locale.date_order)),
        num(_CUED_DATE, _cued_date(locale.date_order)),
        num(_NUMERIC_DATE, _numeric_date(locale.date_order)),
        num(_MONTH_DAY, _month_the_day if locale.date_order == "dmy" else _month_day),
        num(_DAY_MONTH, _day_month), num(_DAY_MONTH_LOWER, _day_month),
        num(_MONTH_YEAR, _month_year),
        num(_YEAR_ERA, _year_era), num(_ERA_YEAR, _era_year),
        lambda text: _HOURS_BEFORE_AMPM.sub(r"\1 to ", text),
        num(_CLOCK, _clock), num(_DOTTED_CLOCK, _clock), *region_clock, num(_HOUR_AMPM, _hour_ampm),
        lambda text: _AFTER_AMPM_DASH.sub(" to ", text),
    )
