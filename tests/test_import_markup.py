"""The page's markup put right before extraction (importing/markup.py). The pages are written for these tests.

HTML5's empty elements that lxml's HTML parser (libxml2, HTML 4) does not know as empty: ``<embed>``,
``<track>``, ``<source>``, ``<wbr>``, ``<keygen>``, written without a closing tag as HTML5 allows, were read as boxes
holding everything after them up to their parent's end, and the article's text after a Flash embed or a
video's captions track went with the element."""

from __future__ import annotations

import pytest

from narrate.importing import html_page
from narrate.importing.markdown_out import text_only
from narrate.importing.model import clean_text

PARAGRAPHS = [
    "The harbour wall was finished in the spring of 1887, two years later than the council had promised.",
    "Its stones came by sea from the quarry at Penryn, each one cut to a template kept in the harbour office.",
    "The builders were paid by the yard, and the accounts show how slowly the last stretch went.",
    "When the storm of 1891 broke over the quay, the new wall held while the old jetty was lost entirely.",
]


def _page(between: str) -> bytes:
    first, second, third, fourth = (f"<p>{p}</p>" for p in PARAGRAPHS)
    return ("<!DOCTYPE html><html><head><title>The harbour wall</title></head><body><article>"
            f"<h1>The harbour wall</h1><div>{first}{second}</div><div>{third}{between}{fourth}</div>"
            "</article></body></html>").encode()


@pytest.mark.parametrize("between", ['<embed src="wall.swf">', '<track src="wall.vtt" kind="captions">'])
def test_the_text_after_an_unclosed_html5_empty_element_stays(between):
    article = html_page.read_page(_page(between), "wall.html")
    text = clean_text(text_only(article.html))
    assert all(clean_text(p) in text for p in PARAGRAPHS), text



FIGURES = [("Harbour dues", "1,204", "38.2%"), ("Mooring fees", "880", "27.9%"), ("Fish market rents", "655", "20.8%")]


def _grid_page() -> bytes:
    rows = "".join(f"<tr><td>{a}</td><td align=right>{b}</td><td align=right>{c}</td></tr>" for a, b, c in FIGURES)
    menu = "".join(f'<a href="/s/{n}/">Section {n}</a><br>' for n in range(6))
    article = (f"<h1>The harbour accounts for 1902</h1><p>{PARAGRAPHS[0]}</p><p>The income came from three sources:</p>"
               f'<table class="figures"><tr><th colspan=3>Income by source</th></tr>{rows}</table>'
               f"<p>{PARAGRAPHS[1]}</p><p>{PARAGRAPHS[2]}</p><p>{PARAGRAPHS[3]}</p>")
    return ("<!DOCTYPE html><html><head><title>Accounts</title></head><body>"
            f'<table width="100%"><tr><td width="150" valign="top">{menu}</td><td valign="top">{article}</td></tr>'
            "</table></body></html>").encode()


def test_a_table_inside_a_page_laid_out_with_a_table_keeps_its_figures():
    html = html_page.read_page(_grid_page(), "accounts.html").html
    text = clean_text(text_only(html))
    assert all(clean_text(p) in text for p in PARAGRAPHS), text
    assert all(cell in text for row in FIGURES for cell in row), text
    assert "<table" in html and "Section 3" not in text


@pytest.mark.parametrize("blank", ["<em> </em>", "<b>\n  </b>", "<i>&nbsp;</i>"])
def test_an_inline_element_holding_only_a_space_keeps_the_words_apart(blank):
    sentence = f"It means{blank}predictable fares for everyone who takes a taxi from the station to the quay."
    page = _page("").replace(b"<h1>", f"<p>{sentence}</p><h1>".encode())
    text = clean_text(text_only(html_page.read_page(page, "wall.html").html))
    assert "It means predictable fares for everyone" in text, text


def test_the_title_is_the_article_s_heading_the_page_s_title_names_not_a_section_s_h1():
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = ("<!DOCTYPE html><html><head><title>The harbour wall is finished - Harbour News</title></head><body>"
            '<div class="masthead"><h1>Harbour History Centre</h1></div><div class="story">'
            f"<h2>The harbour wall is finished</h2>{paragraphs}</div></body></html>").encode()
    article = html_page.read_page(page, "wall.html")
    assert article.fields["title"] == "The harbour wall is finished"


