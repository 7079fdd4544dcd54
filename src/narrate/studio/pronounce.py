"""The studio's door to the pronunciation path.

``entry_for`` turns what an editor typed (a respelling, an alias, IPA) into a lexicon entry;
``synthesize`` says ONE sentence through the publication's voice with that entry added, the way
a build will say it: an alias changes the spoken text, an IPA entry the phonemes the voice is
given (``speech/pronounce``: the engine's own lexicon holds the entry). The words to fix come
from ``proof.flags.flag_for_voice``, the same list ``narrate proof`` shows.

A preview is heard as it is made: ``Heard.sound`` yields the sentence's audio (16-bit mono PCM)
phrase by phrase where the voice can say phrases (Piper: ``PiperEngine.phrases``, the phonemes
its ``synthesize`` gives the model, one model run a phrase), so the page plays the first phrase
while the rest are made. When the last part is out, the whole preview is written as a WAV under
``output/proof/previews/``, named by what it says and the voice saying it (a second "hear it" of
the same respelling replays that file), and the folder is pruned to the newest ``KEEP`` previews.

A preview writes only its own files: not the sentence cache (phrase runs are not the sentence a
build makes, and a build must not find them there), so it needs no project lock and cannot race
a build. The one exception: a sentence with a part in a voice of another sample rate is made
through the sentence cache as a build makes it (entries content-keyed, written atomically).
"""

from __future__ import annotations

import copy
import hashlib
import re
import tempfile
import wave
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrate.artifacts import atomic_path
from narrate.audio import flac
from narrate.audio.master import make_segments, plan_segments
from narrate.speech.hearing import hear, takes_phonemes
from narrate.speech.lexicon import Entry, Lexicon
from narrate.speech.script import Script, Segment

KINDS = ("respelling", "alias", "ipa")  # what an editor may type for a word
PREVIEWS = Path("proof") / "previews"  # under output/
KEEP = 50  # previews kept in PREVIEWS; older ones the studio wrote are removed
NAME = re.compile(r"[0-9a-f]{64}\.wav")  # the studio's previews (and nothing else) are named so
BLOCK = 1 << 16  # bytes of PCM a replayed preview is sent in


def entry_for(word: str, kind: str, value: str) -> Entry:
    """The lexicon entry an editor means: a respelling or alias is said instead of the word;
    IPA is a phoneme string."""
    value = " ".join(value.split())
    if kind == "ipa":
        return Entry(grapheme=word, phoneme=value.strip("/[]"), alphabet="ipa")
    return Entry(grapheme=word, alias=value)


@dataclass
class Heard:
    clip: str  # relative to output/: the whole preview, there once ``sound`` is exhausted
    spoken: str  # the text the voice was given
    changed: bool  # did the entry change what is spoken?
    rate: int  # samples a second of ``sound``
    sound: Iterator[bytes]  # the preview as it is made: 16-bit mono little-endian PCM

    def finish(self) -> Heard:
        """Make all of it (the clip is then written)."""
        for _ in self.sound:
            pass
        return self


def synthesize(segment_id: str, script_with: Callable[[Lexicon], Script], lexicon: Lexicon, extra: Entry | None,
               voices: Mapping[str, tuple[Any, Any]], cache_dir: Path, rate: int, output: Path,
               keep: int | None = None) -> Heard:
    """ONE sentence (``segment_id``) as the voice says it with ``extra`` in the lexicon (it wins
    over the voice's own entries), scripted by ``script_with(lexicon)``; its sound is made lazily,
    then ``PREVIEWS`` pruned to the newest ``keep`` (``KEEP``)."""
    keep = KEEP if keep is None else keep
    merged = Lexicon([extra]).merged(lexicon) if extra is not None else lexicon
    segment = _find(script_with(merged), segment_id)
    before = _find(script_with(lexicon), segment_id) if extra is not None else segment
    given = {key: (profile, _with_entry(engine, extra)) for key, (profile, engine) in voices.items()}
    changed = segment.spoken != before.spoken or _phonemes_differ(voices, given, segment.spoken)
    pieces = [(given[language if language in given else ""][1], text)
              for language, text in segment.pieces() if text.strip()]
    if all(engine.sample_rate == rate for engine, _ in pieces):
        rel = PREVIEWS / f"{_name(pieces, rate)}.wav"
        sound = _made(pieces, output / rel, rate, keep)
    else:  # a part in a voice of another rate: resampled through the sentence cache, as a build does
        wav = _through_cache(segment, given, cache_dir, rate)
        rel = PREVIEWS / f"{wav.stem}.wav"
        sound = _made([(_Cached(wav, rate), segment.spoken)], output / rel, rate, keep)
    return Heard(rel.as_posix(), segment.spoken, changed, rate, sound)


