"""Issue 26: an image too large to decode (a decompression bomb to Pillow) is bad input, said as such:
``path:line:`` naming the Markdown file and the line that names the image, a non-zero exit, no traceback."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib

import pytest

from narrate.imaging import as_png

SIDE = 13_400  # 180 megapixels: over Pillow's decompression-bomb limit


def huge_png() -> bytes:
    """A PNG whose header says 13,400 × 13,400 px (the header is all Pillow reads before refusing it)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", SIDE, SIDE, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


CASES = {
    "cover": ("---\ntitle: Big Cover\ncover: big.png\n---\n\nSome text.\n", 3),
    "image": ("---\ntitle: Big Image\n---\n\nIntro.\n\n![a map](big.png)\n", 7),
}


@pytest.mark.parametrize("case", CASES)
def test_an_image_too_large_to_decode_is_a_source_error_naming_the_line(case, tmp_path):
    text, line = CASES[case]
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / "content" / "big.md").write_text(text, encoding="utf-8")
    (root / "content" / "big.png").write_bytes(huge_png())
    done = subprocess.run([sys.executable, "-m", "narrate", "build", str(root), "--formats", "epub"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    errors = [ln for ln in done.stderr.splitlines() if "error:" in ln]
    assert len(errors) == 1, done.stderr
    assert f"content/big.md:{line}:" in errors[0] and "big.png" in errors[0] and "megapixels" in errors[0], errors


def test_import_refuses_to_convert_a_decompression_bomb():
    assert as_png(huge_png()) is None
