"""The print editions: a tagged PDF 1.7 (``pdf``) and its large-print twin (``pdf-large``).

No PDF/UA identifier (``pdfuaid:part``) is written: the reference checker (veraPDF) cannot be
installed from the registries narrate builds from, and the checker the tests run (``pdfua``,
16 of the 106 machine-checkable PDF/UA-1 rules) does not certify conformance. The claim is
made only when a checker that does says so.

Steps, in order: XHTML (``pdf_html``, the EPUB's own markup in print order) →
stylesheet (``templates/print.css`` + the shipped fonts) → render with
WeasyPrint (a fetcher that only reads files inside the project or the font
folder; WeasyPrint's log captured as warnings) → metadata (dates from
``Meta.modified``, a stable file identifier) → write atomically.

WeasyPrint reports bad CSS and unreachable resources on its ``weasyprint``
logger instead of raising; those messages come back as warnings naming the
publication's source file. A resource outside the project (a remote URL, a
path elsewhere on disk) stops the render with an ``OutputError``.

Language of parts (WCAG 3.1.2): WeasyPrint 70 writes the document's language as the
catalog's ``/Lang`` but ignores ``lang`` on the elements inside; ``_tag_part_languages``
makes the structure element of an element with its own ``lang`` (a ``{lang=fr}`` block,
an inline ``[phrase]{lang=fr}``) carry ``/Lang`` too.

Structure fixes (the same hook): a table header cell (``/TH``) says which cells it heads with
``/Scope`` (``/Row`` for ``scope="row"``, else ``/Column``; Matterhorn 15-003), and a list item
(``/LI``) holds only a label (``/Lbl``) and a body (``/LBody``): WeasyPrint puts a loose list's
paragraphs straight under the ``/LI``, they are moved into one ``/LBody``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint
from weasyprint.document import DocumentMetadata
from weasyprint.pdf import tags as weasy_tags
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from narrate import model as m
from narrate.artifacts import atomic_write
from narrate.errors import OutputError
from narrate.i18n.messages import messages_for
from narrate.writers import pdf_html
from narrate.writers.fonts import font_files
from narrate.writers.pdf_html import FONTS_URL, PROJECT_URL

PDF_VERSION = "1.7"
# WeasyPrint notices about the host's libraries, not about the publication: not reported.
HOST_NOTICES = ("Using fontTools instead of HarfBuzz-Subset",)


def write_pdf(doc: m.Document, root: Path, out: Path, *, page_size: str = "A4", large: bool = False,
              prepared_for: str = "") -> list[str]:
    """Write ``doc`` as a tagged PDF to ``out`` atomically; return warnings ("path: message")."""
    source = doc.source_files[0] if doc.source_files else str(out)
    fonts = font_files()
    try:
        css = pdf_html.stylesheet(doc.meta.title, page_size, large, fonts)
    except ValueError as exc:
        raise OutputError(str(exc), source) from exc
    job = _Job(doc, Path(root), source, prepared_for, f"{page_size.lower()}|{'large' if large else 'normal'}",
               ProjectFetcher(Path(root), next(iter(fonts.values())).parent, large=large))
    page = pdf_html.page_xhtml(doc, prepared_for)
    with capture_logs() as messages:
        data = _render(job, page, css)
    _write(out, data)
    unique = dict.fromkeys(msg for msg in messages if not msg.startswith(HOST_NOTICES))
    return [f"{source}: WeasyPrint: {message}" for message in unique]


@dataclass(frozen=True)
class _Job:
    doc: m.Document
    root: Path
    source: str  # the file warnings and errors name
    prepared_for: str
    edition: str  # page size and print size, for the file identifier
    fetcher: ProjectFetcher


# ------------------------------------------------------------------ languages


def _tag_part_languages() -> None:
    """Wrap WeasyPrint's structure-tree builder so an element's ``lang`` becomes its ``/Lang``.

    WeasyPrint builds one structure element per box, recursing through the module-level
    ``_build_box_tree``; the wrapper sees each box with the element(s) made for it, so the
    language goes exactly on the structure element(s) of the marked element (split across
    pages, it has one per page) and is inherited by their marked content. Idempotent; the
    test in tests/test_language_parts.py fails if a WeasyPrint release renames the builder.
    """
    build = getattr(weasy_tags, "_build_box_tree", None)
    if build is None or getattr(build, "narrate_lang", False):
        return

    def build_with_lang(box, *args, **kwargs):  # noqa: ANN001, ANN202
        element_of = getattr(box, "_box", box)  # an absolute placeholder stands for its box
        source = getattr(element_of, "element", None)
        lang = "" if source is None or getattr(element_of, "element_tag", "") in ("html", "body") \
            else (source.get("lang") or "").strip()
        for element in build(box, *args, **kwargs):
            if lang and "Lang" not in element:
                element["Lang"] = pydyf.String(lang)
            _fix_structure(element, source, args[1] if args else kwargs["pdf"])
            yield element

    build_with_lang.narrate_lang = True  # type: ignore[attr-defined]
    weasy_tags._build_box_tree = build_with_lang


def _fix_structure(element: pydyf.Dictionary, source, pdf: pydyf.PDF) -> None:  # noqa: ANN001
    """``/Scope`` on a header cell; a list item's content under one ``/LBody`` (see the module doc)."""
    if element.get("S") == "/TH" and isinstance(element.get("A"), pydyf.Dictionary):
        scope = "" if source is None else (source.get("scope") or "").strip().lower()
        element["A"]["Scope"] = "/Row" if scope in ("row", "rowgroup") else "/Column"
    elif element.get("S") == "/LI":
        _wrap_list_body(element, pdf)


