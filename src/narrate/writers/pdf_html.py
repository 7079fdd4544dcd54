"""The PDF edition's XHTML and print stylesheet (no WeasyPrint here; see ``pdf.py``).

The page is the EPUB's XHTML (``html.py``) in one document, in print order. A book:
title page → colophon → contents → chapters, each starting a page. An article, as a
magazine prints it: page 1 opens with the title block (headline, dek, byline, date and,
for a long article, a compact list of its sections) and the text starts below it on the
same page; the colophon, if there is one, closes the article. No contents page. Two
print-only changes wrap it, without re-rendering any block:

* a footnote made only of paragraphs moves from the chapter's end to its first
  reference, as an inline ``span.footnote`` that the stylesheet floats to the
  page foot (``float: footnote``); other notes stay at the chapter's end;
* the outline (bookmarks) and running heads come from CSS classes on the body
  (``book`` or ``article``), so the outline reads title → chapters → sections.
"""

from __future__ import annotations

import dataclasses
import re
from importlib import resources
from pathlib import Path

from narrate import model as m
from narrate.i18n.messages import messages_for
from narrate.markup import html
from narrate.writers.fonts import FAMILY

PAGE_SIZES = {"a4": "A4", "letter": "letter"}
_FACES = {"regular": ("normal", "normal"), "bold": ("normal", "bold"),
          "italic": ("italic", "normal"), "bolditalic": ("italic", "bold")}


# An article with at least this many sections lists them under its byline.
SECTION_LIST_MIN = 4


def page_xhtml(doc: m.Document, prepared_for: str = "") -> str:
    """The whole publication as one XHTML document, ready for a print stylesheet."""
    ctx = html.RenderContext(epub=False)
    level = 2 if doc.single_file else 1
    sections = "\n".join(chapter_with_footnotes(doc, chapter, ctx, level) for chapter in doc.chapters)
    colophon = html.colophon(doc, ctx, prepared_for)
    if doc.single_file:
        head = html.title_block(doc, section_list(doc))
        parts = [f'<article class="body-text" aria-labelledby="article-title">\n{head}\n{sections}\n</article>',
                 colophon]
    else:
        parts = [html.title_page(doc, ctx), colophon, contents(doc), f'<main class="body-text">\n{sections}\n</main>']
    kind = "article" if doc.single_file else "book"
    return html.xhtml_document(doc.meta.title, doc.meta.language, "\n".join(p for p in parts if p), epub=False,
                               body_class=kind)


# ------------------------------------------------------------------- contents


def toc_entries(doc: m.Document) -> list[tuple[str, str, int]]:
    """(target id, label, depth) for the printed contents: chapters, and a book's sections."""
    entries: list[tuple[str, str, int]] = []
    for chapter in doc.chapters:
        if chapter.role == "lead" and doc.single_file:
            continue
        head_id = chapter.heading.id if chapter.heading else f"{chapter.id}-h"
        entries.append((head_id, chapter.title, 1))
        if not doc.single_file:
            entries.extend((b.id, m.plain_text(b.children), 2) for b in chapter.blocks
                           if isinstance(b, m.Heading) and b.level == 2)
    return entries


def contents(doc: m.Document) -> str:
    items = "\n".join(f'<li class="toc-{depth}"><a href="#{target}">{html.esc(label)}</a></li>'
                      for target, label, depth in toc_entries(doc))
    title = html.esc(messages_for(doc.meta.language, doc.messages)("contents"))
    return (f'<nav id="contents" class="toc" role="doc-toc" aria-labelledby="contents-title">\n'
            f'<h2 id="contents-title" class="toc-title">{title}</h2>'
            f'\n<ol>\n{items}\n</ol>\n</nav>')


