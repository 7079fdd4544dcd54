"""Which slugs content/ already uses, and a free one for each imported article.

A build refuses two publications with one slug, so an import must not add a second:
every Markdown file under ``content/`` claims its front matter ``slug:`` (or its name),
every book folder its ``book.toml`` slug (or its name). An article whose slug another
file claims is imported as ``<slug>-2`` (``-3``...), with a warning naming that file;
the choice is stable, so importing the same source again finds the same file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from narrate.importing.markdown_out import imported_unchanged, source_url_of
from narrate.sources.project import slugify as project_slug

_FRONT = re.compile(r"\A---\n(.*?)\n---\s*\n", re.S)
_FIELD = r"^{key}:[ \t]*(['\"]?)(.*?)\1[ \t]*$"
HEAD = 1 << 16


@dataclass(frozen=True)
class Claim:
    path: str  # relative to the project: the file or book folder that holds the slug
    imported: bool = False  # a file an import wrote (it has imported_sha256)
    source_url: str = ""
    title: str = ""


def claims(root: Path) -> dict[str, list[Claim]]:
    """Every slug a publication under ``root/content`` holds → who holds it."""
    content = root / "content"
    found: dict[str, list[Claim]] = {}
    if not content.is_dir():
        return found
    books = sorted(p.parent for p in content.rglob("book.toml") if not _hidden(p, content))
    for book in books:
        slug = _book_slug(book / "book.toml") or project_slug(book.name)
        found.setdefault(slug, []).append(Claim(book.relative_to(root).as_posix()))
    for md in sorted(content.rglob("*.md")):
        if _hidden(md, content) or any(md.is_relative_to(b) for b in books):
            continue
        head = _head(md)
        front = _FRONT.match(head)
        fields = front.group(1) if front else ""
        slug = _field(fields, "slug") or project_slug(md.stem)
        claim = Claim(md.relative_to(root).as_posix(), imported_unchanged(head) is not None,
                      source_url_of(head), _field(fields, "title"))
        found.setdefault(slug, []).append(claim)
    return found


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


def _hidden(path: Path, base: Path) -> bool:
    return any(part.startswith((".", "_")) for part in path.relative_to(base).parts)
