"""What a run of inlines says: link text (never the address), image alt, no note marks; the
languages of its phrases; a paragraph that is only links said as where they go; the footnotes a
block cites. The speech script (``speech/script``) reads every paragraph, cell and caption through
these."""

from __future__ import annotations

import re

from narrate.model import (
    Block,
    Code,
    Emph,
    Figure,
    FootnoteRef,
    Heading,
    Inline,
    InlineImage,
    LineBreak,
    Link,
    Paragraph,
    Span,
    Strong,
    Table,
    Text,
    iter_blocks,
)


def has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def speech_text(inlines: tuple[Inline, ...], read_alt: bool = True) -> str:
    """What inlines say: link text (never the address), image alt, no note marks."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, (Text, Code)):
            out.append(node.text)
        elif isinstance(node, (Emph, Strong, Link, Span)):
            out.append(speech_text(node.children, read_alt))
        elif isinstance(node, InlineImage) and read_alt:
            out.append(node.alt)
        elif isinstance(node, LineBreak):
            out.append(" ")
    return "".join(out)


def speech_chunks(inlines: tuple[Inline, ...], read_alt: bool, lang: str = "") -> list[tuple[str, str]]:
    """``speech_text`` in chunks of (language of the innermost ``Span`` with one, or "", text)."""
    out: list[tuple[str, str]] = []
    for node in inlines:
        if isinstance(node, Span) and node.lang:
            out += speech_chunks(node.children, read_alt, node.lang)
        elif isinstance(node, (Emph, Strong, Link, Span)):
            out += speech_chunks(node.children, read_alt, lang)
        else:
            out.append((lang, speech_text((node,), read_alt)))
    return out


def has_phrase_language(inlines: tuple[Inline, ...]) -> bool:
    return any((isinstance(n, Span) and bool(n.lang)) or
               (isinstance(n, (Emph, Strong, Link, Span)) and has_phrase_language(n.children)) for n in inlines)


def align_languages(part: str, text: str, langs: list[str], cursor: int) -> tuple[list[tuple[str, str]], int]:
    """``part`` (a sentence of ``text`` with its whitespace collapsed) as (language, text) chunks,
    each character taking the language of its source character; and where the sentence ends in
    ``text``. A part that cannot be aligned is one chunk in no particular language."""
    out: list[tuple[str, str]] = []
    pos = cursor
    for ch in part:
        if ch.isspace():
            lang = out[-1][0] if out else ""
        else:
            while pos < len(text) and text[pos] != ch:
                pos += 1
            if pos >= len(text):
                return [("", part)], cursor
            lang, pos = langs[pos], pos + 1
        if out and out[-1][0] == lang:
            out[-1] = (lang, out[-1][1] + ch)
        else:
            out.append((lang, ch))
    return out, pos


def only_links(inlines: tuple[Inline, ...]) -> bool:
    """True when the words of ``inlines`` are all link labels (a call to action)."""
    found = False
    for node in inlines:
        if isinstance(node, Link):
            found = True
        elif isinstance(node, (Emph, Strong)):
            if not only_links(node.children):
                return False
            found = True
        elif isinstance(node, (Text, Code)) and has_words(node.text):
            return False
    return found


def links(inlines: tuple[Inline, ...]) -> list[Link]:
    found: list[Link] = []
    for node in inlines:
        if isinstance(node, Link):
            found.append(node)
        elif isinstance(node, (Emph, Strong, Span)):
            found += links(node.children)
    return found


def readable_address(href: str) -> str:
    """'https://www.example.org/join/' → 'example.org/join'; 'mailto:desk@example.org' → the address."""
    address = re.sub(r"^(?:mailto:|https?://)(?:www\.)?", "", href.strip(), flags=re.IGNORECASE)
    return address.split("?", 1)[0].rstrip("/") if "@" not in address else address.split("?", 1)[0]


def link_call(inlines: tuple[Inline, ...], read_alt: bool) -> str:
    """A paragraph that is only links, as said: each link's text and where it goes."""
    parts = []
    for link in links(inlines):
        label = " ".join(speech_text(link.children, read_alt).split()).rstrip(".:")
        address = readable_address(link.href)
        same = label.lower().removeprefix("mailto:") in {address.lower(), link.href.lower()}
        parts.append(address if same or not label else f"{label}: {address}")
    return ". ".join(parts) + "." if parts else ""


def footnote_refs(block: Block) -> list[FootnoteRef]:
    refs: list[FootnoteRef] = []

    def walk(inlines: tuple[Inline, ...]) -> None:
        for node in inlines:
            if isinstance(node, FootnoteRef):
                refs.append(node)
            elif isinstance(node, (Emph, Strong, Link, Span)):
                walk(node.children)

    for inner in iter_blocks((block,)):
        if isinstance(inner, (Paragraph, Heading)):
            walk(inner.children)
        elif isinstance(inner, Figure):
            walk(inner.caption)
        elif isinstance(inner, Table):
            for row in inner.head + inner.body:
                for cell in row:
                    walk(cell.children)
    return refs
