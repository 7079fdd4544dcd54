"""English street addresses and abbreviations written without their period or in lower case.

Rules ``text -> text`` that run with the other word rules (``wording.RULES_WORDS``),
before numbers are read:

* a street type after a street's name, with or without a period ("Elm St", "Main Ave.",
  "San Tomas Expy", "Laguna Ct", "12 S 1st st") → "Street", "Avenue", "Expressway" …;
* a compass letter before a street's name ("W. Main Street", "1211 E Arques Ave") →
  "West", "East" …;
* a house number before a street is read in pairs ("2788 San Tomas" → "twenty-seven
  eighty-eight", "708 N 1st St" → "seven oh eight");
* a US state's code after a city and a comma, before a ZIP code or the end ("Santa
  Clara, CA 95051") → the state's name;
* lower-case or period-less "st" before a name ("st Michael's" → "Saint"), "mt" and "Mt"
  ("Mount"), "Jr"/"Sr" after a name, "vol"/"vols" before a number;
* "Co." before a county's name ("Co. Cork" → "County"), else after a name → "Company".
"""

from __future__ import annotations

import re

from narrate.speech import numbers as n
from narrate.speech.numeric import Rule, sub

_STREET_TYPES = {"St": "Street", "Ave": "Avenue", "Av": "Avenue", "Rd": "Road", "Blvd": "Boulevard",
                 "Ct": "Court", "Expy": "Expressway", "Hwy": "Highway", "Ln": "Lane", "Pkwy": "Parkway",
                 "Pl": "Place", "Sq": "Square", "Ter": "Terrace", "Cres": "Crescent", "Cir": "Circle",
                 "Fwy": "Freeway", "Tpke": "Turnpike"}
_STREET_WORDS = ("Street|Avenue|Road|Boulevard|Court|Expressway|Highway|Lane|Parkway|Place|Square|Terrace|"
                 "Crescent|Circle|Freeway|Turnpike|Drive|Way")
STREET_TYPES = _STREET_TYPES
STREET_WORDS = tuple(_STREET_WORDS.split("|"))
_TYPE_RE = "|".join(sorted(_STREET_TYPES, key=len, reverse=True))
_ANY_TYPE_RE = "|".join(sorted([*_STREET_TYPES, *(k.lower() for k in _STREET_TYPES)], key=len, reverse=True))
_NAME = r"(?:[A-Z][a-z]+|[0-9]+(?:st|nd|rd|th))"
# "Elm St", "San Tomas Expy", "1st st": a type after one to three names, not before another name
_STREET_TYPE = re.compile(
    rf"\b({_NAME} )({_ANY_TYPE_RE})(\.?)(?=\s*(?:[,;:)]|$)|\s+(?:[a-z0-9]|(?:[A-Z][a-z]*\s)?[A-Z][a-z]+,))")
_STREET_TYPE_BARE = re.compile(rf"\b({_NAME} )({_TYPE_RE})(\.?)(?=\s+[a-z(]|\s*$)")
_COMPASS = {"N": "North", "S": "South", "E": "East", "W": "West", "NE": "Northeast", "NW": "Northwest",
            "SE": "Southeast", "SW": "Southwest"}
_STREET_AHEAD = rf"(?:{_NAME}\s+){{1,3}}(?:{_STREET_WORDS}|{_ANY_TYPE_RE})\b"
_COMPASS_RE = re.compile(rf"(?:(?<=[0-9] )|(?<=^)|(?<=[\s(]))(NE|NW|SE|SW|[NSEW])\.?\s+(?={_STREET_AHEAD})")
_HOUSE_NUMBER = re.compile(
    rf"(?<![\w.,$£€-])([0-9]{{3,4}})(?=\s+(?:(?:[NSEW]|North|South|East|West)\.?\s+)?{_STREET_AHEAD})")
_US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "D C", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii",
    "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky",
    "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska",
    "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico"}
