"""Respellings ("AY-lee", "shiv-AWN", "kuh-TREE-uh-nuh") to IPA, by a documented rule.

A respelling is a word written as syllables joined by hyphens, with the stressed syllable in
capitals. A voice given "AY-lee" as text spells the capitals out ("A-Y-lee"), so narrate turns a
lexicon's respelling into phonemes and gives the voice those. Each syllable is read left to right,
longest spelling first, with ``SPELLINGS`` (the README prints the same table); doubled consonants
are one ("SKERR" is s-k-err); "uh", "u" and "er" in an unstressed syllable are the weak vowels
ə and ɚ. The stress mark goes before the stressed syllable's vowel, as espeak-ng writes it.
"""

from __future__ import annotations

import re

from narrate.errors import SpeechError

# respelling → IPA; vowels first, then consonants. "y" is a vowel (aɪ) only in a syllable without another.
VOWELS: dict[str, str] = {
    "eye": "aɪ", "igh": "aɪ", "air": "ɛɹ", "are": "ɛɹ", "err": "ɛɹ", "eer": "ɪɹ", "ear": "ɪɹ", "oor": "ʊɹ",
    "yoo": "juː", "ay": "eɪ", "ai": "eɪ", "ee": "iː", "ea": "iː", "oh": "oʊ", "oa": "oʊ", "oo": "uː",
    "ew": "juː", "ow": "aʊ", "ou": "aʊ", "oy": "ɔɪ", "oi": "ɔɪ", "aw": "ɔː", "au": "ɔː", "ah": "ɑː",
    "ar": "ɑːɹ", "or": "ɔːɹ", "er": "ɜː", "ur": "ɜː", "ir": "ɜː", "uu": "ʊ", "uh": "ʌ", "eh": "ɛ",
    "ih": "ɪ", "a": "æ", "e": "ɛ", "i": "ɪ", "o": "ɑː", "u": "ʌ",
}
CONSONANTS: dict[str, str] = {
    "tch": "tʃ", "ch": "tʃ", "sh": "ʃ", "th": "θ", "dh": "ð", "zh": "ʒ", "ng": "ŋ", "nk": "ŋk", "kh": "x",
    "wh": "w", "ck": "k", "j": "dʒ", "g": "ɡ", "y": "j", "r": "ɹ", "c": "k", "q": "k", "x": "ks",
    "b": "b", "d": "d", "f": "f", "h": "h", "k": "k", "l": "l", "m": "m", "n": "n", "p": "p", "s": "s",
    "t": "t", "v": "v", "w": "w", "z": "z",
}
WEAK = {"ʌ": "ə", "ɜː": "ɚ"}  # in an unstressed syllable
SPELLINGS = {**VOWELS, **CONSONANTS}
_LONGEST = sorted(SPELLINGS, key=len, reverse=True)
_SYLLABLES = re.compile(r"^[A-Za-z]{1,6}(?:-[A-Za-z]{1,6})+$")  # a longer part is a word, not a syllable


def is_respelling(text: str) -> bool:
    """Every word of ``text`` is syllables (of six letters at most) joined by hyphens, one of them (at
    least) in capitals and one in small letters."""
    words = text.split()
    return bool(words) and all(
        _SYLLABLES.match(w) and any(s.isupper() for s in w.split("-")) and any(s.islower() for s in w.split("-"))
        for w in words)


def _syllable(syllable: str) -> str:
    stressed = syllable.isupper()
    text = syllable.lower()
    out: list[str] = []
    at, vowel_done = 0, False
    has_vowel = any(ch in "aeiou" for ch in text)
    while at < len(text):
        if text[at] == "y" and not has_vowel:
            spelling, sound = "y", "aɪ"
        else:
            spelling = next((s for s in _LONGEST if text.startswith(s, at)), "")
            if not spelling:
                raise ValueError(f"no sound for {text[at]!r} in {syllable!r}")
            sound = SPELLINGS[spelling]
        is_vowel = spelling in VOWELS or sound == "aɪ"
        if is_vowel and not stressed:
            sound = WEAK.get(sound, sound)
        if is_vowel and stressed and not vowel_done:
            sound, vowel_done = "ˈ" + sound, True
        out.append(sound)
        at += len(spelling)
        while not is_vowel and at < len(text) and text[at] == spelling[-1]:
            at += 1  # doubled consonants are one
    if stressed and not vowel_done:
        raise ValueError(f"the stressed syllable {syllable!r} has no vowel")
    return "".join(out)


def respell_ipa(text: str) -> str:
    """The IPA of a respelling ("AY-lee" → "ˈeɪliː"); ``ValueError`` naming a letter it cannot read."""
    return " ".join("".join(_syllable(s) for s in word.split("-")) for word in text.split())


def check_respelling(word: str, alias: str, path: str, line: int | None = None) -> str:
    """The IPA of a lexicon entry's respelling alias, or a ``SpeechError`` saying what is wrong."""
    try:
        return respell_ipa(alias)
    except ValueError as exc:
        raise SpeechError(f'expected "{word}" = "{alias}" to be a respelling narrate can read ({exc}); '
                          "see README, Lexicons: respellings", path, line) from None
