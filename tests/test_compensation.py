"""An encoding's level compensation (``encoding.compensation_db``, issue 31): the codec's own share
stays put while a chapter's master moves by the few hundredths of an LU an edit moves it, so an
edit does not encode every block of its chapter again; the encoding still lands within a tenth of
an LU of the target and half a 0.1 dB step."""

from __future__ import annotations

import pytest

from narrate.audio.encoding import COMPENSATE_ABOVE_LU, compensation_db
from narrate.audio.master import TARGETS

TARGET = TARGETS["default"]
OFFSETS = [-0.9, -0.46, -0.45, -0.404, -0.4, -0.396, -0.35, -0.25, -0.1, -0.05, 0.0, 0.05, 0.15, 0.35]


@pytest.mark.parametrize("offset", OFFSETS)
def test_a_small_move_of_the_master_keeps_the_compensation(offset):
    """Masters within 0.1 LU of the target (their gain is in 0.1 dB steps) get one compensation
    per codec offset, whatever the offset: it used to flip between two 0.1 dB steps when the
    offset sat near a half step (LAME's -0.4 LU with the Piper voice)."""
    levels = [TARGET.integrated_lufs + d / 1000 for d in range(-99, 100)]
    assert len({compensation_db(TARGET, level, offset) for level in levels}) == 1


@pytest.mark.parametrize("offset", OFFSETS)
def test_the_encoding_lands_within_a_tenth_of_an_lu_and_half_a_step(offset):
    for d in range(-600, 601, 7):
        master = TARGET.integrated_lufs + d / 1000
        step = compensation_db(TARGET, master, offset)
        assert round(step, 1) == step
        assert abs(master + offset + step - TARGET.integrated_lufs) <= COMPENSATE_ABOVE_LU + 0.05 + 1e-9, (master, step)


def test_the_edit_that_encoded_a_whole_chapter_again():
    """The benchmark's edit (``benchmarks/cli_edit.py``, edit 2): the chapter's master went from
    -19.045 to -19.058 LUFS with LAME's offset at -0.40 LU; the compensation went 0.4 -> 0.5 dB."""
    assert compensation_db(TARGET, -19.045, -0.396) == compensation_db(TARGET, -19.058, -0.396)


def test_silence_and_no_offset():
    assert compensation_db(TARGET, -70.0, -0.4) == 0.0
    assert compensation_db(TARGET, -19.05, 0.0) == 0.0
    assert str(compensation_db(TARGET, -19.0, 0.04)) == "0.0"  # never -0.0: it is part of a cache key
    assert compensation_db(TARGET, -19.5, 0.0) == 0.5  # a master off the target is brought back
