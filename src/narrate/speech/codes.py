"""English rules that read telephone numbers, ZIP codes, serials and identifiers, quarters
("2Q22"), feet and inches, ratios and dimensions. Each rule is ``text -> text``; ``quantities`` puts them in order."""

from __future__ import annotations

import re

from narrate.sources.inch_marks import inch_marks
from narrate.speech import numbers as n
from narrate.speech.numeric import _UNIT_TAIL, NUM, D, Rule, num, unit_words
from narrate.speech.wording import pronounceable

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
# a national number with its trunk zero in groups: "0161 496 0000", "07700 900123", "020.7946.0018" (dots only
# with three groups: "020.79" alone may be a decimal)
_TRUNK_PHONE = re.compile(rf"(?<![\w.,+-])(0{D}{{2,4}})(?:([ -])({D}{{3,6}})(?:\2({D}{{3,4}}))?"
                          rf"|(\.)({D}{{3,6}})\.({D}{{3,4}}))(?![\w-]|[.,][0-9])")


def _trunk_phone(m: re.Match[str]) -> str:
    """'07700 900123', '0161 496 0000': a national number with its trunk zero, in groups."""
    groups = [g for g in (m.group(1), m.group(3), m.group(4), m.group(6), m.group(7)) if g]
    if not 9 <= sum(len(g) for g in groups) <= 11:
        return m.group(0)
    return _phone_groups(groups, None)


_RATIO = re.compile(rf"(?<![\w:.])({D}+):({D})(?![0-9:])")


TOLL_FREE = "800"  # said "eight hundred", as in the ads ("one, eight hundred, …"); 888, 877 … digit by digit


def _phone_groups(groups: list[str], extension: str | None, toll_free: bool = False) -> str:
    words = ", ".join("eight hundred" if toll_free and i == 0 and g == TOLL_FREE else n.digits_words(g)
                      for i, g in enumerate(g for g in groups if g))
    return f"{words}, extension {n.digits_words(extension)}" if extension else words


def _phone(m: re.Match[str]) -> str:
    country = m.group(1)
    head = [("plus one" if country.startswith("+") else "one")] if country else []
    body = _phone_groups([m.group(2) or m.group(3), m.group(4), m.group(5)], m.group(6), toll_free=True)
    return ", ".join([*head, body])


def _phone_intl(m: re.Match[str]) -> str:
    groups = re.split(r"[ .-]", m.group(2).replace("(0)", "").strip(" .-"))
    return "plus " + _phone_groups([m.group(1), *groups], m.group(3))


def _local_phone(m: re.Match[str]) -> str:
    """'555-0199': a local number; without a cue before it ("call", "phone" …) only when it cannot be a
    range ("300-1200 words" goes up between round numbers; "555-0199" falls, or ends off the round)."""
    low, high = int(m.group(1)), int(m.group(2))
    could_be_range = low < high and low % 10 == 0 and high % 10 == 0 and not m.group(2).startswith("0")
    if could_be_range and not _PHONE_CUES.search(m.string, max(0, m.start() - 40), m.start()):
        return m.group(0)
    return _phone_groups([m.group(1), m.group(2)], None)


def _ratio(m: re.Match[str]) -> str:
    return f"{n.cardinal(m.group(1))} to {n.cardinal(m.group(2))}"


# ------------------------------------------------- dimensions, identifiers, terms

_FEET_INCHES = re.compile(rf"(?<![\w'’])({D}{{1,2}})['′’]\s?({D}{{1,2}})(?:[\"″”]|'')")


# "a 12" ruler": a straight double quote after a number is inches unless it closes a quotation
_INCHES = re.compile(rf"(?<![\w.,'’])({NUM})\s?(″|\"(?![\w\"])|”(?=\s[a-z]))")
# a curly closing mark after a number is an inch mark when a quotation is open before it and the next mark
# after it closes again, before any opens: '“a 12” pizza,” she said' (typography took the inch for a quote)
_CURLY_INCH = re.compile(r"[^“”\"]*”")


def _open_curly(before: str) -> bool:
    return before.count("“") > before.count("”")


