"""A WordPress post's shortcodes: ``[caption]`` and ``[gallery]`` become figures, the others give way.

Every pass finds all the shortcode tags once (``_shortcodes``) and pairs each closing tag with its
opening one, so a post is read in time linear in its length however its brackets nest or fail to.
A caption's or a gallery's picture takes its alt text and caption from the export's attachments.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Callable

from narrate.importing.markdown_out import text_only
from narrate.importing.model import clean_text

Attachments = dict[str, tuple[str, str]]  # attachment id → (url, alt text)
_IMG = re.compile(r"<img\b[^>]*>", re.I | re.S)
# Shortcodes that stand for media or widgets: removed with what they enclose.
_MEDIA_SHORTCODES = {"embed", "audio", "video", "gallery", "playlist", "contact-form", "contact-form-7",
                     "wpforms", "gravityform", "soundcloud", "youtube", "vimeo", "tweet", "instagram"}
# A shortcode tag: [name attrs], [name /] or [/name]. Attributes stop at the next bracket, so each
# match looks no further than the next "[" or "]" and one pass over a post is linear in its length.
_TAG = re.compile(r"\[(/?)([a-zA-Z][\w-]*)((?:[\s/][^\[\]]*)?)\]")
_ATTRS = re.compile(r"""(?:\s+[\w-]+=(?:"[^"]*"|'[^']*'|[^\s\]]+))+\s*/?|\s*/""")  # what makes [name ...] a shortcode
_URL = re.compile(r"https?://[^\s\"'<>\[\]]+")
_BLOCK_TAG = re.compile(r"<(?:p|div|h[1-6]|ul|ol|table|blockquote|figure|pre)\b", re.I)
_ATTACHMENT_ID = re.compile(r"(?:wp-image-|attachment_)(\d+)")


def _shortcodes(content: str) -> tuple[list[re.Match[str]], dict[int, int]]:
    """Every shortcode tag, and which closing tag ends each opening one: one pass, linear in the text.

    A closing ``[/name]`` ends the nearest open ``[name]`` (a stack per name); an opening tag
    never closed is left unpaired (a self-closing shortcode, or plain text such as ``[sic]``).
    """
    tags = list(_TAG.finditer(content))
    opened: dict[str, list[int]] = {}
    pairs: dict[int, int] = {}
    for index, tag in enumerate(tags):
        if tag.group(1):
            stack = opened.get(tag.group(2))
            if stack:
                pairs[stack.pop()] = index
        else:
            opened.setdefault(tag.group(2), []).append(index)
    return tags, pairs


def captions(content: str, attachments: Attachments) -> str:
    """``[caption]…[/caption]`` → a figure with its caption and alt text (the attachment's when the picture
    has none)."""
    tags, pairs = _shortcodes(content)
    out, pos, index = [], 0, 0
    while index < len(tags):
        tag = tags[index]
        if tag.group(2) in ("caption", "wp_caption") and index in pairs:
            close = tags[pairs[index]]
            out += [content[pos:tag.start()], _caption(tag.group(3), content[tag.end():close.start()], attachments)]
            pos, index = close.end(), pairs[index] + 1
            continue
        index += 1
    return "".join(out) + content[pos:]


def galleries(content: str, attachments: Attachments, captions: dict[str, str], warn: Callable[[str], None]) -> str:
    """``[gallery ids="11,12"]`` (or ``include=``) → its pictures as figures, each with its attachment's alt text
    and caption: a photo essay's gallery is the post's content. One naming no attachment in the export is left
    (removed later, with a warning)."""
    tags, pairs = _shortcodes(content)
    out, pos = [], 0
    for index, tag in enumerate(tags):
        ids = re.search(r"""\b(?:ids|include)=["']?([\d,\s]+)""", tag.group(3))
        if tag.group(1) or tag.group(2).lower() != "gallery" or index in pairs or not ids:
            continue
        named = re.findall(r"\d+", ids.group(1))
        found = [i for i in named if attachments.get(i, ("", ""))[0]]
        if found and len(found) < len(named):
            warn(f"[gallery]: attachment(s) {', '.join(i for i in named if i not in found)} not in the export, "
                 "left out")
        if found:
            out += [content[pos:tag.start()], *(_figure(attachments, captions, i) for i in found)]
            pos = tag.end()
    return "".join(out) + content[pos:]


def _figure(attachments: Attachments, captions: dict[str, str], ident: str) -> str:
    url, alt = attachments[ident]
    caption = captions.get(ident, "")
    return (f'<figure><img src="{_html.escape(url)}" alt="{_html.escape(alt)}">'
            + (f"<figcaption>{_html.escape(caption)}</figcaption>" if caption else "") + "</figure>")


def unwrap(content: str, removed: list[str], media: dict[str, list[str]] | None = None) -> str:
    """Paired shortcodes give way to what they enclose (media ones go with it); self-closing ones go.
    The addresses a media shortcode names (in its attributes or, for [embed], its content) are
    collected in ``media`` by name, for the warning."""
    media = {} if media is None else media
    tags, pairs = _shortcodes(content)
    closing = set(pairs.values())
    wrapped: set[int] = set()
    out, pos, index, depth = [], 0, 0, 0
    while index < len(tags):
        tag = tags[index]
        out.append(content[pos:tag.start()])
        pos = tag.end()
        if index in pairs:
            removed.append(tag.group(2))
            end = pairs[index]
            if tag.group(2).lower() in _MEDIA_SHORTCODES:
                media.setdefault(tag.group(2).lower(), []).extend(
                    _URL.findall(tag.group(3) + " " + content[tag.end():tags[end].start()]))
                pos, index = tags[end].end(), end + 1
                continue
            alone = tag.start() == 0 or content[tag.start() - 1] in "\n>"
            if depth == 0 and alone and not _BLOCK_TAG.search(content, tag.end(), tags[end].start()):
                out.append("<p>")
                wrapped.add(end)
            depth += 1
        elif index in closing:
            depth = max(0, depth - 1)
            out.append("</p>" if index in wrapped else "")
        elif not tag.group(1) and (_ATTRS.fullmatch(tag.group(3)) or (
                tag.group(2).lower() in _MEDIA_SHORTCODES and tag.group(3)[:1].isspace())):
            removed.append(tag.group(2))  # [audio https://…] names its media without "src=": a shortcode too
            if tag.group(2).lower() in _MEDIA_SHORTCODES:
                media.setdefault(tag.group(2).lower(), []).extend(_URL.findall(tag.group(3)))
        else:
            out.append(tag.group(0))  # not a shortcode ([sic], [/stray]): text
        index += 1
    return "".join(out) + content[pos:]


def _caption(attrs: str, inner: str, attachments: Attachments) -> str:
    """``[caption id="attachment_7"]<img ...> Text[/caption]`` → a figure with its caption and alt text."""
    img = _IMG.search(inner)
    if img is None:
        return inner
    caption = clean_text(text_only(_IMG.sub("", inner)))
    if not caption:
        found = re.search(r"""caption=["']([^"']*)["']""", attrs)
        caption = clean_text(found.group(1)) if found else ""
    tag = img.group(0)
    if not re.search(r"""\balt=["'][^"']+["']""", tag):
        ident = _ATTACHMENT_ID.search(attrs + tag)
        alt = attachments.get(ident.group(1), ("", ""))[1] if ident else ""
        tag = re.sub(r"""\s\balt=(?:"[^"]*"|'[^']*')""", "", tag)
        tag = tag[:4] + f' alt="{_html.escape(alt)}"' + tag[4:]
    return f"<figure>{tag}<figcaption>{_html.escape(caption)}</figcaption></figure>"
