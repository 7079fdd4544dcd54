"""A heading drawn with a styled ``<span>`` kept through trafilatura.

How-to and recipe pages often head each step with an inline element styled as a block ("Step 1",
"What You'll Need:") at the top of the step's box, above the step's paragraph or list. trafilatura keeps
text only from paragraphs, lists and headings, so those lines were lost and the steps ran together. Such a
label is made a paragraph of its own before extraction: short, the first thing in its box (nothing but
spaces before or after it), with the paragraph, list or table it heads right after it.
"""

from __future__ import annotations

from typing import Any

_INLINE = ("span", "strong", "b")
_BOXES = {"div", "section", "article"}
_HEADED = {"p", "ul", "ol", "dl", "table"}
_MAX_WORDS = 8


def _words(el: Any) -> list[str]:
    return "".join(el.itertext()).split()


def _a_label(el: Any) -> bool:
    box, after = el.getparent(), el.getnext()
    if box is None or box.tag not in _BOXES or box.index(el) != 0 or (box.text or "").strip():
        return False
    if after is None or after.tag not in _HEADED or (el.tail or "").strip() or not _words(after):
        return False
    if any(isinstance(child.tag, str) and child.tag not in _INLINE for child in el.iter()):
        return False  # a picture, a link or a block inside: not a plain line of words
    return 0 < len(_words(el)) <= _MAX_WORDS


def as_paragraphs(tree: Any) -> None:
    """Each label heading a step (see the module's description) becomes a ``<p>``."""
    for el in [el for el in tree.iter(*_INLINE) if _a_label(el)]:
        el.tag = "p"
        for name in list(el.attrib):
            del el.attrib[name]
