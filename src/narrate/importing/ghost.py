"""A Ghost export (JSON) → Articles: posts with their HTML, authors, tags and feature images."""

from __future__ import annotations

import datetime as dt
import html as _html
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from narrate.errors import SourceError
from narrate.importing.markdown_out import text_only
from narrate.importing.model import Article, clean_text, slugify

_HTML_CARD = re.compile(r"<!--\s*kg-card-begin:\s*html\s*-->(.*?)<!--\s*kg-card-end:\s*html\s*-->", re.S)


def load(path: Path, where: str) -> dict[str, Any]:
    """The export's ``data`` table. Raises SourceError with the line of a JSON mistake."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except json.JSONDecodeError as exc:
        raise SourceError(f"expected JSON (a Ghost export), found: {exc.msg}", where, exc.lineno) from exc
    except UnicodeDecodeError as exc:
        raise SourceError("expected UTF-8 JSON (a Ghost export), found other bytes", where) from exc
    if isinstance(doc, dict) and isinstance(doc.get("db"), list) and doc["db"]:
        doc = doc["db"][0]
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
        raise SourceError("expected a Ghost export ({\"db\": [{\"data\": {\"posts\": [...]}}]}), "
                          "found JSON without posts", where, 1)
    return data


def articles(data: dict[str, Any], where: str, *, drafts: bool, pages: bool, kind: str,
             warn: Callable[[str], None]) -> Iterator[Article]:
    users = {u.get("id"): clean_text(u.get("name")) for u in data.get("users", []) if isinstance(u, dict)}
    tags = {t.get("id"): clean_text(t.get("name")) for t in data.get("tags", []) if isinstance(t, dict)}
    post_tags: dict[Any, list[str]] = {}
    for row in sorted(data.get("posts_tags", []), key=lambda r: r.get("sort_order", 0)):
        if tags.get(row.get("tag_id")) and not tags[row["tag_id"]].startswith("#"):  # '#internal' tags stay hidden
            post_tags.setdefault(row.get("post_id"), []).append(tags[row["tag_id"]])
    post_authors: dict[Any, list[str]] = {}
    for row in sorted(data.get("posts_authors", []), key=lambda r: r.get("sort_order", 0)):
        if users.get(row.get("author_id")):
            post_authors.setdefault(row.get("post_id"), []).append(users[row["author_id"]])
    settings = {s.get("key"): s.get("value") for s in data.get("settings", []) if isinstance(s, dict)}
    site_url = str(settings.get("url") or "")
    statuses = {"published"} | ({"draft", "scheduled"} if drafts else set())
    for index, post in enumerate(data["posts"]):
        if not isinstance(post, dict):
            continue
        post_type = post.get("type") or ("page" if post.get("page") else "post")
        if post.get("status") not in statuses or (post_type == "page" and not pages) or post_type not in (
                "post", "page"):
            continue
        title = clean_text(post.get("title"))
        here = f"{where}: post {post.get('id', index)} '{title}'"
        if not title:
            raise SourceError(f"expected a title for post {post.get('id', index)}, found none", where)
        html = post.get("html")
        if not isinstance(html, str) or not html.strip():
            warn(f"{here}: no HTML in the export (only mobiledoc or lexical), skipped")
            continue
        if site_url:  # Ghost writes its own address as a placeholder in links and images
            html = html.replace("__GHOST_URL__", site_url.rstrip("/"))
        if _HTML_CARD.search(html):  # raw-HTML cards are reduced to their text, like raw HTML in Markdown
            warn(f"{here}: a raw-HTML card was reduced to its text (its tags were removed)")
            html = _HTML_CARD.sub(lambda m: f"<p>{_html.escape(text_only(m.group(1)))}</p>", html)
        authors = post_authors.get(post.get("id")) or ([users[post["author_id"]]] if users.get(
            post.get("author_id")) else [])
        language = str(settings.get("locale") or settings.get("lang") or "")
        fields: dict[str, Any] = {
            "title": title,
            "subtitle": clean_text(post.get("custom_excerpt")),
            "author": authors[0] if len(authors) == 1 else "",
            "authors": authors if len(authors) > 1 else [],
            "publisher": clean_text(str(settings.get("title") or "")),
            "date": _date(post.get("published_at") or post.get("created_at")),
            "language": language,
            "kind": kind if kind != "article" else "",
            "tags": post_tags.get(post.get("id"), []),
            "source_url": str(post.get("canonical_url") or "")
            or (f"{site_url.rstrip('/')}/{post.get('slug')}/" if site_url and post.get("slug") else ""),
        }
        slug = slugify(str(post.get("slug") or "")) or slugify(title)
        yield Article(slug=slug, fields=fields, html=html, where=here, base_url=site_url,
                      cover_url=str(post.get("feature_image") or ""), in_export=True)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
