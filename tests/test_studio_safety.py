"""The studio keeps to the editor: loopback Host only, a token away from loopback, no request
from another origin changes anything, and files come only from output/ (issue 31)."""

from __future__ import annotations

import asyncio
import os
import re

import pytest
from conftest import copy_built
from studio_helpers import no_network, request, serve  # noqa: F401 - no_network: a fixture

from narrate.studio.app import Settings, create_app
from narrate.studio.session import Studio


@pytest.fixture(scope="module")
def project(tmp_path_factory, studio_built):
    return copy_built(studio_built, tmp_path_factory.mktemp("studio-safety"))


@pytest.fixture(scope="module")
def server(project):
    served, port = serve(project, watch=False)
    yield port
    served.stop()


def call(app, path: str, headers: dict[str, str], query: str = "") -> tuple[int, dict[str, str]]:
    """One GET through the ASGI app itself (no socket)."""
    sent: list[dict] = []
    asked: list[int] = []

    async def receive() -> dict:
        asked.append(1)
        if len(asked) > 1:  # the client stays until the response is sent
            await asyncio.sleep(3600)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("192.0.2.7", 50000), "server": ("192.0.2.1", 8000)}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start.get("headers", [])}


def test_away_from_loopback_every_request_needs_the_token(project):
    app = create_app(Studio(project, voice="fake"), Settings(host="0.0.0.0", token="s3cret-token"))
    host = {"host": "192.0.2.1:8000"}
    for path in ("/", "/pub/tides", "/files/tides/tides.mp3", "/static/studio.js"):
        assert call(app, path, host)[0] == 401, path
        assert call(app, path, host, "token=wrong")[0] == 401, path
    status, headers = call(app, "/", host, "token=s3cret-token")
    assert status == 200 and "HttpOnly" in headers["set-cookie"] and "SameSite=Strict" in headers["set-cookie"]
    assert call(app, "/files/tides/tides.mp3", host | {"cookie": "narrate_studio=s3cret-token"})[0] == 200
    assert call(app, "/", host | {"x-studio-token": "s3cret-token"})[0] == 200


def test_on_loopback_another_host_name_is_refused(project):
    app = create_app(Studio(project, voice="fake"), Settings())
    assert call(app, "/", {"host": "127.0.0.1:8000"})[0] == 200
    assert call(app, "/", {"host": "localhost:8000"})[0] == 200
    assert call(app, "/", {"host": "evil.example:8000"})[0] == 403  # DNS rebinding


@pytest.mark.parametrize("path", [
    "/files/../narrate.toml", "/files/%2e%2e/narrate.toml", "/files/..%2fnarrate.toml", "/files/%2E%2E%2Fnarrate.toml",
    "/files/%252e%252e/narrate.toml", "/files/tides/../../narrate.toml", "/files/tides/%2e%2e/%2e%2e/narrate.toml",
    "/files/..%5cnarrate.toml", "/files//etc/passwd", "/files/%2fetc%2fpasswd", "/files/escape.toml",
    "/files/outside/narrate.toml", "/files/.staging/x", "/static/..%2f..%2fnarrate.toml",
])
def test_files_come_only_from_output(project, server, path):
    (project / "output" / "escape.toml").unlink(missing_ok=True)
    os.symlink(project / "narrate.toml", project / "output" / "escape.toml")
    if not (project / "output" / "outside").exists():
        os.symlink(project, project / "output" / "outside")
    status, body = request(server, "GET", path)
    assert status in (400, 403, 404), (path, status)
    assert b"formats" not in body and b"root:" not in body


def test_an_edition_and_a_clip_are_served(project, server):
    status, body = request(server, "GET", "/files/tides/tides.mp3")
    assert status == 200 and len(body) > 1000


def test_a_cross_origin_post_is_refused(project, server):
    page = request(server, "GET", "/pub/tides")[1].decode()
    csrf = re.search(r'name="studio-csrf" content="([^"]+)"', page).group(1)
    body = {"chapter": "c2", "segment": "c2-b1-s1", "word": "", "kind": "alias", "value": ""}
    own = f"http://127.0.0.1:{server}"
    assert request(server, "POST", "/api/pub/tides/hear", body, {"Origin": "http://evil.example"})[0] == 403
    assert request(server, "POST", "/api/pub/tides/hear", body,
                   {"Origin": "http://evil.example", "X-Studio-CSRF": csrf})[0] == 403
    assert request(server, "POST", "/api/pub/tides/hear", body, {"Origin": own})[0] == 403  # no page token
    assert request(server, "POST", "/api/pub/tides/lexicon", {"word": "x", "kind": "alias", "value": "y"})[0] == 403
    assert "\"x\"" not in (project / "voices" / "lexicon.toml").read_text(encoding="utf-8")
    status, reply = request(server, "POST", "/api/pub/tides/hear", body, {"Origin": own, "X-Studio-CSRF": csrf})
    assert status == 200, reply


def test_a_broken_narrate_toml_is_said_on_the_page_not_a_crash(tmp_path):
    root = tmp_path / "p"
    (root / "content").mkdir(parents=True)
    (root / "narrate.toml").write_text("[defaults\n", encoding="utf-8")
    app = create_app(Studio(root), Settings())
    assert call(app, "/", {"host": "127.0.0.1:8000"})[0] == 200
