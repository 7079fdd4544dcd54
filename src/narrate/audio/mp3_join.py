"""MP3 frame streams joined in-process, byte for byte what ffmpeg's join writes (issue 31).

``encoding.concat_mp3`` joined a chapter's blocks, and an edition's chapters, with ffmpeg's concat
demuxer and its mp3 muxer (stream copy): an edit paid two ffmpeg start-ups for work that is a file
copy and one header. ``write`` writes the same bytes here, for the streams narrate's encodes make
(``-c:a libmp3lame -write_xing 1 -f mp3 -bitexact``, or such joins of them: CBR, one layer-III
header layout, a Xing/Info frame with a LAME tag). ``read`` says None for anything else, and the
caller falls back to ffmpeg.

What ffmpeg 5's mp3 muxer writes for such a join, after ``-map_metadata -1``:

- an empty ID3v2.4 tag (a 10-byte header announcing 10 bytes of padding: the muxer's default);
- the Xing frame: a layer-III header at the bitrate nearest the stream's (no padding bit, no CRC),
  zeros up to the tag, ``Info`` (CBR) and the flags frames/size/TOC/VBR-scale, the audio frames'
  count, the byte count (this frame's size and every audio frame's), the 100-entry TOC (LAME's
  "bags" of frame sizes, ``_toc``), a zero VBR scale, the encoder string ``Lavf`` (a stream copy
  names no encoder), the LAME tag's fields at zero but for the encoder delay (the first input's)
  and padding (the last input's, as the demuxer's discard side data reports it), the music length
  (the same byte count), the CRC-16 of the audio frames and the CRC-16 of the frame's first 190
  bytes;
- every input's audio frames, each input's own Xing frame left out (the demuxer skips it).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

_BITRATES_V1_L3 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)  # kbit/s, MPEG-1
_RATES_V1 = (44100, 48000, 32000)
_XING_OFFSET = {3: 17, 0: 32, 1: 32, 2: 32}  # after the 4-byte header, MPEG-1, by channel mode (3: mono)
_XING_SIZE = 156  # the Xing/LAME data from the tag on (ffmpeg's XING_SIZE)
_TOC_SIZE = 100
_BAGS = 400
_DECODER_DELAY = 528 + 1  # what ffmpeg's mp3 decoder adds to the LAME tag's delay and padding
ID3_EMPTY = b"ID3\x04\x00\x00\x00\x00\x00\x0a" + bytes(10)


@dataclass(frozen=True)
class Stream:
    """One MP3 file as the join reads it: its audio frames and its LAME tag's delay, padding and
    music CRC."""

    path: Path
    start: int  # the first audio frame (after any ID3v2 tag and the Xing frame)
    length: int  # the file's length in bytes
    sizes: np.ndarray  # every audio frame's length in bytes, in order
    header: int  # the sync, version, layer, sample rate and channel mode bits of every frame
    bitrate: int  # kbit/s
    delay: int
    padding: int
    crc: int  # the CRC-16 of the audio frames (the LAME tag's music CRC, checked to be this file's)


def parse(data: bytes, path: Path = Path()) -> Stream | None:
    """``data`` as a join input, or None when it is not a stream this module joins exactly: MPEG-1
    layer III, one bitrate, sample rate and channel mode throughout, a Xing/Info frame carrying a
    LAME tag (``Lavf``/``Lavc``/``LAME``) whose music length is this file's, and nothing after the
    last frame."""
    start = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        if data[5] & 0x10:  # a footer: not written by the encodes this module joins
            return None
        start = 10 + ((data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F))
    first = _frame(data, start)
    if first is None:
        return None
    header, bitrate, rate, mode, size = first
    tag = start + 4 + _XING_OFFSET[mode]
    if data[tag:tag + 4] not in (b"Info", b"Xing") or tag + _XING_SIZE > start + size:
        return None
    if data[tag + 120:tag + 124] not in (b"LAME", b"Lavf", b"Lavc"):
        return None
    if int.from_bytes(data[tag + 148:tag + 152], "big") != len(data) - start:
        return None  # a music length that is not this file's: its music CRC cannot be trusted either
    fields = int.from_bytes(data[tag + 141:tag + 144], "big")
    sizes = _walk(data, start + size, header, bitrate, rate)
    if not sizes:
        return None
    return Stream(path, start + size, len(data), np.array(sizes, dtype=np.int32), header, bitrate, fields >> 12,
                  fields & 0xFFF,
                  int.from_bytes(data[tag + 152:tag + 154], "big"))


def _walk(data: bytes, position: int, header: int, bitrate: int, rate: int) -> list[int]:
    """The lengths of the frames from ``position`` to the end, all of ``header``'s layout and
    ``bitrate`` (empty when one is not, or the last one overruns the data)."""
    size = 144000 * bitrate // rate
    b1 = header >> 16 & 0xFF
    b2 = (header >> 8 & 0x0C) | _BITRATES_V1_L3.index(bitrate) << 4
    mode = header & 0xC0
    end = len(data)
    sizes = []
    while position + 4 <= end:
        third = data[position + 2]
        if data[position] != 0xFF or data[position + 1] & 0xFE != b1 or third & 0xFC != b2 \
                or data[position + 3] & 0xC0 != mode:
            return []
        length = size + (third >> 1 & 0x01)
        sizes.append(length)
        position += length
    return sizes if position == end else []


def _frame(data: bytes, at: int) -> tuple[int, int, int, int, int] | None:
    """The MPEG-1 layer-III frame header at ``at``: (its sync, version, layer, sample rate and
    channel mode bits, kbit/s, Hz, channel mode, frame bytes), or None."""
    if at + 4 > len(data) or data[at] != 0xFF or data[at + 1] & 0xFE != 0xFA:  # sync, MPEG-1, layer III
        return None
    b2, b3 = data[at + 2], data[at + 3]
    index, rate_index = b2 >> 4, (b2 >> 2) & 0x03
    if not 0 < index < 15 or rate_index == 3:
        return None
    bitrate, rate = _BITRATES_V1_L3[index], _RATES_V1[rate_index]
    size = 144000 * bitrate // rate + ((b2 >> 1) & 0x01)
    return (data[at] << 24 | (data[at + 1] & 0xFE) << 16 | (b2 & 0x0C) << 8 | (b3 & 0xC0)), bitrate, rate, b3 >> 6, size


def header(streams: Sequence[Stream]) -> bytes:
    """The joined file's head (the empty ID3v2 tag and the Xing frame): each input's audio frames
    follow it, in order (``write``)."""
    first = streams[0]
    if any(s.header != first.header or s.bitrate != first.bitrate for s in streams):
        raise ValueError("the streams differ in layout or bitrate")
    mode = first.header >> 6 & 0x03
    rate_bits = first.header >> 8 & 0x0C
    # the bitrate nearest the stream's whose frame holds the Xing/LAME data (ffmpeg's mp3_write_xing)
    offset = 4 + _XING_OFFSET[mode]
    index = _BITRATES_V1_L3.index(first.bitrate)
    rate = _RATES_V1[rate_bits >> 2]
    while 144000 * _BITRATES_V1_L3[index] // rate < offset + _XING_SIZE:
        index += 1
    frame_size = 144000 * _BITRATES_V1_L3[index] // rate
    sizes = np.concatenate([s.sizes for s in streams]).astype(np.int64)
    total = frame_size + int(sizes.sum())
    frame = bytearray(frame_size)
    frame[0:4] = (0xFFFB0000 | (index << 12) | (rate_bits << 8) | (mode << 6)).to_bytes(4, "big")
    frame[offset:offset + 4] = b"Info"
    frame[offset + 4:offset + 8] = (0x0F).to_bytes(4, "big")
    frame[offset + 8:offset + 12] = len(sizes).to_bytes(4, "big")
    frame[offset + 12:offset + 16] = total.to_bytes(4, "big")
    frame[offset + 16:offset + 16 + _TOC_SIZE] = _toc(sizes, frame_size, total)
    frame[offset + 120:offset + 129] = b"Lavf" + bytes(5)
    # the demuxer marks each input's first frame with its delay (the muxer keeps the first it is
    # given) and the last frames with the padding past the decoder's delay (the muxer keeps the last)
    delay = next((s.delay for s in streams if s.delay), 0)
    last = streams[-1].padding
    padding = min(last - _DECODER_DELAY, 1152) + _DECODER_DELAY if last > _DECODER_DELAY else 0
    frame[offset + 141:offset + 144] = ((min(delay, 4095) << 12) + min(padding, 4095)).to_bytes(3, "big")
    frame[offset + 148:offset + 152] = total.to_bytes(4, "big")
    crc = 0
    for stream in streams:  # the CRC of the inputs' frames end to end, from each input's own
        crc = _apply_one(_zeros_map(stream.length - stream.start), crc) ^ stream.crc
    frame[offset + 152:offset + 154] = crc.to_bytes(2, "big")
    frame[offset + 154:offset + 156] = crc16(bytes(frame[:190])).to_bytes(2, "big")
    return ID3_EMPTY + bytes(frame)


def _toc(sizes: np.ndarray, frame_size: int, total: int) -> bytes:
    """The Xing TOC as ffmpeg's muxer keeps it (LAME's VbrTag.c): a byte count ("bag") after every
    ``want`` frames, 400 at most, halved (every second kept, ``want`` doubled) when full."""
    cumulative = frame_size + np.cumsum(sizes)
    count = len(sizes)
    # the bags ffmpeg holds at the end: whole rounds of ``want`` frames, halving at 400
    want, position, taken = 1, 0, 0
    bag: list[int] = []
    while taken + want <= count:
        room = _BAGS - position
        rounds = min(room, (count - taken) // want)
        picks = cumulative[taken + want - 1:taken + want * rounds:want]
        bag[position:position + rounds] = picks.tolist()
        position += rounds
        taken += want * rounds
        if position == _BAGS:
            bag = bag[1::2]
            want *= 2
            position = _BAGS // 2
    toc = bytearray(_TOC_SIZE)
    for i in range(1, _TOC_SIZE):
        value = 256 * bag[i * position // _TOC_SIZE] // total if position else 0
        toc[i] = min(value, 255)
    return bytes(toc)


# CRC-16 with the reflected polynomial 0xA001, initial value 0 (ffmpeg's AV_CRC_16_ANSI_LE)
def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _table()


def crc16(data: bytes, crc: int = 0) -> int:
    """The CRC of ``data`` continuing from ``crc``, byte by byte (the tag's 190 bytes; a join
    combines its inputs' own music CRCs, ``join``)."""
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


def _apply_one(matrix: Sequence[int], value: int) -> int:
    """The GF(2)-linear map ``matrix`` (its 16 columns: the images of each bit) on ``value``."""
    out = 0
    for bit in range(16):
        if value >> bit & 1:
            out ^= matrix[bit]
    return out


def _powers() -> list[list[int]]:
    """The maps a CRC register goes through over 2**k zero bytes, k = 0…47."""
    power = [crc16(b"\0", 1 << bit) for bit in range(16)]
    powers = [power]
    for _ in range(47):
        power = [_apply_one(power, column) for column in power]
        powers.append(power)
    return powers


_POWERS = _powers()


def _zeros_map(count: int) -> list[int]:
    """The map a CRC register goes through over ``count`` zero bytes."""
    result = [1 << bit for bit in range(16)]  # the identity
    for k, power in enumerate(_POWERS):
        if count >> k & 1:
            result = [_apply_one(power, column) for column in result]
    return result


def read(paths: Sequence[Path]) -> list[Stream] | None:
    """The streams at ``paths``, or None when any is not one ``parse`` accepts or they differ in
    layout or bitrate (ffmpeg joins those)."""
    streams = []
    for path in paths:
        stream = parse(Path(path).read_bytes(), Path(path))
        if stream is None:
            return None
        streams.append(stream)
    if not streams or any(s.header != streams[0].header or s.bitrate != streams[0].bitrate for s in streams):
        return None
    return streams


def write(streams: Sequence[Stream], sink: BinaryIO) -> None:
    """The join of ``streams`` into ``sink``: its head, then each input's audio frames, copied."""
    sink.write(header(streams))
    for stream in streams:
        with open(stream.path, "rb") as source:
            source.seek(stream.start)
            shutil.copyfileobj(source, sink, 1 << 20)
            if source.tell() != stream.length:
                raise OSError(f"{stream.path} changed while it was joined")