def _wrap_list_body(item: pydyf.Dictionary, pdf: pydyf.PDF) -> None:
    """Move the kids of a ``/LI`` that are neither ``/Lbl`` nor ``/LBody`` into a new ``/LBody``."""
    def kind(kid) -> str:  # noqa: ANN001
        if not isinstance(kid, bytes):
            return ""  # a marked-content id: stays where WeasyPrint mapped it
        return str(pdf.objects[int(kid.split()[0])].get("S", ""))

    kids = list(item["K"])
    loose = [kid for kid in kids if kind(kid) not in ("", "/Lbl", "/LBody")]
    if not loose:
        return
    body = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody", "K": pydyf.Array(loose),
                             "Pg": item["Pg"], "P": item.reference})
    pdf.add_object(body)
    for kid in loose:
        pdf.objects[int(kid.split()[0])]["P"] = body.reference
    first = kids.index(loose[0])
    kept = [kid for kid in kids if kid not in loose]
    item["K"] = pydyf.Array(kept[:first] + [body.reference] + kept[first:])


_tag_part_languages()


# ------------------------------------------------------------------ resources


class RefusedResource(FatalURLFetchingError):
    """A resource outside the project: stops the render (WeasyPrint would only log it)."""


class ProjectFetcher(URLFetcher):
    """Reads only the virtual roots: PROJECT_URL (the project) and FONTS_URL (narrate's fonts).

    Every other URL, a real ``file:`` path included, is refused; a path that leaves a root
    (``..``, a symlink) is refused too.
    """

    def __init__(self, root: Path, fonts: Path, *, large: bool = False) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
        self.roots = {PROJECT_URL: Path(os.path.realpath(root)), FONTS_URL: Path(os.path.realpath(fonts))}
        self.large = large  # large print: an image's larger rendition (chart.large.png) if there is one

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        for prefix, base in self.roots.items():
            if url.startswith(prefix):
                path = Path(os.path.realpath(base / unquote(urlsplit(url).path[len(urlsplit(prefix).path):])))
                if not path.is_relative_to(base):
                    raise RefusedResource(f"refused to read {url!r}: it leads outside the project")
                path = self._rendition(path, base)
                response = super().fetch(path.as_uri(), headers)
                response.url = url  # keep the virtual URL: nothing machine-specific reaches the PDF
                return response
        raise RefusedResource(f"refused to fetch {url!r}: only files inside the project are read "
                              "(nothing is downloaded)")


    def _rendition(self, path: Path, base: Path) -> Path:
        """``chart.large.png`` beside ``chart.png`` stands in for it in large print."""
        if not self.large or not path.suffix:
            return path
        larger = Path(os.path.realpath(path.with_name(f"{path.stem}.large{path.suffix}")))
        return larger if larger.is_file() and larger.is_relative_to(base) else path


