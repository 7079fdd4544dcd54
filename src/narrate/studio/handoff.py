"""``narrate build`` handed to a running studio (issue 31): a fresh process pays for its imports
and for loading the voice before it does any work; a studio that is already running has both.

The studio, bound to loopback, writes ``.narrate/studio.json`` (its pid, port and same-origin
token; readable by its owner only) while it serves. The command line reads it, checks the pid is
alive, and posts the build's options to ``/api/cli/build`` on 127.0.0.1 with the token (a request
that changes anything needs it, as the studio's own pages do). The studio answers with the build's
events, one JSON object a line, which ``replay`` turns back into the reporter calls and the report
a local build would have given; a busy studio runs it after its own build (saying so first). No
studio, a stale file, a refusing studio: the command line builds itself. This module is the
client's whole import path: the standard library and
``narrate.errors``/``narrate.artifacts``/``narrate.engine.results``, never the engine's build
(``studio/delegate.py`` is the server's side).
"""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from narrate import errors
from narrate.artifacts import atomic_path
from narrate.engine.results import BuildReport as Report
from narrate.engine.results import PublicationResult as Result
from narrate.errors import NarrateError

DISCOVERY = "studio.json"  # in the project's .narrate/
ROUTE = "/api/cli/build"
# what a build reads from its environment: a studio started with other values would build other bytes
ENV = ("SOURCE_DATE_EPOCH", "RAY_ADDRESS", "NARRATE_FFMPEG_TIMEOUT", "NARRATE_LOCK_WAIT")
CONNECT_S = 5.0


def discovery_file(root: Path) -> Path:
    return root / ".narrate" / DISCOVERY


def announce(root: Path, port: int, token: str) -> None:
    """Say, for ``narrate build``, that this process's studio serves ``root`` on 127.0.0.1:``port``."""
    data = {"pid": os.getpid(), "port": port, "token": token}
    with atomic_path(discovery_file(root), mode=0o600) as tmp:  # the token: its owner's only
        tmp.write_text(json.dumps(data) + "\n", encoding="utf-8")


def withdraw(root: Path, port: int) -> None:
    """Remove the discovery file if it is still this process's studio's."""
    path = discovery_file(root)
    data = _read(path) or {}
    if data.get("pid") == os.getpid() and data.get("port") == port:
        path.unlink(missing_ok=True)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's: its token file would not be readable either
        return True
    return True


@dataclass
class Handed:
    """The studio's answer: its events, or why this process builds itself."""

    reason: str = ""  # why not the studio (empty: the studio builds)
    url: str = ""
    pid: int = 0
    events: Iterator[dict[str, Any]] | None = None


def ask(root: Path, options: dict[str, Any]) -> Handed:
    """Hand the build of ``root`` with ``options`` (formats, only, voice, jobs, fail_fast, strict,
    output) to the studio serving it; ``Handed.reason`` says why not when it cannot."""
    found = _read(discovery_file(root))
    if found is None:
        return Handed("no studio running for this project")
    try:
        pid, port, token = int(found["pid"]), int(found["port"]), str(found["token"])
    except (KeyError, TypeError, ValueError):
        return Handed(f"{discovery_file(root)} is not a studio's")
    if not _alive(pid):
        return Handed(f"the studio that wrote {discovery_file(root)} is no longer running")
    body = {**options, "env": {name: os.environ.get(name) for name in ENV}}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CONNECT_S)
    try:
        connection.request("POST", ROUTE, body=json.dumps(body).encode(),
                           headers={"Content-Type": "application/json", "X-Studio-CSRF": token})
        response = connection.getresponse()
    except OSError:
        connection.close()
        return Handed(f"the studio that wrote {discovery_file(root)} does not answer")
    if response.status != 200:
        reason = _refusal(response)
        connection.close()
        return Handed(reason)
    if connection.sock is not None:
        connection.sock.settimeout(None)  # a build takes as long as it takes
    return Handed("", f"http://127.0.0.1:{port}/", pid, _lines(connection, response))


def _refusal(response: http.client.HTTPResponse) -> str:
    text = response.read().decode("utf-8", "replace")
    try:
        return str(json.loads(text)["refused"])
    except (ValueError, KeyError, TypeError):
        return f"the studio refused the build ({response.status} {text.strip()[:120]})"


def _lines(connection: http.client.HTTPConnection, response: http.client.HTTPResponse) -> Iterator[dict[str, Any]]:
    try:
        for line in response:
            if line.strip():
                yield json.loads(line)
    finally:
        connection.close()


class Reporter(Protocol):
    def warning(self, message: str) -> None: ...
    def started(self, slug: str, title: str) -> None: ...
    def progress(self, slug: str, done: int, total: int, audio_ms: int) -> None: ...
    def finished(self, result: Any) -> None: ...


class Broken(Exception):
    """The studio's answer ended before its build did (the studio stopped)."""


def replay(events: Iterator[dict[str, Any]], reporter: Reporter) -> Report:
    """The studio's events as a local build's reporter calls; its report, or its error raised."""
    try:
        for event in events:
            kind = event.get("event")
            if kind == "warning":
                reporter.warning(str(event["message"]))
            elif kind == "started":
                reporter.started(str(event["slug"]), str(event["title"]))
            elif kind == "progress":
                reporter.progress(str(event["slug"]), int(event["done"]), int(event["total"]),
                                  int(event["audio_ms"]))
            elif kind == "finished":
                reporter.finished(result_of(event["result"]))
            elif kind == "report":
                return Report(Path(event["output"]), [result_of(r) for r in event["results"]],
                              list(event["warnings"]), float(event["seconds"]))
            elif kind == "error":
                raise error_of(event["error"])
    except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError) as exc:
        raise Broken(str(exc)) from exc
    raise Broken("the studio's answer ended before its build did")


def error_data(exc: NarrateError) -> dict[str, Any]:
    return {"type": type(exc).__name__, "message": exc.message, "path": exc.path, "line": exc.line,
            "exit_code": exc.exit_code}


def error_of(data: dict[str, Any]) -> NarrateError:
    """The studio's error as a local build would have raised it: its class's name, text and exit code."""
    name = str(data.get("type") or "NarrateError")
    known = getattr(errors, name, None)
    if not (isinstance(known, type) and issubclass(known, NarrateError)):
        known = type(name, (NarrateError,), {"exit_code": int(data.get("exit_code") or 1)})
    error = known.__new__(known)
    NarrateError.__init__(error, str(data.get("message", "")), data.get("path"), data.get("line"))
    error.exit_code = int(data.get("exit_code") or known.exit_code)
    return error


def result_data(result: Any) -> dict[str, Any]:
    return {"slug": result.slug, "title": result.title, "source": result.source, "built": list(result.built),
            "reused": list(result.reused), "warnings": list(result.warnings), "seconds": result.seconds,
            "error": error_data(result.error) if result.error is not None else None}


def result_of(data: dict[str, Any]) -> Result:
    error = data.get("error")
    return Result(str(data["slug"]), str(data.get("title", "")), str(data.get("source", "")),
                  list(data.get("built", [])), list(data.get("reused", [])),
                  error_of(error) if isinstance(error, dict) else None, list(data.get("warnings", [])),
                  float(data.get("seconds", 0.0)))
