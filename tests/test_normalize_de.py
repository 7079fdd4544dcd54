"""German normalization and sentences, by category (rules_de + locale_rules)."""

from __future__ import annotations

import pytest

from narrate.speech.normalize import normalize
from narrate.speech.sentences import split_sentences

CASES: dict[str, list[tuple[str, str]]] = {
    "dates": [
        ("Am 3. März 2025 öffnete der Markt.", "Am dritten März zweitausendfünfundzwanzig öffnete der Markt."),
        ("Berlin, 3. März 2025", "Berlin, dritter März zweitausendfünfundzwanzig"),
        ("Der 1. Mai ist ein Feiertag.", "Der erste Mai ist ein Feiertag."),
        ("Vom 1. bis 3. Mai", "Vom ersten bis dritten Mai"),
        ("Er kam am 03.04.2024.", "Er kam am dritten April zweitausendvierundzwanzig."),
        ("im Dez. 1999", "im Dezember neunzehnhundertneunundneunzig"),
    ],
    "times": [
        ("um 14:30 Uhr", "um vierzehn Uhr dreißig"),
        ("ab 8.30 Uhr", "ab acht Uhr dreißig"),
        ("um 20 Uhr", "um zwanzig Uhr"),
        ("um 1 Uhr", "um ein Uhr"),
        ("Beginn 9:05", "Beginn neun Uhr fünf"),
    ],
    "money": [
        ("Es kostet 12,50 €.", "Es kostet zwölf Euro und fünfzig Cent."),
        ("4,5 Millionen Euro", "vier Komma fünf Millionen Euro"),
        ("3 Mrd. € Umsatz", "drei Milliarden Euro Umsatz"),
        ("nur 0,99 €", "nur neunundneunzig Cent"),
        ("für 1 Euro", "für ein Euro"),
        ("€ 5", "fünf Euro"),
        ("1.250 EUR", "eintausendzweihundertfünfzig Euro"),
    ],
    "numbers": [
        ("12.500 Besucher", "zwölftausendfünfhundert Besucher"),
        ("3,14", "drei Komma eins vier"),
        ("1.000.000", "eine Million"),
        ("bei -3 Grad", "bei minus drei Grad"),
        ("10–15 Minuten", "zehn bis fünfzehn Minuten"),
        ("Tel. 030 1234567", "Telefon null drei null, eins zwei drei vier fünf sechs sieben"),
    ],
    "years": [
        ("Der Krieg endete 1945.", "Der Krieg endete neunzehnhundertfünfundvierzig."),
        ("1939–1945", "neunzehnhundertneununddreißig bis neunzehnhundertfünfundvierzig"),
        ("seit 2010", "seit zweitausendzehn"),
        ("1999 Menschen", "eintausendneunhundertneunundneunzig Menschen"),
    ],
    "ordinals": [
        ("Der 2. Weltkrieg", "Der zweite Weltkrieg"),
        ("im 21. Jahrhundert", "im einundzwanzigsten Jahrhundert"),
    ],
    "units_percent": [
        ("42,195 km", "zweiundvierzig Komma eins neun fünf Kilometer"),
        ("1 kg Mehl", "ein Kilogramm Mehl"),
        ("-3 °C", "minus drei Grad Celsius"),
        ("2,4 %", "zwei Komma vier Prozent"),
        ("50 km/h", "fünfzig Kilometer pro Stunde"),
    ],
    "roman": [
        ("Karl V. regierte.", "Karl der Fünfte regierte."),
        ("Heinrich VIII. heiratete sechsmal.", "Heinrich der Achte heiratete sechsmal."),
        ("Ludwig XIV. starb 1715.", "Ludwig der Vierzehnte starb siebzehnhundertfünfzehn."),
        ("Kapitel IV", "Kapitel vier"),
    ],
    "abbreviations": [
        ("z. B. Äpfel usw.", "zum Beispiel Äpfel und so weiter."),
        ("Dr. Weber und Prof. Berg", "Doktor Weber und Professor Berg"),
        ("d. h. ca. zehn", "das heißt circa zehn"),
        ("Goethestr. 5", "Goethestraße fünf"),
        ("S. 12", "Seite zwölf"),
        ("Johann S. Bach", "Johann S. Bach"),
        ("Mo–Fr geöffnet", "Montag bis Freitag geöffnet"),
        ("Nr. 5", "Nummer fünf"),
    ],
}


@pytest.mark.parametrize(("text", "spoken"), [pytest.param(t, s, id=f"{cat}-{i}") for cat, cases in CASES.items()
                                              for i, (t, s) in enumerate(cases)])
def test_german(text, spoken):
    assert normalize(text, "de-DE") == spoken


def test_swiss_german_writes_a_decimal_point():
    assert normalize("3.5 km und 1'250 Franken, CHF 12.50", "de-CH") == (
        "drei Komma fünf Kilometer und eintausendzweihundertfünfzig Franken, zwölf Franken und fünfzig Rappen")


