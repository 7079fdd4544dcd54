"""HTML5's empty elements that lxml's HTML parser (libxml2, HTML 4) does not know as empty: ``<embed>``,
``<track>``, ``<source>``, ``<wbr>``, ``<keygen>``, written without a closing tag as HTML5 allows, were read as boxes
holding everything after them up to their parent's end, and the article's text after a Flash embed or a
video's captions track went with the element. The page is written for this test."""

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

