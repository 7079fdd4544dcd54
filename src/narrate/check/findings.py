"""What a check finds, and the publication being checked: shared by check.py and its checkers."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class Finding:
    slug: str  # "" for the project as a whole
    path: str  # the artifact's path relative to the output folder ("manifest.json" for the manifest)
    check: str  # e.g. "sha256", "epubcheck", "pdf-outline", "audio-chapters", "loudness", "acx"
    level: str  # "error" | "warning" | "info"
    message: str


@dataclass
class CheckReport:
    output: str
    findings: list[Finding] = field(default_factory=list)
    publications: int = 0
    artifacts: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]


@dataclass
class Publication:
    """One manifest entry being checked, and what its checks learn for each other."""

    slug: str
    title: str
    language: str
    root: Path
    output: Path
    artifacts: dict[str, dict[str, Any]]
    findings: list[Finding]
    chapter_titles: list[str] | None = None  # from the chapters JSON
    chapter_starts: list[float] | None = None
    nav_titles: list[str] | None = None  # from the EPUB's navigation document
    epubchecks: dict[Path, Future] = field(default_factory=dict)  # EPUBCheck runs started in the background

    def add(self, art: dict[str, Any], check: str, level: str, message: str) -> None:
        self.findings.append(Finding(self.slug, str(art.get("path", "")), check, level, message))

    def duration(self, art: dict[str, Any]) -> float | None:
        """The artifact's manifest duration, else the audio editions' one."""
        for entry in (art, self.artifacts.get("mp3", {}), self.artifacts.get("m4b", {})):
            value = entry.get("duration_s")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        return None


Checker = Callable[[Publication, dict[str, Any], Path], None]
