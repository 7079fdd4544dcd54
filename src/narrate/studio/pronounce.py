"""The studio's one door to the pronunciation path (an adapter, so it can be rewired).

Two functions only: ``readings`` (the words of one sentence the voice may get wrong, and how
each will be read) and ``synthesize`` (one sentence, through the publication's voice and the
sentence cache, with an extra lexicon entry). Today they stand on ``narrate proof``'s flagged
words and heteronym readings and on the lexicon's aliases; a richer pronunciation path
(phonemes, part-of-speech heteronyms) replaces their bodies, not their signatures.

An entry given as IPA is a PLS ``<phoneme>``: engines that read only text say the word as
written unless the entry also has an alias (``speech.lexicon``), so its preview sounds unchanged
on such a voice; ``synthesize`` reports whether the entry changed what is spoken.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrate.artifacts import atomic_path
from narrate.audio.master import make_segments, plan_segments
from narrate.proof.flags import espeak_ipa, flag_script, known_words
from narrate.speech.lexicon import Entry, Lexicon
from narrate.speech.script import Script, ScriptChapter, Segment

KINDS = ("respelling", "alias", "ipa")  # what an editor may type for a word


def entry_for(word: str, kind: str, value: str) -> Entry:
    """The lexicon entry an editor means: a respelling or alias is said instead of the word;
    IPA is a phoneme string."""
    value = " ".join(value.split())
    if kind == "ipa":
        return Entry(grapheme=word, phoneme=value.strip("/[]"), alphabet="ipa")
    return Entry(grapheme=word, alias=value)


@dataclass(frozen=True)
class Reading:
    word: str
    reason: str  # unknown | acronym | heteronym | number
    spoken: str  # how it will be read (IPA, letters, the reading chosen, the words said)


def readings(segment: Segment, language: str, accept: tuple[str, ...], lexicon: Lexicon) -> list[Reading]:
    """The words of ``segment`` the voice may get wrong, each with the reading chosen."""
    script = Script("", "", language, (ScriptChapter("c", "", (segment,)),))
    flags = flag_script(script, known_words(accept, lexicon.lookup), ipa=espeak_ipa(language))
    return [Reading(f.word, f.reason, f.spoken) for f in flags]


@dataclass(frozen=True)
class Heard:
    clip: str  # relative to output/
    spoken: str  # the text the voice was given
    changed: bool  # did the entry change what is spoken?


def synthesize(segment_id: str, script_with: Callable[[Lexicon], Script], lexicon: Lexicon, extra: Entry | None,
               voices: Mapping[str, tuple[Any, Any]], cache_dir: Path, rate: int, output: Path) -> Heard:
    """ONE sentence (``segment_id``) as the voice says it with ``extra`` in the lexicon (it wins
    over the voice's own entries): scripted by ``script_with(lexicon)``, synthesized through the
    sentence cache, encoded as a clip under ``output``."""
    merged = Lexicon([extra]).merged(lexicon) if extra is not None else lexicon
    segment = _find(script_with(merged), segment_id)
    before = _find(script_with(lexicon), segment_id) if extra is not None else segment
    plan = plan_segments([segment], voices, cache_dir, rate)
    make_segments(plan, voices, cache_dir, rate)
    wav = plan.final[0]
    if wav == Path():
        return Heard("", segment.spoken, segment.spoken != before.spoken)
    return Heard(preview_clip(wav, output), segment.spoken, segment.spoken != before.spoken)


PREVIEWS = Path("proof") / "previews"  # under output/: the cached WAV itself, for "hear it"


def preview_clip(wav: Path, output: Path) -> str:
    """The sentence's cached WAV linked (or copied) under output/, relative to it: browsers play
    PCM WAV, and a link costs nothing where an MP3 encoding costs an ffmpeg run."""
    rel = PREVIEWS / f"{wav.stem}.wav"
    target = output / rel
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as temp:
            try:
                os.link(wav, temp)
            except OSError:
                shutil.copyfile(wav, temp)
    return rel.as_posix()


def _find(script: Script, segment_id: str) -> Segment:
    for segment in script.segments():
        if segment.id == segment_id:
            return segment
    raise KeyError(segment_id)
