"""Clean article HTML → the Markdown narrate's reader accepts, and the front matter above it.

HTML is sanitized with nh3 (the same library the reader uses for raw HTML),
normalized with lxml (figures become an image whose title is its caption,
which the reader turns back into a figure; empty headings go; headings are
shifted so the top level is ``##``, which starts a section), and written as
Markdown by markdownify. The front matter ends with ``imported_sha256``: the
SHA-256 of the file without that line, so a later import can tell a file it
wrote from one edited by hand.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from markdownify import MarkdownConverter

from narrate.importing.media import ImageMissing, Media
from narrate.importing.model import Article, clean_text
from narrate.sources.frontmatter import dump
from narrate.sources.reader import html_text, sanitize_html

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code",
    "em", "i", "strong", "b", "sup", "sub", "a", "img", "figure", "figcaption", "table", "thead", "tbody",
    "tfoot", "tr", "th", "td", "caption", "div", "section", "span", "q", "cite", "abbr", "small", "mark", "s",
    "del", "ins", "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "title", "class"}, "figure": {"class"}, "div": {"class"},
    "p": {"class"}, "span": {"class"}, "ol": {"start"}, "th": {"align"}, "td": {"align"},
}
# Elements whose content is never article text: dropped with their content.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "noscript", "template", "svg", "math", "object", "embed",
                        "form", "button", "select", "textarea", "video", "audio", "canvas", "nav"}
HASH_KEY = "imported_sha256"
_HASH_LINE = re.compile(rf"^{HASH_KEY}: ([0-9a-f]{{64}})\n", re.M)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_PARENTS = {"div", "section", "figure", "blockquote", "body", "li", "td", "th", "dd"}


def sanitize(html: str) -> str:
    """Keep the article's structure, drop everything executable or presentational (nh3, via the reader)."""
    return sanitize_html(html, ALLOWED_TAGS, ALLOWED_ATTRIBUTES, DROPPED_WITH_CONTENT)


def text_only(html: str) -> str:
    """What the reader keeps of a raw-HTML block: its text, with every tag removed."""
    return html_text(html)


@dataclass
class Rendered:
    body: str
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, bytes)


