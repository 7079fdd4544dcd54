"""What every importer hands on: one article's metadata and its clean HTML."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from narrate.sources.transliterate import ascii_text as transliterated

_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


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
    """A front matter slug (lowercase ASCII letters, digits, hyphens) from any text, or "".

    The one sanitizer every importer's slug goes through: whatever the source says (a title,
    a post name, a post id, a file name), the result holds no dot, slash or other character
    that could step out of ``content/``. Non-Latin text is transliterated (Unidecode:
    "你好世界" → "ni-hao-shi-jie", "Καλημέρα" → "kalemera"); callers decode a URL-encoded name first.
    """
    ascii_text = transliterated(text)
    return _SLUG_CHARS.sub("-", ascii_text.lower()).strip("-")[:MAX_SLUG].strip("-")


def slug_of(*candidates: str, fallback: str) -> str:
    """The first candidate that gives a slug; else ``post-<fallback>`` (a post id, sanitized too, or a hash)."""
    for candidate in candidates:
        slug = slugify(candidate)
        if slug:
            return slug
    number = slugify(fallback) or hashlib.sha256(fallback.encode("utf-8")).hexdigest()[:8]
    return f"post-{number}"[:MAX_SLUG].strip("-")


def clean_text(text: str | None) -> str:
    """Runs of whitespace as one space, none at the ends. ``str.split`` splits on exactly the characters
    ``re``'s ``\\s`` matches (both ask ``str.isspace``) and is three times faster: this runs on every block."""
    return " ".join((text or "").split())


@dataclass(frozen=True)
class Imported:
    slug: str
    title: str
    source: str
    path: str  # relative to the project
    images: int
    status: str  # "new", "updated" or "unchanged"
