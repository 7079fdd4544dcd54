"""English rules that read quantities: ranges, money, percentages, degrees, units, fractions,
ordinals, decades, years and every other number; and the order of all the rules that read digits.

Each rule is ``text -> text``. ``rules_dates_times(locale)`` and ``rules_quantities(locale)``
give them in the fixed order ``normalize`` applies them (dates before ranges before money
before plain numbers); only the numeric dates, dotted times and pence depend on the region.
"""

from __future__ import annotations

import re
from functools import lru_cache, partial

from narrate.speech import numbers as n
from narrate.speech.calendar import MONTHS, WEEKDAY_RULES, rules_dates_clock
from narrate.speech.codes import CODE_RULES, IDENTIFIER_RULE, TERM_RULES, name_number, plural_words
from narrate.speech.languages import SpeechLocale
from narrate.speech.numeric import (
    _POWER_RE,
    _POWERED,
    _UNIT_RE,
    _UNIT_TAIL,
    NUM,
    PER_TIME,
    UNITS,
    D,
    Rule,
    num,
    sub,
    unit_words,
)
from narrate.speech.wording import ROMAN_CUES

# ---------------------------------------------------------------------- ranges

_SCORE_WORDS = re.compile(
    r"\b(?:won|win|wins|winning|lost|lose|loses|losing|beat|beats|beaten|defeat|defeated|defeats|"
    r"score|scored|scores|scoreline|draw|drew|tied|tie|led|leads|leading|trailing|trailed|victory|"
    r"loss|final score|ended|ending|finished|result)\b[^.!?;]{0,40}$", re.IGNORECASE)
# a vote or a ruling: "voted 7-2", "the court ruled 9-0", "passed 350-12" ("seven to two", "nine to nothing")
_VOTE_WORDS = re.compile(r"\b(?:vote|voted|votes|voting|ruled|ruling|decision|margin|majority|split|passed|approved|"
                         r"rejected|confirmed|jury|verdict)\b[^.!?;]{0,30}$", re.IGNORECASE)
_SCORE_AFTER = re.compile(r"\s(?:\w+\s)?(?:win|victory|defeat|loss|draw|lead|scoreline|thrashing|home win|away win)\b")
_RANGE = re.compile(
    rf"(?<![\w.,:/–-])([$£€]?)({NUM})(\s?[–-]\s?)([$£€]?)({NUM})(?![0-9:/–-]|\.[0-9]|,[0-9])")
_UNIT_AFTER = re.compile(rf"\s?(?:{_UNIT_TAIL}|%|°)")
# a count after the numbers is no score: "lose 3-4 pounds", "won 2-3 times"
_COUNTED_AFTER = re.compile(r"\s(?:pounds|stone|kilos|years|months|weeks|days|hours|minutes|seconds|times|percent|"
                            r"people|inches|feet|miles|dollars|euros|cents|pence|per)\b")
_DECADE_RANGE = re.compile(rf"(?<={D}0s)\s?[–-]\s?(?=['’]?{D}{{1,3}}0s\b)")
# "the 1960-70s": the plural ends the range but belongs to both, the sixties to the seventies (was "seventys")
_DECADE_RANGE_START = re.compile(rf"(?<![\w.,:/–-])({D}{{1,3}}0)(?=\s?[–-]\s?['’]?{D}{{1,3}}0s\b)")

# a score between two names: "Arsenal 1-0 Chelsea" (two small numbers, a capitalized word either side; not
# after a word that numbers a range, "Chapters 1-2 Summary")
_TEAMS_BEFORE = re.compile(r"\b([A-Z][a-z]+)\s$")
_TEAMS_AFTER = re.compile(r"\s[A-Z][a-z]")
_RANGE_NOUNS = frozenset("""Chapter Chapters Page Pages Section Sections Verse Verses Room Rooms Line Lines Item
    Items Figure Figures Table Tables Part Parts Volume Volumes Step Steps Level Levels Grade Grades Week Weeks
    Exit Exits Route Routes Unit Units Ages Aged Years Days Hours Nos Numbers Questions Episodes Season
    Serves Sleeps Seats Feeds Makes Takes Lasts Sizes Size Age Players Persons People Guests Pack Packs Minutes
    Months Weeks Grade Ratio Scale Mix""".split())  # and the words of a title in capitals, "Serves 4-6 People"
_MONTH_NAMES = frozenset(MONTHS)


