"""German normalization and sentence words (``locale_rules`` does the reading).

"Am 3. März 2025 um 14:30 Uhr" → "am dritten März zweitausendfünfundzwanzig um vierzehn Uhr
dreißig"; "12,50 €" → "zwölf Euro und fünfzig Cent"; "4,5 Mio. Euro" → "vier Komma fünf
Millionen Euro"; "Karl V." → "Karl der Fünfte"; "z. B." → "zum Beispiel".

An ordinal takes the ending its article asks for: "am/im/vom/zum/dem/den 3." → "dritten",
"der/die/das 3." → "dritte", otherwise (a dateline, a list) "dritter".
"""

from __future__ import annotations

import re

from narrate.speech.locale_rules import CapitalWords, Currency, LanguageData, rules_for_data
from narrate.speech.numeric import num, sub
from narrate.speech.sentences import Abbreviations, register

MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")
_SHORT = {"Jan.": 1, "Feb.": 2, "Febr.": 2, "Mär.": 3, "Mrz.": 3, "Apr.": 4, "Jun.": 6, "Jul.": 7, "Aug.": 8,
          "Sep.": 9, "Sept.": 9, "Okt.": 10, "Nov.": 11, "Dez.": 12, "Jänner": 1}

_DIGITS = ("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun")


def _ordinal_word(value: int) -> str:
    return DATA.ordinal_words(value)


_WEEKDAYS = {"Mo": "Montag", "Di": "Dienstag", "Mi": "Mittwoch", "Do": "Donnerstag", "Fr": "Freitag",
             "Sa": "Samstag", "So": "Sonntag"}
_WEAK = {"am", "im", "vom", "zum", "beim", "dem", "den", "des", "seit", "ab", "bis", "Am", "Im", "Vom", "Zum",
         "Seit", "Ab", "Bis", "Dem", "Den", "Des", "diesem", "jedem"}
_STRONG_E = {"der", "die", "das", "Der", "Die", "Das"}


def _inflect(stem: str, before: str) -> str:
    """'dritte' after 'am' → 'dritten'; after 'der' → 'dritte'; alone → 'dritter'."""
    if before in _WEAK:
        return stem + "n"
    if before in _STRONG_E:
        return stem
    return stem + "r"


# "am 21. " (or "am einundzwanzigsten ", read already) before "und 22. Mai"
_JOINED_DAY = re.compile(r"(\w+)\s+(?:[0-9]{1,2}\.|\w+ten?)\s+$")
_WEEKDAY_COMMA = re.compile(rf"(\w+)\s+(?:{'|'.join(_WEEKDAYS.values())}),\s+$")  # "am Montag, " before "5. Mai"


def _governing(text: str, before: str) -> str:
    """The word whose case a day takes: after "und"/"oder" the first day's ("am 21. und 22. Mai": both
    dative), after a weekday and a comma the weekday's ("am Montag, 5. Mai": "fünften")."""
    found = _JOINED_DAY.search(text) if before in {"und", "oder"} else None if before else _WEEKDAY_COMMA.search(text)
    return found.group(1) if found else before


def _date(data: LanguageData, day: int, month: int, year: str, before: str) -> str:
    words = f"{_inflect(data.ordinal_words(day), before)} {MONTHS[month - 1]}"
    return f"{words} {year}" if year else words


def _clock(data: LanguageData, hours: int, minutes: int, suffix: str) -> str:
    hour = "ein" if hours == 1 else data.cardinal(hours)
    if minutes <= 0:
        return f"{hour} Uhr"
    return f"{hour} Uhr {data.cardinal(minutes)}"


_STARTERS = frozenset("""Der Die Das Ein Eine Er Sie Es Wir Ich Ihr Man Dann Aber Und Doch Denn Heute Morgen
    Gestern Danach Dabei Damit Dort Hier Auch Als Wenn Wie Was Wer Wo Warum Noch Nun So Im In Am An Auf Mit
    Nach Vor Seit Bei Für Von Zum Zur Diese Dieser Dieses Jetzt Später Schließlich Zuerst Trotzdem Deshalb
    Jedoch Viele Alle Kein Keine""".split())


def _ordinal(data: LanguageData, value: int, suffix: str, before: str) -> str:
    return _inflect(data.ordinal_words(value), before)


