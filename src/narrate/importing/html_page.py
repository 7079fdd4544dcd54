"""A saved web page (or one fetched from a URL) → an Article.

trafilatura finds the article inside the site's chrome (navigation, share
buttons, author boxes, forms, related posts, comments) and reads the page's
metadata (meta tags, OpenGraph, JSON-LD). Two things it normalizes away are
read from the page directly: the author as the page writes it (trafilatura
drops the periods of initials) and the page's language. Figure captions are
moved onto their image's ``title`` before extraction, since trafilatura keeps
an image's title but not a ``<figcaption>``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.core import determine_returnstring
from trafilatura.settings import Document, Extractor, use_config

from narrate.errors import SourceError
from narrate.importing import boilerplate, labels, markup, repeats
from narrate.importing.markdown_out import text_only
from narrate.importing.model import Article, clean_text, slug_of, slugify

_LABEL = re.compile(r"^\s*(?:dek|standfirst|subtitle|summary|description|excerpt|teaser)\s*[:|–—-]\s*", re.I)
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)
# trafilatura's XML → HTML tag names
_XML_TAGS = {"list": "ul", "item": "li", "quote": "blockquote", "graphic": "img", "ref": "a", "lb": "br",
             "row": "tr", "main": "div", "doc": "div", "del": "del"}
# Less text than this is a menu or a form, not an article (trafilatura's default accepts one word).
MIN_ARTICLE_CHARS = 100
_CONFIG = use_config()
_CONFIG.set("DEFAULT", "MIN_OUTPUT_SIZE", str(MIN_ARTICLE_CHARS))
_SHORT_CONFIG = use_config()  # a short article is still one: tried when nothing that long was found
_SHORT_CONFIG.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
_CDATA = re.compile(r"^\s*(?://|/\*)?\s*<!\[CDATA\[(?:\s*\*/)?|(?://|/\*)?\s*\]\]>(?:\s*\*/)?\s*$")
# Words of a site's interface that a byline heuristic takes for an author.
_NOT_NAMES = {"username", "user name", "password", "authority control", "admin", "administrator", "author",
              "authors", "by", "staff", "editor", "editors", "contributor", "contributors", "guest", "anonymous",
              "unknown", "home", "navigation", "main menu", "account", "my account", "profile", "comments",
              "read more", "advertisement", "newsletter", "contact", "contact us", "about", "about us",
              "privacy policy", "terms of use", "cookie settings", "all rights reserved", "more", "close",
              "external links", "references", "see also", "categories", "tags", "edit", "view source",
              "history", "talk", "tools", "print", "permalink"}
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)", re.I)  # a link to a picture's larger copy
_HI = {"#i": "em", "#b": "strong", "#u": "em", "#t": "code", "#sub": "sub", "#sup": "sup"}


def decode(data: bytes, where: str, charset: str = "") -> str:
    """A byte order mark first, then the HTTP header's charset, then UTF-8, then the page's <meta charset>."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong header: what the page says of itself may be right
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        declared = _CHARSET.search(data[:4096])
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(f"expected UTF-8 (or the page's declared charset), found the byte "
                          f"0x{data[exc.start]:02x}", where, line) from exc


