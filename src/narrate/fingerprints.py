"""Fingerprints that decide whether an artifact can be reused.

An artifact's key hashes everything it is made from: the publication's metadata,
its source files and images, narrate.toml, narrate's own code and templates, and for
narrated editions the voice name and every file in voices/. Same key, same bytes.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from . import __version__
from . import model as m
from .artifacts import hash_parts, sha256_file
from .project import Project


def base_key(project: Project, doc: m.Document) -> str:
    parts: list[bytes | str] = [__version__, repr(doc.meta)]
    files = list(doc.source_files) + sorted({src for src, _ in m.images(doc)} | ({doc.meta.cover} - {""}))
    for rel in files:
        parts += [rel, sha256_file(project.root / rel)]
    if project.config.path is not None:
        parts.append(project.config.path.read_bytes())
    parts.append(_code_hash())
    return hash_parts(*parts)


_CODE: str | None = None


def _code_hash() -> str:
    """A hash of narrate itself (modules and templates): a changed narrate rebuilds everything."""
    global _CODE
    if _CODE is None:
        base = Path(str(resources.files("narrate")))  # the whole package, wherever this module sits
        parts: list[bytes | str] = []
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".css", ".html", ".xml", ".j2", ".xhtml"):
                parts += [path.relative_to(base).as_posix(), path.read_bytes()]
        _CODE = hash_parts(*parts)
    return _CODE


def voice_key(project: Project, voice: str) -> str:
    parts: list[bytes | str] = [voice]
    folder = project.root / "voices"
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return hash_parts(*parts)