SENTENCES = [
    ("Am 3. März öffnete der Markt. Dann regnete es.", ["Am 3. März öffnete der Markt.", "Dann regnete es."]),
    ("Ludwig XIV. war König. Er starb.", ["Ludwig XIV. war König.", "Er starb."]),
    ("Es gab z. B. Äpfel, Birnen usw. Danach gingen wir.", ["Es gab z. B. Äpfel, Birnen usw.", "Danach gingen wir."]),
    ("Dr. Weber kam. Prof. Berg nicht.", ["Dr. Weber kam.", "Prof. Berg nicht."]),
    ("Es kostet 3. Dann ging er.", ["Es kostet 3.", "Dann ging er."]),
    ("Vom 1. bis 3. Mai. Der Markt!", ["Vom 1. bis 3. Mai.", "Der Markt!"]),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCES, ids=[f"sentences-{i}" for i in range(len(SENTENCES))])
def test_german_sentences(text, expected):
    assert split_sentences(text, "de") == expected


# Issue 27, seventh round: read with `narrate script --phonemes` on a German file of our own.
SEVENTH_ROUND = [
    # the second of two days joined by "und"/"oder" takes the first's case
    ("Geöffnet am 14. und 15. Juni.", "Geöffnet am vierzehnten und fünfzehnten Juni."),
    ("Der 8. oder 9. April passt.", "Der achte oder neunte April passt."),
    # a date after "am <weekday>," is in the dative as the weekday is
    ("Wir treffen uns am Freitag, 12. Juli, im Park.", "Wir treffen uns am Freitag, zwölften Juli, im Park."),
    # "7,– €": whole euros, the cents written as a dash
    ("Der Eintritt kostet 7,– € und das Heft 3,-- EUR.", "Der Eintritt kostet sieben Euro und das Heft drei Euro."),
    # two capital letters are spelled ("EU" is no diphthong); a Roman numeral after a cue keeps the sentence's period
    ("Die EU zahlt. Lies Band II. Dann Band III weiter.",
     "Die E U zahlt. Lies Band zwei. Dann Band drei weiter."),
    # "N." before a small letter is an ordinal (no sentence ends there); before a word that starts a
    # sentence it is a number at a sentence's end
    ("Sie lief als 4. ins Ziel. Es kamen 9. Danach regnete es.",
     "Sie lief als vierter ins Ziel. Es kamen neun. Danach regnete es."),
    # a day and a month without a year, both with their periods
    ("Ab 27.12. geschlossen, wieder offen am 2.1.",
     "Ab siebenundzwanzigsten Dezember geschlossen, wieder offen am zweiten Januar."),
]


@pytest.mark.parametrize(("text", "expected"), SEVENTH_ROUND)
def test_german_seventh_round(text, expected):
    assert normalize(text, "de") == expected


# Issue 27, eighth round: German spells its initialisms, letter by letter, as German listeners expect;
# a listed acronym, a German word in capitals for emphasis and a text in capitals keep their words,
# written as words for the voice (espeak-ng spells a word in capitals it does not list).
EIGHTH_ROUND = [
    ("Im ICE nach Köln lief die ARD-Sendung nicht, die ARD zeigte sie später.",
     "Im I C E nach Köln lief die A R D-Sendung nicht, die A R D zeigte sie später."),
    ("Sie flog in die USA und kaufte einen VW.", "Sie flog in die U S A und kaufte einen V W."),
    ("Der ADAC half, die UNO tagte, der DAX fiel.", "Der A D A C half, die Uno tagte, der Dax fiel."),
    ("Das war NICHT der Plan, sondern DER Fehler. JETZT erst recht.",
     "Das war Nicht der Plan, sondern Der Fehler. Jetzt erst recht."),
    ("BITTE NICHT STÖREN", "Bitte Nicht Stören"),  # a word with an umlaut too (tenth round)
]


@pytest.mark.parametrize(("text", "expected"), EIGHTH_ROUND)
def test_german_eighth_round(text, expected):
    assert normalize(text, "de") == expected


# Issue 27, ninth round: a German word in capitals is given to the voice as a word; espeak-ng (the
# phonemizer of the Piper voices) spelled "JA" ("jot a"), "NUR", "DU", "WIE" when they were left in capitals.
@pytest.mark.parametrize(("text", "expected"), [
    ("Er sagte JA, aber NUR DU weißt WIE.", "Er sagte Ja, aber Nur Du weißt Wie."),
    ("Das ist SO nicht gemeint, die ARD sendet.", "Das ist So nicht gemeint, die A R D sendet."),
])
def test_german_ninth_round(text, expected):
    assert normalize(text, "de") == expected


# Issue 27, tenth round: capital words with umlauts are read by the same rule as the others: "TÜV" is said
# as a word (listed), "ÖBB" spelled (espeak-ng said it "öpp"), "FÜR", "ÜBEN" are German words. "ADAC" stays
# spelled: the IDS (Leibniz-Institut für Deutsche Sprache, grammis "Zur Aussprache von Kurzwörtern") names it
# with AOK and ARD among the letter words said by their letters' names, beside TÜV and FAZ said as words.
@pytest.mark.parametrize(("text", "expected"), [
    ("Der TÜV war FÜR heute bestellt.", "Der Tüv war Für heute bestellt."),
    ("Die ÖBB und der ÖAMTC melden Staus.", "Die Ö B B und der Ö A M T C melden Staus."),
    ("Bitte nicht STÖREN, wir ÜBEN.", "Bitte nicht Stören, wir Üben."),
    ("Der ADAC und die AOK helfen.", "Der A D A C und die A O K helfen."),
])
def test_german_tenth_round(text, expected):
    assert normalize(text, "de") == expected
