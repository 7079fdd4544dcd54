"""The read-along EPUB: the text, each document's audio, and SMIL media overlays.

narrate synthesizes every sentence itself, so the timeline already knows
where each sentence starts; no forced alignment. Each narrated sentence is a
``<span id>`` in the XHTML (sentence_markup.py) and one ``<par>`` in the
overlay. Clips tile the document's audio exactly: a clip runs from its
sentence's start to the next sentence's start (the pause belongs to the
sentence before it), the first starts at 0 and the last ends with the audio,
so the clips add up to the audio's duration.

The spoken credits (title, subtitle, byline, publisher, "Narrated by …", the
synthetic-voice notice) are an overlay on the title page, each pointing at the
element it speaks (the read-along's title page shows the "Narrated by" line).
The closing credits are shown, one paragraph each, in a credits section at the
end of the document they play with, and each clip points at its own paragraph.
"Footnote N." points at the note's number, each table row at its row.
With footnotes read after their block, the read-along places each note's
``<aside>`` after that block, so every overlay's text references run in
document order (EPUBCheck ``--usage`` reports no MED_015). Other speech with
no text of its own (a generated chapter title) points at the chapter heading or
repeats the previous reference.

Each document's audio is its audio chapters' cached MP3 pieces joined without re-encoding
(``audio.document_mp3``): the opening-credits chapters play on the title page, a chapter of
the text in its document, and the closing credits at the end of the last document played.
The spine follows the audio (``reading_order``): a copyright page the audiobook reads after
the story (with the closing credits) comes after the story in the read-along too, so the
overlays' text references run forward through the spine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from narrate import model as m
from narrate.audio.master import document_mp3
from narrate.audio.timeline import Timeline, TimelineSegment
from narrate.editions.context import Made, PublicationContext
from narrate.editions.narration import Narration, credited, script_options
from narrate.errors import OutputError
from narrate.markup import html
from narrate.writers.epub import EpubOptions, write_epub

ACTIVE_CLASS = "-epub-media-overlay-active"
_ID = re.compile(r'\bid="([^"]+)"')


@dataclass(frozen=True)
class DocumentAudio:
    key: str  # the first chapter id: the EPUB writer's key for this XHTML document
    chapters: tuple[m.Chapter, ...]
    file_name: str  # in the EPUB, e.g. "text/c1.xhtml"
    single: bool = False  # an article's one document (its first heading is #article-title)


def documents(doc: m.Document) -> list[DocumentAudio]:
    if doc.single_file:
        return [DocumentAudio(doc.chapters[0].id, doc.chapters, "text/article.xhtml", single=True)]
    return [DocumentAudio(c.id, (c,), f"text/{c.id}.xhtml") for c in doc.chapters]


def sentence_spans(doc: m.Document, narration: Narration) -> dict[str, list[tuple[str, str]]]:
    """block id → [(segment id, display text)] for every segment that reads source text."""
    spans: dict[str, list[tuple[str, str]]] = {}
    for chapter in narration.script.chapters:
        for segment in chapter.segments:
            if segment.block_id:
                spans.setdefault(segment.block_id, []).append((segment.id, segment.text))
            elif segment.kind == "heading":
                spans.setdefault(f"{chapter.id}-h", []).append((segment.id, segment.text))
    return spans


CREDIT_KINDS = {"opening", "disclosure", "credits"}  # spoken credits shown on the title page
TITLEPAGE = DocumentAudio("titlepage", (), "text/titlepage.xhtml")


@dataclass(frozen=True)
class OverlayGroup:
    """One document's overlay: the whole audio chapters it plays, their segments, where they start."""

    item: DocumentAudio
    chapter_ids: list[str]
    segments: list[TimelineSegment]
    start_ms: int = 0


def write_readalong(ctx: PublicationContext, narration: Narration, target: Path) -> float:
    """Write the read-along EPUB; return its audio's duration in seconds: the sum of its
    documents' (each document's audio ends on its last chapter's own samples, so a book read in
    several documents is a codec gap shorter per document than the MP3)."""
    doc = ctx.doc
    spans = sentence_spans(doc, narration)
    kinds = {s.id: s.kind for c in narration.script.chapters for s in c.segments}
    note = next((s.text for c in narration.script.chapters for s in c.segments if s.kind == "disclosure"), "")
    overlays: dict[str, tuple[str, Path, str, str, float]] = {}
    work = ctx.root / ".narrate" / "work" / doc.meta.slug / "readalong"
    notes_after = ctx.config.narration.footnotes == "after"
    groups = overlay_groups(doc, narration.rendered.timeline, kinds)
    narrator_line = _narrator_credit(ctx, narration)
    closing = _closing_credits(narration, groups)
    for group in groups:
        item = group.item
        ids = (_titlepage_ids(doc, note, narrator_line) if item is TITLEPAGE
               else _element_ids(doc, item, spans, notes_after))
        if item.key == closing[0]:
            ids |= {seg_id for seg_id, _ in closing[1]}
        texts = _titlepage_texts(doc, note, narrator_line) if item is TITLEPAGE else {}
        audio_name = f"audio/{item.key}.mp3"
        audio_path = document_mp3(narration.rendered, group.chapter_ids, work / f"{item.key}.mp3")
        duration_ms = _duration_ms(narration, group.chapter_ids)
        smil = overlay_smil(item, group.segments, ids, group.start_ms, duration_ms, audio_name, texts)
        overlays[item.key] = (audio_name, audio_path, "audio/mpeg", smil, duration_ms / 1000)
    if not overlays:
        raise OutputError("nothing is narrated, so there is no read-along edition", doc.source_files[0])
    options = EpubOptions(cover=ctx.cover(), overlays=overlays, sentence_spans=spans,
                          narrator=credited(ctx, narration.profile),
                          narration_note=note if "titlepage" in overlays else "",
                          narrator_credit=narrator_line if "titlepage" in overlays else "",
                          closing_credits=closing,
                          notes_after_blocks=notes_after, print_page_size=ctx.config.pdf.page_size,
                          print_pages=ctx.print_pages(), document_order=reading_order(doc, groups),
                          # the spoken credits' overlay lives on a title page, so the read-along keeps one
                          article_title_page="titlepage" in overlays or ctx.config.epub.article_title_page)
    write_epub(doc, ctx.root, target, options)
    return round(sum(overlay[4] for overlay in overlays.values()), 3)


