"""Fetching a page or an image over http(s): one client with a total time limit, a size cap,
a redirect policy and a guard against private addresses.

``Fetcher`` is every network read of ``narrate import`` (and is meant for any later reader
of a CMS's API): urllib3 speaks HTTP and TLS; this module decides where a request may go.

- **Total time**: ``timeout`` seconds for the whole fetch (name resolution, connection,
  redirects, headers and body). A watchdog shuts the socket down at the deadline, so a
  server trickling one byte at a time is dropped on time and no thread is left reading.
- **Size**: a body larger than ``max_bytes`` is refused (its Content-Length first, then as read).
- **Redirects**: at most ``max_redirects``, to http and https only, each hop checked again.
- **Private addresses**: a host that resolves to a loopback, private, link-local or other
  non-global address is refused unless ``allow_private`` (``--allow-private-hosts``): an
  export's URLs must not reach the machine's or the office's own services. The address
  checked is the address connected to (no second lookup for a DNS answer to change).
- **Charset**: ``Response.charset`` is the one the Content-Type header names, for decoding.
- **Proxy**: ``http_proxy``, ``https_proxy``, ``all_proxy`` and ``no_proxy`` (either case) are
  honoured as curl does (``importing/proxy``): an http address is asked of the proxy, an https one
  goes through a CONNECT tunnel (TLS checked end to end). Every guard above holds through it.
  The private-address guard is about the TARGET, checked on every hop: an address written in the
  URL, or what this machine's resolver answers for its name; a name this machine cannot resolve
  is left to the proxy (behind a corporate proxy often only the proxy can), and the proxy's own
  answer is not seen. The proxy itself may be on a private address (a corporate one usually is):
  it is the user's own setting, not an export's, so it is not refused.

Nothing here retries. A failure is a ``FetchError`` whose ``str()`` says why in a few words;
``host_down`` says whether the host itself failed (no answer, refused), as opposed to one
address on it (404, too large), so a caller may skip the host's other addresses.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import urllib3

from narrate.importing import proxy as proxy_env

TIMEOUT = 5.0  # seconds for one whole fetch, name resolution and redirects included
MAX_BYTES = 50 * 2**20
MAX_REDIRECTS = 5
USER_AGENT = "narrate-import/1 (+https://example.org/narrate)"
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 1 << 16
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(OSError):
    """A fetch that failed; ``str()`` says why in a few words."""

    def __init__(self, message: str, *, host_down: bool = False, status: int = 0, retry_after: str = ""):
        super().__init__(message)
        self.host_down = host_down
        self.status = status  # the HTTP status of a non-2xx answer (0: no answer)
        self.retry_after = retry_after  # its Retry-After header, for a caller that retries (429, 503)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Response:
    url: str  # where the body came from, after redirects
    status: int
    body: bytes
    content_type: str = ""  # "text/html", without parameters
    charset: str = ""  # from the Content-Type header, "" if none
    headers: dict[str, str] = field(default_factory=dict)  # the answer's headers, names in lowercase (paging...)


def is_private(address: IPAddress) -> bool:
    """Loopback, private, link-local, shared, reserved or multicast: not a public internet host."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


