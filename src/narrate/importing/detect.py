"""What a source is, decided by its content (the extension is only a hint)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from narrate.errors import SourceError

Kind = Literal["url", "folder", "html", "wxr", "ghost"]
HEAD = 1 << 16
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|article|main|p|div|h1)\b", re.I)
EXPECTED = "expected a saved HTML page, a WordPress export (WXR), a Ghost export (JSON) or an http(s) URL"


def detect(source: str) -> Kind:
    if re.match(r"^https?://", source, re.I):
        return "url"
    path = Path(source)
    if path.is_dir():
        return "folder"
    if not path.exists():
        raise SourceError(f"{EXPECTED}, found no such file or folder", source)
    if not path.is_file():
        raise SourceError(f"{EXPECTED}, found a special file (pipe, device or socket)", source)
    return sniff(path, source)


def sniff(path: Path, where: str) -> Kind:
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD)
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror}", where) from exc
    if not head.strip():
        raise SourceError(f"{EXPECTED}, found an empty file", where)
    if b"\x00" in head:
        raise SourceError(f"{EXPECTED}, found a binary file", where)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"{", b"[")):
        return "ghost"
    lowered = text.lower()
    if b"wordpress.org/export/" in lowered and (lowered.startswith(b"<?xml") or b"<rss" in lowered):
        return "wxr"
    if _HTML.search(text):
        return "html"
    if lowered.startswith((b"<?xml", b"<rss")):
        raise SourceError(f"{EXPECTED}, found XML that is not a WordPress export", where, 1)
    raise SourceError(f"{EXPECTED}, found text that is none of them", where, 1)
