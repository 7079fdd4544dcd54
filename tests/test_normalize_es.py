"""Spanish normalization and sentences, by category (rules_es + locale_rules)."""

from __future__ import annotations

import pytest

from narrate.speech.normalize import normalize
from narrate.speech.sentences import split_sentences

CASES: dict[str, list[tuple[str, str]]] = {
    "dates": [
        ("El 3 de marzo de 2025", "El tres de marzo de dos mil veinticinco"),
        ("el 1 de enero de 2000", "el primero de enero de dos mil"),
        ("el 03/04/2024", "el tres de abril de dos mil veinticuatro"),
    ],
    "times": [
        ("a las 14:30", "a las catorce y treinta"),
        ("a las 21:15 h", "a las veintiuna y quince"),
        ("a la 1:30", "a la una y treinta"),
        ("a las 9:00", "a las nueve en punto"),
    ],
    "money": [
        ("12,50 €", "doce euros con cincuenta céntimos"),
        ("4,5 millones de euros", "cuatro coma cinco millones de euros"),
        ("1 €", "un euro"),
        ("0,50 €", "cincuenta céntimos"),
        ("100 €", "cien euros"),
    ],
    "numbers": [
        ("1.250 personas", "mil doscientas cincuenta personas"),  # hundreds agree with a feminine noun
        ("3,5", "tres coma cinco"),
        ("2020–2025", "dos mil veinte a dos mil veinticinco"),
        ("En 1492", "En mil cuatrocientos noventa y dos"),
    ],
    "ordinals": [
        ("El 2.º premio", "El segundo premio"),
        ("La 5.ª avenida", "La quinta avenida"),
        ("el 3.er piso", "el tercer piso"),
    ],
    "units_percent": [
        ("3,5 km", "tres coma cinco kilómetros"),
        ("1 km", "un kilómetro"),
        ("-5 °C", "menos cinco grados Celsius"),
        ("50 %", "cincuenta por ciento"),
    ],
    "roman": [
        ("Felipe II", "Felipe segundo"),
        ("Isabel II", "Isabel segunda"),
        ("Alfonso XIII", "Alfonso trece"),
        ("el siglo XIX", "el siglo diecinueve"),
    ],
    "abbreviations": [
        ("la Sra. López y el Dr. Pérez", "la señora López y el doctor Pérez"),
        ("p. ej. en EE. UU.", "por ejemplo en Estados Unidos."),
        ("pág. 45", "página cuarenta y cinco"),
        ("frutas, etc.", "frutas, etcétera."),
    ],
}


@pytest.mark.parametrize(("text", "spoken"), [pytest.param(t, s, id=f"{cat}-{i}") for cat, cases in CASES.items()
                                              for i, (t, s) in enumerate(cases)])
def test_spanish(text, spoken):
    assert normalize(text, "es-ES") == spoken


def test_mexican_spanish_writes_a_decimal_point():
    assert normalize("Cuesta $3.50 y son 1,250 personas; 2.5 km.", "es-MX") == (
        "Cuesta tres dólares con cincuenta centavos y son mil doscientas cincuenta personas; "
        "dos punto cinco kilómetros.")


SENTENCES = [
    ("¿Vienes? ¡Claro! El Sr. García llegó.", ["¿Vienes?", "¡Claro!", "El Sr. García llegó."]),
    ("La Dra. Pérez habló. Luego se fue.", ["La Dra. Pérez habló.", "Luego se fue."]),
    ("Frutas, verduras, etc. Después comimos.", ["Frutas, verduras, etc.", "Después comimos."]),
    ("Vive en EE. UU. desde 2010.", ["Vive en EE. UU. desde 2010."]),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCES, ids=[f"sentences-{i}" for i in range(len(SENTENCES))])
def test_spanish_sentences(text, expected):
    assert split_sentences(text, "es") == expected


# Issue 27, seventh round: read with `narrate script --phonemes` on a Spanish file of our own.
SEVENTH_ROUND = [
    # "primero" and "tercero" lose their "o" before a noun, however the ordinal is written
    ("Ganó el 1.º puesto y el 3.º lugar en el 21.º torneo.",
     "Ganó el primer puesto y el tercer lugar en el vigésimo primer torneo."),
    ("El 1.º de junio y el 3.º de la fila.", "El primero de junio y el tercero de la fila."),
    # a Roman numeral after a cue keeps the sentence's period
    ("Es el capítulo IV. Luego viene el tomo II.", "Es el capítulo cuatro. Luego viene el tomo dos."),
    # two capital letters are spelled ("UE" would be said "we")
    ("La UE decide.", "La U E decide."),
    # a day and a month after the article a date takes
    ("Cerrado hasta el 6/1.", "Cerrado hasta el seis de enero."),
    # a number ending in one before a noun: "veintiún", "treinta y un" (before a feminine noun "una",
    # eighth round: "noche" is feminine); not before "en", "de" …
    ("Duró 21 días y 31 noches; 41 en total.", "Duró veintiún días y treinta y una noches; cuarenta y uno en total."),
]


@pytest.mark.parametrize(("text", "expected"), SEVENTH_ROUND)
def test_spanish_seventh_round(text, expected):
    assert normalize(text, "es") == expected


# Issue 27, eighth round: a cardinal agrees with a feminine noun ("una casa", "doscientas personas"); the
# gender is guessed from the noun's ending with listed exceptions (``spanish_gender``).
EIGHTH_ROUND = [
    ("Compré 1 mesa y 1 libro.", "Compré una mesa y un libro."),
    ("Llegaron 300 personas de 21 naciones.", "Llegaron trescientas personas de veintiuna naciones."),
    ("Pasó 1 semana en 1 ciudad con 1 mapa.", "Pasó una semana en una ciudad con un mapa."),
    ("Resolvió 1 problema con 1 mano.", "Resolvió un problema con una mano."),
    ("Llevaba 1 arma y 1 t de carga.", "Llevaba un arma y una tonelada de carga."),
    ("Había 21.000 personas y 501 sillas.", "Había veintiún mil personas y quinientas una sillas."),
]


@pytest.mark.parametrize(("text", "expected"), EIGHTH_ROUND)
def test_spanish_eighth_round(text, expected):
    assert normalize(text, "es") == expected
