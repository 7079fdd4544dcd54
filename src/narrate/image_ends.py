"""Whether a JPEG or GIF runs to its end, found by walking its structure without decoding pixels.

Pillow's ``verify()`` checks a PNG end to end but only reads a JPEG's or GIF's header, so a file cut
short (an interrupted download or copy) would pass and print as a grey or half-drawn picture.
A JPEG's segments and entropy-coded scans are walked to the End Of Image marker; a GIF's blocks
and sub-blocks to its trailer. Data after that end (a motion photo's video, padding) is allowed.
"""

from __future__ import annotations

_RESTARTS = frozenset(range(0xD0, 0xD8))
_STANDALONE = _RESTARTS | {0x01, 0xD8}  # markers without a length field


def jpeg_problem(data: bytes) -> str | None:
    """None when the JPEG reaches its End Of Image marker, else what is wrong."""
    if not data.startswith(b"\xff\xd8"):
        return "it does not start with a JPEG Start Of Image marker"
    pos = 2
    while True:
        while pos < len(data) and data[pos] != 0xFF:  # tolerate stray bytes between segments
            pos += 1
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= len(data):
            return "it ends before its End Of Image marker (the file is cut short)"
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return None
        if marker in _STANDALONE:
            continue
        if pos + 2 > len(data):
            return "it ends inside a segment header (the file is cut short)"
        pos += int.from_bytes(data[pos:pos + 2], "big")
        if pos > len(data):
            return "it ends inside a segment (the file is cut short)"
        if marker == 0xDA:  # Start Of Scan: entropy-coded data runs to the next real marker
            pos = _scan_end(data, pos)


def _scan_end(data: bytes, pos: int) -> int:
    """The offset of the first marker after an entropy-coded scan (stuffed 0xFF00 and restarts skipped)."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return len(data)
        following = data[pos + 1]
        if following == 0x00 or following in _RESTARTS or following == 0xFF:
            pos += 1
            continue
        return pos


def gif_problem(data: bytes) -> str | None:
    """None when the GIF reaches its trailer (0x3B), else what is wrong."""
    if not data.startswith((b"GIF87a", b"GIF89a")) or len(data) < 13:
        return "it ends inside its GIF header (the file is cut short)"
    pos = 13 + _color_table(data[10])
    while pos < len(data):
        kind = data[pos]
        if kind == 0x3B:
            return None
        if kind == 0x21:  # extension: label, then sub-blocks
            pos = _sub_blocks(data, pos + 2)
        elif kind == 0x2C:  # image descriptor (10 bytes), local color table, LZW code size, sub-blocks
            if pos + 10 > len(data):
                break
            pos = _sub_blocks(data, pos + 10 + _color_table(data[pos + 9]) + 1)
        else:
            return f"it holds an unknown GIF block 0x{kind:02X} at byte {pos} (the file is damaged)"
    return "it ends before its GIF trailer (the file is cut short)"


def _color_table(flags: int) -> int:
    return 3 * (2 << (flags & 0x07)) if flags & 0x80 else 0


def _sub_blocks(data: bytes, pos: int) -> int:
    """The offset after a run of sub-blocks (each a size byte and that many bytes, ended by size 0)."""
    while pos < len(data):
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos
    return len(data) + 1
