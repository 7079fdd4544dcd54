"""The studio's door to the pronunciation path.

``entry_for`` turns what an editor typed (a respelling, an alias, IPA) into a lexicon entry;
``synthesize`` says ONE sentence through the publication's voice and the sentence cache with that
entry added, the way a build will say it: an alias changes the spoken text, an IPA entry the
phonemes the voice is given (``speech/pronounce``: the engine's own lexicon holds the entry, so
the sentence's cache key changes with it). The words to fix come from ``proof.flags.flag_for_voice``,
the same list ``narrate proof`` shows.
"""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrate.artifacts import atomic_path
from narrate.audio.master import make_segments, plan_segments
from narrate.speech.hearing import hear, takes_phonemes
from narrate.speech.lexicon import Entry, Lexicon
from narrate.speech.script import Script, Segment

KINDS = ("respelling", "alias", "ipa")  # what an editor may type for a word


def entry_for(word: str, kind: str, value: str) -> Entry:
    """The lexicon entry an editor means: a respelling or alias is said instead of the word;
    IPA is a phoneme string."""
    value = " ".join(value.split())
    if kind == "ipa":
        return Entry(grapheme=word, phoneme=value.strip("/[]"), alphabet="ipa")
    return Entry(grapheme=word, alias=value)


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
    given = {key: (profile, _with_entry(engine, extra)) for key, (profile, engine) in voices.items()}
    plan = plan_segments([segment], given, cache_dir, rate)
    make_segments(plan, given, cache_dir, rate)
    changed = segment.spoken != before.spoken or _phonemes_differ(voices, given, segment.spoken)
    wav = plan.final[0]
    return Heard(preview_clip(wav, output) if wav != Path() else "", segment.spoken, changed)


def _with_entry(engine: Any, extra: Entry | None) -> Any:
    """``engine`` whose own lexicon also holds ``extra``, where the engine gives lexicon phonemes to
    the voice (Piper, espeak-ng); a shallow copy, so the loaded model is shared."""
    if extra is None or not extra.phoneme or extra.alias or not isinstance(getattr(engine, "lexicon", None), Lexicon):
        return engine
    changed = copy.copy(engine)
    changed.lexicon = Lexicon([extra]).merged(engine.lexicon)
    return changed


def _phonemes_differ(voices: Mapping[str, tuple[Any, Any]], given: Mapping[str, tuple[Any, Any]], text: str) -> bool:
    profile, engine = voices[""]
    entry_engine = given[""][1]
    if entry_engine is engine or not takes_phonemes(engine):
        return False
    return hear(profile, text, engine).ipa != hear(profile, text, entry_engine).ipa


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
