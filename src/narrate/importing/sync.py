"""``narrate import <site>``: a live sync with a WordPress or Ghost site's API.

The first run imports every published post; each later run asks only for posts changed since the
last one it saw (the cursor), lists every published post's id to tell which ones disappeared
(reported, never deleted), and imports what changed under the same guard as any import (a file
edited by hand is not replaced without --force). What a sync remembers lives in
``.narrate/sync/<host>.json``: the API, the cursor, each post's last modification and slug. It
is written (atomically) only after the posts were moved into ``content/``: a sync that fails
while reading writes nothing and advances nothing, so the next run starts from the same place.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrate.artifacts import atomic_path
from narrate.errors import OutputError, SourceError
from narrate.importing import ghost_api, wp_api
from narrate.importing.api_client import ApiClient, ApiError, sync_key
from narrate.importing.fetch import Fetcher
from narrate.importing.model import Article, slugify

STATE_DIR = ".narrate/sync"
VERSION = 1


def is_site(url: str, ghost_key: str) -> bool:
    """Whether ``url`` names a site to sync (its home page, or any address with a Ghost key), not one page."""
    return bool(ghost_key) or urllib.parse.urlsplit(url).path in ("", "/")


def state_path(root: Path, base: str) -> Path:
    parts = urllib.parse.urlsplit(base)
    return root / STATE_DIR / f"{slugify(parts.netloc + parts.path) or 'site'}.json"


@dataclass
class Settings:
    kind: str = "article"
    pages: bool = False
    protected: bool = False
    ghost_key: str = ""

    def signature(self) -> str:
        """What decides which posts a sync takes: a change means reading every post again."""
        return json.dumps([self.kind, self.pages, self.protected, bool(self.ghost_key)])


@dataclass
class SiteSync:
    root: Path
    base: str
    settings: Settings
    client: ApiClient
    warn: Callable[[str], None]
    skip: Callable[[str, str], None]
    notes: list[str] = field(default_factory=list)
    source: str = ""  # the address as given on the command line
    _state: dict[str, Any] = field(default_factory=dict)
    _seen: dict[str, str] = field(default_factory=dict)  # post key → its modification time, this run
    _articles: dict[str, Article] = field(default_factory=dict)
    _gone: list[str] = field(default_factory=list)
    _api: str = ""

    @classmethod
    def open(cls, root: Path, url: str, settings: Settings, fetcher: Fetcher, warn: Callable[[str], None],
             skip: Callable[[str, str], None], client: ApiClient | None = None) -> SiteSync:
        base = url if url.endswith("/") else url + "/"
        return cls(root, base, settings, client or ApiClient(fetcher), warn, skip)

    def read(self) -> list[Article] | None:
        """The posts to import (every one the first time, then those changed); None if the site has no API."""
        self._state = _load(state_path(self.root, self.base))
        try:
            return self._read()
        except ApiError as exc:
            if exc.host_down and not self._api:
                raise SourceError(f"cannot fetch the site: {exc}", self.base) from exc
            raise SourceError(f"the sync stopped while reading the site (nothing was written; the next run "
                              f"starts from the same place): {exc}", self.base) from exc

    def _read(self) -> list[Article] | None:
        key = self.settings.ghost_key
        about = ghost_api.probe(self.client, self.base, key) if key else wp_api.probe(self.client, self.base)
        if about is None:
            if key:
                raise SourceError("expected a Ghost Content API that takes this key, found none (check the "
                                  "address and the key)", self.base)
            return None
        self._api = "ghost" if key else "wordpress"
        known = self._state.get("posts", {}) if self._state.get("api") == self._api and \
            self._state.get("settings") == self.settings.signature() else {}
        self._state["posts"] = known
        since = _before(self._state.get("cursor", "")) if known else ""
        if key:
            posts = list(ghost_api.changed(self.client, self.base, key, since, self.settings.pages))
        else:
            posts = list(wp_api.changed(self.client, self.base, since, self.settings.pages))
        changed = [found for post in posts if (found := self._new(post, known)) is not None]
        current = self._current(known) if known else None
        for post_key, post in changed:
            found = self._article(post, about)
            if found is not None:
                self._articles[post_key] = found
        if current is not None:
            self._gone = [k for k, v in known.items() if k not in current and not v.get("gone")]
        self._report(len(posts), len(changed))
        return list(self._articles.values())

    def _current(self, known: dict[str, Any]) -> set[str]:
        """Every published post's key. When the site's count of published posts is the count of posts
        known and still published plus the new ones, none disappeared and no id needs listing (one
        request, not one per hundred posts): every post not known was changed since the cursor."""
        alive = {k for k, v in known.items() if not v.get("gone")} | set(self._seen)
        key = self.settings.ghost_key
        total = ghost_api.count(self.client, self.base, key, self.settings.pages) if key else \
            wp_api.count(self.client, self.base, self.settings.pages)
        if total == len(alive):
            return alive
        if key:
            return ghost_api.ids(self.client, self.base, key, self.settings.pages)
        return wp_api.ids(self.client, self.base, self.settings.pages)

    def _new(self, post: dict[str, Any], known: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        key = sync_key(post)
        stamp = ghost_api.modified(post) if self._api == "ghost" else wp_api.modified(post)
        self._seen[key] = stamp
        return (key, post) if known.get(key, {}).get("modified") != stamp else None

    def _article(self, post: dict[str, Any], about: dict[str, Any]) -> Article | None:
        if self._api == "ghost":
            return ghost_api.article(post, about, self.base, kind=self.settings.kind,
                                     protected=self.settings.protected, skip=self.skip)
        return wp_api.article(post, about, self.base, kind=self.settings.kind, protected=self.settings.protected,
                              warn=self.warn, skip=self.skip)

    def _report(self, read: int, changed: int) -> None:
        first = not self._state.get("cursor")
        waited = f", {self.client.waited:g} s spent waiting on the server" if self.client.waited else ""
        self.notes.append(f"{self.base}: {self._api} API, {'first sync' if first else 'since the last sync'}: "
                          f"{read} post(s) read, {changed} new or changed, in {self.client.requests} "
                          f"request(s){waited}")
        self.notes += self.client.notes
        posts = self._state.get("posts", {})
        for gone in self._gone:
            entry = posts.get(gone, {})
            self.notes.append(f"{self.base}: {gone} ('{entry.get('title', '')}') is no longer published on the "
                              f"site; content/{entry.get('slug', '?')}.md was kept (delete it by hand if it "
                              "should go)")

    def save(self) -> None:
        """Remember what this run saw: called only once its posts are in content/."""
        posts = dict(self._state.get("posts", {}))
        for post_key, stamp in self._seen.items():
            entry = dict(posts.get(post_key, {}))
            entry["modified"] = stamp
            entry.pop("gone", None)
            article = self._articles.get(post_key)
            if article is not None:
                entry.update(slug=article.slug, title=str(article.fields.get("title", "")))
            posts[post_key] = entry
        for gone in self._gone:
            posts[gone] = {**posts.get(gone, {}), "gone": True}
        stamps = [s for s in [self._state.get("cursor", ""), *self._seen.values()] if s]
        state = {"version": VERSION, "api": self._api, "site": self.base, "settings": self.settings.signature(),
                 "cursor": max(stamps, key=_instant) if stamps else "", "posts": dict(sorted(posts.items()))}
        path = state_path(self.root, self.base)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp:
                # compact: an indented dump goes through json's pure-Python encoder (1 s for 5,000 posts)
                tmp.write_text(json.dumps(state, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"cannot write the sync state: {exc.strerror or exc}", path) from exc


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # damaged: a full read, and every unchanged post stays unchanged on disk
    return data if isinstance(data, dict) and data.get("version") == VERSION else {}


def _instant(stamp: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _before(stamp: str) -> str:
    """A second before ``stamp``, written the same way: "after" is strict, and two posts may share a second."""
    if not stamp:
        return ""
    when = _instant(stamp) - dt.timedelta(seconds=1)
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (".000Z" if stamp.endswith("Z") else "")
