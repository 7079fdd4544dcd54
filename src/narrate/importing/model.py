"""What every importer hands on: one article's metadata and its clean HTML."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


@dataclass
class Article:
    """One article found in a source, before it becomes Markdown.

    ``fields`` are front matter values (title, author, date...), in the order
    they are written. ``html`` is the article body only (no site chrome).
    ``base_url`` is what relative links (and, without a saved page beside
    them, images) resolve against. ``where`` names the source in messages
    (``export.xml:120 (post 42 'Title')``).
    """

    slug: str
    fields: dict[str, Any]
    html: str
    where: str
    base_url: str = ""
    cover_url: str = ""
    in_export: bool = False  # one post of many: an empty one is skipped, not an error
    warnings: list[str] = field(default_factory=list)


def slugify(text: str) -> str:
    """A front matter slug (lowercase ASCII letters, digits, hyphens) from any text."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG_CHARS.sub("-", ascii_text.lower()).strip("-")[:80].strip("-")


def clean_text(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


@dataclass(frozen=True)
class Imported:
    slug: str
    title: str
    source: str
    path: str  # relative to the project
    images: int
    status: str  # "new", "updated" or "unchanged"
