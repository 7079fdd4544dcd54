"""build_script() / format_script(): model → what is spoken, with pauses and ids."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from narrate.errors import ConfigError
from narrate.model import (
    Chapter,
    Code,
    CodeBlock,
    Document,
    Emph,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    InlineImage,
    LineBreak,
    Link,
    ListBlock,
    Meta,
    Paragraph,
    Quote,
    Rule,
    SourcePos,
    Strong,
    Table,
    TableCell,
    Text,
)
from narrate.speech.lexicon import Entry, Lexicon
from narrate.speech.script import Pauses, ScriptOptions, build_script, format_script

GOLDEN = Path(__file__).parent / "golden" / "script"
POS = SourcePos("content/a.md", 1)
P = Pauses(sentence=1, paragraph=2, section=3, chapter=4)


def para(block_id: str, *inlines) -> Paragraph:
    return Paragraph(block_id, tuple(Text(i) if isinstance(i, str) else i for i in inlines), POS)


def heading(block_id: str, text: str, level: int = 1) -> Heading:
    return Heading(block_id, level, (Text(text),), POS)


def meta(**changes) -> Meta:
    values = dict(title="The Quiet River", slug="quiet-river", language="en", identifier="urn:x",
                  kind="book", subtitle="A Novel", authors=("Ann Lee", "Bo Park"), publisher="Small Press")
    values.update(changes)
    return Meta(**values)


def book() -> Document:
    one = Chapter(
        id="ch1", title="Beginnings", heading=heading("ch1-h", "Chapter I: Beginnings"),
        blocks=(
            para("p1", "Dr. Smith arrived at 7:30 p.m. on March 3, 2025. He paid $3.50",
                 FootnoteRef("n1", 1), "."),
            para("p2", "See ", Link("https://example.org/x", (Text("our site"),)), " and ",
                 InlineImage("i.png", "a small map"), ", ", Emph((Text("really"),)), " ",
                 Strong((Text("now"),)), " with ", Code("ls -l"), LineBreak(), "ok."),
            Rule("r1", POS),
            ListBlock("l1", True, ((para("l1-1", "First item."),), (para("l1-2", "Second, 2nd item."),)),
                      POS),
            Quote("q1", (para("q1-1", "To be. Or not."),), POS),
            CodeBlock("c1", "print('hi')", POS, "python"),
            Figure("f1", "images/m.png", "A map of the river", (Text("The river in 1999."),), POS),
            Table("t1", ((TableCell((Text("Year"),), True), TableCell((Text("Fish"),), True)),),
                  ((TableCell((Text("1999"),)), TableCell((Text("1,250"),))),
                   (TableCell((Text("2005"),)), TableCell(()))), POS),
            para("p3", "   "),
        ),
        footnotes=(
            Footnote("n1", 1, "fn1", (para("fn1-p", "Prices from 1999. Roughly."),), POS),
            Footnote("n2", 2, "fn2", (para("fn2-p", "Never cited."),), POS),
        ),
        source=POS,
    )
    two = Chapter(id="ch2", title="Endings", heading=None, blocks=(para("p4", "The end."),),
                  footnotes=(), source=POS)
    return Document(meta=meta(), chapters=(one, two), source_files=("content/a.md",))


def article() -> Document:
    lead = Chapter(id="lead", title="The Quiet River", heading=None, blocks=(para("a1", "Hello there."),),
                   footnotes=(), source=POS, role="lead")
    section = Chapter(id="s1", title="More", heading=heading("s1-h", "More", 2),
                      blocks=(para("a2", "Goodbye."),), footnotes=(), source=POS)
    return Document(meta=meta(kind="article", subtitle="", authors=("Ann Lee",), publisher=""),
                    chapters=(lead, section), source_files=("a.md",), single_file=True)


def spoken(script) -> list[tuple[str, str]]:
    return [(s.id, s.spoken) for s in script.segments()]


def test_opening_disclosure_and_headings():
    script = build_script(book(), ScriptOptions(pauses=P, credits=False))
    segments = list(script.segments())
    assert [(s.id, s.kind, s.text) for s in segments[:6]] == [
        ("ch1-opening-1", "opening", "The Quiet River"),
        ("ch1-opening-2", "opening", "A Novel"),
        ("ch1-opening-3", "opening", "by Ann Lee and Bo Park"),
        ("ch1-opening-4", "opening", "Published by Small Press"),
        ("ch1-disclosure", "disclosure", "This narration uses a synthetic voice."),
        ("ch1-h-s1", "heading", "Chapter I: Beginnings"),
    ]
    assert segments[5].spoken == "Chapter one: Beginnings"
    assert [s.pause_after_ms for s in segments[:6]] == [1, 1, 1, 2, 3, 3]
    chapter_two = script.chapters[1].segments
    assert (chapter_two[0].id, chapter_two[0].kind, chapter_two[0].block_id) == ("ch2-title", "heading", "")
    assert (script.slug, script.title, script.language) == ("quiet-river", "The Quiet River", "en")


def test_roman_numeral_headings_are_numbers():
    chapter = Chapter(id="c4", title="IV", heading=None, blocks=(), footnotes=(), source=POS)
    doc = Document(meta=meta(), chapters=(chapter,), source_files=())
    assert [s.spoken for s in build_script(doc, ScriptOptions(credits=False)).segments()][-1] == "four"


def test_three_authors_and_no_disclosure():
    doc = book()
    doc = Document(meta=meta(authors=("A", "B", "C")), chapters=doc.chapters, source_files=())
    script = build_script(doc, ScriptOptions(disclosure=""))
    texts = [s.text for s in script.segments()]
    assert "by A, B, and C" in texts  # as the title page prints it (Babel's list pattern for English)
    assert not any(s.kind == "disclosure" for s in script.segments())


def test_disclosure_names_the_voice():
    options = ScriptOptions(disclosure="Read by {voice}, a synthetic voice.", voice_name="Joe")
    first = [s for s in build_script(book(), options).segments() if s.kind == "disclosure"]
    assert first[0].text == "Read by Joe, a synthetic voice."


def test_credits_are_chapters_of_their_own():
    doc = book()
    doc = Document(meta=dataclasses.replace(doc.meta, rights="Copyright 2025 Ann Lee."), chapters=doc.chapters,
                   source_files=())
    script = build_script(doc, ScriptOptions(pauses=P, narrator="Joe, a synthetic voice"))
    first, last = script.chapters[0], script.chapters[-1]
    assert (first.id, first.title) == ("opening-credits", "Opening credits")
    assert [s.text for s in first.segments] == [
        "The Quiet River", "A Novel", "by Ann Lee and Bo Park", "Published by Small Press",
        "Narrated by Joe, a synthetic voice", "This narration uses a synthetic voice."]
    assert first.segments[-1].pause_after_ms == P.chapter
    # the first chapter's title plays over its own text, not over the credits
    assert script.chapters[1].segments[0].text == "Chapter I: Beginnings"
    assert (last.id, last.title) == ("closing-credits", "Closing credits")
    assert [s.text for s in last.segments] == [
        "The end of The Quiet River.", "Written by Ann Lee and Bo Park, and narrated by Joe, a synthetic voice.",
        "Copyright 2025 Ann Lee."]
    assert not any("fake" in s.spoken or "joe" in s.spoken for s in script.segments())


def test_copyright_page_is_read_at_the_end_and_link_only_paragraphs_not_at_all():
    doc = book()
    rights = Chapter(id="copy", title="Copyright", heading=None, footnotes=(), source=POS, role="front",
                     epub_type="copyright-page",
                     blocks=(para("cp1", "Copyright 2025 Ann Lee."),))
    cta = para("cta", Link(href="https://example.org/list", children=(Text("Subscribe to the mailing list"),)))
    first = dataclasses.replace(doc.chapters[0], blocks=(*doc.chapters[0].blocks, cta))
    doc = Document(meta=doc.meta, chapters=(rights, first, *doc.chapters[1:]), source_files=())
    script = build_script(doc, ScriptOptions())
    assert [c.id for c in script.chapters] == ["opening-credits", "ch1", "ch2", "copy", "closing-credits"]
    assert "Subscribe to the mailing list" not in [s.text for s in script.segments()]


def test_article_lead_has_no_heading():
    script = build_script(article(), ScriptOptions(pauses=P, credits=False))
    assert spoken(script) == [
        ("lead-opening-1", "The Quiet River"), ("lead-opening-2", "by Ann Lee"),
        ("lead-disclosure", "This narration uses a synthetic voice."),
        ("a1-s1", "Hello there."), ("s1-h-s1", "More"), ("a2-s1", "Goodbye."),
    ]


def test_paragraphs_are_sentences_with_display_and_spoken_text():
    segments = {s.id: s for s in build_script(book()).segments()}
    first = segments["p1-s1"]
    assert first.text == "Dr. Smith arrived at 7:30 p.m. on March 3, 2025."
    assert first.spoken == "Doctor Smith arrived at seven thirty P M on March third, twenty twenty-five."
    assert (first.block_id, first.kind) == ("p1", "text")
    assert segments["p1-s2"].spoken == "He paid three dollars and fifty cents."


def test_inlines_links_images_code():
    segment = {s.id: s for s in build_script(book()).segments()}["p2-s1"]
    assert segment.text == "See our site and a small map, really now with ls -l ok."
    assert "example" not in segment.spoken


def test_alt_text_can_be_off():
    ids = {s.id: s for s in build_script(book(), ScriptOptions(read_alt_text=False)).segments()}
    assert "f1-s1" not in ids and ids["f1-s2"].text == "The river in 1999."
    assert ids["p2-s1"].text == "See our site and , really now with ls -l ok."


def test_lists_quotes_figures_tables_code():
    segments = {s.id: s for s in build_script(book(), ScriptOptions(pauses=P)).segments()}
    assert (segments["l1-1-s1"].kind, segments["l1-2-s1"].spoken) == ("item", "Second, second item.")
    assert [segments[i].kind for i in ("q1-1-s1", "q1-1-s2")] == ["quote", "quote"]
    assert segments["c1-s1"].text == "Code sample omitted."
    assert (segments["f1-s1"].kind, segments["f1-s1"].text) == ("alt", "Image: A map of the river")
    assert segments["f1-s2"].spoken == "The river in nineteen ninety-nine."
    assert segments["t1-s1"].spoken == "Year: nineteen ninety-nine, Fish: one thousand two hundred fifty."
    assert segments["t1-s2"].text == "Year: 2005."
    assert "p3-s1" not in segments  # whitespace only


def test_pauses():
    segments = {s.id: s for s in build_script(book(), ScriptOptions(pauses=P)).segments()}
    assert segments["p1-s1"].pause_after_ms == P.sentence
    assert segments["fn1-p-s2"].pause_after_ms == P.paragraph
    assert segments["p2-s1"].pause_after_ms == P.section  # a thematic break follows
    assert segments["t1-s1"].pause_after_ms == P.sentence
    assert segments["ch2-title"].pause_after_ms == P.section
    assert segments["p4-s1"].pause_after_ms == P.chapter
    assert segments["fn2-p-s1"].pause_after_ms == P.chapter  # last of chapter one


def test_footnotes_after_their_paragraph():
    ids = [s.id for s in build_script(book(), ScriptOptions(credits=False)).segments()]
    assert ids.index("fn1-label") == ids.index("p1-s2") + 1
    assert ids.index("fn1-p-s1") == ids.index("fn1-label") + 1
    segments = {s.id: s for s in build_script(book(), ScriptOptions(credits=False)).segments()}
    label, note = segments["fn1-label"], segments["fn1-p-s1"]
    assert (label.kind, label.block_id) == ("footnote", "")
    assert (label.text, label.spoken) == ("Footnote 1.", "Footnote one.")
    assert (note.kind, note.text) == ("footnote", "Prices from 1999.")
    assert note.spoken == "Prices from nineteen ninety-nine."
    assert build_script(book(), ScriptOptions(credits=False)).chapters[0].segments[-1].id == "fn2-p-s1"  # at the end


def test_footnotes_skipped():
    ids = [s.id for s in build_script(book(), ScriptOptions(footnotes="skip")).segments()]
    assert not any(i.startswith("fn") for i in ids)
    with pytest.raises(ConfigError):
        build_script(book(), ScriptOptions(footnotes="sometimes"))


def test_ids_are_unique_even_if_block_ids_clash():
    doc = book()
    clash = Chapter(id="ch3", title="Again", heading=heading("ch1-h", "Again"),
                    blocks=(para("p1", "Same id. Again."), para("p1", "Same id.")), footnotes=(), source=POS)
    doc = Document(meta=doc.meta, chapters=doc.chapters + (clash,), source_files=())
    ids = [s.id for s in build_script(doc).segments()]
    assert len(ids) == len(set(ids))


def test_lexicon_applies_before_normalizing():
    lexicon = Lexicon([Entry("Smith", alias="Smyth"), Entry("1999", alias="ninety-nine")])
    segments = {s.id: s for s in build_script(book(), lexicon=lexicon).segments()}
    assert segments["p1-s1"].spoken.startswith("Doctor Smyth arrived")
    assert segments["p1-s1"].text.startswith("Dr. Smith arrived")
    assert segments["f1-s2"].spoken == "The river in ninety-nine."


def test_non_english_document():
    doc = Document(meta=meta(language="fr", subtitle="", authors=(), publisher=""), chapters=(
        Chapter(id="c", title="Un", heading=None, blocks=(para("x", "J'ai 42 ans. Dr. Non."),),
                footnotes=(), source=POS),), source_files=())
    assert [s.spoken for s in build_script(doc, ScriptOptions(disclosure="", credits=False)).segments()] == [
        "The Quiet River", "Un", "J'ai quarante-deux ans.", "Docteur Non."]  # French rules (rules_fr)


def test_format_script_one_line_per_utterance_blank_between_blocks():
    text = format_script(build_script(article(), ScriptOptions(credits=False)))
    assert text == (
        "The Quiet River\nby Ann Lee\n\nThis narration uses a synthetic voice.\n\nHello there.\n\n"
        "More\n\nGoodbye.\n")
    assert format_script(build_script(Document(meta=meta(), chapters=(), source_files=()))) == ""


def test_golden_book_script():
    """Regenerate with NARRATE_REGEN_GOLDEN=1 and review the diff."""
    text = format_script(build_script(book()))
    path = GOLDEN / "book.txt"
    if os.environ.get("NARRATE_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
