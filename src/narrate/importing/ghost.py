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
from narrate.importing import lexical
from narrate.importing.markdown_out import text_only
from narrate.importing.model import Article, clean_text, slug_of
from narrate.sources.reader import markdown_html

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
    except RecursionError as exc:
        raise SourceError("expected a Ghost export, found JSON nested too deeply to read", where) from exc
    if isinstance(doc, dict) and isinstance(doc.get("db"), list) and doc["db"]:
        doc = doc["db"][0]
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
        raise SourceError("expected a Ghost export ({\"db\": [{\"data\": {\"posts\": [...]}}]}), "
                          "found JSON without posts", where, 1)
    return data


def _kind(value: Any) -> str:
    text = json.dumps(value)[:60] if isinstance(value, (int, float, str, bool)) or value is None else ""
    return {dict: "an object", list: "a list"}.get(type(value), text)


def _rows(data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """``data[key]`` as a list of objects: missing or null is none; anything else is an error."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        found = _kind(value) if not isinstance(value, list) else "a list holding " + next(
            _kind(r) for r in value if not isinstance(r, dict))
        raise SourceError(f"expected '{key}' to be a list of objects, found {found}", where)
    return value


def _text(row: dict[str, Any], key: str, what: str, where: str) -> str:
    """``row[key]`` as text ("" if missing or null); a number, list or object is an error."""
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SourceError(f"expected '{key}' of {what} to be text, found {_kind(value)}", where)
    return value


def _id(value: Any) -> Any:
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def _ordered(rows: list[dict[str, Any]], key: str, where: str) -> list[dict[str, Any]]:
    def order(row: dict[str, Any]) -> float:
        value = row.get("sort_order")
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SourceError(f"expected 'sort_order' in '{key}' to be a number, found {_kind(value)}", where)
        return value
    return sorted(rows, key=order)


def _names(data: dict[str, Any], key: str, where: str) -> dict[Any, str]:
    return {_id(row.get("id")): clean_text(_text(row, "name", f"{key} {_id(row.get('id'))}", where))
            for row in _rows(data, key, where)}


def _links(data: dict[str, Any], key: str, target: str, names: dict[Any, str], where: str,
           keep: Callable[[str], bool] = bool) -> dict[Any, list[str]]:
    """post id → names (of tags or authors) in ``sort_order``."""
    links: dict[Any, list[str]] = {}
    for row in _ordered(_rows(data, key, where), key, where):
        name = names.get(_id(row.get(target)))
        if name and keep(name):
            links.setdefault(_id(row.get("post_id")), []).append(name)
    return links


def articles(data: dict[str, Any], where: str, *, drafts: bool, pages: bool, kind: str,
             warn: Callable[[str], None], scheduled: bool = False, protected: bool = False,
             skip: Callable[[str, str], None] | None = None) -> Iterator[Article]:
    """One Article per post to import. Scheduled posts come only with ``scheduled``, posts for
    members or paid tiers (``visibility`` other than public) only with ``protected``."""
    skip = skip or (lambda where, why: warn(f"{where}: {why}; skipped"))
    users = _names(data, "users", where)
    tags = _names(data, "tags", where)
    post_tags = _links(data, "posts_tags", "tag_id", tags, where, lambda n: not n.startswith("#"))  # '#internal'
    post_authors = _links(data, "posts_authors", "author_id", users, where)
    settings = {_id(s.get("key")): s.get("value") for s in _rows(data, "settings", where)}
    site = {name: settings.get(name) if isinstance(settings.get(name), str) else "" for name in
            ("url", "title", "locale", "lang")}
    statuses = {"published"} | ({"draft"} if drafts else set()) | ({"scheduled"} if scheduled else set())
    for index, post in enumerate(data["posts"]):
        if not isinstance(post, dict):
            continue
        what = f"post {_id(post.get('id')) if _id(post.get('id')) is not None else index}"
        post_type = _text(post, "type", what, where) or ("page" if post.get("page") else "post")
        status = _text(post, "status", what, where)
        if (post_type == "page" and not pages) or post_type not in ("post", "page"):
            continue
        label = f"{where}: {what} '{clean_text(_text(post, 'title', what, where))}'"
        if status not in statuses:
            if status == "scheduled":
                skip(label, "scheduled (--scheduled imports it)")
            continue
        visibility = _text(post, "visibility", what, where) or "public"
        if visibility != "public" and not protected:
            skip(label, f"for {visibility} only (--protected imports it)")
            continue
        article = post_article(post, what, where, site, kind, skip)
        if article is not None:
            ident = _id(post.get("id"))
            authors = post_authors.get(ident) or ([users[_id(post.get("author_id"))]] if users.get(
                _id(post.get("author_id"))) else [])
            article.fields["author"] = authors[0] if len(authors) == 1 else ""
            article.fields["authors"] = authors if len(authors) > 1 else []
            article.fields["tags"] = post_tags.get(ident, [])
            yield article


def post_article(post: dict[str, Any], what: str, where: str, site: dict[str, str], kind: str,
                 skip: Callable[[str, str], None]) -> Article | None:
    """One post (of an export, or of the Content API: its fields have the same names) as an Article."""
    title = clean_text(_text(post, "title", what, where))
    here = f"{where}: {what} '{title}'"
    if not title:
        raise SourceError(f"expected a title for {what}, found none", where)
    html = _body(post, what, where)
    if not html.strip():
        stored = [k for k in ("mobiledoc", "lexical", "markdown") if post.get(k)]
        skip(here, "no content in the export" + (f" (only {' and '.join(stored)}, with no text narrate reads)"
                                                  if stored else ""))
        return None
    warnings: list[str] = []
    site_url = site["url"]
    if site_url:  # Ghost writes its own address as a placeholder in links and images
        html = html.replace("__GHOST_URL__", site_url.rstrip("/"))
    if _HTML_CARD.search(html):  # raw-HTML cards are reduced to their text, like raw HTML in Markdown
        warnings.append("a raw-HTML card was reduced to its text (its tags were removed)")
        html = _HTML_CARD.sub(lambda m: f"<p>{_html.escape(text_only(m.group(1)))}</p>", html)
    post_slug = _text(post, "slug", what, where)
    fields: dict[str, Any] = {
        "title": title,
        "subtitle": clean_text(_text(post, "custom_excerpt", what, where)),
        "author": "",
        "authors": [],
        "publisher": clean_text(site["title"]),
        "date": _date(_text(post, "published_at", what, where) or _text(post, "created_at", what, where)),
        "language": site["locale"] or site["lang"],
        "kind": kind if kind != "article" else "",
        "tags": [],
        "source_url": _text(post, "canonical_url", what, where)
        or (f"{site_url.rstrip('/')}/{post_slug}/" if site_url and post_slug else ""),
    }
    slug = slug_of(post_slug, title, fallback=str(_id(post.get("id")) or what))
    return Article(slug=slug, fields=fields, html=html, where=here, base_url=site_url,
                   cover_url=_text(post, "feature_image", what, where), in_export=True, warnings=warnings)


def _body(post: dict[str, Any], what: str, where: str) -> str:
    """The post's HTML: the ``html`` field, else its Lexical document, else its old ``markdown`` field."""
    html = _text(post, "html", what, where)
    if html.strip():
        return html
    if post.get("lexical"):
        html = lexical.to_html(post["lexical"], f"{where}: {what}")
        if html.strip():
            return html
    markdown = _text(post, "markdown", what, where)
    return markdown_html(markdown) if markdown.strip() else ""


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
