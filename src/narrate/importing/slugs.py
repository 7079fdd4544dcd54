"""Which slugs content/ already uses, and a free one for each imported article.

A build refuses two publications with one slug, so an import must not add a second:
every Markdown file under ``content/`` claims its front matter ``slug:`` (or its name),
every book folder its ``book.toml`` slug (or its name). An article whose slug another
file claims is imported as ``<slug>-2`` (``-3``...), with a warning naming that file;
the choice is stable, so importing the same source again finds the same file.

What each file claims is remembered in ``.narrate/slug-claims.json``, keyed by the file's size,
modification and change times and inode (as git's index does): a run lists ``content/`` and reads
only the files that are new or whose key changed, so a sync that brings 10 posts reads about 10
files, not the whole site. A file written by hand, edited or added between runs has a new key
and is read; a missing, corrupt or stale index is rebuilt by reading, and written atomically.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrate.artifacts import atomic_path
from narrate.importing.markdown_out import imported_unchanged, source_url_of
from narrate.sources.project import slugify as project_slug

_FRONT = re.compile(r"\A---\n(.*?)\n---\s*\n", re.S)
_FIELD = r"^{key}:[ \t]*(['\"]?)(.*?)\1[ \t]*$"
HEAD = 1 << 16
INDEX = Path(".narrate") / "slug-claims.json"
_VERSION = 2  # 2: entries are lists holding the claimed slug
# An index entry: the file's key (_key), then for a Markdown file [slug, imported, source_url, title],
# for a book.toml [slug]; the slug it claims (its own, else from its name), as a list: compact and quick to parse.
_MD = (str, bool, str, str)
_TOML = (str,)


@dataclass(frozen=True)
class Claim:
    path: str  # relative to the project: the file or book folder that holds the slug
    imported: bool = False  # a file an import wrote (it has imported_sha256)
    source_url: str = ""
    title: str = ""


def claims(root: Path) -> dict[str, list[Claim]]:
    """Every slug a publication under ``root/content`` holds → who holds it.

    Reads only the files the index at ``root/.narrate/slug-claims.json`` does not know as they are now.
    """
    content = root / "content"
    found: dict[str, list[Claim]] = {}
    if not content.is_dir():
        return found
    tomls, mds = _listing(root, content)
    known = _load_index(root)
    index: dict[str, list[Any]] = {}
    books = sorted((rel.rpartition("/")[0] for rel in tomls), key=_parts)
    for book in books:
        rel = f"{book}/book.toml"
        entry = _known(known, rel, tomls[rel], _TOML) or \
            [*tomls[rel], _book_slug(root / rel) or project_slug(book.rpartition("/")[2])]
        index[rel] = entry
        found.setdefault(entry[4], []).append(Claim(book))
    for rel in sorted(mds, key=_parts):
        if any(rel.startswith(book + "/") for book in books):
            continue
        entry = _known(known, rel, mds[rel], _MD) or _read_md(root / rel, mds[rel])
        index[rel] = entry
        found.setdefault(entry[4], []).append(Claim(rel, *entry[5:]))
    if index != known:
        _save_index(root, index)
    return found


def remember(root: Path, written: list[str]) -> None:
    """Add the Markdown files an import just wrote (project-relative) to the index: the next run need not read them."""
    index = _load_index(root)
    learnt = False
    for rel in written:
        try:
            key = _key((root / rel).stat())
        except OSError:
            continue
        if rel.endswith(".md") and _known(index, rel, key, _MD) is None:
            index[rel] = _read_md(root / rel, key)
            learnt = True
    if learnt:
        _save_index(root, index)


def _key(st: os.stat_result) -> list[int]:
    """What tells a file changed without reading it (as git's index): any write moves ctime, a replace the inode."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _parts(rel: str) -> list[str]:
    return rel.split("/")  # the order Path gives: folder by folder


def _listing(root: Path, content: Path) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """(book.toml files, Markdown files) under ``content`` (not hidden) → their keys; a listing and a stat each."""
    tomls: dict[str, list[int]] = {}
    mds: dict[str, list[int]] = {}
    folders = [(str(content), content.relative_to(root).as_posix())]
    while folders:
        folder, rel = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith((".", "_")):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):  # like rglob: links to folders are not followed
                    folders.append((entry.path, f"{rel}/{name}"))
                elif name == "book.toml" or name.endswith(".md"):
                    key = _key(entry.stat())
                    (tomls if name == "book.toml" else mds)[f"{rel}/{name}"] = key
            except OSError:
                continue
    return tomls, mds


def _read_md(path: Path, key: list[int]) -> list[Any]:
    head = _head(path)
    front = _FRONT.match(head)
    fields = front.group(1) if front else ""
    return [*key, _field(fields, "slug") or project_slug(path.stem), imported_unchanged(head) is not None,
            source_url_of(head), _field(fields, "title")]


def _known(index: dict[str, Any], rel: str, key: list[int], kinds: tuple[type, ...]) -> list[Any] | None:
    """The index's entry for ``rel`` if the file is as it was when read (and the entry is well formed)."""
    entry = index.get(rel)
    if type(entry) is not list or len(entry) != 4 + len(kinds) or entry[:4] != key:
        return None
    for at, kind in enumerate(kinds, 4):
        if type(entry[at]) is not kind:
            return None
    return entry


def _load_index(root: Path) -> dict[str, Any]:
    """The remembered claims; empty (everything is read again) if missing, unreadable or of another shape."""
    try:
        data = json.loads((root / INDEX).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _VERSION or not isinstance(data.get("files"), dict):
        return {}
    return data["files"]


def _save_index(root: Path, index: dict[str, list[Any]]) -> None:
    with atomic_path(root / INDEX) as tmp:
        tmp.write_text(json.dumps({"version": _VERSION, "files": index}, sort_keys=True, ensure_ascii=False),
                       encoding="utf-8")


def free_slug(slug: str, title: str, source_url: str, taken: dict[str, list[Claim]]) -> tuple[str, str]:
    """(the slug to import as, who holds ``slug`` if another was chosen, else "")."""
    candidate, n, first_holder = slug, 1, ""
    while True:
        holder = _blocked(candidate, title, source_url, taken.get(candidate, []))
        if holder is None:
            taken.setdefault(candidate, []).append(Claim(f"content/{candidate}.md", True, source_url, title))
            return candidate, first_holder
        first_holder = first_holder or holder
        n += 1
        candidate = f"{slug}-{n}"


def _blocked(candidate: str, title: str, source_url: str, holders: list[Claim]) -> str | None:
    """Who keeps ``candidate`` from this article; None if it is free or already this article's file.

    The file ``content/<candidate>.md`` itself is left to write.py (same source: updated; another
    source, an edited or a hand-written file: refused) unless it is an import with no address to
    tell it apart and another title: two saved pages of one name, which must not replace each other.
    """
    target = f"content/{candidate}.md"
    for claim in holders:
        if claim.path != target:
            return claim.path
        both_known = bool(claim.source_url and source_url)
        if claim.imported and not both_known and _norm(claim.title) != _norm(title):
            return claim.path
    return None


def _norm(title: str) -> str:
    return re.sub(r"\W+", " ", title).strip().lower()


def _field(front: str, key: str) -> str:
    found = re.search(_FIELD.format(key=key), front, re.M)
    return found.group(2).strip() if found else ""


def _head(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(HEAD).decode("utf-8", "replace").replace("\r\n", "\n")
    except OSError:
        return ""


def _book_slug(path: Path) -> str:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""
    slug = data.get("slug")
    return slug.strip() if isinstance(slug, str) else ""

