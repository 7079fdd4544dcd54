"""A how-to page heads each step with a styled <span> ("Step 1", "What You'll Need:") above the step's
paragraph or list: the labels are the text and stay, in their place; the site's own labelled boxes (a
share box) still go. The page is written here; nothing is copied from a real site."""

from __future__ import annotations

from narrate.importing import html_page
from narrate.importing.markdown_out import text_only
from narrate.importing.model import clean_text

_STEP = ('<div class="step"><div class="step-content"><div class="content"><span class="headline2 head block">'
         'Step {n}</span> <p>{text}</p></div><figure class="thumb"><img src="step{n}.jpg" alt="Step {n} done">'
         '</figure><figcaption class="caption">Step {n} done (Photo: J. Kemp)</figcaption></div></div>')
_STEPS = ["Scrub the hull below the waterline with a stiff brush and leave it to dry in the wind overnight.",
          "Sand the old varnish back until the grain shows, working along the planks and never across them.",
          "Brush on the first thin coat of varnish in the morning, when the dew has gone off the wood."]
_PAGE = f"""<html><head><title>How to varnish a rowing boat</title></head><body>
<header><nav><a href="/">Home</a> <a href="/boats/">Boats</a></nav></header>
<article><h1>How to varnish a rowing boat</h1>
<p>A wooden rowing boat wants new varnish every other spring; a weekend of dry weather is enough for it.</p>
<div class="step"><div class="content"><span class="headline2 head block">What You'll Need:</span>
<ul><li>Stiff brush</li><li>Sandpaper, 120 and 240 grit</li><li>Marine varnish</li><li>A wide soft brush</li></ul>
</div></div>
{"".join(_STEP.format(n=n, text=text) for n, text in enumerate(_STEPS, 1))}
<div class="share"><span class="label">Share this:</span><ul><li><a href="https://facebook.example/s">Facebook</a></li>
<li><a href="https://x.example/s">X</a></li></ul></div>
</article><footer><p>Copyright 2026 The Boatyard</p></footer></body></html>"""


def test_the_labels_heading_a_how_to_page_s_steps_and_materials_stay_in_their_place():
    article = html_page.read_page(_PAGE.encode(), "page.html")
    text = clean_text(text_only(article.html))
    assert "<p>What You'll Need:</p>" in article.html and "What You'll Need: Stiff brush" in text, article.html
    for n, step in enumerate(_STEPS, 1):
        assert f"<p>Step {n}</p>" in article.html and f"Step {n} {step}" in text, article.html
    assert "Share this" not in text and "Facebook" not in text, text
