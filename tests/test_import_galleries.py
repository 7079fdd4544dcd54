"""A photo essay's gallery is the article; a slide-show widget is the site's. Pages written for these tests
(tests/fixtures/import/galleries/); nothing is copied from a real site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from narrate.importing import boilerplate, html_page
from narrate.importing.markdown_out import text_only
from narrate.importing.model import clean_text

PAGES = Path(__file__).parent / "fixtures" / "import" / "galleries"
TEXT = "<p>The tide turned and the boats swung round on their moorings at the quay, one after another.</p>"


def pictures(html: str) -> list[tuple[str, str, str]]:
    """(file, alt, title) of every picture left."""
    return [(img.get("src").rsplit("/", 1)[-1], img.get("alt") or "", img.get("title") or "")
            for img in lxml_html.fragment_fromstring(html, create_parent="div").iter("img")]


def figures(n: int, *, alt: str = "A boat {n} on the slip", title: str = "Boat {n} is hauled out for the winter.",
            src: str = "boat-{n}.jpg", link: str = "") -> str:
    out = []
    for k in range(1, n + 1):
        img = f'<img src="{src.format(n=k)}" alt="{alt.format(n=k)}" title="{title.format(n=k)}">'
        out.append(f'<p><a href="{link.format(n=k)}">{img}</a></p>' if link else f"<p>{img}</p>")
    return "".join(out)


def test_a_photo_essay_in_the_body_keeps_its_pictures_alt_text_and_captions():
    page = PAGES / "photo-essay.html"
    article = html_page.read_page(page.read_bytes(), str(page), page=page)
    kept = pictures(article.html)
    assert [k[0] for k in kept] == [f"harbour-{n}.jpg" for n in range(1, 8)]
    source = page.read_text(encoding="utf-8")
    for name, alt, title in kept:  # each picture keeps its own alt text and its own caption
        assert f'{name}" alt="{alt}"' in source.replace("&#39;", "'") and f">{title}</figcaption>" in source
    assert "By noon the quay is swept" in article.html  # the paragraph after the gallery is the article's
    assert not any("gallery" in w for w in article.warnings)


def test_a_classic_wordpress_gallery_at_the_end_of_the_text_is_kept():
    page = PAGES / "classic-gallery.html"  # [gallery] as WordPress renders it: thumbnails in "gallery-icon" boxes
    kept = pictures(html_page.read_page(page.read_bytes(), str(page), page=page).html)
    assert [k[0] for k in kept] == [f"market-{n}-150x150.jpg" for n in range(1, 7)]
    assert kept[1][1:] == ("An auctioneer with his book",
                           "Pascoe Nance has called the Porthlenna auction for thirty-one years.")


def test_a_slide_show_its_thumbnails_and_teasers_still_go_from_a_news_page():
    page = PAGES / "news-slideshow.html"
    article = html_page.read_page(page.read_bytes(), str(page), page=page)
    assert pictures(article.html) == []
    text = clean_text(text_only(article.html))
    assert text.startswith("Harbour wall work") and text.endswith("first Thursday of next month.")
    assert any("a gallery of" in w for w in article.warnings)


@pytest.mark.parametrize("run, why", [
    (figures(6, title="Slide {n} of 6"), "slide counters"),
    (figures(6, title="Photo {n}/6: the slip"), "counters opening a caption"),
    (figures(6) + figures(6, src="boat-{n}-120x80.jpg", title=""), "a thumbnail strip repeating the slides"),
    (figures(6, link="https://news.example.net/story-{n}"), "teasers linking to other articles"),
    (figures(6, alt="", title=""), "pictures saying nothing"),
    (figures(6, alt="Photo", title="Picture agency"), "the same words on every picture"),
])
def test_a_run_of_pictures_with_a_widget_s_signs_goes(run, why):
    html, removed = boilerplate.clean(f"<div>{TEXT}{run}{TEXT}</div>")
    assert "<img" not in html and any(r.startswith("a gallery of") for r in removed), why
    assert html.count("The tide turned") == 2


def test_captioned_pictures_stay_within_the_text_and_uncaptioned_ones_at_its_edge_go():
    kept, removed = boilerplate.clean(f"<div>{TEXT}{figures(6)}{TEXT}</div>")
    assert len(pictures(kept)) == 6 and removed == []
    lightbox, removed = boilerplate.clean(f"<div>{TEXT}{figures(6, link='boat-{n}-large.jpg')}</div>")
    assert len(pictures(lightbox)) == 6 and removed == []  # a link to the picture's own larger file
    some_silent = figures(3) + figures(3, src="gull-{n}.jpg", alt="", title="")
    inside, _ = boilerplate.clean(f"<div>{TEXT}{some_silent}{TEXT}</div>")
    assert len(pictures(inside)) == 6  # most say something, and the text goes on after them
    edge, removed = boilerplate.clean(f"<div>{TEXT}{some_silent}</div>")
    assert pictures(edge) == [] and removed == ["a gallery of 6 pictures"]


def test_a_paragraph_after_a_gallery_is_not_taken_for_its_caption():
    paragraph = "<p>By noon the quay is swept and the pots are stacked for the evening tide again.</p>"
    html, removed = boilerplate.clean(f"<div>{TEXT}{figures(6, title='Slide {n} of 6')}{paragraph}</div>")
    assert "<img" not in html and "By noon the quay is swept" in html
    assert not re.search(r"By noon", " ".join(removed))


def attachment(ident: int, name: str, alt: str, caption: str) -> str:
    return (f"<item><title>{name}</title><wp:post_id>{ident}</wp:post_id><wp:post_type>attachment</wp:post_type>"
            f"<excerpt:encoded><![CDATA[{caption}]]></excerpt:encoded>"
            f"<wp:attachment_url>https://tides.example.org/wp-content/uploads/{name}.png</wp:attachment_url>"
            f"<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value><![CDATA[{alt}]]>"
            "</wp:meta_value></wp:postmeta></item>\n")


def test_a_wordpress_gallery_shortcode_becomes_its_pictures_with_alt_text_and_captions(project, tmp_path):
    from narrate.importing import ImportOptions, run_import
    from narrate.sources import frontmatter

    shots = [(31 + n, f"pier-{n}", f"The pier from the {side}", f"The pier at dawn, seen from the {side}.")
             for n, side in enumerate(("beach", "slipway", "lighthouse", "ferry", "harbour wall", "cliff path"))]
    post = ("<item><title>The Pier at Dawn</title><link>https://tides.example.org/pier-at-dawn/</link>"
            "<content:encoded><![CDATA[<p>Six pictures of the pier taken on one morning in May, walking round "
            "the bay from the beach to the cliff path.</p>\n\n"
            f'[gallery ids="{",".join(str(s[0]) for s in shots)},99" columns="3"]\n\n'
            "<p>The pier was built in 1897 and has been closed to the public since the storm of 2014.</p>]]>"
            "</content:encoded><wp:post_id>30</wp:post_id><wp:post_name>pier-at-dawn</wp:post_name>"
            "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>\n")
    export = tmp_path / "export.xml"
    export.write_text('<?xml version="1.0"?>\n<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                      'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
                      'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Tides</title>'
                      "<link>https://tides.example.org</link>\n" + "".join(attachment(*s) for s in shots)
                      + post + "</channel></rss>\n", encoding="utf-8")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    for _, name, _, _ in shots:
        (uploads / f"{name}.png").write_bytes((PAGES.parent / "wp-uploads/2024/05/harbour.png").read_bytes())
    report = run_import(project, [str(export)], ImportOptions(media=uploads))
    body = frontmatter.parse((project / "content/pier-at-dawn.md").read_text(encoding="utf-8"), "x").body
    for _, name, alt, caption in shots:
        assert f'![{alt}](images/pier-at-dawn/{name}.png "{caption}")' in body
    assert body.index("walking round the bay") < body.index("pier-0.png") < body.index("built in 1897")
    assert [w for w in report.warnings if "[gallery]" in w] == [
        f"{export}:9: post 30 'The Pier at Dawn': [gallery]: attachment(s) 99 not in the export, left out"]
