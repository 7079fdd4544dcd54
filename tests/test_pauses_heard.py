"""The pause set between sentences is the gap a listener hears (issue 27): measured as silence
in the mastered audio of real voices (espeak-ng and Piper's joe), not as the number in the script."""

from __future__ import annotations

import array
import shutil
import sys
import wave

import pytest

from narrate.audio.chapter import OUT_RATE
from narrate.audio.master import render
from narrate.errors import NarrateError
from narrate.speech.engines import get_engine
from narrate.speech.script import Script, ScriptChapter, Segment
from narrate.speech.voices import BUILTIN_PROFILES

SOUND = 184  # about -45 dBFS: speech is far above, room tone (-78 dBFS before gain) far below
WINDOW = OUT_RATE // 200  # 5 ms


def silences_ms(samples: array.array, start: int, end: int) -> list[float]:
    """Runs of 5 ms windows without sound between ``start`` and ``end``, in milliseconds."""
    runs, run = [], 0
    for at in range(start, end - WINDOW, WINDOW):
        chunk = samples[at:at + WINDOW]
        if max(chunk) < SOUND and min(chunk) > -SOUND:
            run += 1
        else:
            if run:
                runs.append(run * 1000 * WINDOW / OUT_RATE)
            run = 0
    return runs


def _engine(name: str):
    profile = BUILTIN_PROFILES[name]
    if name == "espeak" and shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is installed by scripts/setup.sh")
    try:
        return profile, get_engine(profile)
    except NarrateError as exc:  # the Piper voice package comes with scripts/setup.sh
        pytest.skip(str(exc))


@pytest.mark.parametrize("voice", ["espeak", "joe"])
def test_the_gap_heard_between_sentences_is_the_pause_setting(tmp_path, voice):
    texts = ["The harbour was quiet that morning.", "Nobody came to the quay.", "Then it rained."]
    pauses = [350, 900, 2000]
    segments = tuple(Segment(f"p{i}-s1", f"p{i}", text, text, pause)
                     for i, (text, pause) in enumerate(zip(texts, pauses, strict=True)))
    script = Script("gaps", "Gaps", "en", (ScriptChapter("c1", "Gaps", segments),))
    profile, engine = _engine(voice)
    rendered = render(script, profile, engine, cache_dir=tmp_path / "cache", work_dir=tmp_path / "w")
    piece = rendered.pieces[0]
    assert len(piece.blocks) == 1
    with wave.open(str(piece.blocks[0].wav), "rb") as wav:
        samples = array.array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    for (_, end), (start, _), pause in zip(piece.offsets[:-1], piece.offsets[1:], pauses[:-1], strict=True):
        # the longest silence from the last word of one sentence to the first of the next
        heard = max(silences_ms(samples, end - OUT_RATE // 2, start + OUT_RATE // 2))
        assert abs(heard - pause) <= 40, (heard, pause)
