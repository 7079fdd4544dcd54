"""The EPUB edition, checked for real: EPUBCheck, OPF and nav structure, goldens, determinism."""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import REPO, epubcheck, epubcheck5

from narrate.engine.run import BuildOptions, build

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
GOLDEN = Path(__file__).parent / "golden"


def build_epub(root: Path, **kw) -> Path:
    report = build(root, BuildOptions(formats=("epub",), **kw))
    assert not report.failed, [str(r.error) for r in report.failed]
    return report.output


def opf(epub: Path) -> ET.Element:
    with zipfile.ZipFile(epub) as z:
        return ET.fromstring(z.read("EPUB/content.opf"))


def metas(root: ET.Element, prop: str) -> list[str]:
    return [m.text for m in root.iterfind(f".//opf:meta[@property='{prop}']", NS)]


@pytest.fixture(scope="module")
def sample_epubs(tmp_path_factory):
    out = tmp_path_factory.mktemp("samples")
    report = build(REPO, BuildOptions(formats=("epub",), output=out))
    assert not report.failed
    return sorted(out.rglob("*.epub"))


@pytest.mark.slow
def test_samples_pass_epubcheck_4_and_5(sample_epubs):
    assert len(sample_epubs) >= 2
    for epub in sample_epubs:
        errors, warnings, report = epubcheck(epub)
        assert (errors, warnings) == (0, 0), report
        errors, warnings, report = epubcheck5(epub)
        assert (errors, warnings) == (0, 0), report


@pytest.mark.slow
def test_the_shared_epubcheck_jvms_report_a_damaged_epub_and_only_it(sample_epubs, tmp_path):
    """conftest's EPUBCheck 4 and 5 each serve a whole test process from one JVM: a damaged EPUB
    checked between two sound ones is reported (by rule), and nothing of it carries over."""
    sound = sample_epubs[0]
    damaged = tmp_path / "damaged.epub"
    with zipfile.ZipFile(sound) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "EPUB/content.opf":
                data = data.replace(b"<dc:title", b"<dc:bogus/><dc:title", 1)
            dst.writestr(info, data)
    for check in (epubcheck, epubcheck5):
        assert check(sound)[:2] == (0, 0)
        errors, _warnings, report = check(damaged)
        assert errors >= 1 and "RSC-005" in report and "dc:bogus" in report, report
        assert check(sound)[:2] == (0, 0)


def test_accessibility_metadata_is_computed(root_copy):
    out = build_epub(root_copy("basic"))
    root = opf(out / "sample" / "sample.epub")
    assert metas(root, "schema:accessMode") == ["textual", "visual"]
    assert metas(root, "schema:accessModeSufficient") == ["textual", "textual,visual"]
    features = metas(root, "schema:accessibilityFeature")
    assert {"alternativeText", "tableOfContents", "readingOrder", "structuralNavigation"} <= set(features)
    assert metas(root, "schema:accessibilityHazard") == ["none"]
    assert "Its image has a text description." in metas(root, "schema:accessibilitySummary")[0]
    assert metas(root, "dcterms:conformsTo") == [] and metas(root, "a11y:certifiedBy") == []
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_alternative_text_not_claimed_when_an_image_lacks_it(root_copy):
    root = root_copy("basic")
    md = root / "content" / "sample.md"
    md.write_text(md.read_text().replace("![A blue box on a white page]", "![]"))
    out = build_epub(root)
    meta = opf(out / "sample" / "sample.epub")
    assert "alternativeText" not in metas(meta, "schema:accessibilityFeature")
    assert metas(meta, "schema:accessModeSufficient") == ["textual,visual"]


