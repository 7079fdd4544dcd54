"""A batch's text editions (cover, EPUB, PDF, large print) on a Ray cluster (``--executor ray``).

Each publication whose text editions must be made again becomes one task (``make_text``) on a
node: it is given the parsed ``Document``, the project's settings and the files those editions
read (the sources, images, the cover and images' large-print renditions: what their keys hash,
``engine/fingerprints``), makes the editions in a scratch folder of its own with the makers a
local build runs, and sends back each finished file's bytes and the warnings. The machine
running ``narrate build`` then writes them into the publication's staging folder
(``write_made``) instead of making them; nothing else about the build changes, so the files are
the local build's, byte for byte.

A task is a pure function of its job: a node lost mid-task, Ray runs it again elsewhere. A task
that failed (a NarrateError on the node, or retries spent) sends nothing back: the publication's
own build then makes those editions here, and meets and reports the error as a local build would.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrate import model as m
from narrate.artifacts import atomic_write
from narrate.editions.context import Made, PublicationContext
from narrate.editions.makers import MAKERS
from narrate.errors import NarrateError
from narrate.sources.config import Config

TEXT_MAKERS = ("cover", "epub", "pdf", "pdf-large")  # made from the Document alone (no narration)

# what a node sends back per maker: (format, file name, bytes, extra manifest fields)
Finished = list[tuple[str, str, bytes, dict[str, Any]]]


@dataclass(frozen=True)
class TextJob:
    doc: m.Document
    config: Config
    makers: tuple[str, ...]  # those of ``TEXT_MAKERS`` to make, in the build's order
    formats: tuple[str, ...]  # every maker of the build (an EPUB's page-list depends on them)
    page_list: bool
    files: dict[str, bytes]  # project-relative path → bytes: what the editions read


@dataclass
class TextResult:
    made: dict[str, Finished]  # maker → its files
    warnings: dict[str, list[str]]  # maker → what it warned about


def read_files(root: Path, doc: m.Document) -> dict[str, bytes]:
    """The project files ``doc``'s text editions read: its sources, images and cover, and each
    image's large-print rendition (``chart.large.png``) where there is one."""
    names = list(doc.source_files) + sorted({src for src, _ in m.images(doc)} | ({doc.meta.cover} - {""}))
    for rel in list(names[len(doc.source_files):]):
        if Path(rel).suffix:
            names.append(Path(rel).with_name(f"{Path(rel).stem}.large{Path(rel).suffix}").as_posix())
    base = root.resolve()
    files = {}
    for rel in dict.fromkeys(names):
        path = (root / rel).resolve()
        if path.is_relative_to(base) and path.is_file():
            files[rel] = path.read_bytes()
    return files


def make_text(job: TextJob) -> TextResult | tuple[str, str, str | None]:
    """On a node: ``job``'s editions made in a scratch project of its own; a NarrateError comes back
    as (class name, message, path)."""
    try:
        with tempfile.TemporaryDirectory(prefix="narrate-text-") as scratch:
            root = Path(scratch) / "project"
            for rel, data in job.files.items():
                atomic_write(root / rel, data, fsync=False)
            ctx = PublicationContext(job.doc, root, Path(scratch) / "out", job.config, "", Path(scratch) / "cache",
                                     page_list=job.page_list, formats=job.formats)
            made, warnings = {}, {}
            for maker in job.makers:
                made[maker] = [(fmt, path.name, path.read_bytes(), extra)
                               for fmt, path, extra in MAKERS[maker][0](ctx)]
                warnings[maker], ctx.warnings = ctx.warnings, []
            return TextResult(made, warnings)
    except NarrateError as exc:
        return type(exc).__name__, exc.message, str(exc.path) if exc.path else None


def write_made(ctx: PublicationContext, finished: Finished) -> Made:
    """A maker's files sent back from a node, written (atomically) where the maker would have written them."""
    made: Made = []
    for fmt, name, data, extra in finished:
        target = ctx.out_dir / name
        atomic_write(target, data, fsync=False)
        made.append((fmt, target, extra))
    return made


def text_tasks(executor: Any, root: Path, config: Config, wanted: Sequence[tuple[m.Document, tuple[str, ...]]],
               formats: tuple[str, ...], page_list: bool) -> tuple[Any, dict[str, TextResult]]:
    """Each (document, makers) of ``wanted`` as a task for ``executor``'s cluster (``audio.cluster.Tasks``,
    run with the chapters, or alone when there are none), and the slug → what came back it fills, for the
    tasks that finished without an error. A job's files are read when it is sent, so a large batch's
    images are never all in memory at once."""
    results: dict[str, TextResult] = {}

    def arguments(index: int) -> tuple[TextJob]:
        doc, makers = wanted[index]
        return (TextJob(doc, config, makers, formats, page_list, read_files(root, doc)),)

    def collect(index: int, result: Any) -> None:
        if isinstance(result, TextResult):
            results[wanted[index][0].meta.slug] = result

    return executor.remote_tasks(make_text, len(wanted), arguments, collect,
                                 lambda i: wanted[i][0].source_files[0] if wanted[i][0].source_files else None), results
