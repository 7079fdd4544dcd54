"""Reading a CMS's JSON API page by page: bounded retries on rate limits, server errors and slow pages.

Every request goes through ``fetch.Fetcher`` (time limit, size cap, redirect policy, private-host
guard). A 429 or 503 with ``Retry-After`` is waited out (at most ``max_wait`` seconds at a time); a
5xx, a dropped connection or a page slower than the time limit is tried again after a short pause;
after ``attempts`` tries the read fails with an ``ApiError`` naming the address (a key in it shown
as ``key=…``). Nothing is written here: a failed read leaves the project as it was.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from narrate.importing.fetch import Fetcher, FetchError

ATTEMPTS = 5
MAX_WAIT = 60.0  # seconds: the longest Retry-After honoured; a longer one is waited this long
BACKOFF = 1.0  # seconds before the second try after a 5xx or a slow page (doubled each time)


class ApiError(Exception):
    """A read from the API that did not succeed after its retries; ``str()`` says why."""

    def __init__(self, message: str, *, host_down: bool = False):
        super().__init__(message)
        self.host_down = host_down  # the site did not answer at all (as opposed to a 404 or bad JSON)


def redact(url: str) -> str:
    """``url`` without its API key, for messages."""
    return re.sub(r"([?&]key=)[^&#]*", r"\1…", url)


@dataclass
class ApiClient:
    fetcher: Fetcher
    attempts: int = ATTEMPTS
    max_wait: float = MAX_WAIT
    backoff: float = BACKOFF
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0  # how many requests were sent (figures, and the sync's report)
    waited: float = 0.0
    notes: list[str] = field(default_factory=list)  # retries, for the report

    def get_json(self, url: str, *, retry: bool = True) -> tuple[Any, dict[str, str]]:
        """The JSON at ``url`` and the answer's headers (lowercase names); ``retry=False`` tries once (a probe)."""
        attempts = self.attempts if retry else 1
        for attempt in range(1, attempts + 1):
            self.requests += 1
            try:
                response = self.fetcher.get(url, {"Accept": "application/json"})
            except FetchError as exc:
                wait = self._wait(exc, attempt)
                if wait is None or attempt == attempts:
                    raise ApiError(f"cannot read {redact(url)}: {exc}", host_down=exc.host_down) from exc
                self.notes.append(f"{redact(url)}: {exc}; tried again after {wait:g} s")
                self.waited += wait
                self.sleep(wait)
                continue
            try:
                return json.loads(response.body.decode("utf-8-sig")), response.headers
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                raise ApiError(f"expected JSON from {redact(url)}, found something else") from exc
        raise ApiError(f"cannot read {redact(url)}")  # not reached: the last attempt raises

    def paged(self, url: str, size: str,
              read: Callable[[Any, dict[str, str]], tuple[Any, int]]) -> Iterator[dict[str, Any]]:
        """Every object of a listing served page by page: ``url`` with ``size`` (the page-size query) and
        ``page=1``, 2... while ``read(data, headers)`` → (the page's items, how many pages) says there are more."""
        page, total = 1, 1
        while page <= total:
            join = "&" if "?" in url else "?"
            items, total = read(*self.get_json(f"{url}{join}{size}&page={page}"))
            yield from (item for item in items if isinstance(item, dict))
            page += 1

    def _wait(self, exc: FetchError, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None if trying again cannot help (404, refused host...)."""
        if exc.status in (429, 503) and exc.retry_after:
            return min(self.max_wait, _retry_after(exc.retry_after, self.backoff))
        if exc.status == 429 or exc.status >= 500 or (exc.status == 0 and exc.host_down):
            return min(self.max_wait, self.backoff * 2 ** (attempt - 1))  # a slow page or a dropped connection too
        return None


def endpoints(pages: bool) -> list[str]:
    """The listings a sync reads: posts, and pages when asked for."""
    return ["posts", "pages"] if pages else ["posts"]


def sync_key(post: dict[str, Any]) -> str:
    """What a sync remembers a post by: its type and id (``post-12``, ``page-3``)."""
    return f"{post.get('type') or 'post'}-{post.get('id')}"


def _retry_after(value: str, default: float) -> float:
    """Retry-After as seconds: a number, or an HTTP date."""
    value = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())
