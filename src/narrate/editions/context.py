"""What every edition maker is given (``PublicationContext``) and returns (``Made``).

A layer below the makers (editions.py, narration.py, readalong.py), so they share these
types without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrate import model as m
from narrate.artifacts import atomic_write
from narrate.errors import OutputError
from narrate.sources.config import Config
from narrate.writers.cover import cover_bytes

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
    page_list: bool = False  # the EPUBs carry the print PDF's page-list (see ``page_list``)
    formats: tuple[str, ...] = ()  # the formats this build makes (the narration pre-encodes for them)
    _print_pages: dict[str, int] | None = None
    prepared: Any = None  # (voice profile, script[, engine]) the cluster path worked out (``editions/on_cluster``)
    warnings: list[str] = field(default_factory=list)
    cleanups: list[Callable[[], None]] = field(default_factory=list)  # run when the publication is done

    def path(self, suffix: str) -> Path:
        return self.out_dir / f"{self.doc.meta.slug}{suffix}"

    def cover(self) -> tuple[bytes, str]:
        if self._cover is None:
            self._cover = cover_bytes(self.doc.meta, self.root)
        return self._cover

    def print_pages(self) -> dict[str, int]:
        """Block id → the print PDF's page it starts on (the EPUB's page-list); laid out once,
        not written. {} when the PDF cannot lay the content out (the PDF build reports it)."""
        if not self.page_list:
            return {}
        if self._print_pages is None:
            from narrate.writers.pdf import print_pages  # WeasyPrint: only when an EPUB asks

            try:
                self._print_pages = print_pages(self.doc, self.root, page_size=self.config.pdf.page_size)
            except OutputError:
                self._print_pages = {}
        return self._print_pages


def page_list(formats: tuple[str, ...]) -> bool:
    """EPUBs get a page-list mapped to the print PDF's pages when that PDF is built with them:
    readers of both can meet on a page. Without it there is no print edition to match, and
    laying one out only for its page numbers would cost an EPUB-only build a PDF layout."""
    return "pdf" in formats


def make_cover(ctx: PublicationContext) -> Made:
    data, ext = ctx.cover()
    target = ctx.path(f".cover.{ext}")
    atomic_write(target, data)
    return [("cover", target, {})]
