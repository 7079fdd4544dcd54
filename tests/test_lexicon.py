"""Lexicons: PLS and TOML files, whole-word replacement, errors that name the file."""

from __future__ import annotations

import pytest

from narrate.errors import SpeechError
from narrate.speech.lexicon import Entry, Lexicon, load_lexicon, load_lexicons
from narrate.speech.normalize import normalize

PLS = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="en">
  <lexeme>
    <grapheme>Siobhán</grapheme>
    <alias>shiv-AWN</alias>
  </lexeme>
  <lexeme>
    <grapheme>Nguyen</grapheme>
    <phoneme>wɪn</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>Leicester</grapheme>
    <grapheme>Leics</grapheme>
    <phoneme alphabet="x-sampa">"lEst@</phoneme>
    <alias>Lester</alias>
  </lexeme>
</lexicon>
"""


@pytest.fixture
def files(tmp_path):
    def write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_pls_aliases_and_phonemes(files):
    lexicon = load_lexicon(files("names.pls", PLS))
    assert len(lexicon) == 4
    assert lexicon.lookup("Siobhán") == Entry("Siobhán", alias="shiv-AWN")
    assert lexicon.lookup("Nguyen") == Entry("Nguyen", phoneme="wɪn", alphabet="ipa")
    leics = lexicon.lookup("Leics")
    assert leics is not None and leics.alias == "Lester" and leics.alphabet == "x-sampa"
    # a phoneme-only word is left as written for text-only engines
    assert lexicon.apply("Siobhán met Nguyen in Leicester.") == "shiv-AWN met Nguyen in Lester."


def test_pls_without_namespace(files):
    text = "<lexicon><lexeme><grapheme>GIF</grapheme><alias>jif</alias></lexeme></lexicon>"
    assert load_lexicon(files("plain.xml", text)).apply("a GIF") == "a jif"


def test_toml_aliases(files):
    path = files("lexicon.toml", '[aliases]\n"Siobhán" = "shiv-AWN"\n"New York" = "noo york"\n')
    lexicon = load_lexicon(path)
    assert lexicon.apply("Siobhán flew to New  York.") == "shiv-AWN flew to noo york."


def test_toml_without_aliases_is_empty(files):
    assert not load_lexicon(files("voice.toml", 'name = "joe"\n'))


def test_whole_words_only():
    lexicon = Lexicon([Entry("Ann", alias="Anne")])
    assert lexicon.apply("Ann, Annie and Joanna; ann-marie") == "Anne, Annie and Joanna; ann-marie"


def test_exact_case_first_then_any_case():
    lexicon = Lexicon([Entry("Polish", alias="POH-lish"), Entry("polish", alias="PAH-lish")])
    assert lexicon.apply("Polish polish POLISH") == "POH-lish PAH-lish POH-lish"
    assert Lexicon([Entry("Nasa", alias="nah-sa")]).apply("NASA") == "nah-sa"


def test_longest_entry_wins():
    lexicon = Lexicon([Entry("York", alias="yawk"), Entry("New York", alias="noo yawk")])
    assert lexicon.apply("New York and York") == "noo yawk and yawk"


def test_earlier_files_win(files):
    first = files("a.toml", '[aliases]\n"Cholmondeley" = "Chumley"\n')
    second = files("b.toml", '[aliases]\n"Cholmondeley" = "Cholmondeley"\n"Mainwaring" = "Mannering"\n')
    lexicon = load_lexicons([first, second])
    assert lexicon.apply("Cholmondeley Mainwaring") == "Chumley Mannering"


def test_lexicon_wins_over_normalization():
    lexicon = Lexicon([Entry("Dr.", alias="Doctor Who"), Entry("MMXXV", alias="twenty twenty-five"),
                       Entry("R2D2", alias="R two D two"), Entry("1984", alias="Nineteen Eighty-Four")])
    marked = lexicon.apply("Dr. MMXXV read 1984 with R2D2 on 3rd May", mark=True)
    assert normalize(marked) == (
        "Doctor Who twenty twenty-five read Nineteen Eighty-Four with R two D two on the third of May")
    # the alias itself is not normalized again: "BBC" in an alias is not spelled out
    assert normalize(Lexicon([Entry("Beeb", alias="BBC 1")]).apply("the Beeb", mark=True)) == "the BBC 1"


def test_malformed_xml_names_file_and_line(files):
    path = files("bad.pls", "<lexicon>\n<lexeme>\n<grapheme>x</alias>\n</lexeme>\n</lexicon>\n")
    with pytest.raises(SpeechError) as info:
        load_lexicon(path)
    assert info.value.path == str(path) and info.value.line == 3
    assert str(info.value).startswith(f"{path}:3: expected well-formed XML")


def test_doctype_is_refused(files):
    text = ('<?xml version="1.0"?>\n<!DOCTYPE lexicon [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            "<lexicon><lexeme><grapheme>a</grapheme><alias>&x;</alias></lexeme></lexicon>\n")
    with pytest.raises(SpeechError) as info:
        load_lexicon(files("evil.pls", text))
    assert info.value.line == 2 and "document type" in info.value.message


def test_lexeme_errors_name_the_line(files):
    text = ("<lexicon>\n<lexeme><grapheme>a</grapheme><alias>b</alias></lexeme>\n"
            "<lexeme>\n<alias>c</alias>\n</lexeme>\n</lexicon>")
    with pytest.raises(SpeechError) as info:
        load_lexicon(files("missing.pls", text))
    assert info.value.line == 3 and "<grapheme>" in info.value.message
    text = "<lexicon>\n<lexeme><grapheme>a</grapheme></lexeme>\n</lexicon>"
    with pytest.raises(SpeechError, match="alias"):
        load_lexicon(files("empty.pls", text))


def test_wrong_root_element(files):
    with pytest.raises(SpeechError, match="<lexicon>"):
        load_lexicon(files("x.xml", "<html/>"))


def test_bad_toml(files):
    with pytest.raises(SpeechError) as info:
        load_lexicon(files("lex.toml", '[aliases]\n"a" = "b"\n"c" = \n'))
    assert info.value.line == 3
    with pytest.raises(SpeechError, match='string alias for "a"'):
        load_lexicon(files("lex2.toml", '[aliases]\n"a" = 3\n'))
    with pytest.raises(SpeechError, match="table"):
        load_lexicon(files("lex3.toml", 'aliases = "x"\n'))


def test_unreadable_and_unknown_files(tmp_path, files):
    with pytest.raises(SpeechError) as info:
        load_lexicon(tmp_path / "missing.toml")
    assert info.value.path == str(tmp_path / "missing.toml")
    with pytest.raises(SpeechError, match=".pls, .xml or .toml"):
        load_lexicon(files("lex.txt", "a=b"))


def test_empty_lexicon_changes_nothing():
    assert Lexicon().apply("anything 5") == "anything 5"