def read_page(data: bytes, where: str, *, page: Path | None = None, url: str = "", charset: str = "") -> Article:
    """``where`` names the page in messages; ``page`` is its file (images beside it), ``url`` its address,
    ``charset`` what its server said of its encoding."""
    text = decode(data, where, charset)
    try:
        tree = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise SourceError(f"expected an HTML page, found text lxml cannot parse ({exc})", where, 1) from exc
    markup.empty_void_elements(tree)
    markup.layout_tables_as_boxes(tree)
    markup.blank_inlines_as_spaces(tree)
    markup.stray_captions_into_figures(tree)
    page_text = clean_text(" ".join(tree.itertext()))  # before trafilatura, which removes bylines from the tree
    meta = trafilatura.extract_metadata(tree, default_url=url or None)
    _captions_to_titles(tree)
    _spaces_into_inlines(tree)
    _box_loose_text(tree)
    labels.as_paragraphs(tree)
    warnings: list[str] = []
    word = repeats.token(tree)
    xml = _extract(repeats.mark(copy.deepcopy(tree), word), url, _CONFIG, word) or _extract(
        _without_chrome(repeats.mark(copy.deepcopy(tree), word)), url, _SHORT_CONFIG, word)
    if not xml:
        raise SourceError("expected an article in the page, found none (only navigation, forms or no text)", where)
    body, removed = boilerplate.clean(_xml_to_html(xml))
    length = len(clean_text(text_only(body)))
    if length < MIN_ARTICLE_CHARS:
        warnings.append(f"a short article ({length} characters): check that it is the whole text")
    if removed:
        warnings.append(f"removed {len(removed)} line(s) of the site's interface: "
                        + "; ".join(repr(r[:60]) for r in removed[:5]) + (" ..." if len(removed) > 5 else ""))
    source_url = (meta.url if meta and meta.url else "") or url
    title, origin = _title(tree, meta, body, where, url)
    if origin:
        warnings.append(f"no title in the page (<title>, og:title or <h1>); titled {title!r} from {origin}")
    stem = "" if url else urllib.parse.unquote(Path(where).stem)
    slug = slug_of(_slug_from(source_url), _slug_from(url), stem, title, fallback=where)
    fields: dict[str, Any] = {"title": title}
    fields["subtitle"] = _LABEL.sub("", clean_text(meta.description if meta else ""))
    authors = [a for a in _authors(tree) or _as_written(meta.author if meta else "", page_text) if _a_name(a)]
    if len(authors) == 1:
        fields["author"] = authors[0]
    elif authors:
        fields["authors"] = authors
    fields["publisher"] = clean_text(meta.sitename if meta else "")
    fields["date"] = _date(meta.date if meta else None)
    fields["language"] = _language(tree, meta)
    fields["tags"] = _tags(meta)
    fields["source_url"] = source_url
    return Article(slug=slug, fields=fields, html=body, where=where, base_url=url or source_url,
                   warnings=warnings)


def _extract(tree: Any, url: str, config: Any, word: str) -> str | None:
    """trafilatura's article as its XML. ``trafilatura.extract`` without its last step: for XML it hashes the
    whole text into a fingerprint attribute (a tenth of its time), which ``_xml_to_html`` drops."""
    options = Extractor(config=config, output_format="xml", images=True, tables=True, links=True,
                        formatting=True, comments=False, dedup=False, url=url or None)
    document = trafilatura.bare_extraction(tree, options=options)
    if not isinstance(document, Document):
        return None
    xml = determine_returnstring(document, options)
    return repeats.unmark(xml, word) if xml else xml


def _without_chrome(tree: Any) -> Any:
    """The page without its navigation, header, footer, asides and forms: what a short article is looked for in
    (trafilatura, allowed a few words, would take a menu's)."""
    for el in tree.xpath('//nav | //header | //footer | //aside | //form | //menu | //*[@role="navigation"]'
                         ' | //*[@role="banner"] | //*[@role="contentinfo"] | //*[@role="complementary"]'):
        if el.getparent() is not None:
            el.drop_tree()
    return tree


def _title(tree: Any, meta: Any, body: str, where: str, url: str) -> tuple[str, str]:
    """(the title, "" or where it came from when the page names none: its first heading, its address, its file)."""
    title = clean_text(meta.title if meta else "") or clean_text(tree.findtext(".//title"))
    named = _named_heading(tree, body, title)
    if named:
        return named, ""  # trafilatura took a section's <h1>; the page's <title> names the article's heading
    if title:
        return title, ""
    for xpath in ("//h1", "//h2", "//h3"):
        for heading in tree.xpath(xpath):
            text = clean_text(heading.text_content())
            if text:
                return text, "its first heading"
    source = url or where
    name = urllib.parse.unquote(Path(urllib.parse.urlsplit(source).path if url else source).stem)
    name = clean_text(re.sub(r"[-_]+", " ", name))
    if name and name.lower() not in ("index", "default"):
        return name[:1].upper() + name[1:], "its address" if url else "its file name"
    first = clean_text(text_only(body))
    return " ".join(first.split()[:8]), "its first words"


def _named_heading(tree: Any, body: str, title: str) -> str:
    """A heading of the article (or of the page) that the page's ``<title>`` names, alone or beside the site's name
    ("The harbour wall is finished - Harbour News"), as the heading writes it, when ``title`` is none of the
    ``<title>``'s parts; or ""."""
    def norm(text: str) -> str:
        return re.sub(r"\W+", " ", text).strip().lower()
    parts = [norm(p) for p in re.split(r"\s+[|\-–—:·»]+\s+", clean_text(tree.findtext(".//title") or ""))]
    parts = [p for p in parts if len(p.split()) >= 2]
    if not parts or not body.strip() or norm(title) in parts:
        return ""
    root = lxml_html.fragment_fromstring(body, create_parent="div")
    headings = "|".join(f".//h{n}" for n in range(1, 7))
    # The article's headings first, then the page's: a headline in a box of its own above the text, which
    # trafilatura left out of the article (and took a sidebar's lone <h1> for the title instead).
    for heading in [*root.xpath(headings), *tree.xpath(headings)]:
        text = clean_text(heading.text_content())
        if norm(text) in parts:
            return text
    return ""


