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

from narrate.build import BuildOptions, build

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


def test_samples_pass_epubcheck_4_and_5(sample_epubs):
    assert len(sample_epubs) >= 2
    for epub in sample_epubs:
        errors, warnings, report = epubcheck(epub)
        assert (errors, warnings) == (0, 0), report
        errors, warnings, report = epubcheck5(epub)
        assert (errors, warnings) == (0, 0), report


def test_accessibility_metadata_is_computed(root_copy):
    out = build_epub(root_copy("basic"))
    root = opf(out / "sample" / "sample.epub")
    assert metas(root, "schema:accessMode") == ["textual", "visual"]
    assert metas(root, "schema:accessModeSufficient") == ["textual", "textual,visual"]
    features = metas(root, "schema:accessibilityFeature")
    assert {"alternativeText", "tableOfContents", "readingOrder", "structuralNavigation"} <= set(features)
    assert metas(root, "schema:accessibilityHazard") == ["none"]
    assert "Its 1 image" in metas(root, "schema:accessibilitySummary")[0]
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
    assert types == ["cover", "titlepage", "toc", "bodymatter"]


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
