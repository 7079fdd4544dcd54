"""Where a synthesized sentence's speech starts and ends, so the pause set between sentences is
the gap a listener hears.

Engines end each sentence with silence of their own (espeak-ng about 300 ms, Piper its
``sentence_silence``) and some begin with a little; the chapter layout used to add the pause
setting after all of it, so a 350 ms sentence pause was heard as about 650 ms. A sentence is
laid out from its first to its last sample above ``THRESHOLD`` (about -50 dBFS: far under
speech, far over the engines' silence and the -78 dBFS room tone that fills the pause), and the
pause follows that.
"""

from __future__ import annotations

import array
import sys
import wave
from functools import lru_cache
from pathlib import Path

THRESHOLD = 104  # 16-bit amplitude, about -50 dBFS
_CHUNK = 256  # samples scanned at a time from each end


def speech_window(path: Path) -> tuple[int, int]:
    """(first, end) sample of the speech in a mono 16-bit WAV; (0, frames) when all of it is quiet."""
    stat = path.stat()
    return _window(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _window(path: str, size: int, mtime_ns: int) -> tuple[int, int]:  # noqa: ARG001 - the cache key
    with wave.open(path, "rb") as src:
        samples = array.array("h", src.readframes(src.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    total = len(samples)
    start = 0
    while start < total and _quiet(samples[start:start + _CHUNK]):
        start += _CHUNK
    if start >= total:
        return 0, total
    while abs(samples[start]) <= THRESHOLD:
        start += 1
    end = total
    while end > start and _quiet(samples[max(start, end - _CHUNK):end]):
        end = max(start, end - _CHUNK)
    while end > start and abs(samples[end - 1]) <= THRESHOLD:
        end -= 1
    return start, end


def _quiet(chunk: array.array) -> bool:
    return max(chunk) <= THRESHOLD and min(chunk) >= -THRESHOLD
