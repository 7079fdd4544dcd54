"""What listeners hear (issue 27): readings that were wrong, in this project's own wording."""

from __future__ import annotations

import pytest

from narrate.speech.normalize import normalize
from narrate.speech.sentences import split_sentences

READINGS = [
    # abbreviations before a number, never a sentence's end
    ("The school is in Dist. 4 of the city.", "The school is in District four of the city."),
    ("Read sec. 2 first.", "Read section two first."),
    # a measure used as an adjective is singular
    ("They ran a 10 km course.", "They ran a ten-kilometer course."),
    ("It was a three miles walk.", "It was a three-mile walk."),
    ("a 2-kg bag of rice", "a two-kilogram bag of rice"),
    ("an 8 hours shift", "an eight-hour shift"),
    # alternatives written with a slash
    ("Phones with 4G/5G radios", "Phones with four G or five G radios"),
    # a list marker or legal reference glued to a number is kept as a letter, never ©
    ("Under rule 7(b) it stands.", "Under rule seven (b) it stands."),
    # identifiers: digit by digit, in their groups
    ("ISBN 1-55860-832-X", "I S B N one, five five eight six zero, eight three two, X"),
    ("ISSN 1234-5679", "I S S N one two three four, five six seven nine"),
    ("Order 3-14159-26535-8 today", "Order three, one four one five nine, two six five three five, eight today"),
    # web addresses: country endings, digits as names
    ("Visit archive.org.nz or kunst.at for scans.", "Visit archive dot org dot N Z or kunst dot at for scans."),
    ("Mail desk4521@news.example.com", "Mail desk four five two one at news dot example dot com"),
    ("See example.org/issue/20230417 now",
     "See example dot org slash issue slash two zero two three zero four one seven now"),
    # abbreviations in lower case, without a period, and addresses
    ("We met at st Anne's hall.", "We met at Saint Anne's hall."),
    ("They climbed mt Kenya.", "They climbed Mount Kenya."),
    ("Ask Bill Hart Jr about it.", "Ask Bill Hart Junior about it."),
    ("It is in vol 2.", "It is in volume two."),
    ("Turn left at 417 W. Oak Street.", "Turn left at four seventeen West Oak Street."),
    ("The office is on Park Ave, near the bank.", "The office is on Park Avenue, near the bank."),
    ("Send it to Austin, TX 73301.", "Send it to Austin, Texas seven three three zero one."),
    # acronyms: spelled unless they can be said as a word
    ("The AIAA and the IUPAC agreed.", "The A I A A and the I U P A C agreed."),
    ("Members of the AAAS met.", "Members of the A A A S met."),
    # units over a slash, scales, ISO times, Roman numerals after a title
    ("a density of 1.2 g/cm3", "a density of one point two grams per cubic centimeter"),
    ("in g/cm3 as usual", "in grams per cubic centimeter as usual"),
    ("about 40.5/km² in the valley", "about forty point five per square kilometer in the valley"),
    ("a map at 1:50000", "a map at one to fifty thousand"),
    ("The launch is at 06:30:00Z.", "The launch is at six thirty U T C."),
    ("We played Dragon Quest V again.", "We played Dragon Quest five again."),
    ("Malcolm X spoke first.", "Malcolm X spoke first."),
    ("the TURBO WIDGET II model", "the turbo widget two model"),
    # glued and leftover signs
    ("The call is at 9:45PST.", "The call is at nine forty-five P S T."),
    ("Count 3...7 slowly", "Count three...seven slowly"),
    ("We need 40boxes", "We need forty boxes"),
    ("Rates: % of sales, in $ only", "Rates: percent of sales, in dollar only"),
    ("Ping me @12 or use C++", "Ping me at twelve or use C plus plus"),
    ("Mail it to 90210-1234.", "Mail it to nine zero two one zero, one two three four."),
    ("Call (415)-555-0134.", "Call four one five, five five five, zero one three four."),
    ("Pay with the card ending in 4417.", "Pay with the card ending in four four one seven."),
    ("We wrote it in F# and tagged it #release#", "We wrote it in F sharp and tagged it hashtag release hash"),
    ("Turnover was 12.5 million HRK.", "Turnover was twelve point five million kuna."),
    ("It sold for PLN 300.", "It sold for three hundred zlotys."),
    ("a 7 nm process", "a seven-nanometer process"),
    ("Pressure fell to 990 hPa.", "Pressure fell to nine hundred ninety hectopascals."),
    # scores and fractions in running text
    ("The match ended 2-0.", "The match ended two to nothing."),
    ("a 4-3 victory at home", "a four to three victory at home"),
    ("Fit a 1/2-inch pipe.", "Fit a half-inch pipe."),
    ("Use a 3/4-inch bolt.", "Use a three-quarter-inch bolt."),
    # mathematical signs
    ("if x≤4 then y≠0", "if x less than or equal to four then y not equal to zero"),
    ("3*7=21", "three times seven equals twenty-one"),
    ("5-3=2", "five minus three equals two"),
    ("a=b+c", "a equals b plus c"),
    ("It is 3±1 cm.", "It is three plus or minus one centimeter."),
]


