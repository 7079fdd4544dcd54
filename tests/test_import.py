"""narrate import: saved pages (two site layouts), a WordPress export and a Ghost export, each fixture
written for these tests (tests/fixtures/import/). The imported project must build an EPUB that passes
EPUBCheck; re-imports are byte-identical; hand edits and slug collisions are never overwritten."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import epubcheck
from typer.testing import CliRunner

from narrate.cli import app
from narrate.importing import ImportOptions, run_import
from narrate.importing import fetch as fetch_module
from narrate.sources import frontmatter

FIXTURES = Path(__file__).parent / "fixtures" / "import"
NEWSROOM = FIXTURES / "newsroom"
BLOG_PAGE = FIXTURES / "blog" / "field-notes.html"
WXR = FIXTURES / "wordpress-export.xml"
WP_UPLOADS = FIXTURES / "wp-uploads"
GHOST = FIXTURES / "ghost-export.json"
GHOST_IMAGES = FIXTURES / "ghost-images"
CHROME = ("Share on Social", "Email this story", "Copy link", "Sign up", "newsletter", "Related stories",
          "Bridge plan", "Great piece", "Post comment", "Comments", "Privacy", "All rights reserved", "Archives",
          "Search this site", "Share this", "About the author", "has recorded birds", "Kingfishers",
          "Leave a Reply", "Your email address", "Join the society", "Registered charity", "Subscribe",
          "Follow J. R.", "June 2024")


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def read(project: Path, slug: str) -> tuple[dict, str]:
    text = (project / "content" / f"{slug}.md").read_text(encoding="utf-8")
    fm = frontmatter.parse(text, f"{slug}.md")
    assert fm.warnings == ()  # every key import writes is one the reader knows
    return fm.fields, fm.body


def snapshot(project: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(project).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted((project / "content").rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ saved pages


def test_two_site_layouts_keep_the_article_and_its_metadata_and_drop_the_chrome(project):
    result = invoke("import", str(NEWSROOM), str(BLOG_PAGE), "--project", str(project))
    assert result.exit_code == 0, result.stderr

    news, body = read(project, "last-harbour-ferries")
    assert news["title"] == "The Last Harbour Ferries"
    assert news["subtitle"] == ("Three wooden ferries still cross the estuary every day. "
                                "Their crews want to keep it that way.")
    assert news["author"] == "J. R. Penhallow"  # from JSON-LD, initials keep their periods
    assert str(news["date"]) == "2025-06-14"
    assert news["publisher"] == "The Coastline Courier"
    assert news["language"] == "en-US"
    assert news["tags"] == ["transport", "maritime history"]
    assert news["source_url"] == "https://courier.example.com/2025/06/last-harbour-ferries/"
    assert not body.lstrip().startswith(("#", "Three wooden ferries"))  # title and dek are not repeated
    assert "- Summer service: every twenty minutes" in body
    assert "> We have never lost a passenger" in body
    assert "| Day | Foot passengers | Bicycles |" in body and "| Saturday | 1,106 | 141 |" in body
    assert "[commission's annual report](https://harbour.example.org/reports/2025)" in body
    assert "## A timetable set by the tide" in body and "## Who rides the ferry" in body
    assert not re.search(r"^#+\s*$", body, re.M)  # the empty heading is gone
    # The remote photo cannot be fetched (no network in tests): a warning names the article, its caption stays.
    assert "left out of 'last-harbour-ferries'" in result.stderr
    assert "The Morwenna at Polcarrow slipway, spring 2025." in body

    blog, body2 = read(project, "counting-swifts")
    assert blog["title"] == "Field notes: counting swifts over the old mill"
    assert blog["subtitle"].startswith("A summer of evening counts")  # "Dek:" label removed
    assert blog["author"] == "M. E. Oduya"
    assert str(blog["date"]) == "2024-08-02" and blog["language"] == "en-GB"
    assert blog["publisher"] == "Riverside Naturalists"
    assert blog["tags"] == ["birds", "swifts", "citizen science"]
    assert blog["source_url"] == "https://naturalists.example.net/notes/counting-swifts"
    assert "1. Agree the start time by the church clock." in body2
    assert "## How we counted" in body2  # h3 sections become ## (sections) when they are the top level
    assert ('![The north gable of the mill with six numbered nest holes under the eaves]'
            '(images/counting-swifts/roofline.png "Nest holes on the north gable, numbered for the count.")') in body2
    assert (project / "content/images/counting-swifts/roofline.png").read_bytes() == \
        (FIXTURES / "blog/field-notes_files/roofline.png").read_bytes()
    assert "> Swifts return to the same hole" in body2
    assert not re.search(r"^#+\s*$", body2, re.M)
    for text in CHROME:
        assert text not in body and text not in body2, text


def test_a_byline_author_keeps_the_periods_of_initials(project, tmp_path):
    page = tmp_path / "night-ferry.html"
    page.write_text('<html lang="en"><head><title>Night ferry</title></head><body><article><h1>Night ferry</h1>'
                    '<p class="byline">By <a rel="author" href="/a">A. J. Fenwick</a></p><p>'
                    + "The last ferry leaves at eleven and nobody hurries for it. " * 10
                    + "</p></article></body></html>", encoding="utf-8")
    run_import(project, [str(page)])
    fields, body = read(project, "night-ferry")
    assert fields["author"] == "A. J. Fenwick"  # trafilatura alone gives "A J Fenwick"
    assert fields["language"] == "en" and body.lstrip().startswith("The last ferry leaves at eleven")


def test_a_url_is_fetched_when_the_network_answers(project, monkeypatch):
    pages = {"https://naturalists.example.net/notes/counting-swifts": BLOG_PAGE.read_bytes(),
             "https://naturalists.example.net/notes/field-notes_files/roofline.png":
                 (FIXTURES / "blog/field-notes_files/roofline.png").read_bytes()}
    asked = []

    def fake_get(self, url: str, headers=None) -> fetch_module.Response:
        asked.append(url)
        return fetch_module.Response(url, 200, pages[url])

    monkeypatch.setattr(fetch_module.Fetcher, "get", fake_get)
    report = run_import(project, ["https://naturalists.example.net/notes/counting-swifts"])
    assert [i.slug for i in report.imported] == ["counting-swifts"]
    assert asked[1].endswith("/notes/field-notes_files/roofline.png")  # relative image resolved against the URL
    assert (project / "content/images/counting-swifts/roofline.png").is_file()


def test_an_unreachable_url_is_a_quick_clear_error(project, monkeypatch):
    import socket

    monkeypatch.undo()  # a real connection attempt, to a closed port on this machine's loopback only
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    url = f"http://127.0.0.1:{port}/articles/closed-port"
    started = time.monotonic()
    result = invoke("import", url, "--project", str(project), "--allow-private-hosts")
    assert time.monotonic() - started < 10
    assert result.exit_code == 3
    assert url in result.stderr and "Traceback" not in result.stderr
    assert list((project / "content").iterdir()) == []


def test_fetch_gives_up_within_a_few_seconds_on_a_silent_server(monkeypatch):
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)  # accepts the connection, never answers
    port = server.getsockname()[1]
    monkeypatch.undo()  # this test talks to its own 127.0.0.1 listener only
    started = time.monotonic()
    with pytest.raises(fetch_module.FetchError, match="within 1 s"):
        fetch_module.Fetcher(timeout=1.0, allow_private=True).get(f"http://127.0.0.1:{port}/page")
    assert time.monotonic() - started < 4
    server.close()


# ------------------------------------------------------------------ WordPress


def test_wordpress_export_posts_captions_shortcodes_raw_html_and_media(project):
    result = invoke("import", str(WXR), "--project", str(project), "--media", str(WP_UPLOADS))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (project / "content").glob("*.md")) == ["ferry-slip.md", "harbour-low-water.md"]
    fields, body = read(project, "harbour-low-water")
    assert fields["title"] == "The Harbour at Low Water & After"
    assert fields["subtitle"] == "A morning on the mud with the crabbers of Porthlenna."
    assert fields["author"] == "K. L. Morgan" and fields["publisher"] == "Estuary Review"
    assert str(fields["date"]) == "2024-05-02" and fields["language"] == "en-GB"
    assert fields["tags"] == ["Places", "fishing", "tides"]
    assert fields["cover"] == "images/harbour-low-water/cover.png"  # the featured image (an attachment)
    assert "wp:" not in body and "<!--" not in body and "[" + "gallery" not in body
    # [caption] → a figure: the attachment's alt text, the caption as its title
    assert ('![Fishing boats tied up three deep along the harbour wall at low tide]'
            '(images/harbour-low-water/harbour-640x400.png "The harbour at low water, May 2024.")') in body
    assert (project / "content/images/harbour-low-water/harbour-640x400.png").read_bytes() == \
        (WP_UPLOADS / "2024/05/harbour.png").read_bytes()  # a resized copy resolves to the original upload
    assert "Next low water: see the harbour office board." in body and "loadTides" not in body
    assert "The harbour office opens at 7 a.m." in body  # an unknown enclosing shortcode keeps its text
    assert "video.example.com" not in body  # [embed] goes with its content
    assert "[harbour history](https://estuary.example.org/harbour-history/)" in body
    assert not re.search(r"^#+\s*$", body, re.M)
    # [gallery ids="11,12"] → its two attachments as figures, with their alt text (its pictures are the post's)
    assert "![A white lighthouse on a rocky point](images/harbour-low-water/lighthouse.png)" in body
    assert "shortcode [gallery]" not in result.stderr
    for name in ("su_note", "embed"):
        assert re.search(rf"wordpress-export.xml:\d+: post 20 'The Harbour at Low Water & After': "
                         rf"shortcode \[{name}\]", result.stderr), name
    slip, slip_body = read(project, "ferry-slip")
    assert "tags" not in slip  # "Uncategorized" is not a tag
    assert "The ferry slip is the oldest structure on the river" in slip_body
    assert "\n\nIts granite setts" in slip_body  # classic-editor paragraphs
    assert "images/ferry-slip/lighthouse.png" in slip_body
    assert "left out of 'ferry-slip'" in result.stderr and "missing-photo.jpg" in result.stderr
    assert "A photo nobody kept." in slip_body


def test_drafts_and_pages_only_when_asked(project):
    run_import(project, [str(WXR)], ImportOptions(media=WP_UPLOADS, drafts=True, pages=True))
    names = sorted(p.name for p in (project / "content").glob("*.md"))
    assert names == ["about.md", "draft-winter-storms.md", "ferry-slip.md", "harbour-low-water.md"]
    assert read(project, "draft-winter-storms")[0]["title"] == "Draft: Winter Storms"


def test_kind_chapter_is_written_to_the_front_matter(project):
    run_import(project, [str(GHOST)], ImportOptions(media=GHOST_IMAGES, kind="chapter"))
    assert read(project, "under-the-kelp")[0]["kind"] == "chapter"


# ------------------------------------------------------------------ Ghost


def test_ghost_export_posts_authors_tags_and_feature_image(project):
    result = invoke("import", str(GHOST), "--project", str(project), "--media", str(GHOST_IMAGES), "--json")
    assert result.exit_code == 0, result.stderr
    assert '"under-the-kelp"' in result.stdout and '"new"' in result.stdout
    assert sorted(p.name for p in (project / "content").glob("*.md")) == ["under-the-kelp.md"]
    fields, body = read(project, "under-the-kelp")
    assert fields["authors"] == ["Ana Ferreira", "T. O. Brien"]
    assert fields["tags"] == ["Diving", "Marine life"]  # the internal '#newsletter' tag stays hidden
    assert fields["publisher"] == "Tideline" and fields["language"] == "en"
    assert fields["subtitle"] == "A dive into the forest off Gull Point."
    assert fields["source_url"] == "https://tideline.example.com/under-the-kelp/"
    cover = project / "content" / fields["cover"]
    assert cover.read_bytes().startswith(b"\x89PNG")  # a WebP feature image, converted to PNG
    assert '(images/under-the-kelp/kelp.png "Kelp at Gull Point, March 2024.")' in body
    assert "Visibility: 6 m" in body and "track()" not in body
    assert "1. Check the tide" in body and "> Never dive the point" in body
    assert "[our tide tables](https://tideline.example.com/tide-tables/)" in body
    assert "raw-HTML card was reduced to its text" in result.stderr


def test_ghost_drafts_and_pages(project):
    report = run_import(project, [str(GHOST)], ImportOptions(media=GHOST_IMAGES, drafts=True, pages=True))
    assert sorted(i.slug for i in report.imported) == ["about", "storm-season-plans", "under-the-kelp"]


# ------------------------------------------------------------------ builds


@pytest.mark.slow
def test_imported_project_builds_an_epub_that_passes_epubcheck(project):
    for args in ([str(NEWSROOM), str(BLOG_PAGE)], [str(WXR), "--media", str(WP_UPLOADS)],
                 [str(GHOST), "--media", str(GHOST_IMAGES)]):
        result = invoke("import", *args, "--project", str(project))
        assert result.exit_code == 0, result.stderr
    result = invoke("build", str(project), "--formats", "epub", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    assert "raw HTML" not in result.stderr and "unknown front matter key" not in result.stderr
    epubs = sorted((project / "output").rglob("*.epub"))
    assert len(epubs) == 5
    for epub in epubs:
        errors, _warnings, report = epubcheck(epub)
        assert errors == 0, report


# ------------------------------------------------------------------ rules


def test_reimport_changes_nothing(project):
    sources = [str(NEWSROOM), str(BLOG_PAGE), str(WXR), str(GHOST)]
    options = ImportOptions(media=WP_UPLOADS)
    run_import(project, sources[:3], options)
    run_import(project, sources[3:], ImportOptions(media=GHOST_IMAGES))
    before = snapshot(project)
    report = run_import(project, sources[:3], options)
    assert {i.status for i in report.imported} == {"unchanged"}
    run_import(project, sources[3:], ImportOptions(media=GHOST_IMAGES))
    assert snapshot(project) == before  # same bytes, files not even rewritten
    assert not list((project / ".narrate").glob("import-*"))  # staging is cleaned up


def test_a_hand_edited_file_needs_force(project):
    run_import(project, [str(BLOG_PAGE)])
    path = project / "content" / "counting-swifts.md"
    edited = path.read_text(encoding="utf-8").replace("This is what we found.", "This is what we saw.")
    path.write_text(edited, encoding="utf-8")
    result = invoke("import", str(BLOG_PAGE), "--project", str(project))
    assert result.exit_code == 3
    assert "content/counting-swifts.md was edited by hand" in result.stderr and "--force" in result.stderr
    assert path.read_text(encoding="utf-8") == edited
    result = invoke("import", str(BLOG_PAGE), "--project", str(project), "--force")
    assert result.exit_code == 0, result.stderr
    assert "This is what we found." in path.read_text(encoding="utf-8")


def test_a_file_not_written_by_import_is_not_replaced(project):
    path = project / "content" / "counting-swifts.md"
    path.write_text("---\ntitle: Mine\n---\n\nMy own article.\n", encoding="utf-8")
    result = invoke("import", str(BLOG_PAGE), "--project", str(project))
    assert result.exit_code == 3 and "was not written by an import" in result.stderr
    assert "My own article." in path.read_text(encoding="utf-8")


def test_two_sources_with_one_slug_are_an_error_naming_both(project, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(BLOG_PAGE, other / "copy.html")
    result = invoke("import", str(BLOG_PAGE), str(other / "copy.html"), "--project", str(project))
    assert result.exit_code == 3
    assert "counting-swifts" in result.stderr and "field-notes.html" in result.stderr and "copy.html" in result.stderr
    assert list((project / "content").iterdir()) == []


def test_a_different_source_never_overwrites_an_imported_file(project, tmp_path):
    run_import(project, [str(BLOG_PAGE)])
    page = BLOG_PAGE.read_text(encoding="utf-8").replace(
        "https://naturalists.example.net/notes/counting-swifts", "https://other.example.net/counting-swifts")
    (tmp_path / "other.html").write_text(page, encoding="utf-8")
    result = invoke("import", str(tmp_path / "other.html"), "--project", str(project))
    assert result.exit_code == 3
    assert "two sources have the slug 'counting-swifts'" in result.stderr
    assert "naturalists.example.net" in (project / "content/counting-swifts.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------ bad input


def _refused(project: Path, source: Path, *expected: str) -> str:
    result = invoke("import", str(source), "--project", str(project))
    assert result.exit_code == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert list((project / "content").iterdir()) == []  # nothing partial
    return result.stderr


def test_binary_file_is_refused(project, tmp_path):
    source = tmp_path / "photo.html"
    source.write_bytes((FIXTURES / "blog/field-notes_files/roofline.png").read_bytes())
    _refused(project, source, "photo.html", "binary file")


def test_page_without_an_article_is_refused(project, tmp_path):
    source = tmp_path / "menu.html"
    source.write_text("<html><head><title>Menu</title></head><body><nav><ul><li><a href='/a'>Home</a></li>"
                      "</ul></nav></body></html>", encoding="utf-8")
    _refused(project, source, "menu.html", "expected an article in the page")


def test_malformed_export_names_the_line(project, tmp_path):
    text = WXR.read_text(encoding="utf-8")
    broken = text.replace("<title>Estuary Review</title>", "<title>Estuary Review</titel>")
    line = broken[: broken.index("</titel>")].count("\n") + 1
    source = tmp_path / "broken.xml"
    source.write_text(broken, encoding="utf-8")
    _refused(project, source, f"broken.xml:{line}:", "well-formed XML")


def test_a_failure_late_in_an_export_writes_nothing(project, tmp_path):
    text = WXR.read_text(encoding="utf-8")
    source = tmp_path / "late.xml"
    source.write_text(text.replace("</channel>", "<item><title>x</broken></item></channel>"), encoding="utf-8")
    _refused(project, source, "late.xml:")


@pytest.mark.parametrize(("doctype", "reference"), [
    ('<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>', "&c;"),  # entity expansion ("billion laughs")
    ('<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>', "&secret;"),  # external entity
])
def test_entity_tricks_are_refused(project, tmp_path, doctype, reference):
    head, rest = WXR.read_text(encoding="utf-8").split("\n", 1)
    rest = rest.replace("<description>Stories", f"<description>{reference}Stories")
    source = tmp_path / "bomb.xml"
    source.write_text(f"{head}\n{doctype}\n{rest}", encoding="utf-8")
    _refused(project, source, "bomb.xml:2:", "refused")


def test_an_empty_or_untitled_post_does_not_stop_an_export(project, tmp_path):
    text = WXR.read_text(encoding="utf-8")
    text = text.replace("<title><![CDATA[Notes from the Ferry Slip]]></title>", "<title></title>")
    text = text.replace("<p>The Estuary Review publishes", "<p></p><!-- The Estuary Review publishes")
    text = text.replace("who work on it.</p>", "who work on it. -->")
    source = tmp_path / "gaps.xml"
    source.write_text(text, encoding="utf-8")
    result = invoke("import", str(source), "--project", str(project), "--pages", "--media", str(WP_UPLOADS))
    assert result.exit_code == 0, result.stderr
    assert read(project, "ferry-slip")[0]["title"] == "Untitled (ferry-slip)"
    assert "has no title" in result.stderr
    assert re.search(r"gaps.xml:\d+ \(post 2 'About the Review'\): no text in 'about'; skipped", result.stderr)
    assert not (project / "content/about.md").exists()


def test_export_with_no_posts_is_refused(project, tmp_path):
    text = WXR.read_text(encoding="utf-8")
    items = re.findall(r"\t<item>.*?</item>\n", text, re.S)
    source = tmp_path / "empty.xml"
    for item in items[2:]:  # keep the attachments only
        text = text.replace(item, "")
    source.write_text(text, encoding="utf-8")
    _refused(project, source, "empty.xml", "expected at least one published post")


def test_ghost_export_with_only_drafts_is_refused(project, tmp_path):
    text = GHOST.read_text(encoding="utf-8").replace('"status": "published"', '"status": "draft"')
    source = tmp_path / "ghost.json"
    source.write_text(text, encoding="utf-8")
    _refused(project, source, "ghost.json", "--drafts")


def test_json_that_is_no_ghost_export_is_refused(project, tmp_path):
    source = tmp_path / "data.json"
    source.write_text('{"posts": 3}', encoding="utf-8")
    _refused(project, source, "data.json:1:", "Ghost export")


def test_a_large_export_is_streamed_with_flat_memory(tmp_path):
    """Reading posts out of a WXR keeps only one <item> at a time: peak memory does not grow with the export."""
    import tracemalloc

    from narrate.importing import wordpress

    def export(posts: int) -> Path:
        path = tmp_path / f"big-{posts}.xml"
        paragraph = "<p>" + "The tide turned and the boats swung round on their moorings. " * 40 + "</p>\n"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write('<?xml version="1.0"?>\n<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                     'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Big</title>\n')
            for i in range(posts):
                fh.write(f"<item><title>Post {i}</title><content:encoded><![CDATA[{paragraph * 2}]]>"
                         f"</content:encoded><wp:post_id>{i}</wp:post_id><wp:post_name>p{i}</wp:post_name>"
                         "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>\n")
            fh.write("</channel></rss>\n")
        return path

    peaks = {}
    for posts in (200, 2000):
        path = export(posts)
        site = wordpress.scan(path, path.name)
        tracemalloc.start()
        count = sum(1 for _ in wordpress.articles(path, path.name, site, drafts=False, pages=False,
                                                  kind="article", warn=lambda m: None))
        peaks[posts] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert count == posts
    size = (tmp_path / "big-2000.xml").stat().st_size
    print(f"export {size / 2**20:.1f} MB, peaks {peaks}")
    assert size > 9 * 2**20
    assert peaks[2000] < size / 20  # far below the export's size
    assert peaks[2000] < peaks[200] * 1.5 + 256 * 1024  # ten times the posts, about the same peak


def test_the_sample_export_becomes_built_editions(tmp_path):
    """The README's path: the repository's sample project + examples/wordpress-export.xml → EPUB."""
    repo = Path(__file__).parent.parent
    project = tmp_path / "sample"
    (project / "content").mkdir(parents=True)
    shutil.copy(repo / "narrate.toml", project / "narrate.toml")
    result = invoke("import", str(repo / "examples/wordpress-export.xml"), "--media",
                    str(repo / "examples/wordpress-uploads"), "--project", str(project))
    assert result.exit_code == 0, result.stderr
    assert "[contact-form-7]" in result.stderr  # the one unsupported shortcode is named
    fields, body = read(project, "mill-race-in-autumn")
    assert fields["author"] == "Nell Ashdown" and fields["tags"] == ["Community", "rivers"]
    assert "images/mill-race-in-autumn/mill-race-640x360.png" in body
    assert not (project / "content/notes-for-a-winter-reading-list.md").exists()  # a draft
    result = invoke("build", str(project), "--formats", "epub", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    epub = next((project / "output").rglob("*.epub"))
    errors, _warnings, report = epubcheck(epub)
    assert errors == 0, report
