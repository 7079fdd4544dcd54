"""The EPUB's print page numbers: page-break markers where each page of the print PDF starts,
and the page-list navigation that lists them (EPUB Accessibility: page source and page list)."""

from __future__ import annotations

import re

from narrate import model as m
from narrate.i18n.messages import Messages
from narrate.markup import html

BLOCK_ID = re.compile(r'<(p|h[1-6]|ul|ol|blockquote|pre|figure|table|hr|section|aside|article)\b[^>]*?\sid="([^"]+)"')


class PageMarks:
    """Page-break markers at the print PDF's page starts, and the page-list nav.

    ``pages`` (``pdf.print_pages``): element id → the PDF page it starts on, in layout order,
    and ``"<block id>#<n>"`` → a page that starts inside that block, at its word ``n``. Page N's
    marker (``<span epub:type="pagebreak" role="doc-pagebreak">``) goes where page N starts,
    wherever that is in the EPUB (a read-along's title page holds the colophon a printed article
    ends with, so EPUB and PDF order differ): inside the block at word ``n``, else before the
    first block that starts on the page; page 1 where the first marked document starts. A page
    with nothing the EPUB has (the printed contents) is marked just before the next page's
    marker. The page-list follows the reading order
    (EPUBCheck NAV-011), so a read-along that reads the copyright page last lists it last.
    """

    def __init__(self, pages: dict[str, int], say: Messages, known: frozenset[str] = frozenset()):
        self.pages = pages
        self.say = say
        self.targets: dict[int, list[tuple[str, int]]] = {}  # page → (block id, word) candidates, best first
        for key, page in pages.items():
            block, _, word = key.partition("#")
            if word.isdigit():
                self.targets.setdefault(page, []).insert(0, (block, int(word)))
            elif not known or key in known:
                self.targets.setdefault(page, []).append((key, 0))
        self.last_page = max(pages.values(), default=0)
        self.placed: dict[int, str] = {}  # page → file name
        self.entries: list[tuple[str, int]] = []  # (file name, page), in reading order

    def mark(self, file_name: str, body: str) -> str:
        if not self.pages:
            return body
        blocks: dict[str, int] = {}
        for match in BLOCK_ID.finditer(body):
            blocks.setdefault(match.group(2), match.start())
        found: dict[int, int] = {}  # page → position in body
        if not self.placed and blocks:  # the publication starts on page 1, wherever its title is
            found[1] = min(blocks.values())
        for number, candidates in self.targets.items():
            if number in found:
                continue
            if number in self.placed:
                continue
            block, word = candidates[0]  # the page's own start, not a later block on it (a colophon)
            if block in blocks:
                found[number] = _word_position(body, blocks[block], word)
        for number in range(1, self.last_page + 1):  # pages with nothing the EPUB has
            if number not in self.targets and number not in self.placed and number not in found:
                following = [page for page in found if page > number]
                if following:
                    found[number] = found[min(following)]
        out, pos = [], 0
        for number, where in sorted(found.items(), key=lambda item: (item[1], item[0])):
            out.append(body[pos:where])
            out.append(f'<span id="page-{number}" epub:type="pagebreak" role="doc-pagebreak" '
                       f'aria-label="{html.esc(self.say("page_label", number=str(number)))}"></span>')
            self.placed[number] = file_name
            self.entries.append((file_name, number))
            pos = where
        out.append(body[pos:])
        return "".join(out)

    def nav(self) -> str:
        if not self.entries:
            return ""
        items = "".join(f'<li><a href="{html.esc(name)}#page-{number}">{number}</a></li>'
                        for name, number in self.entries)
        heading = html.esc(self.say("page_list"))
        return (f'<nav epub:type="page-list" id="page-list" hidden="hidden"><h2>{heading}</h2>'
                f"<ol>{items}</ol></nav>\n")

    @staticmethod
    def source(meta: m.Meta, page_size: str) -> str:
        """The print edition the page numbers come from (not this EPUB's own identifier)."""
        return f"{meta.title}: print PDF edition, {page_size} pages ({meta.slug}.pdf)"


_TAG_OR_TEXT = re.compile(r"<[^>]*>|[^<]+")


def _word_position(body: str, start: int, word: int) -> int:
    """Where word ``word`` (from 0, split at white space in the text between tags) of the
    element starting at ``start`` begins; the element's start for word 0."""
    if word <= 0:
        return start
    seen = 0
    first_tag = True
    for match in _TAG_OR_TEXT.finditer(body, start):
        if match.group().startswith("<"):
            if first_tag:
                first_tag = False
            continue
        for piece in re.finditer(r"\S+", match.group()):
            if seen == word:
                return match.start() + piece.start()
            seen += 1
    return start