def _regnal(data: LanguageData, value: int, name: str) -> str:
    word = data.ordinal_words(value)
    return f"der {word[:1].upper()}{word[1:]}"


# Capital words: German spells its initialisms ("ARD" is "A-R-D", "ICE" "I-C-E", "USA" "U-S-A"); these are
# said as words, as German listeners know them; "ADAC" is spelled though it could be said.
_CAPITAL_WORDS = CapitalWords(
    word_acronyms=frozenset("""NATO UNO UNESCO UNICEF NASA FIFA UEFA DAX TÜV AIDS LASER RADAR NAFTA OPEC ASEAN
        COVID SARS PIN PISA KITA WLAN""".split()),
    spelled_acronyms=frozenset("ADAC DLRG".split()),
    emphasis_words=frozenset("""DER DIE DAS DEN DEM DES EIN EINE UND ODER ABER NUR MIT VON AUS BEI ZUM ZUR
        FÜR IST WAR HAT SIE ER ES WIR IHR ICH DU JA SO DA ZU IM AM UM AN IN OB WO WIE WER WAS NIE NUN GUT
        ALLE VIEL SEHR NOCH SCHON AUCH NICHT KEIN KEINE""".split()),
)

DATA = LanguageData(
    code="de",
    capital_words=_CAPITAL_WORDS,
    decimal_word="Komma",
    decimal_word_point="Komma",
    months={**{name: i + 1 for i, name in enumerate(MONTHS)}, **_SHORT},
    month_names=MONTHS,
    abbreviations={
        "z. B.": "zum Beispiel", "z.B.": "zum Beispiel", "d. h.": "das heißt", "d.h.": "das heißt",
        "u. a.": "unter anderem", "u.a.": "unter anderem", "usw.": "und so weiter", "bzw.": "beziehungsweise",
        "ca.": "circa", "evtl.": "eventuell", "ggf.": "gegebenenfalls", "inkl.": "inklusive", "zzgl.": "zuzüglich",
        "vgl.": "vergleiche", "sog.": "sogenannte", "Dr.": "Doktor", "Prof.": "Professor", "Nr.": "Nummer",
        "Str.": "Straße", "St.": "Sankt", "Hr.": "Herr", "Fr.": "Frau", "Jh.": "Jahrhundert", "Tel.": "Telefon",
        "etc.": "et cetera", "u. U.": "unter Umständen", "o. Ä.": "oder Ähnliches", "v. a.": "vor allem",
        "Abb.": "Abbildung", "Bd.": "Band", "Kap.": "Kapitel",
    },
    currencies={
        "€": Currency("Euro", "Euro", "Cent", "Cent"), "EUR": Currency("Euro", "Euro", "Cent", "Cent"),
        "Euro": Currency("Euro", "Euro", "Cent", "Cent"),
        "$": Currency("Dollar", "Dollar", "Cent", "Cent"), "USD": Currency("US-Dollar", "US-Dollar", "Cent", "Cent"),
        "£": Currency("Pfund", "Pfund", "Penny", "Pence"), "GBP": Currency("Pfund", "Pfund", "Penny", "Pence"),
        "CHF": Currency("Franken", "Franken", "Rappen", "Rappen"),
    },
    scales={"Mio.": "Millionen", "Mio": "Millionen", "Millionen": "Millionen", "Million": "Million",
            "Mrd.": "Milliarden", "Mrd": "Milliarden", "Milliarden": "Milliarden", "Milliarde": "Milliarde",
            "Tsd.": "Tausend", "Bio.": "Billionen"},
    units={"km/h": ("Kilometer pro Stunde", "Kilometer pro Stunde"), "km": ("Kilometer", "Kilometer"),
           "m²": ("Quadratmeter", "Quadratmeter"), "m³": ("Kubikmeter", "Kubikmeter"), "cm": ("Zentimeter",
           "Zentimeter"), "mm": ("Millimeter", "Millimeter"), "m": ("Meter", "Meter"),
           "kg": ("Kilogramm", "Kilogramm"), "g": ("Gramm", "Gramm"), "t": ("Tonne", "Tonnen"),
           "l": ("Liter", "Liter"), "ml": ("Milliliter", "Milliliter"), "°C": ("Grad Celsius", "Grad Celsius"),
           "°": ("Grad", "Grad"), "kWh": ("Kilowattstunde", "Kilowattstunden"), "kW": ("Kilowatt", "Kilowatt"),
           "Std.": ("Stunde", "Stunden"), "Min.": ("Minute", "Minuten"), "ha": ("Hektar", "Hektar")},
    percent="Prozent",
    minus="minus",
    range_word="bis",
    symbols={"&": "und", "+": "plus", "=": "gleich", "§": "Paragraf"},
    regnal_names=frozenset("""Karl Ludwig Heinrich Friedrich Wilhelm Otto Leopold Franz Joseph Josef Maximilian
        Elisabeth Georg Johann Johannes Paul Benedikt Pius Gregor Innozenz Leo Philipp Ferdinand Rudolf Albrecht
        Konrad Maria Katharina Peter Richard Eduard Jakob Gustav Christian Sigismund Ernst August Ludwig Lothar
        Clemens Urban Bonifatius Alexander Nikolaus Iwan Elisabeth Viktoria Karl-Heinrich""".split()),
    cue_words=frozenset("Kapitel Teil Band Akt Szene Buch Folge Staffel Anhang Artikel".split()),
    year_cues=frozenset("im Jahr Jahre Jahres seit bis ab von um vor nach Anfang Ende Mitte Sommer Winter "
                        "Frühjahr Herbst".split()),
    date=_date,
    clock=_clock,
    ordinal=_ordinal,
    regnal=_regnal,
    governing=_governing,
    sentence_starters=_STARTERS - {"Morgen"},  # "der 2. Morgen" is a morning
    one_before_noun="ein",
    extra_rules=(
        sub(re.compile(r"(?<![\w.])S\.\s?(?=[0-9])"), lambda m: "Seite "),  # "S. 12"; "Johann S. Bach" stays
        sub(re.compile(r"(?<=[a-zäöüß])str\.(?=\s|$)"), lambda m: "straße"),  # "Goethestr. 5"
        sub(re.compile(rf"(?<![\w.])({'|'.join(_WEEKDAYS)})\.?\s?[–-]\s?({'|'.join(_WEEKDAYS)})(?![\w])\.?"),
            lambda m: f"{_WEEKDAYS[m.group(1)]} bis {_WEEKDAYS[m.group(2)]}"),  # "Mo–Fr"
    ),
    early_rules=(
        # "5,– €", "12,-- EUR": a price in whole euros, its cents written as a dash
        sub(re.compile(r"(?<=[0-9]),(?:–|-{1,2})(?=\s?(?:€|EUR\b|Euro\b|CHF\b)|\s|[.;:!?]|$)"), lambda m: ""),
        # "vom 1. bis 3. Mai": the first day is an ordinal too
        num(re.compile(r"(?<![\w.,])(?:(\w+)\s+)?([0-9]{1,2})\.(\s?(?:bis|und|oder|–|-)\s?)(?=[0-9]{1,2}\.)"),
            lambda m: (f"{m.group(1)} " if m.group(1) else "") + _inflect(_ordinal_word(int(m.group(2))),
                                                                        m.group(1) or "")
            + (" bis " if m.group(3).strip() in {"–", "-"} else m.group(3))),
        # telephone numbers: digit by digit, in their groups
        num(re.compile(r"\b(Tel\.|Telefon|Fax|Tel)(:?\s+)(\+?[0-9][0-9 /-]{4,}[0-9])"),
            lambda m: m.group(1) + m.group(2) + ("plus " if m.group(3).startswith("+") else "") + ", ".join(
                " ".join(_DIGITS[int(ch)] for ch in group if ch.isdigit())
                for group in re.split(r"[ /-]+", m.group(3)) if any(ch.isdigit() for ch in group))),
    ),
)

rules = rules_for_data(DATA)

SENTENCE_WORDS = Abbreviations(
    never_final=frozenset("""dr prof hr fr nr str st ca z.b d.h u.a bzw evtl ggf inkl zzgl vgl sog abb bd kap
        s tel jh u.u o.ä v.a z u d o v mio mrd tsd""".split()),
    maybe_final=frozenset("""usw etc jan feb febr mär mrz apr jun jul aug sep sept okt nov dez chr""".split()),
    starters=_STARTERS,
    ordinal_numbers=True,
)
register("de", SENTENCE_WORDS)
