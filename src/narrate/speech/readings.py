"""English readings of identifiers, mathematical signs and measures used as adjectives.

Rules ``text -> text`` that ``normalize`` runs around the numeric rules:

* ``RULES_FIRST`` (before dates and times): a unit alone in parentheses after a label, as in a
  table's header ("Range (m)" → "Range (meters)", "(°C)", "(%)"; not after "item", "section" …), a
  toll-free number spelled in words ("1-800-FLOWERS"),
  a space restored after a comma before a number
  ("July,1998"), ISO date-times ("2024-05-01T18:00:00Z" →
  "… at 18:00:00 UTC"), labelled identifiers (ISBN, ISSN: digit by digit in their
  groups, never a number or a range), mathematical signs between operands ("1−2", "x≤3",
  "2*8", "y=x+1"), "1:250000" as a scale, "5G/6G" as "5G or 6G", and measures
  written as adjectives ("a 5-km loop" → "a five-kilometer loop", "a 3-yr-old" → "a three-year-old");
  first of all, measures in two units and counts before "of" (``measures``: "6 ft 2 in", "2h 15m",
  "120/80 mmHg", "FY2024", "1,000s of");
* ``RULES_AFTER_SYMBOLS`` (after the symbol rules, before quantities): five or more digits in
  a slash-joined code ("MIG-25/235212": digit by digit), long groups of
  digits joined by hyphens ("0-684-13558-2": digit by digit, group by group), a list
  marker or legal reference glued to a number ("12(c)" → "12 (c)"; "401(k)" is read
  before), a number over one letter ("1/f" → "1 over f", "5/s" → "5 per second"), and a unit over a unit
  without a number ("g/cm3" → "grams per cubic centimeter");
* ``RULES_LAST`` (on the spoken words): a measure used as an adjective is singular
  ("a five kilometers loop" → "a five-kilometer loop"); a "$", "€", "£", "%", "@" or "++"
  no other rule read is said ("dollar", "euro", "percent", "at", "plus plus"), and so is a slash
  on one word's edge ("14/ then", "/$"); a lone Greek
  letter is said by its name ("α" → "alpha").
"""

from __future__ import annotations

import re
import unicodedata

from narrate.speech import numbers as n
from narrate.speech.measures import RULES_MEASURES
from narrate.speech.numeric import NUM, PER_TIME, UNITS, Rule, num, sub, unit_words

D = "[0-9]"

# ------------------------------------------------------------------ identifiers

_ISO_DATETIME = re.compile(rf"\b({D}{{4}}-{D}{{2}}-{D}{{2}})T({D}{{2}}:{D}{{2}}(?::{D}{{2}})?)(Z\b)?")
_GLUED_ZONE = re.compile(r"(?<=:[0-9]{2})(?=[A-Z]{1,3}T\b)")  # "11:30EST" → "11:30 EST"
_ZULU = re.compile(rf"(?<=\b{D}{{2}}:{D}{{2}})(:{D}{{2}})?Z\b")
_LABELLED = re.compile(r"\b(ISBN(?:-1[03])?|ISSN|eISSN|ISMN|ISRC)(:?\s?)([0-9][0-9Xx‐–-]{6,20}[0-9Xx])(?![\w-])")
_HYPHEN_GROUPS = re.compile(rf"(?<![\w.,/-])({D}{{1,7}}(?:-{D}{{1,7}}){{2,}}(?:-[0-9Xx])?)(?![\w-]|[.,]{D})")
# one number after "No." or "#" of two digits or more, a hyphen, then a longer group of three or more ("No.
# 21-476", "#12-3456"): a docket's or an order's number, digit by digit in its groups; "Nos. 12-15", "#1-3",
# "No. 5-10" stay ranges
_NUMBERED_PAIR = re.compile(rf"(?:\bNo\.\s?|(?<![\w#])#\s?)({D}{{2,6}}-{D}{{3,7}})(?![\w-]|[.,]{D})")
_ZIP_PLUS_FOUR = re.compile(rf"(?<![\w.,-])({D}{{5}}-{D}{{4}})(?![\w-]|[.,]{D})")  # "32423-3948": never a range
_GROUP_SPLIT = re.compile(r"[‐–\s-]+")


def groups_words(text: str) -> str:
    """'0-684-13558-2' → 'zero, six eight four, one three five five eight, two' (X is a letter)."""
    return ", ".join(" ".join("X" if ch in "xX" else n.DIGITS[int(ch)] for ch in group)
                     for group in _GROUP_SPLIT.split(text) if group)


