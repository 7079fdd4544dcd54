"""The read-along EPUB: EPUBCheck, overlay ids, clip times against the real audio."""

from __future__ import annotations

import functools
import json
import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import FAKE_VOICE, build_english_samples, copy_project, epubcheck, write_files

from narrate.engine.run import BuildOptions, build

SMIL = "{http://www.w3.org/ns/SMIL}"


def clock(value: str) -> float:
    h, m, s = value.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


@pytest.fixture(scope="module")
def samples(english_samples):
    """The repo's English samples, narrated by the fake engine, every EPUB edition (built once per
    run, shared with test_ace: read only)."""
    return english_samples / "output"


def decoded_seconds(path: Path) -> float:
    """What a player plays: decoded samples (the LAME header's encoder delay and padding removed)."""
    rate = int(subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                               "stream=sample_rate", "-of", "csv=p=0", str(path)],
                              capture_output=True, text=True, check=True).stdout)
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    return len(pcm) / 2 / rate


def readalouds(out: Path) -> list[Path]:
    found = sorted(out.rglob("*.readaloud.epub"))
    assert len(found) == 2
    return found


@pytest.mark.slow  # the sample books read aloud: CI runs these; the generated book below is always checked
def test_epubcheck_clean(samples):
    for epub in readalouds(samples):
        errors, warnings, report = usage_check(epub)
        assert (errors, warnings) == (0, 0), report


@pytest.mark.slow
def test_overlay_metadata(samples):
    for epub in readalouds(samples):
        with zipfile.ZipFile(epub) as z:
            opf = z.read("EPUB/content.opf").decode()
        assert '<meta property="media:active-class">-epub-media-overlay-active</meta>' in opf
        assert 'property="media:narrator">a synthetic voice<' in opf  # never the internal id or engine
        refined = re.findall(r'<meta property="media:duration" refines="#(smil-[^"]+)">([^<]+)<', opf)
        total = re.findall(r'<meta property="media:duration">([^<]+)<', opf)
        assert refined and len(total) == 1
        assert abs(sum(clock(v) for _, v in refined) - clock(total[0])) < 0.01
        # the manifest's duration is the read-along's own (a codec gap shorter per document than
        # the MP3's): `narrate check` compares the two
        manifest = json.loads((samples / "manifest.json").read_text())
        listed = [a["duration_s"] for p in manifest["publications"] for a in p["artifacts"]
                  if a["format"] == "epub-readaloud" and a["path"].endswith(epub.name)]
        assert len(listed) == 1 and abs(listed[0] - clock(total[0])) < 0.002, (listed, total)
        assert "auditory,textual" in opf and 'media-type="audio/mpeg"' in opf
        assert 'media-overlay="smil-' in opf


@pytest.mark.slow
def test_every_text_src_exists_and_clips_tile_the_audio(samples, tmp_path):
    for epub in readalouds(samples):
        with zipfile.ZipFile(epub) as z:
            smils = [n for n in z.namelist() if n.endswith(".smil")]
            assert smils
            for name in smils:
                root = ET.fromstring(z.read(name))
                pars = root.iter(f"{SMIL}par")
                ends, total, audio_src = 0.0, 0.0, None
                ids_cache: dict[str, set[str]] = {}
                for par in pars:
                    text = par.find(f"{SMIL}text").get("src")
                    doc, frag = text.split("#")
                    doc_name = "EPUB/" + doc.removeprefix("../")
                    if doc_name not in ids_cache:
                        ids_cache[doc_name] = set(re.findall(r'id="([^"]+)"', z.read(doc_name).decode()))
                    assert frag in ids_cache[doc_name], f"{name}: {text}"
                    audio = par.find(f"{SMIL}audio")
                    begin, end = clock(audio.get("clipBegin")), clock(audio.get("clipEnd"))
                    assert begin == pytest.approx(ends, abs=1e-6) and end > begin
                    ends = end
                    total += end - begin
                    audio_src = audio.get("src")
                audio_path = tmp_path / Path(audio_src).name
                audio_path.write_bytes(z.read("EPUB/" + audio_src.removeprefix("../")))
                assert abs(total - decoded_seconds(audio_path)) < 0.05, (name, total)


@pytest.mark.slow
def test_sentences_are_wrapped_in_the_readalong_text_only(samples):
    epub = samples / "listening-hours" / "listening-hours.readaloud.epub"
    plain = samples / "listening-hours" / "listening-hours.epub"
    with zipfile.ZipFile(epub) as z:
        text = z.read("EPUB/text/article.xhtml").decode()
    assert re.search(r'<span id="c\d+-b\d+-s2">', text)
    ET.fromstring(text)  # still well-formed XML
    with zipfile.ZipFile(plain) as z:
        names = z.namelist()
        assert not re.search(r'<span id="c\d+-', z.read("EPUB/text/article.xhtml").decode())  # page breaks only
    assert not any(n.endswith((".smil", ".mp3")) for n in names)