@dataclass
class _Deadline:
    """The fetch's end time and a watchdog that shuts down its open sockets when it passes."""

    at: float
    sockets: list[socket.socket] = field(default_factory=list)
    passed: threading.Event = field(default_factory=threading.Event)

    def left(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def cut(self) -> None:
        """Shut the sockets down: a read blocked in another thread returns at once."""
        self.passed.set()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class Fetcher:
    """GET over http(s) with a total time limit, a size cap, checked redirects and no private hosts."""

    def __init__(self, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES,
                 max_redirects: int = MAX_REDIRECTS, allow_private: bool = False, user_agent: str = USER_AGENT,
                 environ: dict[str, str] | None = None):
        self.environ = environ  # where the proxy settings are read (None: os.environ, at each fetch)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_private = allow_private
        self.user_agent = user_agent

    def refuses(self, address: IPAddress) -> bool:
        """Whether a request may not go to ``address`` (override to narrow or widen the policy)."""
        return not self.allow_private and is_private(address)

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """The body at ``url``; raises FetchError within ``timeout`` seconds (and a little)."""
        deadline = _Deadline(time.monotonic() + self.timeout)
        watchdog = threading.Timer(self.timeout, deadline.cut)
        watchdog.daemon = True
        watchdog.start()
        try:
            return self._follow(url, headers or {}, deadline)
        finally:
            watchdog.cancel()

    def _follow(self, url: str, headers: dict[str, str], deadline: _Deadline) -> Response:
        for _ in range(self.max_redirects + 1):
            parts = _checked_url(url)
            proxy = self._proxy(url)
            address = self._address(parts.hostname or "", deadline, proxied=proxy is not None)
            pool, target = _proxied_pool(parts, proxy, deadline) if proxy else (_pool(parts, address, deadline),
                                                                             _path(parts))
            try:
                with self._errors(deadline):
                    response = pool.urlopen("GET", target, headers=self._headers(parts, headers),
                                            redirect=False, retries=False, preload_content=False,
                                            assert_same_host=False,
                                            timeout=urllib3.Timeout(connect=deadline.left() or 0.01,
                                                                    read=deadline.left() or 0.01))
                    try:
                        if response.status in _REDIRECTS and response.headers.get("Location"):
                            url = urllib.parse.urljoin(url, response.headers["Location"].strip())
                            continue
                        if not 200 <= response.status < 300:
                            raise FetchError(f"the server answered {response.status} {response.reason or ''}".strip(),
                                             status=response.status,
                                             retry_after=response.headers.get("Retry-After", ""))
                        body = self._read(response, deadline)
                        content_type, charset = _content_type(response.headers.get("Content-Type", ""))
                        return Response(url, response.status, body, content_type, charset,
                                        {k.lower(): v for k, v in response.headers.items()})
                    finally:
                        response.close()
            finally:
                pool.close()
        raise FetchError(f"more than {self.max_redirects} redirects")

    def _headers(self, parts: urllib.parse.SplitResult, extra: dict[str, str]) -> dict[str, str]:
        default_port = 443 if parts.scheme == "https" else 80
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        if parts.port and parts.port != default_port:
            host = f"{host}:{parts.port}"
        return {"Host": host, "User-Agent": self.user_agent, "Accept-Encoding": "identity", **extra}

    def _proxy(self, url: str) -> proxy_env.Proxy | None:
        try:
            return proxy_env.proxy_for(url, self.environ)
        except ValueError as exc:
            raise FetchError(f"the proxy setting in the environment: {exc}") from exc

    def _address(self, host: str, deadline: _Deadline, *, proxied: bool = False) -> str:
        """The address to connect to, after checking every address ``host`` resolves to (through a proxy:
        a name this machine cannot resolve is the proxy's to resolve, and "" is returned)."""
        try:
            addresses = [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            try:
                addresses = _resolve(host, deadline)
            except FetchError:
                if proxied and not deadline.passed.is_set() and deadline.left() > 0:
                    return ""
                raise
        for address in addresses:
            if self.refuses(address):
                raise FetchError(f"{host} is a private address ({address}); refused, since an address in an "
                                 "export must not reach this machine's or network's own services "
                                 "(narrate import --allow-private-hosts allows it)")
        return str(addresses[0])  # the one connected to: no second lookup for a DNS answer to change

    def _read(self, response: Any, deadline: _Deadline) -> bytes:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(f"larger than {self._cap()}")
        chunks, size = [], 0
        while chunk := response.read(_CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"larger than {self._cap()}")
            if deadline.passed.is_set() or deadline.left() == 0:
                break
            chunks.append(chunk)
        if deadline.passed.is_set() or deadline.left() == 0:
            raise self._late()
        return b"".join(chunks)

    def _cap(self) -> str:
        return f"{self.max_bytes / 2**20:g} MB"

    def _late(self) -> FetchError:
        return FetchError(f"no complete answer within {self.timeout:g} s (is the network reachable?)",
                          host_down=True)

    @contextlib.contextmanager
    def _errors(self, deadline: _Deadline) -> Any:
        try:
            yield
        except FetchError:
            raise
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            timed_out = isinstance(exc, urllib3.exceptions.TimeoutError) and not isinstance(
                exc, urllib3.exceptions.NewConnectionError)  # which urllib3 derives from ConnectTimeoutError
            if deadline.passed.is_set() or timed_out:
                raise self._late() from exc
            if isinstance(exc, urllib3.exceptions.ProxyError):
                raise FetchError(f"the proxy did not carry the request: {_reason(exc.original_error)} "
                                 "(check http_proxy, https_proxy and no_proxy)", host_down=True) from exc
            if isinstance(exc, urllib3.exceptions.DecodeError):  # this body, not the host
                raise FetchError(f"the answer could not be decoded: {_reason(exc)}") from exc
            raise FetchError(f"{_reason(exc)} (is the network reachable?)", host_down=True) from exc


def _checked_url(url: str) -> urllib.parse.SplitResult:
    try:
        parts = urllib.parse.urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise FetchError(f"not a valid address: {exc}") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(f"only http and https addresses are fetched, not {parts.scheme or 'this'}: "
                         f"{url[:200]}")
    if not parts.hostname:
        raise FetchError("the address names no host")
    return parts


def _resolve(host: str, deadline: _Deadline) -> list[IPAddress]:
    """Every address of ``host``, looked up in a daemon thread (getaddrinfo has no timeout of its own)."""
    found: list[Any] = []

    def lookup() -> None:
        try:
            found.append(socket.getaddrinfo(host, None, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            found.append(exc)

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(deadline.left())
    if not found:
        raise FetchError(f"no answer for {host} within the time limit (is the network reachable?)", host_down=True)
    if isinstance(found[0], Exception):
        raise FetchError(f"cannot find the host {host} (is the network reachable?)", host_down=True)
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in found[0]]
    if not addresses:
        raise FetchError(f"cannot find the host {host}", host_down=True)
    return sorted(dict.fromkeys(addresses), key=lambda a: a.version)  # IPv4 first: IPv6 is more often broken


def _watched(pool: urllib3.HTTPConnectionPool, deadline: _Deadline) -> None:
    """The pool's connections hand their sockets to the watchdog: the bare one as soon as it is open (a
    proxy's CONNECT, a TLS handshake), the TLS one once connected; http.client lets go of it after the headers."""
    base = pool.ConnectionCls

    class Watched(base):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            sock = super()._new_conn()
            deadline.sockets.append(sock)
            return sock

        def connect(self) -> None:
            super().connect()
            deadline.sockets.append(self.sock)

    pool.ConnectionCls = Watched


def _proxied_pool(parts: urllib.parse.SplitResult, proxy: proxy_env.Proxy,
                  deadline: _Deadline) -> tuple[urllib3.HTTPConnectionPool, str]:
    """A one-request pool through ``proxy`` and what to ask of it: the whole address of an http page, the
    path of an https one (sent inside the CONNECT tunnel, TLS checked against the target's name)."""
    manager = urllib3.ProxyManager(proxy.url, num_pools=1, maxsize=1, retries=False, proxy_headers=proxy.headers)
    url = urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc.rpartition("@")[2], parts.path or "/",
                                   parts.query, ""))
    pool = manager.connection_from_url(url)
    _watched(pool, deadline)
    return pool, (_path(parts) if parts.scheme.lower() == "https" else url)


def _pool(parts: urllib.parse.SplitResult, address: str, deadline: _Deadline) -> urllib3.HTTPConnectionPool:
    """A one-request pool connecting to ``address`` (already checked) for ``parts.hostname``."""
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    if https:
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address, port, maxsize=1, retries=False, server_hostname=parts.hostname,
            assert_hostname=parts.hostname)
    else:
        pool = urllib3.HTTPConnectionPool(address, port, maxsize=1, retries=False)
    _watched(pool, deadline)
    return pool


def _path(parts: urllib.parse.SplitResult) -> str:
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _content_type(header: str) -> tuple[str, str]:
    message = Message()
    message["Content-Type"] = header or "application/octet-stream"
    charset = message.get_content_charset() or ""
    return message.get_content_type(), charset


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    text = str(reason or exc)
    return text.split(": ", 1)[-1] if "Failed to establish a new connection" in text else text

