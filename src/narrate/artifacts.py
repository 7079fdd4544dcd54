"""Atomic writes, content hashes, SOURCE_DATE_EPOCH and the output manifest.

Every file narrate writes goes through ``atomic_path``/``atomic_write`` (a temp name
``.<name>.<random>.part`` beside the target, renamed over it when complete): a killed
build never leaves a half file. The temp file is created 0600 and gets its final mode
*before* the rename, so a private file is never readable by others, not even briefly.

``manifest.json`` lists every artifact with its sha256 and size; ``load_manifest`` is
the one reader, checking it against its schema. Other keys (the build ``key`` that
decides reuse, ``duration_s``) may be added.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from narrate.errors import ConfigError, OutputError

MANIFEST = "manifest.json"
TEMP_SUFFIX = ".part"
_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{6,}\.part$")


def is_temp_name(name: str) -> bool:
    """Is ``name`` one of narrate's own temporary names (``atomic_path``)?"""
    return bool(_TEMP_NAME.match(name))


_UNFINISHED: set[Path] = set()  # temp files of this process not yet renamed or removed


def remove_unfinished() -> None:
    """Remove this process's temp files that an interrupt left behind.

    ``atomic_path`` removes its temp file in a ``finally``, but a signal can land in the few
    bytecodes around it (after the file is made and before the ``try``, or inside the
    ``finally`` before the unlink). Every temp name is recorded *before* the file is made and
    forgotten only after it is renamed or removed, so calling this where the interrupt is
    caught leaves nothing half-written behind, whatever instruction it landed on.
    """
    for path in list(_UNFINISHED):
        path.unlink(missing_ok=True)
        _UNFINISHED.discard(path)


def _new_temp(target: Path) -> Path:
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        _UNFINISHED.add(tmp)
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            _UNFINISHED.discard(tmp)
            continue
        # Any other exception (an interrupt can land after the file is made and before this
        # returns) keeps the name recorded: ``remove_unfinished`` removes it if it was made.
        return tmp


