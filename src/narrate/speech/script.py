"""The speech script: what will be spoken, in order, with pauses.

``build_script(doc, options)`` turns a ``Document`` into a ``Script``: one
``ScriptChapter`` per model chapter, each a list of ``Segment`` (one sentence
or one short utterance: a title, a list item, an alt text). Normalization
(numbers, dates, currency, abbreviations ...) happens here, before any engine,
so every engine says the same words.

Reading choices (the words narrate adds come from ``narrate.i18n.messages`` in the
document's language: "by" is "von" in German):

* opening credits, a chapter of their own (audiobook practice, so the first
  chapter's title plays over its own text): the title, subtitle, "by <authors>",
  "Published by <publisher>", "Narrated by <narrator>" (``options.narrator``, as a
  listener would be told, e.g. "Joe, a synthetic voice") and the disclosure
  (``options.disclosure``, "" disables it; "{voice}" in it is replaced by
  ``options.voice_name``); without ``options.credits`` they open the first chapter;
* closing credits, also a chapter: "The end of <title>.", who wrote and narrated
  it, and the rights statement; a copyright page (``epub_type`` copyright-page) is
  read after them, never before the story;
* a paragraph that is only a link ("Subscribe to our mailing list") says the link's
  text and a readable form of its address ("… list: example.org/join"), since a
  listener cannot click it;
* each chapter's heading is announced (``chapter.title`` if it has no heading
  block), except an article's lead chapter; a heading that is only a Roman
  numeral ("IV") is read as a number ("four");
* paragraphs, list items, quotes and captions are split into sentences on the
  display text; each sentence is then lexicon-applied and normalized;
* figures say "Image: <alt>" if ``options.read_alt_text``; inline images say
  their alt; links say their text, never their address;
* tables are read row by row, "header: value, header: value";
* code blocks are not read: they say "Code sample omitted.";
* footnotes are read after the block that first refers to them (unreferenced
  ones at the chapter's end), announced by a generated "Footnote <n>."
  segment so that the note's own segments keep the source wording; a paragraph
  ending in a colon keeps its notes until after the block it introduces (a list),
  never between the lead-in and what it leads to. ``options.footnotes = "section"``
  reads them at the next heading (or the chapter's end); "skip" skips them;
* a thematic break lengthens the pause before it to a section pause.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from narrate.errors import ConfigError
from narrate.i18n.dates import list_text
from narrate.i18n.messages import messages_for
from narrate.model import (
    Block,
    Chapter,
    CodeBlock,
    Document,
    Figure,
    Footnote,
    Heading,
    ListBlock,
    Meta,
    Paragraph,
    Quote,
    Rule,
    Span,
    Table,
    TableCell,
    Text,
    leads_in,
)
from narrate.speech.inline_speech import (
    align_languages,
    footnote_refs,
    has_phrase_language,
    has_words,
    link_call,
    only_links,
    speech_chunks,
    speech_text,
)
from narrate.speech.normalize import normalize
from narrate.speech.numbers import cardinal
from narrate.speech.script_types import Pauses, Script, ScriptChapter, ScriptOptions, Segment
from narrate.speech.sentences import split_sentences
from narrate.speech.wording import roman_value

if TYPE_CHECKING:
    from narrate.speech.lexicon import Lexicon

__all__ = [
    "CLOSING_CREDITS", "OPENING_CREDITS", "Pauses", "Script", "ScriptChapter", "ScriptOptions", "Segment",
    "build_script", "format_script", "speech_text", "spoken_sentence",
]

CODE_OMITTED = "Code sample omitted."  # the English of messages "code_omitted"


# ------------------------------------------------------------------- building


def build_script(
    doc: Document, options: ScriptOptions | None = None, lexicon: Lexicon | None = None
) -> Script:
    """The speech script of a document."""
    options = options or ScriptOptions()
    if options.footnotes not in {"after", "section", "skip"}:
        raise ConfigError(f'expected footnotes = "after", "section" or "skip", found "{options.footnotes}"')
    builder = _Builder(doc.meta.language, options, lexicon)
    body = list(doc.chapters)
    moved = [c for c in body if c.epub_type == "copyright-page"] if options.credits else []
    body = [c for c in body if all(c is not m for m in moved)]
    chapters = []
    credits = options.credits and bool(doc.chapters)
    if credits:
        chapters += _credits(OPENING_CREDITS, builder.say("opening_credits"),
                             builder.opening(doc.meta, OPENING_CREDITS), options)
    for index, chapter in enumerate(body + moved):
        segments = builder.opening(doc.meta, chapter.id) if index == 0 and not options.credits else []
        segments += builder.chapter(chapter)
        if segments:
            segments[-1] = _with_pause(segments[-1], options.pauses.chapter)
        chapters.append(ScriptChapter(id=chapter.id, title=chapter.title, segments=tuple(segments)))
    if credits:
        closing = builder.closing(doc.meta, CLOSING_CREDITS, read_rights=not moved)
        chapters += _credits(CLOSING_CREDITS, builder.say("closing_credits"), closing, options)
    return Script(slug=doc.meta.slug, title=doc.meta.title, language=doc.meta.language,
                  chapters=tuple(chapters))


OPENING_CREDITS = "opening-credits"
CLOSING_CREDITS = "closing-credits"


def _credits(chapter_id: str, title: str, segments: list[Segment], options: ScriptOptions) -> list[ScriptChapter]:
    if not segments:
        return []
    segments[-1] = _with_pause(segments[-1], options.pauses.chapter)
    return [ScriptChapter(id=chapter_id, title=title, segments=tuple(segments))]


def format_script(script: Script, say: Callable[[Segment], str] = lambda segment: segment.spoken) -> str:
    """Exactly what will be spoken: one utterance per line (``say`` of its segment: by default
    its text), a blank line between blocks and between chapters."""
    lines: list[str] = []
    previous: tuple[str, str] | None = None
    for chapter in script.chapters:
        for segment in chapter.segments:
            group = (chapter.id, segment.block_id or segment.kind)
            if previous is not None and group != previous:
                lines.append("")
            lines.append(say(segment))
            previous = group
    return "\n".join(lines) + "\n" if lines else ""


def _with_pause(segment: Segment, pause: int) -> Segment:
    return dataclasses.replace(segment, pause_after_ms=pause)


def _whole_span_language(block: Block) -> str:
    """A paragraph that is one passage in another language ("[Bonjour.]{lang=fr}") is read in it."""
    if not isinstance(block, Paragraph):
        return ""
    kids = [k for k in block.children if not (isinstance(k, Text) and not k.text.strip())]
    return kids[0].lang if len(kids) == 1 and isinstance(kids[0], Span) else ""


def _primary(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def _end_block(segments: list[Segment], pause: int) -> list[Segment]:
    if segments:
        segments[-1] = _with_pause(segments[-1], pause)
    return segments


def _join_names(names: tuple[str, ...], language: str) -> str:
    return list_text([name for name in names if name.strip()], language)


class _Builder:
    """Segments for one document; remembers ids and footnotes already read."""

    def __init__(self, language: str, options: ScriptOptions, lexicon: Lexicon | None):
        self.language = language
        self.options = options
        self.say = options.messages or messages_for(language)
        self.part = ""  # the language of the block being read, when it is not the document's
        self.pauses = options.pauses
        self.lexicon = lexicon
        self.ids: set[str] = set()
        self.notes: dict[str, Footnote] = {}
        self.notes_read: set[str] = set()

    def speak(self, text: str) -> str:
        if self.lexicon:
            text = self.lexicon.apply(text, mark=True)
        return normalize(text, self.part or self.language)

    def segment(self, seg_id: str, block_id: str, text: str, kind: str, pause: int,
                chunks: list[tuple[str, str]] | None = None) -> Segment | None:
        text = " ".join(text.split())
        value = roman_value(text.rstrip(".")) if kind == "heading" else None
        runs = () if value else self.runs(chunks or [])
        spoken = " ".join(t for _, t in runs) if runs else \
            cardinal(value) if value else self.speak(text) if has_words(text) else ""
        if not has_words(spoken):
            return None
        unique, n = seg_id, 1
        while unique in self.ids:
            n += 1
            unique = f"{seg_id}-{n}"
        self.ids.add(unique)
        return Segment(
            id=unique, block_id=block_id, text=text, spoken=spoken, pause_after_ms=pause, kind=kind,
            language=self.part, runs=runs,
        )

    def runs(self, chunks: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        """A sentence's (language, spoken) runs when a phrase in it is in another language than the
        sentence's voice speaks; () when it is all one. Each run is normalized in its own language;
        a run without words (the "." after a phrase) joins the run before it."""
        merged: list[list[str]] = []  # [voice language ("" for the script's), language, text]
        for lang, chunk in chunks:
            language = lang or self.part or self.language
            voice = "" if _primary(language) == _primary(self.language) else language
            if merged and (merged[-1][0] == voice or not has_words(chunk)):
                merged[-1][2] += chunk
            elif merged and not has_words(merged[-1][2]):
                merged[-1] = [voice, language, merged[-1][2] + chunk]
            else:
                merged.append([voice, language, chunk])
        if len({voice for voice, _, _ in merged}) < 2:
            return ()
        outer = self.part
        try:
            spoken = []
            for voice, language, chunk in merged:
                self.part = "" if not voice else language
                spoken.append((voice, self.speak(" ".join(chunk.split()))))
        finally:
            self.part = outer
        return tuple((voice, text) for voice, text in spoken if text.strip())

    def utterances(self, seg_ids: list[str], block_id: str, texts: list[str], kind: str) -> list[Segment]:
        """Several utterances of one block: sentence pauses, a paragraph pause at the end."""
        pause = self.pauses.sentence
        made = [self.segment(i, block_id, t, kind, pause) for i, t in zip(seg_ids, texts, strict=True)]
        return _end_block([s for s in made if s is not None], self.pauses.paragraph)

    def sentences(self, block_id: str, text: str, kind: str, start: int = 1,
                  chunks: list[tuple[str, str]] | None = None) -> list[Segment]:
        """``text`` in sentences; ``chunks``, when given, is ``text`` in (language, text) pieces:
        a sentence spanning pieces in other languages is spoken in runs (``Segment.runs``)."""
        parts = split_sentences(text, self.part or self.language)
        ids = [f"{block_id}-s{n}" for n in range(start, start + len(parts))]
        if not chunks:
            return self.utterances(ids, block_id, parts, kind)
        langs = [lang for lang, chunk in chunks for _ in chunk]
        made, cursor = [], 0
        for seg_id, part in zip(ids, parts, strict=True):
            aligned, cursor = align_languages(part, text, langs, cursor)
            made.append(self.segment(seg_id, block_id, part, kind, self.pauses.sentence, aligned))
        return _end_block([s for s in made if s is not None], self.pauses.paragraph)

    # ------------------------------------------------------------- structure

    def opening(self, meta: Meta, chapter_id: str) -> list[Segment]:
        texts = [meta.title, meta.subtitle]
        if any(a.strip() for a in meta.authors):
            texts.append(self.say("byline", authors=_join_names(meta.authors, self.language)))
        if meta.publisher.strip():
            texts.append(self.say("published_by", publisher=meta.publisher))
        if self.options.credits and self.options.narrator.strip():
            texts.append(self.say("credits_narrator", narrator=self.options.narrator.strip()))
        texts = [t for t in texts if t.strip()]
        prefix = chapter_id if chapter_id == OPENING_CREDITS else f"{chapter_id}-opening"
        ids = [f"{prefix}-{n}" for n in range(1, len(texts) + 1)]
        segments = self.utterances(ids, "", texts, "opening")
        disclosure = self.say("disclosure") if self.options.disclosure is None else self.options.disclosure
        disclosure = disclosure.replace("{voice}", self.options.voice_name)
        note = self.segment(f"{chapter_id}-disclosure", "", disclosure, "disclosure", self.pauses.section)
        segments += [note] if note else []
        return _end_block(segments, self.pauses.section)

    def closing(self, meta: Meta, chapter_id: str, read_rights: bool = True) -> list[Segment]:
        """Closing credits: "The end of <title>", who wrote and narrated it, the copyright.

        The phrases come from the message catalog, in the document's language."""
        texts = [self.say("credits_end", title=meta.title)]
        authors = _join_names(meta.authors, self.language) if any(a.strip() for a in meta.authors) else ""
        narrator = self.options.narrator.strip()
        if authors and narrator:
            texts.append(self.say("credits_written_narrated", authors=authors, narrator=narrator))
        elif authors or narrator:
            texts.append(self.say("credits_written", authors=authors) if authors
                         else self.say("credits_narrated", narrator=narrator))
        if read_rights and meta.rights.strip():
            texts.append(meta.rights.strip())
        ids = [f"{chapter_id}-{n}" for n in range(1, len(texts) + 1)]
        return _end_block(self.utterances(ids, "", texts, "closing"), self.pauses.section)

    def chapter(self, chapter: Chapter) -> list[Segment]:
        self.notes = {note.label: note for note in chapter.footnotes}
        self.notes_read = set()
        segments: list[Segment] = []
        if chapter.role != "lead":
            if chapter.heading is not None:
                segments += self.block(chapter.heading)
            else:
                title = self.segment(f"{chapter.id}-title", "", chapter.title, "heading", self.pauses.section)
                segments += [title] if title else []
        waiting: list[str] = []  # footnotes cited but not read yet
        for index, block in enumerate(chapter.blocks):
            if isinstance(block, Rule):
                _end_block(segments, max(self.pauses.section, segments[-1].pause_after_ms if segments else 0))
                continue
            if isinstance(block, Heading) and self.options.footnotes == "section":
                segments += self.footnotes(waiting)
                waiting = []
            segments += self.block(block)
            waiting += [ref.label for ref in footnote_refs(block)]
            following = chapter.blocks[index + 1] if index + 1 < len(chapter.blocks) else None
            if self.options.footnotes == "after" and not (following is not None and leads_in(block)):
                segments += self.footnotes(waiting)
                waiting = []
        return segments + self.footnotes(waiting) + self.footnotes(list(self.notes))

    def footnotes(self, labels: list[str]) -> list[Segment]:
        if self.options.footnotes == "skip":
            return []
        segments: list[Segment] = []
        for label in labels:
            note = self.notes.get(label)
            if note is None or label in self.notes_read:
                continue
            self.notes_read.add(label)
            intro = self.segment(f"{note.id}-label", "", self.say("footnote", number=str(note.number)), "footnote",
                                 self.pauses.sentence)
            segments += [intro] if intro else []
            for block in note.children:
                segments += self.block(block, "footnote")
        return segments

    # ---------------------------------------------------------------- blocks

    def block(self, block: Block, kind: str = "text") -> list[Segment]:
        lang = getattr(block, "lang", "") or _whole_span_language(block)
        if not lang or lang == (self.part or self.language):
            return self._block(block, kind)
        outer, self.part = self.part, "" if _primary(lang) == _primary(self.language) else lang
        try:
            return self._block(block, kind)
        finally:
            self.part = outer

    def _block(self, block: Block, kind: str = "text") -> list[Segment]:
        read_alt = self.options.read_alt_text
        if isinstance(block, Heading):
            text = speech_text(block.children, read_alt)
            chunks = speech_chunks(block.children, read_alt) if has_phrase_language(block.children) else None
            heading = self.segment(f"{block.id}-s1", block.id, text, "heading" if kind == "text" else kind,
                                   self.pauses.section, chunks)
            return [heading] if heading else []
        if isinstance(block, Paragraph):
            if only_links(block.children):  # a call to action: say where to go
                return self.sentences(block.id, link_call(block.children, read_alt), kind)
            if has_phrase_language(block.children):
                chunks = speech_chunks(block.children, read_alt)
                return self.sentences(block.id, "".join(c for _, c in chunks), kind, chunks=chunks)
            return self.sentences(block.id, speech_text(block.children, read_alt), kind)
        if isinstance(block, ListBlock):
            inner = "item" if kind == "text" else kind
            return [s for item in block.items for b in item for s in self.block(b, inner)]
        if isinstance(block, Quote):
            inner = "quote" if kind in {"text", "item"} else kind
            return [s for b in block.children for s in self.block(b, inner)]
        if isinstance(block, CodeBlock):
            return self.utterances([f"{block.id}-s1"], block.id, [self.say("code_omitted")], kind)
        if isinstance(block, Figure):
            return self.figure(block, kind)
        if isinstance(block, Table):
            return self.table(block, kind)
        return []

    def figure(self, figure: Figure, kind: str) -> list[Segment]:
        segments: list[Segment] = []
        if self.options.read_alt_text and figure.alt.strip():
            alt = self.segment(f"{figure.id}-s1", figure.id, self.say("image", alt=figure.alt),
                               "alt" if kind == "text" else kind, self.pauses.sentence)
            segments += [alt] if alt else []
        caption = speech_text(figure.caption, self.options.read_alt_text)
        segments += self.sentences(figure.id, caption, kind, start=2)
        return _end_block(segments, self.pauses.paragraph)

    def table(self, table: Table, kind: str) -> list[Segment]:
        """Row by row: "header: value, header: value" when there is a header row. A cell holding a
        phrase in another language ([…]{lang=fr}) is spoken in runs, like a sentence."""
        read_alt = self.options.read_alt_text

        def cells(row: tuple[TableCell, ...]) -> list[list[tuple[str, str]]]:
            """Each cell as (language, text) chunks, whitespace collapsed ("" the table's language)."""
            out = []
            for cell in row:
                if not has_phrase_language(cell.children):
                    text = " ".join(speech_text(cell.children, read_alt).split())
                    out.append([("", text)] if text else [])
                    continue
                chunks = speech_chunks(cell.children, read_alt)
                raw = "".join(c for _, c in chunks)
                aligned, _ = align_languages(" ".join(raw.split()), raw, [lang for lang, c in chunks for _ in c], 0)
                out.append(aligned)
            return out

        def plain(chunks: list[tuple[str, str]]) -> str:
            return " ".join(text for _, text in chunks)

        header = [plain(c) for c in cells(table.head[-1])] if table.head and table.body else []
        rows = [cells(row) for row in table.body] if table.body else [cells(row) for row in table.head]
        segments = []
        for n, row in enumerate(rows, 1):
            pairs = list(zip(header, row, strict=False)) + [("", v) for v in row[len(header):]]
            chunks: list[tuple[str, str]] = []
            for h, value in pairs:
                if not value:
                    continue
                if chunks:
                    chunks.append(("", ", "))
                if h:
                    chunks.append(("", f"{h}: "))
                chunks += value
            text = "".join(c for _, c in chunks)
            if text and text[-1] not in ".!?":
                chunks.append(("", "."))
                text += "."
            mixed = any(lang for lang, _ in chunks)
            made = self.segment(f"{table.id}-s{n}", table.id, text, kind, self.pauses.sentence,
                                chunks if mixed else None)
            segments += [made] if made else []
        return _end_block(segments, self.pauses.paragraph)


def spoken_sentence(text: str, language: str, lexicon: Lexicon | None = None) -> str:
    """What the script says for one sentence of source text (lexicon aliases, then normalization,
    as ``build_script`` does): the spoken text an engine is given."""
    return _Builder(language, ScriptOptions(), lexicon).speak(" ".join(text.split()))
