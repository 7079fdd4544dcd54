"""An author's repeated paragraph (a refrain, a chorus, a litany) is the text and stays, each time it is
said; the site's furniture that repeats (a share bar above and below the article) still goes. The page
(tests/fixtures/import/round-three/harbour-song.html) was written for these tests."""

from __future__ import annotations

from pathlib import Path

from lxml import html as lxml_html

from narrate.importing import html_page, repeats
from narrate.importing.markdown_out import text_only
from narrate.importing.model import clean_text

PAGES = Path(__file__).parent / "fixtures" / "import" / "round-three"
REFRAIN = "So sing it low and sing it slow, the harbour lights are burning"


def _read(html: str) -> str:
    article = html_page.read_page(html.encode(), "page.html")
    return clean_text(text_only(article.html))


def test_a_poem_keeps_its_refrain_each_time_and_drops_the_share_bars_around_it():
    page = PAGES / "harbour-song.html"
    article = html_page.read_page(page.read_bytes(), str(page), page=page)
    text = clean_text(text_only(article.html))
    gold = [clean_text(line) for line in (PAGES / "harbour-song.txt").read_text(encoding="utf-8").splitlines()]
    assert text.count(REFRAIN) == 4, text
    assert text == clean_text(" ".join(["The Harbour Song", *gold])), text
    assert "Share this" not in text and "Facebook" not in text


def test_a_litany_line_said_again_and_again_in_a_row_stays():
    line = "<p>We remember the crews of the lifeboats that went out and did not come home again.</p>"
    opening = "<p>" + "The service was held on the quay at noon, in the rain, as it is every year. " * 3 + "</p>"
    page = f"<html><head><title>A litany</title></head><body><article>{opening}{line * 4}</article></body></html>"
    text = _read(page)
    assert text.count("did not come home again") == 4, text
    assert "narrate-repeat" not in text and "\u27e6" not in text  # the marks that kept them are gone


def test_headings_between_paragraphs_that_stand_in_the_body_itself_stay():
    paragraph = "<p>" + "The {0} crossing took an hour in the fog, with the bell rung at every buoy. " * 4 + "</p>"
    blocks = "".join(f"<h2>The {name} crossing</h2>" + paragraph.format(name)
                     for name in ("morning", "noon", "evening"))
    page = f"<html><head><title>Crossings</title></head><body><h1>Crossings</h1>{blocks}</body></html>"
    article = html_page.read_page(page.encode(), "page.html")
    assert [h for h in ("The morning crossing", "The noon crossing", "The evening crossing")
            if f">{h}</h2>" in article.html] == ["The morning crossing", "The noon crossing", "The evening crossing"]


def test_a_mark_leaves_a_short_repeat_alone_and_a_link_all_link():
    """trafilatura keeps a short repeat anyway and judges a line by its share of link text: a short line
    gains no mark, and a long link's mark is inside the link (base-url's "link" lines stayed dropped)."""
    long = "Subscribe to the harbour newsletter for the week's sailings and tides"
    page = (f"<html><body><article><p><a href='/s'>Subscribe</a></p><p><a href='/s'>Subscribe</a></p>"
            f"<p><a href='/n'>{long}</a></p><p><a href='/n'>{long}</a></p></article></body></html>")
    tree = lxml_html.document_fromstring(page)
    word = repeats.token(tree)
    repeats.mark(tree, word)
    paragraphs = tree.findall(".//p")
    assert [p.text_content() for p in paragraphs[:2]] == ["Subscribe", "Subscribe"]
    assert paragraphs[3].text is None and repeats.unmark(paragraphs[3][0].text, word) == long != paragraphs[3][0].text


def test_a_page_that_prints_a_mark_of_its_own_keeps_it():
    own = "The importer writes \u27e6narrate-repeat-1\u27e7 where a refrain repeats, and this page quotes it."
    line = "<p>We remember the crews of the lifeboats that went out and did not come home again.</p>"
    page = (f"<html><head><title>Marks</title></head><body><article><p>{own}</p>{line * 3}"
            "</article></body></html>")
    text = _read(page)
    assert "\u27e6narrate-repeat-1\u27e7 where a refrain repeats" in text, text
    assert text.count("did not come home again") == 3, text
