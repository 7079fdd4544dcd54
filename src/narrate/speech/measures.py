"""English measures and counts that must be read before the other number rules see their digits:
measures in two units, clinical pressures, fiscal years, telephone labels, "circa", scale letters
and counts before "of".

Rules ``text -> text`` that ``readings.RULES_FIRST`` runs before dates, times and units:

* feet and inches: "6 ft 2 in" → "six feet two inches" ("in" alone is a preposition, so it is
  read as inches only after a number of feet); used as an adjective ("a 5 ft 11 in man") it is
  "five-foot-eleven", as a height is said;
* hours and minutes glued to their letters: "2h 15m", "1h30m", "3h 05m 20s" → "two hours fifteen
  minutes" ("m" alone is meters: only after hours is it minutes);
* a pressure over a pressure in mmHg ("120/80 mmHg") → "one hundred twenty over eighty
  millimeters of mercury";
* a fiscal year: "FY2024" → "F Y twenty twenty-four", "FY24" → "F Y twenty-four";
* "c. 500 BCE" → "circa 500 BCE", "approx 3" → "approximately 3" (before the era rules take the number);
* a count with a scale's letters and no currency: "1.5bn people" → "one point five billion
  people", "3.2M views" → "three point two million views" (not "a 5M cable");
* a round count in digits with a plural "s" before "of": "1,000s of people" → "thousands of
  people", "100s of" → "hundreds of", "10,000s of" → "tens of thousands of";
* the labels of a telephone number before its digits: "Tel. 555-0100" → "Telephone 555-0100" (the
  telephone rules then read the digits), "ext. 204" → "extension two zero four" (an extension is
  dialled digit by digit, as the telephone rules say it after a number); an "x" right after a
  telephone number's last four digits is its extension ("555-0100x7" → "555-0100, extension seven").
"""

from __future__ import annotations

import re

from narrate.speech import numbers as n
from narrate.speech.numeric import Rule, num

D = "[0-9]"

_FEET_INCHES = re.compile(
    rf"(?<![\w.,])({D}{{1,2}})\s?(?:ft|feet|foot)\.?\s?({D}{{1,2}}(?:\.{D})?)\s?(?:in|inch|inches)\b(\.)?")
_ATTRIBUTIVE_BEFORE = re.compile(r"\b(?:[Aa]n?|[Tt]he|[Hh]is|[Hh]er|[Tt]heir)\s+$")
_WORD_AFTER = re.compile(r"\s+([a-z]+)\b")
_NOT_NOUNS = frozenset("tall high long wide deep and or of to in at by with".split())


def _feet_inches(m: re.Match[str]) -> str:
    feet, inches, period = m.group(1), m.group(2), m.group(3) or ""
    if float(inches) >= 12:
        raise ValueError(m.group(0))
    after = _WORD_AFTER.match(m.string, m.end())
    attributive = _ATTRIBUTIVE_BEFORE.search(m.string[:m.start()]) and after and after.group(1) not in _NOT_NOUNS
    end = period if m.end() == len(m.string.rstrip()) else ""  # "6 ft 2 in." at a sentence's end keeps its period
    if attributive:  # "a 5 ft 11 in man": a five-foot-eleven man
        return f"{n.cardinal(feet)}-foot-{n.number(inches)}"
    return (f"{n.cardinal(feet)} {'foot' if feet == '1' else 'feet'} {n.number(inches)} "
            f"{'inch' if inches == '1' else 'inches'}{end}")


_HOURS_MINUTES = re.compile(
    rf"(?<![\w.,:])({D}{{1,3}})\s?h\s?({D}{{1,2}})\s?m(?:in)?(?:\s?({D}{{1,2}})\s?s(?:ec)?)?(?![\w/²³])")


def _hours_minutes(m: re.Match[str]) -> str:
    parts = [(m.group(1), "hour"), (m.group(2), "minute"), (m.group(3), "second")]
    if int(m.group(2)) > 59 or (m.group(3) and int(m.group(3)) > 59):
        raise ValueError(m.group(0))
    return " ".join(f"{n.cardinal(str(int(v)))} {name}{'' if int(v) == 1 else 's'}" for v, name in parts if v)