def _labelled(m: re.Match[str]) -> str:
    return f"{m.group(1)} {groups_words(m.group(3))}"


def _hyphen_groups(m: re.Match[str]) -> str:
    groups = m.group(1).split("-")
    if all(len(g) == 4 for g in groups):  # "1990-1995-2000": years
        return m.group(0)
    if sum(ch.isdigit() for ch in m.group(1)) < 9 and all(len(g) < 4 for g in groups):
        return m.group(0)  # "1-2-3" is a count, "2-3-1" a formation; "12-3456-78" is a code (a group of four)
    return groups_words(m.group(1))


def _numbered_pair(m: re.Match[str]) -> str:
    first, second = m.group(1).split("-")
    if len(first) >= len(second):
        return m.group(0)
    return f"number {groups_words(m.group(1))}"


def _iso_datetime(m: re.Match[str]) -> str:
    return f"{m.group(1)} at {m.group(2)}{' UTC' if m.group(3) else ''}"


# ------------------------------------------------------------- signs and markers

_MARKER = re.compile(r"(?<=[0-9])\((?=(?:[a-z]{1,2}|[ivx]{1,4})\))")  # "12(c)", "5(ii)"
_MATH_SIGNS = {"−": "minus", "∕": "divided by", "∗": "times", "∙": "times", "⋅": "times", "±": "plus or minus",
               "∓": "minus or plus", "≤": "less than or equal to", "≦": "less than or equal to",
               "≥": "greater than or equal to", "≧": "greater than or equal to", "≠": "not equal to",
               "≈": "approximately equal to", "≡": "identical to", "⊆": "subset of or equal to",
               "⊂": "subset of", "∈": "element of", "→": "to", "⋈": "natural join"}
_MATH = re.compile(rf"\s?([{''.join(_MATH_SIGNS)}])\s?(?=[\w(.])")
_EQUALS = re.compile(r"(?<=[\w)])\s?=\s?(?=[\w(-])")
_MINUS_BEFORE_EQUALS = re.compile(r"(?<=[0-9a-z])\s?-\s?(?=[0-9a-z.]+\s?=)")
_PLUS = re.compile(r"(?<=[\w)])\s?\+\s?(?=[\w(])|(?<=\s)\+(?=[a-z]\b)")
_TIMES = re.compile(rf"(?<=[0-9])\s?\*\s?(?={D})")
_SCALE = re.compile(rf"(?<![\w:.])({D}+)( ?): ?({D}{{3,}}|{D}{{1,3}}(?:,{D}{{3}})+)(?![0-9:])")
_SCALE_CUE = re.compile(r"\b(?:scale|ratio)(?:\s+of)?\s+$", re.IGNORECASE)  # "a scale of 1: 25000"
_ALNUM_SLASH = re.compile(r"(?<![\w/])([A-Za-z0-9]+)/([A-Za-z0-9]+)(?![\w/])")


def _math(m: re.Match[str]) -> str:
    return f" {_MATH_SIGNS[m.group(1)]} "


def _scale(m: re.Match[str]) -> str:
    """"1:250000", "1 : 250000", and "1: 250000" after a cue word; "Item 3: 1000 boxes" is a label."""
    spaced_after = m.group(0).endswith(" " + m.group(3)) and not m.group(2)
    if spaced_after and not _SCALE_CUE.search(m.string, max(0, m.start() - 20), m.start()):
        return m.group(0)
    return f"{n.cardinal(m.group(1))} to {n.cardinal(m.group(3))}"


def _alnum_slash(m: re.Match[str]) -> str:
    """'5G/6G', 'Wi-Fi 6/6E' → '5G or 6G': alternatives, not a fraction or a date."""
    first, second = m.groups()
    mixed = all(re.search("[0-9]", s) and re.search("[A-Za-z]", s) for s in (first, second))
    return f"{first} or {second}" if mixed else m.group(0)


# ------------------------------------------------------------ measures as adjectives

_UNIT_KEYS = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True) if "/" not in u and " " not in u)
_HYPHEN_UNIT = re.compile(rf"(?<![\w.,-])({NUM})-({_UNIT_KEYS})(?![\w/²³]|-[^a-z])")  # "a 3-yr-old" too
_EXTRA_PLURALS = {"days": "day", "inches": "inch", "gallons": "gallon", "acres": "acre", "hectares": "hectare",
                  "storeys": "storey", "stories": "story", "meters": "meter", "metres": "metre", "volts": "volt",
                  # money used as an adjective: "a $5 fee" → "a five-dollar fee", "a €2 coin" → "a two-euro coin"
                  "dollars": "dollar", "euros": "euro", "cents": "cent"}
