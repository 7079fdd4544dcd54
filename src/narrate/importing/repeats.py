"""An author's repeated paragraph kept through trafilatura.

trafilatura drops a paragraph of more than a few words that says what the paragraph kept before it
said, even with ``deduplicate=False``: it means to drop an element its search found twice. A refrain,
a chorus, a litany said again, is the author's text and a narrated edition says it each time. So before
extraction each paragraph that repeats an earlier one *beside it* (the same parent, or a parent like
the earlier one's, as a poem's stanzas are) is given a numbered mark that makes its text
differ, and the marks are taken out of trafilatura's result. A mark's word (``token``) is one the page
does not contain, so a page that prints a mark of its own keeps it. Furniture that repeats (a share bar above
and below, a teaser twice) is left to the chrome rules, which remove it wherever it is.
"""

from __future__ import annotations

import re
from typing import Any

_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt")
_LONG = 50  # trafilatura drops a repeat only when longer (its MIN_DUPLICATE_LENGTH); shorter ones need no mark


def _text(el: Any) -> str:
    return " ".join("".join(el.itertext()).split())


def _alike(a: Any, b: Any) -> bool:
    """Whether two paragraphs stand side by side in the text: one parent, or parents of one kind (stanzas)."""
    pa, pb = a.getparent(), b.getparent()
    if pa is pb:
        return True
    return (pa is not None and pb is not None and pa.tag == pb.tag and pa.get("class") == pb.get("class")
            and pa.getparent() is pb.getparent())


def _prepend(el: Any, mark: str) -> bool:
    """The mark put before the paragraph's first words, inside the element that holds them (a link's text
    stays all link: trafilatura's share of link text in the paragraph is unchanged)."""
    if (el.text or "").strip():
        el.text = mark + el.text
        return True
    for child in el:
        if isinstance(child.tag, str) and _prepend(child, mark):
            return True
        if (child.tail or "").strip():
            child.tail = mark + child.tail
            return True
    return False


def token(tree: Any) -> str:
    """A word for the marks that the page's own text does not hold."""
    text, n = "".join(tree.itertext()), 0
    while f"\u27e6narrate-repeat{n or ''}-" in text:
        n += 1
    return f"narrate-repeat{n or ''}"


def mark(tree: Any, word: str) -> Any:
    """Give each paragraph that repeats an earlier one beside it a distinct numbered mark; the tree is returned."""
    earlier: dict[str, list[Any]] = {}
    count = 0
    for el in tree.iter(*_BLOCKS):
        if any(True for _ in el.iterdescendants(*_BLOCKS)):
            continue  # the paragraphs inside are compared, not their box
        text = _text(el)
        if not text:
            continue
        if len(text) > _LONG and any(_alike(before, el) for before in earlier.get(text, ())):
            count += 1
            _prepend(el, f"\u27e6{word}-{count}\u27e7")
        earlier.setdefault(text, []).append(el)
    return tree


def unmark(text: str, word: str) -> str:
    """trafilatura's result without the marks."""
    return re.sub(f"\u27e6{re.escape(word)}-[0-9]+\u27e7", "", text)
