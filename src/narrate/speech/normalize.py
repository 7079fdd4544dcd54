"""Text normalization: written text → the words an engine should say.

``normalize(text, language)`` runs before any engine, so every engine says the
same words. It is deterministic and never raises.

Rules are kept per language: ``register(language, rules)`` adds a language's
``(text, locale, options) -> text`` function, and ``normalize`` picks it from
the document's BCP 47 tag; the tag's region gives the conventions the rules
need (``languages.speech_locale``: numeric date order, decimal separator). A
language with no rules of its own gets the neutral cleanup and, if
``num2words`` knows it, plain integers as words; everything else is left to the
engine.

To add a language: write ``rules(text, locale, options) -> text`` (reuse
``numeric.sub``/``safe`` and ``numbers``; ``locale.decimal`` and
``locale.date_order`` say how the region writes numbers and dates), call
``register("de", rules)``, and give ``sentences.register`` the language's
abbreviations. Lexicon replacements stay protected whatever the rules do.

German, French and Spanish (every region) run ``locale_rules`` with the words of
``rules_de``, ``rules_fr`` and ``rules_es``; a Spanish or French number agrees with the noun after
it ("una casa", "vingt et une voitures": ``spanish_gender``, ``french_gender``), and German spells
its initialisms ("A R D").

English (every region) runs ordered rules (each in ``calendar``, ``codes``, ``quantities`` or ``wording``):

1. language-neutral cleanup (NFC, invisible characters, whitespace);
2. e-mail addresses and URLs ("jo at example dot org"; "https://", "www." and "mailto:"
   unsaid, any other scheme said as typed: "file colon slash slash slash"); a leading dot is said
   (".NET", "ASP.NET" "dot net"; ".csv" "dot csv");
   text in capitals ("123 MAIN ST", "KEEP OFF THE GRASS") gets its words back as words (``capitals``);
3. measures in two units and counts before "of" ("6 ft 2 in", "2h 15m", "120/80 mmHg",
   "FY2024", "1,000s of", "ext. 204", "555-0100x7": ``measures``), terms ("401(k)"), dates in every
   written form ("March third, twenty twenty-five"; numeric dates in the region's order: en-US 1/2/2020 is January
   second, en-GB the first of February; year first is ISO; "on 1/24", "due 3/14" are dates), eras, clock times
   ("seven thirty P M", time zones), telephone numbers (digit groups with
   pauses), ZIP codes and serial numbers (digit by digit), heights and feet ("4'11\"", "a 6' fence",
   "8′"), ratios, dimensions
   ("two by eight");
4. Roman numerals after cue words ("Chapter four"), regnal names ("Henry the
   eighth", "King Olaf the fifth") and other capitalized words ("World War two");
   abbreviations ("Dr." → Doctor before a name, Drive after a street name; "St."; "e.g." …; "ed." after
   an ordinal, "the 2nd ed.", is "edition");
5. symbols ("&", "+", "=", "/" as "per" or "or");
6. ranges and scores ("ten to fifteen", years "nineteen thirty-nine to nineteen
   forty-five"; a hyphen between numbers is a range only if it rises, a unit
   follows, or after a word like "won"/"score"; a score, after such a word or between two names,
   "Rovers 2-0 United", is said as the region says it: en-US "two to nothing", en-GB "two nil", a draw
   "one all"; after a month, a pair no run of days explains, "In March 1-0", is a score; votes after
   "voted", "ruled" … "seven to two", "nine to nothing"), model numbers after a maker's name, letters or
   an article ("Boeing 747-8" "seven forty-seven eight", "A350-900", "a 767-300"), a unit alone in
   parentheses after a label ("Range (m)" "Range (meters)"),
   negatives, money (symbols and
   ISO codes, "twenty dollars and fifty cents"), percentages, degrees, units
   (m², km/h, Mbps), fractions, ordinals, decades ("the 1000s" "the thousands", "the 1990's"), "No."/"#", years,
   letter-digit identifiers ("A one B two"; three digits after capitals in a name as
   people say them, "A three twenty-one", "F-one fifty"), plain numbers;
7. acronyms ("B B C"; "Nasa" for those read as words; all-caps emphasis is
   lowercased).

Year convention: 1999 "nineteen ninety-nine", 1905 "nineteen oh five", 2000-2009
"two thousand (five)", 2010 on "twenty ten", "twenty twenty-five". A four-digit
number from 1000 to 2099 is a year unless nothing marks it as one (no "in",
"since", month, "AD" … before it) and a lowercase word follows ("1500 people"); before a
preposition other than "of", 1100 to 1999 are said in pairs ("1968 in Paris", as a count
"fifteen hundred at the fair" is too).

Text between ``PROTECT_OPEN`` and ``PROTECT_CLOSE`` (the lexicon marks its
replacements so) is passed through untouched, without the marks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass

from narrate.speech import numbers as n
from narrate.speech.capitals import capitals
from narrate.speech.languages import SpeechLocale, speech_locale
from narrate.speech.quantities import rules_dates_times, rules_quantities
from narrate.speech.readings import RULES_AFTER_SYMBOLS, RULES_FIRST, RULES_LAST
from narrate.speech.wording import RULES_ADDRESSES, RULES_WORDS, SPELLED_ACRONYMS, WORD_ACRONYMS, acronyms, symbols

PROTECT_OPEN = "\ue000"
PROTECT_CLOSE = "\ue001"
_SLOT_OPEN, _SLOT_CLOSE, _SLOT_BASE = "\ue002", "\ue003", 0xE100
_PRIVATE = re.compile("[\ue000-\ue1ff]")
_MARKED = re.compile(f"{PROTECT_OPEN}([^{PROTECT_OPEN}{PROTECT_CLOSE}]*){PROTECT_CLOSE}")
_SLOT = re.compile(f"{_SLOT_OPEN}([\ue100-\ue1ff]+){_SLOT_CLOSE}")
_SLOT_WORD = re.compile(f"[Zz]?{_SLOT.pattern}")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

__all__ = ["PROTECT_CLOSE", "PROTECT_OPEN", "SPELLED_ACRONYMS", "WORD_ACRONYMS", "LanguageRules", "Options",
           "cleanup", "is_english", "normalize", "protect", "register", "rules_for"]


def protect(text: str) -> str:
    """Mark text so that ``normalize`` leaves it as it is."""
    return f"{PROTECT_OPEN}{_PRIVATE.sub('', text)}{PROTECT_CLOSE}"


def _slot(index: int) -> str:
    digits = ""
    while True:
        index, rest = divmod(index, 256)
        digits = chr(_SLOT_BASE + rest) + digits
        if not index:
            return f"{_SLOT_OPEN}{digits}{_SLOT_CLOSE}"


def _stash(text: str) -> tuple[str, list[str]]:
    """Replace marked spans by slots; drop any other private-use character.

    A slot for text that starts with a letter starts with "Z" or "z", so rules
    that look at the next word ("Dr." before a name) see its case."""
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append(m.group(1))
        first = m.group(1)[:1]
        prefix = ("Z" if first.isupper() else "z") if first.isalpha() else ""
        return prefix + _slot(len(kept) - 1)

    text = _MARKED.sub(keep, text)
    pieces = _SLOT.split(text)  # odd items are slot digits
    for i in range(0, len(pieces), 2):
        pieces[i] = _PRIVATE.sub("", pieces[i])
    for i in range(1, len(pieces), 2):
        pieces[i] = f"{_SLOT_OPEN}{pieces[i]}{_SLOT_CLOSE}"
    return "".join(pieces), kept


def _unstash(text: str, kept: list[str]) -> str:
    def value(m: re.Match[str]) -> str:
        index = 0
        for ch in m.group(1):
            index = index * 256 + ord(ch) - _SLOT_BASE
        return kept[index] if index < len(kept) else ""

    return _PRIVATE.sub("", _SLOT_WORD.sub(value, text))


def cleanup(text: str) -> str:
    """Language-neutral: NFC, no invisible characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Options:
    """Choices a document may make about readings (for every language)."""

    word_acronyms: Collection[str] = WORD_ACRONYMS  # read as words: "NASA" → "Nasa"
    spelled_acronyms: Collection[str] = SPELLED_ACRONYMS  # letter by letter even if they look like words