def _between_teams(m: re.Match[str], first: str, second: str) -> bool:
    """Two numbers of at most two digits between two names, or three when they fall ("Lakers 112-98 Celtics")."""
    if not (first.isdigit() and second.isdigit()):
        return False
    if not (len(first) <= 2 and len(second) <= 2 or len(first) == 3 and len(second) <= 3 and int(second) < int(first)):
        return False
    before = _TEAMS_BEFORE.search(m.string, max(0, m.start() - 30), m.start())
    if before is not None and before.group(1) in _MONTH_NAMES and (int(second) < int(first) or second.strip("0") == ""):
        return True  # "In March 1-0": after a month, two small numbers that are no run of days are a result
    return (before is not None and before.group(1) not in _RANGE_NOUNS and before.group(1) not in _MONTH_NAMES
            and _TEAMS_AFTER.match(m.string, m.end()) is not None)


def _vote(m: re.Match[str], first: str, second: str) -> bool:
    """Votes for and against after "voted", "ruled" …: more for than against (a rising pair is a range)."""
    return (first.isdigit() and second.isdigit() and len(first) <= 3 and len(second) <= 3
            and int(first) >= int(second)
            and _VOTE_WORDS.search(m.string, max(0, m.start() - 40), m.start()) is not None)


def _score(first: str, second: str, british: bool) -> str:
    """A score as it is said: en-GB "one nil", "two one", "one all", "nil nil"; elsewhere "one to nothing",
    "two to one", "one to one" (a zero in a score is "nothing" in American English, never "zero")."""
    zero = "nil" if british else "nothing"

    def say(number: str) -> str:
        return zero if number.strip("0") == "" else n.number(number)

    if british:
        return f"{say(first)} all" if first == second and first.strip("0") else f"{say(first)} {say(second)}"
    return f"{say(first)} to {say(second)}"


# a model number after a maker's name or a model's letters: "Boeing 747-8", "737-800" after "Boeing",
# "A350-900": the three digits as such names are said ("seven forty-seven"), the variant as a number
# (or after an article, "a 747-400", when the first number is no round one a range would start on and the
# second a variant, one digit or a round hundred; "a 125-150 page book" and a score, "a 112-98 win", stay)
# A variant's letters ("777-300ER", "A350-900ULR") make it a model wherever it stands; an "s" after it is
# the plural, said on the last word ("the 767-300ERs": E Rs, "Boeing 747-400s": four hundreds).
_MODEL = re.compile(
    rf"(?:\b([A-Z][a-z]+)\s|\b([A-Z]{{1,3}})|\b((?i:an?|the))\s|(?<![\w.,:/#$£€-]))([1-9]{D}{{2}})-({D}{{1,3}})"
    rf"([A-Z]{{1,3}}(?![a-rt-z]|s[a-z]))?(s\b)?(?![\w–-]|[.,]{D}|\s?(?:{_UNIT_TAIL}|%|°))")


_COUNT_AFTER = re.compile(r"\s(?:[a-z]+s|people|men|women|children)\b")


def _result_cue(m: re.Match[str]) -> bool:
    """A score's or a vote's word before the numbers ("beat", "voted") or after them ("win")."""
    return bool(_SCORE_WORDS.search(m.string, max(0, m.start() - 60), m.start())
                or _VOTE_WORDS.search(m.string, max(0, m.start() - 40), m.start())
                or _SCORE_AFTER.match(m.string, m.end()))


def _model(m: re.Match[str]) -> str:
    said = _model_said(m)
    if not m.group(7) or said == m.group(0):
        return said
    return said + "s" if m.group(6) else plural_words(said)


def _model_said(m: re.Match[str]) -> str:
    maker, letters, article, number, variant, suffix = m.group(1, 2, 3, 4, 5, 6)
    # "the 777-300ER": the variant's letters spelled after it; one letter only after a maker or a model's
    # letters ("Boeing 747-400F"), as "rooms 101-105B" is a range
    if suffix and (len(suffix) > 1 or maker or letters) and not _result_cue(m):
        head = f"{maker or letters or article} " if maker or letters or article else ""
        return f"{head}{name_number(number)} {n.cardinal(variant)} {suffix}"
    if not (maker or letters or article) or _result_cue(m):
        return m.group(0)  # "beat Boston 112-98", "a 112-98 victory": a score
    if article:
        variant_like = len(variant) == 1 or (len(variant) == 3 and variant.endswith("00"))
        rising = int(variant) > int(number)
        if int(number) % 5 == 0 or not variant_like or rising and _COUNT_AFTER.match(m.string, m.end()):
            return m.group(0)
        return f"{article} {name_number(number)} {n.cardinal(variant)}"
    if maker and (maker in _RANGE_NOUNS or maker in _MONTH_NAMES or maker.upper() in ROMAN_CUES):
        return m.group(0)
    if maker and not (len(variant) == 1 or (len(variant) == 3 and variant.endswith("0"))):
        return m.group(0)  # "Lakers 112-98 Celtics": a name's model variant is one digit or ends in 0 ("707-320")
    if int(variant) > int(number) and _COUNT_AFTER.match(m.string, m.end()):
        return m.group(0)  # "in Tokyo 300-400 people": a range of a count after a place's name
    return f"{maker + ' ' if maker else letters + ' '}{name_number(number)} {n.cardinal(variant)}"


