"""Run-together names in web and e-mail addresses are said as their words (speech/wordsplit).

Each case pairs a name that is split with one that must stay as it is, so every case fails
on the code before the split existed and still checks the guard."""

from __future__ import annotations

import pytest

from narrate.speech.normalize import normalize

CASES = [
    # the mailbox and the host both run words together
    ("Send proofs to pressoffice@riverbooks.net.", "Send proofs to press office at river books dot net."),
    # a dictionary word is never cut, even where a cut gives words ("the rapist")
    ("Orders go to customerservice@therapist.org", "Orders go to customer service at therapist dot org"),
    # path segments split too; "nowhere" is a word ("now here", "no where" are not read into it)
    ("See www.gardenjournal.org/seasonalrecipes and nowhere.com",
     "See garden journal dot org slash seasonal recipes and nowhere dot com"),
    # two readings about as likely ("pen island", "penis land"): the name is left whole
    ("Ask bookreviews@penisland.net", "Ask book reviews at penisland dot net"),
    # a name common on the web as it is (a brand) stays; letters without a vowel stay to be spelled;
    # digits are said digit by digit as before
    ("Mail frontdesk@bbc.co.uk or team42@nytimes.com",
     "Mail front desk at B B C dot co dot uk or team four two at nytimes dot com"),
    ("wikipedia.org/wiki/poetryfoundation", "wikipedia dot org slash wiki slash poetry foundation"),
    # the likelier reading wins when it is clearly likelier ("kid sex change" is far less likely)
    ("kidsexchange.org and nvidia.com", "kids exchange dot org and nvidia dot com"),
    # a reading with a rarer word ("kirkus", "insta") likelier than every split of common words:
    # no "kirk us reviews", no "in stag ram"
    ("kirkusreviews.com/bookreviews", "kirkusreviews dot com slash book reviews"),
    ("instagram.com/gardenjournal", "instagram dot com slash garden journal"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_a_run_together_name_in_an_address_is_said_as_words(text, expected):
    assert normalize(text) == expected


def test_capitals_and_single_letters_are_not_split():
    # a name written with capitals has its own word edges, and a one-letter piece is an initial,
    # not a word; so neither is cut; the path beside them is
    assert normalize("OurTown.org/jsmith/springcatalogue") == (
        "OurTown dot org slash jsmith slash spring catalogue")


def test_a_hashtag_is_split_like_an_address():
    # typed without spaces for the same reason; a word, a capitalized tag and a tag glued to
    # more text stay as they were
    assert normalize("Tag it #bookclub or #amwriting, not #therapist, #BookClub or #release#") == (
        "Tag it hashtag book club or hashtag am writing, not hashtag therapist, hashtag BookClub "
        "or hashtag release hash")


def test_the_article_is_a_piece_and_a_repeated_letter_is_no_words():
    # "a" is a word of its own ("this is a very", never "this is avery"); a name of one or two
    # letters over and over ("aaaaaaaa") is not words run together and stays whole
    assert normalize("Visit takeabreak.org/thisisaverylongwalk or mail aaaaaaaa@example.org") == (
        "Visit take a break dot org slash this is a very long walk or mail aaaaaaaa at example dot org")
    assert normalize("Tag it #adayinthelife") == "Tag it hashtag a day in the life"
