"""The project lock: one ``build``, ``clean``, ``package`` or ``import`` at a time per project
(``.narrate/lock``, an OS file lock the OS drops when its holder exits, even when killed)."""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from narrate.errors import ConfigError, NarrateError, OutputError
from narrate.sources.project import project_root

LOCK_NAME = "lock"  # .narrate/lock: one build, clean or package at a time per project
LOCK_WAIT_S = 10.0  # how long a second command waits (NARRATE_LOCK_WAIT overrides) before refusing


def lock_wait() -> float:
    """``$NARRATE_LOCK_WAIT`` in seconds (default ``LOCK_WAIT_S``): a finite number, zero or more.

    A negative or infinite wait would make ``filelock`` wait forever, and NaN compares false with
    everything: each is refused, naming the variable, rather than hanging a command.
    """
    value = os.environ.get("NARRATE_LOCK_WAIT")
    if value is None:
        return LOCK_WAIT_S
    try:
        wait = float(value)
    except ValueError:
        wait = math.nan
    if not math.isfinite(wait) or wait < 0:
        raise ConfigError(f"NARRATE_LOCK_WAIT: expected a number of seconds, 0 or more, found {value!r}")
    return wait


@contextlib.contextmanager
def project_lock(root: Path | str, command: str, notify: Callable[[str], None],
                 wait: float | None = None) -> Iterator[None]:
    """Hold the project's lock (``.narrate/lock``, an OS file lock via ``filelock``) while
    ``command`` runs. A second build, clean or package on the same project waits up to
    ``wait`` seconds (default ``LOCK_WAIT_S``, or ``$NARRATE_LOCK_WAIT``), saying so through
    ``notify``, then refuses with a ``NarrateError``. The OS drops the lock when its holder
    exits, even when killed, so a stale lock never blocks anything.
    """
    from filelock import FileLock, Timeout

    path = project_root(root) / ".narrate" / LOCK_NAME  # a folder, or one Markdown file's project
    if wait is None:
        wait = lock_wait()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(path)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            notify(f"another narrate command (build, clean, package or import) is working on this project; "
                   f"waiting up to {wait:g} s for it to finish")
            try:
                lock.acquire(timeout=wait)
            except Timeout:
                raise NarrateError(f"another narrate command (build, clean, package or import) is still working "
                                   f"on this project after {wait:g} s; let it finish, then run `narrate {command}` "
                                   "again",
                                   path.parent.parent) from None
    except OSError as exc:
        raise OutputError(f"cannot take the project lock: {exc.strerror or exc}", path) from exc
    try:
        yield
    finally:
        lock.release()
