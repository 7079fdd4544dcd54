"""Sentence splitting on the display text.

``split_sentences`` cuts after ``.``, ``!``, ``?`` or an ellipsis (with any
closing quotes or brackets) when whitespace and a plausible sentence start
follow. It does not cut after titles and other abbreviations that precede
what they qualify ("Dr.", "St.", "e.g."), after initials ("J. R. R. Tolkien"),
or before a lowercase word ("at 7 p.m. we left"). Abbreviations that may also
end a sentence ("etc.", "U.S.", "p.m.", "Inc.") cut only before a word that
usually begins one ("The", "It", "But" …).

An abbreviation that stands before a number ("Dist. 3", "Sec. 4", "Apt. 2B") does not
end a sentence before one. Quoted speech and the tag that names its speaker
("“Short of what?” Dana asked.") are one sentence: no cut before a name followed by a
verb of saying.

A month or weekday abbreviation ("Jan.", "SEPT.", "Mon.") is one of those: it
never ends a sentence before a number ("Jan. 5"), only before a starter word.

The word lists are kept per language (``register``); a language without its own
lists uses the English ones.

Nothing but whitespace is lost: ``" ".join(split_sentences(t)) == " ".join(t.split())``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CANDIDATE = re.compile(r"(?:[.!?]+|…)[\"'”’»)\]]*(?=\s)")
_NEVER_FINAL = frozenset("""mr mrs ms dr prof rev gen capt sgt lt col gov sen rep hon fr st mt ft pres
    e.g i.e cf vs v no nos fig vol p pp approx ca c ch viz incl esp dept a.k.a ext tel
    maj cpl pvt adm cmdr brig insp det supt""".split())
_MAYBE_FINAL = frozenset("""etc inc ltd corp co jr sr u.s u.k u.n a.m p.m e.u ph.d et al
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    a.d b.c b.c.e c.e est""".split())
_STARTERS = frozenset("""The A An He She It They We I You This That These Those There Then But And So
    Yet Or In On At After Before When While If As Its His Her Our Their My Your What Why How Who Where
    However Meanwhile Still Later Now Today Tomorrow Yesterday Finally First Next Also Although Because
    Since Some Many Most All No Not One Each Every""".split())
# Abbreviations read before a number: "Dist. 3" is one sentence (English; lowercase, no period).
BEFORE_NUMBER = frozenset("""dist sec art apt rm ste bldg div para eq ex exh reg pt ref ser ed fl dep
    ord sch tab no nos vol ch fig""".split())
_SAYING = ("said|says|asked|asks|replied|replies|answered|whispered|shouted|cried|called|added|muttered|"
           "murmured|snapped|sighed|laughed|told|wrote|yelled|explained|insisted|demanded|continued|began|"
           "admitted|agreed|repeated|wondered|protested|pleaded|exclaimed|observed|remarked|announced")
_SPEECH_TAG = re.compile(rf"\s*(?:[A-Z][\w'’-]*\s+){{1,2}}(?:{_SAYING})\b")
_TOKEN_BEFORE = re.compile(r"(\S+)$")
_OPENERS = "\"'“‘«([¿¡"


_NEXT = re.compile(rf"\s*[{re.escape(_OPENERS)}]*([\w'’-]*)(.?)", re.DOTALL)


@dataclass(frozen=True)
class Abbreviations:
    """A language's words for sentence splitting (lowercase, without the final period)."""

    never_final: frozenset[str]  # "dr", "e.g": never end a sentence
    maybe_final: frozenset[str]  # "etc", "jan": end one only before a starter word
    starters: frozenset[str]  # words that usually begin a sentence ("The", "It")
    before_number: frozenset[str] = frozenset()  # "dist": never ends a sentence before a number
    # German: "3." and "XIV." are ordinals ("Am 3. März", "Ludwig XIV. starb"): they end a
    # sentence only before a starter word, like "etc."
    ordinal_numbers: bool = False
    # French: closing marks set off by a space ("« Oui. » Il") still belong to the sentence
    spaced_closers: str = ""


_LANGUAGES: dict[str, Abbreviations] = {"en": Abbreviations(_NEVER_FINAL, _MAYBE_FINAL, _STARTERS,
                                                                  BEFORE_NUMBER)}


def register(language: str, abbreviations: Abbreviations) -> None:
    """Use ``abbreviations`` for documents whose primary language subtag is ``language``."""
    _LANGUAGES[language.lower()] = abbreviations


def _abbreviations(language: str) -> Abbreviations:
    primary = re.split(r"[-_]", language or "en")[0].lower()
    return _LANGUAGES.get(primary, _LANGUAGES["en"])


def _is_break(text: str, m: re.Match[str], words: Abbreviations, end: int | None = None) -> bool:
    following = _NEXT.match(text, m.end() if end is None else end)
    assert following is not None  # the pattern matches the empty string
    word, other = following.groups()
    if not word and not other:
        return False  # only whitespace follows
    if (word or other)[:1].islower():
        return False
    mark = m.group(0)
    if mark[-1] in "\"”’»" and _SPEECH_TAG.match(text, m.end() if end is None else end):
        return False  # “Short of what?” Dana asked.
    if "." not in mark.rstrip("\"'”’»)]") or "…" in mark or "..." in mark:
        return True
    before = _TOKEN_BEFORE.search(text, max(0, m.start() - 64), m.start())
    token = (before.group(1) if before else "").lstrip(_OPENERS).lower()
    if token in words.never_final or (word[:1].isdigit() and token.rstrip(".") in words.before_number):
        return False
    if len(token) == 1 and token.isalpha():
        return False  # an initial: "J. R. R. Tolkien"
    if token in words.maybe_final or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token):
        return word in words.starters
    if words.ordinal_numbers and (re.fullmatch(r"[0-9]{1,3}", token) or _ROMAN.fullmatch(before.group(1) if before
                                                                                       else "")):
        return word in words.starters
    return True


_ROMAN = re.compile(r"[IVXLC]{2,6}")


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Sentences of ``text``, each with single spaces; empty ones dropped."""
    words = _abbreviations(language)
    pieces: list[str] = []
    start = 0
    closers = re.compile(rf"(?:\s+[{re.escape(words.spaced_closers)}])+(?=\s|$)") if words.spaced_closers else None
    for m in _CANDIDATE.finditer(text):
        spaced = closers.match(text, m.end()) if closers else None
        end = spaced.end() if spaced else m.end()
        if _is_break(text, m, words, end):
            pieces.append(text[start:end])
            start = end
    pieces.append(text[start:])
    return [" ".join(p.split()) for p in pieces if p.strip()]
