"""What a listener will hear: the phonemes a voice is given, before anything is synthesized.

The public face of the pronunciation step, for ``narrate script --phonemes``, ``narrate proof``
and the studio:

* ``hear(profile, text)``: the phonemes the voice is given for one utterance (one IPA string per
  sentence it synthesizes, as espeak-ng writes IPA) and the words narrate chose a reading for
  (heteronyms with their part of speech, letters, lexicon words);
* ``check_entry(profile, entry)``: what a lexicon entry will sound like, and what is wrong
  with it, if anything (a respelling that would be spelled out, IPA the voice has no symbols for).

Both ask the engine itself (``engine.phonemes``), the same code its ``synthesize`` runs, never a
separate guess. Engines that take plain text (gTTS, the test engine) have no phonemes to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from narrate.errors import SpeechError
from narrate.speech.engines import get_engine
from narrate.speech.lexicon import Entry
from narrate.speech.pronounce import Choice, ipa_of
from narrate.speech.respell import is_respelling, respell_ipa
from narrate.speech.voices import VoiceProfile

_CAPITALS = re.compile(r"\b[A-Z]{2,}\b")


@dataclass(frozen=True)
class Heard:
    text: str  # the spoken text
    phonemes: tuple[str, ...]  # what the voice is given: one IPA string per sentence it synthesizes
    choices: tuple[Choice, ...]  # the words narrate gave as phonemes, in order

    @property
    def ipa(self) -> str:
        return " ".join(self.phonemes)

    @property
    def heteronyms(self) -> tuple[Choice, ...]:
        return tuple(c for c in self.choices if c.kind == "heteronym")


@dataclass(frozen=True)
class EntryCheck:
    entry: Entry
    intent: str  # the IPA the entry means, "" for a plain alias
    phonemes: str  # what the voice is given for the entry's spoken form
    problem: str = ""  # "" when the voice says what the entry means


def takes_phonemes(engine: Any) -> bool:
    return callable(getattr(engine, "phonemes", None))


def hear(profile: VoiceProfile, text: str, engine: Any = None) -> Heard:
    """The phonemes ``profile``'s voice is given for ``text`` (already spoken text: normalized,
    lexicon aliases in), and the readings chosen; a ``SpeechError`` for a text-only engine."""
    engine = engine if engine is not None else get_engine(profile)
    if not takes_phonemes(engine):
        raise SpeechError(f"voice {profile.name!r}: the {engine.name} engine takes text, so narrate cannot "
                          "show its phonemes; choose a Piper or espeak-ng voice with --voice", profile.source)
    if callable(getattr(engine, "heard", None)):  # the choices actually given, with the phonemes
        said, found = engine.heard(text)
        return Heard(text, tuple(said), tuple(found))
    found = engine.choices(text) if callable(getattr(engine, "choices", None)) else []
    return Heard(text, tuple(engine.phonemes(text)), tuple(found))


def check_entry(profile: VoiceProfile, entry: Entry, engine: Any = None) -> EntryCheck:
    """What ``entry`` will sound like in ``profile``'s voice, checked against what it means."""
    engine = engine if engine is not None else get_engine(profile)
    spoken = entry.alias or entry.grapheme
    heard = hear(profile, spoken, engine).ipa if takes_phonemes(engine) else ""
    if entry.alias and is_respelling(entry.alias):
        intent = respell_ipa(entry.alias)
    elif entry.phoneme and not entry.alias and entry.alphabet.lower() in ("", "ipa"):
        intent = ipa_of(entry.phoneme)
    elif entry.phoneme and not entry.alias:
        return EntryCheck(entry, "", heard, f"{entry.alphabet} phonemes are not given to the voice: write them "
                          "in IPA (alphabet=\"ipa\") or give an alias")
    else:
        spelled = [w for w in _CAPITALS.findall(entry.alias) if _spelled(profile, w, engine)]
        problem = f"{', '.join(spelled)} will be spelled out letter by letter" if spelled else ""
        return EntryCheck(entry, "", heard, problem)
    problem = "" if not heard or _bare(intent) in _bare(heard) else f"the voice is given /{heard}/, not /{intent}/"
    return EntryCheck(entry, intent, heard, problem)


def _spelled(profile: VoiceProfile, word: str, engine: Any) -> bool:
    """Whether the voice says ``word`` as its letters, one by one."""
    if not takes_phonemes(engine):
        return False
    return _bare(hear(profile, word, engine).ipa) == _bare(hear(profile, " ".join(word), engine).ipa)


def _bare(ipa: str) -> str:
    return re.sub(r"[ˈˌ\s.,;:!?]", "", ipa)