LanguageRules = Callable[[str, SpeechLocale, Options], str]
_LANGUAGES: dict[str, LanguageRules] = {}


def register(language: str, rules: LanguageRules) -> None:
    """Use ``rules`` for documents whose primary language subtag is ``language`` ("en", "de" …)."""
    _LANGUAGES[language.lower()] = rules


def rules_for(language: str) -> LanguageRules | None:
    """The rules registered for a BCP 47 tag's language, or None."""
    return _LANGUAGES.get(speech_locale(language).language)


def _english(text: str, locale: SpeechLocale, options: Options) -> str:
    for rule in RULES_ADDRESSES:
        text = rule(text)
    text = capitals(text, {*options.word_acronyms, *options.spelled_acronyms})
    for rule in RULES_FIRST + rules_dates_times(locale) + RULES_WORDS:
        text = rule(text)
    text = symbols(text)
    for rule in RULES_AFTER_SYMBOLS + rules_quantities(locale) + RULES_LAST:
        text = rule(text)
    return acronyms(text, options.word_acronyms, options.spelled_acronyms)


register("en", _english)


def _register_languages() -> None:
    """German, French and Spanish (``locale_rules`` and one module of words each)."""
    from narrate.speech import rules_de, rules_es, rules_fr

    for module in (rules_de, rules_fr, rules_es):
        register(module.DATA.code, module.rules)


_register_languages()

_PLAIN_INTEGER = re.compile(r"(?<![0-9.,:/])[0-9]+(?![0-9]|[.,:/][0-9])")


def _other_language(text: str, language: str) -> str:
    if n.num2words_language(language) is None:
        return text
    return _PLAIN_INTEGER.sub(lambda m: n.cardinal_in(language, m.group(0)), text)


def is_english(language: str) -> bool:
    return language.lower().replace("_", "-").split("-")[0] in {"en", ""}


def normalize(text: str, language: str = "en", *, word_acronyms: Collection[str] | None = None,
              spelled_acronyms: Collection[str] | None = None) -> str:
    """The words to say for ``text``. ``word_acronyms`` are read as words ("NASA"),
    ``spelled_acronyms`` letter by letter even if they look like words."""
    text, kept = _stash(str(text))
    text = cleanup(text)
    options = Options(WORD_ACRONYMS if word_acronyms is None else word_acronyms,
                      SPELLED_ACRONYMS if spelled_acronyms is None else spelled_acronyms)
    locale = speech_locale(language or "en")
    rules = _LANGUAGES.get(locale.language or "en")
    text = rules(text, locale, options) if rules else _other_language(text, language)
    return cleanup(_unstash(text, kept))