def test_conformance_only_when_config_asserts_it(root_copy):
    root = root_copy("basic")
    with open(root / "narrate.toml", "a") as fh:
        fh.write('\n[accessibility]\nconforms_to = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"\n'
                 'certified_by = "Test Press"\n')
    meta = opf(build_epub(root) / "sample" / "sample.epub")
    assert metas(meta, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert metas(meta, "a11y:certifiedBy") == ["Test Press"]


def test_metadata_identifier_and_nav(root_copy):
    epub = build_epub(root_copy("basic")) / "sample" / "sample.epub"
    meta = opf(epub)
    assert [c.text for c in meta.iterfind(".//dc:creator", NS)] == ["Ada Writer", "Ben Editor"]
    assert [s.text for s in meta.iterfind(".//dc:subject", NS)] == ["testing", "sample"]
    with zipfile.ZipFile(epub) as z:
        names = z.namelist()
        assert names[0] == "mimetype" and z.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        nav = ET.fromstring(z.read("EPUB/nav.xhtml"))
        for name in names:
            if name.endswith(".xhtml"):
                doc = ET.fromstring(z.read(name))
                assert doc.get("{http://www.w3.org/XML/1998/namespace}lang") == "en", name
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    assert [a.text for a in toc.iterfind(".//x:a", NS)] == ["A Sample Article", "First section", "Second section"]
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    types = [a.get(f"{{{NS['epub']}}}type") for a in landmarks.iterfind(".//x:a", NS)]
    assert types == ["cover", "toc", "bodymatter"]  # an article: a title block, no title page
    assert "EPUB/text/titlepage.xhtml" not in names


def test_identifier_is_uuid5_of_publisher_and_slug(root_copy):
    import uuid

    meta = opf(build_epub(root_copy("basic")) / "sample" / "sample.epub")
    expected = uuid.uuid5(uuid.NAMESPACE_URL, "https://press.example.org/sample")
    assert meta.find(".//dc:identifier", NS).text == f"urn:uuid:{expected}"


def test_golden_article_xhtml(root_copy):
    epub = build_epub(root_copy("basic")) / "sample" / "sample.epub"
    with zipfile.ZipFile(epub) as z:
        actual = z.read("EPUB/text/article.xhtml").decode()
    golden = GOLDEN / "basic-article.xhtml"
    if os.environ.get("NARRATE_REGEN_GOLDEN"):
        golden.write_text(actual)
    assert actual == golden.read_text()


def test_reproducible_across_folders(root_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = root_copy("basic")
    second = tmp_path / "elsewhere" / "basic"
    shutil.copytree(first, second)
    a = build_epub(first, output=tmp_path / "a")
    b = build_epub(second, output=tmp_path / "b")
    assert (a / "sample" / "sample.epub").read_bytes() == (b / "sample" / "sample.epub").read_bytes()
    modified = metas(opf(a / "sample" / "sample.epub"), "dcterms:modified")
    assert modified == ["2023-11-14T22:13:20Z"]


def test_thirty_chapter_book_passes_epubcheck(make_project):
    files = {"content/big/book.toml": 'title = "Thirty"\nauthors = ["Gen Erator"]\n'}
    for n in range(1, 31):
        files[f"content/big/{n:02d}.md"] = (f"---\ntitle: Chapter {n}\n---\n\n" +
                                            "\n\n".join(f"Paragraph {p} of chapter {n}, with a sentence."
                                                        for p in range(1, 6)) + "\n\n## A part\n\nMore.\n")
    out = build_epub(make_project(files))
    errors, warnings, report = epubcheck(out / "big" / "big.epub")
    assert (errors, warnings) == (0, 0), report
    with zipfile.ZipFile(out / "big" / "big.epub") as z:
        assert sum(1 for n in z.namelist() if re.fullmatch(r"EPUB/text/c\d+\.xhtml", n)) == 30


# ------------------------------------------------------------- article editions


def xhtml_files(epub: Path) -> dict[str, ET.Element]:
    with zipfile.ZipFile(epub) as z:
        return {n: ET.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")}


def shown_text(root: ET.Element) -> str:
    body = root.find("x:body", NS)
    return " ".join("".join(body.itertext()).split()) if body is not None else ""


def test_no_identifier_text_in_any_edition_page(sample_epubs, root_copy):
    epubs = [*sample_epubs, build_epub(root_copy("basic")) / "sample" / "sample.epub"]
    for epub in epubs:
        identifier = opf(epub).find(".//dc:identifier", NS).text
        assert identifier.startswith("urn:uuid:")
        for name, root in xhtml_files(epub).items():
            text = shown_text(root)
            assert identifier not in text and identifier.removeprefix("urn:uuid:") not in text, (epub, name)
            assert not re.search(r"urn:|uuid|Identifier", text, re.IGNORECASE), (epub, name, text)


def test_every_epub_type_with_a_dpub_aria_role_carries_it(sample_epubs):
    from narrate.markup.html import SECTION_ROLES

    roles = {**SECTION_ROLES, "noteref": "doc-noteref", "footnote": "doc-footnote"}
    seen = set()
    for epub in sample_epubs:
        for name, root in xhtml_files(epub).items():
            landmarks = {id(e) for nav in root.iterfind(".//x:nav[@epub:type='landmarks']", NS) for e in nav.iter()}
            for element in root.iter():
                if id(element) in landmarks:  # landmark links name places; they are not those places
                    continue
                types = (element.get(f"{{{NS['epub']}}}type") or "").split()
                for kind in types:
                    seen.add(kind)
                    if kind in roles:
                        assert roles[kind] in (element.get("role") or "").split(), (epub.name, name, kind)
            for img in root.iterfind(".//x:section[@epub:type='cover']//x:img", NS):
                assert img.get("role") == "doc-cover", (epub.name, name)
    assert {"colophon", "cover", "copyright-page", "titlepage", "chapter"} <= seen


def test_article_opens_with_its_title_block_and_ends_with_its_colophon(sample_epubs):
    epub = next(e for e in sample_epubs if e.name == "listening-hours.epub")
    pages = xhtml_files(epub)
    assert "EPUB/text/titlepage.xhtml" not in pages
    article = pages["EPUB/text/article.xhtml"]
    body = article.find("x:body", NS)
    block = body.find("x:article/x:header", NS)
    shown = [c for c in block if c.get(f"{{{NS['epub']}}}type") != "pagebreak"]  # print page markers aside
    assert [c.get("class") for c in shown] == ["title", "dek", "byline", "dateline"]
    assert block.find("x:h1", NS).get("id") == "article-title"
    assert block.find(".//x:time", NS).get("datetime") == "2026-10-14"
    assert shown_text(article).startswith("Listening Hours How a small-town library")
    colophon = list(body)[-1]
    assert colophon.get("id") == "colophon" and colophon.get("role") == "doc-colophon"
    assert colophon.get(f"{{{NS['epub']}}}type") == "colophon"
    assert "Copyright © 2026 Fernhollow Press." in "".join(colophon.itertext())


def test_a_title_page_for_an_article_when_narrate_toml_asks(root_copy):
    root = root_copy("basic")
    with open(root / "narrate.toml", "a") as fh:
        fh.write("\n[epub]\narticle_title_page = true\n")
    epub = build_epub(root) / "sample" / "sample.epub"
    pages = xhtml_files(epub)
    title = shown_text(pages["EPUB/text/titlepage.xhtml"])
    assert "A Sample Article" in title and "January 15, 2026" in title
    assert pages["EPUB/text/article.xhtml"].find(".//x:header", NS) is None
    with zipfile.ZipFile(epub) as z:
        nav = ET.fromstring(z.read("EPUB/nav.xhtml"))
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    types = [a.get(f"{{{NS['epub']}}}type") for a in landmarks.iterfind(".//x:a", NS)]
    assert types == ["cover", "titlepage", "toc", "bodymatter"]
    errors, warnings, report = epubcheck(epub)
    assert (errors, warnings) == (0, 0), report


@pytest.mark.parametrize("language, expected", [("en-US", "January 15, 2026"), ("en-GB", "15 January 2026"),
                                                ("de", "15. Januar 2026"), ("fr", "15 janvier 2026")])
def test_epub_date_in_the_readers_convention(root_copy, language, expected):
    root = root_copy("basic")
    md = root / "content" / "sample.md"
    md.write_text(md.read_text().replace("date: 2026-01-15", f"date: 2026-01-15\nlanguage: {language}"))
    epub = build_epub(root) / "sample" / "sample.epub"
    dateline = xhtml_files(epub)["EPUB/text/article.xhtml"].find(".//x:p[@class='dateline']", NS)
    assert "".join(dateline.itertext()) == expected


def test_personal_copy_of_an_article_without_a_colophon_gets_one(root_copy, tmp_path):
    from narrate.publish.personal import _EpubTemplate

    epub = build_epub(root_copy("basic")) / "sample" / "sample.epub"
    assert all(r.find(".//*[@id='colophon']") is None for r in xhtml_files(epub).values())
    template = _EpubTemplate(epub, tmp_path / "base.zip")
    template.write(tmp_path / "jo.epub", "Jo <Reader>")
    body = xhtml_files(tmp_path / "jo.epub")["EPUB/text/article.xhtml"].find("x:body", NS)
    colophon = list(body)[-1]
    assert colophon.get("role") == "doc-colophon"
    assert "".join(colophon.itertext()).strip() == "Prepared for Jo <Reader>."
    errors, warnings, report = epubcheck(tmp_path / "jo.epub")
    assert (errors, warnings) == (0, 0), report


def test_article_title_page_setting_must_be_true_or_false(tmp_path):
    from narrate.errors import ConfigError
    from narrate.sources.config import load_config

    (tmp_path / "narrate.toml").write_text("[epub]\narticle_title_page = true\n")
    assert load_config(tmp_path).epub.article_title_page is True
    (tmp_path / "narrate.toml").write_text('[epub]\narticle_title_page = "yes"\n')
    with pytest.raises(ConfigError, match="'epub.article_title_page' must be true or false"):
        load_config(tmp_path)


def test_a_book_keeps_its_title_page_with_the_colophon(sample_epubs):
    epub = next(e for e in sample_epubs if e.name == "the-tide-clock.epub")
    pages = xhtml_files(epub)
    body = pages["EPUB/text/titlepage.xhtml"].find("x:body", NS)
    assert [s.get("id") for s in body if s.get(f"{{{NS['epub']}}}type") != "pagebreak"] == ["titlepage", "colophon"]
    assert "November 2, 2026" in shown_text(pages["EPUB/text/titlepage.xhtml"])  # en: CLDR's en-US form
    with zipfile.ZipFile(epub) as z:
        nav = ET.fromstring(z.read("EPUB/nav.xhtml"))
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    assert [a.get(f"{{{NS['epub']}}}type") for a in landmarks.iterfind(".//x:a", NS)] == [
        "cover", "titlepage", "toc", "bodymatter"]


@pytest.mark.parametrize("epub_type, role", [("dedication", "doc-dedication"),
                                             ("acknowledgments", "doc-acknowledgments"),
                                             ("copyright-page", None), ("frontmatter foreword", "doc-foreword")])
def test_front_and_back_matter_sections_carry_their_aria_role(epub_type, role):
    from narrate import model as m
    from narrate.markup import html

    chapter = m.Chapter("c1", "Matter", None, (m.Paragraph("c1-b1", (m.Text("x"),), m.SourcePos("a.md", 1)),), (),
                        m.SourcePos("a.md", 1), "front", epub_type)
    meta = m.Meta(title="T", slug="t", language="en", identifier="urn:uuid:0", kind="book")
    section = ET.fromstring(html.chapter_section(m.Document(meta, (chapter,), ("a.md",)), chapter,
                                                 html.RenderContext(), level=1)
                            .replace("<section", f'<section xmlns="{NS["x"]}" xmlns:epub="{NS["epub"]}"', 1))
    assert section.get(f"{{{NS['epub']}}}type") == epub_type
    assert section.get("role") == role