@pytest.mark.slow
def test_ordinary_epub_unchanged_by_readalong(samples, tmp_path, monkeypatch):
    out = build_english_samples(tmp_path / "alone", ("epub",)) / "output"  # the same sources, EPUB alone
    for slug in ("listening-hours", "the-tide-clock"):
        alone = (out / slug / f"{slug}.epub").read_bytes()
        assert alone == (samples / slug / f"{slug}.epub").read_bytes()


def smil_targets(z: zipfile.ZipFile, name: str) -> list[tuple[str, str, str]]:
    """(par id, document name in the zip, fragment) of every clip of a SMIL, in order."""
    out = []
    for par in ET.fromstring(z.read(name)).iter(f"{SMIL}par"):
        doc, frag = par.find(f"{SMIL}text").get("src").split("#")
        out.append((par.get("id"), "EPUB/" + doc.removeprefix("../"), frag))
    return out


def document_order(xhtml: bytes) -> dict[str, int]:
    return {el.get("id"): index for index, el in enumerate(ET.fromstring(xhtml).iter()) if el.get("id")}


def element(xhtml: bytes, element_id: str) -> ET.Element:
    return next(el for el in ET.fromstring(xhtml).iter() if el.get("id") == element_id)


@functools.cache
def usage_check(epub: Path) -> tuple[int, int, str]:
    """(errors, warnings, report) of EPUBCheck at usage level (-u): the errors and warnings of a
    plain run plus its USAGE lines, so one run per EPUB serves the checks of both."""
    errors, warnings, report = epubcheck(epub, "-u")
    assert "USAGE" in report  # the usage level really ran (it reports CSS usage on these files)
    return errors, warnings, report


@pytest.mark.slow
def test_epubcheck_usage_reports_no_out_of_order_references(samples):
    """EPUBCheck at usage level: MED_015 is "text references out of reading order"."""
    for epub in readalouds(samples):
        report = usage_check(epub)[2]
        assert "MED_015" not in report and "MED_0" not in report and "NAV_011" not in report, report


# A book with a copyright page (read after the story), footnotes and a table in two chapters.
NOTED_BOOK = {
    "content/noted/book.toml": 'title = "Harbour Notes"\nsubtitle = "Two short chapters"\n'
                               'authors = ["Ana Reed"]\npublisher = "Quay Press"\n'
                               'rights = "Copyright 2026 Ana Reed."\nfront = ["copyright.md"]\n'
                               'chapters = ["01.md", "02.md"]\nback = ["about.md"]\n',
    "content/noted/copyright.md": "---\ntitle: Copyright\nepub_type: copyright-page\n---\n\n"
                                  "Copyright 2026 Ana Reed. All rights reserved.\n\n"
                                  "Published by Quay Press.\n",
    "content/noted/01.md": "---\ntitle: Morning\n---\n\nThe ferry waits at the pier.[^a] Gulls call.\n\n"
                           "| Boat | Leaves |\n|:--|--:|\n| Ferry | 7:15 |\n| Skiff | 8:40 |\n\n"
                           "The tide turns at noon.[^b]\n\n"
                           "[^a]: The pier was rebuilt in 1990.\n\n[^b]: Or a little after.\n",
    "content/noted/02.md": "---\ntitle: Evening\n---\n\nThe lights come on.[^c]\n\n"
                           "| Lamp | Lit |\n|:--|--:|\n| Quay | 18:00 |\n| Pier | 18:05 |\n\n"
                           "[^c]: Gas lamps, until 1961.\n",
    "content/noted/about.md": "---\ntitle: About the Author\n---\n\nAna Reed lives by the sea.\n",
    "voices/fake.toml": FAKE_VOICE,
}


@pytest.fixture(scope="module")
def noted_book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("noted") / "project"
    write_files(root, NOTED_BOOK)
    # with the print PDF, so the EPUBs carry a page-list (EPUBCheck checks its order too, NAV_011)
    report = build(root, BuildOptions(formats=("epub", "epub-readaloud", "pdf"), voice="fake"))
    assert not report.failed, [str(r.error) for r in report.failed]
    return root / "output" / "noted"


