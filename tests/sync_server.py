"""A WordPress REST API and a Ghost Content API, in the shapes their documentation gives, served on
127.0.0.1 for narrate's sync tests and benchmarks: paging headers (X-WP-Total, X-WP-TotalPages),
``modified_gmt``, ``_embedded`` authors, terms and featured media, Ghost's ``meta.pagination`` and
``filter=updated_at:>'…'``; and the faults a real server has (429 with Retry-After, a 500, a slow page)."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

START = dt.datetime(2025, 1, 1, 9, 0, 0)


def stamp(n: int) -> str:
    return (START + dt.timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%S")


def paragraph(n: int) -> str:
    return (f"<p>Tide table {n}: the flood runs for six hours and the ebb for a little more, and the harbour "
            f"master posts the times on the board by the slip every morning at seven.</p>")


@dataclass
class Site:
    """Posts (dicts in WordPress's REST shape) and the faults to serve. ``faults`` maps a request's
    path-and-query pattern (a regex) to a list of actions taken one per matching request:
    ("status", 500), ("retry", seconds) for a 429, ("slow", seconds)."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    faults: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    ghost_key: str = "c0ffee"
    clock: int = 0

    def add(self, count: int) -> None:
        for _ in range(count):
            n = len(self.posts) + 1
            self.clock += 1
            self.posts.append({"id": n, "slug": f"tide-table-{n}", "title": f"Tide Table {n}",
                               "html": paragraph(n), "modified": stamp(self.clock), "status": "publish"})

    def edit(self, index: int, text: str) -> None:
        self.clock += 1
        post = self.posts[index]
        post["html"] = f"<p>{text}</p>"
        post["modified"] = stamp(self.clock)

    # ---------------------------------------------------------------- WordPress

    def wp_post(self, post: dict[str, Any], base: str) -> dict[str, Any]:
        return {
            "id": post["id"], "date": post["modified"], "date_gmt": post["modified"],
            "modified": post["modified"], "modified_gmt": post["modified"], "slug": post["slug"],
            "status": "publish", "type": "post", "link": f"{base}/{post['slug']}/",
            "title": {"rendered": post["title"]}, "content": {"rendered": post["html"], "protected": False},
            "excerpt": {"rendered": "", "protected": False}, "author": 1, "featured_media": 0,
            "_embedded": {"author": [{"id": 1, "name": "Harbour Master"}],
                          "wp:term": [[{"taxonomy": "category", "name": "Tides"}],
                                      [{"taxonomy": "post_tag", "name": "harbour"}]]},
        }

    def wordpress(self, query: dict[str, str], base: str) -> tuple[Any, dict[str, str]]:
        posts = sorted(self.posts, key=lambda p: (p["modified"], p["id"]))
        if "modified_after" in query:
            posts = [p for p in posts if p["modified"] > query["modified_after"]]
        per_page, page = int(query.get("per_page", 10)), int(query.get("page", 1))
        total_pages = max(1, -(-len(posts) // per_page))
        chunk = posts[(page - 1) * per_page: page * per_page]
        if query.get("_fields"):
            body: Any = [{"id": p["id"], "type": "post"} for p in chunk]
        else:
            body = [self.wp_post(p, base) for p in chunk]
        return body, {"X-WP-Total": str(len(posts)), "X-WP-TotalPages": str(total_pages)}

    # ---------------------------------------------------------------- Ghost

    def ghost(self, query: dict[str, str], base: str) -> Any:
        posts = sorted(self.posts, key=lambda p: (p["modified"], p["id"]))
        found = re.fullmatch(r"updated_at:>'([^']+)'", query.get("filter", ""))
        if found:
            since = found.group(1).removesuffix(".000Z")
            posts = [p for p in posts if p["modified"] > since]
        limit, page = int(query.get("limit", 15)), int(query.get("page", 1))
        pages = max(1, -(-len(posts) // limit))
        chunk = posts[(page - 1) * limit: page * limit]
        if query.get("fields") == "id":
            rows = [{"id": str(p["id"])} for p in chunk]
        else:
            rows = [{"id": str(p["id"]), "uuid": f"u-{p['id']}", "title": p["title"], "slug": p["slug"],
                     "html": p["html"], "visibility": "public", "published_at": p["modified"] + ".000Z",
                     "updated_at": p["modified"] + ".000Z", "created_at": p["modified"] + ".000Z",
                     "url": f"{base}/{p['slug']}/", "canonical_url": None, "feature_image": None,
                     "custom_excerpt": None, "authors": [{"id": "1", "name": "Harbour Master"}],
                     "tags": [{"id": "t", "name": "Tides", "visibility": "public"},
                              {"id": "i", "name": "#import", "visibility": "internal"}]} for p in chunk]
        return {"posts": rows, "meta": {"pagination": {"page": page, "limit": limit, "pages": pages,
                                                       "total": len(posts),
                                                       "next": page + 1 if page < pages else None,
                                                       "prev": page - 1 if page > 1 else None}}}


class _Handler(http.server.BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        site = self.site
        site.asked.append(self.path)
        for pattern, actions in site.faults.items():
            if re.search(pattern, self.path) and actions:
                action, value = actions.pop(0)
                if action == "status":
                    return self._send({"code": "internal_error"}, status=int(value))
                if action == "retry":
                    return self._send({"code": "rate_limited"}, status=429, headers={"Retry-After": f"{value:g}"})
                if action == "slow":
                    time.sleep(value)
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        base = f"http://{self.headers['Host']}"
        if parts.path == "/wp-json/":
            return self._send({"name": "Tide Tables", "url": base, "home": base, "namespaces": ["oembed/1.0", "wp/v2"]})
        if parts.path == "/wp-json/wp/v2/posts":
            body, headers = site.wordpress(query, base)
            return self._send(body, headers=headers)
        if parts.path.startswith("/ghost/api/content/"):
            if query.get("key") != site.ghost_key:
                return self._send({"errors": [{"message": "Unknown Content API Key"}]}, status=401)
            if parts.path == "/ghost/api/content/settings/":
                return self._send({"settings": {"title": "Tide Tables", "lang": "en", "url": base}})
            if parts.path == "/ghost/api/content/posts/":
                return self._send(site.ghost(query, base))
        return self._send({"code": "rest_no_route"}, status=404)

    def _send(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up on a slow page

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(site: Site) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"site": site})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
