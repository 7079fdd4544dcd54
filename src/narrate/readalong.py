"""The read-along EPUB: the text, each document's audio, and SMIL media overlays.

narrate synthesizes every sentence itself, so the timeline already knows
where each sentence starts; no forced alignment. Each narrated sentence is a
``<span id>`` in the XHTML (sentence_markup.py) and one ``<par>`` in the
overlay. Clips tile the document's audio exactly: a clip runs from its
sentence's start to the next sentence's start (the pause belongs to the
sentence before it), the first starts at 0 and the last ends with the audio,
so the clips add up to the audio's duration.

The opening credits play at the start of the first document's audio and the closing credits
at the end of the last one's (each document's audio is its chapters' cached MP3 pieces).

Speech with no text of its own (the opening, the disclosure, a generated
chapter title) points at the nearest element that exists: the block, the
chapter heading, or the document's first heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import html
from . import model as m
from .audio import document_mp3
from .audio_timeline import TimelineSegment
from .editions import PublicationContext
from .errors import OutputError
from .narration import Narration, narrator
from .writers.epub import EpubOptions, write_epub

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


def write_readalong(ctx: PublicationContext, narration: Narration, target: Path) -> None:
    doc = ctx.doc
    spans = sentence_spans(doc, narration)
    overlays: dict[str, tuple[str, bytes, str, str, float]] = {}
    work = ctx.root / ".narrate" / "work" / doc.meta.slug / "readalong"
    timeline = narration.rendered.timeline
    items = documents(doc)
    audio_chapters = _audio_chapters(items, [c.id for c in timeline.chapters])
    for item in items:
        ids = _element_ids(doc, item, spans)
        chapter_ids = audio_chapters[item.key]
        first = timeline.chapter(chapter_ids[0])
        segments = [s for c in chapter_ids for s in timeline.segments_of(c)]
        if not segments:
            continue
        audio_name = f"audio/{item.key}.mp3"
        audio_path = document_mp3(narration.rendered, chapter_ids, work / f"{item.key}.mp3")
        duration_ms = _duration_ms(narration, chapter_ids)
        smil = overlay_smil(item, segments, ids, first.start_ms, duration_ms, audio_name)
        overlays[item.key] = (audio_name, audio_path.read_bytes(), "audio/mpeg", smil, duration_ms / 1000)
    if not overlays:
        raise OutputError("nothing is narrated, so there is no read-along edition", doc.source_files[0])
    options = EpubOptions(cover=ctx.cover(), overlays=overlays, sentence_spans=spans,
                          narrator=f"{narrator(narration.profile)} ({narration.profile.engine})")
    write_epub(doc, ctx.root, target, options)


def _audio_chapters(items: list[DocumentAudio], order: list[str]) -> dict[str, list[str]]:
    """Each document's audio chapters in timeline order: its own, plus any chapter with no document
    (the opening and closing credits) joined to the document of its neighbour in the timeline
    (the opening credits to the next chapter's, the closing credits to the previous one's)."""
    owner = {c.id: item.key for item in items for c in item.chapters}
    result: dict[str, list[str]] = {item.key: [] for item in items}
    pending: list[str] = []
    last = ""
    for chapter_id in order:
        if chapter_id in owner:
            last = owner[chapter_id]
            result[last] += [*pending, chapter_id]
            pending = []
        elif last:
            result[last].append(chapter_id)
        else:
            pending.append(chapter_id)
    return result


def _duration_ms(narration: Narration, chapter_ids: list[str]) -> int:
    """The decoded length of the document's audio: every chapter's span but the last's, then
    the last chapter's own samples (its codec padding is not played)."""
    rendered = narration.rendered
    pieces = [p for p in rendered.pieces if p.id in chapter_ids]
    samples = sum(p.span for p in pieces[:-1]) + pieces[-1].frames
    return (samples * 1000 + rendered.sample_rate // 2) // rendered.sample_rate


def _element_ids(doc: m.Document, item: DocumentAudio, spans) -> set[str]:
    ctx = html.RenderContext(sentence_spans=spans)
    rendered = "\n".join(html.chapter_section(doc, c, ctx, level=2) for c in item.chapters)
    return set(_ID.findall(rendered)) | ({"article-title"} if doc.single_file else set())


def _target(segment: TimelineSegment, ids: set[str], item: DocumentAudio) -> str:
    for candidate in (segment.id, segment.block_id, f"{segment.chapter_id}-h"):
        if candidate and candidate in ids:
            return candidate
    chapter = next((c for c in item.chapters if c.id == segment.chapter_id), None)
    if chapter is not None and chapter.heading is not None and chapter.heading.id in ids:
        return chapter.heading.id
    return "article-title" if item.single else f"{item.key}-h"


def overlay_smil(item: DocumentAudio, segments: list[TimelineSegment], ids: set[str], start_ms: int,
                 duration_ms: int, audio_name: str) -> str:
    doc_href = f"../{item.file_name}"
    pars = []
    for index, segment in enumerate(segments):
        begin = 0 if index == 0 else segment.start_ms - start_ms
        end = duration_ms if index == len(segments) - 1 else segments[index + 1].start_ms - start_ms
        if end <= begin:
            continue
        target = _target(segment, ids, item)
        pars.append(f'<par id="par-{html.esc(segment.id)}"><text src="{doc_href}#{html.esc(target)}"/>'
                    f'<audio src="../{audio_name}" clipBegin="{_clock(begin)}" clipEnd="{_clock(end)}"/></par>')
    body = "\n    ".join(pars)
    textref = f'{doc_href}#{"article" if item.single else item.key}'
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">\n'
            f'  <body>\n  <seq id="seq-{item.key}" epub:textref="{textref}">\n    {body}\n  </seq>\n  </body>\n'
            "</smil>\n")


def _clock(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
