"""A Ghost site's Content API (``/ghost/api/content/``) → Articles, for ``narrate import <site> --ghost-key``.

The Content API serves what is published, with ``include=authors,tags`` and ``formats=html``,
paged by ``meta.pagination``; after a first sync only posts with ``updated_at`` after the last
one seen are asked for (``filter=updated_at:>'…'``). The key is read from ``--ghost-key`` or
from ``[import] ghost_key`` in a TOML file outside the project that only its owner can read
(``--ghost-key-file``); it never appears in a message.
"""

from __future__ import annotations

import os
import stat
import tomllib
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from narrate.errors import ConfigError
from narrate.importing.api_client import ApiClient, ApiError, endpoints
from narrate.importing.ghost import post_article
from narrate.importing.model import Article, clean_text

LIMIT = 100
API = "ghost/api/content/"


def read_key(path: Path, project: Path) -> str:
    """``[import] ghost_key`` from ``path``: refused inside the project (it would travel with it) or readable
    by anyone but its owner."""
    real = Path(os.path.realpath(path))
    if real.is_relative_to(Path(os.path.realpath(project))):
        raise ConfigError("expected the Ghost key file outside the project (it would be committed or shared "
                          "with it), found it inside", path)
    try:
        mode = real.stat().st_mode
        data = tomllib.loads(real.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("expected a TOML file with [import] ghost_key, found no such file", path) from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"expected a TOML file with [import] ghost_key, found: {exc}", path) from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"expected a key file only its owner can read (chmod 600), found mode "
                          f"{stat.S_IMODE(mode):o}", path)
    section = data.get("import")
    key = section.get("ghost_key") if isinstance(section, dict) else None
    if not isinstance(key, str) or not key.strip():
        raise ConfigError("expected [import] ghost_key = \"…\" in the key file, found none", path)
    return key.strip()


def _url(base: str, what: str, key: str, query: str = "") -> str:
    return urllib.parse.urljoin(base, f"{API}{what}/?key={urllib.parse.quote(key)}{query}")


def probe(client: ApiClient, base: str, key: str) -> dict[str, Any] | None:
    """The site's settings (title, lang, url), or None if it has no Content API that takes this key."""
    try:
        data, _ = client.get_json(_url(base, "settings", key), retry=False)
    except ApiError as exc:
        if exc.host_down:
            raise  # no answer at all: not a site without an API, a site out of reach
        return None
    settings = data.get("settings") if isinstance(data, dict) else None
    return settings if isinstance(settings, dict) else None


def _pages(client: ApiClient, url: str) -> Iterator[dict[str, Any]]:
    return client.paged(url, f"limit={LIMIT}", lambda data, _headers: _page(data))


def _page(data: Any) -> tuple[list[Any], int]:
    """A page's posts and how many pages ``meta.pagination`` says there are."""
    posts = data.get("posts") if isinstance(data, dict) else None
    if not isinstance(posts, list):
        raise ApiError(f"expected {{\"posts\": [...]}} from the Content API, found {type(data).__name__}")
    meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
    paging = meta.get("pagination") if isinstance(meta.get("pagination"), dict) else {}
    return posts, paging.get("pages") if isinstance(paging.get("pages"), int) else 1


def changed(client: ApiClient, base: str, key: str, since: str, pages: bool) -> Iterator[dict[str, Any]]:
    for kind in endpoints(pages):
        query = "&include=authors,tags&formats=html&order=updated_at%20asc"
        if since:
            query += "&filter=" + urllib.parse.quote(f"updated_at:>'{since}'")
        yield from ({**post, "type": kind[:-1]} for post in _pages(client, _url(base, kind, key, query)))


def ids(client: ApiClient, base: str, key: str, pages: bool) -> set[str]:
    return {f"{kind[:-1]}-{post.get('id')}" for kind in endpoints(pages)
            for post in _pages(client, _url(base, kind, key, "&fields=id"))}


def count(client: ApiClient, base: str, key: str, pages: bool) -> int:
    """How many posts (and pages) are published (``meta.pagination.total``); -1 if the API does not say."""
    total = 0
    for kind in endpoints(pages):
        data, _ = client.get_json(_url(base, kind, key, "&fields=id&limit=1"))
        meta = data.get("meta") if isinstance(data, dict) and isinstance(data.get("meta"), dict) else {}
        paging = meta.get("pagination") if isinstance(meta.get("pagination"), dict) else {}
        if not isinstance(paging.get("total"), int):
            return -1
        total += paging["total"]
    return total


def modified(post: dict[str, Any]) -> str:
    value = post.get("updated_at")
    return value if isinstance(value, str) else ""


def article(post: dict[str, Any], settings: dict[str, Any], base: str, *, kind: str, protected: bool,
            skip: Callable[[str, str], None]) -> Article | None:
    what = f"{post.get('type') or 'post'} {post.get('id')}"
    visibility = post.get("visibility") if isinstance(post.get("visibility"), str) else "public"
    site = {"url": str(settings.get("url") or base), "title": str(settings.get("title") or ""),
            "locale": str(settings.get("locale") or ""), "lang": str(settings.get("lang") or "")}
    if visibility != "public" and not protected:
        skip(f"{base}: {what} '{clean_text(str(post.get('title') or ''))}'",
             f"for {visibility} only (--protected imports it)")
        return None
    fields = {k: v for k, v in post.items() if k in ("id", "title", "slug", "html", "custom_excerpt", "published_at",
                                                     "created_at", "canonical_url", "feature_image")}
    found = post_article(fields, what, base, site, kind, skip)
    if found is None:
        return None
    authors = [clean_text(a.get("name")) for a in post.get("authors") or [] if isinstance(a, dict)
               and isinstance(a.get("name"), str)]
    found.fields["author"] = authors[0] if len(authors) == 1 else ""
    found.fields["authors"] = authors if len(authors) > 1 else []
    found.fields["tags"] = [clean_text(t.get("name")) for t in post.get("tags") or [] if isinstance(t, dict)
                            and isinstance(t.get("name"), str) and not t["name"].startswith("#")
                            and t.get("visibility", "public") == "public"]
    if isinstance(post.get("url"), str) and not post.get("canonical_url"):
        found.fields["source_url"] = post["url"]
    return found