@pytest.mark.parametrize(("text", "expected"), READINGS)
def test_heard_reading(text, expected):
    assert normalize(text) == expected


def test_a_measure_is_singular_only_before_its_noun():
    assert normalize("a 10 km course, then 3 km more; the 4 km of the route") == \
        "a ten-kilometer course, then three kilometers more; the four kilometers of the route"


def test_an_abbreviation_before_a_number_ends_no_sentence():
    assert split_sentences("He works in Dist. 9 now. It is far.") == ["He works in Dist. 9 now.", "It is far."]


def test_quoted_speech_and_its_tag_are_one_sentence():
    assert split_sentences("“Where to?” Morgan asked. Nobody knew.") == ["“Where to?” Morgan asked.", "Nobody knew."]
    assert split_sentences("“Enough!” Lee Ann shouted. The room went quiet.") == \
        ["“Enough!” Lee Ann shouted.", "The room went quiet."]
    assert split_sentences("“Stay.” Then she left.") == ["“Stay.”", "Then she left."]


def test_an_acronym_is_spelled_unless_it_can_be_said():
    said = {w: normalize(f"the {w} report") for w in ("NASA", "UNESCO", "VERY", "ASCE", "IUCN", "OECD", "JSON")}
    assert said == {"NASA": "the Nasa report", "UNESCO": "the Unesco report", "VERY": "the very report",
                    "ASCE": "the A S C E report", "IUCN": "the I U C N report", "OECD": "the O E C D report",
                    "JSON": "the J S O N report"}


def _chapters(markdown: str):
    from narrate.sources.reader import parse_body

    return parse_body(markdown, path="a.md", first_line=1, title="T", split_sections=False,
                      resolve_asset=lambda src, pos: src, warnings=[])


def test_typography_changes_only_quotes_and_dashes():
    from narrate.model import plain_text

    text = plain_text(_chapters('See Section 12(c), (r) and (tm) -- "so" +- 3... ok---fine\n')[0].blocks[0].children)
    assert text == "See Section 12(c), (r) and (tm) – “so” +- 3... ok—fine"


def test_a_prime_after_a_digit_is_no_quote():
    """Feet and inches written with straight marks keep them in the display text (EPUB, transcript,
    captions); a quote that closes after a digit and an apostrophe before a letter are still typographic."""
    from narrate.model import plain_text

    text = plain_text(_chapters('She is 4\'11" and wants a 12" pizza, a 6\' 2" friend said "pick 12" in the '
                                "1990's, 'all 3'.\n")[0].blocks[0].children)
    assert text == "She is 4'11\" and wants a 12\" pizza, a 6' 2\" friend said “pick 12” in the 1990’s, ‘all 3’."


@pytest.mark.parametrize(("markdown", "printed", "spoken"), [
    ('Ana wrote "the shelf is 9" deep" on the plan.\n',
     'Ana wrote “the shelf is 9" deep” on the plan.', "the shelf is nine inches deep"),
    ('"Bring the 14" skillet," Omar called, *"and the 3" ladle"* too.\n',
     '“Bring the 14" skillet,” Omar called, “and the 3" ladle” too.', "and the three-inch ladle"),
    ('Omar said "use 2" and "keep 5" then.\n', "Omar said “use 2” and “keep 5” then.", "keep five”"),
    ('"It was 7" she said\n', "“It was 7” she said", "It was seven”"),
])
def test_an_inch_mark_inside_a_quotation_is_printed_as_written(markdown, printed, spoken):
    """Typography changes quotes, and an inch mark is none: the page keeps the author's straight mark
    where the voice says "inches", and curls the marks the voice takes for quotes (one rule for both)."""
    from narrate.model import plain_text

    text = plain_text(_chapters(markdown)[0].blocks[0].children)
    assert text == printed
    assert spoken in normalize(text)


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("de", "Laut Absatz 3(b) gilt ISBN 3-16-148410-0.",
     "Laut Absatz drei (b) gilt I S B N drei, eins sechs, eins vier acht vier eins null, null."),
    ("de", "Die IUCN und die NATO", "Die I U C N und die Nato"),
    ("fr", "Selon l'article 4(c), l'OCDE", "Selon l'article quatre (c), l'O C D E"),
    ("es", "la ISSN 2049-3630 de la OCDE", "la I S S N dos cero cuatro nueve, tres seis tres cero de la O C D E"),
])
def test_other_languages_read_identifiers_markers_and_acronyms(language, text, expected):
    assert normalize(text, language) == expected


def test_a_quoted_number_is_printed_and_said_as_a_quotation():
    """A number a quotation opens right before ('"7.25"') is quoted in print and in speech, even when a
    later mark could close the quotation; the inch mark after a bare number is kept."""
    from narrate.model import plain_text

    source = 'Enter "7.25" or 8" here.\n'
    text = plain_text(_chapters(source)[0].blocks[0].children)
    assert text == 'Enter “7.25” or 8" here.'
    assert normalize(source.strip(), "en-US") == 'Enter "seven point two five" or eight inches here.'
