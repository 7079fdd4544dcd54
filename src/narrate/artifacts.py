"""Atomic writes, content hashes and the output manifest.

Every file narrate writes goes through ``atomic_write`` (or is written to a
temp name beside its target and renamed by the writer): a killed build never
leaves a half file. ``manifest.json`` lists every artifact with its sha256
and size; other keys (the build ``key`` that decides reuse) may be added.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import OutputError

MANIFEST = "manifest.json"


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temp path beside ``target``; on success rename it over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except OSError as exc:
        raise OutputError(f"cannot write the file: {exc.strerror or exc}", target) from exc
    finally:
        tmp_path.unlink(missing_ok=True)


def atomic_write(target: Path, data: bytes | str) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())


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


def load_manifest(output: Path) -> dict[str, Any]:
    path = output / MANIFEST
    if not path.is_file():
        return {"publications": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"publications": []}  # a damaged manifest only costs a full rebuild
    if not isinstance(data, dict) or not isinstance(data.get("publications"), list):
        return {"publications": []}
    return data


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
    atomic_write(output / MANIFEST, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


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
