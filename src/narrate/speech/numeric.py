"""What every English rule that reads digits shares: the rule helpers and the units.

A rule is ``text -> text``; ``sub``/``num`` make one from a pattern and a callback, and
a callback that cannot read its match (``safe``) leaves it as written. Digits are
matched as ASCII ``[0-9]`` only. The rules themselves: ``calendar`` (dates, times),
``codes`` (telephones, identifiers, inches, dimensions) and ``quantities`` (ranges,
money, fractions, plain numbers; ``rules_dates_times`` and ``rules_quantities``,
in the fixed order ``normalize`` applies them).
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
    "tsp": ("teaspoon", "teaspoons"), "tbsp": ("tablespoon", "tablespoons"), "Tbsp": ("tablespoon", "tablespoons"),
    "qt": ("quart", "quarts"), "gal": ("gallon", "gallons"),
    "dL": ("deciliter", "deciliters"), "dl": ("deciliter", "deciliters"), "µL": ("microliter", "microliters"),
    "μL": ("microliter", "microliters"), "mmHg": ("millimeter of mercury", "millimeters of mercury"),
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


PER_TIME = {"s": "second", "sec": "second", "h": "hour", "hr": "hour", "min": "minute"}  # only after "/"
