"""Spanish normalization and sentence words (``locale_rules`` does the reading).

"el 3 de marzo de 2025 a las 14:30" → "el tres de marzo de dos mil veinticinco a las catorce y
treinta"; "12,50 €" → "doce euros con cincuenta céntimos"; "Felipe II" → "Felipe segundo",
"Alfonso XIII" → "Alfonso trece"; "siglo XIX" → "siglo diecinueve"; "Sr. García" → "señor
García"; "1.º" → "primero", "3.ª" → "tercera". es-MX and other regions that write "3.50"
read the decimal point ("tres punto cinco").
"""

from __future__ import annotations

import re

from narrate.speech.locale_rules import Currency, LanguageData, rules_for_data
from narrate.speech.sentences import Abbreviations, register
from narrate.speech.spanish_gender import agree

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre")
_QUEENS = frozenset("Isabel María Juana Catalina Urraca Berenguela Leonor Victoria".split())
_ORDINALS = ("primero", "segundo", "tercero", "cuarto", "quinto", "sexto", "séptimo", "octavo", "noveno",
             "décimo")


def _date(data: LanguageData, day: int, month: int, year: str, before: str) -> str:
    words = f"{'primero' if day == 1 else data.cardinal(day)} de {MONTHS[month - 1]}"
    return f"{words} de {year}" if year else words


def _clock(data: LanguageData, hours: int, minutes: int, suffix: str) -> str:
    hour = data.cardinal(hours)
    hour = hour[:-3] + "una" if hour.endswith("uno") else hour  # las horas: "la una", "las veintiuna"
    if minutes <= 0:
        return f"{hour} en punto" if not suffix else f"{hour} horas"
    return f"{hour} y {data.cardinal(minutes)}"


def _ordinal(data: LanguageData, value: int, suffix: str, before: str) -> str:
    feminine = "ª" in suffix
    word = _ORDINALS[value - 1] if 1 <= value <= 10 else data.ordinal_words(value)
    if feminine:
        return " ".join(w[:-1] + "a" if w.endswith("o") else w for w in word.split())
    if suffix.endswith("er") and word.endswith(("primero", "tercero")):
        return word[:-1]  # "1.er" → "primer", "3.er" → "tercer", "21.er" → "vigésimo primer"
    return word


# "1.º premio": before a noun "primero" and "tercero" lose their "o", as "1.er" writes it; not before
# "de", "y" … ("el 1.º de mayo", "el 3.º de la lista") or a capital
_BEFORE_NOUN = re.compile(r"(?<![\w.,])([0-9]{1,3})\.?º(?=\s+(?!(?:de|del|y|e|o|u|ni|en|a|al|que|con|por|para|"
                          r"sin|entre|como|se|es|fue|era)\b)[a-záéíóúñ])")


def _apocope(text: str) -> str:
    return _BEFORE_NOUN.sub(r"\1.er", text) if "º" in text else text


def _regnal(data: LanguageData, value: int, name: str) -> str:
    if not 1 <= value <= 10:
        return data.cardinal(value)  # "Alfonso XIII": trece
    word = _ORDINALS[value - 1]
    return word[:-1] + "a" if name in _QUEENS else word  # "Isabel II": segunda


_EUR = Currency("euro", "euros", "céntimo", "céntimos")
DATA = LanguageData(
    code="es",
    decimal_word="coma",
    decimal_word_point="punto",
    months={**{name: i + 1 for i, name in enumerate(MONTHS)}, "setiembre": 9},
    month_names=MONTHS,
    abbreviations={
        "Sr.": "señor", "Sra.": "señora", "Srta.": "señorita", "Sres.": "señores", "Dr.": "doctor",
        "Dra.": "doctora", "D.": "don", "Dña.": "doña", "Ud.": "usted", "Uds.": "ustedes", "Vd.": "usted",
        "etc.": "etcétera", "p. ej.": "por ejemplo", "EE. UU.": "Estados Unidos", "EE.UU.": "Estados Unidos",
        "núm.": "número", "n.º": "número", "pág.": "página", "págs.": "páginas", "aprox.": "aproximadamente",
        "Avda.": "avenida", "Av.": "avenida", "Prof.": "profesor", "Profa.": "profesora", "tel.": "teléfono",
        "a. C.": "antes de Cristo", "d. C.": "después de Cristo", "Sto.": "santo", "Sta.": "santa",
    },
    currencies={"€": _EUR, "EUR": _EUR, "euros": _EUR, "euro": _EUR,
                "$": Currency("dólar", "dólares", "centavo", "centavos"),
                "USD": Currency("dólar estadounidense", "dólares estadounidenses", "centavo", "centavos"),
                "MXN": Currency("peso", "pesos", "centavo", "centavos"),
                "£": Currency("libra", "libras", "penique", "peniques", feminine=True)},
    scales={"millones": "millones", "millón": "millón", "mil millones": "mil millones", "M": "millones",
            "mill.": "millones"},
    units={"km/h": ("kilómetro por hora", "kilómetros por hora"), "km": ("kilómetro", "kilómetros"),
           "m²": ("metro cuadrado", "metros cuadrados"), "cm": ("centímetro", "centímetros"),
           "mm": ("milímetro", "milímetros"), "m": ("metro", "metros"), "kg": ("kilo", "kilos"),
           "g": ("gramo", "gramos"), "t": ("tonelada", "toneladas"), "l": ("litro", "litros"),
           "°C": ("grado Celsius", "grados Celsius"), "°": ("grado", "grados"), "ha": ("hectárea", "hectáreas"),
           "kWh": ("kilovatio hora", "kilovatios hora"), "min": ("minuto", "minutos")},
    percent="por ciento",
    minus="menos",
    range_word="a",
    symbols={"&": "y", "+": "más", "=": "igual a", "§": "párrafo"},
    regnal_names=frozenset("""Felipe Carlos Alfonso Fernando Isabel Juan Enrique Pedro Jaime Luis Benedicto Pío
        León Gregorio Pablo Francisco Jorge Eduardo Napoleón Sancho Ramiro García Ordoño Bermudo Amadeo Clemente
        Inocencio Urbano Alejandro Catalina María Pedro Guillermo Ricardo Enrique""".split()),
    cue_words=frozenset("""siglo Siglo capítulo Capítulo tomo Tomo acto Acto escena Escena parte Parte libro
        Libro""".split()),
    year_cues=frozenset("en desde año hasta hacia antes después".split()),
    date=_date,
    clock=_clock,
    ordinal=_ordinal,
    regnal=_regnal,
    one_before_noun="un",
    agree=agree,  # "1 casa" → "una casa": the noun's gender guessed from its ending (``spanish_gender``)
    extra_rules=(_apocope,),
)

rules = rules_for_data(DATA)

register("es", Abbreviations(
    never_final=frozenset("""ee sr sra srta sres dr dra d dña ud uds vd p.ej núm n.º pág págs aprox avda av prof
        profa tel sto sta""".split()),
    maybe_final=frozenset("""etc ee.uu a.c d.c""".split()),
    starters=frozenset("""El La Los Las Un Una Unos Unas Él Ella Ellos Ellas Yo Tú Nosotros Usted Pero Y Luego
        Después Entonces Hoy Mañana Ayer Este Esta Estos Estas Eso Esa En Con Para Por Desde Cuando Si Como
        Aunque También Sin Todo Todos Cada Qué Quién Dónde Cómo Por""".split()),
))