def _md(html: str) -> str:
    text = MarkdownConverter(heading_style="ATX", bullets="-", escape_misc=True, newline_style="backslash",
                      table_infer_header=True, strong_em_symbol="*",
                      bs4_options="lxml").convert(html)
    lines = [_unescape_numbers(line.rstrip()) for line in text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


_LIST_START = re.compile(r"^(\s*(?:>\s*)*\d+)\\\.")


def _unescape_numbers(line: str) -> str:
    """markdownify escapes every "1989." against lists; only a number opening a line can start one."""
    start = _LIST_START.match(line)
    head, rest = (line[: start.end()], line[start.end():]) if start else ("", line)
    return head + re.sub(r"(?<=\d)\\\.", ".", rest)


def render_body(article: Article, media: Media, page: Path | None, image_dir: str,
                warn: Callable[[str], None]) -> Rendered:
    """The article's Markdown body; its images are loaded into ``Rendered.images``."""
    root = lxml_html.fragment_fromstring(sanitize(article.html) or "<p></p>", create_parent="div")
    _figures(root)
    _drop_repeats(root, article.fields.get("title", ""), article.fields.get("subtitle", ""),
                  str(article.fields.get("date") or ""))
    _headings(root)
    _links(root, article.base_url)
    rendered = Rendered("")
    _images(root, article, media, page, image_dir, rendered, warn)
    _drop_empty_sections(root)  # again: a section of pictures that could not be had is empty now
    _wrap_images(root)
    rendered.body = _md(etree.tostring(root, encoding="unicode", method="html"))
    return rendered


def _figures(root: Any) -> None:
    xpath = ('.//figure | .//div[contains(concat(" ", normalize-space(@class), " "), " wp-caption ")]')
    for fig in reversed(root.xpath(xpath)):  # innermost first
        images = fig.xpath(".//img")
        if not images:
            fig.drop_tag()
            continue
        captions = fig.xpath('.//figcaption | .//*[contains(@class, "caption-text")]')
        caption = clean_text(" ".join(c.text_content() for c in captions))
        for c in captions:
            c.drop_tree()
        parent = fig.getparent()
        index = parent.index(fig)
        new = []
        for img in images:
            if caption and len(images) == 1:
                img.set("title", caption)
            p = lxml_html.Element("p")
            img.tail = None
            p.append(img)
            new.append(p)
        if caption and len(images) > 1:
            p = lxml_html.Element("p")
            p.text = caption
            new.append(p)
        rest = clean_text(fig.text_content())
        if rest:  # text beside the images (a pull quote inside a figure...) stays
            for img in fig.xpath(".//img"):
                img.drop_tree()
            holder = lxml_html.Element("div")
            holder.extend(list(fig))
            holder.text = fig.text
            new.append(holder)
        tail = fig.tail
        parent.remove(fig)
        for offset, element in enumerate(new):
            parent.insert(index + offset, element)
        if tail and tail.strip():
            new[-1].tail = tail


def _is_text_empty(el: Any) -> bool:
    return not clean_text(el.text_content()) and not el.xpath(".//img")


def _drop_repeats(root: Any, title: str, subtitle: str, date: str = "") -> None:
    """The title (and the dek, and the date line, when they open the body) are in the front matter; the body
    need not repeat them."""
    def norm(text: str) -> str:
        return re.sub(r"\W+", " ", text).strip().lower()

    blocks = ".//*[" + " or ".join(f"self::{t}" for t in (*_HEADINGS, "p", "ul", "ol", "table", "blockquote")) + "]"
    for _ in range(3):
        # Blocks with words are read lazily: only the first matters, and the next ones only for a dek (reading
        # every block's text first was quadratic in the nesting of a long page).
        found = (el for el in root.xpath(blocks) if not _is_text_empty(el))
        first = next(found, None)
        if first is None:
            return
        text = norm(first.text_content())
        if first.tag in _HEADINGS and text == norm(title):
            first.drop_tree()
        elif first.tag == "p" and _is_dateline(first.text_content(), date):
            first.drop_tree()
        elif subtitle and first.tag == "p" and text == norm(subtitle) and any(
                el.tag not in _HEADINGS and first not in el.iterancestors() for el in found):
            first.drop_tree()  # a dek repeated above the text; never the text itself (a post all excerpt)
        else:
            return  # nothing dropped: the next round would find the same first block


_MONTHS = {name: n for n, names in enumerate(
    ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
     "sep sept september", "oct october", "nov november", "dec december"), start=1) for name in names.split()}
_DATE_WORDS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "wed",
               "thu", "fri", "sat", "sun", "at", "am", "pm", "a", "p", "m", "utc", "gmt", "bst", "cet", "cest",
               "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "uhr", "um"}


def _is_dateline(text: str, date: str) -> bool:
    """Whether the line is nothing but the article's date (``date``, YYYY-MM-DD), with its time or weekday."""
    words = re.findall(r"[^\W\d]+|\d+", text.lower())
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date[:10]) or not words or len(text) > 60:
        return False
    year, month, day = (int(part) for part in date[:10].split("-"))
    numbers = {int(w) for w in words if w.isdigit()}
    named = {_MONTHS[w] for w in words if w in _MONTHS}
    if any(not w.isdigit() and w not in _MONTHS and w not in _DATE_WORDS for w in words):
        return False
    return year in numbers and day in numbers and (month in named or (not named and month in numbers))


def _headings(root: Any) -> None:
    for h in root.xpath("|".join(f".//{tag}" for tag in _HEADINGS)):
        if _is_text_empty(h):
            h.drop_tree()
    _drop_empty_sections(root)
    levels = [int(h.tag[1]) for h in root.xpath("|".join(f".//{tag}" for tag in _HEADINGS))]
    if not levels:
        return
    shift = 2 - min(levels)
    for h in root.xpath("|".join(f".//{tag}" for tag in _HEADINGS)):
        h.tag = f"h{max(2, min(6, int(h.tag[1]) + shift))}"