def _inches(m: re.Match[str]) -> str:
    if m.group(2) == '"' and m.start(2) not in inch_marks(m.string):
        return m.group(0)  # '"It was 7" she said': the quotation closes
    if m.group(2) == "”" and not (_open_curly(m.string[:m.start()]) and _CURLY_INCH.match(m.string, m.end())):
        return m.group(0)
    return f"{n.number(m.group(1))} {'inch' if n.is_one(m.group(1)) else 'inches'}"


# feet alone: a prime after a number ("an 8′ ceiling", "12′ tall"), or a straight mark after an article and a
# number before a word ("a 6' fence"; elsewhere a straight mark after a number may close a quotation)
_FEET = re.compile(rf"(?<![\w.,'’])({NUM})(′|'(?=\s[a-z]))(?![\w'′])")
_ARTICLE_BEFORE = re.compile(r"\b(?:[Aa]n?|[Tt]he)\s$")
_NOUN_AFTER = re.compile(r"\s([a-z]+)")
_NOT_NOUNS = frozenset("tall high long wide deep and or of to in at by with from away".split())


def _feet(m: re.Match[str]) -> str:
    article = _ARTICLE_BEFORE.search(m.string, max(0, m.start() - 5), m.start()) is not None
    if m.group(2) == "'" and not article:
        return m.group(0)
    noun = _NOUN_AFTER.match(m.string, m.end())
    if article and noun and noun.group(1) not in _NOT_NOUNS:
        return f"{n.number(m.group(1))}-foot"  # "a 6' fence": a six-foot fence
    return f"{n.number(m.group(1))} {'foot' if n.is_one(m.group(1)) else 'feet'}"


def _feet_inches(m: re.Match[str]) -> str:
    """A height: 6'2" → 'six foot two'."""
    if int(m.group(2)) >= 12:
        raise ValueError(m.group(0))
    return f"{n.cardinal(m.group(1))} foot {n.cardinal(m.group(2))}"


_DIMENSIONS = re.compile(
    rf"(?<![\w.,])({NUM})(\s?)([x×X])(\s?)({NUM})(?:\s?[x×X]\s?({NUM}))?(?:\s?{_UNIT_TAIL})?(?![\w])")


_LENGTHS = frozenset({"mm", "cm", "m", "km", "in", "ft", "yd", "mi", "nm", "µm", "μm", "px", "pt", "dm", "inch",
                      "inches", "feet", "foot", "'", '"', "″", "′"})
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
    # a count of measures that are no lengths: "3x 2TB drives" is three drives of two terabytes, "three
    # times", never "three by" (a grid's or a board's sides); "4x100m", "2 x 4 in" keep "by"
    count = m.group(1).isdigit() and not m.group(6) and unit and unit.lower() not in _LENGTHS
    words = (" times " if count else " by ").join(sides)
    if unit:
        words += " " + unit_words(unit, m.group(8), True)
    return words


_LETTER_SUFFIX_NUMBER = re.compile(rf"(?<![\w.])({D})({D}{{2}})\(([A-Za-z])\)")  # 401(k), 403(b)


def _letter_suffix_number(m: re.Match[str]) -> str:
    head, rest = n.DIGITS[int(m.group(1))], m.group(2)
    tail = f"oh {n.DIGITS[int(rest[1])]}" if rest[0] == "0" else n.cardinal(rest)
    return f"{head} {tail} {m.group(3).upper()}"


_QUARTER = re.compile(  # "2Q22", "Q3 2024", and halves: "1H23", "H2 2024"
    rf"\b(?:([1-4])([QH])\s?((?:{D}{{2}}){{1,2}})|([QH])([1-4])(?:\s((?:{D}{{2}}){{1,2}}))?)(?![\w])")
