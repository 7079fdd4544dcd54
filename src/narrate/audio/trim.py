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
from functools import lru_cache
from pathlib import Path

from narrate.audio.flac import sentence_pcm
from narrate.errors import AudioError

THRESHOLD = 104  # 16-bit amplitude, about -50 dBFS
_CHUNK = 256  # samples scanned at a time from each end


def speech_window(path: Path, rate: int) -> tuple[int, int]:
    """(first, end) sample of the speech in a cached sentence (``flac.sentence_pcm``: FLAC, or an
    older cache's WAV) at ``rate`` Hz; (0, frames) when all of it is quiet."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise AudioError(f"cannot read synthesized audio ({exc.strerror or exc}); build again to re-synthesize",
                         path) from exc
    return _window(str(path), stat.st_size, stat.st_mtime_ns, rate)


@lru_cache(maxsize=4096)
def _window(path: str, size: int, mtime_ns: int, rate: int) -> tuple[int, int]:  # noqa: ARG001 - the cache key
    samples = array.array("h", sentence_pcm(Path(path), rate))
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
