"""narrate's user-facing errors.

Our exception hierarchy::

    NarrateError                 exit code 1 (generic)
    ├── ConfigError              exit code 2  narrate.toml, book.toml, voice profiles
    ├── SourceError              exit code 3  Markdown, front matter, assets
    ├── SpeechError              exit code 4  voices, engines, lexicons
    ├── AudioError               exit code 5  ffmpeg, encoding, tagging
    ├── OutputError              exit code 6  writing editions, disk full
    ├── PublishError             exit code 7  bundles, feeds, subscribers
    └── ClusterError             exit code 9  the Ray cluster's head lost mid-build

Every error reads ``path:line: what was expected, what was found`` where a
path (and line) is known. The CLI maps each class to its exit code; a build in
which some publications failed exits with 8 (``BUILD_FAILED``). Anything that
is not a ``NarrateError`` is a bug in narrate.
"""

from __future__ import annotations

from pathlib import Path

BUILD_FAILED = 8
INTERRUPTED = 130


class NarrateError(Exception):
    """Base class of every error narrate reports to a user."""

    exit_code = 1
    category = "error"

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class ConfigError(NarrateError):
    exit_code = 2
    category = "configuration error"


class SourceError(NarrateError):
    exit_code = 3
    category = "source error"


class SpeechError(NarrateError):
    exit_code = 4
    category = "speech error"


class AudioError(NarrateError):
    exit_code = 5
    category = "audio error"


class OutputError(NarrateError):
    exit_code = 6
    category = "output error"


class PublishError(NarrateError):
    exit_code = 7
    category = "publish error"


class ClusterError(NarrateError):
    """The cluster a build ran on went away under it (its Ray head stopped answering)."""

    exit_code = 9
    category = "cluster error"


EXIT_CODES = {
    cls.__name__: cls.exit_code
    for cls in (NarrateError, ConfigError, SourceError, SpeechError, AudioError, OutputError, PublishError,
                ClusterError)
}