_INLINE = {"a", "span", "b", "strong", "i", "em", "u", "small", "code", "abbr", "cite", "mark", "time", "sup", "sub"}


def _spaces_into_inlines(tree: Any) -> None:
    """The space between two inline elements (``<a>Truro</a> <a>Bodmin</a>``) moved inside the first:
    trafilatura drops a tail that is only whitespace, which glued the words ("TruroBodmin")."""
    for el in tree.iter(*_INLINE):
        after = el.getnext()
        if el.tail and not el.tail.strip() and after is not None and after.tag in _INLINE:
            last = el
            while len(last) and isinstance(last[-1].tag, str) and not (last[-1].tail or "").strip():
                last = last[-1]  # the innermost last element, whose text ends the words (<a><b>Truro</b></a>)
            if len(last):  # the words end in the tail of its last child (<span><a>4</a>. preflight</span>)
                last[-1].tail = (last[-1].tail or "") + " "
                el.tail = None
            elif last.tag in _INLINE:
                last.text = (last.text or "") + " "
                el.tail = None


def _box_loose_text(tree: Any) -> None:
    """A page whose paragraphs stand in ``<body>`` itself, in no box, has them put into an ``<article>``:
    trafilatura, finding no article's box, gathers only the paragraphs and loses the headings between them."""
    body = tree.find("body")
    if body is None:
        return
    loose = sum(len(clean_text(p.text_content())) for p in body.findall("p"))
    if loose * 2 <= sum(len(clean_text(p.text_content())) for p in body.iter("p")):
        return
    article = lxml_html.Element("article")
    article.text, body.text = body.text, None
    article.extend(list(body))
    body.append(article)


def _captions_to_titles(tree: Any) -> None:
    xpath = '//figure | //div[contains(concat(" ", normalize-space(@class), " "), " wp-caption ")]'
    for fig in tree.xpath(xpath):
        images = fig.xpath(".//img")
        captions = fig.xpath('.//figcaption | .//*[contains(@class, "caption-text")]')
        if len(images) == 1:
            _plain_wrappers(fig, images[0])
        if len(images) == 1 and captions:
            caption = clean_text(" ".join(c.text_content() for c in captions))
            if caption and not images[0].get("title"):
                images[0].set("title", caption)
            for c in captions:
                c.drop_tree()


def _plain_wrappers(fig: Any, img: Any) -> None:
    """A figure's one picture is its content: the classes of the boxes between the figure and the picture (a
    gallery's "gallery-icon", an image's "attachment-thumbnail") are styling, not the site's furniture,
    and trafilatura, which discards by such names, would drop the picture with them. A picture that links to
    another page (a teaser, an advertisement) is left as it is."""
    ancestors = list(img.iterancestors())
    boxes = [img, *ancestors[:ancestors.index(fig)]]  # the picture and the boxes around it, inside the figure
    if any(box.tag == "a" and not _IMAGE_FILE.search(box.get("href") or "") for box in boxes):
        return
    for box in boxes:
        for attr in ("class", "id"):
            box.attrib.pop(attr, None)


def _xml_to_html(xml: str) -> str:
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    for comments in root.findall("comments"):
        root.remove(comments)
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        rend = el.attrib.pop("rend", "")
        if tag == "graphic" and el.text:  # trafilatura puts the words after a picture with no src inside it
            el.tail, el.text = el.text + (el.tail or ""), None
        if tag == "head":
            el.tag = rend if re.fullmatch(r"h[1-6]", rend or "") else "h2"
        elif tag == "list":
            el.tag = "ol" if rend == "ol" else "ul"
        elif tag == "hi":
            el.tag = _HI.get(rend, "span")
        elif tag == "ref":
            el.tag = "a"
            el.attrib["href"] = el.attrib.pop("target", "")
        elif tag == "cell":
            el.tag = "th" if el.attrib.pop("role", "") == "head" else "td"
        elif tag == "code" and el.getparent() is not None and el.getparent().tag in ("main", "doc"):
            el.tag = "pre"
        elif tag in _XML_TAGS:
            el.tag = _XML_TAGS[tag]
        elif tag not in ("p", "table", "img", "a", "del", "pre"):
            el.tag = "span" if el.getparent() is not None and el.getparent().tag == "p" else "div"
        for attr in list(el.attrib):
            if attr not in ("src", "alt", "title", "href"):
                del el.attrib[attr]
    return etree.tostring(root, encoding="unicode", method="html")


