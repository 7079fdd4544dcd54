"""Shared helpers for the audio tests (imported explicitly; not a conftest)."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

from narrate.speech.script import Script, ScriptChapter, Segment
from narrate.speech.voices import VoiceProfile

FAKE = VoiceProfile(name="fake", engine="fake", model="fake")

WORDS = (
    "the tide clock turned slowly while the harbour lights came on one by one along the quay "
    "and the ferry waited for the last of the evening passengers"
).split()


def sentence(chapter: int, number: int, words: int = 9) -> str:
    start = (chapter * 7 + number * 3) % len(WORDS)
    picked = [WORDS[(start + i) % len(WORDS)] for i in range(words)]
    return f"{' '.join(picked).capitalize()} {chapter}.{number}."


def make_script(
    chapters: int = 3,
    segments: int = 4,
    words: int = 9,
    slug: str = "book",
    edit: dict[str, str] | None = None,
) -> Script:
    """A script of ``chapters`` × ``segments`` sentences; ``edit`` replaces spoken text by id."""
    edit = edit or {}
    result = []
    for c in range(chapters):
        segs = []
        for s in range(segments):
            seg_id = f"c{c}-p{s}-s1"
            text = sentence(c, s, words)
            pause = 2000 if s == segments - 1 else (700 if s % 2 else 350)
            segs.append(Segment(seg_id, f"c{c}-p{s}", text, edit.get(seg_id, text), pause))
        result.append(ScriptChapter(f"c{c}", f"Chapter {c + 1}: Tides & Times", tuple(segs)))
    return Script(slug, "The Tide Clock", "en", tuple(result))


def ffprobe_json(path: Path, *args: str) -> dict:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", *args, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def make_cover(path: Path) -> Path:
    """A tiny valid PNG (1×1, red) without needing Pillow."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return path


@contextlib.contextmanager
def counted_ffmpeg(calls: list[str]) -> Iterator[list[str]]:
    """Every ffmpeg run of the chapter's mastering and encoding (``audio/block_master.py``,
    ``audio/encoding.py``) inside the block, appended to ``calls`` by its ``what``."""
    import pytest

    import narrate.audio.block_master as block_master
    import narrate.audio.encoding as encoding

    original = encoding.run_ffmpeg

    def spy(args, *, what, **kw):
        calls.append(what)
        return original(args, what=what, **kw)

    patch = pytest.MonkeyPatch()
    patch.setattr(block_master, "run_ffmpeg", spy)
    patch.setattr(encoding, "run_ffmpeg", spy)
    try:
        yield calls
    finally:
        patch.undo()