_STATE = re.compile(rf"\b([A-Z][a-z]+, )({'|'.join(_US_STATES)})"
                    r"(?=,?\s+(?:[0-9]{5}\b|(?:zero|one|two|three|four|five|six|seven|eight|nine)\b)|\s*[,;.]?\s*$)")
_SAINT = re.compile(r"\b(?:st|ST|St(?!\.))\.?\s+(?=[A-Z][a-z]+(?:['’]s)?\b)")
_MOUNT = re.compile(r"\b(?:mt|Mt)\.?\s+(?=[A-Z][a-z])")  # not "MT" (Montana)
_JR_SR = re.compile(r"\b([A-Z][a-z]+,? )(Jr|Sr|jr|sr|JR|SR)\b\.?")
_BEFORE_NUMBER = re.compile(r"\b(vol|vols|Vol|Vols)\s?(?=[0-9])")  # not "no 5-star reviews"
_NUMBER_WORDS = {"vol": "volume", "vols": "volumes"}


def _street_type(m: re.Match[str]) -> str:
    words = _STREET_TYPES[next(k for k in _STREET_TYPES if k.lower() == m.group(2).lower())]
    at_end = m.group(3) and re.match(r"\s*$", m.string[m.end():])
    return m.group(1) + (words + "." if at_end else words)


def _house_number(m: re.Match[str]) -> str:
    digits = m.group(1)
    if len(digits) == 4:
        return n.year(digits) if digits[1] != "0" or digits[2:] == "00" else n.cardinal(digits)
    tail = digits[1:]
    return f"{n.cardinal(digits[0])} {'oh ' + n.cardinal(tail[1]) if tail[0] == '0' else n.cardinal(tail)}"


def _saint(m: re.Match[str]) -> str:
    before = m.string[max(0, m.start() - 30): m.start()]
    if re.search(r"(?:[0-9]|\b[A-Z][a-z]+)\s*$", before) and not re.search(r"\b(?:of|to|at|in|the)\s*$", before):
        return m.group(0)  # "Elm St Paul" is unusual; a street's type is read by _STREET_TYPE
    return "Saint "


def _jr_sr(m: re.Match[str]) -> str:
    words = "Junior" if m.group(2).lower() == "jr" else "Senior"
    at_end = m.group(0).endswith(".") and re.match(r"\s*$", m.string[m.end():])
    return m.group(1) + (words + "." if at_end else words)


# "Co." is a county before the name of one (Ireland's, and Durham), else a company after a name ("Koppers Co.",
# "Smith & Co."); the period stays only where the text ends
_COUNTIES = ("Antrim|Armagh|Carlow|Cavan|Clare|Cork|Derry|Donegal|Down|Dublin|Durham|Fermanagh|Galway|Kerry|"
             "Kildare|Kilkenny|Laois|Leitrim|Limerick|Longford|Louth|Mayo|Meath|Monaghan|Offaly|Roscommon|"
             "Sligo|Tipperary|Tyrone|Waterford|Westmeath|Wexford|Wicklow")
_CO = re.compile(rf"\bCo\.(?=(\s+(?:{_COUNTIES})\b))|(?<=[A-Za-z&] )Co\.(?![A-Za-z])")


def _co(m: re.Match[str]) -> str:
    words = "County" if m.group(1) else "Company"
    return words + "." if re.match(r"\s*$", m.string[m.end():]) else words


RULES_PLACES: tuple[Rule, ...] = (
    sub(_CO, _co),
    sub(_COMPASS_RE, lambda m: _COMPASS[m.group(1)] + " "),
    sub(_STATE, lambda m: m.group(1) + _US_STATES[m.group(2)]),
    sub(_STREET_TYPE, _street_type), sub(_STREET_TYPE_BARE, _street_type),
    sub(_HOUSE_NUMBER, _house_number, needs_digit=True),
    sub(_SAINT, _saint), sub(_MOUNT, lambda m: "Mount "), sub(_JR_SR, _jr_sr),
    sub(_BEFORE_NUMBER, lambda m: _NUMBER_WORDS[m.group(1).lower()] + " ", needs_digit=True),
)

__all__ = ["RULES_PLACES"]
