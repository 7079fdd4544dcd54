"""The EPUB's zip as narrate writes it: ``mimetype`` first and stored, fixed entry times, a fixed
order, everything deflated at level 9 but the read-along's audio, ``xml:lang`` on the package;
the same sources and ``SOURCE_DATE_EPOCH`` give the same bytes."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

from narrate import model as m
from narrate.errors import OutputError
from narrate.markup import html


def repack(raw: io.BytesIO, tmp: Path, meta: m.Meta, page_list: str = "",
            streamed: dict[str, Path] | None = None) -> None:
    """mimetype first, fixed entry times, everything else deflated at level 9 but the
    audio; the page-list (print page numbers) goes into the navigation document.

    Audio entries (``streamed``: zip name → file) are copied from disk in chunks and
    stored, not deflated: MP3 is already compressed (deflate gains ~0 % for the CPU it
    costs) and OCF allows stored entries for any file. Same sources, same bytes."""
    streamed = streamed or {}
    stamp = meta.modified.timetuple()[:6] if meta.modified else (1980, 1, 1, 0, 0, 0)
    stamp = max(stamp, (1980, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(tmp, "w") as dst:
        names = src.namelist()
        ordered = ["mimetype"] + [n for n in names if n != "mimetype"]
        if missing := sorted(set(streamed) - set(names)):
            raise OutputError(f"expected the audio entries {', '.join(missing)} in ebooklib's package, found none")
        for name in ordered:
            if name in streamed:
                _stream_stored(dst, name, streamed[name], stamp)
                continue
            data = src.read(name)
            if name.endswith("content.opf"):
                data = _package_lang(data, meta.language)
            if page_list and name.endswith("nav.xhtml"):
                data = data.replace(b"</body>", page_list.encode("utf-8") + b"</body>", 1)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            dst.writestr(info, data, compresslevel=9 if name != "mimetype" else None)


def _stream_stored(dst: zipfile.ZipFile, name: str, path: Path, stamp: tuple) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = path.stat().st_size  # decides ZIP64 up front, as writestr does
    with path.open("rb") as source, dst.open(info, "w") as sink:
        shutil.copyfileobj(source, sink, 1 << 20)


def _package_lang(opf: bytes, lang: str) -> bytes:
    text = opf.decode("utf-8")
    text = text.replace("<package ", f'<package xml:lang="{html.esc(lang)}" ', 1)
    return text.encode("utf-8")
