"""What every edition maker is given (``PublicationContext``) and returns (``Made``).

A layer below the makers (editions.py, narration.py, readalong.py), so they share these
types without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import model as m
from .artifacts import atomic_write
from .config import Config
from .cover import cover_bytes

# An edition maker returns [(format, path, extra manifest fields)].
Made = list[tuple[str, Path, dict[str, Any]]]


@dataclass
class PublicationContext:
    doc: m.Document
    root: Path
    out_dir: Path  # output/<slug>/
    config: Config
    voice: str
    cache_dir: Path
    jobs: int = 1
    progress: Callable[[int, int, int], None] | None = None  # done, total, audio ms
    _cover: tuple[bytes, str] | None = None
    _narration: Any = None
    warnings: list[str] = field(default_factory=list)
    cleanups: list[Callable[[], None]] = field(default_factory=list)  # run when the publication is done

    def path(self, suffix: str) -> Path:
        return self.out_dir / f"{self.doc.meta.slug}{suffix}"

    def cover(self) -> tuple[bytes, str]:
        if self._cover is None:
            self._cover = cover_bytes(self.doc.meta, self.root)
        return self._cover


def make_cover(ctx: PublicationContext) -> Made:
    data, ext = ctx.cover()
    target = ctx.path(f".cover.{ext}")
    atomic_write(target, data)
    return [("cover", target, {})]
