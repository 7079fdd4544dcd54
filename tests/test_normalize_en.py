"""normalize() for English, by category (issue 14), in US and GB English.

``CASES`` maps a category to (written, spoken) pairs in US English; ``GB_CASES``
and ``US_CASES`` hold what depends on the region. ``benchmarks/normalize.py``
counts and times them, so keep them plain data.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrate.speech.languages import speech_locale
from narrate.speech.lexicon import Entry, Lexicon
from narrate.speech.normalize import normalize, register, rules_for
from narrate.speech.sentences import split_sentences

# Every example in the first paragraph of issue 14, with what a listener should hear.
ISSUE_EXAMPLES = [
    ("Jan. 5", "January fifth"),
    ("JAN 15 2020", "January fifteenth, twenty twenty"),
    ("15.01.2020", "the fifteenth of January, twenty twenty"),
    ("(555)555-5555", "five five five, five five five, five five five five"),
    ("+1 123-123-5678", "plus one, one two three, one two three, five six seven eight"),
    ("$20.5", "twenty dollars and fifty cents"),
    ("$350/yr", "three hundred fifty dollars per year"),
    ("2x8", "two by eight"),
    ("1 mbps", "one megabit per second"),
    ("km³", "cubic kilometers"),
    ("5 km³", "five cubic kilometers"),
    ("1.59 p.m.", "one fifty-nine P M."),
    ("1.59 p.m.est", "one fifty-nine P M E S T"),
    ("1980-1970 kg", "one thousand nine hundred eighty to one thousand nine hundred seventy kilograms"),
    ("401(k)", "four oh one K"),
    ("a1b2", "A one B two"),
]

CASES: dict[str, list[tuple[str, str]]] = {
    "dates": [
        ("On Jan. 5 we met.", "On January fifth we met."),
        ("jan. 15", "January fifteenth"),
        ("jul 25 2012", "July twenty-fifth, twenty twelve"),
        ("SEPT. 15", "September fifteenth"),
        ("Sept 3", "September third"),
        ("JUNE 30", "June thirtieth"),
        ("December 25th, 2024", "December twenty-fifth, twenty twenty-four"),
        ("Jan-15-2020", "January fifteenth, twenty twenty"),
        ("25 December 2024", "the twenty-fifth of December, twenty twenty-four"),
        ("25th jul 2012", "the twenty-fifth of July, twenty twelve"),
        ("17 may 2010", "the seventeenth of May, twenty ten"),
        ("the top 5 may change", "the top five may change"),
        ("on the 4th of July, 1776", "on the fourth of July, seventeen seventy-six"),
        ("on the 26th May in the evening", "on the twenty-sixth of May in the evening"),
        ("25 sept.", "the twenty-fifth of September."),
        ("JAN 2020", "January twenty twenty"),
        ("On 2020-01-15 it snowed.", "On January fifteenth, twenty twenty it snowed."),
        ("2016/07/03", "July third, twenty sixteen"),
        ("2020.01.15", "January fifteenth, twenty twenty"),
        ("12/31/1999", "December thirty-first, nineteen ninety-nine"),
        ("11/17/05", "November seventeenth, oh five"),
        ("15-01-2020", "the fifteenth of January, twenty twenty"),
        ("Wed. 5 Jan. 2022", "Wednesday the fifth of January, twenty twenty-two"),
        ("Open Mon–Fri 9–5, Mon-Sat. in May.", "Open Monday to Friday nine to five, Monday to Saturday in May."),
        ("The Sun rose. He Sat down.", "The Sun rose. He Sat down."),
        ("version 1.2.10", "version one point two point ten"),
        ("the 1980s", "the nineteen eighties"),
        ("'80s", "eighties"),
        ("1960s-80s", "nineteen sixties to eighties"),
        ("44 BC", "forty-four B C"),
        ("340 A.D", "three forty A D"),
        ("200 BCE", "two hundred B C E"),
        ("AD 79", "A D seventy-nine"),
        ("We have seen growth in 2Q22", "We have seen growth in the second quarter of twenty-two"),
        ("Sales rose in Q3 2024.", "Sales rose in the third quarter of twenty twenty-four."),
    ],
    "money": [
        ("$0.99", "ninety-nine cents"),
        ("$.50", "fifty cents"),
        ("$1.00", "one dollar"),
        ("$2.000", "two dollars"),
        ("$20.01", "twenty dollars and one cent"),
        ("$1,925.21", "one thousand nine hundred twenty-five dollars and twenty-one cents"),
        ("$20.506", "twenty point five zero six dollars"),
        ("£1.20", "one pound and twenty pence"),
        ("£2.01", "two pounds and one penny"),
        ("₹500", "five hundred rupees"),
        ("€1.5m", "one point five million euros"),
        ("¥30b", "thirty billion yen"),
        ("$45 billion", "forty-five billion dollars"),
        ("1.4 billion yuan", "one point four billion yuan"),
        ("US$5", "five U S dollars"),
        ("EUR 12.50", "twelve euros and fifty cents"),
        ("30 GBP", "thirty pounds"),
        ("$12/hr", "twelve dollars per hour"),
        ("€2/kg", "two euros per kilogram"),
        ("$250-$300", "two hundred fifty dollars to three hundred dollars"),
        ("Earn $50k-$60k a year.", "Earn fifty thousand dollars to sixty thousand dollars a year."),
    ],
    "telephone": [
        ("Call 555-123-4567", "Call five five five, one two three, four five six seven"),
        ("555.123.4567", "five five five, one two three, four five six seven"),
        ("1-800-555-0199", "one, eight hundred, five five five, zero one nine nine"),
        ("(212) 555-0123", "two one two, five five five, zero one two three"),
        ("+1 (212) 555-0123", "plus one, two one two, five five five, zero one two three"),
        ("Call 555-123-4567 ext. 89",
         "Call five five five, one two three, four five six seven, extension eight nine"),
        ("+44 20 7946 0958", "plus four four, two zero, seven nine four six, zero nine five eight"),
        ("phone: 555-0199", "phone: five five five, zero one nine nine"),
        ("aged 100-1000", "aged one hundred to one thousand"),
        ("Call me on 07700 900123.", "Call me on zero seven seven zero zero, nine zero zero one two three."),
        ("Ring 0161 496 0000 today.", "Ring zero one six one, four nine six, zero zero zero zero today."),
    ],
    "times": [
        ("10:30 PM", "ten thirty P M"),
        ("10:30pm", "ten thirty P M"),
        ("10.30 P.M. today", "ten thirty P M today"),
        ("9 a.m", "nine A M"),
        ("1:00a.m. sharp", "one A M sharp"),
        ("9am EST", "nine A M E S T"),
        ("1:59 p.m. e.s.t", "one fifty-nine P M E S T"),
        ("at 07:05", "at seven oh five"),
        ("23:59", "twenty-three fifty-nine"),
        ("06:30:15", "six hours, thirty minutes and fifteen seconds"),
        ("9:00-17:00", "nine o'clock to seventeen hundred"),
        ("13:00 – 14:30", "thirteen hundred to fourteen thirty"),
        ("a 3.5 rating", "a three point five rating"),
    ],
    "measures": [
        ("5 m²", "five square meters"),
        ("41,459.00 km³", "forty-one thousand four hundred fifty-nine point zero zero cubic kilometers"),
        ("20 km/h", "twenty kilometers per hour"),
        ("3 mbps", "three megabits per second"),
        ("100 Mbps", "one hundred megabits per second"),
        ("3 GB/s", "three gigabytes per second"),
        ("12KG", "twelve kilograms"),
        ("30 °C", "thirty degrees Celsius"),
        ("-40ºF", "minus forty degrees Fahrenheit"),
        ("1,500 sq ft", "one thousand five hundred square feet"),
        ("5 mins", "five minutes"), ("2 wks", "two weeks"), ("5 yrs", "five years"),
        ("4 1/2 lbs", "four and a half pounds"),
        ("1½ kg", "one and a half kilograms"),
        ("3/4 mi", "three quarters of a mile"),
        ("1/2 oz", "half an ounce"),
        ("2 x 4 lumber", "two by four lumber"),
        ("1920×1080", "one thousand nine hundred twenty by one thousand eighty"),
        ("2x8 m2", "two by eight square meters"),
        ("10 cm x 20 cm", "ten centimeters by twenty centimeters"),
        ("3 × 4 = 12", "three times four equals twelve"),
        ("4.4x", "four point four x"),
        ("He's 6'2\" tall.", "He's six foot two tall."),
        ("100 million kg", "one hundred million kilograms"),
        ("12kg/kg", "twelve kilograms per kilogram"),
    ],
    "ranges": [
        ("5pm-7 pm", "five P M to seven P M"),
        ("2pm-5pm", "two P M to five P M"),
        ("4:00 am - 8:12 pm", "four A M to eight twelve P M"),
        ("from 9-5 pm", "from nine to five P M"),
        ("1234-123kg", "one thousand two hundred thirty-four to one hundred twenty-three kilograms"),
        ("2-5lb", "two to five pounds"),
        ("100-200 kg", "one hundred to two hundred kilograms"),
        ("10-20%", "ten to twenty percent"),
        ("1980-1986", "nineteen eighty to nineteen eighty-six"),
        ("1960-80", "nineteen sixty to eighty"),
        ("$150.25-$250.67",
         "one hundred fifty dollars and twenty-five cents to two hundred fifty dollars and sixty-seven cents"),
        ("a 3-2 vote", "a three-two vote"),
    ],
    "fractions": [
        ("3 1/2 cups", "three and a half cups"),
        ("1/3rd", "one third"),
        ("1/4th of it", "one fourth of it"),
        ("5/8ths", "five eighths"),
        ("2/3 of a cup", "two thirds of a cup"),
        ("½ cup", "one half cup"),
    ],
    "identifiers": [
        ("B2A23C", "B two A twenty-three C"),
        ("X5Z9Q", "X five Z nine Q"),
        ("your code is ab9453", "your code is A B nine four five three"),
        ("SN 4F7A22", "S N four F seven A two two"),
        ("serial number 445566", "serial number four four five five six six"),
        ("order number 88231", "order number eight eight two three one"),
        ("account no. 987654, order #4455",
         "account number nine eight seven six five four, order number four four five five"),
        ("order 500 units in case 100 people come", "order five hundred units in case one hundred people come"),
        ("PIN: 4455", "Pin: four four five five"),
        ("Beverly Hills, CA 90210", "Beverly Hills, California nine zero two one zero"),
        ("NY 10001-1234", "N Y one zero zero zero one, one two three four"),
        ("ZIP 10001", "Zip one zero zero zero one"),
        ("MP3 files", "M P three files"),
        ("MP3s", "M P threes"),
        ("W2", "W two"),
        ("1080p video", "ten eighty P video"),
        ("A4 paper and vitamin B12", "A four paper and vitamin B twelve"),
    ],
    "terms": [
        ("401(k)", "four oh one K"),
        ("403(b) plan", "four oh three B plan"),
        ("after 9/11", "after nine eleven"),
        ("open 24/7", "open twenty-four seven"),
        ("20/20 vision", "twenty twenty vision"),
    ],
    "roman": [
        ("Chapter XII", "Chapter twelve"),
        ("Book III", "Book three"),
        ("Volume II", "Volume two"),
        ("Act V", "Act five"),
        ("Act III, Scene ii", "Act three, Scene two"),
        ("see chapter iv", "see chapter four"),
        ("in part i think so", "in part i think so"),
        ("I think so, i.e. yes", "I think so, that is yes"),
        ("King Charles III", "King Charles the third"),
        ("King Olaf V", "King Olaf the fifth"),
        ("Queen Elizabeth II", "Queen Elizabeth the second"),
        ("Pope Benedict XVI", "Pope Benedict the sixteenth"),
        ("Pope John Paul II", "Pope John Paul the second"),
        ("Then I left.", "Then I left."),
    ],
}

# Numeric dates and dotted times follow the region; the same text differs.
US_CASES = [
    ("01/02/2020", "January second, twenty twenty"),
    ("2025-03-03", "March third, twenty twenty-five"),
    ("at 5.30", "at five point three zero"),
    ("a 50p coin", "a fifty P coin"),
]
GB_CASES = [
    ("01/02/2020", "the first of February, twenty twenty"),
    ("15/01/2020", "the fifteenth of January, twenty twenty"),
    ("2025-03-03", "the third of March, twenty twenty-five"),
    ("at 5.30", "at five thirty"),
    ("5.30pm", "five thirty P M"),
    ("£3.50", "three pounds and fifty pence"),
    ("a 50p coin", "a fifty pence coin"),
]


@pytest.mark.parametrize(("text", "expected"), ISSUE_EXAMPLES)
def test_issue_examples(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(("category", "text", "expected"),
                         [(c, t, e) for c, pairs in CASES.items() for t, e in pairs])
def test_category(category, text, expected):
    assert normalize(text, "en-US") == expected, category


@pytest.mark.parametrize(("text", "expected"), US_CASES)
def test_us_region(text, expected):
    assert normalize(text, "en-US") == expected
    assert normalize(text, "en") == expected  # plain English reads as US English


@pytest.mark.parametrize(("text", "expected"), GB_CASES)
def test_gb_region(text, expected):
    assert normalize(text, "en-GB") == expected


@pytest.mark.parametrize(("tag", "order"), [
    ("en", "mdy"), ("en-US", "mdy"), ("en-GB", "dmy"), ("en-AU", "dmy"), ("en-IN", "dmy"), ("en-CA", "ymd"),
    ("de-DE", "dmy"), ("ja", "ymd"), ("en_GB", "dmy"), ("zz-ZZ", "mdy"), ("", "mdy"), ("not a tag!", "mdy"),
])
def test_date_order_comes_from_the_region(tag, order):
    assert speech_locale(tag).date_order == order


def test_locale_knows_the_decimal_separator_and_the_parts_of_the_tag():
    gb, de, zh = speech_locale("en-GB"), speech_locale("de-AT"), speech_locale("zh-Hant-TW")
    assert (gb.language, gb.region, gb.decimal) == ("en", "GB", ".")
    assert (de.language, de.region, de.decimal, de.date_order) == ("de", "AT", ",", "dmy")
    assert (zh.language, zh.region) == ("zh", "TW")


def test_other_regions_read_numeric_dates_their_way():
    assert normalize("03/04/2021", "en-AU") == "the third of April, twenty twenty-one"
    assert normalize("03/04/2021", "en-CA") == "March fourth, twenty twenty-one"
    # an impossible month swaps the order rather than reading nonsense
    assert normalize("13/04/2021", "en-US") == "the thirteenth of April, twenty twenty-one"
    assert normalize("04/13/2021", "en-GB") == "April thirteenth, twenty twenty-one"


def test_abbreviated_months_never_end_a_sentence():
    assert split_sentences("We met on Jan. 5 at noon. It rained.") == ["We met on Jan. 5 at noon.", "It rained."]
    assert split_sentences("On SEPT. 15 we left.") == ["On SEPT. 15 we left."]
    assert split_sentences("Due Feb. 3, 2020. Next.") == ["Due Feb. 3, 2020.", "Next."]
    assert split_sentences("We met in Jan. The snow fell.") == ["We met in Jan.", "The snow fell."]
    assert split_sentences("It ends at 1:59 p.m. EST on Friday. Go.") == ["It ends at 1:59 p.m. EST on Friday.", "Go."]


def test_lexicon_wins_over_every_rule():
    lexicon = Lexicon([Entry("401(k)", alias="four-oh-one-kay"), Entry("Jan", alias="Jan the baker"),
                       Entry("2x8", alias="two-by-eight board"), Entry("USD", alias="greenbacks")])
    for text, expected in [
        ("My 401(k) grew.", "My four-oh-one-kay grew."),
        ("Jan 5 came.", "Jan the baker five came."),
        ("A 2x8 and USD 5.", "A two-by-eight board and greenbacks five."),
    ]:
        assert normalize(lexicon.apply(text, mark=True)) == expected


def test_languages_have_a_seam_for_their_own_rules():
    assert rules_for("en-GB") is rules_for("en")
    assert rules_for("xx") is None
    register("xx", lambda text, locale, options: f"{locale.region}:{text}")
    try:
        assert normalize("42 words", "xx-YY") == "YY:42 words"
    finally:
        from narrate.speech import normalize as module
        module._LANGUAGES.pop("xx")
    assert normalize("42 words", "xx-YY") == "42 words"


_WORDS = ["apple", "river", "quiet", "house", "green", "running", "table", "under"]
_FORMS = [text for pairs in CASES.values() for text, _ in pairs] + [text for text, _ in ISSUE_EXAMPLES]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.sampled_from(_FORMS),
                          st.sampled_from(["-", "–", "/", "x", ",", ".", "(", ")", "p.m.", "$"])), max_size=20),
       st.sampled_from(["en", "en-US", "en-GB"]))
def test_no_word_is_lost_next_to_any_form(tokens, language):
    text = " ".join(tokens)
    out = normalize(text, language).lower()
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in _WORDS:
            assert re.search(rf"\b{word}\b", out), (text, out)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 -/.:,$£€()+xkmp²³%apmAPM")), max_size=30),
       st.sampled_from(["en", "en-GB"]))
def test_every_digit_is_read_and_the_neighbours_kept(text, language):
    out = normalize(f"apple {text} river", language)
    assert out.startswith("apple") and out.endswith("river")
    assert not re.search("[0-9]", out), (text, out)


def test_narrate_script_reads_by_the_document_language_and_region(make_project):
    import subprocess
    import sys

    article = """
        ---
        title: Notes
        language: {tag}
        ---

        Reopens on 01/02/2026 at 9.30am. Paid $20.5 on Jan. 5 for 2x8 boards; call 555-123-4567 ext. 12.
        """
    root = make_project({"content/gb.md": article.format(tag="en-GB"), "content/us.md": article.format(tag="en-US")})
    spoken = {}
    for slug in ("gb", "us"):
        proc = subprocess.run([sys.executable, "-m", "narrate", "script", slug, "--project", str(root)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        spoken[slug] = proc.stdout
    assert "Reopens on the first of February, twenty twenty-six at nine thirty A M." in spoken["gb"]
    assert "Reopens on January second, twenty twenty-six at nine thirty A M." in spoken["us"]
    for slug, day in (("gb", "January the fifth"), ("us", "January fifth")):  # "Jan." and "ext." end no sentence
        assert (f"Paid twenty dollars and fifty cents on {day} for two by eight boards; call five five five, "
                "one two three, four five six seven, extension one two.") in spoken[slug]