@pytest.mark.parametrize("box", ["header", 'div class="headline"'])
def test_the_title_is_the_page_s_heading_its_title_names_when_the_article_left_it_out_not_a_sidebar_s_h1(box):
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = ("<!DOCTYPE html><html><head><title>The harbour wall is finished</title></head><body>"
            '<div class="sidebar"><h1>Harbour History Centre</h1><ul><li><a href="/a">Boats</a></li></ul></div>'
            f'<{box}><h2>The harbour wall is finished</h2></{box.split()[0]}><div class="story">{paragraphs}</div>'
            "</body></html>").encode()
    article = html_page.read_page(page, "wall.html")
    assert article.fields["title"] == "The harbour wall is finished"
    assert PARAGRAPHS[0] in clean_text(text_only(article.html))


@pytest.mark.parametrize("dateline", ["08.04.2016 12:46", "April 8, 2016", "8 April 2016, 12:46",
                                      "Tuesday, April 8, 2016 at 12.46 pm"])
def test_the_article_s_date_standing_above_its_title_goes_with_the_title(dateline):
    from narrate.importing.markdown_out import render_body
    from narrate.importing.media import Media
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = ('<!DOCTYPE html><html><head><title>The harbour wall is finished</title><meta property="article:'
            'published_time" content="2016-04-08T12:46:00"></head><body><article>'
            f"<p>{dateline}</p><h1>The harbour wall is finished</h1>{paragraphs}</article></body></html>").encode()
    article = html_page.read_page(page, "wall.html")
    body = render_body(article, Media(None), None, "images/x", lambda message: None).body
    assert str(article.fields["date"]) == "2016-04-08"
    assert body.startswith(PARAGRAPHS[0]), body[:200]
    diary = page.replace(f"<p>{dateline}</p>".encode(), b"").replace(b"</h1>", b"</h1><p>8 April 1902</p>")
    body = render_body(html_page.read_page(diary, "diary.html"), Media(None), None, "images/x", lambda m: None).body
    assert body.startswith("8 April 1902"), body[:200]  # a diary's first line, of another date: the text's



@pytest.mark.parametrize("img", ["<img>", '<img alt="">'])
def test_the_words_after_a_picture_with_no_address_stay(img):
    sentence = f"The order came from an {img}office clerk at the quay, and so on. The <code>tally</code> book shows it."
    page = _page("").replace(b"<h1>", f"<p>{sentence}</p><h1>".encode())
    text = clean_text(text_only(html_page.read_page(page, "wall.html").html))
    assert "office clerk at the quay, and so on. The tally book shows it." in text, text


def test_the_space_between_two_inline_elements_stays_when_the_first_ends_after_a_link():
    sentence = ('<span><a href="#s4">Section 4</a>, the quay preflight</span> <span>checks ran every morning at '
                "the harbour office, and the harbour master signed them.</span>")
    page = _page("").replace(b"<h1>", f"<p>{sentence}</p><h1>".encode())
    text = clean_text(text_only(html_page.read_page(page, "wall.html").html))
    assert "the quay preflight checks ran every morning" in text, text


@pytest.mark.parametrize("figure", ['<figure class="stepThumb">', "<figure>"])
def test_a_caption_written_after_its_figure_is_the_figure_s_caption(figure):
    caption = "The boat at low water (Jo Smith)"
    after = f'{figure}<img src="boat.jpg" alt="A boat"></figure>\n<figcaption class="caption"> {caption} </figcaption>'
    article = html_page.read_page(_page(after), "wall.html")
    assert f'title="{caption}"' in article.html, article.html
    assert all(p in clean_text(text_only(article.html)) for p in PARAGRAPHS)
    # A caption after a figure that has its own is another figure's, or the page's: it is not moved in.
    both = after.replace("</figure>", "<figcaption>A boat</figcaption></figure>")
    assert f'title="{caption}"' not in html_page.read_page(_page(both), "wall.html").html