def _slug_from(url: str) -> str:
    if not url:
        return ""
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    parts = [p for p in path.split("/") if p]
    if not parts:
        return ""
    last = re.sub(r"\.(?:html?|php|aspx?)$", "", parts[-1], flags=re.I)
    if last.lower() in ("index", "default"):
        last = parts[-2] if len(parts) > 1 else ""  # "/index.php?id=5": the query is no name, the title is
    return slugify(last)


def _authors(tree: Any) -> list[str]:
    """Authors as the page writes them: JSON-LD first, then the author meta tags."""
    for script in tree.xpath('//script[starts-with(normalize-space(@type), "application/ld+json")]'):
        try:
            data = json.loads(_CDATA.sub("", script.text or ""))
        except (ValueError, RecursionError):
            continue
        names = [n for n in _jsonld_authors(data) if _a_name(n)]
        if names:
            return names
    for xpath in ('//meta[@name="author"]/@content', '//meta[@property="article:author"]/@content',
                  '//meta[@name="byl"]/@content'):
        values = [clean_text(v) for v in tree.xpath(xpath) if _a_name(clean_text(v)) and "://" not in v]
        if values:
            return [re.sub(r"^by\s+", "", v, flags=re.I) for v in values]
    return []


def _as_written(found: str | None, text: str) -> list[str]:
    """trafilatura's author(s) from a byline ("A J Fenwick"), spelled as the page does ("A. J. Fenwick")."""
    names = []
    for name in (clean_text(n) for n in (found or "").split(";")):
        tokens = name.split()
        if not tokens:
            continue
        match = re.search(r"\b" + r"\.?\s*".join(map(re.escape, tokens)) + r"(?![a-z])", text)
        names.append(clean_text(match.group(0)) if match else name)
    return names


def _jsonld_authors(data: Any) -> list[str]:
    if isinstance(data, list):
        for item in data:
            found = _jsonld_authors(item)
            if found:
                return found
        return []
    if not isinstance(data, dict):
        return []
    data = {_term(key): value for key, value in data.items()}  # "schema:author", "http://schema.org/author"
    if "@graph" in data:
        return _jsonld_authors(data["@graph"])
    author = data.get("author") or data.get("creator")
    entries = author if isinstance(author, list) else [author] if author else []
    names = []
    for entry in entries:
        if isinstance(entry, dict):
            entry = {_term(key): value for key, value in entry.items()}
        name = entry.get("name") if isinstance(entry, dict) else entry
        if isinstance(name, dict):
            name = name.get("@value")
        if isinstance(name, str) and clean_text(name) and "://" not in name:
            names.append(clean_text(name))
    return names


def _term(key: str) -> str:
    """A JSON-LD key without the prefix an object ``@context`` gives it ("schema:author" → "author")."""
    return key if key.startswith("@") else re.split(r"[:/#]", key)[-1]


def _a_name(text: str) -> bool:
    """Whether a byline can be a person's or an organisation's name, not a word of the site's interface."""
    words = clean_text(text).lower().strip(" .:|")
    return bool(re.search(r"[^\W\d_]", words)) and words not in _NOT_NAMES and len(words) <= 100 \
        and not re.match(r"^(?:log ?in|sign ?(?:in|up)|register|subscribe|share|follow|menu|search)\b", words)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _language(tree: Any, meta: Any) -> str:
    candidates = [tree.get("lang") or "", tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""]
    candidates += [v.replace("_", "-") for v in tree.xpath('//meta[@property="og:locale"]/@content')]
    candidates.append(getattr(meta, "language", None) or "")
    return next((c.strip() for c in candidates if _LANG.match(c.strip())), "")


def _tags(meta: Any) -> list[str]:
    seen: dict[str, str] = {}
    for group in (getattr(meta, "categories", None) or [], getattr(meta, "tags", None) or []):
        for value in group:
            for tag in str(value).split(","):
                tag = clean_text(tag)
                if tag and tag.lower() not in seen:
                    seen[tag.lower()] = tag
    return list(seen.values())