# (a year after "Q4" or "H2" stands apart: glued, "Q400" and "H264" are names, said as other codes are)


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
            # "ab9453" is copied digit by digit; a round thousand is said as one ("t2000": "T two thousand",
            # as "T2000" is), never "two zero zero zero"
            number = n.digits_words(tail) if len(tail) >= 3 and not round_thousand(tail) else n.cardinal(tail)
            return f"{' '.join(head.upper())} {number}"
        if tail == "p" and len(head) in (3, 4) and not head.startswith("0"):  # "1080p": ten eighty P
            return f"{n.year(head)} P"
        if tail.islower() and len(tail) <= 2 and tail not in {"x", "s", "st", "nd", "rd", "th"}:
            return f"{n.cardinal(head)} {' '.join(tail.upper())}"
        return m.group(0)
    if len(runs) == 3 and runs[2] == "s" and runs[0].isupper() and runs[1].isdigit():  # "MP3s", "W26s"
        return f"{' '.join(runs[0])} {plural_words(name_number(runs[1]))}"
    if len(runs) < 3 or (len(runs) == 3 and runs[-1] in {"s", "st", "nd", "rd", "th"}):
        return m.group(0)
    copied = _SERIAL_LABEL.search(m.string, max(0, m.start() - 20), m.start()) is not None
    if not copied and _product_name(runs):  # "A321neo", "B737max": a model's name and a word after it
        return f"{' '.join(runs[0])} {name_number(runs[1])} {runs[2]}"
    return " ".join((n.digits_words(r) if copied else _code_digits(r)) if r.isdigit() else " ".join(r.upper())
                    for r in runs)


def _product_name(runs: list[str]) -> bool:
    """Capitals, a model's number and a word in small letters that can be said ("A321neo", "X100pro"): a
    product's name, the word said as a word; letters without a vowel ("xl", "cd") stay spelled."""
    return (len(runs) == 3 and runs[0].isupper() and len(runs[0]) <= 3 and runs[1].isdigit()
            and 2 <= len(runs[1]) <= 4 and runs[1][0] != "0" and runs[2].islower() and len(runs[2]) >= 3
            and pronounceable(runs[2].upper()))


def round_thousand(digits: str) -> bool:
    """'2000', '9000': a round number of thousands, said as a number even inside a code."""
    return len(digits) == 4 and digits[0] != "0" and digits.endswith("000")


def name_number(digits: str) -> str:
    """The number in a name after capitals ("A321", "B747", "US101"): three digits are said as such names
    are, "three twenty-one", "seven forty-seven", "one oh one", "three hundred"; others as a number."""
    if len(digits) == 3 and digits[0] != "0":
        return n.year(digits)
    return n.cardinal(digits)


def plural_words(words: str) -> str:
    """'three' → 'threes', 'twenty-six' → 'twenty-sixes', 'fifty' → 'fifties'."""
    if words.endswith("y"):
        return words[:-1] + "ies"
    return words + ("es" if words.endswith(("x", "s")) else "s")


def _code_digits(digits: str) -> str:
    """A group of digits inside a code: one or two as a number ("B52", "R2D2"), longer ones (or "08")
    digit by digit, as people say "B two A twenty-three" but copy "AB0321" digit by digit."""
    short = len(digits) == 1 or (len(digits) == 2 and digits[0] != "0")
    return n.cardinal(digits) if short else n.digits_words(digits)


# a version written "v2.0.1": the letter is "version", each part a number ("two point zero point one")
_VERSION = re.compile(rf"(?<![\w.])[vV]({D}{{1,3}}(?:\.{D}{{1,4}}){{1,3}})(?![\w]|\.{D})")


def _version(m: re.Match[str]) -> str:
    return "version " + " point ".join(n.cardinal(str(int(part))) for part in m.group(1).split("."))


TERM_RULES: tuple[Rule, ...] = (num(_LETTER_SUFFIX_NUMBER, _letter_suffix_number), num(_QUARTER, _quarter),
                                num(_VERSION, _version))
CODE_RULES: tuple[Rule, ...] = (
    num(_PHONE, _phone), num(_PHONE_INTL, _phone_intl), num(_LOCAL_PHONE, _local_phone),
    num(_TRUNK_PHONE, _trunk_phone), num(_ZIP, _zip), num(_SERIAL, _serial),
    num(_FEET_INCHES, _feet_inches), num(_INCHES, _inches), num(_FEET, _feet),
    num(_RATIO, _ratio), num(_DIMENSION_UNITS, _dimension_units), num(_DIMENSIONS, _dimensions),
)
IDENTIFIER_RULE: Rule = num(_IDENTIFIER, _identifier)
