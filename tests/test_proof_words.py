"""Flagging for proof-listening: precision on ordinary English, recall on names, readings."""

from __future__ import annotations

from proof_text import NAMES, ORDINARY

from narrate.proof.flags import flag_script, known_words
from narrate.proof.words import known, words_in
from narrate.speech.lexicon import Entry, Lexicon
from narrate.speech.pronounce import choices
from narrate.speech.script import Script, ScriptChapter, Segment
from narrate.speech.sentences import split_sentences


def script_of(text: str, language: str = "en-US") -> Script:
    segments = []
    for p, paragraph in enumerate(text.strip().split("\n\n"), 1):
        for s, sentence in enumerate(split_sentences(" ".join(paragraph.split()), "en"), 1):
            segments.append(Segment(f"p{p}-s{s}", f"p{p}", sentence, sentence, 350))
    return Script("t", "T", language, (ScriptChapter("c1", "One", tuple(segments)),))


def nothing_known(word: str) -> bool:
    return False


def test_precision_on_a_long_ordinary_text():
    flagged = flag_script(script_of(ORDINARY), nothing_known)
    words = {f.word for f in flagged if f.reason in ("unknown", "acronym")}
    distinct = {w.lower() for _, _, w in words_in(ORDINARY)}
    assert len(distinct) > 400
    assert len(words) <= 0.01 * len(distinct), words
    assert words <= NAMES  # every flagged word is a name, an acronym or a coinage …
    assert words >= NAMES - {"Thibodeaux"}  # … and every unknown one is flagged (CMUdict lists Thibodeaux)


def test_common_words_and_their_forms_are_known():
    for word in ("the", "harbour", "unhurriedly", "glittered", "children's", "sideways", "headland", "Sunday"):
        assert known(word), word
    for word in ("Okonkwo", "glimmerwork", "Quillfeather", "Siobhánne"):
        assert not known(word), word


def test_lexicon_and_accepted_words_are_not_flagged():
    text = "Okonkwo met Quillfeather and Zyzzogeton at the BBC. Okonkwo waved."
    lexicon = Lexicon([Entry("Quillfeather", alias="quill feather")])
    flagged = flag_script(script_of(text), known_words(["okonkwo", "BBC"], lexicon.lookup))
    assert [(f.word, f.reason, f.count) for f in flagged] == [("Zyzzogeton", "unknown", 1)]
    everything = {f.word: f for f in flag_script(script_of(text), nothing_known)}
    assert everything["Okonkwo"].count == 2 and everything["Okonkwo"].segments == ["p1-s1", "p1-s2"]
    assert everything["BBC"].reason == "acronym"


def test_acronyms_say_how_they_are_read():
    flagged = {f.word: f for f in flag_script(script_of("The BBC and NASA met the FBI's staff."), nothing_known)}
    assert flagged["BBC"].spoken == "B B C (as letters)"
    assert flagged["NASA"].spoken == "Nasa (as a word)"
    assert flagged["FBI"].spoken == "F B I (as letters)"  # the possessive is the same acronym


def test_heteronyms_list_the_reading_the_voice_is_given():
    text = "The wind rose. She will wind the clock. The clock was wound. He read the lead story."
    voice = {f.word: f for f in flag_script(script_of(text), nothing_known,
                                            choices=lambda spoken: choices(spoken, "en-US"))}
    assert voice["wind"].count == 2
    assert "/wˈɪnd/ moving air (NN) ×1" in voice["wind"].spoken
    assert "/wˈaɪnd/ to turn (VB) ×1" in voice["wind"].spoken
    assert voice["wound"].spoken == "/wˈaʊnd/ turned, wrapped (VBN)"
    assert voice["read"].spoken == "/ɹˈɛd/ past tense (VBD)"
    assert voice["lead"].spoken.startswith("the voice's own")
    text_only = {f.word: f for f in flag_script(script_of(text), nothing_known)}  # gTTS: no readings given
    assert text_only["read"].spoken.startswith("the voice's own")



def test_numbers_dates_units_and_abbreviations_have_spoken_forms():
    text = "At 6:15 on March 3, 2025, Dr. Smith paid $12.50 for 12 km, 5% more."
    spoken = {f.word: f.spoken for f in flag_script(script_of(text), nothing_known) if f.reason == "number"}
    assert "Smith" not in {f.word for f in flag_script(script_of(text), nothing_known)}
    assert "Okonkwo" in {f.word for f in flag_script(script_of("Dr. Okonkwo came."), nothing_known)}
    assert spoken == {"6:15": "six fifteen", "March 3, 2025": "March third, twenty twenty-five",
                      "Dr. Smith": "Doctor Smith", "$12.50": "twelve dollars and fifty cents",
                      "12 km": "twelve kilometers", "5%": "five percent"}


def test_lexicon_lines_are_valid_toml_and_pls():
    import tomllib
    import xml.etree.ElementTree as ET

    flag = flag_script(script_of('Zoë "Quill" Okonkwo-Smythe & co.'), nothing_known)
    for f in flag:
        assert tomllib.loads(f.toml_line) == {f.word: f.alias}
        lexeme = ET.fromstring(f.pls_line)
        assert lexeme.findtext("grapheme") == f.word and lexeme.findtext("alias") == f.alias


def test_other_languages_skip_the_english_dictionary():
    flagged = flag_script(script_of("Der Wanderer sah 12 km weiter die UNO.", "de"), nothing_known)
    assert {f.reason for f in flagged} == {"number", "acronym"}