def overlay_groups(doc: m.Document, timeline: Timeline, kinds: dict[str, str]) -> list[OverlayGroup]:
    """Whole audio chapters, in timeline order, grouped into one run per document.

    A chapter of the text belongs to its document. A chapter with no document of its own
    (the credits) goes to the title page while nothing of the text has played and all its
    speech is credits; otherwise it joins the document playing (the closing credits the
    last one) or, before any document, the next one. A document never comes back after
    another has played (its later speech stays with the one playing).
    """
    owner = {c.id: item for item in documents(doc) for c in item.chapters}
    runs: list[tuple[DocumentAudio, list[str]]] = []
    pending: list[str] = []
    for chapter in timeline.chapters:
        segments = timeline.segments_of(chapter.id)
        credits = bool(segments) and all(kinds.get(s.id) in CREDIT_KINDS for s in segments)
        if chapter.id in owner:
            item = owner[chapter.id]
        elif credits and all(run_item is TITLEPAGE for run_item, _ in runs) and not pending:
            item = TITLEPAGE
        elif runs:
            item = runs[-1][0]
        else:
            pending.append(chapter.id)
            continue
        if runs and (runs[-1][0] == item or any(run_item == item for run_item, _ in runs)):
            runs[-1][1].append(chapter.id)
        else:
            runs.append((item, [*pending, chapter.id]))
            pending = []
    if pending and runs:
        runs[-1][1].extend(pending)
    groups = []
    for item, chapter_ids in runs:
        segments = [s for c in chapter_ids for s in timeline.segments_of(c)]
        if segments:
            groups.append(OverlayGroup(item, chapter_ids, segments, timeline.chapter(chapter_ids[0]).start_ms))
    return groups


def reading_order(doc: m.Document, groups: list[OverlayGroup]) -> tuple[str, ...]:
    """The read-along's chapter documents (keys) in the order their audio plays, so the spine
    and the overlays follow what is heard: a copyright page read after the story comes
    after it. A document with no audio stays after the one before it in the source.

    EPUBCheck (``--usage``, MED_015) checks the text references of all overlays as one
    sequence against the spine; with the spine in playback order they run forward."""
    order = list(dict.fromkeys(g.item.key for g in groups if g.item is not TITLEPAGE))
    previous = ""
    for item in documents(doc):
        if item.key not in order:
            order.insert(order.index(previous) + 1 if previous else 0, item.key)
        previous = item.key
    return tuple(order)


