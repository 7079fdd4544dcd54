"""Saved sources rebuild: ``watchfiles`` reports changes under content/, voices/ and
narrate.toml (never output/ or .narrate/, which builds write), a batch at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

from watchfiles import awatch

from narrate.artifacts import is_temp_name
from narrate.studio.session import Studio

WATCHED = ("content", "voices")
DEBOUNCE_MS = 50  # an editor's save is one batch; watchfiles' default (1.6 s) would cost edit-to-ear


def watched(root: Path) -> Callable[[object, str], bool]:
    """The filter: sources, voices and narrate.toml, not temporary or hidden files."""
    root = root.resolve()

    def keep(change: object, path: str) -> bool:
        try:
            rel = Path(path).resolve().relative_to(root)
        except ValueError:
            return False
        parts = rel.parts
        if not parts or any(p.startswith(".") for p in parts) or is_temp_name(parts[-1]):
            return False
        return parts[0] in WATCHED or rel.as_posix() == "narrate.toml"

    return keep


async def watch_project(studio: Studio, work: Executor, stop: asyncio.Event | None = None) -> None:
    """Until cancelled (or ``stop`` is set): each batch of saved files goes to ``studio.changed``
    on the studio's work thread, after any build already running there."""
    async for changes in awatch(studio.root, watch_filter=watched(studio.root), debounce=DEBOUNCE_MS, step=25,
                                stop_event=stop, recursive=True):
        paths = sorted({Path(path) for _, path in changes})
        work.submit(studio.changed, paths)
