"""Model → XHTML fragments with stable block ids, shared by EPUB and PDF.

Every block's ``id`` from the model becomes the element id, so audio
timelines, media overlays and transcripts can point into the text. Writers
choose how images are addressed (``image_href``) and may wrap sentences
(``sentence_spans``, used by the read-along edition).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape

from narrate import model as m
from narrate.i18n.dates import list_text, long_date
from narrate.i18n.messages import messages_for
from narrate.markup.sentence_spans import wrap_sentences

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
    # Read-along with footnotes narrated after their block: each note's <aside> follows
    # that block, so the overlay's text references stay in reading order.
    notes_after_blocks: bool = False
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
    if isinstance(node, m.Span):
        return f"<span{lang_attrs(node.lang)}>{inlines(node.children, ctx)}</span>"
    raise TypeError(f"unknown inline {node!r}")


def lang_attrs(lang: str) -> str:
    """A part in another language (WCAG 3.1.2): lang for HTML, xml:lang for XHTML (EPUB 3 wants both)."""
    return f' lang="{esc(lang)}" xml:lang="{esc(lang)}"' if lang else ""


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
        return f'<p id="{node.id}"{lang_attrs(node.lang)}>{text_with_sentences(node.id, node.children, ctx)}</p>'
    if isinstance(node, m.Heading):
        level = min(max(node.level, 2), 6)
        text = text_with_sentences(node.id, node.children, ctx)
        return f'<h{level} id="{node.id}"{lang_attrs(node.lang)}>{text}</h{level}>'
    if isinstance(node, m.ListBlock):
        return list_block(node, ctx)
    if isinstance(node, m.Quote):
        return f'<blockquote id="{node.id}"{lang_attrs(node.lang)}>\n{blocks(node.children, ctx)}\n</blockquote>'
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
    # In the read-along edition the image itself is the element highlighted while its alt text
    # is read (segment "-s1"), and each caption sentence is a span of the figcaption.
    spans = ctx.sentence_spans.get(node.id) or []
    alt = [s for s in spans if s[0] == f"{node.id}-s1"]
    img_id = f' id="{alt[0][0]}"' if alt else ""
    caption_spans = [s for s in spans if s not in alt]
    caption_html = (_wrapped(node.caption, caption_spans, ctx) if caption_spans else inlines(node.caption, ctx))
    caption = f"<figcaption>{caption_html}</figcaption>" if node.caption else ""
    return (f'<figure id="{node.id}"><img{img_id} src="{esc(ctx.image_href(node.src))}" alt="{esc(node.alt)}"/>'
            f"{caption}</figure>")


def table(node: m.Table, ctx: RenderContext) -> str:
    # Read-along: the script reads one utterance per row ("{table id}-s{n}", n counting the
    # body rows, or the head rows when there is no body); that row carries the id.
    spoken = {seg_id for seg_id, _ in ctx.sentence_spans.get(node.id, [])}
    counted = node.body or node.head

    def row(cells: tuple[m.TableCell, ...]) -> str:
        row_id = ""
        if spoken and any(cells is r for r in counted):
            number = next(i for i, r in enumerate(counted, 1) if r is cells)
            row_id = f' id="{node.id}-s{number}"' if f"{node.id}-s{number}" in spoken else ""
        out = []
        for cell in cells:
            tag = "th" if cell.header else "td"
            scope = ' scope="col"' if cell.header else ""
            style = f' style="text-align: {cell.align}"' if cell.align else ""
            out.append(f"<{tag}{scope}{style}>{inlines(cell.children, ctx)}</{tag}>")
        return f"<tr{row_id}>" + "".join(out) + "</tr>"

    head = "".join(row(r) for r in node.head)
    body = "".join(row(r) for r in node.body)
    thead = f"<thead>{head}</thead>" if head else ""
    return f'<table id="{node.id}">{thead}<tbody>{body}</tbody></table>'


def text_with_sentences(block_id: str, children: tuple[m.Inline, ...], ctx: RenderContext) -> str:
    """Render inlines; with sentence spans known, wrap each sentence (see readalong)."""
    spans = ctx.sentence_spans.get(block_id)
    if not spans:
        return inlines(children, ctx)
    return _wrapped(children, spans, ctx)


def _wrapped(children: tuple[m.Inline, ...], spans: list[tuple[str, str]], ctx: RenderContext) -> str:
    return wrap_sentences(children, spans, lambda nodes: inlines(nodes, ctx))


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
    if ctx.notes_after_blocks and chapter.footnotes:
        parts.append(_blocks_with_notes(chapter, ctx))
    else:
        parts.append(blocks(chapter.blocks, ctx))
        if chapter.footnotes:
            parts.append(footnotes(chapter, ctx))
    parts.append("</section>")
    return "\n".join(parts)


# EPUB structural semantics a <section> may carry → the DPUB-ARIA role ARIA in HTML allows on
# <section> for it (DAISY Ace requires the pair). Types with no such role (copyright-page,
# titlepage, halftitlepage, imprint, ...) stay epub:type only.
SECTION_ROLES = {
    "abstract": "doc-abstract", "acknowledgments": "doc-acknowledgments", "afterword": "doc-afterword",
    "appendix": "doc-appendix", "bibliography": "doc-bibliography", "chapter": "doc-chapter",
    "colophon": "doc-colophon", "conclusion": "doc-conclusion", "credit": "doc-credit",
    "credits": "doc-credits", "dedication": "doc-dedication", "endnotes": "doc-endnotes",
    "epigraph": "doc-epigraph", "epilogue": "doc-epilogue", "errata": "doc-errata", "example": "doc-example",
    "foreword": "doc-foreword", "glossary": "doc-glossary", "index": "doc-index",
    "introduction": "doc-introduction", "notice": "doc-notice", "other-credits": "doc-credits",
    "part": "doc-part", "preface": "doc-preface", "prologue": "doc-prologue", "qna": "doc-qna",
    "toc": "doc-toc",
}


def section_role(epub_type: str) -> str:
    """The DPUB-ARIA role for a section's ``epub:type`` (its first type that has one), or ""."""
    return next((SECTION_ROLES[t] for t in epub_type.split() if t in SECTION_ROLES), "")


