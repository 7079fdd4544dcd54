"""The studio's side of a ``narrate build`` handed over by the command line (``studio/handoff.py``
is the client): the options it can honour, the build under the studio's lock and the project
lock, and its events for the command line (and for the studio's own pages)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from narrate.engine.run import BuildOptions, build, default_jobs
from narrate.errors import NarrateError
from narrate.studio.handoff import ENV, error_data, result_data
from narrate.studio.session import Studio, _Reporter

Emit = Callable[[dict[str, Any]], None]


def refusal(studio: Studio, body: dict[str, Any]) -> str:
    """Why this studio cannot make the build asked for exactly as the command line would (empty: it can)."""
    wanted = str(body.get("output") or "")
    if not wanted or Path(wanted).resolve() != studio.output:
        return f"the studio writes to {studio.output}, not {wanted or 'the folder asked for'}"
    env = body.get("env")
    if not isinstance(env, dict):
        return "the request names no environment"
    differ = [name for name in ENV if env.get(name) != os.environ.get(name)]
    if differ:
        return f"the studio runs with another {', '.join(differ)}"
    return ""


def options_of(studio: Studio, body: dict[str, Any]) -> BuildOptions:
    formats = tuple(str(f) for f in body.get("formats") or ()) or None
    return BuildOptions(formats=formats, only=tuple(str(s) for s in body.get("only") or ()), output=studio.output,
                        voice=str(body.get("voice") or ""), jobs=int(body.get("jobs") or 0) or default_jobs(),
                        fail_fast=bool(body.get("fail_fast")), strict=bool(body.get("strict")))


WAITING = "the studio is building; this build runs when that one finishes"


def take_turn(studio: Studio, emit: Emit, gone: threading.Event) -> bool:
    """Hold ``studio.building`` for a handed build, after the build the studio is making (saying
    so to the command line); False, holding nothing, if the command line left meanwhile."""
    if not studio.building.acquire(blocking=False):
        emit({"event": "warning", "message": WAITING})
        while not studio.building.acquire(timeout=0.5):
            if gone.is_set():
                return False
    if gone.is_set():
        studio.building.release()
        return False
    return True


def run(studio: Studio, body: dict[str, Any], emit: Emit) -> None:
    """Build as the command line asked (the caller holds ``studio.building``); every event to ``emit``."""
    options = options_of(studio, body)
    studio.publish({"type": "build", "state": "started", "slugs": list(options.only)})
    try:
        report = build(studio.root, options, _Forward(emit, _Reporter(studio.publish)))
    except NarrateError as exc:
        studio.publish({"type": "build", "state": "failed", "message": str(exc)})
        emit({"event": "error", "error": error_data(exc)})
        return
    for result in report.results:
        studio.results[result.slug] = result
    studio.publish({"type": "build", "state": "finished", "seconds": round(report.seconds, 1),
                    "failed": [str(r.error) for r in report.failed]})
    emit({"event": "report", "output": str(report.output), "results": [result_data(r) for r in report.results],
          "warnings": list(report.warnings), "seconds": report.seconds})


class _Forward:
    """A build's reporter calls, as events for the command line and for the studio's pages."""

    def __init__(self, emit: Emit, pages: _Reporter):
        self.emit = emit
        self.pages = pages

    def warning(self, message: str) -> None:
        self.pages.warning(message)
        self.emit({"event": "warning", "message": message})

    def started(self, slug: str, title: str) -> None:
        self.pages.started(slug, title)
        self.emit({"event": "started", "slug": slug, "title": title})

    def progress(self, slug: str, done: int, total: int, audio_ms: int) -> None:
        self.pages.progress(slug, done, total, audio_ms)
        self.emit({"event": "progress", "slug": slug, "done": done, "total": total, "audio_ms": audio_ms})

    def finished(self, result: Any) -> None:
        self.pages.finished(result)
        self.emit({"event": "finished", "result": result_data(result)})
