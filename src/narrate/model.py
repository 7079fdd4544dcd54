"""The document model: pure data, no I/O.

A ``Document`` is one publication (an article or a book). Its ``chapters`` are
the units of navigation and of audio chapter markers:

* a book's chapters are its files (front matter, chapters, back matter);
* an article's chapters are its lead (whatever precedes the first ``##``) and
  one chapter per ``##`` section; ``Document.single_file`` tells writers that
  they all belong in one XHTML document.

Every block carries an ``id`` decided once by the reader; XHTML anchors, speech
segments, SMIL overlays and transcripts all refer to blocks by that id.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Literal

# --------------------------------------------------------------------- inlines


@dataclass(frozen=True)
class SourcePos:
    path: str
    line: int | None = None

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emph:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    href: str
    children: tuple[Inline, ...]
    title: str = ""


@dataclass(frozen=True)
class InlineImage:
    """An image inside running text (a standalone image becomes a ``Figure``)."""

    src: str
    alt: str


@dataclass(frozen=True)
class FootnoteRef:
    label: str
    number: int


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class Span:
    """A passage in another language (WCAG 3.1.2): ``[c'est la vie]{lang=fr}`` in Markdown."""

    lang: str  # BCP 47
    children: tuple[Inline, ...]


Inline = Text | Emph | Strong | Code | Link | InlineImage | FootnoteRef | LineBreak | Span

# ---------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Heading:
    id: str
    level: int
    children: tuple[Inline, ...]
    pos: SourcePos
    lang: str = ""  # another language than the document's ({lang=fr} before the block); "" for none


@dataclass(frozen=True)
class Paragraph:
    id: str
    children: tuple[Inline, ...]
    pos: SourcePos
    lang: str = ""  # see Heading.lang


@dataclass(frozen=True)
class ListBlock:
    id: str
    ordered: bool
    items: tuple[tuple[Block, ...], ...]
    pos: SourcePos
    start: int = 1


@dataclass(frozen=True)
class Quote:
    id: str
    children: tuple[Block, ...]
    pos: SourcePos
    lang: str = ""  # see Heading.lang


@dataclass(frozen=True)
class CodeBlock:
    id: str
    text: str
    pos: SourcePos
    language: str = ""


@dataclass(frozen=True)
class Figure:
    """A standalone image. ``src`` is relative to the project root."""

    id: str
    src: str
    alt: str
    caption: tuple[Inline, ...]
    pos: SourcePos


@dataclass(frozen=True)
class TableCell:
    children: tuple[Inline, ...]
    header: bool = False
    align: Literal["", "left", "center", "right"] = ""


@dataclass(frozen=True)
class Table:
    id: str
    head: tuple[tuple[TableCell, ...], ...]
    body: tuple[tuple[TableCell, ...], ...]
    pos: SourcePos


@dataclass(frozen=True)
class Rule:
    id: str
    pos: SourcePos


Block = Heading | Paragraph | ListBlock | Quote | CodeBlock | Figure | Table | Rule


@dataclass(frozen=True)
class Footnote:
    label: str
    number: int
    id: str
    children: tuple[Block, ...]
    pos: SourcePos


# ------------------------------------------------------------------- documents

Role = Literal["lead", "front", "body", "back"]


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    heading: Heading | None
    blocks: tuple[Block, ...]
    footnotes: tuple[Footnote, ...]
    source: SourcePos
    role: Role = "body"
    # EPUB structural semantics for front/back matter (e.g. "copyright-page",
    # "acknowledgments"); empty for ordinary chapters.
    epub_type: str = ""


@dataclass(frozen=True)
class Meta:
    title: str
    slug: str
    language: str
    identifier: str
    kind: Literal["article", "book"]
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    publisher: str = ""
    publisher_url: str = ""
    date: _dt.date | None = None
    description: str = ""
    tags: tuple[str, ...] = ()
    cover: str = ""  # project-relative path; empty means "generate one"
    rights: str = ""
    accessibility_summary: str = ""
    voice: str = ""
    conforms_to: str = ""
    certified_by: str = ""
    modified: _dt.datetime | None = None  # dcterms:modified, always UTC


@dataclass(frozen=True)
class Document:
    meta: Meta
    chapters: tuple[Chapter, ...]
    source_files: tuple[str, ...]  # project-relative, for hashing and messages
    single_file: bool = False
    key_lines: dict[str, int] = field(default_factory=dict)  # front matter key -> line, for messages
    # The project's [messages.<lang>] overrides of narrate's own words (narrate.toml): editions'
    # labels follow them as the narration does (``messages_for(doc.meta.language, doc.messages)``).
    messages: dict[str, dict[str, str]] = field(default_factory=dict)


# --------------------------------------------------------------------- helpers


def plain_text(inlines: tuple[Inline, ...] | list[Inline]) -> str:
    """Visible text of inlines (images give their alt text, notes nothing)."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, (Text, Code)):
            out.append(node.text)
        elif isinstance(node, (Emph, Strong, Link, Span)):
            out.append(plain_text(node.children))
        elif isinstance(node, InlineImage):
            out.append(node.alt)
        elif isinstance(node, LineBreak):
            out.append(" ")
    return "".join(out)


def leads_in(block: Block) -> bool:
    """A paragraph ending in a colon introduces the block after it ("each one followed the same
    shape:" and its list): a note it cites is read, and placed in a read-along, after that block."""
    return isinstance(block, Paragraph) and plain_text(block.children).rstrip().endswith(":")


def iter_blocks(blocks: tuple[Block, ...]):
    """Every block, depth first, containers before their children."""
    for block in blocks:
        yield block
        if isinstance(block, Quote):
            yield from iter_blocks(block.children)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from iter_blocks(item)


def all_blocks(doc: Document):
    for chapter in doc.chapters:
        if chapter.heading is not None:
            yield chapter.heading
        yield from iter_blocks(chapter.blocks)
        for note in chapter.footnotes:
            yield from iter_blocks(note.children)


def images(doc: Document) -> list[tuple[str, str]]:
    """(src, alt) of every image in the document, figures and inline."""
    found: list[tuple[str, str]] = []

    def walk_inlines(inlines: tuple[Inline, ...]) -> None:
        for node in inlines:
            if isinstance(node, InlineImage):
                found.append((node.src, node.alt))
            elif isinstance(node, (Emph, Strong, Link, Span)):
                walk_inlines(node.children)

    for block in all_blocks(doc):
        if isinstance(block, Figure):
            found.append((block.src, block.alt))
            walk_inlines(block.caption)
        elif isinstance(block, (Paragraph, Heading)):
            walk_inlines(block.children)
        elif isinstance(block, Table):
            for row in block.head + block.body:
                for cell in row:
                    walk_inlines(cell.children)
    return found
