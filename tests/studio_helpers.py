"""A small project (the fake voice, MP3 only) and a studio serving it on 127.0.0.1 (tests/test_studio*.py)."""

from __future__ import annotations

import http.client
import json
import socket
import textwrap
from pathlib import Path

import pytest
from test_proof import ARTICLE, make

from narrate.engine.run import BuildOptions, build
from narrate.studio.server import Served, make_server, start_in_thread

LEXICON = """\
# The house lexicon: names our voice gets wrong.
# Keep it sorted by hand.

[aliases]
"Zyzzogeton" = "zizzo geton"  # the wrong-ish spelling is on purpose
"""
SECOND = """
---
title: Harbour Notes
author: Ann Lee
---

The harbour was quiet. Boats rested at the quay.
"""


LOOPBACK = ("127.0.0.1", "localhost", "::1")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """conftest's guard, with one opening: the studio under test on 127.0.0.1 (the house rule:
    anything listening binds 127.0.0.1 and talks only to it). Any other address still fails."""
    real_connect, real_lookup = socket.socket.connect, socket.getaddrinfo

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:
            raise OSError("network access is blocked in tests")
        return real_connect(self, address)

    def lookup(host, *args, **kwargs):
        if host not in LOOPBACK:
            raise OSError("network access is blocked in tests")
        return real_lookup(host, *args, **kwargs)

    def create(address, *args, **kwargs):
        if address[0] not in LOOPBACK:
            raise OSError("network access is blocked in tests")
        return socket_create(address, *args, **kwargs)

    socket_create = socket.create_connection
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(socket, "create_connection", create)


def studio_project(base: Path) -> Path:
    """Two articles, the fake voice with a commented TOML lexicon, MP3 only; built once."""
    root = make(base, formats=None)
    (root / "voices" / "lexicon.toml").write_text(LEXICON, encoding="utf-8")
    (root / "content" / "harbour.md").write_text(textwrap.dedent(SECOND).lstrip("\n"), encoding="utf-8")
    (root / "narrate.toml").write_text('[defaults]\nformats = ["mp3"]\nvoice = "fake"\n', encoding="utf-8")
    report = build(root, BuildOptions(voice="fake", jobs=1))
    assert not report.failed, [str(r.error) for r in report.failed]
    assert "Zyzzogeton" in ARTICLE
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(root: Path, *, watch: bool = True) -> tuple[Served, int]:
    port = free_port()
    return start_in_thread(make_server(root, port=port, voice="fake", watch=watch)), port


def request(port: int, method: str, path: str, body: dict | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """A raw HTTP request to the studio (the path is sent as written: no normalization)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    data = json.dumps(body).encode() if body is not None else None
    connection.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
    response = connection.getresponse()
    return response.status, response.read()
