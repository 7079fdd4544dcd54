"""What a build gives back: each publication's result and the build's report.

Light on purpose (the standard library and ``narrate.errors``): the command line's hand-off to a
running studio (``studio/handoff``) rebuilds these from the studio's answer without importing the
engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrate.errors import NarrateError


@dataclass
class PublicationResult:
    slug: str
    title: str
    source: str
    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    error: NarrateError | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    entry: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BuildReport:
    output: Path
    results: list[PublicationResult]
    warnings: list[str]
    seconds: float

    @property
    def failed(self) -> list[PublicationResult]:
        return [r for r in self.results if not r.ok]