# opening hours: "Mon-Fri 9-5", "open 10-4", "hours: 8-6" — the hours go past noon, so the second is smaller
_HOURS_CUE = re.compile(
    r"\b(?:(?i:open|opens|opening|hours|daily|weekdays|weekends)|(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)"
    r"(?:day|nesday|sday|urday|rsday)?s?\.?)\W{0,3}$")


def _opening_hours(m: re.Match[str], first: str, second: str) -> bool:
    return (first.isdigit() and second.isdigit() and 1 <= int(second) < int(first) <= 12
            and bool(_HOURS_CUE.search(m.string, max(0, m.start() - 30), m.start())))


def _is_year(text: str) -> bool:
    return text.isdigit() and len(text) == 4 and 1000 <= int(text) <= 2099


def _range(m: re.Match[str], british: bool = False) -> str:
    sym1, first, dash, sym2, second = m.groups()
    score = _SCORE_WORDS.search(m.string, max(0, m.start() - 60), m.start()) or _SCORE_AFTER.match(m.string, m.end())
    measured = _UNIT_AFTER.match(m.string, m.end()) or _COUNTED_AFTER.match(m.string, m.end())
    if not (sym1 or sym2) and not measured and (score or _between_teams(m, first, second)):
        return _score(first, second, british) if first.isdigit() and second.isdigit() else \
            f"{n.number(first)} to {n.number(second)}"
    if not (sym1 or sym2) and not measured and _vote(m, first, second):
        zero = "nil" if british else "nothing"
        return " to ".join(zero if x.strip("0") == "" else n.number(x) for x in (first, second))
    if not (sym1 or sym2) and _UNIT_AFTER.match(m.string, m.end()):
        return f"{n.number(first)} to {second}"  # "1980-1970 kg": quantities, not years
    if _is_year(first) and not (sym1 or sym2):
        if len(second) == 2 and second.isdigit():
            if int(second) > int(first[2:]):  # "1960-80": said as written, "nineteen sixty to eighty"
                return f"{n.year(first)} to {n.cardinal(second) if second[0] != '0' else 'oh ' + n.cardinal(second[1])}"
            second = str(int(first[:2]) + 1) + second  # "1999-00": the next century, said in full
        if _is_year(second) and int(second) >= int(first):
            return f"{n.year(first)} to {n.year(second)}"
    if "–" not in dash and float(first.replace(",", "")) >= float(second.replace(",", "")) \
            and not _opening_hours(m, first, second):
        return m.group(0)
    if sym1 and (sym2 in ("", sym1)) and _SCALE_AFTER.match(m.string, m.end()):
        return f"{first} to {sym1}{second}"  # "$10-15 billion": ten to fifteen billion dollars, not "ten dollars"
    return f"{sym1}{first} to {sym2 or sym1}{second}"


# ------------------------------------------------------- money, percent, units

