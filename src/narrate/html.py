"""Model → XHTML fragments with stable block ids, shared by EPUB and PDF.

Every block's ``id`` from the model becomes the element id, so audio
timelines, media overlays and transcripts can point into the text. Writers
choose how images are addressed (``image_href``) and may wrap sentences
(``sentence_spans``, used by the read-along edition).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from . import model as m

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"


def esc(text: str) -> str:
    return escape(text, quote=True)


@dataclass
class RenderContext:
    image_href: Callable[[str], str] = lambda src: src
    epub: bool = True  # emit epub:type attributes
    # block id → [(segment id, display text)], to wrap each sentence in a span
    sentence_spans: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    chapter: str = ""  # the id of the chapter being rendered (footnote ids hang off it)
    _noted: set[str] = field(default_factory=set)

    def semantics(self, epub_type: str, role: str = "") -> str:
        out = ""
        if epub_type and self.epub:
            out += f' epub:type="{epub_type}"'
        if role:
            out += f' role="{role}"'
        return out


# -------------------------------------------------------------------- inlines


def inlines(nodes: tuple[m.Inline, ...], ctx: RenderContext) -> str:
    return "".join(inline(node, ctx) for node in nodes)


def inline(node: m.Inline, ctx: RenderContext) -> str:  # noqa: C901 - one case per node type
    if isinstance(node, m.Text):
        return esc(node.text)
    if isinstance(node, m.Emph):
        return f"<em>{inlines(node.children, ctx)}</em>"
    if isinstance(node, m.Strong):
        return f"<strong>{inlines(node.children, ctx)}</strong>"
    if isinstance(node, m.Code):
        return f"<code>{esc(node.text)}</code>"
    if isinstance(node, m.Link):
        title = f' title="{esc(node.title)}"' if node.title else ""
        return f'<a href="{esc(node.href)}"{title}>{inlines(node.children, ctx)}</a>'
    if isinstance(node, m.InlineImage):
        return f'<img src="{esc(ctx.image_href(node.src))}" alt="{esc(node.alt)}"/>'
    if isinstance(node, m.FootnoteRef):
        return footnote_ref(node, ctx)
    if isinstance(node, m.LineBreak):
        return "<br/>"
    raise TypeError(f"unknown inline {node!r}")


def footnote_ref(node: m.FootnoteRef, ctx: RenderContext) -> str:
    # Only the first reference to a note carries the id its backlink targets. Note numbers
    # start again in each chapter file of a book, so the id is the chapter's own.
    ref_id = f"{ctx.chapter}-fnref{node.number}"
    id_attr = ""
    if ref_id not in ctx._noted:
        ctx._noted.add(ref_id)
        id_attr = f' id="{ref_id}"'
    sem = ctx.semantics("noteref", "doc-noteref")
    return (f'<sup><a{id_attr} href="#{ctx.chapter}-fn{node.number}"{sem}>{node.number}</a></sup>')


# --------------------------------------------------------------------- blocks


def blocks(items: tuple[m.Block, ...], ctx: RenderContext) -> str:
    return "\n".join(block(b, ctx) for b in items)


def block(node: m.Block, ctx: RenderContext) -> str:  # noqa: C901 - one case per node type
    if isinstance(node, m.Paragraph):
        return f'<p id="{node.id}">{text_with_sentences(node.id, node.children, ctx)}</p>'
    if isinstance(node, m.Heading):
        level = min(max(node.level, 2), 6)
        return f'<h{level} id="{node.id}">{text_with_sentences(node.id, node.children, ctx)}</h{level}>'
    if isinstance(node, m.ListBlock):
        return list_block(node, ctx)
    if isinstance(node, m.Quote):
        return f'<blockquote id="{node.id}">\n{blocks(node.children, ctx)}\n</blockquote>'
    if isinstance(node, m.CodeBlock):
        return f'<pre id="{node.id}"><code>{esc(node.text)}</code></pre>'
    if isinstance(node, m.Figure):
        return figure(node, ctx)
    if isinstance(node, m.Table):
        return table(node, ctx)
    if isinstance(node, m.Rule):
        return f'<hr id="{node.id}"/>'
    raise TypeError(f"unknown block {node!r}")


def list_block(node: m.ListBlock, ctx: RenderContext) -> str:
    tag = "ol" if node.ordered else "ul"
    start = f' start="{node.start}"' if node.ordered and node.start != 1 else ""
    items = "\n".join(f"<li>{_item(item, ctx)}</li>" for item in node.items)
    return f'<{tag} id="{node.id}"{start}>\n{items}\n</{tag}>'


def _item(item: tuple[m.Block, ...], ctx: RenderContext) -> str:
    # A tight item's single paragraph still renders as <p>, for ids and spacing control via CSS.
    return blocks(item, ctx)


def figure(node: m.Figure, ctx: RenderContext) -> str:
    caption = f"<figcaption>{inlines(node.caption, ctx)}</figcaption>" if node.caption else ""
    # In the read-along edition the image itself is the element highlighted while its alt text is read.
    spans = ctx.sentence_spans.get(node.id)
    img_id = f' id="{spans[0][0]}"' if spans else ""
    return (f'<figure id="{node.id}"><img{img_id} src="{esc(ctx.image_href(node.src))}" alt="{esc(node.alt)}"/>'
            f"{caption}</figure>")


def table(node: m.Table, ctx: RenderContext) -> str:
    def row(cells: tuple[m.TableCell, ...]) -> str:
        out = []
        for cell in cells:
            tag = "th" if cell.header else "td"
            scope = ' scope="col"' if cell.header else ""
            style = f' style="text-align: {cell.align}"' if cell.align else ""
            out.append(f"<{tag}{scope}{style}>{inlines(cell.children, ctx)}</{tag}>")
        return "<tr>" + "".join(out) + "</tr>"

    head = "".join(row(r) for r in node.head)
    body = "".join(row(r) for r in node.body)
    thead = f"<thead>{head}</thead>" if head else ""
    return f'<table id="{node.id}">{thead}<tbody>{body}</tbody></table>'


def text_with_sentences(block_id: str, children: tuple[m.Inline, ...], ctx: RenderContext) -> str:
    """Render inlines; with sentence spans known, wrap each sentence (see readalong)."""
    spans = ctx.sentence_spans.get(block_id)
    if not spans:
        return inlines(children, ctx)
    from .sentence_markup import wrap_sentences  # local: only the read-along edition needs it

    return wrap_sentences(children, spans, ctx)


# ------------------------------------------------------------------- chapters


def chapter_section(doc: m.Document, chapter: m.Chapter, ctx: RenderContext, *, level: int) -> str:
    """One chapter as a <section>, its heading at ``level``, then its notes."""
    epub_type, role = _chapter_semantics(doc, chapter)
    outer, ctx.chapter = ctx.chapter, chapter.id
    try:
        return _chapter_section(doc, chapter, ctx, level, epub_type, role)
    finally:
        ctx.chapter = outer


def _chapter_section(doc: m.Document, chapter: m.Chapter, ctx: RenderContext, level: int, epub_type: str,
                     role: str) -> str:
    head_id = chapter.heading.id if chapter.heading else f"{chapter.id}-h"
    parts = [f'<section id="{chapter.id}"{ctx.semantics(epub_type, role)} aria-labelledby="{head_id}">']
    if chapter.role != "lead" or not doc.single_file:
        heading = (text_with_sentences(head_id, chapter.heading.children, ctx) if chapter.heading
                   else text_with_sentences(head_id, (m.Text(chapter.title),), ctx))
        parts.append(f'<h{level} id="{head_id}">{heading}</h{level}>')
    else:
        parts[0] = f'<section id="{chapter.id}">'
    parts.append(blocks(chapter.blocks, ctx))
    if chapter.footnotes:
        parts.append(footnotes(chapter, ctx))
    parts.append("</section>")
    return "\n".join(parts)


def _chapter_semantics(doc: m.Document, chapter: m.Chapter) -> tuple[str, str]:
    if chapter.epub_type:
        return chapter.epub_type, ""
    if doc.single_file:
        return "", ""
    if chapter.role == "body":
        return "chapter", "doc-chapter"
    return "", ""


def footnotes(chapter: m.Chapter, ctx: RenderContext) -> str:
    notes = []
    for note in chapter.footnotes:
        back = (f' <a href="#{chapter.id}-fnref{note.number}" role="doc-backlink" '
                f'aria-label="Back to reference {note.number}">↩</a>')
        body = blocks(note.children, ctx)
        if body.endswith("</p>"):
            body = body[:-4] + back + "</p>"
        else:
            body += f"<p>{back}</p>"
        notes.append(f'<aside id="{note.id}"{ctx.semantics("footnote", "doc-footnote")} class="footnote">'
                     f'<span class="note-number">{note.number}.</span> {body}</aside>')
    return '<div class="footnotes">\n' + "\n".join(notes) + "\n</div>"


# ------------------------------------------------------------------ documents


def title_page(doc: m.Document, ctx: RenderContext) -> str:
    meta = doc.meta
    lines = [f'<section id="titlepage"{ctx.semantics("titlepage")} class="titlepage" aria-label="Title page">',
             f'<h1 class="title">{esc(meta.title)}</h1>']
    if meta.subtitle:
        lines.append(f'<p class="subtitle">{esc(meta.subtitle)}</p>')
    if meta.authors:
        lines.append(f'<p class="author">{esc(" and ".join(meta.authors))}</p>')
    if meta.publisher:
        lines.append(f'<p class="publisher">{esc(meta.publisher)}</p>')
    if meta.date:
        lines.append(f'<p class="date"><time datetime="{meta.date.isoformat()}">'
                     f'{meta.date.strftime("%-d %B %Y")}</time></p>')
    lines.append("</section>")
    return "\n".join(lines)


def colophon(doc: m.Document, ctx: RenderContext, prepared_for: str = "") -> str:
    """Copyright and edition details; also carries a personal copy's "Prepared for" line."""
    meta = doc.meta
    lines = [f'<section id="colophon"{ctx.semantics("colophon")} class="colophon" aria-label="Colophon">']
    if meta.rights:
        lines.append(f"<p>{esc(meta.rights)}</p>")
    if meta.publisher:
        lines.append(f"<p>Published by {esc(meta.publisher)}.</p>")
    lines.append(f'<p class="identifier">Identifier: {esc(meta.identifier)}</p>')
    if prepared_for:
        lines.append(f'<p class="prepared-for">Prepared for {esc(prepared_for)}.</p>')
    lines.append("</section>")
    return "\n".join(lines)


def xhtml_document(title: str, lang: str, body: str, *, css: tuple[str, ...] = (), epub: bool = True,
                   body_class: str = "") -> str:
    """A complete XHTML5 document (UTF-8, xml:lang and lang on the root)."""
    ns = f' xmlns:epub="{EPUB_NS}"' if epub else ""
    links = "".join(f'<link rel="stylesheet" type="text/css" href="{esc(h)}"/>' for h in css)
    cls = f' class="{body_class}"' if body_class else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
            f'<html xmlns="{XHTML_NS}"{ns} lang="{esc(lang)}" xml:lang="{esc(lang)}">\n'
            f"<head><meta charset=\"utf-8\"/><title>{esc(title)}</title>{links}</head>\n"
            f"<body{cls}>\n{body}\n</body>\n</html>\n")