_SINGULAR = {many: one for one, many in UNITS.values() if one != many and " " not in many} | _EXTRA_PLURALS
_NUMBER_WORD = ("(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
                "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
                "ninety|hundred|thousand|million|point|half)")
_NOT_A_NOUN = frozenset("""of from to and or away long wide high deep tall old apart ahead behind ago later
    earlier each more less than by off in on at per a an the into onto over under is are was were that which
    later before after past north south east west up down out worth apiece richer poorer short extra cash
    back total overall altogether today tomorrow now then here there too for with home inland offshore
    upstream downstream uphill downhill underground overhead across along around beyond below above outside
    inside abroad nearby""".split())
_ATTRIBUTIVE = re.compile(
    rf"\b([Aa]n?|[Tt]he|[Tt]his|[Tt]hat|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[Mm]y|[Yy]our|[Ii]ts)\s+"
    rf"({_NUMBER_WORD}(?:[\s-]{_NUMBER_WORD})*(?: (?:to|or) {_NUMBER_WORD}(?:[\s-]{_NUMBER_WORD})*)?)\s"
    rf"({'|'.join(sorted(_SINGULAR, key=len, reverse=True))})"
    r"\s(?=([a-z]+)\b)")
# a measure before a plural noun, with no article ("10-12 kg bags", "$5 bills", "2TB drives"), or a range of one
# after any determiner ("the 10-12 kg bags"): the unit singular, as after "a"; not a time ("after 3-5 years
# prices fell" ends a phrase), nor a word in -s that is no plural noun ("across", "towards", "has"), a time or
# "thanks" after it ("lost 10 pounds weeks ago") or a verb a measure takes ("3-4 km separates the towns")
_TIME_UNITS = frozenset("seconds minutes hours days nights weeks months years decades centuries".split())
_DETERMINER_BEFORE = re.compile(
    r"\b(?:[Aa]n?|[Tt]he|[Tt]his|[Tt]hat|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[Mm]y|[Yy]our|[Ii]ts)\s+$")
_RANGE_ATTRIBUTIVE = re.compile(
    rf"\b({_NUMBER_WORD}(?:[\s-]{_NUMBER_WORD})*(?: (?:to|or) {_NUMBER_WORD}(?:[\s-]{_NUMBER_WORD})*)?)\s"
    rf"({'|'.join(sorted(set(_SINGULAR) - _TIME_UNITS, key=len, reverse=True))})"
    r"\s(?=([a-z]+[^su\Wi]s)\b)")
_NOT_PLURAL_NOUNS = frozenset("""lies remains separates means makes takes seems stands stretches covers weighs costs
    equals gives leaves brings puts sets keeps runs extends divides towards afterwards backwards forwards upwards
    downwards onwards inwards outwards sideways always perhaps besides unless sometimes nowadays has does goes gets
    lets its yes thanks times""".split()) | _TIME_UNITS  # "lost 10 pounds years ago", "10 kg thanks to"
_UNIT_OVER_UNIT = re.compile(
    rf"(?<![\w/.,])({_UNIT_KEYS})([²³]|(?<=[a-z])[23](?![0-9]))?/({_UNIT_KEYS})([²³]|(?<=[a-z])[23](?![0-9]))?"
    r"(?![\w/²³])")


# "12text": a number and a word; not "12kgs" (a unit), "3rds" or "5/8ths"
_GLUED_WORD = re.compile(r"(?<![/.,])\b([0-9]+)(?!(?:th|st|nd|rd)s?\b)([a-z]{3,})\b")
_LONE_SIGNS = (  # first a slash on one word's or sign's edge ("14/ then", "/$"): said, not left for the voice
               # to drop; one standing alone between spaces ("and / or") is a separator, as before
               (re.compile(r"(?:(?<=\s)|^)/(?=\S)|(?<=\w)/(?=\s|$)"), " slash "),
               (re.compile(r"(?<![A-Z])\$(?!\s?[0-9.])"), " dollar "), (re.compile(r"€"), " euro "),
               (re.compile(r"£"), " pound "), (re.compile(r"¥"), " yen "), (re.compile(r"₩"), " won "),
               (re.compile(r"(?<![0-9])\s?%"), " percent "), (re.compile(r"\+\+"), " plus plus "),
               (re.compile(r"(?<=\w)@|@(?=\w)"), " at "))


def _glued_word(m: re.Match[str]) -> str:
    return m.group(0) if m.group(2) in UNITS else f"{m.group(1)} {m.group(2)}"