_SCALE_RE = "|".join(sorted(n.SCALES, key=len, reverse=True))
_SYMBOL_RE = "|".join(re.escape(s) for s in sorted(n.CURRENCY_SYMBOLS, key=len, reverse=True))
_CODE_RE = "|".join(sorted(n.CURRENCY_CODES, key=len, reverse=True))
_SCALE_AFTER = re.compile(rf"\s?(?:{_SCALE_RE})\b")  # a scale after a range of money is the whole range's
_MONEY = re.compile(rf"(?<![A-Za-z])({_SYMBOL_RE})\s?({NUM}|\.{D}+)(?:\s?({_SCALE_RE})\b)?")
_CODE_MONEY = re.compile(rf"\b({_CODE_RE})\s?({NUM}|\.{D}+)(?:\s?({_SCALE_RE})\b)?(?![\w])")
_MONEY_CODE = re.compile(rf"(?<![\w.,])({NUM})(?:\s?({_SCALE_RE}))?\s({_CODE_RE})\b")
_PERCENT = re.compile(rf"(?<![0-9.,])({NUM})\s?%")
# two percentages joined by a dash ("52%-48%", "10%–15%"): a split or a range, each said, "to" between
_PERCENT_PAIR = re.compile(rf"(?<![0-9.,])({NUM})\s?%(?:-|\s?–\s?)(?=(?:{NUM})\s?%)")  # not "5% - 3% was"
_DEGREES = re.compile(rf"(?<![0-9.,])({NUM})\s?[°º](?:\s?([CFK])\b)?")
# a unit's abbreviation with a period inside a sentence ("2 lbs. of apples", "3 mi. from here", "2 tbsp.,
# then"): the period is the abbreviation's, and left after the unit's word it was heard as a sentence's end
_UNIT_PERIOD = re.compile(rf"(?<=[0-9])(\s?(?:{_UNIT_RE}))\.(?=\s+[a-z]|\s?[,;:)])")
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
_PART_OF = re.compile(r"\s+of\s+(?:a|an|the|all|its|their|his|her|our|my|your|them|us|it|each|every)\b")


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
    if not whole and not unit and 1 <= num < den and _PART_OF.match(m.string, m.end()):
        return n.fraction(num, den)  # "1/24 of the budget": a share of something, never a date
    prefix = f"{n.cardinal(whole)} " if whole else ""
    words = f"{prefix}{n.cardinal(m.group(2))} {n.cardinal(m.group(3))}"
    return f"{words} {unit_words(unit, power, True)}" if unit else words


# --------------------------------------------------------- words for numerals

_ORDINAL = re.compile(rf"(?<![\w.,])({D}{{1,3}}(?:,{D}{{3}})+|{D}+)(?:st|nd|rd|th)\b")
_DECADE = re.compile(rf"(?<![\w.,'’])(['’]?)({D}{{1,3}}0)\s?s\b")
_NUMBER_SIGN = re.compile(r"(?:#|\b[Nn]o\.)\s?(?=[0-9])")
_NUMBERS_SIGN = re.compile(r"\b[Nn]os\.\s?(?=[0-9])")
_GLUED = re.compile(rf"\b([A-Z]{{1,5}})({D}+)\b|\b({D}+)([A-Z]{{1,2}}|x)\b")
_HYPHEN_NAME = re.compile(rf"\b([A-Z]{{1,5}}-)([1-9]{D}{{2}})(s?)\b(?![.,]?[0-9]|-[0-9])")  # "F-150", "B-747s"
_YEAR_CUES = re.compile(
    r"(?:\b(?:in|since|by|until|till|from|of|year|circa|around|before|after|during|to|through|"
    r"and|or|the|between|early|late|mid|summer|winter|spring|autumn|fall|AD|" + "|".join(MONTHS)
    + r")\s|\bc\.\s?|\bmid-)$", re.IGNORECASE)
_YEAR = re.compile(rf"(?<![\w.,$£€:/-])({D}{{4}})(?![\w.,:/]?[0-9]|\s?%|[\w])(\s+(?:[A-Z]{{2,3}}\b|[a-z]+))?")
# a word after a bare four-digit number that makes it a year: an era, a range, or a verb in the singular,
# which a count over one never takes ("1990 was a good year", "2008 marks the start"; "1990 were" is a count)
_YEAR_AFTER = frozenset({"AD", "BC", "BCE", "CE", "and", "or", "to", "through", "until", "till"})
_YEAR_VERBS = frozenset({"was", "is", "has", "does", "remains", "seems", "marks", "sees", "brings", "begins", "ends"})
# a preposition after a bare number from 1100 to 1999 ("1968 in Paris", "1990 for the firm") keeps it in
# pairs: a year is said so, and a count before a preposition is too ("fifteen hundred at the rally"); "of"
# counts a part ("1500 of them"), so it stays a count
_YEAR_PREPOSITIONS = frozenset({"for", "in", "at", "on", "with", "after", "before", "during", "when", "while"})
_NUMBER_BEFORE = re.compile(r"\bnumbers?\s+$", re.IGNORECASE)  # "the number 1024 is a power of two"
_NEGATIVE = re.compile(r"(?:(?<=\s)|^|(?<=[(?!]))[-−](?=[0-9]|\.[0-9])")  # "?-34": a sign after a question
_NUMBER = re.compile(rf"(?<![0-9A-Za-z])(?<![0-9][.,])(?:{NUM}|(?<!\.)\.{D}+)(?![0-9])")  # "114...48" has no ".48"


