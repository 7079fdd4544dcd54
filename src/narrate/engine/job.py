"""What a build is asked for and what each publication's build is given: the options, the
reporter the command line listens through, a publication's job (its keys, its previous entries,
what a cluster made of it), and whether an edition of a previous build can be kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from narrate import model as m
from narrate.engine.results import PublicationResult
from narrate.errors import ConfigError
from narrate.sources.config import ALL_FORMATS, Config

NARRATED = ("mp3", "m4b", "epub-readaloud")
STAGING = ".staging"  # output/.staging/<slug>/: new editions wait here until the publication is done


class Reporter(Protocol):
    def warning(self, message: str) -> None: ...
    def started(self, slug: str, title: str) -> None: ...
    def progress(self, slug: str, done: int, total: int, audio_ms: int) -> None: ...
    def finished(self, result: PublicationResult) -> None: ...


class SilentReporter:
    def warning(self, message: str) -> None:
        pass

    def started(self, slug: str, title: str) -> None:
        pass

    def progress(self, slug: str, done: int, total: int, audio_ms: int) -> None:
        pass

    def finished(self, result: PublicationResult) -> None:
        pass


@dataclass(frozen=True)
class BuildOptions:
    formats: tuple[str, ...] | None = None
    only: tuple[str, ...] = ()
    output: Path | None = None
    voice: str = ""
    jobs: int = 1
    executor: str = ""  # local | ray; empty: narrate.toml [build] executor
    ray_address: str = ""  # empty: RAY_ADDRESS, then [build] ray_address, else a local Ray
    fail_fast: bool = False
    strict: bool = False


def resolve_formats(requested: tuple[str, ...]) -> tuple[str, ...]:
    for fmt in requested:
        if fmt not in ALL_FORMATS:
            raise ConfigError(f"unknown format {fmt!r}; expected one of {', '.join(ALL_FORMATS)}")
    ordered = [f for f in ALL_FORMATS if f in requested]
    makers = ["cover"] + ordered
    if any(f in NARRATED for f in ordered):
        makers.insert(makers.index(next(f for f in ordered if f in NARRATED)), "transcript")
    return tuple(makers)


@dataclass(frozen=True)
class Job:
    root: Path
    output: Path
    doc: m.Document
    makers: tuple[str, ...]
    keys: dict[str, str]
    previous: dict[str, Any] | None
    config: Config
    voice: str
    cache_dir: Path
    premade: Any = None  # a ``TextResult``: text editions a cluster made (``editions/text_tasks``)
    jobs: int = 1  # workers its narration may use (a build of one publication: the build's own)
    prepared: Any = None  # (voice profile, script) the cluster path worked out (``editions/on_cluster``)


def reusable(output: Path, previous: dict[str, Any], formats: tuple[str, ...], key: str) -> list[dict[str, Any]] | None:
    """The previous entries of ``formats`` when each was made under ``key`` and its file is there, whole."""
    entries = []
    for fmt in formats:
        entry = previous.get(fmt)
        if not entry or entry.get("key") != key:
            return None
        path = output / str(entry.get("path", ""))
        if not path.is_file() or path.stat().st_size != entry.get("bytes"):
            return None
        entries.append(entry)
    return entries
