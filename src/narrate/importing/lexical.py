"""Ghost 5's Lexical document (JSON) → HTML, for posts an export stores only that way.

A Lexical document is a tree: ``{"root": {"children": [...]}}`` whose nodes have a ``type``
(paragraph, heading, list, listitem, quote, link, text, linebreak, and Ghost's cards: image,
horizontalrule, codeblock, html, markdown, callout, aside, embed, bookmark...). A text node's
``format`` is a set of bit flags (1 bold, 2 italic, 4 strikethrough, 8 underline, 16 code,
32 subscript, 64 superscript). Unknown nodes keep their children's text; nothing executes:
the HTML goes through the same sanitizer as every import.
"""

from __future__ import annotations

import html as _html
import json
from typing import Any

from narrate.errors import SourceError
from narrate.sources.reader import markdown_html

MAX_DEPTH = 100
# bit → tag, outermost first
_FORMATS = ((1, "strong"), (2, "em"), (4, "s"), (8, "u"), (16, "code"), (32, "sub"), (64, "sup"))
_BLOCKS = {"paragraph": "p", "quote": "blockquote", "aside": "blockquote", "listitem": "li"}


def to_html(document: Any, where: str) -> str:
    """The document (a JSON string or already parsed) as HTML; raises SourceError if it is no Lexical tree."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except (ValueError, RecursionError) as exc:
            raise SourceError("expected a Lexical document (JSON) in 'lexical', found text that is not JSON",
                              where) from exc
    root = document.get("root") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise SourceError("expected a Lexical document ({\"root\": {...}}) in 'lexical', found other JSON", where)
    return _children(root, where, 0)


def _children(node: dict[str, Any], where: str, depth: int) -> str:
    children = node.get("children")
    if not isinstance(children, list):
        return ""
    if depth > MAX_DEPTH:
        raise SourceError(f"expected a Lexical document, found one nested more than {MAX_DEPTH} levels", where)
    return "".join(_node(child, where, depth + 1) for child in children if isinstance(child, dict))


def _str(node: dict[str, Any], key: str) -> str:
    value = node.get(key)
    return value if isinstance(value, str) else ""


def _attr(value: str) -> str:
    return _html.escape(value, quote=True)


def _node(node: dict[str, Any], where: str, depth: int) -> str:
    kind = _str(node, "type").removeprefix("extended-")
    inner = _children(node, where, depth)
    if kind == "text":
        return _text(node)
    if kind in ("linebreak", "hardbreak"):
        return "<br>"
    if kind in _BLOCKS:
        return f"<{_BLOCKS[kind]}>{inner}</{_BLOCKS[kind]}>"
    if kind == "heading":
        tag = _str(node, "tag")
        tag = tag if tag in ("h1", "h2", "h3", "h4", "h5", "h6") else "h2"
        return f"<{tag}>{inner}</{tag}>"
    if kind == "list":
        tag = "ol" if _str(node, "listType") == "number" or _str(node, "tag") == "ol" else "ul"
        return f"<{tag}>{inner}</{tag}>"
    if kind in ("link", "autolink", "at-link"):
        return f'<a href="{_attr(_str(node, "url"))}">{inner}</a>'
    return _card(kind, node, inner)


def _text(node: dict[str, Any]) -> str:
    text = _html.escape(_str(node, "text"), quote=False)
    flags = node.get("format")
    if isinstance(flags, int) and not isinstance(flags, bool):
        for bit, tag in reversed(_FORMATS):
            if flags & bit:
                text = f"<{tag}>{text}</{tag}>"
    return text


def _card(kind: str, node: dict[str, Any], inner: str) -> str:
    """Ghost's cards; anything else keeps its children's text."""
    if kind == "image":
        caption = _str(node, "caption")
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
        return (f'<figure><img src="{_attr(_str(node, "src"))}" alt="{_attr(_str(node, "alt"))}">'
                f"{figcaption}</figure>")
    if kind == "horizontalrule":
        return "<hr>"
    if kind == "codeblock":
        return f"<pre><code>{_html.escape(_str(node, 'code'), quote=False)}</code></pre>"
    if kind == "html":
        return f"<!--kg-card-begin: html-->{_str(node, 'html')}<!--kg-card-end: html-->"
    if kind == "markdown":
        return markdown_html(_str(node, "markdown"))
    if kind == "callout":
        return f"<blockquote><p>{_str(node, 'calloutText')}</p></blockquote>"
    if kind == "bookmark":
        url = _str(node, "url")
        meta = node.get("metadata") if isinstance(node.get("metadata"), dict) else {}
        title = meta.get("title") if isinstance(meta.get("title"), str) else url
        return f'<p><a href="{_attr(url)}">{_html.escape(title, quote=False)}</a></p>' if url else ""
    return f"<div>{inner}</div>" if inner else ""
