"""Language of parts (WCAG 3.1.2) beyond the EPUB: the tagged PDF, the narration, clean, catalogs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pypdf
import pytest

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

MIXED = """\
---
title: Gemischt
language: de
---
Er sagte [c'est la vie]{lang=fr} und ging am 3. März.

{lang=fr}
Le 1er mars 2025, M. Dupont a payé 12,50 €.

{lang=es}
> ¿Dónde está el Sr. García?

Wieder Deutsch.
"""


def _read(root: Path):
    from narrate.build.engine import read_all
    from narrate.sources.project import open_project

    docs, failures = read_all(open_project(root))
    assert not failures
    return docs[0]


# ------------------------------------------------------------------ PDF /Lang


def _marked_texts(path: Path) -> dict[tuple[int, int], str]:
    """(page index, MCID) → the text shown in that marked-content sequence."""
    texts: dict[tuple[int, int], str] = {}
    for number, page in enumerate(pypdf.PdfReader(path).pages):
        stack: list[int | None] = []

        def before(op, args, cm, tm, stack=stack):  # noqa: ANN001
            if op == b"BDC":
                props = args[1] if len(args) > 1 else None
                stack.append(props.get("/MCID") if hasattr(props, "get") else None)
            elif op == b"BMC":
                stack.append(None)
            elif op == b"EMC" and stack:
                stack.pop()

        def text(chunk, cm, tm, font, size, stack=stack, number=number):  # noqa: ANN001
            if chunk.strip() and stack and stack[-1] is not None:
                key = (number, int(stack[-1]))
                texts[key] = texts.get(key, "") + chunk.strip()

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def _struct_elements(pdf: pikepdf.Pdf):
    """Every structure element with its inherited language and the text of its marked content."""
    pages = {page.objgen: i for i, page in enumerate(pdf.pages)}

    def walk(elem, inherited: str):
        lang = str(elem.get("/Lang", inherited))
        kids = elem.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
        mcids, children = [], []
        for kid in kids:
            if isinstance(kid, int):
                mcids.append((pages[elem.Pg.objgen], int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                children.append(kid)
            elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
                mcids.append((pages[kid.get("/Pg", elem.Pg).objgen], int(kid.MCID)))
        below = [list(walk(child, lang)) for child in children]
        # an element's text: its own marked content and its children's (each child's first row)
        yield elem, lang, str(elem.get("/Lang", "")), mcids + [m for rows in below for m in rows[0][3]]
        for rows in below:
            yield from rows

    root = pdf.Root.StructTreeRoot.K
    for top in (root if isinstance(root, pikepdf.Array) else [root]):
        yield from walk(top, str(pdf.Root.Lang))


def test_pdf_parts_carry_their_language(make_project, tmp_path):
    from narrate.writers.pdf import write_pdf

    root = make_project({"content/mix.md": MIXED})
    doc = _read(root)
    out = tmp_path / "mix.pdf"
    write_pdf(doc, root, out)
    texts = _marked_texts(out)
    with pikepdf.open(out) as pdf:
        assert str(pdf.Root.Lang) == "de"  # the document's language stays the document's
        elements = [(e, lang, own, "".join(texts.get(m, "") for m in sorted(mcids)))
                    for e, lang, own, mcids in _struct_elements(pdf)]
    by_text = {}
    for elem, lang, own, text in elements:
        by_text.setdefault(text, []).append((str(elem.S), lang, own))
    # the inline phrase: a Span of its own with /Lang (fr); the sentence around it stays German
    assert ("/Span", "fr", "fr") in by_text["c’est la vie"]
    assert ("/P", "de", "") in by_text["Er sagtec’est la vieund ging am 3. März."]
    # the marked blocks: the paragraph and the quotation carry their languages, inherited by their text
    french, spanish = "Le 1er mars 2025, M. Dupont a payé 12,50 €.", "¿Dónde está el Sr. García?"
    assert ("/P", "fr", "fr") in by_text[french]
    assert ("/BlockQuote", "es", "es") in by_text[spanish]
    assert ("/P", "es", "") in by_text[spanish]  # the quotation's paragraph inherits
    assert all(lang == "de" for _, lang, _ in by_text["Wieder Deutsch."])
    # nothing else was given a language of its own
    tagged = sorted(text for _, _, own, text in elements if own)
    assert tagged == sorted(["c’est la vie", french, spanish]), tagged
    # still deterministic
    again = tmp_path / "again.pdf"
    write_pdf(doc, root, again)
    assert again.read_bytes() == out.read_bytes()