def _chapter_semantics(doc: m.Document, chapter: m.Chapter) -> tuple[str, str]:
    if chapter.epub_type:
        return chapter.epub_type, section_role(chapter.epub_type)
    if doc.single_file:
        return "", ""
    if chapter.role == "body":
        return "chapter", "doc-chapter"
    return "", ""


def _blocks_with_notes(chapter: m.Chapter, ctx: RenderContext) -> str:
    """Each block, then the notes it references that are not placed yet (a lead-in's after the block
    it introduces, where they are heard); the rest at the end."""
    placed: set[str] = set()
    parts = []
    by_label = {note.label: note for note in chapter.footnotes}
    waiting: list[str] = []
    for index, item in enumerate(chapter.blocks):
        parts.append(block(item, ctx))
        waiting += [ref.label for ref in _note_refs(item) if ref.label in by_label and ref.label not in placed]
        if index + 1 < len(chapter.blocks) and m.leads_in(item):
            continue  # as the script reads it: after the block a lead-in introduces (speech/script)
        labels, waiting = list(dict.fromkeys(waiting)), []
        if labels:
            placed.update(labels)
            parts.append(footnotes(chapter, ctx, [by_label[label] for label in labels]))
    rest = [note for note in chapter.footnotes if note.label not in placed]
    if rest:
        parts.append(footnotes(chapter, ctx, rest))
    return "\n".join(parts)


def _note_refs(node: m.Block) -> list[m.FootnoteRef]:
    refs: list[m.FootnoteRef] = []

    def walk(items: tuple[m.Inline, ...]) -> None:
        for inline_node in items:
            if isinstance(inline_node, m.FootnoteRef):
                refs.append(inline_node)
            elif isinstance(inline_node, (m.Emph, m.Strong, m.Link)):
                walk(inline_node.children)

    for inner in m.iter_blocks((node,)):
        if isinstance(inner, (m.Paragraph, m.Heading)):
            walk(inner.children)
        elif isinstance(inner, m.Figure):
            walk(inner.caption)
        elif isinstance(inner, m.Table):
            for table_row in inner.head + inner.body:
                for cell in table_row:
                    walk(cell.children)
    return refs


def footnotes(chapter: m.Chapter, ctx: RenderContext, notes_to_place: list[m.Footnote] | None = None) -> str:
    notes = []
    for note in chapter.footnotes if notes_to_place is None else notes_to_place:
        back = (f' <a href="#{chapter.id}-fnref{note.number}" role="doc-backlink" '
                f'aria-label="Back to reference {note.number}">↩</a>')
        body = blocks(note.children, ctx)
        if body.endswith("</p>"):
            body = body[:-4] + back + "</p>"
        else:
            body += f"<p>{back}</p>"
        # Read-along: the spoken "Footnote N." highlights the number.
        label_id = f' id="{note.id}-label"' if ctx.sentence_spans else ""
        notes.append(f'<aside id="{note.id}"{ctx.semantics("footnote", "doc-footnote")} class="footnote">'
                     f'<span class="note-number"{label_id}>{note.number}.</span> {body}</aside>')
    return '<div class="footnotes">\n' + "\n".join(notes) + "\n</div>"


# ------------------------------------------------------------------ documents


def authors_text(meta: m.Meta) -> str:
    """The authors joined as the publication's language joins a list ("A and B", "A und B")."""
    return list_text(meta.authors, meta.language)


