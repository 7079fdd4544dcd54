"""Normalization rules for languages that write "1.234,5" or "1 234,5": German, French, Spanish.

One engine, driven by a ``LanguageData`` per language (``rules_de``, ``rules_fr``,
``rules_es`` hold the words). The rules run in the same order as the English ones
(``normalize.py``): abbreviations, dates, clock times, Roman numerals after regnal names,
symbols, ranges, money, percentages, units, ordinals, years, plain numbers; identifiers
(ISBN, long hyphenated digit groups) are read digit by digit first, and an all-capital word
that cannot be said as a word ("IUCN") is spelled last. Numbers
follow the region's decimal separator (``locale.decimal``: "," in de-DE, fr-FR, es-ES;
"." in de-CH and es-MX), with ".", "'", "’" or a space grouping thousands; numeric
dates follow the region's order (``locale.date_order``). ``num2words`` spells every
number; this module only picks the reading.

Each rule is ``text -> text`` and leaves a match it cannot read as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from narrate.speech.languages import SpeechLocale
from narrate.speech.numbers import spell
from narrate.speech.numeric import Rule, num, sub
from narrate.speech.wording import WORD_ACRONYMS, pronounceable, roman_value

D = "[0-9]"
_ROMAN = r"(?=[IVXLC])M{0,3}(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})"


@dataclass(frozen=True)
class Currency:
    one: str  # "Euro"
    many: str  # "Euro" (de), "euros" (fr, es)
    minor_one: str
    minor_many: str
    feminine: bool = False  # "una libra"


@dataclass(frozen=True)
class CapitalWords:
    """How a language reads all-capital words that are not in a text written in capitals."""

    word_acronyms: frozenset[str]  # said as words: "NATO", "UNO", "DAX"
    spelled_acronyms: frozenset[str]  # spelled though they could be said: "ADAC"
    emphasis_words: frozenset[str]  # the language's short words in capitals: "DER", "UND", "NICHT"


@dataclass(frozen=True)
class LanguageData:
    """The words one language needs; every list is matched case-sensitively as written."""

    code: str  # num2words' code: "de", "fr", "es"
    decimal_word: str  # "Komma", "virgule", "coma"
    decimal_word_point: str  # with a "." decimal (de-CH, es-MX): "Komma", "point", "punto"
    months: dict[str, int]  # every written form → 1-12 ("März", "Mrz.", "mars", "marzo" …)
    month_names: tuple[str, ...]  # the 12 spoken names
    abbreviations: dict[str, str]  # "z. B." → "zum Beispiel" (matched at word boundaries)
    currencies: dict[str, Currency]  # symbols and ISO codes and written names
    scales: dict[str, str]  # "Mio." → "Millionen", "millions" → "millions"
    units: dict[str, tuple[str, str]]  # "km" → ("Kilometer", "Kilometer")
    percent: str  # "Prozent"
    minus: str  # "minus"
    range_word: str  # "bis"
    symbols: dict[str, str]  # "&" → "und"
    regnal_names: frozenset[str]  # names a Roman numeral after which is a regnal number
    cue_words: frozenset[str]  # "Kapitel", "Teil": a Roman numeral after them is a cardinal
    year_cues: frozenset[str]  # words before a four-digit year ("im", "seit", "Jahr")
    date: Callable[[LanguageData, int, int, str, str], str]  # (data, day, month, year words, before) → words
    clock: Callable[[LanguageData, int, int, str], str]  # (data, hours, minutes, suffix) → words
    ordinal: Callable[[LanguageData, int, str, str], str]  # (data, n, suffix, word before) → words
    regnal: Callable[[LanguageData, int, str], str]  # (data, 5, name) → "der Fünfte", "cinq", "quinto"
    one_before_noun: str = ""  # "ein": "1 Euro" is "ein Euro"
    extra_rules: tuple[Callable[[str], str], ...] = field(default_factory=tuple)  # run before ordinals
    early_rules: tuple[Callable[[str], str], ...] = field(default_factory=tuple)  # run before dates
    # (text before a written date, the word just before it) → the word whose case the day takes
    governing: Callable[[str, str], str] | None = None
    sentence_starters: frozenset[str] = frozenset()  # words that start a sentence, never an ordinal's noun
    # Capital words (``capital_words``). None: the English test (a capital word of three letters or more
    # that can be said as a word is left to the voice). Else the language spells its initialisms: a
    # capital word is read as a word only if it is listed (``word_acronyms``: "NATO", "UNO"), a word of
    # the language written in capitals for emphasis (``emphasis_words``: "DER", "NICHT"), or four letters
    # or more that can be said as a word and not listed as spelled (``spelled_acronyms``: "ADAC"); in a
    # text written in capitals every word that can be said is left as a word.
    capital_words: CapitalWords | None = None
    # (a cardinal's words, the noun after it) → the words agreeing with the noun's gender ("una casa")
    agree: Callable[[str, str], str] | None = None

    def cardinal(self, value: int) -> str:
        return spell(value, self.code)

    def ordinal_words(self, value: int) -> str:
        return spell(value, self.code, "ordinal")

    def year(self, value: int) -> str:
        return spell(value, self.code, "year") if 1000 <= value <= 2999 else self.cardinal(value)


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def number_pattern(locale: SpeechLocale) -> str:
    """Digits as the region writes them: "1.234,5" (or "1 234,5"); "1'234.5" where "." is decimal."""
    point, group = (",", r"\.") if locale.decimal == "," else (r"\.", "[,'’]")
    return (rf"{D}{{1,3}}(?:{group}{D}{{3}})+(?:{point}{D}+)?(?![0-9])"
            rf"|{D}{{1,3}}(?: {D}{{3}})+(?:{point}{D}+)?(?![0-9])|{D}+(?:{point}{D}+)?")


def split_number(text: str, locale: SpeechLocale) -> tuple[str, str]:
    """'1.234,5' → ('1234', '5') in de-DE."""
    grouping = ".' ’" if locale.decimal == "," else ",' ’"
    whole, _, frac = text.partition(locale.decimal)
    return "".join(ch for ch in whole if ch not in grouping), frac


_ONE_BEFORE_SCALE = re.compile(r"(?:(veinti)|\b)uno(?= (?:mil|millones|billones)\b)")


@dataclass(frozen=True)
class _Reader:
    data: LanguageData
    locale: SpeechLocale

    @property
    def point(self) -> str:
        return self.data.decimal_word if self.locale.decimal == "," else self.data.decimal_word_point

    def number(self, text: str, before_noun: bool = False, noun: str = "") -> str:
        """``before_noun``: a noun follows (``noun``, when known, for the gender it asks of the number)."""
        whole, frac = split_number(text, self.locale)
        if not whole.isdigit() and not frac:
            raise ValueError(text)
        if len(whole) > 15 or (len(whole) > 1 and whole.startswith("0") and not frac):
            return " ".join(self.data.cardinal(int(ch)) for ch in whole)  # "030": digit by digit
        head = self.data.cardinal(int(whole or "0"))
        if self.data.code == "es":  # num2words writes "veintiuno mil", "doscientos uno millones"
            head = _ONE_BEFORE_SCALE.sub(lambda m: "veintiún" if m.group(1) else "un", head)
        if before_noun and not frac and int(whole) == 1 and self.data.one_before_noun:
            head = self.data.one_before_noun
        if before_noun and not frac and noun and self.data.agree:
            head = self.data.agree(head, noun)  # "una casa", "veintiuna noches", "doscientas personas"
        if before_noun and not frac and self.data.code == "es" and head.endswith("uno"):
            head = head[:-3] + ("ún" if head.endswith("veintiuno") else "un")  # "veintiún años", "treinta y un días"
        if not frac:
            return head
        if len(frac) <= 2 and not frac.startswith("0") and self.data.code != "de":
            tail = self.data.cardinal(int(frac))  # French, Spanish: "trois virgule quatorze"
        else:
            tail = " ".join(self.data.cardinal(int(ch)) for ch in frac)  # German: "drei Komma eins vier"
        return f"{head} {self.point} {tail}"


@lru_cache(maxsize=32)
def _cached(data_code: str, locale: SpeechLocale) -> tuple[Rule, ...]:
    return tuple(_build_rules(_DATA[data_code], locale))


_DATA: dict[str, LanguageData] = {}


def rules_for_data(data: LanguageData) -> Callable[[str, SpeechLocale, object], str]:
    """The ``normalize.register`` function for a language."""
    _DATA[data.code] = data

    def rules(text: str, locale: SpeechLocale, options: object) -> str:
        for rule in _cached(data.code, locale):
            text = rule(text)
        return text

    return rules


def _build_rules(data: LanguageData, locale: SpeechLocale) -> list[Rule]:
    reader = _Reader(data, locale)
    number = number_pattern(locale)
    months = _alternation(data.months)
    rules: list[Rule] = []

    # abbreviations: "z. B." → "zum Beispiel" (before sentence-level punctuation is read)
    if data.abbreviations:
        abbreviation = re.compile(rf"(?<![\w.])({_alternation(data.abbreviations)})(?![\w])")
        rules.append(sub(abbreviation, lambda m: data.abbreviations[m.group(1)]
                         + ("." if m.group(1).endswith(".") and not m.string[m.end():].strip() else "")))

    rules.extend(data.early_rules)
    rules.extend(_identifier_rules(data))

    # dates: "3. März 2025", "3 mars 2025", "3 de marzo de 2025", "1er mai", "03.03.2025", "3/3/2025"
    written = re.compile(rf"(?<![\w.,])(?:(\w+)\s+)?({D}{{1,2}})(\.|er|ᵉʳ|º|\.º)?\s+(?:de\s+)?({months})"
                         rf"(?:\s+(?:de\s+)?({D}{{4}}))?(?![\w])")

    def written_date(m: re.Match[str]) -> str:
        before, day, _, month, year = m.groups()
        if not 1 <= int(day) <= 31:
            raise ValueError(day)
        prefix = f"{before} " if before else ""
        if data.governing:
            before = data.governing(m.string[:m.start()], before or "")
        words = data.date(data, int(day), data.months[month], data.year(int(year)) if year else "", before or "")
        return prefix + words

    rules.append(num(written, written_date))
    separators = r"\." if data.code == "de" else r"[/.]"
    numeric = re.compile(rf"(?<![\w.,/])(?:(\w+)\s+)?({D}{{1,2}})({separators})({D}{{1,2}})\3({D}{{4}}|{D}{{2}})"
                         rf"(?![\w/]|[.,][0-9])")

    def numeric_date(m: re.Match[str]) -> str:
        before, first, _, second, year = m.groups()
        if locale.date_order == "mdy":
            first, second = second, first
        day, month = int(first), int(second)
        if not (1 <= day <= 31 and 1 <= month <= 12):
            raise ValueError(m.group(0))
        full = int(year) if len(year) == 4 else 2000 + int(year) if int(year) < 50 else 1900 + int(year)
        prefix = f"{before} " if before else ""
        return prefix + data.date(data, day, month, data.year(full), before or "")

    rules.append(num(numeric, numeric_date))
    rules.append(num(_day_month(data), lambda m: _day_month_date(data, locale, m)))
    # month and year: "März 2025"
    month_year = re.compile(rf"(?<![\w])({months})(\s+(?:de\s+)?)({D}{{4}})(?![\w]|[.,][0-9])")
    rules.append(num(month_year, lambda m: f"{data.month_names[data.months[m.group(1)] - 1]}{m.group(2)}"
                                            f"{data.year(int(m.group(3)))}"))

    # clock times: "14:30 Uhr", "14.30 Uhr", "14 h 30", "14h30", "9:05"
    clock = re.compile(rf"(?<![\w:.,])({D}{{1,2}})(?::|\s?h\s?(?={D}{{2}})|\.(?={D}{{2}}\s?(?:Uhr|h)\b))({D}{{2}})"
                       rf"(?![0-9]|:[0-9])(\s?(?:Uhr|h|heures?|horas?)\b)?")

    def clock_time(m: re.Match[str]) -> str:
        hours, minutes = int(m.group(1)), int(m.group(2))
        if hours > 24 or minutes > 59:
            raise ValueError(m.group(0))
        return data.clock(data, hours, minutes, (m.group(3) or "").strip())

    rules.append(num(clock, clock_time))
    hour_only = re.compile(rf"(?<![\w:.,])({D}{{1,2}})\s?(Uhr|h)(?![\w])")
    rules.append(num(hour_only, lambda m: data.clock(data, int(m.group(1)), -1, m.group(2))
                     if int(m.group(1)) <= 24 else m.group(0)))

    # Roman numerals: cue words ("Kapitel IV") are cardinals, regnal names ("Karl V.") ordinals
    if data.cue_words:
        # a period is the numeral's only before a small letter ("Kapitel IV. behandelt"), else the sentence's
        cue = re.compile(rf"\b({_alternation(data.cue_words)})\s+({_ROMAN})\b(?:\.(?=\s+[a-zäöüéèàáíóúñ]))?")
        rules.append(sub(cue, lambda m: f"{m.group(1)} {data.cardinal(_roman(m.group(2)))}"))
    regnal = re.compile(rf"(?<![\w])([A-ZÄÖÜÉÈÀÁÍÓÚÑ][\w-]+)\s+({_ROMAN})(\.|er|e)?(?![\w])")

    def regnal_name(m: re.Match[str]) -> str:
        name, numeral, mark = m.groups()
        if name not in data.regnal_names and not (data.code == "de" and mark == "." and len(numeral) > 1):
            return m.group(0)
        words = data.regnal(data, _roman(numeral), name)
        if data.code == "fr" and mark == "er":
            words = "premier"
        return f"{name} {words}" + ("." if mark == "." and m.end() == len(m.string) else "")

    rules.append(sub(regnal, regnal_name))

    # symbols
    if data.symbols:
        symbol = re.compile(rf"\s?({_alternation(data.symbols)})\s?")
        rules.append(sub(symbol, lambda m: f" {data.symbols[m.group(1)]} "))

    # ranges: "10–15", "1939–1945"
    range_ = re.compile(rf"(?<![\w.,])({number})\s?[–-]\s?({number})(?![\w]|[.,][0-9])")

    def range_words(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        if _is_year(a) and _is_year(b):
            return f"{data.year(int(a))} {data.range_word} {data.year(int(b))}"
        return f"{a} {data.range_word} {b}"

    rules.append(num(range_, range_words))

    # money: "12,50 €", "€ 12,50", "4,5 Millionen Euro", "4,5 Mio. €", "1.250 EUR", "$3.50" (es-MX)
    currency = _alternation(data.currencies)
    scale = _alternation(data.scales)
    money_after = re.compile(rf"(?<![\w.,])(-|−)?({number})(?:\s?({scale}))?\s?({currency})(?![\w])")
    money_before = re.compile(rf"(?<![\w])({currency})\s?(-|−)?({number})(?:\s?({scale}))?(?![\w]|[.,][0-9])")

    def money(sign: str | None, amount: str, scale_word: str | None, symbol: str) -> str:
        cur = data.currencies[symbol]
        minus = f"{data.minus} " if sign else ""
        if scale_word:
            return f"{minus}{reader.number(amount)} {data.scales[scale_word]} {_of(data, cur.many)}"
        whole, frac = split_number(amount, locale)
        one = int(whole or "0") == 1
        major = reader.number(whole) if not one else _one(data, cur.feminine)
        words = f"{major} {cur.one if one else cur.many}"
        cents = int(frac[:2].ljust(2, "0")) if frac else 0
        if len(frac) > 2:
            return f"{minus}{reader.number(amount)} {cur.many}"
        if cents:
            minor = f"{_one(data, False) if cents == 1 else data.cardinal(cents)} " \
                    f"{cur.minor_one if cents == 1 else cur.minor_many}"
            joint = {"de": "und", "fr": "et", "es": "con"}.get(data.code, "")
            words = f"{words} {joint} {minor}" if int(whole or "0") else minor  # "0,99 €": the cents only
        return minus + words

    rules.append(num(money_after, lambda m: money(m.group(1), m.group(2), m.group(3), m.group(4))))
    rules.append(num(money_before, lambda m: money(m.group(2), m.group(3), m.group(4), m.group(1))))
    # scales without a currency: "4,5 Millionen Menschen"
    scaled = re.compile(rf"(?<![\w.,])({number})\s?({scale})(?![\w])")
    rules.append(num(scaled, lambda m: f"{reader.number(m.group(1), before_noun=True)} {data.scales[m.group(2)]}"))

    # percentages and units
    percent = re.compile(rf"(?<![\w.,])(-|−)?({number})\s?%")
    rules.append(num(percent, lambda m: f"{data.minus + ' ' if m.group(1) else ''}"
                                        f"{reader.number(m.group(2))} {data.percent}"))
    units = _alternation(data.units)
    unit = re.compile(rf"(?<![\w.,])(-|−)?({number})\s?({units})(?![\w²³/])")

    def unit_words(m: re.Match[str]) -> str:
        one, many = data.units[m.group(3)]
        whole, frac = split_number(m.group(2), locale)
        singular = not frac and whole == "1"
        name = one if singular else many
        return (f"{data.minus + ' ' if m.group(1) else ''}"
                f"{reader.number(m.group(2), before_noun=True, noun=name.split()[0])} {name}")

    rules.append(num(unit, unit_words))

    rules.extend(data.extra_rules)

    # ordinals: "der 2. Weltkrieg", "1er", "2e", "1.º", "3.ª"
    if data.code == "de":
        # before a noun (not a word that starts a sentence: "Es waren 3. Dann …"), or before a small
        # letter: no sentence ends there ("Er wurde 3. und ging")
        starts = rf"(?!(?:{_alternation(data.sentence_starters)})\b)" if data.sentence_starters else ""
        ordinal = re.compile(rf"(?<![\w.,])(?:(\w+)\s+)?({D}{{1,3}})\.(?=\s+{starts}[A-ZÄÖÜa-zäöüß])")
        rules.append(num(ordinal, lambda m: (f"{m.group(1)} " if m.group(1) else "")
                         + data.ordinal(data, int(m.group(2)), ".", m.group(1) or "")))
    else:
        ordinal = re.compile(rf"(?<![\w.,])({D}{{1,4}})(\.?[ºª°]|\.er|er|re|ère|ème|nde|nd|e|ᵉ|ʳᵉ|ᵉʳ)(?![\w])")
        rules.append(num(ordinal, lambda m: data.ordinal(data, int(m.group(1)), m.group(2), "")))

    # negative numbers, then years after a cue ("im Jahr 1999"), then plain numbers
    negative = re.compile(rf"(?<![\w.,])[−-]({number})(?![\w])")
    rules.append(num(negative, lambda m: f"{data.minus} {reader.number(m.group(1))}"))
    year = re.compile(rf"(?<![\w])({_alternation(data.year_cues)})\s+({D}{{4}})(?![\w]|[.,][0-9])")
    rules.append(num(year, lambda m: f"{m.group(1)} {data.year(int(m.group(2)))}"))
    plain = re.compile(rf"(?<![\w.,])({number})(?![\w]|[.,][0-9])")

    def plain_number(m: re.Match[str]) -> str:
        text = m.group(1)
        if data.code == "de" and text.isdigit() and 1100 <= int(text) <= 1999 and not _noun_follows(m, True):
            return data.year(int(text))  # "endete 1945": a year, as German reads it
        noun = _NEXT_WORD.match(m.string, m.end())
        return reader.number(text, before_noun=_noun_follows(m), noun=noun.group(1) if noun else "")

    rules.append(num(plain, plain_number))
    if data.capital_words is None:
        rules.append(lambda text: _CAPITALS.sub(_spelled, text))
    else:
        rules.append(lambda text: _read_capitals(text, data.capital_words))
    return rules


# identifiers (every language): "ISBN 0-684-13558-2" digit by digit in its groups, never a range;
# "12(c)" keeps its letter apart; an all-capital word that cannot be said as a word is spelled
_LABELLED = re.compile(r"\b(ISBN(?:-1[03])?|ISSN|eISSN|ISMN)(:?\s?)([0-9][0-9Xx‐–-]{6,20}[0-9Xx])(?![\w-])")
_HYPHEN_GROUPS = re.compile(rf"(?<![\w.,/-])({D}{{1,7}}(?:-{D}{{1,7}}){{2,}}(?:-[0-9Xx])?)(?![\w-]|[.,]{D})")
_MARKER = re.compile(r"(?<=[0-9])\((?=(?:[a-z]{1,2}|[ivx]{1,4})\))")
_CAPITALS = re.compile(r"\b[A-Z]{2,}\b")
_GERMAN_CAPITALS = re.compile(r"\b[A-ZÄÖÜ]{2,}\b")  # "TÜV", "STÖREN", "ÖBB" too


def _identifier_rules(data: LanguageData) -> list[Rule]:
    def groups(text: str) -> str:
        return ", ".join(" ".join("X" if ch in "xX" else data.cardinal(int(ch)) for ch in group)
                         for group in re.split(r"[‐–\s-]+", text) if group)

    def hyphen_groups(m: re.Match[str]) -> str:
        return groups(m.group(1)) if sum(ch.isdigit() for ch in m.group(1)) >= 9 else m.group(0)

    return [num(_LABELLED, lambda m: f"{m.group(1)} {groups(m.group(3))}"), num(_HYPHEN_GROUPS, hyphen_groups),
            lambda text: _MARKER.sub(" (", text)]


# a day and a month without a year: "am 24.12." (German writes both periods), "le 24/12", "el 24/12"
# (after the article that a date takes; a bare "24/12" may be a fraction or a score)
_DATE_CUES = frozenset("am vom bis zum ab seit den dem der".split())
_DAY_ARTICLES = {"fr": "le|du|au|Le|Du|Au", "es": "el|del|al|El|Del|Al"}


def _day_month(data: LanguageData) -> re.Pattern[str]:
    if data.code == "de":
        return re.compile(rf"(?<![\w.,])(?:(\w+)\s+)?({D}{{1,2}})\.({D}{{1,2}})\.(?![\w]|[.,]?[0-9])")
    articles = _DAY_ARTICLES.get(data.code, "(?!)")
    return re.compile(rf"(?<![\w.,/])({articles})\s+({D}{{1,2}})/({D}{{1,2}})(?![\w/]|[.,][0-9])")


def _day_month_date(data: LanguageData, locale: SpeechLocale, m: re.Match[str]) -> str:
    before, first, second = m.groups()
    day, month = (int(second), int(first)) if locale.date_order == "mdy" else (int(first), int(second))
    if not (1 <= day <= 31 and 1 <= month <= 12):
        raise ValueError(m.group(0))
    prefix = f"{before} " if before else ""
    if data.governing:
        before = data.governing(m.string[:m.start()], before or "")
    last = not m.string[m.end():].strip()
    if data.code == "de" and last and (before or "").lower() not in _DATE_CUES:
        return m.group(0)  # "die Werte 3.10 und 1.5.": a text's last "1.5." is a date only after "am", "vom" …
    end = "." if data.code == "de" and last else ""  # the sentence's period
    return prefix + data.date(data, day, month, "", before or "") + end


def _spelled(m: re.Match[str]) -> str:
    word = m.group(0)
    if word in WORD_ACRONYMS or (len(word) > 2 and pronounceable(word)) or re.fullmatch(r"[IVXLCDM]+", word):
        return word  # "NASA", "ACHTUNG", "XIV": the voice reads them; two letters are spelled ("l'UE")
    return " ".join(word)


_LETTER_WORDS = re.compile(r"[^\W\d_]{2,}")


_GERMAN_LETTERS = (("SCH", "S"), ("CHT", "T"), ("TZT", "T"), ("CH", "K"), ("CK", "K"), ("TZ", "Z"), ("PF", "F"),
                   ("ÄU", "EU"))


def _sayable(word: str) -> bool:
    """English's test, or the same after German's letter groups ("NICHT", "SCHON", "JETZT") are one sound."""
    if pronounceable(word):
        return True
    for letters, sound in _GERMAN_LETTERS:
        word = word.replace(letters, sound)
    return pronounceable(word.replace("Ä", "A").replace("Ö", "O").replace("Ü", "U"))  # "STÖREN" as "STOREN"


def _as_word(word: str) -> str:
    """A capital word read as a word is given to the voice as one ("JA" → "Ja", "NUR" → "Nur", "DAX" →
    "Dax"): espeak-ng, the phonemizer of the Piper voices, spells a word in capitals it does not list
    ("JA" is "jot a", "NUR" "en u er"); the display text keeps the capitals."""
    return word[0] + word[1:].lower()


def _read_capitals(text: str, words: CapitalWords) -> str:
    """German: "die ARD", "der ICE", "die USA" are spelled ("A R D"), as German listeners hear them;
    "NATO", "UNO" (listed), "SO", "JA" (German words) and "NICHT" (four letters or more that can be said)
    are words, and so is every word of a text written in capitals that can be said ("ACHTUNG BAUSTELLE");
    a word is written as one for the voice ("Nato", "Ja", "Nicht")."""
    found = _LETTER_WORDS.findall(text)
    shouting = len(found) >= 3 and sum(w.isupper() for w in found) >= 0.7 * len(found)

    def read(m: re.Match[str]) -> str:
        word = m.group(0)
        if re.fullmatch(r"[IVXLCDM]+", word):
            return word
        if word in words.word_acronyms or word in words.emphasis_words or (
                shouting and len(word) > 2 and pronounceable(word)) or (
                len(word) >= 4 and word not in words.spelled_acronyms and _sayable(word)):
            return _as_word(word)
        return " ".join(word)

    return _GERMAN_CAPITALS.sub(read, text)


# French and Spanish words after a number that are no noun it counts ("31 en total", "21 de los 40")
_NOT_NOUNS = frozenset("de del en y e o u a al por para con que sin entre más menos como et ou à au aux pour par "
                       "avec sans sur".split())
_NEXT_WORD = re.compile(r" (\w+)")


def _noun_follows(m: re.Match[str], capitalized: bool = False) -> bool:
    """A word follows ("5 Menschen"); ``capitalized``: a German noun follows."""
    rest = m.string[m.end():m.end() + 2]
    if not (len(rest) == 2 and rest[0] == " " and rest[1].isalpha() and (rest[1].isupper() or not capitalized)):
        return False
    word = _NEXT_WORD.match(m.string, m.end())
    return capitalized or word is None or word.group(1) not in _NOT_NOUNS


def _roman(numeral: str) -> int:
    value = roman_value(numeral)
    if value is None:
        raise ValueError(numeral)
    return value


def _is_year(text: str) -> bool:
    return text.isdigit() and len(text) == 4 and 1000 <= int(text) <= 2099


def _one(data: LanguageData, feminine: bool) -> str:
    if data.code == "de":
        return "ein"
    if data.code == "fr":
        return "une" if feminine else "un"
    return "una" if feminine else "un"


def _of(data: LanguageData, noun: str) -> str:
    """After a scale word: "Millionen Euro", "millions d'euros", "millones de euros"."""
    if data.code == "fr":
        return f"d'{noun}" if noun[:1].lower() in "aeiouéèh" else f"de {noun}"
    if data.code == "es":
        return f"de {noun}"
    return noun


__all__ = ["CapitalWords", "Currency", "LanguageData", "number_pattern", "rules_for_data", "split_number"]