def test_a_book_with_notes_and_tables_has_overlays_in_reading_order(noted_book):
    epub = noted_book / "noted.readaloud.epub"
    errors, warnings, report = usage_check(epub)
    assert (errors, warnings) == (0, 0), report
    assert "MED_015" not in report and "MED_0" not in report and "NAV_011" not in report, report
    assert 'epub:type="page-list"' in report or "NAV-002" in report  # the page-list was there to check
    counts = {"label": 0, "note": 0, "row": 0}
    with zipfile.ZipFile(epub) as z:
        for name in (n for n in z.namelist() if n.endswith(".smil")):
            for par_id, doc_name, frag in smil_targets(z, name):
                segment = par_id.removeprefix("par-")
                tag = element(z.read(doc_name), frag).tag
                if re.fullmatch(r"c\d+-fn\d+-label", segment):
                    counts["label"] += frag == segment
                elif re.fullmatch(r"c\d+n\d+-b\d+-s\d+", segment):
                    counts["note"] += frag == segment
                elif tag.endswith("tr"):
                    counts["row"] += frag == segment
    # three notes (announced, then read, each clip on its own element) and four table rows
    assert counts == {"label": 3, "note": 3, "row": 4}, counts


def spine(epub: Path) -> list[str]:
    with zipfile.ZipFile(epub) as z:
        opf = z.read("EPUB/content.opf").decode()
    hrefs = dict(re.findall(r'<item href="([^"]+)" id="([^"]+)"', opf))
    by_id = {item_id: href for href, item_id in hrefs.items()}
    return [by_id[idref] for idref in re.findall(r'<itemref idref="([^"]+)"', opf)]


def test_the_readalong_spine_follows_the_audio(noted_book):
    """The audiobook reads the copyright page after the story; so does the read-along, whose
    spine, contents and overlays follow what is heard; the plain EPUB keeps the source order."""
    plain, readalong = spine(noted_book / "noted.epub"), spine(noted_book / "noted.readaloud.epub")
    heard = [c["title"] for c in json.loads((noted_book / "noted.chapters.json").read_text())["chapters"]]
    assert heard == ["Opening credits", "Morning", "Evening", "About the Author", "Copyright", "Closing credits"]
    assert plain[-4:] == ["text/c1.xhtml", "text/c2.xhtml", "text/c3.xhtml", "text/c4.xhtml"]
    assert readalong[-4:] == ["text/c2.xhtml", "text/c3.xhtml", "text/c4.xhtml", "text/c1.xhtml"]
    with zipfile.ZipFile(noted_book / "noted.readaloud.epub") as z:
        nav = z.read("EPUB/nav.xhtml").decode()
        opf = z.read("EPUB/content.opf").decode()
        last = z.read("EPUB/smil/c1.smil").decode()
    toc = re.findall(r'<a href="(text/c\d)\.xhtml#c\d+"', nav)  # the contents (not the page-list)
    assert toc == ["text/c2", "text/c3", "text/c4", "text/c1"]
    smil_items = re.findall(r'<item href="smil/([^"]+)\.smil"', opf)
    assert smil_items == ["titlepage", "c2", "c3", "c4", "c1"]
    assert "closing-credits" in last  # the closing credits play with the copyright page, at the end
    # the page-list follows the read-along's reading order (EPUBCheck NAV-011), so the copyright
    # page's printed page comes where that page is heard, and every printed page is listed once
    page_list = nav[nav.index('epub:type="page-list"'):]
    marks = [(f"text/{doc}.xhtml", int(n)) for doc, n in re.findall(r'href="text/([\w-]+)\.xhtml#page-(\d+)"',
                                                                    page_list)]
    assert sorted(n for _, n in marks) == list(range(1, len(marks) + 1))
    order = [readalong.index(doc) for doc, _ in marks]
    assert order == sorted(order)


@pytest.mark.slow
def test_every_clip_points_at_the_element_it_speaks(samples):
    for epub in readalouds(samples):
        with zipfile.ZipFile(epub) as z:
            title = z.read("EPUB/text/titlepage.xhtml")
            credits = smil_targets(z, "EPUB/smil/titlepage.smil")
            # the opening credits: an overlay on the title page, one element per credit, in order
            frags = [frag for _, _, frag in credits]
            assert frags[:4] == ["titlepage-title", "titlepage-subtitle", "titlepage-author",
                                 "titlepage-publisher"]
            assert frags[-1] == "titlepage-narration"
            assert "synthetic voice" in "".join(element(title, "titlepage-narration").itertext())
            assert 'media-overlay="smil-titlepage"' in z.read("EPUB/content.opf").decode()
            checked = {"label": 0, "row": 0, "note text": 0}
            for name in sorted(n for n in z.namelist() if n.endswith(".smil")):
                targets = smil_targets(z, name)
                order = document_order(z.read(targets[0][1]))
                positions = [order[frag] for _, _, frag in targets]
                assert positions == sorted(positions), name  # reading order
                for par_id, doc_name, frag in targets:
                    segment = par_id.removeprefix("par-")
                    xhtml = z.read(doc_name)
                    if segment.endswith("-label"):  # "Footnote N." → that note's number
                        note = element(xhtml, segment.removesuffix("-label"))
                        assert note.tag.endswith("aside") and frag == segment
                        assert frag in [el.get("id") for el in note.iter()]
                        checked["label"] += 1
                    elif re.fullmatch(r"c\d+n\d+-b\d+-s\d+", segment):  # a sentence of a footnote
                        assert frag == segment
                        checked["note text"] += 1
                    elif element(xhtml, frag).tag.endswith("tr"):
                        assert frag == segment
                        checked["row"] += 1
            if epub.name.startswith("listening-hours"):
                assert min(checked.values()) > 0, checked  # the article has notes and a table


