"""Distributed files: copies into dist/, one deterministic zip per publication, SHA256SUMS.

Zips are reproducible: entries in sorted order, fixed times (SOURCE_DATE_EPOCH, else the
publication's dcterms:modified or date), permissions 0644, already-compressed formats
stored and text deflated at a fixed level. Every write is atomic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import zipfile
from collections.abc import Mapping
from pathlib import Path

from narrate.artifacts import atomic_path, atomic_write, sha256_file
from narrate.errors import PublishError
from narrate.i18n.dates import duration_text, list_text
from narrate.i18n.messages import Messages, messages_for
from narrate.publish.catalog import Publication, source_date
from narrate.publish.templating import render

STORED = (".mp3", ".m4b", ".epub", ".pdf", ".png", ".jpg", ".zip")
# each format's description (a key of narrate.i18n.messages), in the reader's language via ``say``
DESCRIPTIONS = {fmt: "about_" + fmt.replace("-", "_") for fmt in (
    "epub", "epub-readaloud", "pdf", "pdf-large", "mp3", "m4b", "transcript", "transcript-html", "chapters", "bundle")}


def describe(fmt: str, say: Messages) -> str:
    """What a file of ``fmt`` is, in ``say``'s language ("" for a format narrate does not describe)."""
    return say(DESCRIPTIONS[fmt]) if fmt in DESCRIPTIONS else ""


def entry_time(pub: Publication) -> tuple[int, int, int, int, int, int]:
    when = source_date() or pub.modified or pub.published
    when = max(when.astimezone(dt.UTC), dt.datetime(1980, 1, 1, tzinfo=dt.UTC))
    return (when.year, when.month, when.day, when.hour, when.minute, when.second - when.second % 2)


def place(source: Path, target: Path) -> None:
    """Put ``source`` at ``target`` (a hard link when possible, else a copy), atomically."""
    if target.is_file() and os.path.samefile(source, target):
        return
    with atomic_path(target) as tmp:
        tmp.unlink()
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)


def readme(pub: Publication, publisher: str, messages: Mapping[str, Mapping[str, str]] | None = None) -> str:
    say = messages_for(pub.language, messages)  # the publication's language: the README travels with it
    files = [(a.name, describe(a.format, say) or a.format) for a in pub.editions]
    byline = say("byline", authors=list_text(list(pub.authors), pub.language)) if pub.authors else ""
    duration = say("readme_duration", duration=duration_text(pub.duration_s, pub.language)) if pub.duration_s else ""
    return render("README.txt.j2", pub=pub, files=files, formats=set(pub.artifacts), publisher=publisher,
                  byline=byline[:1].upper() + byline[1:], say=say, duration=duration,
                  published_by=say("colophon_publisher", publisher=publisher) if publisher else "")


def sums_text(entries: dict[str, str]) -> str:
    """sha256sum's format: ``<hex>  <path>``, one a line, sorted by path."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(entries.items()))


def write_bundle(pub: Publication, target: Path, publisher: str,
                 messages: Mapping[str, Mapping[str, str]] | None = None) -> None:
    """The publication's zip: every edition, README.txt and a SHA256SUMS of the other entries."""
    text = readme(pub, publisher, messages).encode("utf-8")
    folder = pub.slug
    members: dict[str, Path | bytes] = {f"{folder}/{a.name}": a.path for a in pub.editions}
    members[f"{folder}/README.txt"] = text
    sums = {name.split("/", 1)[1]: (_digest(value) if isinstance(value, bytes) else _known(pub, value))
            for name, value in members.items()}
    members[f"{folder}/SHA256SUMS"] = sums_text(sums).encode("ascii")
    stamp = entry_time(pub)
    with atomic_path(target) as tmp:
        try:
            with zipfile.ZipFile(tmp, "w", compresslevel=9) as zf:
                for name in sorted(members):
                    _add(zf, name, members[name], stamp)
        except OSError as exc:
            raise PublishError(f"cannot write the bundle ({exc})", target) from exc


def _known(pub: Publication, path: Path) -> str:
    return next(a.sha256 for a in pub.editions if a.path == path)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _add(zf: zipfile.ZipFile, name: str, value: Path | bytes, stamp: tuple[int, ...]) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    info.create_system = 3
    info.external_attr = (0o100644 & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_STORED if name.endswith(STORED) else zipfile.ZIP_DEFLATED
    if isinstance(value, bytes):
        zf.writestr(info, value, compresslevel=9)
        return
    with open(value, "rb") as src, zf.open(info, "w", force_zip64=True) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


def write_sums(folder: Path, files: list[Path], known: dict[Path, str]) -> None:
    """``folder/SHA256SUMS`` covering ``files`` (paths relative to ``folder``)."""
    entries = {f.relative_to(folder).as_posix(): known.get(f) or sha256_file(f) for f in files}
    atomic_write(folder / "SHA256SUMS", sums_text(entries))
