"""The EPUB 3 edition (ebooklib), EPUBCheck-clean, with EPUB Accessibility 1.1 metadata.

Steps, in order: metadata → accessibility metadata → cover → styles and
fonts → title page → chapters → navigation → write → repack. A book opens with a
title page (and the colophon, when it has something to say); an article opens
with a title block at the top of its text and ends with its colophon, unless
``article_title_page`` asks for a book-like title page. ebooklib writes
zip entries with the current time and leaves ``xml:lang`` off the package, so
the written file is repacked: ``mimetype`` first and stored, fixed entry
times from ``Meta.modified``, fixed order; the same sources and
``SOURCE_DATE_EPOCH`` give the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ebooklib import epub

from narrate import model as m
from narrate.artifacts import atomic_path
from narrate.errors import OutputError
from narrate.i18n.dates import list_text
from narrate.i18n.messages import Messages, messages_for
from narrate.markup import html
from narrate.markup.accessibility import A11y, accessibility
from narrate.sources.project import sniff_image
from narrate.writers.epub_zip import repack
from narrate.writers.fonts import STYLES, font_path
from narrate.writers.page_marks import PageMarks

MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "gif": "image/gif"}


@dataclass
class EpubOptions:
    cover: tuple[bytes, str] | None = None  # (bytes, "png" | "jpg")
    prepared_for: str = ""  # personal copies: "Prepared for NAME"
    # Read-along edition: document key (first chapter id, or "titlepage") → (audio file
    # name in the EPUB, the audio file on disk, media type, SMIL XML, duration seconds);
    # block id → [(segment id, text)] to wrap sentences. The audio is streamed into the
    # zip from disk at repack time, never held in memory.
    overlays: dict[str, tuple[str, Path, str, str, float]] = field(default_factory=dict)
    sentence_spans: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    narrator: str = ""
    article_title_page: bool = False  # narrate.toml [epub] article_title_page
    # Read-along: the spoken narration notice, shown on the title page (id "titlepage-narration")
    narration_note: str = ""
    # Read-along: the spoken "Narrated by" credit, shown on the title page (id "titlepage-narrator")
    narrator_credit: str = ""
    # Read-along: the closing credits as text, at the end of the document they play with:
    # (that document's key, ((segment id, text), ...)); see html.closing_credits
    closing_credits: tuple[str, tuple[tuple[str, str], ...]] = ("", ())
    notes_after_blocks: bool = False  # read-along with footnotes read after their block
    # Page navigation: the print PDF's page size ("A4"); "" for none. The PDF is laid out
    # (not written) to learn each block's page; see PageMarks.
    print_page_size: str = ""
    print_pages: dict[str, int] = field(default_factory=dict)  # block id → print page (from the editions layer)
    # The chapter documents' spine (and table of contents) order, by key (first chapter id);
    # empty: source order. The read-along follows its audio (a copyright page read at the end).
    document_order: tuple[str, ...] = ()


def write_epub(doc: m.Document, root: Path, out: Path, options: EpubOptions | None = None) -> None:
    """Write ``doc`` as an EPUB 3 to ``out`` atomically. ``root`` is the project root (for images)."""
    options = options or EpubOptions()
    book = epub.EpubBook()
    marks = PageMarks(options.print_pages if options.print_page_size else {},
                       messages_for(doc.meta.language, doc.messages), _epub_ids(doc))
    a11y = accessibility(doc, has_audio=bool(options.overlays), page_list=bool(marks.pages))
    _metadata(book, doc.meta, options)
    _accessibility_metadata(book, doc.meta, a11y)
    css = _styles(book, bool(options.overlays))
    ctx = html.RenderContext(image_href=_image_adder(book, root), sentence_spans=options.sentence_spans,
                             notes_after_blocks=options.notes_after_blocks)
    cover = _cover_page(book, doc, options) if options.cover else None
    colophon = html.colophon(doc, ctx, options.prepared_for)
    title = None
    if not doc.single_file or options.article_title_page:
        narration = (f'<p class="narration" id="titlepage-narration">{html.esc(options.narration_note)}</p>'
                     if options.narration_note else "")
        if options.narrator_credit:
            narration = (f'<p class="narrator" id="titlepage-narrator">{html.esc(options.narrator_credit)}</p>'
                         + ("\n" + narration if narration else ""))
        title_kw = {"media_overlay": "smil-titlepage"} if "titlepage" in options.overlays else {}
        body = marks.mark("text/titlepage.xhtml",
                          "\n".join(part for part in (html.title_page(doc, ctx), narration, colophon) if part))
        title = _page(book, "titlepage", "text/titlepage.xhtml", doc.meta.title, doc.meta.language, body, css,
                      **title_kw)
        colophon = ""
    items = [item for item in (cover, title) if item is not None]
    chapters = _chapters(book, doc, ctx, css, options, marks, title_block=title is None, colophon=colophon)
    if marks.pages:
        book.add_metadata("DC", "source", marks.source(doc.meta, options.print_page_size))
    say = messages_for(doc.meta.language, doc.messages)
    nav = epub.EpubNav(title=say("contents"))
    nav.add_item(css)
    book.add_item(nav)
    book.add_item(epub.EpubNcx())
    book.spine = items + [nav] + [item for item, _ in chapters]
    book.toc = _toc(doc, chapters)
    book.guide = _landmarks(cover, title, chapters, say)
    streamed: dict[str, Path] = {}
    if options.overlays:
        streamed = _media_overlays(book, options, ["titlepage"] + [group[0].id for _, group in chapters])
    _write(book, doc.meta, out, marks.nav(), streamed, say("landmarks"))


# ------------------------------------------------------------------ metadata


def _metadata(book: epub.EpubBook, meta: m.Meta, options: EpubOptions) -> None:
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.language)
    for index, author in enumerate(meta.authors, 1):
        book.add_author(author, uid=f"creator{index}")
    for key, value in (("publisher", meta.publisher), ("description", meta.description),
                       ("rights", meta.rights), ("date", meta.date.isoformat() if meta.date else "")):
        if value:
            book.add_metadata("DC", key, value)
    for tag in meta.tags:
        book.add_metadata("DC", "subject", tag)
    if meta.subtitle:
        book.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        book.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    if options.prepared_for:
        book.add_metadata(None, "meta", f"Prepared for {options.prepared_for}",
                          {"property": "dcterms:audience"})


def _accessibility_metadata(book: epub.EpubBook, meta: m.Meta, a11y: A11y) -> None:
    def prop(name: str, value: str) -> None:
        book.add_metadata(None, "meta", value, {"property": name})

    for mode in a11y.access_modes:
        prop("schema:accessMode", mode)
    for sufficient in a11y.access_mode_sufficient:
        prop("schema:accessModeSufficient", sufficient)
    for feature in a11y.features:
        prop("schema:accessibilityFeature", feature)
    for hazard in a11y.hazards:
        prop("schema:accessibilityHazard", hazard)
    prop("schema:accessibilitySummary", a11y.summary)
    if meta.conforms_to:
        prop("dcterms:conformsTo", meta.conforms_to)
    if meta.certified_by:
        prop("a11y:certifiedBy", meta.certified_by)


def _media_overlays(book: epub.EpubBook, options: EpubOptions, spine_keys: list[str]) -> dict[str, Path]:
    """Audio and SMIL items plus media:* metadata for the read-along edition; returns the
    audio entries (zip name → file on disk) that the repack streams in (ebooklib writes
    them empty).

    The SMIL items are declared in spine order: EPUBCheck checks every overlay's text
    references as one sequence, in the order it meets the overlays (the manifest's), against
    the spine (MED_015)."""
    total = 0.0
    streamed: dict[str, Path] = {}
    rank = {key: position for position, key in enumerate(spine_keys)}
    for key in sorted(options.overlays, key=lambda k: rank.get(k, len(rank))):
        audio_name, audio, media_type, smil, seconds = options.overlays[key]
        book.add_item(epub.EpubItem(uid=f"audio-{key}", file_name=audio_name, media_type=media_type, content=b""))
        streamed[f"{book.FOLDER_NAME}/{audio_name}"] = audio
        book.add_item(epub.EpubSMIL(uid=f"smil-{key}", file_name=f"smil/{key}.smil", content=smil.encode("utf-8")))
        book.add_metadata(None, "meta", _clock(seconds), {"property": "media:duration", "refines": f"#smil-{key}"})
        total += seconds
    book.add_metadata(None, "meta", _clock(total), {"property": "media:duration"})
    book.add_metadata(None, "meta", "-epub-media-overlay-active", {"property": "media:active-class"})
    if options.narrator:
        book.add_metadata(None, "meta", options.narrator, {"property": "media:narrator"})
    return streamed


def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


# -------------------------------------------------------------------- content


def _styles(book: epub.EpubBook, readalong: bool) -> epub.EpubItem:
    text = resources.files("narrate").joinpath("templates/epub.css").read_text(encoding="utf-8")
    if readalong:
        # A visible highlight for the sentence being read (media:active-class).
        text += "\n.-epub-media-overlay-active { background-color: #ffe066; color: #000; }\n"
    css = epub.EpubItem(uid="style", file_name="styles/narrate.css", media_type="text/css",
                        content=text.encode("utf-8"))
    book.add_item(css)
    for style, name in STYLES.items():
        book.add_item(epub.EpubItem(uid=f"font-{style}", file_name=f"fonts/{name}", media_type="font/ttf",
                                    content=font_path(style).read_bytes()))
    return css


def _image_adder(book: epub.EpubBook, root: Path):
    added: dict[str, str] = {}

    def add(src: str) -> str:
        if src not in added:
            path = root / src
            kind = sniff_image(path) or "png"
            name = f"images/img{len(added) + 1}.{'jpg' if kind == 'jpeg' else kind}"
            book.add_item(epub.EpubImage(uid=f"img{len(added) + 1}", file_name=name, media_type=MEDIA_TYPES[kind],
                                         content=path.read_bytes()))
            added[src] = name
        return "../" + added[src]

    return add


TITLE_IDS = frozenset({"titlepage", "titlepage-title", "titlepage-subtitle", "titlepage-author",
                       "titlepage-publisher", "colophon", "article", "article-title"})


def _epub_ids(doc: m.Document) -> frozenset[str]:
    """Ids the EPUB's documents can hold: blocks, chapters, the title page and colophon (the
    print PDF also has ids of its own, such as its contents page)."""
    ids = {getattr(block, "id", "") for block in m.all_blocks(doc)} | {c.id for c in doc.chapters}
    ids |= {f"{c.id}-h" for c in doc.chapters}
    return frozenset(ids - {""}) | TITLE_IDS


def _page(book, uid, file_name, title, lang, body, css, **kw) -> epub.EpubHtml:
    item = epub.EpubHtml(uid=uid, file_name=file_name, title=title, lang=lang, **kw)
    item.content = html.xhtml_document(title, lang, body).encode("utf-8")
    item.add_link(href="../" + css.file_name, rel="stylesheet", type="text/css")
    book.add_item(item)
    return item


def _cover_page(book: epub.EpubBook, doc: m.Document, options: EpubOptions) -> epub.EpubHtml:
    data, ext = options.cover  # type: ignore[misc]
    name = f"images/cover.{ext}"
    book.set_cover(name, data, create_page=False)
    say = messages_for(doc.meta.language, doc.messages)
    alt = (say("cover_alt_by", title=doc.meta.title, authors=list_text(list(doc.meta.authors), doc.meta.language))
           if doc.meta.authors else say("cover_alt", title=doc.meta.title))
    # The section's epub:type has no DPUB-ARIA role ARIA allows on <section>; the image carries doc-cover.
    body = (f'<section epub:type="cover" class="cover"><img role="doc-cover" src="../{name}" '
            f'alt="{html.esc(alt)}"/></section>')
    item = epub.EpubHtml(uid="cover-page", file_name="text/cover.xhtml", title=say("cover"), lang=doc.meta.language)
    item.content = html.xhtml_document(say("cover"), doc.meta.language, body).encode("utf-8")
    book.add_item(item)
    return item


def _chapters(book, doc: m.Document, ctx, css, options: EpubOptions, marks: PageMarks, *,
              title_block: bool = False, colophon: str = "") -> list[tuple[epub.EpubHtml, list]]:
    """One XHTML per chapter; an article is one XHTML holding all its sections. Returned (and
    page-marked) in spine order (``options.document_order``).

    ``title_block``: the article opens with its title block (no separate title page);
    ``colophon``: markup that closes the article's document.
    """
    groups = [list(doc.chapters)] if doc.single_file else [[c] for c in doc.chapters]
    numbered = list(enumerate(groups, 1))  # a document's item id follows its source position
    if options.document_order:
        rank = {key: position for position, key in enumerate(options.document_order)}
        numbered.sort(key=lambda pair: rank.get(pair[1][0].id, len(rank)))
    out = []
    for index, group in numbered:
        first = group[0]
        file_name = "text/article.xhtml" if doc.single_file else f"text/{first.id}.xhtml"
        title = doc.meta.title if doc.single_file else first.title
        body = _group_body(doc, group, ctx, title_block)
        credits_key, credits = options.closing_credits
        if credits and first.id == credits_key:
            label = messages_for(doc.meta.language, doc.messages)("closing_credits")
            body += "\n" + html.closing_credits(credits, label, ctx)
        if colophon:
            body += "\n" + colophon
        body = marks.mark(file_name, body)
        overlay = options.overlays.get(first.id)
        kw = {}
        if overlay:
            kw = {"media_overlay": f"smil-{first.id}"}
        item = _page(book, f"doc{index}", file_name, title, doc.meta.language, body, css, **kw)
        out.append((item, group))
    return out


def _group_body(doc: m.Document, group: list[m.Chapter], ctx: html.RenderContext, title_block: bool) -> str:
    if not doc.single_file:
        return html.chapter_section(doc, group[0], ctx, level=1)
    head = html.title_block(doc) if title_block else f'<h1 id="article-title">{html.esc(doc.meta.title)}</h1>'
    sections = "\n".join(html.chapter_section(doc, c, ctx, level=2) for c in group)
    return f'<article id="article" aria-labelledby="article-title">\n{head}\n{sections}\n</article>'


def _toc(doc: m.Document, chapters) -> list:
    toc: list = []
    for item, group in chapters:
        for chapter in group:
            if chapter.role == "lead":
                toc.append(epub.Link(item.file_name, doc.meta.title, f"toc-{chapter.id}"))
                continue
            anchor = f"{item.file_name}#{chapter.id}"
            subs = [epub.Link(f"{item.file_name}#{b.id}", m.plain_text(b.children), f"toc-{b.id}")
                    for b in chapter.blocks if isinstance(b, m.Heading) and b.level == 2
                    and not doc.single_file]
            link = epub.Link(anchor, chapter.title, f"toc-{chapter.id}")
            toc.append((epub.Section(chapter.title, anchor), subs) if subs else link)
    return toc


def _landmarks(cover, title, chapters, say: Messages) -> list[dict]:
    marks = []
    if cover is not None:
        marks.append({"type": "cover", "href": cover.file_name, "title": say("cover")})
    if title is not None:
        marks.append({"type": "titlepage", "href": title.file_name, "title": say("title_page")})
    marks.append({"type": "toc", "href": "nav.xhtml", "title": say("toc_landmark")})
    body = next(((item, g) for item, g in chapters if any(c.role in ("body", "lead") for c in g)), chapters[0])
    marks.append({"type": "bodymatter", "href": body[0].file_name, "title": say("start_of_content")})
    return marks


# -------------------------------------------------------------------- writing


def _write(book: epub.EpubBook, meta: m.Meta, out: Path, page_list: str = "",
           streamed: dict[str, Path] | None = None, landmarks: str = "") -> None:
    """ebooklib writes its zip in memory (it holds every item in memory already, and a
    failing write then leaves no open file behind; the read-along's audio is not among
    them: ``streamed`` entries are written empty); ``epub_zip.repack`` writes the atomic target."""
    raw = io.BytesIO()
    try:
        options = {"raise_exceptions": True, "mtime": meta.modified, "epub2_guide": False,
                   "landmark_title": landmarks or messages_for(meta.language)("landmarks"), "epub3_pages": False}
        epub.write_epub(raw, book, options)
        with atomic_path(out) as tmp:
            repack(raw, tmp, meta, page_list, streamed or {})
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write the EPUB: {exc.strerror or exc}", out) from exc
    except Exception as exc:  # ebooklib raises bare exceptions on bad content
        raise OutputError(f"ebooklib could not write the EPUB: {exc}", out) from exc


