"""The last step: staged files → content/, never over a file edited by hand.

Each imported Markdown file carries ``imported_sha256`` in its front matter
(the SHA-256 of the file without that line). A file at the target path is
replaced only if it is still exactly what an import wrote, or with --force.
A file imported from another ``source_url`` is another article with the same
slug: an error, never an overwrite. Everything is checked before anything
moves; a move is ``os.replace`` of a file staged beside the project (atomic).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from narrate.errors import OutputError, SourceError
from narrate.importing.markdown_out import imported_unchanged, source_url_of
from narrate.importing.model import Imported


@dataclass(frozen=True)
class Staged:
    slug: str
    title: str
    where: str
    target: str  # relative to the project
    staged: Path
    images: list[tuple[str, Path]]  # (target relative to the project, staged file)
    source_url: str


def commit(root: Path, staged: list[Staged], *, force: bool) -> list[Imported]:
    plans: list[tuple[Staged, str]] = []
    refused: list[str] = []
    for item in staged:
        target = root / item.target
        new = item.staged.read_bytes()
        if not target.exists():
            plans.append((item, "new"))
            continue
        try:
            old = target.read_bytes()
        except OSError as exc:
            raise OutputError(f"cannot read the existing file: {exc.strerror}", item.target) from exc
        if old == new:
            plans.append((item, "unchanged"))
            continue
        text = old.decode("utf-8", "replace")
        other = source_url_of(text)
        if not force and other and item.source_url and other.rstrip("/") != item.source_url.rstrip("/"):
            raise SourceError(f"two sources have the slug '{item.slug}': {item.target} (imported from {other}) "
                              f"and {item.where}; rename one, or pass --force to replace the file")
        state = imported_unchanged(text)
        if state is not True and not force:
            why = "was edited by hand since it was imported" if state is False else "was not written by an import"
            refused.append(f"{item.target} {why}")
            continue
        plans.append((item, "updated"))
    if refused:
        raise SourceError("not overwritten (nothing was imported): " + "; ".join(refused)
                          + "; pass --force to replace " + ("it" if len(refused) == 1 else "them"))
    results = []
    for item, status in plans:
        changed = 0
        for rel, path in item.images:
            target = root / rel
            if not target.exists() or target.read_bytes() != path.read_bytes():
                _move(path, target, rel)
                changed += 1
        if status != "unchanged":
            _move(item.staged, root / item.target, item.target)
        elif changed:
            status = "updated"
        results.append(Imported(item.slug, item.title, item.where, item.target, len(item.images), status))
    return results


def _move(src: Path, target: Path, rel: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, target)
    except OSError as exc:
        raise OutputError(f"cannot write the file: {exc.strerror or exc}", rel) from exc
