"""Files sent across a Ray cluster as spans of cache entries the receiver already holds.

A stitched audio edition is mostly codec frames copied from the chapters' encoded blocks: the
MP3 edition and a chapter's joined MP3 are the blocks' MP3 frames end to end (a new ID3 tag and
Xing frame before them), the M4B's ``mdat`` is the blocks' AAC frames without their ADTS
headers, the read-along EPUB stores chapters' MP3s as they are. The machine running ``narrate
build`` already holds those blocks (a chapter task sent them back as cache entries), so a node
sends such a file as ``Spans``: the names of the entries it copies from, (entry, offset, length)
pieces and the bytes found nowhere else (tags, headers, the M4B's tables). The head rebuilds it
(``Spans.rebuild``: slices joined, no parsing, no ffmpeg) and checks its length and CRC-32: the
encoded audio crosses the network once.

The node finds the pieces by codec frames (``frame_units``): an MP3 entry's frames, an ADTS
entry's frames and their payloads. It follows a run of consecutive frames of one entry, looks a
run's next frame up a little further on when something is inserted (an M4B's chapter-title
samples), and otherwise looks each position up among the first frames of every entry.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np

LITERAL = 0xFFFFFFFF  # the source index of a piece copied from ``Spans.literals``
MIN_SIZE = 64 * 1024  # a smaller file is sent as it is
KEY = 16  # bytes of a frame's start it is looked up by
INDEXED = 2  # frames of each entry looked up by their start (an MP3 edition skips each block's Xing frame)
WINDOW = 4096  # how far on a run's next frame is looked for after something inserted
PREFIX = 4  # bytes of a unit's start the positions that match nothing are skipped by
SKIP_WINDOW = 1024  # bytes searched at once for the next such position at first (then 4 times more, to 1 MB)
CODEC_SUFFIXES = (".mp3", ".aac")

_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_MP3_KBPS = {3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
             2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}


def mp3_frames(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each MPEG Layer III frame of ``data``, after any ID3v2 tag; up to the first
    bytes that are not one."""
    pos = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        pos = 10 + ((data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F))
    frames = []
    end = len(data)
    while pos + 4 <= end:
        b1, b2 = data[pos + 1], data[pos + 2]
        version, layer, index, rate = (b1 >> 3) & 3, (b1 >> 1) & 3, b2 >> 4, (b2 >> 2) & 3
        if data[pos] != 0xFF or b1 & 0xE0 != 0xE0 or version == 1 or layer != 1 or index in (0, 15) or rate == 3:
            break
        kbps = _MP3_KBPS[3 if version == 3 else 2][index]
        length = (144 if version == 3 else 72) * kbps * 1000 // _MP3_RATES[version][rate] + ((b2 >> 1) & 1)
        if pos + length > end:
            break
        frames.append((pos, length))
        pos += length
    return frames


def adts_frames(data: bytes) -> list[tuple[int, int, int]]:
    """(offset, length, header length) of each ADTS frame of ``data``; up to the first bytes that are not one."""
    frames = []
    pos, end = 0, len(data)
    while pos + 7 <= end:
        if data[pos] != 0xFF or data[pos + 1] & 0xF6 != 0xF0:
            break
        length = (data[pos + 3] & 0x03) << 11 | data[pos + 4] << 3 | data[pos + 5] >> 5
        header = 7 if data[pos + 1] & 0x01 else 9
        if length <= header or pos + length > end:
            break
        frames.append((pos, length, header))
        pos += length
    return frames


def frame_units(name: str, data: bytes) -> list[tuple[array, array]]:
    """The runs of units ``name``'s bytes may be copied by, each as (offsets, lengths): an MP3's frames;
    an ADTS stream's frames, and their payloads (what an MP4 holds); nothing for other files."""
    if name.endswith(".mp3"):
        frames = mp3_frames(data)
        return [(array("I", (o for o, _ in frames)), array("I", (n for _, n in frames)))]
    if name.endswith(".aac"):
        adts = adts_frames(data)
        return [(array("I", (o for o, _, _ in adts)), array("I", (n for _, n, _ in adts))),
                (array("I", (o + h for o, _, h in adts)), array("I", (n - h for _, n, h in adts)))]
    return []