def lone_signs(text: str) -> str:
    """What is left of "$", "€", "%", "@", "++" … once money, percentages and addresses are read."""
    for pattern, words in _LONE_SIGNS:
        text = pattern.sub(words, text)
    return text


def _hyphen_unit(m: re.Match[str]) -> str:
    one, _ = UNITS[m.group(2)]
    return f"{n.number(m.group(1))}-{one}"


def _attributive(m: re.Match[str]) -> str:
    determiner, count, unit, following = m.groups()
    plain = determiner.lower() in {"a", "an"}
    if following in _NOT_A_NOUN or (not plain and following.endswith("s")):
        return m.group(0)
    if " to " in count or " or " in count:  # "an 800-900 km trip": an eight hundred to nine hundred kilometer trip
        return f"{determiner} {count} {_SINGULAR[unit]} "
    return f"{determiner} {count}-{_SINGULAR[unit]} "


def _range_attributive(m: re.Match[str]) -> str:
    count, unit, following = m.groups()
    if following in _NOT_A_NOUN or following in _NOT_PLURAL_NOUNS or following.endswith("wards"):
        return m.group(0)
    if " to " in count or " or " in count:
        return f"{count} {_SINGULAR[unit]} "
    if _DETERMINER_BEFORE.search(m.string, max(0, m.start() - 8), m.start()):
        return m.group(0)  # "the 5 km runs along the river": after a determiner one number may be the subject
    return f"{count}-{_SINGULAR[unit]} "


def _unit_over_unit(m: re.Match[str]) -> str:
    first, first_power, second, second_power = m.groups()
    if re.search(r"[0-9]\s?$", m.string[max(0, m.start() - 2): m.start()]):
        return m.group(0)  # "5 m/s": the unit rules read it with its number
    if len(first) + len(second) < 3 and not (first_power or second_power):
        return m.group(0)  # "m/s" needs a number; "a/b" is not a unit
    return f"{unit_words(first, first_power, True)} per {unit_words(second, second_power, False)}"


# a toll-free number spelled in words ("1-800-FLOWERS", "1-888-GO-FAST"): the words as words, a lone letter
# or a group without a vowel spelled; never "N E W" or "one-eight hundred eighty-eight"
_VANITY = re.compile(r"(?<![\w-])1[-\s](8(?:00|33|44|55|66|77|88))[-\s]((?:[A-Z]+-)*[A-Z]{3,}(?:-[A-Z]+)*)(?![\w-])")


def _vanity(m: re.Match[str]) -> str:
    prefix = "eight hundred" if m.group(1) == "800" else n.digits_words(m.group(1))
    words = " ".join(group.lower() if len(group) > 1 and re.search("[AEIOUY]", group) else " ".join(group)
                     for group in m.group(2).split("-"))
    return f"one, {prefix}, {words}"


_GLUED_COMMA = re.compile(r"(?<=[A-Za-z]),(?=[0-9])")  # "July,1998", "5pm,4am": a space was left out


# a unit alone in parentheses after a label, as in a table's header: "Range (m)" is "Range (meters)",
# "Mass (kg)", "Area (m²)", "Temperature (°C)", "Change (%)"; not a list marker after "section", "item" …
_SLASHED_UNITS = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True) if "/" in u)  # "m/s", "km/h"
_LABEL_UNIT = re.compile(
    rf"(?<=[^\W\d_] )\((?:({_UNIT_KEYS})([²³]|(?<=[a-z])[23])?|°\s?([CF])|(%)|(s|sec|min)|({_SLASHED_UNITS}))\)")
_MARKER_WORDS = re.compile(r"\b(?:sub)?(?:sections?|paragraphs?|clauses?|items?|articles?|rules?|parts?|points?|"
                           r"schedules?|annex|see|and|or|to|through|letter|option|answer)\s$", re.IGNORECASE)
_DEGREE_NAMES = {"C": "degrees Celsius", "F": "degrees Fahrenheit"}


def _label_unit(m: re.Match[str]) -> str:
    if _MARKER_WORDS.search(m.string, max(0, m.start() - 14), m.start()):
        return m.group(0)
    unit, power, degrees, percent, time, slashed = m.groups()
    if slashed:
        return f"({UNITS[slashed][1]})"
    if time:
        return f"({PER_TIME[time]}s)"
    if percent:
        return "(percent)"
    if degrees:
        return f"({_DEGREE_NAMES[degrees]})"
    try:
        return f"({unit_words(unit, {'2': '²', '3': '³'}.get(power or '', power), True)})"
    except ValueError:
        return m.group(0)


