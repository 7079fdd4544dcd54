"""One function per edition: turn a Document into files in a work folder.

``build.py`` decides *whether* an edition must be made (its key changed);
the functions here only *make* it. Narrated editions share one rendering of
the audio per publication, made lazily by ``Narration``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from narrate.artifacts import atomic_write
from narrate.editions.context import Made, PublicationContext, make_cover

__all__ = ["MAKERS", "Made", "PublicationContext", "make_cover"]


def make_epub(ctx: PublicationContext) -> Made:
    from narrate.writers.epub import EpubOptions, write_epub

    target = ctx.path(".epub")
    options = EpubOptions(cover=ctx.cover(), print_page_size=ctx.config.pdf.page_size, print_pages=ctx.print_pages(),
                          article_title_page=ctx.config.epub.article_title_page)
    write_epub(ctx.doc, ctx.root, target, options)
    return [("epub", target, {})]


def make_pdf(ctx: PublicationContext, large: bool = False) -> Made:
    from narrate.writers.pdf import write_pdf

    target = ctx.path(".large-print.pdf" if large else ".pdf")
    ctx.warnings.extend(write_pdf(ctx.doc, ctx.root, target, page_size=ctx.config.pdf.page_size, large=large))
    return [("pdf-large" if large else "pdf", target, {})]


def make_pdf_large(ctx: PublicationContext) -> Made:
    return make_pdf(ctx, large=True)


def narration(ctx: PublicationContext):
    """Render the publication's audio once (cached per sentence); shared by audio editions."""
    if ctx._narration is None:
        from narrate.editions.narration import render_publication

        ctx._narration = render_publication(ctx)
    return ctx._narration


def make_mp3(ctx: PublicationContext) -> Made:
    from narrate.editions.narration import write_mp3_edition

    return write_mp3_edition(ctx, narration(ctx))


def make_m4b(ctx: PublicationContext) -> Made:
    from narrate.editions.narration import write_m4b_edition

    return write_m4b_edition(ctx, narration(ctx))


def make_transcripts(ctx: PublicationContext) -> Made:
    from narrate.editions.narration import write_transcripts

    return write_transcripts(ctx, narration(ctx))


def make_readaloud(ctx: PublicationContext) -> Made:
    from narrate.editions.readalong import write_readaloud

    return write_readaloud(ctx, narration(ctx))


def dump_json(path: Path, data: Any) -> None:
    atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


# format → (maker, formats it produces, needs narration)
MAKERS: dict[str, tuple[Callable[[PublicationContext], Made], tuple[str, ...], bool]] = {
    "cover": (make_cover, ("cover",), False),
    "epub": (make_epub, ("epub",), False),
    "pdf": (make_pdf, ("pdf",), False),
    "pdf-large": (make_pdf_large, ("pdf-large",), False),
    "mp3": (make_mp3, ("mp3",), True),
    "m4b": (make_m4b, ("m4b",), True),
    "transcript": (make_transcripts, ("chapters", "transcript", "transcript-html"), True),
    "epub-readaloud": (make_readaloud, ("epub-readaloud",), True),
}