@dataclass(frozen=True)
class Spans:
    """A file as pieces of named entries and literal bytes (see the module docstring)."""

    sources: tuple[str, ...]  # the entries it copies from (cache-relative names)
    pieces: bytes  # zlib of uint32 triples: (source index or LITERAL, offset, length)
    literals: bytes
    size: int
    crc: int  # zlib.crc32 of the whole file

    @property
    def sent(self) -> int:
        """Bytes of it that cross the network (about)."""
        return len(self.pieces) + len(self.literals) + sum(len(name) for name in self.sources)

    def rebuild(self, read: Callable[[str], bytes]) -> bytes | None:
        """The file, its sources read by ``read``; None when it does not come out as sent (a source
        missing or other than the node's)."""
        triples = array("I")
        try:
            triples.frombytes(zlib.decompress(self.pieces))
            views = [memoryview(read(name)) for name in self.sources]
            literals = memoryview(self.literals)
            parts = []
            append = parts.append
            it = iter(triples)
            for source, offset, length in zip(it, it, it, strict=True):
                append((literals if source == LITERAL else views[source])[offset:offset + length])
        except (OSError, ValueError, IndexError, zlib.error):  # a source missing, pieces cut short
            return None
        data = b"".join(parts)
        return data if len(data) == self.size and zlib.crc32(data) == self.crc else None


class SpanSources:
    """The entries files may be sent as spans of, their codec frames found once for every file looked up
    among them (a stitching task looks up its MP3, its M4B and its read-along EPUB among the same blocks;
    parsing every block's frames again for each was most of what a look-up cost)."""

    def __init__(self, sources: Mapping[str, bytes]):
        self.names = [name for name in sources if name.endswith(CODEC_SUFFIXES)]
        self.blobs = [sources[name] for name in self.names]
        self._index: tuple[list[tuple[int, array, array]], dict[bytes, list[tuple[int, int]]], np.ndarray] | None = None

    def index(self) -> tuple[list[tuple[int, array, array]], dict[bytes, list[tuple[int, int]]], np.ndarray]:
        """(runs: (source number, offsets, lengths) of each run of units; a unit's first KEY bytes → its
        (run, unit)s, for the first INDEXED units of each run; the first PREFIX bytes of those keys)."""
        if self._index is None:
            runs: list[tuple[int, array, array]] = []
            index: dict[bytes, list[tuple[int, int]]] = {}
            for number, (name, blob) in enumerate(zip(self.names, self.blobs, strict=True)):
                for offsets, lengths in frame_units(name, blob):
                    run = len(runs)
                    runs.append((number, offsets, lengths))
                    for unit in range(min(INDEXED, len(offsets))):
                        if lengths[unit] >= KEY:
                            index.setdefault(blob[offsets[unit]:offsets[unit] + KEY], []).append((run, unit))
            keys = np.unique(np.frombuffer(b"".join(key[:PREFIX] for key in index), dtype=">u4"))
            self._index = runs, index, keys
        return self._index


