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
                                  "All rights reserved.", "Ads by Google", "Ads via Carbon", "ads via The Deck"])
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


def test_a_bar_of_short_links_goes_but_a_list_of_sources_stays():
    cells = "".join(f'<td><a href="/{w}/">{w}</a></td>' for w in ("Front page", "Harbour", "Letters", "Archive",
                                                                     "Write for us", "Contact us"))
    sources = "".join(f'<li><a href="https://s{n}.example/">The harbour commission\'s report for {1990 + n}, '
                      f"volume {n}</a></li>" for n in range(6))
    text = "<p>" + "The boats came in. " * 6 + "</p>"
    html, removed = boilerplate.clean(f"<div>{text}<ul>{sources}</ul><table><tr>{cells}</tr></table></div>")
    assert "Front page" not in html and "Write for us" not in html and len(removed) == 1
    assert html.count("harbour commission") == 6


@pytest.mark.parametrize("heading", ["Featured Slide Shows", "Most Popular", "From Around the Web"])
def test_a_widget_s_section_goes_even_when_its_teasers_are_not_links(heading):
    teasers = "".join(f"<h4>Teaser {n} for another page of the site</h4><p>A photo contest winner, number {n}, with "
                      "a line that says what the slide-show holds.</p>" for n in range(3))
    text = "<p>" + "The boats came in. " * 6 + "</p>"
    html, removed = boilerplate.clean(f"<div>{text}<h3>{heading}</h3>{teasers}</div>")
    assert "Teaser" not in html and "contest" not in html and heading in removed and "boats" in html


@pytest.mark.parametrize("line", ["Please wait...", "This feature is temporarily unavailable. Please try again later."])
def test_a_widget_s_waiting_or_failure_notice_goes(line):
    html, removed = boilerplate.clean(f"<div><p>{'The boats came in. ' * 6}</p><p>{line}</p></div>")
    assert removed == [line]


@pytest.mark.parametrize("line", ["By John Gruber", "By   Morwenna Trevail", "By J. R. Pascoe and Tamsin Hocking",
                                  "by ELOWEN ROWE"])
def test_a_byline_standing_as_a_line_of_the_body_goes_but_a_sentence_opening_with_by_stays(line):
    kept = "<p>By the time the boats came in, the quay was full of people.</p><p>By Tuesday it was over.</p>"
    html, removed = boilerplate.clean(f"<div><p>{line}</p><p>{'The boats came in. ' * 6}</p>{kept}</div>")
    assert removed == [" ".join(line.split())] and "By the time" in html and "By Tuesday it was over." in html


def test_words_in_adjacent_links_stay_apart():
    prose = "<p>" + "The boats came in at dawn and the quay was full of people waiting for the catch. " * 8 + "</p>"
    line = ('<p>The crews came from <a href="/p/">Porthlenna</a> <a href="/m/"><b>Mevagissey</b></a>\n'
            '<a href="/n/">Newlyn</a> and <em>St</em> <em>Ives</em> for the regatta.</p>')
    page = f"<html><head><title>Regatta</title></head><body><article><h1>Regatta</h1>{prose}{line}{prose}</article>"
    article = html_page.read_page((page + "</body></html>").encode(), "regatta.html")
    assert "Porthlenna Mevagissey Newlyn and St Ives for the regatta." in clean_text(text_only(article.html))


@pytest.mark.parametrize("label", ["Next Article", "Previous story", "Next post »"])
def test_a_teaser_linking_to_the_next_article_goes_but_a_sentence_about_it_stays(label):
    text = "<p>" + "The boats came in. " * 6 + "</p><p>The next article in this series looks at the fish market.</p>"
    teaser = f'<p><a href="/2026/06/quay/"><h3>The quay wall story of the week</h3> {label} </a></p>'
    html, removed = boilerplate.clean(f"<div>{text}{teaser}</div>")
    assert "quay wall" not in html and "fish market" in html and len(removed) == 1


def test_an_ad_network_s_label_goes_with_its_badge_but_a_sentence_about_ads_stays():
    kept = "<p>Ads by the harbour board paid for the new lamps on the quay, and the board said so every week.</p>"
    badge = '<p><a href="https://ads.example.net/"> Ads via The Quay </a><img src="quay.png" alt="Ads via The Quay">'
    badge += "</p>"
    html, removed = boilerplate.clean(f"<div><p>{'The boats came in. ' * 6}</p>{kept}{badge}</div>")
    assert removed == ["Ads via The Quay"] and "quay.png" not in html and "new lamps" in html
