"""Wrap each narrated sentence of a block in one ``<span id>``, across inline markup.

A sentence may start inside ``<em>`` and end after a link. XHTML elements
cannot overlap, so the inline tree is *sliced* at sentence boundaries: each
slice is a complete sub-tree (an ``<em>`` cut in two becomes two ``<em>``),
and each sentence becomes one span holding its slice. Offsets count the same
characters as ``model.plain_text``; sentences are located in that text with
whitespace ignored, so the speech script's whitespace normalization does not
matter. If a sentence cannot be located, the block gets one span holding
everything, carrying the first sentence's id; overlays then point all of
the block's sentences at it (still valid, only coarser).
"""

from __future__ import annotations

from collections.abc import Callable

from narrate import model as m


def length(node: m.Inline) -> int:
    if isinstance(node, (m.Text, m.Code)):
        return len(node.text)
    if isinstance(node, m.InlineImage):
        return len(node.alt)
    if isinstance(node, m.LineBreak):
        return 1
    if isinstance(node, (m.Emph, m.Strong, m.Link, m.Span)):
        return sum(length(c) for c in node.children)
    return 0  # footnote references are not read as part of the sentence


def slice_inlines(nodes: tuple[m.Inline, ...], start: int, end: int, *, last: bool) -> tuple[m.Inline, ...]:
    """The part of ``nodes`` covering plain-text offsets [start, end).

    Zero-width nodes (footnote references) go to the slice in which they sit;
    one at ``end`` belongs to the next slice unless this is the ``last``.
    """
    out: list[m.Inline] = []
    pos = 0
    for node in nodes:
        size = length(node)
        lo, hi = pos, pos + size
        pos = hi
        if size == 0:
            if start <= lo < end or (last and lo == end) or (lo == start == end):
                out.append(node)
            continue
        if hi <= start or lo >= end:
            continue
        a, b = max(start, lo) - lo, min(end, hi) - lo
        out.append(_cut(node, a, b, last=last and hi <= end))
    return tuple(out)


def _cut(node: m.Inline, a: int, b: int, *, last: bool) -> m.Inline:
    if isinstance(node, m.Text):
        return m.Text(node.text[a:b])
    if isinstance(node, m.Code):
        return m.Code(node.text[a:b])
    if isinstance(node, m.Emph):
        return m.Emph(slice_inlines(node.children, a, b, last=last))
    if isinstance(node, m.Strong):
        return m.Strong(slice_inlines(node.children, a, b, last=last))
    if isinstance(node, m.Link):
        return m.Link(node.href, slice_inlines(node.children, a, b, last=last), node.title)
    if isinstance(node, m.Span):
        return m.Span(node.lang, slice_inlines(node.children, a, b, last=last))
    return node  # an image or a line break is never cut


def locate(text: str, sentences: list[str]) -> list[tuple[int, int]] | None:
    """Offsets of each sentence in ``text``, matching characters with whitespace ignored."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for sentence in sentences:
        wanted = [c for c in sentence if not c.isspace()]
        if not wanted:
            return None
        while pos < len(text) and text[pos].isspace():
            pos += 1
        begin, i = pos, 0
        while i < len(wanted) and pos < len(text):
            if text[pos].isspace():
                pos += 1
                continue
            if text[pos] != wanted[i]:
                return None
            i += 1
            pos += 1
        if i < len(wanted):
            return None
        spans.append((begin, pos))
    return spans


def wrap_sentences(children: tuple[m.Inline, ...], spans: list[tuple[str, str]],
                   inlines: Callable[[tuple[m.Inline, ...]], str]) -> str:
    """One ``<span id>`` per sentence; ``inlines`` renders a slice of the tree (html.py passes its renderer)."""
    text = m.plain_text(children)
    found = locate(text, [sentence for _, sentence in spans])
    if not found:
        return f'<span id="{spans[0][0]}">{inlines(children)}</span>'
    parts: list[str] = []
    total = sum(length(c) for c in children)
    bounds = [b for b, _ in found[1:]] + [total]
    start = 0
    for index, ((seg_id, _), end) in enumerate(zip(spans, bounds, strict=True)):
        last = index == len(spans) - 1
        piece = slice_inlines(children, start, end, last=last)
        parts.append(f'<span id="{seg_id}">{inlines(piece)}</span>')
        start = end
    return "".join(parts)
