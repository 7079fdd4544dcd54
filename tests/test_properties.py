"""Property tests: the reader never crashes, and no source word is lost on the way to the
EPUB text or the transcript (the speech script's display text)."""

from __future__ import annotations

import dataclasses
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrate import model as m
from narrate.errors import SourceError
from narrate.markup import html
from narrate.sources.reader import parse_body
from narrate.speech.script import build_script

WORD = st.from_regex(r"[A-Za-z]{1,9}", fullmatch=True)
INLINE = st.lists(
    st.one_of(WORD, WORD.map(lambda w: f"*{w}*"), WORD.map(lambda w: f"**{w}**"), WORD.map(lambda w: f"`{w}`"),
              WORD.map(lambda w: f"[{w}](https://example.org/x)"), WORD.map(lambda w: f"{w}."),
              WORD.map(lambda w: f'"{w}"'), WORD.map(lambda w: f"{w}--")),
    min_size=1, max_size=14).map(" ".join)
BLOCK = st.one_of(
    INLINE,
    INLINE.map(lambda t: "## " + t),
    INLINE.map(lambda t: "### " + t),
    INLINE.map(lambda t: "> " + t),
    st.lists(INLINE, min_size=1, max_size=4).map(lambda items: "\n".join("- " + i for i in items)),
    st.lists(INLINE, min_size=1, max_size=3).map(lambda items: "\n".join(f"{n}. {i}" for n, i in enumerate(items, 1))),
    st.tuples(INLINE, INLINE).map(lambda p: f"- {p[0]}\n  - {p[1]}"),
    st.tuples(WORD, WORD).map(lambda p: f"| {p[0]} | x |\n|---|---|\n| {p[1]} | y |"),
)
DOCUMENT = st.lists(BLOCK, min_size=1, max_size=8).map("\n\n".join)


def no_images(src: str, pos: m.SourcePos) -> str:
    raise SourceError("no images in property tests", pos.path, pos.line)


def document(body: str) -> m.Document:
    warnings: list[str] = []
    chapters = parse_body(body, path="p.md", first_line=1, title="Title", split_sections=True,
                          resolve_asset=no_images, warnings=warnings)
    meta = m.Meta(title="Title", slug="p", language="en", identifier="urn:uuid:0", kind="article")
    return m.Document(meta, tuple(chapters), ("p.md",), single_file=True)


def words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]+", text))


def source_words(body: str) -> set[str]:
    return words(re.sub(r"\]\(https://example\.org/x\)", "]", body)) - {"x", "y"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_no_source_word_is_lost(body):
    doc = document(body)
    rendered = "\n".join(html.chapter_section(doc, c, html.RenderContext(), level=2) for c in doc.chapters)
    epub_text = re.sub(r"<[^>]+>", " ", rendered)
    expected = source_words(body)
    assert expected <= words(epub_text)
    script = build_script(doc)
    transcript = " ".join(s.text for s in script.segments())
    # A paragraph that is only a link ("Subscribe to our list") is deliberately not read aloud:
    # nothing in a narration can act on it. Every other word is spoken.
    assert expected - link_only_words(doc) <= words(transcript)


def link_only_words(doc: m.Document) -> set[str]:
    """Words that stand only in paragraphs whose words are all link labels."""
    def paragraphs(node):
        if isinstance(node, m.Paragraph):
            yield node
        elif isinstance(node, tuple):
            for item in node:
                yield from paragraphs(item)
        elif dataclasses.is_dataclass(node):
            for field in dataclasses.fields(node):
                yield from paragraphs(getattr(node, field.name))

    def only_links(inlines) -> bool:
        outside = "".join(m.plain_text((n,)) for n in inlines if not isinstance(n, m.Link))
        return any(isinstance(n, m.Link) for n in inlines) and not words(outside)

    linked, other = set(), set()
    for chapter in doc.chapters:
        for paragraph in paragraphs(chapter):
            (linked if only_links(paragraph.children) else other).update(words(m.plain_text(paragraph.children)))
    return linked - other


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_reader_never_crashes_on_any_text(body):
    try:
        doc = document(body)
    except SourceError:
        return  # a clear, located refusal is an acceptable answer
    for chapter in doc.chapters:
        html.chapter_section(doc, chapter, html.RenderContext(), level=2)
    build_script(doc)