def find_spans(data: bytes, sources: Mapping[str, bytes] | SpanSources) -> Spans | None:
    """``data`` as ``Spans`` of ``sources`` (name → bytes the receiver holds; a ``SpanSources`` when several
    files are looked up among the same), or None when it is small or copies less than half of its bytes
    from them (then it is sent as it is)."""
    if len(data) < MIN_SIZE:
        return None
    known = sources if isinstance(sources, SpanSources) else SpanSources(sources)
    names, blobs = known.names, known.blobs
    runs, index, keys = known.index()
    if not index:
        return None
    view = np.frombuffer(data, dtype=np.uint8)

    def unit_prefix(run: int, unit: int) -> bytes:
        number, offsets, _ = runs[run]
        return blobs[number][offsets[unit]:offsets[unit] + PREFIX]

    def skip(at: int, lengths: list[int], prefixes: list[bytes]) -> int:
        """The first position from ``at`` whose next PREFIX bytes begin an indexed unit or one of
        ``prefixes`` (the units a run may go on with), or ``end`` when there is none."""
        if any(length < PREFIX for length in lengths):  # a unit too short to be looked for by its start
            return at
        wanted = keys if not prefixes else np.union1d(keys, np.frombuffer(b"".join(prefixes), dtype=">u4"))
        window = SKIP_WINDOW
        while at + PREFIX <= end:
            stop = min(end, at + window + PREFIX - 1)  # the positions at .. stop - PREFIX
            chunk = view[at:stop].astype(np.uint32)
            words = chunk[:-3] << 24 | chunk[1:-2] << 16 | chunk[2:-1] << 8 | chunk[3:]
            hits = np.flatnonzero(np.isin(words, wanted))
            if hits.size:
                return at + int(hits[0])
            at = stop - PREFIX + 1
            window = min(4 * window, 1 << 20)
        return end
    pieces = array("I")
    literals = bytearray()
    copied = 0
    pos, start, end = 0, 0, len(data)
    # the (run, unit)s that may come next: every run whose frames matched so far (a stretch of room
    # tone is the same frames in many blocks; the run that goes on past it is known only later)
    current: list[tuple[int, int]] = []
    looked = False  # the run's next unit was looked for further on since the run broke

    def matches(run: int, unit: int, at: int) -> int:
        number, offsets, lengths = runs[run]
        length = lengths[unit]
        offset = offsets[unit]
        return length if data.startswith(blobs[number][offset:offset + length], at) else 0

    def take(run: int, unit: int, length: int) -> None:
        nonlocal copied
        if start < pos:
            pieces.extend((LITERAL, len(literals), pos - start))
            literals.extend(data[start:pos])
        number, offsets, _ = runs[run]
        offset = offsets[unit]
        if len(pieces) >= 3 and pieces[-3] == number and pieces[-2] + pieces[-1] == offset:
            pieces[-1] += length  # the previous piece continues here in the same entry
        else:
            pieces.extend((number, offset, length))
        copied += length

    while pos < end:
        found = [(run, unit, length) for run, unit in current if (length := matches(run, unit, pos))]
        if not found:
            found = [(run, unit, length) for run, unit in index.get(data[pos:pos + KEY], ())
                     if (length := matches(run, unit, pos))]
        if found:
            run, unit, length = found[0]
            take(run, unit, length)
            pos += length
            start = pos
            current = [(r, u + 1) for r, u, n in found if n == length and u + 1 < len(runs[r][1])]
            looked = False
            continue
        if current and not looked:  # something inserted in a run: its next unit a little further on
            looked = True
            run, unit = current[0]
            number, offsets, lengths = runs[run]
            offset = offsets[unit]
            ahead = data.find(blobs[number][offset:offset + min(KEY, lengths[unit])], pos + 1,
                              min(end, pos + WINDOW))
            if ahead > pos:
                pos = ahead
                continue
            current = []
        # on to the next position anything may match at (a unit's first bytes there): bytes that match
        # nothing (a tag, a cover, an M4B's tables) are skipped in C, not looked up one by one in Python
        pos = skip(pos + 1, [runs[r][2][u] for r, u in current], [unit_prefix(r, u) for r, u in current])
        if 2 * (copied + end - pos) < len(data):  # half can no longer be copied: sent as it is (below)
            return None
    if 2 * copied < len(data):
        return None
    if start < end:
        pieces.extend((LITERAL, len(literals), end - start))
        literals.extend(data[start:end])
    used = sorted({pieces[i] for i in range(0, len(pieces), 3)} - {LITERAL})
    renumbered = {number: new for new, number in enumerate(used)} | {LITERAL: LITERAL}
    for i in range(0, len(pieces), 3):
        pieces[i] = renumbered[pieces[i]]
    return Spans(tuple(names[number] for number in used), zlib.compress(pieces.tobytes(), 1), bytes(literals),
                 len(data), zlib.crc32(data))


def with_spans(entries: Mapping[str, bytes], joined: Collection[str] | None = None) -> dict[str, bytes | Spans]:
    """``entries`` (a chapter task's cache entries) with each codec entry that copies most of its bytes
    from the others of its codec (a chapter's joined encoding: its blocks') sent as ``Spans`` of them;
    the largest first, and never of an entry itself sent as spans. ``joined``: the entries that may
    be (the caller knows which it joined); others are sent as they are without being looked at.

    Which entries are tried matters: ``find_spans`` looks a file up byte by byte where it copies
    nothing, about a microsecond a byte in Python, so trying every block's encoding against the
    others (and an MP3 against the AACs) cost a chapter task more than its mastering (0.5 CPU-s on a
    27 s chapter: the 10-title Ray batch's regression of round eight, ``benchmarks/RESULTS.md``)."""
    out: dict[str, bytes | Spans] = dict(entries)
    codec = sorted((name for name in entries if name.endswith(CODEC_SUFFIXES)), key=lambda n: (-len(entries[n]), n))
    for name in codec:
        if joined is not None and name not in joined:
            continue
        suffix = PurePosixPath(name).suffix
        sources = {other: entries[other] for other in codec
                   if other != name and other.endswith(suffix) and not isinstance(out[other], Spans)}
        spans = find_spans(entries[name], sources) if sources else None
        if spans is not None:
            out[name] = spans
    return out


def inside(rel: str) -> bool:
    """Is ``rel`` a relative name with no ``..`` (a cache entry's name as a node sends it)?"""
    parts = PurePosixPath(rel).parts
    return bool(parts) and not rel.startswith("/") and "\\" not in rel and ".." not in parts