@contextlib.contextmanager
def capture_logs() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings and errors from this thread (its progress log is ignored)."""
    messages: list[str] = []
    thread = threading.get_ident()

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.thread == thread and not record.name.startswith("weasyprint.progress"):
                messages.append(" ".join(record.getMessage().split()))

    logger = logging.getLogger("weasyprint")
    handler = Collect(level=logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


# ------------------------------------------------------------------ rendering


def print_pages(doc: m.Document, root: Path, *, page_size: str = "A4") -> dict[str, int]:
    """Element id → the number of the print PDF's page it starts on (the number printed
    at the page foot: pages count from 1, front matter included).

    The layout is the PDF edition's own (same XHTML, stylesheet and fonts), made but not
    written; the EPUB's page-list uses it so EPUB and PDF readers can meet on a page.
    """
    source = doc.source_files[0] if doc.source_files else "."
    fonts = font_files()
    try:
        css = pdf_html.stylesheet(doc.meta.title, page_size, False, fonts)
    except ValueError as exc:
        raise OutputError(str(exc), source) from exc
    job = _Job(doc, Path(root), source, "", f"{page_size.lower()}|normal",
               ProjectFetcher(Path(root), next(iter(fonts.values())).parent))
    page = pdf_html.page_xhtml(doc)
    with capture_logs() as messages:
        document = _guarded(job, lambda: _layout(job, page, css))
    _keep_layout(job, page, css, document, messages)
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    pages.update(_mid_block_starts(document))
    return pages


# the elements the EPUB's page markers go before (writers/page_marks.py's BLOCK_ID)
MARKED_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "figure",
                           "table", "hr", "section", "aside", "article"})


def _mid_block_starts(document) -> dict[str, int]:  # noqa: ANN001
    """``"<block id>#<n>"`` → page, for each page whose text starts inside a block that began on
    an earlier page (a paragraph running across the break): the page starts at the block's
    word ``n`` (counted from 0 over the block's text, split at white space)."""
    words_seen: dict[str, int] = {}
    starts: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        first: list[tuple[str, int]] = []
        for block, text in _texts(page._page_box, ""):
            if block and not first:
                first.append((block, words_seen.get(block, 0)))
            if block:
                words_seen[block] = words_seen.get(block, 0) + len(text.split())
        if first and first[0][1] > 0:
            starts[f"{first[0][0]}#{first[0][1]}"] = number
    return starts


def _texts(box, block: str):  # noqa: ANN001, ANN202
    """(id of the innermost marked block holding it, text) of each text box, in layout order;
    running heads and page numbers (margin boxes) and the footnote area are not the page's text."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
        return
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", "") in MARKED_BLOCKS and element.get("id") \
            and not getattr(box, "pseudo_type", None):
        block = element.get("id")
    if isinstance(box, boxes.TextBox):
        yield block, box.text
        return
    for child in getattr(box, "children", ()):
        yield from _texts(child, block)


# Layouts print_pages made, each kept for the one PDF written from the same XHTML, stylesheet and
# edition (an EPUB's page-list and its PDF: laid out once, not twice); with the log messages the
# layout gave, which that PDF reports. Only the last few are kept: a missed one is laid out again.
_KEPT: dict[str, tuple[object, list[str]]] = {}
_KEPT_MAX = 2
_KEPT_LOCK = threading.Lock()


def _layout_key(job: _Job, page: str, css: str) -> str:
    parts = (str(job.root), job.edition, str(job.fetcher.large), page, css)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _keep_layout(job: _Job, page: str, css: str, document: object, messages: list[str]) -> None:
    with _KEPT_LOCK:
        _KEPT[_layout_key(job, page, css)] = (document, list(messages))
        while len(_KEPT) > _KEPT_MAX:
            del _KEPT[next(iter(_KEPT))]


def _kept_layout(job: _Job, page: str, css: str):  # -> weasyprint.Document | None
    """The layout print_pages kept for this PDF (taken: used once), its log replayed as warnings."""
    with _KEPT_LOCK:
        kept = _KEPT.pop(_layout_key(job, page, css), None)
    if kept is None:
        return None
    document, messages = kept
    logger = logging.getLogger("weasyprint")
    for message in messages:
        logger.warning("%s", message)
    return document


def _layout(job: _Job, page: str, css: str):  # -> weasyprint.Document
    font_config = FontConfiguration()  # @font-face rules register here, so CSS and render share it
    stylesheet = weasyprint.CSS(string=css, url_fetcher=job.fetcher, font_config=font_config)
    html = weasyprint.HTML(string=page, base_url=PROJECT_URL, url_fetcher=job.fetcher)
    return html.render(stylesheets=[stylesheet], font_config=font_config)


def _render(job: _Job, page: str, css: str) -> bytes:
    def run() -> bytes:
        document = _kept_layout(job, page, css) or _layout(job, page, css)
        _metadata(document.metadata, job.doc, job.prepared_for)
        return document.write_pdf(pdf_version=PDF_VERSION, pdf_tags=True, pdf_identifier=_file_id(job),
                                   custom_metadata=True, finisher=_xmp)

    return _guarded(job, run)


def _guarded(job: _Job, run):  # noqa: ANN001, ANN202
    """Run WeasyPrint; its exceptions become OutputErrors naming the source."""
    try:
        return run()
    except RefusedResource as exc:
        raise OutputError(str(exc), job.source) from exc
    except FatalURLFetchingError as exc:
        raise OutputError(f"could not read a resource: {exc.__cause__ or exc}", job.source) from exc
    except OutputError:
        raise
    except Exception as exc:  # WeasyPrint raises assorted errors on content it cannot lay out
        raise OutputError(f"WeasyPrint could not render the PDF: {type(exc).__name__}: {exc}",
                          job.source) from exc


def _metadata(metadata: DocumentMetadata, doc: m.Document, prepared_for: str) -> None:
    """Info dictionary and XMP: title, authors, subject, keywords, fixed dates, personal copy."""
    meta = doc.meta
    metadata.title = meta.title
    metadata.authors = list(meta.authors)
    subject = meta.description or meta.subtitle
    if prepared_for:
        subject = f"{subject} {messages_for(meta.language, doc.messages)('prepared_for', name=prepared_for)}".strip()
        metadata.custom = {"PreparedFor": prepared_for}
    metadata.description = subject or None
    metadata.keywords = list(meta.tags)
    metadata.generator = "narrate"
    stamp = meta.modified.strftime("%Y-%m-%dT%H:%M:%SZ") if meta.modified else None
    metadata.created = metadata.modified = stamp
    metadata.lang = meta.language


def _xmp(document, pdf: pydyf.PDF) -> None:  # noqa: ANN001
    """XMP metadata (title, authors, description, keywords) with no conformance identifier."""
    document.metadata.include_in_pdf(pdf, "ua", None, None, True)


def _file_id(job: _Job) -> bytes:
    """The first half of the PDF /ID: stable for one edition of one publication."""
    key = f"{job.doc.meta.identifier}|{job.edition}|{job.prepared_for}"
    return hashlib.md5(key.encode("utf-8"), usedforsecurity=False).hexdigest().encode("ascii")


# -------------------------------------------------------------------- writing


def _write(out: Path, data: bytes) -> None:
    atomic_write(out, data, fsync=False)