def _duration_ms(narration: Narration, chapter_ids: list[str]) -> int:
    """The decoded length of a document's audio: every chapter's span but the last's, then
    the last chapter's own samples (its codec padding is not played)."""
    rendered = narration.rendered
    wanted = set(chapter_ids)
    pieces = [p for p in rendered.pieces if p.id in wanted]
    samples = sum(p.span for p in pieces[:-1]) + pieces[-1].frames
    return (samples * 1000 + rendered.sample_rate // 2) // rendered.sample_rate


def _narrator_credit(ctx: PublicationContext, narration: Narration) -> str:
    """The opening credits' "Narrated by …" line as spoken (in the publication's language),
    or "" when the opening credits do not say it; the title page shows it (titlepage-narrator)."""
    options = script_options(ctx, narration.profile)
    if options.messages is None or not options.narrator.strip():
        return ""
    line = " ".join(options.messages("credits_narrator", narrator=options.narrator.strip()).split())
    spoken = (s.text for c in narration.script.chapters for s in c.segments if s.kind == "opening")
    return line if line in spoken else ""


def _closing_credits(narration: Narration, groups: list[OverlayGroup]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(the key of the document the closing credits play with, their (segment id, text)): the
    text each closing-credit clip points at, added at the end of that document."""
    lines = tuple((s.id, s.text) for c in narration.script.chapters for s in c.segments if s.kind == "closing")
    wanted = {s.chapter_id for g in groups for s in g.segments if s.id in dict(lines)}
    for group in groups:
        if group.item is not TITLEPAGE and wanted & set(group.chapter_ids):
            return group.item.key, lines
    return "", ()


def _titlepage_texts(doc: m.Document, note: str, narrator_line: str = "") -> dict[str, str]:
    """Title page element id → its text, in document order (see html.title_page)."""
    meta = doc.meta
    texts = {"titlepage-title": meta.title, "titlepage-subtitle": meta.subtitle,
             "titlepage-author": " and ".join(meta.authors), "titlepage-publisher": meta.publisher,
             "titlepage-narrator": narrator_line, "titlepage-narration": note}
    return {key: value for key, value in texts.items() if value.strip()}


def _titlepage_ids(doc: m.Document, note: str, narrator_line: str = "") -> set[str]:
    return set(_titlepage_texts(doc, note, narrator_line)) | {"titlepage"}


def _element_ids(doc: m.Document, item: DocumentAudio, spans, notes_after: bool = False) -> set[str]:
    ctx = html.RenderContext(sentence_spans=spans, notes_after_blocks=notes_after)
    rendered = "\n".join(html.chapter_section(doc, c, ctx, level=2) for c in item.chapters)
    return set(_ID.findall(rendered)) | ({"article-title"} if doc.single_file else set())


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _target(segment: TimelineSegment, ids: set[str], item: DocumentAudio) -> tuple[str, bool]:
    """The element a segment speaks, and whether it is the segment's own (else a fallback)."""
    note = segment.id.removesuffix("-label")  # "Footnote N.": the note's number, else the note
    for candidate in (segment.id, segment.block_id, note):
        if candidate and candidate in ids:
            return candidate, True
    if item is TITLEPAGE:
        return "titlepage", False
    chapter = next((c for c in item.chapters if c.id == segment.chapter_id), None)
    if chapter is not None and chapter.heading is not None and chapter.heading.id in ids:
        return chapter.heading.id, False
    if chapter is not None and f"{chapter.id}-h" in ids:
        return f"{chapter.id}-h", False
    return ("article-title" if item.single else f"{item.key}-h"), False


def _order(ids_in_order: list[str]) -> dict[str, int]:
    return {element_id: index for index, element_id in enumerate(ids_in_order)}


def overlay_smil(item: DocumentAudio, segments: list[TimelineSegment], ids: set[str], start_ms: int,
                 duration_ms: int, audio_name: str, texts: dict[str, str] | None = None) -> str:
    """The SMIL: one ``<par>`` per segment, clips tiling [start_ms, start_ms + duration_ms).

    A segment's text reference is its own sentence or row when it has one; credits match
    the title page element whose words they speak. A reference that would go back in the
    document (speech with no text of its own, after the text) repeats the previous one, so
    references stay in reading order (EPUBCheck's MED_015).
    """
    doc_href = f"../{item.file_name}"
    order = _order(list(texts)) if texts else None
    pars = []
    previous = ""
    for index, segment in enumerate(segments):
        begin = 0 if index == 0 else segment.start_ms - start_ms
        end = duration_ms if index == len(segments) - 1 else segments[index + 1].start_ms - start_ms
        if end <= begin:
            continue
        if texts is not None and order is not None:
            target = _credit_target(segment.text, texts, order, previous)
        else:
            target, own = _target(segment, ids, item)
            target = target if own or not previous else previous
        previous = target
        pars.append(f'<par id="par-{html.esc(segment.id)}"><text src="{doc_href}#{html.esc(target)}"/>'
                    f'<audio src="../{audio_name}" clipBegin="{_clock(begin)}" clipEnd="{_clock(end)}"/></par>')
    body = "\n    ".join(pars)
    textref = f'{doc_href}#{_textref(item)}'
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">\n'
            f'  <body>\n  <seq id="seq-{item.key}" epub:textref="{textref}">\n    {body}\n  </seq>\n  </body>\n'
            "</smil>\n")


def _textref(item: DocumentAudio) -> str:
    if item is TITLEPAGE:
        return "titlepage"
    return "article" if item.single else item.key


def _credit_target(spoken: str, texts: dict[str, str], order: dict[str, int], previous: str) -> str:
    """The first title page element, not before ``previous``, whose words the credit speaks."""
    said = f" {_words(spoken)} "
    floor = order.get(previous, -1)
    for element_id, text in texts.items():  # the element saying exactly this credit first
        if order[element_id] >= floor and f" {_words(text)} " == said:
            return element_id
    for element_id, text in texts.items():
        if order[element_id] >= floor and _words(text) and f" {_words(text)} " in said:
            return element_id
    return previous or "titlepage"


def _clock(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def write_readaloud(ctx: PublicationContext, narration: Narration) -> Made:
    """The read-along edition (EPUB 3 with media overlays) of a narrated publication."""
    target = ctx.path(".readaloud.epub")
    duration_s = write_readalong(ctx, narration, target)
    return [("epub-readaloud", target, {"duration_s": duration_s})]
