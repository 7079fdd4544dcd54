"""Number words for the normalizer: cardinals, ordinals, years, decimals, money.

Every function takes digits as written (``"1,250"``, ``"3.14"``) and returns
words. ``num2words`` does the spelling; this module only picks the reading and
tidies the output to one house style: American, without "and" or commas
("one thousand two hundred fifty").
"""

from __future__ import annotations

import re
from functools import lru_cache

from num2words import CONVERTER_CLASSES, num2words

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
MAX_CARDINAL_DIGITS = 15  # longer runs (ids, phone numbers) are read digit by digit
MAX_GROUPED_DIGITS = 21  # written with thousands separators, up to the quintillions

_FRACTIONS = {
    2: ("half", "halves"),
    4: ("quarter", "quarters"),
}


def _tidy(words: str) -> str:
    """num2words' British "and"/commas → the house style."""
    words = words.replace(",", "").replace(" and ", " ")
    return " ".join(words.split())


def digits_words(digits: str) -> str:
    """'007' → 'zero zero seven'. Non-digits are ignored."""
    return " ".join(DIGITS[int(ch)] for ch in digits if ch.isdigit())


def cardinal(number: str | int) -> str:
    """'1,250' → 'one thousand two hundred fifty'; '007' → digit by digit."""
    text = str(number).replace(",", "")
    if not text.isdigit() or not text.isascii():
        return str(number)
    grouped = re.fullmatch(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+", str(number)) is not None  # "124,444,…": a number
    if len(text) > (MAX_GROUPED_DIGITS if grouped else MAX_CARDINAL_DIGITS) or (len(text) > 1 and text.startswith("0")):
        return digits_words(text)
    return _tidy(num2words(int(text)))


def ordinal(number: str | int) -> str:
    """'21' → 'twenty-first'."""
    text = str(number).replace(",", "")
    if not text.isdigit() or not text.isascii() or len(text) > MAX_CARDINAL_DIGITS:
        return str(number)
    return _tidy(num2words(int(text), to="ordinal"))


def year(number: str | int) -> str:
    """House style: 1999 'nineteen ninety-nine', 1905 'nineteen oh five',
    2000 'two thousand', 2005 'two thousand five', 2025 'twenty twenty-five'."""
    value = int(str(number))
    if 2000 <= value <= 2009:
        return cardinal(value)
    words = _tidy(num2words(value, to="year"))
    return words.replace("oh-", "oh ")


def decade(number: str | int) -> str:
    """1990 → 'nineteen nineties', 1900 → 'nineteen hundreds', 2000 → 'two thousands'."""
    if int(str(number)) in (100, 1000):  # "the 1000s": "the thousands", never "one thousands"
        return "hundreds" if int(str(number)) == 100 else "thousands"
    words = year(number) if int(str(number)) >= 100 else cardinal(number)
    head, _, last = words.rpartition(" ")
    stem, dash, tail = last.rpartition("-")
    tail = tail[:-1] + "ies" if tail.endswith("y") else tail + "s"
    last = f"{stem}{dash}{tail}"
    return f"{head} {last}" if head else last


def decimal(number: str) -> str:
    """'3.14' → 'three point one four'; '.5' → 'point five'; '1,250.5' works too."""
    whole, _, frac = number.replace(",", "").partition(".")
    head = cardinal(whole) if whole else ""
    if not frac:
        return head
    tail = "point " + digits_words(frac)
    return f"{head} {tail}" if head else tail


def number(text: str) -> str:
    """A plain number as written: integer or decimal."""
    return decimal(text) if "." in text else cardinal(text)


def is_one(text: str) -> bool:
    """Whether a written number takes a singular noun ('1 km', not '1.0 km')."""
    return text.replace(",", "") == "1"


def fraction(numerator: int, denominator: int) -> str:
    """3/4 → 'three quarters', 1/2 → 'one half', 5/8 → 'five eighths'."""
    one, many = _FRACTIONS.get(denominator, (None, None))
    if one is None:
        one = ordinal(denominator)
        many = one + "s"
    return f"{cardinal(numerator)} {one if numerator == 1 else many}"


@lru_cache(maxsize=64)
def num2words_language(language: str) -> str | None:
    """The num2words language code for a BCP 47 tag, or None if unsupported."""
    tag = language.replace("-", "_")
    if tag in CONVERTER_CLASSES:
        return tag
    base = tag.split("_")[0].lower()
    return base if base in CONVERTER_CLASSES else None


def cardinal_in(language: str, digits: str) -> str:
    """A plain cardinal in another language, or the digits if unsupported."""
    lang = num2words_language(language)
    if lang is None or not digits.isdigit() or len(digits) > MAX_CARDINAL_DIGITS:
        return digits
    try:
        return num2words(int(digits), lang=lang)
    except (NotImplementedError, OverflowError, ValueError, TypeError, KeyError, IndexError):
        return digits


# ----------------------------------------------------------------------- money

_CURRENCY_NAMES = {
    # ISO 4217 code: (major singular, major plural, minor singular, minor plural)
    "USD": ("US dollar", "US dollars", "cent", "cents"),
    "EUR": ("euro", "euros", "cent", "cents"),
    "GBP": ("pound", "pounds", "penny", "pence"),
    "JPY": ("yen", "yen", "sen", "sen"),
    "CNY": ("yuan", "yuan", "fen", "fen"),
    "INR": ("rupee", "rupees", "paisa", "paise"),
    "CAD": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "AUD": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "NZD": ("New Zealand dollar", "New Zealand dollars", "cent", "cents"),
    "HKD": ("Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    "CHF": ("Swiss franc", "Swiss francs", "centime", "centimes"),
    "KRW": ("won", "won", "jeon", "jeon"),
    "RUB": ("ruble", "rubles", "kopeck", "kopecks"),
    "MXN": ("peso", "pesos", "centavo", "centavos"),
    "SEK": ("krona", "kronor", "öre", "öre"),
    "NOK": ("Norwegian krone", "Norwegian kroner", "øre", "øre"),
    "DKK": ("Danish krone", "Danish kroner", "øre", "øre"),
    "HRK": ("kuna", "kuna", "lipa", "lipa"),
    "PLN": ("zloty", "zlotys", "grosz", "groszy"),
    "CZK": ("koruna", "korunas", "haler", "halers"),
    "HUF": ("forint", "forints", "fillér", "fillér"),
    "RON": ("leu", "lei", "ban", "bani"),
    "BGN": ("lev", "leva", "stotinka", "stotinki"),
    "TRY": ("lira", "lira", "kuruş", "kuruş"),
    "UAH": ("hryvnia", "hryvnias", "kopiyka", "kopiyky"),
    "BRL": ("real", "reais", "centavo", "centavos"),
    "ZAR": ("rand", "rand", "cent", "cents"),
    "SGD": ("Singapore dollar", "Singapore dollars", "cent", "cents"),
    "THB": ("baht", "baht", "satang", "satang"),
    "IDR": ("rupiah", "rupiah", "sen", "sen"),
    "ILS": ("shekel", "shekels", "agora", "agorot"),
    "NGN": ("naira", "naira", "kobo", "kobo"),
    "KES": ("Kenyan shilling", "Kenyan shillings", "cent", "cents"),
    "EGP": ("Egyptian pound", "Egyptian pounds", "piastre", "piastres"),
    "ISK": ("króna", "krónur", "eyrir", "aurar"),
}
CURRENCY_CODES = frozenset(_CURRENCY_NAMES)
CURRENCY_SYMBOLS = {
    "$": ("dollar", "dollars", "cent", "cents"), "US$": _CURRENCY_NAMES["USD"],
    "A$": _CURRENCY_NAMES["AUD"], "C$": _CURRENCY_NAMES["CAD"], "CA$": _CURRENCY_NAMES["CAD"],
    "NZ$": _CURRENCY_NAMES["NZD"], "HK$": _CURRENCY_NAMES["HKD"], "£": _CURRENCY_NAMES["GBP"],
    "€": _CURRENCY_NAMES["EUR"], "¥": _CURRENCY_NAMES["JPY"], "₹": _CURRENCY_NAMES["INR"],
    "₩": _CURRENCY_NAMES["KRW"], "₽": _CURRENCY_NAMES["RUB"],
}
CURRENCIES = CURRENCY_SYMBOLS | _CURRENCY_NAMES

SCALES = {
    "thousand": "thousand", "k": "thousand", "K": "thousand",
    "million": "million", "m": "million", "M": "million", "mn": "million", "mln": "million",
    "billion": "billion", "bn": "billion", "b": "billion", "B": "billion",
    "trillion": "trillion", "tn": "trillion", "T": "trillion",
}


def money(currency: str, amount: str, scale: str = "") -> str:
    """('$', '3.50') → 'three dollars and fifty cents'; ('$', '20.5') → 'twenty dollars and
    fifty cents'; ('$', '1.5', 'million') → 'one point five million dollars'; ('EUR', '2') →
    'two euros'. ``currency`` is a symbol or an ISO 4217 code."""
    one, many, minor_one, minor_many = CURRENCIES[currency]
    amount = amount.replace(",", "")
    if scale:
        return f"{number(amount)} {SCALES.get(scale, scale)} {many}"
    whole, _, cents = amount.partition(".")
    if len(cents) > 2 and not cents[2:].strip("0"):
        cents = cents[:2]  # "$20.500"
    if len(cents) > 2:
        return f"{decimal(amount)} {many}"
    cents = cents.ljust(2, "0") if cents else ""  # "$20.5" is twenty dollars and fifty cents
    whole = whole or "0"
    parts = []
    if int(whole) or not cents or not int(cents):
        parts.append(f"{cardinal(str(int(whole)))} {one if int(whole) == 1 else many}")
    if cents and int(cents):
        parts.append(f"{cardinal(str(int(cents)))} {minor_one if int(cents) == 1 else minor_many}")
    return " and ".join(parts)


def spell(value: int, lang: str, to: str = "cardinal") -> str:
    """num2words' own reading of ``value`` in ``lang`` ("de", "fr", "es" …): cardinal, ordinal or year.

    The other languages' rules (``locale_rules``) spell through here, so num2words keeps one home.
    """
    return num2words(value, lang=lang, to=to)
