"""A WordPress site's REST API (``/wp-json/wp/v2/``) → Articles, for ``narrate import <site>``.

Posts are read 100 a page (``X-WP-TotalPages`` says how many pages), with ``_embed`` so each
carries its author, terms and featured media; after a first sync, only posts with
``modified_after`` the last one seen are asked for. ``_fields=id`` lists every published
post cheaply, to tell which ones disappeared. Each post becomes the same Article an export's
would (``wordpress.clean_content`` on its rendered HTML). The cursor is a post's ``modified``
(the site's local time), since that is the column ``modified_after`` is compared with.
"""

from __future__ import annotations

import html as _html
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

from narrate.importing.api_client import ApiClient, ApiError, endpoints, sync_key
from narrate.importing.markdown_out import text_only
from narrate.importing.model import Article, clean_text
from narrate.importing.wordpress import Site, clean_content, date_of

PER_PAGE = 100
API = "/wp-json/wp/v2/"


def probe(client: ApiClient, base: str) -> dict[str, Any] | None:
    """The site's index (``/wp-json/``: its name, address...), or None if it has no WordPress API."""
    try:
        index, _ = client.get_json(urllib.parse.urljoin(base, "wp-json/"), retry=False)
    except ApiError as exc:
        if exc.host_down:
            raise  # no answer at all: not a site without an API, a site out of reach
        return None
    if not isinstance(index, dict) or "wp/v2" not in (index.get("namespaces") or []):
        return None
    return index


def _pages(client: ApiClient, url: str) -> Iterator[dict[str, Any]]:
    return client.paged(url, f"per_page={PER_PAGE}", lambda data, headers: (_posts(data, url), _total(headers)))


def _posts(data: Any, url: str) -> list[Any]:
    if not isinstance(data, list):
        raise ApiError(f"expected a list of posts from {url}, found {type(data).__name__}")
    return data


def _total(headers: dict[str, str]) -> int:
    """How many pages ``X-WP-TotalPages`` says there are (1 if it does not say)."""
    value = str(headers.get("x-wp-totalpages", "1"))
    return int(value or 1) if value.isdigit() else 1


def changed(client: ApiClient, base: str, since: str, pages: bool) -> Iterator[dict[str, Any]]:
    """Every published post (and page) modified after ``since`` (all of them if "")."""
    for kind in endpoints(pages):
        query = "_embed=1&status=publish&orderby=modified&order=asc"
        if since:
            query += "&modified_after=" + urllib.parse.quote(since)
        yield from _pages(client, urllib.parse.urljoin(base, f"{API.lstrip('/')}{kind}?{query}"))


def ids(client: ApiClient, base: str, pages: bool) -> set[str]:
    """The id of every published post (and page), to tell which ones disappeared."""
    return {sync_key(post) for kind in endpoints(pages)
            for post in _pages(client, urllib.parse.urljoin(base, f"{API.lstrip('/')}{kind}?_fields=id,type"))}


def count(client: ApiClient, base: str, pages: bool) -> int:
    """How many posts (and pages) are published: one small request each (``X-WP-Total``)."""
    total = 0
    for kind in endpoints(pages):
        _, headers = client.get_json(urllib.parse.urljoin(base, f"{API.lstrip('/')}{kind}?_fields=id&per_page=1"))
        value = headers.get("x-wp-total", "")
        if not value.isdigit():
            return -1  # unknown: the caller lists every id
        total += int(value)
    return total


def modified(post: dict[str, Any]) -> str:
    value = post.get("modified")
    return value if isinstance(value, str) else ""


def _rendered(post: dict[str, Any], name: str) -> dict[str, Any]:
    value = post.get(name)
    return value if isinstance(value, dict) else {}


def _embedded(post: dict[str, Any], name: str) -> list[Any]:
    embedded = post.get("_embedded")
    value = embedded.get(name) if isinstance(embedded, dict) else None
    return value if isinstance(value, list) else []


def article(post: dict[str, Any], index: dict[str, Any], base: str, *, kind: str, protected: bool,
            warn: Callable[[str], None], skip: Callable[[str, str], None]) -> Article | None:
    """One post of the API as an Article (None, and ``skip`` told, for one not to import)."""
    title = clean_text(text_only(str(_rendered(post, "title").get("rendered") or "")))
    here = f"{base} ({post.get('type') or 'post'} {post.get('id')} '{title}')"
    content = _rendered(post, "content")
    if (content.get("protected") or post.get("password")) and not protected:
        skip(here, "password-protected (--protected imports it)")
        return None
    html = clean_content(str(content.get("rendered") or ""), Site(), lambda message: warn(f"{here}: {message}"))
    authors = [clean_text(a.get("name")) for a in _embedded(post, "author") if isinstance(a, dict)
               and isinstance(a.get("name"), str)]
    categories, tags = [], []
    for group in _embedded(post, "wp:term"):
        for term in group if isinstance(group, list) else []:
            name = clean_text(_html.unescape(str(term.get("name") or ""))) if isinstance(term, dict) else ""
            if isinstance(term, dict) and term.get("taxonomy") == "category" and name.lower() != "uncategorized":
                categories.append(name)
            elif isinstance(term, dict) and term.get("taxonomy") == "post_tag" and name:
                tags.append(name)
    media = [m for m in _embedded(post, "wp:featuredmedia") if isinstance(m, dict)]
    link = str(post.get("link") or "")
    fields: dict[str, Any] = {
        "title": title or f"Untitled ({post.get('id')})",
        "subtitle": clean_text(text_only(str(_rendered(post, "excerpt").get("rendered") or ""))),
        "author": authors[0] if authors else "",
        "publisher": clean_text(_html.unescape(str(index.get("name") or ""))),
        "date": date_of(str(post.get("date") or "")),
        "kind": kind if kind != "article" else "",
        "tags": list(dict.fromkeys(categories + tags)),
        "source_url": link if link.startswith(("http://", "https://")) else "",
    }
    slug = urllib.parse.unquote(str(post.get("slug") or ""))
    return Article(slug=slug or title, fields=fields, html=html, where=here, base_url=base,
                   cover_url=str(media[0].get("source_url") or "") if media else "", in_export=True)