RULES_FIRST: tuple[Rule, ...] = (
    sub(_LABEL_UNIT, _label_unit),
    *RULES_MEASURES,
    num(_VANITY, _vanity),
    lambda text: _GLUED_COMMA.sub(", ", text) if "," in text else text,
    num(_ISO_DATETIME, _iso_datetime), lambda text: _ZULU.sub(r"\1 UTC", text) if "Z" in text else text,
    lambda text: _GLUED_ZONE.sub(" ", text) if ":" in text else text,
    num(_LABELLED, _labelled),
    lambda text: _MINUS_BEFORE_EQUALS.sub(" minus ", text) if "=" in text else text,
    sub(_MATH, _math), num(_TIMES, lambda m: " times "),
    lambda text: _PLUS.sub(" plus ", text) if "=" in text else text,
    lambda text: _EQUALS.sub(" equals ", text) if "=" in text else text,
    num(_SCALE, _scale), num(_ALNUM_SLASH, _alnum_slash), num(_HYPHEN_UNIT, _hyphen_unit),
)
# five or more digits joined to a code by a slash ("MIG-25/235212", "123/261788/2021"): a name, said digit by digit
_SLASHED_DIGITS = re.compile(r"(?<=[A-Za-z0-9]/)[0-9]{5,}(?![0-9]|[.,][0-9])|(?<![\w.,/])[0-9]{5,}(?=/[A-Za-z0-9])")


def _slashed_digits(m: re.Match[str]) -> str:
    """Only inside a code: letters in it, or three parts ("10000/20000" stays two quantities)."""
    start, end = m.string.rfind(" ", 0, m.start()) + 1, m.string.find(" ", m.end())
    token = m.string[start: end if end >= 0 else len(m.string)]
    return n.digits_words(m.group(0)) if re.search("[A-Za-z]", token) or token.count("/") >= 2 else m.group(0)


# a number over one lower-case letter: per second ("5/s"), else over a variable ("1/f noise"); "12/B" stays
_OVER_LETTER = re.compile(r"(?<![\w/.,])([0-9]+)/([a-z])(?![\w/]|\.[0-9])")


def _over_letter(m: re.Match[str]) -> str:
    return f"{m.group(1)} per second" if m.group(2) == "s" else f"{m.group(1)} over {m.group(2)}"  # "/h": symbols


RULES_AFTER_SYMBOLS: tuple[Rule, ...] = (
    num(_OVER_LETTER, _over_letter),
    num(_SLASHED_DIGITS, _slashed_digits),
    num(_HYPHEN_GROUPS, _hyphen_groups), num(_NUMBERED_PAIR, _numbered_pair),
    num(_ZIP_PLUS_FOUR, lambda m: groups_words(m.group(1))),
    lambda text: _MARKER.sub(" (", text), num(_GLUED_WORD, _glued_word),
    lambda text: _UNIT_OVER_UNIT.sub(_unit_over_unit, text) if "/" in text else text,
)
_HALF_BEFORE = re.compile(r"\b([Aa]n?) one (half|third|quarter)-")  # "a 1/2-inch pipe": "a half-inch pipe"
_FRACTION_ADJECTIVE = re.compile(  # "a 3/4-inch bolt": "a three-quarter-inch bolt"
    r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen) "
    r"(halves|thirds|quarters|fifths|sixths|sevenths|eighths|ninths|tenths|sixteenths)-")


def _fraction_adjective(m: re.Match[str]) -> str:
    plural = m.group(2)
    return f"{m.group(1)}-{'half' if plural == 'halves' else plural[:-1]}-"


_GREEK_LETTER = re.compile(r"(?<![\u0370-\u03ff\w])[\u0391-\u03a9\u03b1-\u03c9](?![\u0370-\u03ff\w])")


def _greek_letter(m: re.Match[str]) -> str:
    """A Greek letter on its own ("α particles", "Σ x", "π") is said by its name; a Greek word is left alone."""
    name = unicodedata.name(m.group(0), "")
    return name.rsplit(" ", 1)[-1].lower() if name.startswith("GREEK") else m.group(0)


RULES_LAST: tuple[Rule, ...] = (
    sub(_ATTRIBUTIVE, _attributive), sub(_RANGE_ATTRIBUTIVE, _range_attributive),
    lone_signs, lambda text: _HALF_BEFORE.sub(r"\1 \2-", text),
    sub(_FRACTION_ADJECTIVE, _fraction_adjective),
    lambda text: _GREEK_LETTER.sub(_greek_letter, text) if re.search("[\u0391-\u03c9]", text) else text,
)

__all__ = ["RULES_AFTER_SYMBOLS", "RULES_FIRST", "RULES_LAST", "groups_words"]
