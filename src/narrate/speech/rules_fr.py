"""French normalization and sentence words (``locale_rules`` does the reading).

"le 1er mars 2025 à 14 h 30" → "le premier mars deux mille vingt-cinq à quatorze heures
trente"; "12,50 €" → "douze euros et cinquante centimes"; "4,5 millions d'euros" stays a
scale; "Louis XIV" → "Louis quatorze", "François Ier" → "François premier"; "XIXe siècle"
→ "dix-neuvième siècle"; "M. Dupont" → "Monsieur Dupont".
"""

from __future__ import annotations

import re

from narrate.speech.french_gender import agree
from narrate.speech.locale_rules import Currency, LanguageData, rules_for_data
from narrate.speech.numeric import sub
from narrate.speech.sentences import Abbreviations, register
from narrate.speech.wording import roman_value

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
_SHORT = {"janv.": 1, "févr.": 2, "avr.": 4, "juil.": 7, "sept.": 9, "oct.": 10, "nov.": 11, "déc.": 12}


def _date(data: LanguageData, day: int, month: int, year: str, before: str) -> str:
    words = f"{'premier' if day == 1 else data.cardinal(day)} {MONTHS[month - 1]}"
    return f"{words} {year}" if year else words


def _clock(data: LanguageData, hours: int, minutes: int, suffix: str) -> str:
    hour = "une heure" if hours == 1 else f"{data.cardinal(hours)} heures"
    return hour if minutes <= 0 else f"{hour} {data.cardinal(minutes)}"


def _ordinal(data: LanguageData, value: int, suffix: str, before: str) -> str:
    if value == 1:
        return "première" if suffix in {"re", "ʳᵉ", "ère"} else "premier"
    if value == 2 and suffix in {"nd", "nde"}:
        return "second" if suffix == "nd" else "seconde"  # "le 2nd jour", "la 2nde fois"
    return data.ordinal_words(value)


def _regnal(data: LanguageData, value: int, name: str) -> str:
    return "premier" if value == 1 else data.cardinal(value)


# "Le siècle", "Ce siècle" are the article and "this", never the 50th or 100th
_CENTURY = re.compile(
    r"(?<![\w])(?!(?:L|C)e\b)([IVXLC]{1,6})(e|ème|ᵉ|er)(?=\s+(?:siècle|millénaire|arrondissement|République|s\.))")
_CENTURY_S = re.compile(r"(?:(?<=ième)|(?<=premier)) s\.(?=\s|$)")  # "XVIIe s.": siècle
# "p. 5", "pp. 12-14", "fig. 3": page(s), figure, before a number
_BEFORE_NUMBER = {"p.": "page", "pp.": "pages", "fig.": "figure", "tab.": "tableau"}
_BEFORE_NUMBER_RE = re.compile(r"(?<![\w.])(pp?\.|fig\.|tab\.)\s?(?=[0-9])")


def _century(m: re.Match[str]) -> str:
    value = roman_value(m.group(1))
    if value is None:
        return m.group(0)
    return "premier" if value == 1 else DATA.ordinal_words(value)


_EUR = Currency("euro", "euros", "centime", "centimes")
DATA = LanguageData(
    code="fr",
    decimal_word="virgule",
    decimal_word_point="point",
    months={**{name: i + 1 for i, name in enumerate(MONTHS)}, **_SHORT},
    month_names=MONTHS,
    abbreviations={
        "M.": "Monsieur", "MM.": "Messieurs", "Mme": "Madame", "Mmes": "Mesdames", "Mlle": "Mademoiselle",
        "Dr": "Docteur", "Dr.": "Docteur", "Pr": "Professeur", "Me": "Maître", "St": "Saint", "Ste": "Sainte",
        "etc.": "et cetera", "p. ex.": "par exemple", "c.-à-d.": "c'est-à-dire", "env.": "environ",
        "av.": "avenue", "bd": "boulevard", "vol.": "volume", "chap.": "chapitre", "cf.": "voir",
        "n°": "numéro", "nº": "numéro", "tél.": "téléphone", "J.-C.": "Jésus-Christ",
    },
    currencies={"€": _EUR, "EUR": _EUR, "euros": _EUR, "euro": _EUR,
                "$": Currency("dollar", "dollars", "cent", "cents"),
                "USD": Currency("dollar américain", "dollars américains", "cent", "cents"),
                "£": Currency("livre", "livres", "penny", "pence", feminine=True),
                "CHF": Currency("franc suisse", "francs suisses", "centime", "centimes")},
    scales={"millions": "millions", "million": "million", "milliards": "milliards", "milliard": "milliard",
            "Md": "milliards", "Mds": "milliards", "M": "millions", "k": "mille"},
    units={"km/h": ("kilomètre heure", "kilomètres heure"), "km": ("kilomètre", "kilomètres"),
           "m²": ("mètre carré", "mètres carrés"), "cm": ("centimètre", "centimètres"),
           "mm": ("millimètre", "millimètres"), "m": ("mètre", "mètres"), "kg": ("kilo", "kilos"),
           "g": ("gramme", "grammes"), "t": ("tonne", "tonnes"), "l": ("litre", "litres"),
           "°C": ("degré Celsius", "degrés Celsius"), "°": ("degré", "degrés"), "ha": ("hectare", "hectares"),
           "kWh": ("kilowattheure", "kilowattheures"), "min": ("minute", "minutes")},
    percent="pour cent",
    minus="moins",
    range_word="à",
    symbols={"&": "et", "+": "plus", "=": "égale", "§": "paragraphe"},
    regnal_names=frozenset("""Louis Henri François Charles Philippe Napoléon Jean Jean-Paul Benoît Pie Léon
        Grégoire Élisabeth Édouard Guillaume Frédéric Pierre Innocent Clément Urbain Boniface Alexandre Nicolas
        Catherine Marie Paul Robert Richard Jacques Georges Victor-Emmanuel Albert""".split()),
    cue_words=frozenset("chapitre Chapitre tome Tome acte Acte scène Scène livre Livre partie Partie".split()),
    year_cues=frozenset("en depuis année l'année jusqu'en dès vers avant après".split()),
    date=_date,
    clock=_clock,
    ordinal=_ordinal,
    regnal=_regnal,
    one_before_noun="un",
    agree=agree,  # "1 maison" → "une maison": the noun's gender guessed from its ending (``french_gender``)
    extra_rules=(sub(_CENTURY, _century),
                 sub(_CENTURY_S, lambda m: " siècle" + ("." if not m.string[m.end():].strip() else "")),
                 sub(_BEFORE_NUMBER_RE, lambda m: _BEFORE_NUMBER[m.group(1)] + " ")),
)

rules = rules_for_data(DATA)

register("fr", Abbreviations(
    never_final=frozenset("""m mm mme dr pr me st ste p.ex c.-à-d env av bd vol chap cf n° tél p""".split()),
    maybe_final=frozenset("""etc janv févr avr juil sept oct nov déc j.-c""".split()),
    starters=frozenset("""Le La Les Un Une Des Il Elle Ils Elles On Nous Vous Je Tu Ce Cette Ces Mais Et Puis
        Alors Ensuite Enfin Donc Pourtant Cependant Quand Si Dans En Au Aux À Pour Par Avec Après Avant Depuis
        Aujourd'hui Demain Hier Tout Tous Toutes Chaque Quel Quelle Qui Que Où Comment Pourquoi""".split()),
    spaced_closers="»!?;:",
))
