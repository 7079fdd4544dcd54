"""Round three of issue 29: the furniture news pages keep inside their article's container (a tag line,
a slide-show's buttons, a related-stories list under any wording, other columns with their authors, the
copyright line) goes; the article's own sentences that open with the same words stay. The page
(tests/fixtures/import/round-three/) was written for these tests; nothing is copied from a real site."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrate.importing import boilerplate, html_page
from narrate.importing.markdown_out import text_only
from narrate.importing.model import clean_text

PAGES = Path(__file__).parent / "fixtures" / "import" / "round-three"


def test_a_news_page_keeps_its_article_and_nothing_of_the_site_s_furniture():
    page = PAGES / "lifeboat-appeal.html"
    article = html_page.read_page(page.read_bytes(), str(page), page=page)
    text = clean_text(text_only(article.html))
    gold = [clean_text(line) for line in (PAGES / "lifeboat-appeal.txt").read_text(encoding="utf-8").splitlines()]
    title = "Lifeboat appeal passes its target a month early"  # the page's <h1>, which the body keeps
    assert text.endswith(gold[-1]), text[-300:]
    assert text == clean_text(" ".join([title, *gold]))
    assert any("line(s) of the site's interface" in w for w in article.warnings)


@pytest.mark.parametrize("heading", ["More Related Stories", "Other Opinion Columns",
                                     "Recent Slide Shows", "Featured galleries"])
def test_a_list_of_links_under_a_heading_of_other_pages_goes(heading):
    items = "".join(f'<li><a href="/n/{n}/">The quay wall story number {n} of the week</a> JO KEMP</li>'
                    for n in range(4))
    text = "<p>" + "The boats came in. " * 6 + "</p>"
    html, removed = boilerplate.clean(f"<div>{text}<h3>{heading}</h3><ul>{items}</ul></div>")
    assert "quay wall" not in html and heading in removed


@pytest.mark.parametrize("line", ["Close", "Fullscreen", "Thumbnails", "Previous", "Next", "Back to top",
                                  "Copyright © 2026 The Packet Ltd. All rights reserved.", "© 2019 Harbour Media",
                                  "All rights reserved."])
def test_a_line_of_buttons_or_the_copyright_goes(line):
    html, removed = boilerplate.clean(f"<div><p>{'The boats came in. ' * 6}</p><p>{line}</p></div>")
    assert removed == [line] and line not in html


def test_a_tag_line_goes_but_the_article_s_sentences_with_those_words_stay():
    tags = 'Topics: <a href="/t/a/">lifeboat</a>, <a href="/t/b/">harbour</a>, <a href="/t/c/">fundraising</a>'
    kept = ["Next, the council will vote on the slipway.", "Close to the quay stands the old fish cellar.",
            "Copyright law changed in 1911, the year the boathouse was built.",
            "Other opinion columns in the village paper have said the same for years, and they were right.",
            "Topics: the tide, the boats and the harbour dues were all on the agenda at the meeting."]
    html, removed = boilerplate.clean("<div>" + "".join(f"<p>{k}</p>" for k in kept) + f"<p>{tags}</p>"
                                      + "<h3>Related reading</h3><p>The harbour master's own account of the "
                                        "storm of 1911, written the winter after, is kept at the museum.</p></div>")
    assert removed == ["Topics: lifeboat, harbour, fundraising"] and "lifeboat" not in html
    assert all(k in html for k in kept) and "museum" in html