@contextmanager
def atomic_path(target: Path, *, mode: int = 0o644, fsync: bool = False) -> Iterator[Path]:
    """Yield a temp path beside ``target``; on success give it ``mode`` and rename it over ``target``.

    With ``fsync`` the file's data (and the folder's entry) reach the disk before this returns.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp_path = _new_temp(target)
    except OSError as exc:
        raise OutputError(f"cannot write the file: {exc.strerror or exc}", target) from exc
    try:
        yield tmp_path
        os.chmod(tmp_path, mode)
        if fsync:
            _fsync(tmp_path)
        os.replace(tmp_path, target)
        if fsync:
            _fsync(target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write the file: {exc.strerror or exc}", target) from exc
    finally:
        tmp_path.unlink(missing_ok=True)
        _UNFINISHED.discard(tmp_path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(target: Path, data: bytes | str, *, mode: int = 0o644, fsync: bool = True) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(target, mode=mode, fsync=fsync) as tmp:
        tmp.write_bytes(payload)


def output_folder_usable(path: Path, *, create: bool = False) -> Path:
    """``--output PATH``: a folder (made when ``create``), or an ``OutputError`` (exit 6) saying why not."""
    path = Path(path).absolute()
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        where = "" if existing == path else f" ({existing} is a file)"
        raise OutputError(f"expected a folder for the output, found a file{where}", path)
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot make the output folder: {exc.strerror or exc}", path) from exc
    return path


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as whole seconds, None when unset; a bad value is a ``ConfigError``."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip()
    if not value.isascii() or not value.isdigit():
        raise ConfigError(f"SOURCE_DATE_EPOCH: expected whole seconds since 1970 (e.g. 1700000000), found {raw!r}")
    return int(value)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def hash_parts(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class ManifestError(OutputError):
    """``manifest.json`` exists but does not follow the schema (or is not JSON)."""


_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def load_manifest(output: Path, *, missing_ok: bool = True) -> dict[str, Any]:
    """The one reader of ``output/manifest.json``, checked against its schema.

    Schema: ``{"publications": [{"slug": str, "artifacts": [{"format": str, "path":
    relative str, "sha256": 64 hex, "bytes": int, "key"?: str, "duration_s"?: number},
    ...], ...}, ...], ...}``; other keys are allowed. A missing manifest is an empty one
    (``missing_ok``) or a ``ManifestError``; a damaged one is a ``ManifestError`` saying
    where: ``output/manifest.json: publications[1].artifacts[0].bytes: expected ..., found ...``.
    """
    path = output / MANIFEST
    if not path.is_file():
        if missing_ok:
            return {"publications": []}
        raise ManifestError("expected a manifest from `narrate build`, found none (run narrate build)", path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ManifestError(f"expected a JSON manifest written by `narrate build`, found unreadable text ({exc}); "
                            "run narrate build", path) from exc
    _check_manifest(data, path)
    return data


def _check_manifest(data: Any, path: Path) -> None:
    def fail(where: str, expected: str, found: Any) -> ManifestError:
        shown = repr(found)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return ManifestError(f"{where}: expected {expected}, found {shown}; run narrate build to rewrite it", path)

    if not isinstance(data, dict):
        raise fail("manifest", "a JSON object", data)
    pubs = data.get("publications")
    if not isinstance(pubs, list):
        raise fail("publications", "a list", pubs)
    for i, pub in enumerate(pubs):
        where = f"publications[{i}]"
        if not isinstance(pub, dict):
            raise fail(where, "an object", pub)
        slug = pub.get("slug")
        if not isinstance(slug, str) or not slug or "/" in slug or "\\" in slug or slug.startswith("."):
            raise fail(f"{where}.slug", "a slug (no '/', not starting with '.')", slug)
        arts = pub.get("artifacts")
        if not isinstance(arts, list):
            raise fail(f"{where}.artifacts", "a list", arts)
        for j, art in enumerate(arts):
            at = f"{where}.artifacts[{j}]"
            if not isinstance(art, dict):
                raise fail(at, "an object", art)
            if not isinstance(art.get("format"), str) or not art["format"]:
                raise fail(f"{at}.format", "a format name", art.get("format"))
            rel = art.get("path")
            if (not isinstance(rel, str) or not rel or rel.startswith(("/", "\\")) or ".." in rel.split("/")
                    or "\\" in rel):
                raise fail(f"{at}.path", "a path inside the output folder", rel)
            if not isinstance(art.get("sha256"), str) or not _HEX64.match(art["sha256"]):
                raise fail(f"{at}.sha256", "64 hexadecimal digits", art.get("sha256"))
            size = art.get("bytes")
            if isinstance(size, bool) or not isinstance(size, int) or size < 0:
                raise fail(f"{at}.bytes", "a size in bytes", size)
            if "key" in art and not isinstance(art["key"], str):
                raise fail(f"{at}.key", "a string", art["key"])
            duration = art.get("duration_s")
            if duration is not None and (isinstance(duration, bool) or not isinstance(duration, (int, float))):
                raise fail(f"{at}.duration_s", "seconds", duration)


def write_manifest(output: Path, publications: list[dict[str, Any]]) -> None:
    """Publications by slug, each one's artifacts by format and path: a rebuild that reuses some
    editions and remakes others writes the same manifest as a clean build."""
    ordered = []
    for publication in sorted(publications, key=lambda p: p["slug"]):
        artifacts = publication.get("artifacts")
        if isinstance(artifacts, list):
            publication = {**publication, "artifacts": sorted(
                artifacts, key=lambda a: (str(a.get("format", "")), str(a.get("path", ""))))}
        ordered.append(publication)
    data = {"generator": "narrate", "publications": ordered}
    atomic_write(output / MANIFEST, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
                 fsync=True)


def artifact_entry(output: Path, fmt: str, path: Path, key: str, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "format": fmt,
        "path": path.relative_to(output).as_posix(),
        "sha256": sha256_file(path),
        "bytes": path.stat().st_size,
    }
    entry.update({k: v for k, v in extra.items() if v is not None})
    entry["key"] = key
    return entry
