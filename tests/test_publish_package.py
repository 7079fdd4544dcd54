"""`narrate package`: bundles, SHA256SUMS, feed, subscribers, personal copies, escaping."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import pytest
from publish_helpers import HOSTILE, KEY, SUBSCRIBERS, copy_project

from narrate.errors import PublishError
from narrate.publish import package
from narrate.publish.feed import truncate_bytes
from narrate.publish.subscribers import make_token

BASE = "https://cdn.example.com/editions"
EMAILS = ("ann.lee@example.org", "bob@example.org", "cat@example.net")


@pytest.fixture
def project(published_article, tmp_path):
    return copy_project(published_article, tmp_path / "copy")


def run(root: Path, **kw):
    kw.setdefault("base_url", BASE)
    return package(root, **kw)


def with_subscribers(root: Path, **kw):
    return run(root, subscribers=SUBSCRIBERS, key=KEY, **kw)


def check_sums(folder: Path) -> int:
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    return len(lines)


def test_bundle_holds_every_edition_and_matches_its_sums(project):
    report = run(project)
    (bundle,) = report.bundles
    with zipfile.ZipFile(bundle) as zf:
        names = {n.split("/", 1)[1] for n in zf.namelist()}
        assert {"tides.epub", "tides.pdf", "tides.large-print.pdf", "tides.mp3", "tides.m4b", "tides.readaloud.epub",
                "tides.vtt", "tides.transcript.html", "tides.chapters.json", "README.txt", "SHA256SUMS"} == names
        sums = zf.read("tides/SHA256SUMS").decode().splitlines()
        assert len(sums) == len(names) - 1
        for line in sums:
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(zf.read(f"tides/{name}")).hexdigest() == digest
        readme = zf.read("tides/README.txt").decode()
        assert "Kindle" in readme and "Thorium" in readme and "Structured with headings" in readme
        assert "Copyright 2025 Test Press." in readme
        assert all(i.external_attr >> 16 == 0o100644 for i in zf.infolist())
    public = {p.relative_to(report.dist).as_posix() for p in report.dist.rglob("*") if p.is_file()}
    assert check_sums(report.dist) == len(public) - 1  # every file but SHA256SUMS itself


def test_zips_are_deterministic(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = run(project).bundles[0].read_bytes()
    (project / "output" / "dist").rename(project / "output" / "dist-old")
    second = run(project).bundles[0].read_bytes()
    assert first == second
    info = zipfile.ZipFile(io.BytesIO(first)).infolist()
    assert [i.filename for i in info] == sorted(i.filename for i in info)
    assert {i.date_time for i in info} == {(2023, 11, 14, 22, 13, 20)}


def test_feed_has_enclosures_durations_chapters_and_transcript(project):
    run(project)
    feed_path = project / "output" / "dist" / "feed.xml"
    parsed = feedparser.parse(feed_path.read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.feed.title == "Test Press" and parsed.feed.language == "en"
    assert parsed.feed.image.href == f"{BASE}/artwork.png"
    (entry,) = parsed.entries
    manifest = json.loads((project / "output" / "manifest.json").read_text())
    mp3 = next(a for a in manifest["publications"][0]["artifacts"] if a["format"] == "mp3")
    (enclosure,) = entry.enclosures
    assert enclosure.href == f"{BASE}/tides/tides.mp3" and int(enclosure.length) == mp3["bytes"]
    assert enclosure.type == "audio/mpeg"
    assert entry.itunes_duration == f"00:00:{round(mp3['duration_s']):02d}"
    assert entry.guid.startswith("urn:uuid:") and entry.published.startswith("Mon, 03 Mar 2025")
    ns = {"podcast": "https://podcastindex.org/namespace/1.0", "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
    tree = ET.parse(feed_path)
    item = tree.find("channel/item")
    chapters = item.find("podcast:chapters", ns)
    transcript, readable = item.findall("podcast:transcript", ns)
    assert chapters.get("url") == f"{BASE}/tides/tides.chapters.json"
    assert chapters.get("type") == "application/json+chapters"
    assert (transcript.get("url"), transcript.get("type"), transcript.get("rel")) == (
        f"{BASE}/tides/tides.vtt", "text/vtt", "captions")
    assert (readable.get("url"), readable.get("type"), readable.get("rel")) == (
        f"{BASE}/tides/tides.transcript.html", "text/html", None)
    assert item.find("itunes:episodeType", ns).text == "full"
    channel = tree.find("channel")
    assert channel.find("itunes:owner/itunes:email", ns).text == "podcast@press.example.org"
    assert channel.find("itunes:category", ns) is None  # no [feed] category and no tag naming one
    assert channel.find("itunes:explicit", ns).text == "false"


def test_base_url_is_required(project):
    with pytest.raises(PublishError, match="base_url"):
        package(project)


def test_descriptions_are_cut_on_a_word_boundary():
    text = "word " * 2000
    cut = truncate_bytes(text)
    assert len(cut.encode()) <= 4000 and cut.endswith("word…")
    assert truncate_bytes("é" * 3000).encode().__len__() <= 4000


def test_hostile_titles_are_escaped_in_page_and_feed(project):
    report = with_subscribers(project)
    feed = report.feed.read_text()
    page = report.page.read_text()
    assert "<script>alert" not in page.replace("<script>\n// Enhancement", "")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Tom &amp; Jerry&#39;s" in page
    assert "&lt;script&gt;alert" in feed and "<script>" not in feed
    assert ET.parse(report.feed).find("channel/item/title").text == HOSTILE
    # Bob's own page: his name holds markup (<Co>), which must arrive escaped
    personal = (report.dist / "subscribers" / make_token(KEY, "bob@example.org") / "index.html").read_text()
    assert "&lt;Co&gt;" in personal
    assert "<Co>" not in personal


def test_tokens_differ_per_subscriber_and_per_key():
    tokens = {make_token(KEY, e) for e in EMAILS}
    assert len(tokens) == 3 and all(len(t) == 32 for t in tokens)
    assert make_token(KEY, "Bob@Example.org ") == make_token(KEY, "bob@example.org")
    assert make_token(b"another-key-0123456789", EMAILS[0]) != make_token(KEY, EMAILS[0])


def test_subscribers_get_private_feeds_pages_and_no_address_reaches_dist(project):
    report = with_subscribers(project)
    assert (report.subscribers, report.revoked) == (2, 1)
    folders = sorted(p.name for p in (report.dist / "subscribers").iterdir())
    assert folders == sorted(make_token(KEY, e) for e in EMAILS[:2])
    for folder in (report.dist / "subscribers").iterdir():
        parsed = feedparser.parse((folder / "feed.xml").read_bytes())
        assert parsed.entries[0].enclosures[0].href == f"{BASE}/subscribers/{folder.name}/tides/tides.mp3"
        check_sums(folder)
    assert folders[0] not in (report.dist / "SHA256SUMS").read_text()  # tokens are not listed publicly
    for path in report.dist.rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            for email in EMAILS:
                assert email.encode() not in data, f"{email} in {path}"
                assert email.encode("utf-16-le") not in data, f"{email} in {path}"
    links = (project / "output" / "private" / "subscribers-links.csv").read_text()
    assert "ann.lee@example.org" in links and "cat@example.net" not in links


def test_revoking_a_subscriber_removes_their_files(project, tmp_path):
    csv = tmp_path / "subs.csv"
    csv.write_text(SUBSCRIBERS.read_text())
    with_kw = {"subscribers": csv, "key": KEY}
    run(project, **with_kw)
    ann = project / "output" / "dist" / "subscribers" / make_token(KEY, EMAILS[0])
    assert (ann / "tides" / "tides.epub").is_file()
    (tmp_path / "revoked.txt").write_text("# revoked on request\nANN.LEE@example.org\n")
    report = run(project, **with_kw)
    assert not ann.exists() and report.removed == 1 and report.subscribers == 1
    assert report.personal_reused == 4  # Bob's copies were kept, not remade


@pytest.mark.parametrize(("text", "message", "line"), [
    (b"mail,name\nx@example.org,X\n", "'email' column", 1),
    (b"email,name\nnot-an-address,X\n", "email address", 2),
    (b"email,name\na@example.org,A\nb@example.org,B\nA@example.org,A2\n", "duplicate email address", 4),
    (b"email,name\na@example.org,A\nb@example.org,B\xe9\n", "UTF-8", 3),
    (b"email,name\na@example.org,\n", "expected a name", 2),
    (b"email,name,revoked\na@example.org,A,maybe\n", "revoked", 2),
])
def test_malformed_subscriber_files_name_file_and_line(project, tmp_path, text, message, line):
    csv = tmp_path / "subs.csv"
    csv.write_bytes(text)
    with pytest.raises(PublishError, match=message) as caught:
        run(project, subscribers=csv, key=KEY)
    assert caught.value.path == str(csv) and caught.value.line == line


def test_subscribers_file_and_key_are_refused_inside_the_project(project, monkeypatch):
    inside = project / "content" / "subscribers.csv"
    inside.write_text(SUBSCRIBERS.read_text())
    with pytest.raises(PublishError, match="outside content/"):
        run(project, subscribers=inside, key=KEY)
    monkeypatch.delenv("NARRATE_SUBSCRIBER_KEY", raising=False)
    with pytest.raises(PublishError, match="secret key"):
        run(project, subscribers=SUBSCRIBERS)
    monkeypatch.setenv("NARRATE_SUBSCRIBER_KEY", "short")
    with pytest.raises(PublishError, match="at least 16 bytes"):
        run(project, subscribers=SUBSCRIBERS)


def test_personal_copies_say_who_they_were_prepared_for(project):
    from mutagen.id3 import ID3
    from mutagen.mp4 import MP4
    from pypdf import PdfReader

    report = with_subscribers(project)
    folder = report.dist / "subscribers" / make_token(KEY, EMAILS[0]) / "tides"
    with zipfile.ZipFile(folder / "tides.epub") as zf:
        assert zf.namelist()[0] == "mimetype"
        opf = zf.read("EPUB/content.opf").decode()
        assert '<meta property="dcterms:audience">Prepared for Ann Lee</meta>' in opf
        assert "Prepared for Ann Lee." in zf.read("EPUB/text/article.xhtml").decode()  # the article's colophon
    pdf = PdfReader(folder / "tides.pdf")
    assert "Prepared for Ann Lee" in pdf.metadata.get("/Subject", "")
    assert "Prepared for Ann Lee" in pdf.pages[-1].extract_text()  # the colophon closes the article
    original, personal = ID3(project / "output" / "tides" / "tides.mp3"), ID3(folder / "tides.mp3")
    assert sorted(original.keys()) == sorted(personal.keys())
    assert [(c.element_id, c.start_time, c.end_time) for c in personal.getall("CHAP")] == [
        (c.element_id, c.start_time, c.end_time) for c in original.getall("CHAP")]
    assert personal.getall("CTOC")[0].child_element_ids == original.getall("CTOC")[0].child_element_ids
    assert personal.getall("COMM")[0].text[0].endswith("Prepared for Ann Lee.")
    assert "synthetic voice" in personal.getall("COMM")[0].text[0]
    m4b_in, m4b_out = MP4(project / "output" / "tides" / "tides.m4b"), MP4(folder / "tides.m4b")
    assert [(c.start, c.title) for c in m4b_out.chapters] == [(c.start, c.title) for c in m4b_in.chapters]
    assert m4b_out.tags["\xa9cmt"][0].endswith("Prepared for Ann Lee.") and "covr" in m4b_out.tags
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(folder / "tides.m4b")],
                           capture_output=True, text=True, check=True)
    assert len(json.loads(probe.stdout)["chapters"]) == len(m4b_in.chapters)


def test_personal_epub_passes_epubcheck(project):
    from conftest import epubcheck

    report = with_subscribers(project)
    copy = report.dist / "subscribers" / make_token(KEY, EMAILS[1]) / "tides" / "tides.epub"
    errors, warnings, text = epubcheck(copy)
    assert (errors, warnings) == (0, 0), text


@pytest.mark.parametrize("language, expected", [("en", "March 3, 2025"), ("en-GB", "3 March 2025"),
                                                ("de", "3. März 2025"), ("fr", "3 mars 2025")])
def test_page_dates_follow_the_pages_language_and_region(language, expected):
    """The date sits among the page's own words ("By …, date"): the page's convention, whatever the
    publication's language (issue 28: an English page wrote "12. November 2026")."""
    import datetime as dt

    from narrate.publish.catalog import Publication
    from narrate.publish.page import render_page

    for pub_language in ("en", "de", "fr"):
        pub = Publication("tides", "Tides", pub_language, "article", "content/tides.md", {}, date=dt.date(2025, 3, 3))
        page = render_page([pub], title="Editions", language=language, href=lambda p, f: f"{p.slug}/{f}",
                           sizes={}, css="page.css", sums="SHA256SUMS", feed_url="feed.xml")
        assert f'<time datetime="2025-03-03">{expected}</time>' in page, pub_language