@pytest.mark.slow
def test_footnotes_follow_their_block_in_the_readalong_only(samples):
    """Notes are read after the block that cites them (a lead-in's after the block it introduces),
    so the read-along places them there."""
    xhtml = "{http://www.w3.org/1999/xhtml}"
    for name, expect_after_block in (("listening-hours.readaloud.epub", True), ("listening-hours.epub", False)):
        with zipfile.ZipFile(samples / "listening-hours" / name) as z:
            root = ET.fromstring(z.read("EPUB/text/article.xhtml"))
        asides = [el for el in root.iter(f"{xhtml}aside")]
        assert len(asides) == 2
        for section in root.iter(f"{xhtml}section"):
            children = list(section)
            for index, child in enumerate(children):
                cited = [a.get("href")[1:] for a in child.iter(f"{xhtml}a") if "fnref" in a.get("id", "")]
                # a lead-in ("…the same shape:") has its notes after the block it introduces
                said = "".join(child.itertext()).rstrip().rstrip("0123456789[]").rstrip()
                at = index + 2 if said.endswith(":") and index + 2 < len(children) else index + 1
                for note_id in cited:
                    following = children[at] if at < len(children) else None
                    placed = following is not None and any(el.get("id") == note_id for el in following.iter())
                    assert placed == expect_after_block or (not expect_after_block and index + 2 == len(children))


@pytest.mark.slow
def test_accessibility_summary_says_synthetic_synchronized_narration(samples):
    for epub in readalouds(samples):
        with zipfile.ZipFile(epub) as z:
            opf = z.read("EPUB/content.opf").decode()
        summary = re.search(r'<meta property="schema:accessibilitySummary">([^<]+)<', opf).group(1)
        assert "synchronized narration" in summary and "synthetic" in summary
        assert "synchronizedAudioText" in opf
    with zipfile.ZipFile(samples / "listening-hours" / "listening-hours.epub") as z:
        assert "synchronized narration" not in z.read("EPUB/content.opf").decode()


def test_a_written_summary_gains_the_narration_sentence():
    import datetime as dt

    from narrate import model as m
    from narrate.i18n.messages import messages_for
    from narrate.markup.accessibility import accessibility

    NARRATION_SUMMARY = messages_for("en")("a11y_narration")  # noqa: N806

    meta = m.Meta(title="T", slug="t", language="en", identifier="urn:x", kind="article",
                  accessibility_summary="Written by hand.", modified=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    doc = m.Document(meta=meta, chapters=(), source_files=("t.md",))
    assert accessibility(doc).summary == "Written by hand."
    assert accessibility(doc, has_audio=True).summary == f"Written by hand. {NARRATION_SUMMARY}"



@pytest.mark.slow
def test_readalong_page_markers_sit_where_the_pdf_pages_start(english_samples, tmp_path):
    """The read-along EPUB's page-list (built with the PDF) meets the print pages as the EPUB's
    does: its title page holds the colophon a printed article ends with, and before, every
    marker of such an article landed in titlepage.xhtml."""
    import pypdf
    from test_page_list import assert_markers_match_pdf_pages

    # the shared samples' sources and narration cache (the audio is not the subject here: a warm
    # cache builds the same bytes as a cold one, test_incremental checks that); output/ is not copied
    root = copy_project(english_samples, tmp_path / "project")
    report = build(root, BuildOptions(formats=("pdf", "epub-readaloud"), voice="fake"))
    assert not report.failed, [str(r.error) for r in report.failed]
    for slug in ("listening-hours", "the-tide-clock"):
        pdf_path = root / "output" / slug / f"{slug}.pdf"
        pdf = pypdf.PdfReader(pdf_path)
        contents = {pdf.get_destination_page_number(dest) + 1 for name, dest in pdf.named_destinations.items()
                    if name == "contents"}
        assert_markers_match_pdf_pages(root / "output" / slug / f"{slug}.readaloud.epub", pdf_path, contents)