def _ordinal(m: re.Match[str]) -> str:
    return n.ordinal(m.group(1))


# "the 1990's", "the early 1960’s": a decade written with an apostrophe, after a word that takes one ("1990's
# budget" alone is the year's possessive)
_DECADE_APOSTROPHE = re.compile(rf"\b((?:[Tt]he|[Ee]arly|[Ll]ate|[Mm]id)[ -])({D}0|{D}{{3}}0)['’]s\b")


def _decade(m: re.Match[str]) -> str:
    if m.group(1) and len(m.group(2)) != 2:  # '1990s is not a decade
        return m.group(0)
    if " " in m.group(0) and len(m.group(2)) != 4:  # "80 s" is eighty seconds; "1980 s" a decade
        return m.group(0)
    return n.decade(int(m.group(2)))


def _glued(m: re.Match[str]) -> str:
    """'MP3' → 'MP 3', '3D' → '3 D', '10x' → '10 x' (said "ten x", as people say "a 10x zoom");
    'A321' → 'A three twenty-one', as a name's three digits are said."""
    if m.group(1):
        return f"{m.group(1)} {name_number(m.group(2)) if len(m.group(2)) == 3 else m.group(2)}"
    return f"{m.group(3)} {m.group(4)}"


def _hyphen_name(m: re.Match[str]) -> str:
    """'F-150' → 'F-one fifty'; 'B-747s' → 'B-seven forty-sevens', as 'B747s' is read."""
    words = name_number(m.group(2))
    return m.group(1) + (plural_words(words) if m.group(3) else words)


def _year(m: re.Match[str]) -> str:
    digits, after = m.group(1), m.group(2) or ""
    if not _is_year(digits):
        return m.group(0)
    cued = _YEAR_CUES.search(m.string, max(0, m.start() - 30), m.start()) is not None
    era = after.strip() in _YEAR_AFTER or (
        after.strip() in _YEAR_VERBS and not _NUMBER_BEFORE.search(m.string, max(0, m.start() - 12), m.start()))
    era = era or (after.strip() in _YEAR_PREPOSITIONS and 1100 <= int(digits) <= 1999)
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
    return (*WEEKDAY_RULES, *TERM_RULES, *rules_dates_clock(locale), *CODE_RULES)


_BRITISH = frozenset({"GB", "IE", "IM", "JE", "GG"})  # pence and scores ("one nil") as said there
_PENCE = re.compile(rf"(?<![\w.,£$€])({D}{{1,2}})p\b")


def _pence(m: re.Match[str]) -> str:
    return f"{n.cardinal(m.group(1))} {'penny' if m.group(1) == '1' else 'pence'}"


@lru_cache(maxsize=16)
def rules_quantities(locale: SpeechLocale) -> tuple[Rule, ...]:
    """Ranges, money, percentages, units, fractions and every other number."""
    pence = (num(_PENCE, _pence),) if locale.region in _BRITISH else ()
    return (*pence,
        lambda text: _DECADE_RANGE.sub(" to ", _DECADE_RANGE_START.sub(r"\1s", text)),
        num(_MODEL, _model), num(_RANGE, partial(_range, british=locale.region in _BRITISH)),
        lambda text: _NEGATIVE.sub("minus ", text), num(_SLASH3, _slash3),
        lambda text: _PERCENT_PAIR.sub(r"\1% to ", text), num(_PERCENT, _percent), num(_DEGREES, _degrees),
        num(_MONEY, _money), num(_CODE_MONEY, _money), num(_MONEY_CODE, _money_code),
        lambda text: _AFTER_MONEY_DASH.sub(r"\1 to ", text),
        sub(_VULGAR_RE, _vulgar), num(_SLASH, _slash),
        lambda text: _UNIT_PERIOD.sub(r"\1", text), num(_UNIT, _unit), sub(_BARE_POWER_UNIT, _bare_power_unit),
        num(_DOTTED_NUMBERS, _dotted_numbers),
        num(_ORDINAL, _ordinal), num(_DECADE_APOSTROPHE, lambda m: m.group(1) + n.decade(int(m.group(2)))),
        num(_DECADE, _decade),
        lambda text: _NUMBER_SIGN.sub("number ", text), lambda text: _NUMBERS_SIGN.sub("numbers ", text),
        num(_YEAR, _year), IDENTIFIER_RULE, num(_GLUED, _glued),
        num(_HYPHEN_NAME, _hyphen_name), num(_NUMBER, _number),
        num(_LEFTOVER_DIGITS, _leftover_digits),
    )
