"""narrate import behind a proxy: http_proxy, https_proxy, all_proxy and no_proxy as curl reads them,
with every guard of the fetcher kept. The proxy is this test's own, on 127.0.0.1: it records what it is
asked and forwards every http request to this test's page server, whatever host it names."""

from __future__ import annotations

import http.client
import http.server
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from narrate.importing import fetch as fetch_module
from narrate.importing.proxy import bypassed, parse, proxy_for

PAGE = b"<html><body><p>The tide turned at the quay.</p></body></html>"


class _Origin(http.server.BaseHTTPRequestHandler):
    routes: dict[str, Callable[[http.server.BaseHTTPRequestHandler], None]] = {}

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404)
        else:
            route(self)

    def log_message(self, *args: object) -> None:
        pass


class _Proxy(http.server.BaseHTTPRequestHandler):
    """A forwarding proxy: GET http://any-host/path → the origin's /path; CONNECT → records what the client
    sends first through the tunnel (a TLS ClientHello), then hangs up."""

    origin_port = 0
    seen: list[dict] = []
    trickle = False

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append({"line": self.requestline, "headers": dict(self.headers)})
        if self.trickle:
            self.send_response(200)
            self.end_headers()
            for _ in range(200):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.02)
            return
        path = "/" + self.path.split("://", 1)[-1].partition("/")[2]
        upstream = http.client.HTTPConnection("127.0.0.1", self.origin_port, timeout=5)
        upstream.request("GET", path, headers={"Host": self.headers.get("Host", "")})
        answer = upstream.getresponse()
        body = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("connection", "transfer-encoding", "content-length", "server", "date"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        upstream.close()

    def do_CONNECT(self) -> None:  # noqa: N802
        record = {"line": self.requestline, "headers": dict(self.headers), "first": b""}
        self.seen.append(record)
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.connection.settimeout(3)
        try:
            record["first"] = self.connection.recv(4096)
        except OSError:
            pass
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


def _serve(handler: type) -> tuple[http.server.ThreadingHTTPServer, int]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, httpd.server_address[1]


@contextmanager
def proxied(routes: dict[str, Callable], *, trickle: bool = False) -> Iterator[tuple[str, int, list[dict]]]:
    """(the proxy's address, the page server's port, what the proxy was asked)."""
    origin, origin_port = _serve(type("Origin", (_Origin,), {"routes": routes}))
    seen: list[dict] = []
    proxy, proxy_port = _serve(type("Proxy", (_Proxy,), {"origin_port": origin_port, "seen": seen,
                                                         "trickle": trickle}))
    try:
        yield f"http://127.0.0.1:{proxy_port}", origin_port, seen
    finally:
        for server in (proxy, origin):
            server.shutdown()
            server.server_close()


def send(body: bytes, status: int = 200, headers: dict | None = None) -> Callable:
    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(body)
    return route


def test_the_environment_names_the_proxy_as_curl_reads_it():
    assert proxy_for("http://a.example.org/", {"http_proxy": "proxy.corp:3128"}).url == "http://proxy.corp:3128"
    assert proxy_for("https://a.example.org/", {"HTTPS_PROXY": "http://p:8080"}).url == "http://p:8080"
    assert proxy_for("https://a.example.org/", {"http_proxy": "http://p:8080"}) is None  # the scheme's own
    assert proxy_for("https://a.example.org/", {"ALL_PROXY": "http://all:1"}).url == "http://all:1"
    assert proxy_for("http://a.example.org/", {"http_proxy": "http://low:1", "HTTP_PROXY": "http://up:1"}).url \
        == "http://low:1"
    assert proxy_for("http://a.example.org/", {"HTTP_PROXY": "http://p:1", "REQUEST_METHOD": "GET"}) is None
    auth = proxy_for("http://a.example.org/", {"http_proxy": "http://ann%40corp:s%3Acret@p:1"})
    assert auth.url == "http://p:1" and auth.headers == {"Proxy-Authorization": "Basic YW5uQGNvcnA6czpjcmV0"}
    with pytest.raises(ValueError, match="socks5"):
        parse("socks5://p:1080")


@pytest.mark.parametrize("host, port, no_proxy, direct", [
    ("news.example.org", 80, "example.org", True), ("example.org", 80, ".example.org", True),
    ("a.b.example.org", 443, "*.example.org", True), ("notexample.org", 80, "example.org", False),
    ("example.org.evil.test", 80, "example.org", False), ("anything.test", 80, "*", True),
    ("intranet", 80, "localhost, intranet", True), ("10.2.3.4", 80, "10.0.0.0/8", True),
    ("11.2.3.4", 80, "10.0.0.0/8", False), ("::1", 80, "::1", True), ("a.example.org", 8080, "example.org:8080", True),
    ("a.example.org", 80, "example.org:8080", False), ("a.example.org", 80, "", False)])
def test_no_proxy_matches_hosts_suffixes_networks_and_ports(host, port, no_proxy, direct):
    assert bypassed(host, port, no_proxy) is direct


def test_an_http_page_is_asked_of_the_proxy_and_the_target_is_still_checked(loopback, monkeypatch):
    routes = {"/page": send(PAGE), "/go": send(b"", 302, {"Location": "http://intranet.corp.example/admin"})}
    with proxied(routes) as (proxy, _, seen):
        monkeypatch.setenv("http_proxy", proxy.replace("http://", "http://ann:secret@"))
        answer = fetch_module.Fetcher(timeout=3.0).get("http://tides.example.org/page")
        assert answer.body == PAGE and answer.charset == "utf-8"
        assert seen[0]["line"] == "GET http://tides.example.org/page HTTP/1.1"
        assert seen[0]["headers"]["Host"] == "tides.example.org"
        assert seen[0]["headers"]["Proxy-Authorization"] == "Basic YW5uOnNlY3JldA=="
        # the proxy on 127.0.0.1 is the user's own setting; a target on a private address is still refused,
        # written in the URL or named by a redirect whose host this machine resolves to one
        private = {"intranet.corp.example": [ipaddress.ip_address("10.1.2.3")]}
        real = fetch_module._resolve
        monkeypatch.setattr(fetch_module, "_resolve", lambda host, d: private.get(host) or real(host, d))
        with pytest.raises(fetch_module.FetchError, match="private address"):
            fetch_module.Fetcher(timeout=3.0).get("http://127.0.0.1:8/admin")
        with pytest.raises(fetch_module.FetchError, match=r"intranet.corp.example is a private address \(10.1.2.3"):
            fetch_module.Fetcher(timeout=3.0).get("http://tides.example.org/go")
        assert [s["line"].split()[1] for s in seen] == ["http://tides.example.org/page", "http://tides.example.org/go"]


def test_no_proxy_hosts_are_reached_directly(loopback):
    with proxied({"/page": send(PAGE)}) as (proxy, origin_port, seen):
        url = f"http://127.0.0.1:{origin_port}/page"
        through = fetch_module.Fetcher(timeout=3.0, allow_private=True, environ={"HTTP_PROXY": proxy})
        assert through.get(url).body == PAGE and seen[0]["line"] == f"GET {url} HTTP/1.1"
        direct = fetch_module.Fetcher(timeout=3.0, allow_private=True,
                                      environ={"HTTP_PROXY": proxy, "no_proxy": "localhost,127.0.0.0/8"})
        assert direct.get(url).body == PAGE and len(seen) == 1


def test_an_https_page_goes_through_a_connect_tunnel_with_tls_to_the_target(loopback):
    with proxied({}) as (proxy, _, seen):
        client = fetch_module.Fetcher(timeout=3.0, environ={"https_proxy": proxy, "http_proxy": "http://unused:1"})
        with pytest.raises(fetch_module.FetchError):  # this proxy hangs up after the ClientHello
            client.get("https://tides.example.org/page")
        assert [s["line"].rsplit(" ", 1)[0] for s in seen] == ["CONNECT tides.example.org:443"]
        hello = seen[0]["first"]
        assert hello[:1] == b"\x16" and b"tides.example.org" in hello  # a TLS handshake naming the target (SNI)


def test_a_trickling_proxy_is_dropped_at_the_time_limit(loopback):
    with proxied({}, trickle=True) as (proxy, _, seen):
        started = time.monotonic()
        with pytest.raises(fetch_module.FetchError, match="within 1 s"):
            fetch_module.Fetcher(timeout=1.0, environ={"http_proxy": proxy}).get("http://tides.example.org/slow")
        assert time.monotonic() - started < 2.5 and len(seen) == 1


def test_a_body_over_the_size_cap_is_refused_through_the_proxy(loopback):
    with proxied({"/big": send(b"x" * (2**20 + 10))}) as (proxy, _, seen):
        with pytest.raises(fetch_module.FetchError, match="larger than 1 MB"):
            fetch_module.Fetcher(timeout=3.0, max_bytes=2**20, environ={"http_proxy": proxy}).get(
                "http://tides.example.org/big")
        assert len(seen) == 1


def test_a_socks_or_absent_proxy_is_a_clear_error(loopback):
    with pytest.raises(fetch_module.FetchError, match="only http and https proxies"):
        fetch_module.Fetcher(environ={"all_proxy": "socks5h://127.0.0.1:1080"}).get("http://a.example.org/")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    with pytest.raises(fetch_module.FetchError, match="the proxy did not carry the request.*https_proxy"):
        fetch_module.Fetcher(timeout=2.0, environ={"https_proxy": f"127.0.0.1:{port}"}).get("https://a.example.org/")
