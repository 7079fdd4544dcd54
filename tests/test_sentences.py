"""split_sentences(): cut at sentence ends, not at abbreviations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrate.speech.sentences import split_sentences


@pytest.mark.parametrize(("text", "expected"), [
    ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
    ("Dr. Smith met Mr. Jones. They talked.", ["Dr. Smith met Mr. Jones.", "They talked."]),
    ("Mrs. Lee and Ms. Park left. Bye.", ["Mrs. Lee and Ms. Park left.", "Bye."]),
    ("We visited St. Paul today. It rained.", ["We visited St. Paul today.", "It rained."]),
    ("Fruit, e.g. apples, i.e. ripe ones. Thanks.", ["Fruit, e.g. apples, i.e. ripe ones.", "Thanks."]),
    ("Apples, pears, etc. are fine. Go.", ["Apples, pears, etc. are fine.", "Go."]),
    ("Apples, pears, etc. The list ends.", ["Apples, pears, etc.", "The list ends."]),
    ("The U.S. Army came. It left.", ["The U.S. Army came.", "It left."]),
    ("He lives in the U.S. The weather is nice.", ["He lives in the U.S.", "The weather is nice."]),
    ("J. R. R. Tolkien wrote it. It sold.", ["J. R. R. Tolkien wrote it.", "It sold."]),
    ("Pi is 3.14 wide. Yes.", ["Pi is 3.14 wide.", "Yes."]),
    ("We met at 7 p.m. and left. Then we ate.", ["We met at 7 p.m. and left.", "Then we ate."]),
    ("Ali vs. Frazier was long. Ali won.", ["Ali vs. Frazier was long.", "Ali won."]),
    ("See No. 5 first. Then go.", ["See No. 5 first.", "Then go."]),
    ("“Stop!” she said. “Really?” He nodded.", ["“Stop!” she said.", "“Really?”", "He nodded."]),
    ('He said "go." Then he left.', ['He said "go."', "Then he left."]),
    ("(It was late.) We slept.", ["(It was late.)", "We slept."]),
    ("Wait... what? Fine… Then go.", ["Wait... what?", "Fine…", "Then go."]),
    ("It was 1999. The end.", ["It was 1999.", "The end."]),
    ("   ", []),
    ("", []),
    ("No end", ["No end"]),
    ("Line one.\nLine  two.", ["Line one.", "Line two."]),
    ("We met on Jan. 5 at noon. It rained.", ["We met on Jan. 5 at noon.", "It rained."]),
    ("Due SEPT. 15, 2020. Next.", ["Due SEPT. 15, 2020.", "Next."]),
    ("We met in Dec. The snow fell.", ["We met in Dec.", "The snow fell."]),
    ("It ends at 1:59 p.m. EST on Friday. Go.", ["It ends at 1:59 p.m. EST on Friday.", "Go."]),
    ("Call 555-0100 ext. 12 now. Bye.", ["Call 555-0100 ext. 12 now.", "Bye."]),
    ("In 44 B.C. Caesar died. Then Rome changed.", ["In 44 B.C. Caesar died.", "Then Rome changed."]),
])
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_a_language_can_bring_its_own_abbreviations():
    from narrate.speech import sentences

    # "qaa" (private use): a language nobody registers, so the test leaves German's own lists alone
    text = "Am 3. März z. B. kam er. Dann ging er."
    assert split_sentences(text, "qaa") == ["Am 3.", "März z. B. kam er.", "Dann ging er."]  # English lists
    sentences.register("qaa", sentences.Abbreviations(
        never_final=frozenset({"z", "b", "3"}), maybe_final=frozenset(), starters=frozenset({"Dann"})))
    try:
        assert split_sentences(text, "qaa-AT") == ["Am 3. März z. B. kam er.", "Dann ging er."]
    finally:
        sentences._LANGUAGES.pop("qaa")


def test_other_languages_split_too():
    assert split_sentences("Bonjour. Ça va ?", "fr") == ["Bonjour.", "Ça va ?"]


_PIECES = st.sampled_from(["Dr.", "Mr.", "etc.", "U.S.", "J.", "3.14", "p.m.", "word", "Word", "The", "...",
                           "…", "?", "!", "”", "“", ".", "e.g.", " ", "\n", "a", "It"])


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.lists(_PIECES, max_size=30).map(" ".join)))
def test_only_whitespace_is_lost(text):
    pieces = split_sentences(text)
    assert " ".join(pieces) == " ".join(text.split())
    assert all(piece.strip() == piece and piece for piece in pieces)
