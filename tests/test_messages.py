"""narrate's own words from the gettext catalog: shipped languages, fallbacks, narrate.toml overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from narrate.errors import ConfigError
from narrate.i18n.messages import LOCALE_DIR, MESSAGES, SHIPPED, messages_for, placeholders
from narrate.sources.config import load_config


@pytest.mark.parametrize("language", SHIPPED)
def test_shipped_mo_matches_its_po(language):
    """The .mo files are shipped: each must hold exactly what its .po says (scripts/compile_messages.sh)."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    with open(folder / "narrate.po", "rb") as f:
        po = {m.id: m.string for m in read_po(f) if m.id}
    with open(folder / "narrate.mo", "rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    assert set(po) == set(MESSAGES.values()), "the .po lists exactly the messages narrate uses"
    assert {k: v for k, v in po.items() if v} == mo


@pytest.mark.parametrize("language", [lang for lang in SHIPPED if lang != "en"])
def test_every_message_is_translated_with_its_placeholders(language):
    say = messages_for(language)
    for key, english in MESSAGES.items():
        text = say(key)
        # the same in some languages: "Cover", "Colophon"; a pattern only French punctuates otherwise
        assert text and text != english or key in {"cover", "colophon", "readme_term", "page_label", "page_list",
                                                   "cover_alt"}, (language, key)
        assert placeholders(text) == placeholders(english), (language, key)


@pytest.mark.parametrize(("language", "byline", "footnote"), [
    ("en", "by Anna Weber", "Footnote 2."),
    ("de", "von Anna Weber", "Fußnote 2."),
    ("de-AT", "von Anna Weber", "Fußnote 2."),  # a region without its own catalog: the language's
    ("fr-CA", "par Anna Weber", "Note 2."),
    ("es-MX", "por Anna Weber", "Nota 2."),
    ("xx", "by Anna Weber", "Footnote 2."),  # no catalog: English
])
def test_language_and_fallbacks(language, byline, footnote):
    say = messages_for(language)
    assert say("byline", authors="Anna Weber") == byline
    assert say("footnote", number="2") == footnote


def test_overrides_from_narrate_toml(tmp_path: Path):
    (tmp_path / "narrate.toml").write_text(
        '[messages.de]\ndisclosure = "Gelesen von einer Maschine."\n'
        '[messages.de-at]\nbyline = "vo {authors}"\n', encoding="utf-8")
    config = load_config(tmp_path)
    assert messages_for("de", config.messages)("disclosure") == "Gelesen von einer Maschine."
    assert messages_for("de", config.messages)("byline", authors="A") == "von A"
    at = messages_for("de-AT", config.messages)
    assert (at("disclosure"), at("byline", authors="A")) == ("Gelesen von einer Maschine.", "vo A")
    assert messages_for("fr", config.messages)("disclosure") == "Cette lecture utilise une voix de synthèse."


@pytest.mark.parametrize(("toml", "expected"), [
    ('[messages.de]\nbylin = "x"\n', "'messages.de.bylin': unknown message"),
    ('[messages.de]\nbyline = 3\n', "'messages.de.byline' must be a string"),
    ('[messages.de]\nbyline = "von {author}"\n', "expected placeholders {authors}, found {author}"),
    ('[messages]\nde = "x"\n', "'messages.de' must be a table"),
])
def test_bad_overrides_name_the_key(tmp_path: Path, toml, expected):
    (tmp_path / "narrate.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert expected in err.value.message and str(tmp_path / "narrate.toml") in str(err.value)