def date_html(meta: m.Meta) -> str:
    """The publication date for readers (their language's convention) with the ISO date for machines."""
    if not meta.date:
        return ""
    return f'<time datetime="{meta.date.isoformat()}">{esc(long_date(meta.date, meta.language))}</time>'


def title_page(doc: m.Document, ctx: RenderContext) -> str:
    meta = doc.meta
    label = esc(messages_for(meta.language, doc.messages)("title_page"))
    lines = [f'<section id="titlepage"{ctx.semantics("titlepage")} class="titlepage" aria-label="{label}">',
             f'<h1 class="title" id="titlepage-title">{esc(meta.title)}</h1>']
    # The ids are what the read-along's opening credits point at.
    if meta.subtitle:
        lines.append(f'<p class="subtitle" id="titlepage-subtitle">{esc(meta.subtitle)}</p>')
    if meta.authors:
        lines.append(f'<p class="author" id="titlepage-author">{esc(authors_text(meta))}</p>')
    if meta.publisher:
        lines.append(f'<p class="publisher" id="titlepage-publisher">{esc(meta.publisher)}</p>')
    if meta.date:
        lines.append(f'<p class="date">{date_html(meta)}</p>')
    lines.append("</section>")
    return "\n".join(lines)


def closing_credits(lines: tuple[tuple[str, str], ...], label: str, ctx: RenderContext) -> str:
    """The read-along's closing credits as text: one paragraph per spoken credit, with the
    credit's segment id, so each clip of the closing credits highlights what it says."""
    if not lines:
        return ""
    paragraphs = [f'<p id="{esc(seg_id)}">{esc(text)}</p>' for seg_id, text in lines]
    return "\n".join([f'<section id="closing-credits" class="closing-credits"{ctx.semantics("credits", "doc-credits")}'
                       f' aria-label="{esc(label)}">', *paragraphs, "</section>"])


def title_block(doc: m.Document, extra: str = "") -> str:
    """An article's opening, as a magazine prints it: headline, dek, byline, date (then ``extra``).

    The headline keeps the id ``article-title`` that the article's ``aria-labelledby``, the
    read-along overlays and the PDF outline point at.
    """
    meta = doc.meta
    lines = ['<header class="title-block">', f'<h1 id="article-title" class="title">{esc(meta.title)}</h1>']
    if meta.subtitle:
        lines.append(f'<p class="dek">{esc(meta.subtitle)}</p>')
    if meta.authors:
        lines.append(f'<p class="byline">{esc(authors_text(meta))}</p>')
    if meta.date:
        lines.append(f'<p class="dateline">{date_html(meta)}</p>')
    if extra:
        lines.append(extra)
    lines.append("</header>")
    return "\n".join(lines)


def colophon_lines(doc: m.Document, prepared_for: str = "") -> list[str]:
    """The colophon's paragraphs; empty when it would have nothing a reader can use.

    Rights, the accessibility summary the publisher wrote and a personal copy's "Prepared
    for" line are worth a colophon; the publisher's name is added to one but never makes one
    on its own. Identifiers (URN, UUID) live in the metadata only, never in the text.
    """
    meta = doc.meta
    lines = []
    if meta.rights:
        lines.append(f"<p>{esc(meta.rights)}</p>")
    if meta.accessibility_summary:
        lines.append(f'<p class="accessibility-summary">{esc(meta.accessibility_summary)}</p>')
    say = messages_for(meta.language, doc.messages)
    if prepared_for:
        lines.append(prepared_for_line(esc(prepared_for), meta.language, doc.messages))
    if lines and meta.publisher:
        lines.insert(1 if meta.rights else 0, f"<p>{esc(say('colophon_publisher', publisher=meta.publisher))}</p>")
    return lines


def prepared_for_line(escaped_name: str, language: str = "en",
                      overrides: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The personal copy's line (``escaped_name`` is already HTML-escaped); ``overrides``: the
    project's [messages.<lang>]."""
    text = esc(messages_for(language, overrides)("prepared_for", name="\ue000")).replace("\ue000", escaped_name)
    return f'<p class="prepared-for">{text}</p>'


def colophon_section(lines: list[str], *, epub: bool = True, language: str = "en",
                     overrides: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The colophon <section> around ``lines`` (``epub``: with epub:type beside its ARIA role)."""
    sem = RenderContext(epub=epub).semantics("colophon", SECTION_ROLES["colophon"])
    label = esc(messages_for(language, overrides)("colophon"))
    return "\n".join([f'<section id="colophon"{sem} class="colophon" aria-label="{label}">', *lines,
                      "</section>"])


def colophon(doc: m.Document, ctx: RenderContext, prepared_for: str = "") -> str:
    """Copyright and edition details, or "" when there are none (see ``colophon_lines``)."""
    lines = colophon_lines(doc, prepared_for)
    return colophon_section(lines, epub=ctx.epub, language=doc.meta.language, overrides=doc.messages) if lines \
        else ""


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
