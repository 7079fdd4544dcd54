"""French normalization and sentences, by category (rules_fr + locale_rules)."""

from __future__ import annotations

import pytest

from narrate.speech.normalize import normalize
from narrate.speech.sentences import split_sentences

CASES: dict[str, list[tuple[str, str]]] = {
    "dates": [
        ("Le 14 juillet 1789", "Le quatorze juillet mille sept cent quatre-vingt-neuf"),
        ("le 1er mars 2025", "le premier mars deux mille vingt-cinq"),
        ("le 03/04/2024", "le trois avril deux mille vingt-quatre"),
    ],
    "times": [
        ("à 14 h 30", "à quatorze heures trente"),
        ("à 18h45", "à dix-huit heures quarante-cinq"),
        ("à 9 h", "à neuf heures"),
        ("à 1 h", "à une heure"),
        ("Il est 14:30.", "Il est quatorze heures trente."),
    ],
    "money": [
        ("12,50 €", "douze euros et cinquante centimes"),
        ("4,5 millions d'euros", "quatre virgule cinq millions d'euros"),
        ("4,5 millions €", "quatre virgule cinq millions d'euros"),
        ("1 €", "un euro"),
        ("12 500,50 €", "douze mille cinq cents euros et cinquante centimes"),
    ],
    "numbers": [
        ("1 250 habitants", "mille deux cent cinquante habitants"),
        ("3,14", "trois virgule quatorze"),
        ("10–20 personnes", "dix à vingt personnes"),
        ("En 1998", "En mille neuf cent quatre-vingt-dix-huit"),
    ],
    "ordinals": [
        ("La 1re fois", "La première fois"),
        ("le 2e jour", "le deuxième jour"),
        ("le 2ème jour", "le deuxième jour"),
        ("au XIXe siècle", "au dix-neuvième siècle"),
    ],
    "units_percent": [
        ("-5 °C", "moins cinq degrés Celsius"),
        ("1 km", "un kilomètre"),
        ("3,5 kg", "trois virgule cinq kilos"),
        ("25 %", "vingt-cinq pour cent"),
    ],
    "roman": [
        ("Louis XIV", "Louis quatorze"),
        ("François Ier", "François premier"),
        ("Napoléon III", "Napoléon trois"),
        ("Chapitre IV", "Chapitre quatre"),
    ],
    "abbreviations": [
        ("M. Dupont", "Monsieur Dupont"),
        ("Mme Martin et Mlle Durand", "Madame Martin et Mademoiselle Durand"),
        ("p. ex. le Dr Leroy", "par exemple le Docteur Leroy"),
        ("n° 12", "numéro douze"),
        ("des fruits, etc.", "des fruits, et cetera."),
    ],
}


@pytest.mark.parametrize(("text", "spoken"), [pytest.param(t, s, id=f"{cat}-{i}") for cat, cases in CASES.items()
                                              for i, (t, s) in enumerate(cases)])
def test_french(text, spoken):
    assert normalize(text, "fr-FR") == spoken


def test_canadian_french_uses_the_same_rules():
    assert normalize("Le 1er juillet, 12,50 $", "fr-CA") == "Le premier juillet, douze dollars et cinquante cents"


SENTENCES = [
    ("« Bonjour. » Il partit.", ["« Bonjour. »", "Il partit."]),
    ("Il dit : « Quoi ? » et partit.", ["Il dit : « Quoi ? » et partit."]),
    ("Vraiment ? Oui ! M. Dupont arriva.", ["Vraiment ?", "Oui !", "M. Dupont arriva."]),
    ("Des pommes, etc. Puis nous partîmes.", ["Des pommes, etc.", "Puis nous partîmes."]),
    ("Le Dr. Leroy vint. Il parla.", ["Le Dr. Leroy vint.", "Il parla."]),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCES, ids=[f"sentences-{i}" for i in range(len(SENTENCES))])
def test_french_sentences(text, expected):
    assert split_sentences(text, "fr") == expected


# Issue 27, seventh round: read with `narrate script --phonemes` on a French file of our own.
SEVENTH_ROUND = [
    # "Le siècle", "Ce siècle" are the article and "this", not Roman numerals (L, C) with "e"
    ("Ce siècle commence. Le siècle suivant aussi.", "Ce siècle commence. Le siècle suivant aussi."),
    ("Au XVIIe siècle. Ce millénaire", "Au dix-septième siècle. Ce millénaire"),
    # two capital letters are spelled after an elided article ("l'UE" would be said "lu")
    ("Selon l'UE et le PS.", "Selon l'U E et le P S."),
    # a day and a month after the article a date takes; "p.", "fig." before a number; "s." after a century
    ("Rendez-vous le 14/7 : voir p. 8 et fig. 2.", "Rendez-vous le quatorze juillet : voir page huit et figure deux."),
    ("Une église du XIIe s.", "Une église du douzième siècle."),
    # "2nd", "2nde" are "second", "seconde"
    ("Le 2nd tour et la 2nde manche.", "Le second tour et la seconde manche."),
]


@pytest.mark.parametrize(("text", "expected"), SEVENTH_ROUND)
def test_french_seventh_round(text, expected):
    assert normalize(text, "fr") == expected


# Issue 27, eighth round: "un" agrees with a feminine noun ("une maison", "vingt et une voitures"); the
# gender is guessed from the noun's ending with listed exceptions (``french_gender``).
EIGHTH_ROUND = [
    ("Elle a lu 1 page en 1 heure, 1 jour de pluie.", "Elle a lu une page en une heure, un jour de pluie."),
    ("On compte 21 régions et 31 départements.", "On compte vingt et une régions et trente et un départements."),
    ("Il a pris 1 t de sable et vu 1 musée.", "Il a pris une tonne de sable et vu un musée."),
]


@pytest.mark.parametrize(("text", "expected"), EIGHTH_ROUND)
def test_french_eighth_round(text, expected):
    assert normalize(text, "fr") == expected
