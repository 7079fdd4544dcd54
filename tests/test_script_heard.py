"""What listeners hear (issue 27): where footnotes are read, calls to action, speech tags."""

from __future__ import annotations

from narrate.model import (
    Chapter,
    Document,
    Footnote,
    FootnoteRef,
    Heading,
    Link,
    ListBlock,
    Meta,
    Paragraph,
    SourcePos,
    Text,
)
from narrate.speech.script import ScriptOptions, build_script

POS = SourcePos("content/a.md", 1)


def para(block_id: str, *inlines) -> Paragraph:
    return Paragraph(block_id, tuple(Text(i) if isinstance(i, str) else i for i in inlines), POS)


def document(*blocks, notes=()) -> Document:
    chapter = Chapter(id="c1", title="One", heading=None, blocks=tuple(blocks), footnotes=tuple(notes), source=POS)
    meta = Meta(title="Field Notes", slug="notes", language="en", identifier="urn:x", kind="book")
    return Document(meta=meta, chapters=(chapter,), source_files=("content/a.md",))


def said(doc: Document, **options) -> list[str]:
    script = build_script(doc, ScriptOptions(credits=False, disclosure="", **options))
    return [s.text for s in script.segments()][2:]  # after the title and the byline-less opening


NOTE = Footnote("n1", 1, "fn1", (para("fn1-p", "Counted in May."),), POS)
STEPS = ListBlock("l1", False, ((para("l1-1", "Gather the tools."),), (para("l1-2", "Sweep the floor."),)), POS)


def test_a_footnote_is_never_read_between_a_lead_in_and_its_list():
    doc = document(para("p1", "Every visit had the same steps", FootnoteRef("n1", 1), ":"), STEPS,
                   para("p2", "Then we left."), notes=(NOTE,))
    texts = said(doc)
    assert texts.index("Every visit had the same steps:") + 1 == texts.index("Gather the tools.")
    assert texts.index("Sweep the floor.") + 1 == texts.index("Footnote 1.")
    assert texts.index("Counted in May.") < texts.index("Then we left.")


def test_footnotes_at_the_end_of_the_section_is_a_setting():
    doc = document(para("p1", "We counted birds", FootnoteRef("n1", 1), "."), para("p2", "It rained."),
                   Heading("h2", 2, (Text("Later"),), POS), para("p3", "We went home."), notes=(NOTE,))
    texts = said(doc, footnotes="section")
    assert texts.index("It rained.") < texts.index("Footnote 1.") < texts.index("Later")


def test_a_paragraph_that_is_only_a_link_says_where_it_goes():
    cta = para("cta", Link("https://www.example.net/letters/?ref=book", (Text("Sign up for our letters"),)))
    texts = said(document(para("p1", "Thanks for reading."), cta))
    assert "Sign up for our letters: example.net/letters." in texts
    script = build_script(document(cta), ScriptOptions(credits=False, disclosure=""))
    assert any("example dot net slash letters" in s.spoken for s in script.segments())


def test_german_credits_name_the_synthetic_voice_grammatically():
    from narrate.i18n.messages import messages_for

    say = messages_for("de")
    narrator = say("named_voice", name="Joe")
    doc = document(para("p1", "Ein Satz."))
    doc = Document(meta=Meta(title="Der Markt", slug="m", language="de", identifier="urn:x", kind="book",
                             authors=("Anna Weber",)), chapters=doc.chapters, source_files=doc.source_files)
    script = build_script(doc, ScriptOptions(narrator=narrator, disclosure=""))
    credits = " ".join(s.text for s in script.segments() if s.kind in {"opening", "closing"})
    assert "Joe, eine synthetische Stimme" in credits
    assert "von Joe, eine" not in credits  # "von" takes the dative: the credit says "Es liest Joe, eine …"


def test_narrate_toml_accepts_footnotes_at_the_section_end(tmp_path):
    from narrate.sources.config import load_config

    (tmp_path / "narrate.toml").write_text('[narration]\nfootnotes = "section"\n', encoding="utf-8")
    assert load_config(tmp_path).narration.footnotes == "section"