def test_built_page_shows_the_date_in_the_readers_convention(project):
    page = run(project).page.read_text()
    assert '<time datetime="2025-03-03">March 3, 2025</time>' in page  # language "en": CLDR's en is en-US


def test_each_episode_has_its_own_art_and_the_show_art_names_the_publisher(project):
    report = run(project)
    dist = project / "output" / "dist"
    ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
    tree = ET.parse(dist / "feed.xml")
    show = tree.find("channel/itunes:image", ns).get("href")
    episode = tree.find("channel/item/itunes:image", ns).get("href")
    assert show == f"{BASE}/artwork.png" and episode == f"{BASE}/tides/tides.cover.png"
    cover = (dist / "tides" / "tides.cover.png").read_bytes()
    assert cover == (project / "output" / "tides" / "tides.cover.png").read_bytes()
    art = (dist / "artwork.png").read_bytes()
    assert art != cover  # the show is not the first publication's cover
    from narrate.writers.cover import show_art

    assert art == show_art("Test Press", "Test Press")
    assert "tides/tides.cover.png" in (dist / "SHA256SUMS").read_text()
    assert not any("artwork" in w for w in report.warnings)


def test_no_publisher_name_means_show_art_naming_the_author_not_another_books_cover(project):
    toml = project / "narrate.toml"
    toml.write_text(toml.read_text().replace('name = "Test Press"\n', "", 1))
    report = run(project)
    dist = project / "output" / "dist"
    assert not any("no feed artwork" in w for w in report.warnings)
    from narrate.writers.cover import show_art

    ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
    tree = ET.parse(dist / "feed.xml")
    title = tree.find("channel/title").text
    assert (dist / "artwork.png").read_bytes() == show_art(title, "Sam Writer")
    assert tree.find("channel/itunes:image", ns).get("href") == f"{BASE}/artwork.png"
    assert tree.find("channel/item/itunes:image", ns) is not None