_PRESSURE = re.compile(rf"(?<![\w.,/])({D}{{2,3}})/({D}{{2,3}})\s?mm\s?Hg\b")
_FISCAL_YEAR = re.compile(rf"\bFY\s?['’]?({D}{{4}}|{D}{{2}})(?![\w/]|[.,]{D})")
_ROUND_PLURAL = re.compile(r"(?<![\w.,$£€])(1(?:0|00|,000|000)(?:,?000)*)s\s(?=of\b)")
_ROUND_WORDS = {1: "ones", 2: "tens", 3: "hundreds", 4: "thousands", 5: "tens of thousands",
                6: "hundreds of thousands", 7: "millions", 8: "tens of millions", 9: "hundreds of millions",
                10: "billions"}


def _round_plural(m: re.Match[str]) -> str:
    return _ROUND_WORDS[len(m.group(1).replace(",", ""))] + " "


_PHONE_LABEL = re.compile(r"\b([Tt]el|TEL)\.?(?=:?\s?[(+0-9])")
_EXTENSION = re.compile(rf"(?:(?<=[0-9])(,?\s?))?\b([Ee]xt\.?|[Ee]xtension)\s?({D}{{1,5}})(?![\w-]|[.,]{D})")


# "555-0100x7", "555-0100 x 12": an "x" right after a telephone number's last four digits is its extension
_X_EXTENSION = re.compile(rf"(?<=[0-9]{{3}}[- ][0-9]{{4}})\s?[xX]\s?({D}{{1,5}})(?![\w-]|[.,]{D})")


def _x_extension(m: re.Match[str]) -> str:
    return f", extension {n.digits_words(m.group(1))}"


def _extension(m: re.Match[str]) -> str:
    word = "Extension" if m.group(2)[0] == "E" else "extension"
    pause = ", " if m.group(1) is not None else ""  # after the number, with the pause the telephone rules give it
    return f"{pause}{word} {n.digits_words(m.group(3))}"


# a count with a scale's letters and no currency: "1.5bn people", "3.2M views", "300M users"; "bn", "mn",
# "tn" are always scales, a capital "M" or "B" only before a word in small letters and not after "a"
# ("a 5M cable" may be a length); a range takes the scale once ("10-15bn people": ten to fifteen billion), but
# a range whose last number alone has a capital letter before a noun in the singular is a run of labels ("the
# 101-105B block", rooms one hundred one to one hundred five B), never billions
_NUM = rf"{D}{{1,3}}(?:,{D}{{3}})+(?:\.{D}+)?|{D}+(?:\.{D}+)?"
_SCALE_LETTERS = re.compile(
    rf"(?<![\w.,$£€¥₹-])(?<![Aa] )(?<![Aa]n )(?:({_NUM})[-–])?({_NUM})(?:\s?(bn|mn|mln|tn)\b|(M|B)(?=\s[a-z]))"
    rf"(?!\s?[A-Z]{{3}}\b)")
_SCALE_WORDS = {"bn": "billion", "mn": "million", "mln": "million", "tn": "trillion", "M": "million", "B": "billion"}
_PLURAL_AFTER = re.compile(r"\s(?:[a-z]+s|people|men|women|children)\b")


def _scale_letters(m: re.Match[str]) -> str:
    start, number, letters, capital = m.groups()
    if start and capital and not _PLURAL_AFTER.match(m.string, m.end()):
        return f"{start} to {number}{capital}"
    scale = _SCALE_WORDS[letters or capital]
    return f"{n.number(start)} to {n.number(number)} {scale}" if start else f"{n.number(number)} {scale}"


# "c. 500 BCE", "approx 3": before the era and number rules read the number
_ABOUT = re.compile(rf"\b(?:(c|ca)\.|([Aa]pprox)\.?)\s?(?={D})")  # "Approx. 1,500" opening a sentence too


RULES_MEASURES: tuple[Rule, ...] = (
    num(_ABOUT, lambda m: "circa " if m.group(1) else f"{m.group(2)[0]}pproximately "),
    num(_PHONE_LABEL, lambda m: "Telephone" if m.group(1)[0] == "T" else "telephone"),
    num(_EXTENSION, _extension), num(_X_EXTENSION, _x_extension),
    num(_FEET_INCHES, _feet_inches),
    num(_HOURS_MINUTES, _hours_minutes),
    num(_PRESSURE, lambda m: f"{n.cardinal(m.group(1))} over {n.cardinal(m.group(2))} millimeters of mercury"),
    num(_FISCAL_YEAR, lambda m: "F Y " + (n.year(m.group(1)) if len(m.group(1)) == 4 else n.cardinal(m.group(1))
                                           if m.group(1)[0] != "0" else "oh " + n.cardinal(m.group(1)[1]))),
    num(_ROUND_PLURAL, _round_plural),
    num(_SCALE_LETTERS, _scale_letters),
)

__all__ = ["RULES_MEASURES"]
