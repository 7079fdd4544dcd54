"""A page's markup put right before extraction, where lxml's reading of it or the page's layout would cost
the article text.

- HTML5's empty elements that libxml2's HTML 4 parser does not know (``<embed>``, ``<track>``...), written
  unclosed as HTML5 allows, are read as boxes holding the rest of their parent, and the text went with them.
- A table whose cells hold other tables is the page's layout grid (the site's columns), not data: trafilatura
  reads a table's cells as one level of data, so the tables inside the article's cell (its figures) were
  lost. Its rows and cells become plain boxes; the tables inside stay tables.
- An inline element holding only a space (``means<em> </em>predictable``) was dropped with its space by
  trafilatura, which glued the words on either side ("meanspredictable"): the element gives way to its space.
- A ``<figcaption>`` written after its ``<figure>`` (HTML puts it inside, first or last) is the caption of the
  figure just before it: it goes inside, where the figure's caption is looked for, and was lost outside.
"""

from __future__ import annotations

from typing import Any

_VOID = ("embed", "source", "track", "wbr", "keygen")  # empty in HTML5, unknown to libxml2's parser
_BLANKABLE = ("em", "i", "b", "strong", "u", "s", "small", "font", "mark", "cite", "ins", "del")
_GRID = {"tbody", "thead", "tfoot", "tr", "td", "th"}
_GRID_ATTRIBUTES = ("colspan", "rowspan", "align", "valign", "width", "height", "cellpadding", "cellspacing",
                    "border", "summary")


def empty_void_elements(tree: Any) -> None:
    """Each empty element lets go of what it took: that follows it, as it did in the page."""
    for el in list(tree.iter(*_VOID)):
        parent = el.getparent()
        if parent is None or (not len(el) and not el.text):
            continue
        tail, el.tail = el.tail or "", el.text or ""
        el.text = None
        children = list(el)
        for at, child in enumerate(children, start=parent.index(el) + 1):
            parent.insert(at, child)
        last = children[-1] if children else el
        last.tail = (last.tail or "") + tail


def _own_parts(table: Any) -> list[Any]:
    """The table's own sections, rows and cells, not those of the tables inside it."""
    parts, stack = [], list(table)
    while stack:
        el = stack.pop()
        if isinstance(el.tag, str) and el.tag in _GRID:
            parts.append(el)
            stack.extend(el)
    return parts


def layout_tables_as_boxes(tree: Any) -> None:
    """Each table holding another table in its cells becomes boxes (``<div>``), outermost first."""
    for table in list(tree.iter("table")):
        if not any(True for _ in table.iterdescendants("table")):
            continue
        for el in [table, *_own_parts(table)]:
            el.tag = "div"
            for name in _GRID_ATTRIBUTES:
                el.attrib.pop(name, None)


def blank_inlines_as_spaces(tree: Any) -> None:
    """Each inline element with nothing in it but spaces is replaced by one space."""
    for el in list(tree.iter(*_BLANKABLE)):
        if len(el) or not el.text or el.text.strip() or el.getparent() is None:
            continue
        el.text = " "
        el.drop_tag()


def stray_captions_into_figures(tree: Any) -> None:
    """Each ``<figcaption>`` standing right after a figure with no caption of its own (nothing but space
    between them) is moved inside that figure, as its last child."""
    for caption in list(tree.iter("figcaption")):
        figure = caption.getprevious()
        parent = caption.getparent()
        if (parent is None or parent.tag == "figure" or figure is None or figure.tag != "figure"
                or (figure.tail or "").strip() or any(True for _ in figure.iter("figcaption"))):
            continue
        tail = caption.tail
        figure.append(caption)  # lxml moves the caption with its tail: the tail stays where it stood
        caption.tail, figure.tail = None, (figure.tail or "") + (tail or "")
