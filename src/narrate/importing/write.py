"""The last step: staged files → content/, never over a file edited by hand, never outside content/.

Each imported Markdown file carries ``imported_sha256`` in its front matter
(the SHA-256 of the file without that line). A file at the target path is
replaced only if it is still exactly what an import wrote, or with --force.
A file imported from another ``source_url`` is another article with the same
slug: an error, never an overwrite. Images are guarded the same way: the
SHA-256 of every image an import wrote is kept in ``.narrate/imported.json``,
and an image on disk that differs from it (replaced by hand, or never written
by an import) is replaced only with --force. Every target is checked to lie
inside ``content/`` (after following symbolic links). Everything is checked
before anything moves; a move is ``os.replace`` of a file staged beside the
project (atomic). Nothing is ever deleted.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from narrate.artifacts import atomic_path, sha256_file
from narrate.errors import OutputError, SourceError
from narrate.importing.markdown_out import imported_unchanged, source_url_of
from narrate.importing.model import Imported

RECORD = ".narrate/imported.json"  # relative path → SHA-256 of each image an import wrote


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
    record = _load_record(root)
    plans: list[tuple[Staged, str]] = []
    refused: list[str] = []
    for item in staged:
        _inside_content(root, item.target)
        for rel, _path in item.images:
            _inside_content(root, rel)
        status = _plan_text(root, item, force, refused)
        if status is not None:
            plans.append((item, status))
        if not force:
            refused += [f"{rel} {why}" for rel, path in item.images
                        if (why := _image_changed(root / rel, path, record.get(rel)))]
    if refused:
        raise SourceError("not overwritten (nothing was imported): " + "; ".join(refused)
                          + "; pass --force to replace " + ("it" if len(refused) == 1 else "them"))
    results = []
    for item, status in plans:
        changed = 0
        for rel, path in item.images:
            target = root / rel
            digest = sha256_file(path)
            if not target.exists() or sha256_file(target) != digest:
                _move(path, target, rel)
                changed += 1
            record[rel] = digest
        if status != "unchanged":
            _move(item.staged, root / item.target, item.target)
        elif changed:
            status = "updated"
        results.append(Imported(item.slug, item.title, item.where, item.target, len(item.images), status))
    _save_record(root, record)
    return results


def _plan_text(root: Path, item: Staged, force: bool, refused: list[str]) -> str | None:
    """"new", "updated" or "unchanged" for the Markdown file; None (and a line in ``refused``) if it may not be."""
    target = root / item.target
    if not target.exists():
        return "new"
    try:
        old = target.read_bytes()
    except OSError as exc:
        raise OutputError(f"cannot read the existing file: {exc.strerror}", item.target) from exc
    if old == item.staged.read_bytes():
        return "unchanged"
    text = old.decode("utf-8", "replace")
    other = source_url_of(text)
    if not force and other and item.source_url and other.rstrip("/") != item.source_url.rstrip("/"):
        raise SourceError(f"two sources have the slug '{item.slug}': {item.target} (imported from {other}) "
                          f"and {item.where}; rename one, or pass --force to replace the file")
    state = imported_unchanged(text)
    if state is not True and not force:
        why = "was edited by hand since it was imported" if state is False else "was not written by an import"
        refused.append(f"{item.target} {why}")
        return None
    return "updated"


def _image_changed(target: Path, staged: Path, recorded: str | None) -> str:
    """Why the image at ``target`` may not be replaced without --force ("" if it may)."""
    if not target.exists():
        return ""
    try:
        current = sha256_file(target)
    except OSError as exc:
        raise OutputError(f"cannot read the existing file: {exc.strerror or exc}", target) from exc
    if current == sha256_file(staged) or current == recorded:
        return ""
    return "was changed by hand since it was imported" if recorded else "was not written by an import"


def _inside_content(root: Path, rel: str) -> None:
    content = Path(os.path.realpath(root / "content"))
    target = Path(os.path.realpath(root / rel))
    if ".." in Path(rel).parts or not target.is_relative_to(content) or target == content:
        raise OutputError("refused to write outside content/ (a slug or file name from the source "
                          "pointed elsewhere)", rel)


def _load_record(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no record (or a damaged one): every differing image needs --force
    files = data.get("images") if isinstance(data, dict) else None
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(files, dict) else {}


def _save_record(root: Path, record: dict[str, str]) -> None:
    with atomic_path(root / RECORD) as tmp:
        tmp.write_text(json.dumps({"images": dict(sorted(record.items()))}, indent=1) + "\n", encoding="utf-8")


def _move(src: Path, target: Path, rel: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, target)
    except OSError as exc:
        raise OutputError(f"cannot write the file: {exc.strerror or exc}", rel) from exc