def _drop_empty_sections(root: Any) -> None:
    """A heading with nothing under it before the next heading of its level or higher (its section
    emptied when the page's chrome was removed: "Further Reading" over a list of links that went)
    would be an empty chapter in the editions: it goes, and so does a heading whose subsections
    are all empty."""
    items: list[tuple[Any, int]] = []  # (heading, level) or (None, 0) for a piece of content, in reading order
    for el in root.iter():
        if any(a.tag in _HEADINGS for a in el.iterancestors()):
            continue  # the heading's own words
        if not isinstance(el.tag, str):
            if el.tail and el.tail.strip():
                items.append((None, 0))
            continue
        if el.tag in _HEADINGS:
            items.append((el, int(el.tag[1])))
        elif el.tag == "img" or (el.text and el.text.strip()):
            items.append((None, 0))
        if el.tail and el.tail.strip() and el is not root:
            items.append((None, 0))
    # Read backwards: seen[l] says whether content came after the last heading of level l or higher
    # (which ends a level-l section). One pass, six flags: linear however many headings a page has.
    seen = [False] * 7
    for head, level in reversed(items):
        if head is None:
            seen = [True] * 7
            continue
        if not seen[level]:
            head.drop_tree()
        for deeper in range(level, 7):
            seen[deeper] = False


def _links(root: Any, base_url: str) -> None:
    for a in root.xpath(".//a"):
        href = (a.get("href") or "").strip()
        if href and base_url and not href.startswith("#"):
            href = urllib.parse.urljoin(base_url, href)
        if not href.lower().startswith(("http://", "https://", "mailto:")):
            a.drop_tag()  # a link narrate cannot follow keeps its text
        else:
            a.set("href", href)


def _images(root: Any, article: Article, media: Media, page: Path | None, image_dir: str,
            rendered: Rendered, warn: Callable[[str], None]) -> None:
    names: set[str] = set()
    loaded: dict[str, str] = {}
    for img in root.xpath(".//img"):
        src = (img.get("src") or "").strip()
        img.attrib.pop("class", None)
        if src in loaded:
            img.set("src", loaded[src])
            continue
        try:
            image = media.load(src, page=page, base_url=article.base_url)
        except ImageMissing as exc:
            warn(f"{article.where}: image {src[:200]!r} left out of '{article.slug}': {exc}")
            caption = img.get("title") or ""
            if caption:
                span = lxml_html.Element("span")
                span.text = caption
                span.tail = img.tail
                img.getparent().replace(img, span)
            else:
                img.drop_tree()
            continue
        name = image_name(src, image.ext, names)
        names.add(name)
        rendered.images.append((name, image.data))
        loaded[src] = f"{image_dir}/{name}"
        img.set("src", loaded[src])
        img.set("alt", clean_text(img.get("alt")))


def image_name(src: str, ext: str, taken: set[str]) -> str:
    stem = Path(urllib.parse.unquote(urllib.parse.urlsplit(src).path)).stem.lower()
    stem = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-")[:60] or "image"
    name, n = f"{stem}{ext}", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}{ext}"
    return name


def _wrap_images(root: Any) -> None:
    """An image standing alone between blocks becomes its own paragraph (a figure, to the reader)."""
    for img in root.xpath(".//img"):
        parent = img.getparent()
        if parent is not None and parent.tag in _BLOCK_PARENTS:
            p = lxml_html.Element("p")
            parent.replace(img, p)
            p.tail, img.tail = img.tail, None
            p.append(img)


# ------------------------------------------------------------------ the file


def render_file(fields: dict[str, Any], body: str) -> str:
    """Front matter + body, with ``imported_sha256`` as the front matter's last line."""
    clean = {k: v for k, v in fields.items() if v not in (None, "", [], ())}
    front = dump(clean)
    unhashed = f"---\n{front}---\n\n{body}"
    digest = hashlib.sha256(unhashed.encode("utf-8")).hexdigest()
    return f"---\n{front}{HASH_KEY}: {digest}\n---\n\n{body}"


def imported_unchanged(text: str) -> bool | None:
    """True if ``text`` is exactly what an import wrote; False if edited since; None if never imported."""
    end = text.find("\n---", 3)
    found = _HASH_LINE.search(text, 0, end + 1 if end > 0 else len(text))
    if not text.startswith("---\n") or found is None:
        return None
    unhashed = text[: found.start()] + text[found.end():]
    return hashlib.sha256(unhashed.encode("utf-8")).hexdigest() == found.group(1)


def source_url_of(text: str) -> str:
    found = re.search(r"^source_url: ['\"]?(\S+?)['\"]?$", text[: text.find("\n---", 3) + 1], re.M)
    return found.group(1) if found else ""
