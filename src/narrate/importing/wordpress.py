"""A WordPress export (WXR 1.x) → Articles, streamed.

The export is read with defusedxml's hardened expat parser (a DTD may be
declared, but entity declarations and external references are refused) fed
in chunks through ``XMLPullParser``: each ``<item>`` is turned into an
Article and then dropped, so memory stays flat whatever the export's size.
A first pass collects attachments (id → address, alt text), authors and the
site's name and language; the second converts posts.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html as _html
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from narrate.errors import SourceError
from narrate.importing import wp_shortcodes
from narrate.importing.markdown_out import text_only
from narrate.importing.model import Article, clean_text, slug_of

CHUNK = 1 << 16
_HTML_OPEN = re.compile(r"<!--\s*wp:html\b[^>]*-->")
_HTML_CLOSE = re.compile(r"<!--\s*/wp:html\s*-->")
# Block comments hold JSON, in which WordPress writes "<" as \u003c: stopping at "<" keeps this linear.
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[^<]*?-->", re.S)


@dataclass
class Site:
    title: str = ""
    link: str = ""
    language: str = ""
    authors: dict[str, str] = field(default_factory=dict)  # login → display name
    attachments: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (url, alt)
    captions: dict[str, str] = field(default_factory=dict)  # attachment id → its caption (its excerpt)
    items: int = 0


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ns(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


class _LineBuilder(ET.TreeBuilder):
    """Records the line where each <item> starts, for messages."""

    def __init__(self) -> None:
        super().__init__()
        self.expat: Any = None

    def start(self, tag, attrs):  # type: ignore[no-untyped-def]
        element = super().start(tag, attrs)
        if self.expat is not None and _local(tag) == "item":
            element.set("_line", str(self.expat.CurrentLineNumber))
        return element


def _events(path: Path, where: str) -> Iterator[tuple[str, ET.Element, ET.Element | None]]:
    """(``"channel"``, element, None) for channel fields and (``"item"``, element, None) per item."""
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    builder.expat = parser.parser
    pull = ET.XMLPullParser(events=("start", "end"), _parser=parser)  # type: ignore[call-arg]
    stack: list[ET.Element] = []
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                pull.feed(chunk)
                yield from _drain(pull, stack)
            pull.close()
            yield from _drain(pull, stack)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise SourceError(f"expected well-formed XML (a WordPress export), found: {_reason(exc)}",
                          where, line) from exc
    except DefusedXmlException as exc:
        raise SourceError(f"the export declares XML entities or external references ({type(exc).__name__}); "
                          "refused, since they can expand without bound or read other files",
                          where, _first_line(path, b"<!ENTITY")) from exc
    except OSError as exc:
        raise SourceError(f"cannot read the export: {exc.strerror or exc}", where) from exc


def _reason(exc: ET.ParseError) -> str:
    return re.sub(r": line \d+, column \d+$", "", str(exc))


def _first_line(path: Path, needle: bytes) -> int | None:
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    index = head.find(needle)
    return head.count(b"\n", 0, index) + 1 if index >= 0 else None


def _drain(pull: ET.XMLPullParser, stack: list[ET.Element]) -> Iterator[tuple[str, ET.Element, None]]:
    for event, element in pull.read_events():
        if event == "start":
            stack.append(element)  # type: ignore[arg-type]
            continue
        stack.pop()
        parent = stack[-1] if stack else None
        if parent is not None and _local(parent.tag) == "channel":
            yield ("item" if _local(element.tag) == "item" else "channel"), element, None  # type: ignore[misc]
            parent.remove(element)  # type: ignore[arg-type]  # flat memory: done with it


def _child(item: ET.Element, name: str, ns_part: str = "") -> str:
    for child in item:
        if _local(child.tag) == name and (not ns_part or ns_part in _ns(child.tag)):
            return child.text or ""
    return ""


def _postmeta(item: ET.Element) -> dict[str, str]:
    meta = {}
    for child in item:
        if _local(child.tag) == "postmeta":
            meta[_child(child, "meta_key")] = _child(child, "meta_value")
    return meta


def scan(path: Path, where: str) -> Site:
    """Pass one: the site, its authors and attachments. Raises SourceError if this is no WXR."""
    site = Site()
    seen_rss = False
    for kind, element, _ in _events(path, where):
        seen_rss = True
        name = _local(element.tag)
        if kind == "channel":
            if name in ("title", "link", "language") and not _ns(element.tag):
                setattr(site, name, clean_text(element.text))
            elif name == "author":
                site.authors[_child(element, "author_login")] = clean_text(_child(element, "author_display_name"))
            continue
        site.items += 1
        if _child(element, "post_type") == "attachment":
            alt = _postmeta(element).get("_wp_attachment_image_alt", "")
            site.attachments[_child(element, "post_id")] = (_child(element, "attachment_url"), clean_text(alt))
            site.captions[_child(element, "post_id")] = clean_text(text_only(_child(element, "encoded", "excerpt")))
    if not seen_rss:
        raise SourceError("expected a WordPress export (<rss><channel>...), found an empty XML document", where)
    return site


def articles(path: Path, where: str, site: Site, *, drafts: bool, pages: bool, kind: str,
             warn: Callable[[str], None], scheduled: bool = False, protected: bool = False,
             skip: Callable[[str, str], None] | None = None) -> Iterator[Article]:
    """Pass two: one Article per post (and page, draft) to import, in export order.

    Scheduled posts (``future``) come only with ``scheduled``; a password-protected post only
    with ``protected`` (it must never reach a public edition unasked): ``skip(where, why)`` is
    told of each such post left out.
    """
    statuses = {"publish"} | ({"draft", "pending"} if drafts else set()) | ({"future"} if scheduled else set())
    types = {"post"} | ({"page"} if pages else set())
    for item_kind, item, _ in _events(path, where):
        if item_kind != "item":
            continue
        if _child(item, "post_type") not in types:
            continue
        status = _child(item, "status")
        if status not in statuses:
            if status == "future" and skip is not None:
                skip(_label(item, where), "scheduled (--scheduled imports it)")
            continue
        if _child(item, "post_password").strip() and not protected:
            if skip is not None:
                skip(_label(item, where), "password-protected (--protected imports it)")
            continue
        yield _article(item, where, site, kind, warn)


def _label(item: ET.Element, where: str) -> str:
    line = item.get("_line")
    title = clean_text(_html.unescape(_child(item, "title")))
    return f"{where}:{line} (post {_child(item, 'post_id')} '{title}')" if line else f"{where} (post {title!r})"


def _article(item: ET.Element, where: str, site: Site, kind: str, warn: Callable[[str], None]) -> Article:
    post_id = _child(item, "post_id")
    line = item.get("_line")
    title = clean_text(_html.unescape(_child(item, "title")))
    here = f"{where}:{line}" if line else where
    slug = slug_of(urllib.parse.unquote(_child(item, "post_name")), title, fallback=post_id)
    if not title:
        title = f"Untitled ({slug})"
        warn(f"{here}: post {post_id} has no title; imported as {title!r}")
    label = f"post {post_id} '{title}'"
    content = _child(item, "encoded", "content")
    excerpt = clean_text(text_only(_child(item, "encoded", "excerpt")))
    html = clean_content(content, site, lambda message: warn(f"{here}: {label}: {message}"))
    categories, tags = [], []
    for child in item:
        if _local(child.tag) == "category":
            name = clean_text(_html.unescape(child.text or ""))
            domain = child.get("domain")
            if domain == "category" and name and name.lower() != "uncategorized":
                categories.append(name)
            elif domain == "post_tag" and name:
                tags.append(name)
    creator = _child(item, "creator")
    link = clean_text(_child(item, "link"))
    thumbnail = site.attachments.get(_postmeta(item).get("_thumbnail_id", ""), ("", ""))[0]
    fields: dict[str, Any] = {
        "title": title,
        "subtitle": excerpt,
        "author": site.authors.get(creator) or clean_text(creator),
        "publisher": site.title,
        "date": date_of(_child(item, "post_date")),
        "language": site.language if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", site.language) else "",
        "kind": kind if kind != "article" else "",
        "tags": list(dict.fromkeys(categories + tags)),
        "source_url": link if link.startswith(("http://", "https://")) else "",
    }
    return Article(slug=slug, fields=fields, html=html, where=f"{here} ({label})", base_url=site.link,
                   cover_url=thumbnail, in_export=True)


def date_of(value: str) -> dt.date | None:
    try:
        date = dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
    return date if date.year > 1 else None


def clean_content(content: str, site: Site, warn: Callable[[str], None]) -> str:
    """Post content → HTML: block comments out, raw-HTML blocks reduced to text, shortcodes handled."""
    def raw_block(inner: str) -> str:
        text = text_only(inner)
        warn("a raw-HTML block was reduced to its text (its tags were removed)")
        return f"<p>{_html.escape(text)}</p>" if text else ""

    classic = "<!-- wp:" not in content
    content = _raw_blocks(content, raw_block)
    content = _BLOCK_COMMENT.sub("", content)
    if classic:
        content = autop(content)
    content = wp_shortcodes.captions(content, site.attachments)
    content = wp_shortcodes.galleries(content, site.attachments, site.captions, warn)
    removed: list[str] = []
    media: dict[str, list[str]] = {}
    content = wp_shortcodes.unwrap(content, removed, media)
    for name in dict.fromkeys(removed):
        urls = list(dict.fromkeys(media.get(name.lower(), [])))
        named = f" (its media: {', '.join(u[:200] for u in urls[:5])})" if urls else ""
        warn(f"shortcode [{name}] is not supported and was removed{named}")
    return content


def _raw_blocks(content: str, replace: Callable[[str], str]) -> str:
    """Each ``<!-- wp:html -->…<!-- /wp:html -->`` block replaced; the end of each is found by bisection
    among all the ends, so a post full of unclosed openings costs a single pass, not one per opening."""
    closes = list(_HTML_CLOSE.finditer(content))
    starts = [close.start() for close in closes]
    out, pos = [], 0
    for opening in _HTML_OPEN.finditer(content):
        if opening.start() < pos:
            continue  # inside the block just replaced
        index = bisect.bisect_left(starts, opening.end())
        if index == len(closes):
            break
        out += [content[pos:opening.start()], replace(content[opening.end():closes[index].start()])]
        pos = closes[index].end()
    return "".join(out) + content[pos:]


def autop(content: str) -> str:
    """The classic editor stores paragraphs as text separated by blank lines (WordPress adds <p> when showing it)."""
    out = []
    for chunk in re.split(r"\n\s*\n", content.replace("\r\n", "\n")):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith("[caption") or re.match(r"<(?:p|div|h[1-6]|ul|ol|table|blockquote|figure|pre|hr)\b",
                                                     chunk, re.I):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n".join(out)
