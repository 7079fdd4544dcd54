"""The words to check in a speech script: unknown words, acronyms, heteronyms, numbers.

``flag_script(script, known)`` reads each segment's display text (the source wording)
and returns ``Flag``s grouped by word, most frequent first within each reason. A word
the project's lexicons cover, or that ``[proof] accept`` lists, is known and never
flagged.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from narrate.proof.acronyms import acronym_reading, find_acronyms
from narrate.proof.heteronyms import heteronyms_in, is_heteronym
from narrate.proof.numbers import find_numbers, spoken_form
from narrate.proof.words import known as in_dictionary
from narrate.proof.words import lexicon_report, voice_ipa, words_in
from narrate.speech.lexicon import Lexicon
from narrate.speech.normalize import is_english
from narrate.speech.pronounce import Choice
from narrate.speech.script import Script, Segment
from narrate.speech.voices import VoiceProfile

REASONS = {  # reason → what the page calls the list, in page order
    "unknown": "Not in the pronouncing dictionary",
    "acronym": "Acronyms",
    "heteronym": "Heteronyms",
    "number": "Numbers, dates, units and abbreviations",
    "lexicon": "Lexicon entries the voice will not say as meant",
}


@dataclass
class Flag:
    word: str
    reason: str  # a key of REASONS
    spoken: str = ""  # how it will be read: IPA, letters/word, the reading, the words said
    segments: list[str] = field(default_factory=list)  # ids of the segments holding it, in order, once each
    count: int = 0
    clip: str = ""  # set by the caller: a clip of the first segment, relative to output/
    readings: dict[str, int] = field(default_factory=dict)  # heteronyms: reading → occurrences

    def add(self, segment: Segment) -> None:
        self.count += 1
        if not self.segments or self.segments[-1] != segment.id:
            self.segments.append(segment.id)

    @property
    def toml_line(self) -> str:
        return f"{json.dumps(self.word, ensure_ascii=False)} = {json.dumps(self.alias, ensure_ascii=False)}"

    @property
    def pls_line(self) -> str:
        return f"<lexeme><grapheme>{escape(self.word)}</grapheme><alias>{escape(self.alias)}</alias></lexeme>"

    @property
    def alias(self) -> str:
        """A starting point for the lexicon line: the words said for acronyms and numbers."""
        return self.spoken if self.reason in ("acronym", "number") and self.spoken else self.word


def _strip_possessive(word: str) -> str:
    for ending in ("'s", "’s", "s'", "s’"):
        if word.endswith(ending) and len(word) > len(ending) + 1:
            return word[: -len(ending)] if ending[0] in "'’" else word[:-1]
    return word


def flag_script(script: Script, is_known: Callable[[str], bool], *, ipa: Callable[[list[str]], list[str]]
                | None = None, choices: Callable[[str], list[Choice]] | None = None) -> list[Flag]:
    """Every flagged word of ``script``; ``is_known(word)`` is true for lexicon and accepted words.
    ``choices(spoken)`` is the voice's pronunciation step (``PiperEngine.choices``): a heteronym's
    reading is the one the voice is given."""
    english = is_english(script.language)
    flags: dict[tuple[str, str], Flag] = {}

    def flag(reason: str, word: str, segment: Segment, spoken: str = "") -> Flag:
        entry = flags.get((reason, word.casefold()))
        if entry is None:
            entry = flags[(reason, word.casefold())] = Flag(word, reason, spoken)
        entry.add(segment)
        return entry

    for segment in script.segments():
        text = segment.text
        taken: list[tuple[int, int]] = []
        for start, end, span in find_numbers(text):
            # "Dr. Okonkwo": the name after an abbreviation is still checked as a word
            taken.append((start, start + len(span.split()[0]) if span[0].isalpha() else end))
            if not is_known(span):
                flag("number", span, segment, spoken_form(span, script.language))
        for start, end, word in find_acronyms(text):
            if any(a <= start < b for a, b in taken):
                continue
            taken.append((start, end))
            core = _strip_possessive(word)
            if not is_known(word) and not is_known(core) and not _roman(core):
                spoken, how = acronym_reading(core, script.language)
                flag("acronym", core, segment, f"{spoken} ({how})")
        if not english:
            continue
        for start, _end, word in words_in(text):
            if any(a <= start < b for a, b in taken):
                continue
            if is_heteronym(word):
                continue  # read from the spoken text below, as the voice is given it
            core = _strip_possessive(word)
            if not in_dictionary(core) and not is_known(word) and not is_known(core):
                flag("unknown", core, segment)
        for piece_language, spoken in segment.pieces():
            for heard in heteronyms_in(segment.id, spoken, choices) if not piece_language else []:
                if not is_known(heard.word):
                    entry = flag("heteronym", heard.word, segment)
                    entry.readings[heard.reading] = entry.readings.get(heard.reading, 0) + 1
    result = sorted(flags.values(), key=lambda f: (list(REASONS).index(f.reason), -f.count, f.word.casefold()))
    for entry in result:
        if entry.reason == "heteronym":
            entry.spoken = "; ".join(f"{r} ×{n}" if len(entry.readings) > 1 else r
                                     for r, n in sorted(entry.readings.items(), key=lambda kv: -kv[1]))
    unknown = [f for f in result if f.reason == "unknown"]
    if unknown and ipa is not None:
        for entry, sounds in zip(unknown, ipa([f.word for f in unknown]), strict=True):
            entry.spoken = f"/{sounds}/" if sounds else ""
    return result


def given_choices(engine: Any) -> Callable[[str], list[Choice]] | None:
    """The readings ``engine`` is given for a text: Piper's as applied (``heard``), espeak-ng's as
    planned (``choices``); None for an engine that takes plain text."""
    if hasattr(engine, "heard"):
        return lambda text: engine.heard(text)[1]
    return getattr(engine, "choices", None)


def flag_for_voice(script: Script, accept: Iterable[str], lexicon: Lexicon, profile: VoiceProfile,
                   engine: Any, report: list[dict[str, Any]] | None = None) -> list[Flag]:
    """Every flagged word of ``script`` as ``profile``'s voice will be given it (``narrate proof``
    and the studio share this): unknown words with the voice's own phonemes, heteronyms with the
    reading chosen, and each lexicon entry whose phonemes differ from what it means (``report``:
    ``words.lexicon_report``'s rows, when the caller has them already)."""
    flagged = flag_script(script, known_words(accept, lexicon.lookup),
                          ipa=voice_ipa(profile, engine) or espeak_ipa(profile.language), choices=given_choices(engine))
    return flagged + [Flag(row["word"], "lexicon", row["problem"], count=1)
                      for row in (lexicon_report(profile, engine, lexicon) if report is None else report)
                      if row["problem"]]


def _roman(word: str) -> bool:
    from narrate.speech.wording import roman_value

    return roman_value(word) is not None


def espeak_ipa(language: str) -> Callable[[list[str]], list[str]] | None:
    """How espeak-ng (which also phonemizes for Piper) will say each word, in IPA; None without espeak-ng."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        return None

    def run(words: list[str]) -> list[str]:
        if not words:
            return []
        text = "".join(f"{w}.\n" for w in words)
        try:
            done = subprocess.run([binary, "-q", "--ipa", "-v", language.lower(), "--stdin"], input=text,
                                  capture_output=True, text=True, timeout=120, check=True)
        except (OSError, subprocess.SubprocessError):
            return [""] * len(words)
        lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
        return lines if len(lines) == len(words) else [""] * len(words)

    return run


def known_words(accept: Iterable[str], lexicon_lookup: Callable[[str], object]) -> Callable[[str], bool]:
    accepted = {w.casefold() for w in accept}

    def is_known(word: str) -> bool:
        return word.casefold() in accepted or lexicon_lookup(word) is not None

    return is_known
