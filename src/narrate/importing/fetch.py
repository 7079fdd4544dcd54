"""Fetching a page or an image over the network, with a hard time limit.

Nothing here retries: offline, a fetch fails within ``TIMEOUT`` seconds and
the caller turns the failure into an error (a page) or a warning (an image).
"""

from __future__ import annotations

import concurrent.futures
import urllib.error
import urllib.request

TIMEOUT = 5.0  # seconds for one fetch, name resolution included
MAX_BYTES = 50 * 2**20
USER_AGENT = "narrate-import/1 (+https://example.org/narrate)"


class FetchError(OSError):
    """A fetch that failed; ``str()`` says why in a few words."""


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - http(s) only, checked
        data = response.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FetchError(f"larger than {MAX_BYTES // 2**20} MB")
    return data


def fetch_bytes(url: str) -> bytes:
    """The body at ``url`` (http or https); raises FetchError within a few seconds."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError("only http and https addresses are fetched")
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(_get, url).result(timeout=TIMEOUT + 1)
    except concurrent.futures.TimeoutError as exc:
        raise FetchError(f"no answer within {TIMEOUT:.0f} s (is the network reachable?)") from exc
    except urllib.error.HTTPError as exc:
        raise FetchError(f"the server answered {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise FetchError(f"{exc.reason} (is the network reachable?)") from exc
    except (OSError, ValueError) as exc:
        raise FetchError(f"{exc} (is the network reachable?)") from exc
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