def section_list(doc: m.Document) -> str:
    """A long article's sections, compactly, with their page numbers; "" for a short one."""
    entries = toc_entries(doc)
    if len(entries) < SECTION_LIST_MIN:
        return ""
    items = "\n".join(f'<li><a href="#{target}">{html.esc(label)}</a></li>' for target, label, _ in entries)
    return (f'<nav class="sections" role="doc-toc" aria-labelledby="sections-title">\n'
            f'<p id="sections-title" class="sections-title">In this article</p>\n<ol>\n{items}\n</ol>\n</nav>')


# ------------------------------------------------------------------ footnotes


def chapter_with_footnotes(doc: m.Document, chapter: m.Chapter, ctx: html.RenderContext, level: int) -> str:
    """``html.chapter_section`` with paragraph-only notes moved to their first reference."""
    inline_notes = [n for n in chapter.footnotes if n.children and all(isinstance(b, m.Paragraph)
                                                                       for b in n.children)]
    kept = tuple(n for n in chapter.footnotes if n not in inline_notes)
    text = html.chapter_section(doc, dataclasses.replace(chapter, footnotes=kept), ctx, level=level)
    for note in inline_notes:
        text = _place_note(text, chapter.id, note, ctx)
    return text


def _place_note(text: str, chapter_id: str, note: m.Footnote, ctx: html.RenderContext) -> str:
    ref = re.compile(rf'<sup><a(?: id="[^"]*")? href="#{re.escape(chapter_id)}-fn{note.number}"[^>]*>'
                     rf"{note.number}</a></sup>")
    outer, ctx.chapter = ctx.chapter, chapter_id  # a note's own references hang off its chapter too
    try:
        body = "<br/>".join(html.inlines(p.children, ctx) for p in note.children if isinstance(p, m.Paragraph))
    finally:
        ctx.chapter = outer

    def span(kind: str) -> str:
        return (f'<span id="{note.id}" class="{kind}" role="doc-footnote" data-n="{note.number}">'
                f"{body}</span>")

    # The first reference becomes the note itself (the page shows its footnote call);
    # a repeated reference stays a superscript link to it.
    placed, count = ref.subn(lambda _: span("footnote"), text, count=1)
    if not count:  # a note nobody refers to: leave it at the chapter's end
        return text + f'\n<div class="footnotes">{span("endnote")}</div>'
    return placed


# ------------------------------------------------------------------ stylesheet


# Fixed virtual roots: the PDF's bytes must not depend on where the project or narrate
# is installed (WeasyPrint's file identifier hashes resource URLs). writers/pdf.py maps
# them back to the real folders.
PROJECT_URL = "file:///narrate-project/"
FONTS_URL = "file:///narrate-fonts/"


def stylesheet(title: str, page_size: str, large: bool, fonts: dict[str, Path]) -> str:
    """print.css (+ print-large.css) with the fonts, page size and running title filled in."""
    size = PAGE_SIZES.get(page_size.lower())
    if size is None:
        raise ValueError(f"page size must be one of A4, Letter, found {page_size!r}")
    templates = resources.files("narrate").joinpath("templates")
    css = [_font_faces(fonts), templates.joinpath("print.css").read_text(encoding="utf-8"),
           f"@page {{ size: {size}; @top-left {{ content: {_css_string(title)}; }} }}"]
    if large:  # after the running title, which large print moves
        css.append(templates.joinpath("print-large.css").read_text(encoding="utf-8"))
        css.append(f"@page figure {{ size: {size} landscape; }}")
    return "\n".join(css)


def _font_faces(fonts: dict[str, Path]) -> str:
    rules = []
    for style, path in sorted(fonts.items()):
        font_style, weight = _FACES[style]
        rules.append(f'@font-face {{ font-family: "{FAMILY}"; font-style: {font_style}; '
                     f"font-weight: {weight}; src: url({_css_string(FONTS_URL + path.name)}); }}")
    return "\n".join(rules)


def _css_string(text: str) -> str:
    escaped = "".join(c if c.isprintable() and c not in '"\\' else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'