def _with_entry(engine: Any, extra: Entry | None) -> Any:
    """``engine`` whose own lexicon also holds ``extra``, where the engine gives lexicon phonemes to
    the voice (Piper, espeak-ng); a shallow copy, so the loaded model is shared."""
    if extra is None or not extra.phoneme or extra.alias or not isinstance(getattr(engine, "lexicon", None), Lexicon):
        return engine
    changed = copy.copy(engine)
    changed.lexicon = Lexicon([extra]).merged(engine.lexicon)
    changed._phonemizer = None  # its own (Piper): the entry's engine never shares the voice's phonemizer
    return changed


def _phonemes_differ(voices: Mapping[str, tuple[Any, Any]], given: Mapping[str, tuple[Any, Any]], text: str) -> bool:
    profile, engine = voices[""]
    entry_engine = given[""][1]
    if entry_engine is engine or not takes_phonemes(engine):
        return False
    return hear(profile, text, engine).ipa != hear(profile, text, entry_engine).ipa


def _name(pieces: list[tuple[Any, str]], rate: int) -> str:
    """What a preview says and who says it (each engine's cache key holds its voice, settings and
    lexicon), and how: phrase runs or whole sentences."""
    how = ["phrases" if callable(getattr(engine, "phrases", None)) else "whole" for engine, _ in pieces]
    said = "\0".join(f"{engine.cache_key()}\0{kind}\0{text}" for (engine, text), kind in zip(pieces, how, strict=True))
    return hashlib.sha256(f"preview;rate={rate}\0{said}".encode()).hexdigest()


def _made(pieces: list[tuple[Any, str]], target: Path, rate: int, keep: int) -> Iterator[bytes]:
    """The preview's PCM as each part is made (or the preview already there, replayed); the
    whole written to ``target`` at the end, then the folder pruned."""
    if target.is_file():
        target.touch()  # heard again: among the newest
        yield from _frames(target)
        return
    made: list[bytes] = []
    for engine, text in pieces:
        for pcm in _said(engine, text):
            made.append(pcm)
            yield pcm
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as temp, wave.open(str(temp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(made))
    prune(target.parent, keep)


def _said(engine: Any, text: str) -> Iterator[bytes]:
    if callable(getattr(engine, "phrases", None)):
        yield from engine.phrases(text)
        return
    with tempfile.TemporaryDirectory(prefix="narrate-preview-") as folder:
        wav = Path(folder) / "said.wav"
        engine.synthesize(text, wav)
        yield from _frames(wav)


def _frames(wav: Path) -> Iterator[bytes]:
    with wave.open(str(wav), "rb") as source:
        while block := source.readframes(BLOCK // 2):
            yield block


@dataclass(frozen=True)
class _Cached:
    """A sentence the sentence cache holds, said as an engine would say it."""

    path: Path
    sample_rate: int

    def cache_key(self) -> str:
        return f"cached={self.path.name}"

    def phrases(self, text: str) -> Iterator[bytes]:
        yield flac.read(self.path, self.sample_rate)


def _through_cache(segment: Segment, voices: Mapping[str, tuple[Any, Any]], cache_dir: Path, rate: int) -> Path:
    plan = plan_segments([segment], voices, cache_dir, rate)
    make_segments(plan, voices, cache_dir, rate)
    return plan.final[0]


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest previews in ``folder`` (newest by modification time, then
    name: the same files on every run); only regular files named as the studio names them."""
    previews = [p for p in folder.iterdir() if NAME.fullmatch(p.name) and p.is_file() and not p.is_symlink()]
    previews.sort(key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    gone = previews[max(keep, 1):]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def _find(script: Script, segment_id: str) -> Segment:
    for segment in script.segments():
        if segment.id == segment_id:
            return segment
    raise KeyError(segment_id)
