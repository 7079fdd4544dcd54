"""Generated covers and show art: laid out by measured text boxes, nothing overlapping."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from narrate.writers.cover import SIZE, cover_layout, generated_cover, overlap, show_art

LONG_SUBTITLE = ("How a small-town library spent a spring reading aloud to neighbours who could no longer read "
                 "the page, and what the neighbours read back to the library in return, week after week")
CASES = {
    "short": ("Tides", "", ("Ann Lee",), "Fernhollow Press"),
    "long subtitle": ("Listening Hours", LONG_SUBTITLE, ("Nell Ashdown",), "Fernhollow Press"),
    "long title": ("The Extraordinarily Long and Winding History of the Harbour Tide Clock and Its Keepers "
                   "Through Three Centuries of Weather", "A novel", ("Rhona Vey",), "Fernhollow Press"),
    "everything long": ("The Extraordinarily Long and Winding History of the Harbour Tide Clock and Its Keepers",
                        LONG_SUBTITLE * 2,
                        ("Alexandra Montgomery-Fitzwilliam", "Bartholomew Okonkwo-Henderson",
                         "Catriona Nic a' Bhàird"), "The Fernhollow and District Community Press Cooperative"),
    "no authors": ("Untitled", LONG_SUBTITLE, (), ""),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_no_two_elements_overlap(case):
    title, subtitle, authors, publisher = CASES[case]
    pieces = cover_layout(title, subtitle, authors, publisher)
    kinds = {p.kind for p in pieces}
    assert {"title", "rule"} <= kinds and ("author" in kinds) == bool(authors)
    for i, a in enumerate(pieces):
        assert 0 <= a.box[0] and 0 <= a.box[1] and a.box[2] <= SIZE and a.box[3] <= SIZE, a
        for b in pieces[i + 1 :]:
            assert not overlap(a.box, b.box), (a.kind, a.text, b.kind, b.text)
    # every word is on the cover: nothing was dropped to make it fit
    for kind, text in (("title", title), ("subtitle", subtitle), ("author", " and ".join(authors)),
                       ("publisher", publisher)):
        assert " ".join(p.text for p in pieces if p.kind == kind) == " ".join(text.split())


def test_the_rule_stays_above_the_byline_on_a_long_subtitle():
    pieces = cover_layout(*CASES["everything long"])
    rule = next(p for p in pieces if p.kind == "rule")
    author_top = min(p.box[1] for p in pieces if p.kind == "author")
    subtitle_bottom = max(p.box[3] for p in pieces if p.kind == "subtitle")
    assert subtitle_bottom < rule.box[1] and rule.box[3] < author_top


def test_drawn_ink_stays_in_the_measured_boxes():
    """Pixels that differ from the background all fall inside some measured box."""
    from narrate import model as m

    meta = m.Meta(title=CASES["long subtitle"][0], slug="x", language="en", identifier="urn:x", kind="book",
                  subtitle=LONG_SUBTITLE, authors=("Nell Ashdown",), publisher="Fernhollow Press")
    image = Image.open(io.BytesIO(generated_cover(meta))).convert("RGB")
    assert image.size == (SIZE, SIZE)
    pieces = cover_layout(meta.title, meta.subtitle, meta.authors, meta.publisher)
    background = image.getpixel((1, 1))
    small = image.resize((SIZE // 8, SIZE // 8), Image.Resampling.NEAREST)
    for y in range(small.height):
        for x in range(small.width):
            if small.getpixel((x, y)) != background:
                px, py = x * 8, y * 8
                assert any(p.box[0] - 8 <= px <= p.box[2] + 8 and p.box[1] - 8 <= py <= p.box[3] + 8
                           for p in pieces), (px, py)


def test_show_art_names_the_publisher():
    pieces = cover_layout("Fernhollow Press", "Narrated editions", (), "")
    assert [p.text for p in pieces if p.kind == "title"] == ["Fernhollow Press"]
    art = Image.open(io.BytesIO(show_art("Fernhollow Press", "Fernhollow Press")))
    assert art.size == (SIZE, SIZE) and SIZE >= 1400
    assert show_art("Fernhollow Press", "Fernhollow Press") == show_art("Fernhollow Press", "Fernhollow Press")


def test_generated_covers_are_drawn_at_the_stores_size():
    """ACX, Findaway/Spotify and Google Play want at least 2400 px; Apple recommends 3000 px.
    The text is drawn at that size (its strokes are as tall as the design's, scaled), not scaled up."""
    from narrate import model as m

    meta = m.Meta(title="The Tide Clock", slug="tide", language="en", identifier="x", kind="book",
                  authors=("Eilidh Ross",), publisher="Fernhollow Press")
    data = generated_cover(meta)
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("PNG", (3000, 3000))
    assert len(data) < 1_000_000 and data == generated_cover(meta)
    title = [p for p in cover_layout(meta.title, "", meta.authors, meta.publisher) if p.kind == "title"]
    assert title[0].box[3] - title[0].box[1] > 150  # a title line's ink is at least 150 px tall
    # no blur: a scaled-up drawing has intermediate shades across wide edges; drawn at size, a
    # horizontal pass through the title meets few of them
    row = [image.getpixel((x, (title[0].box[1] + title[0].box[3]) // 2)) for x in range(3000)]
    background, white = image.getpixel((1, 1)), (255, 255, 255)
    between = sum(1 for c in row if c not in (background, white))
    changes = sum(1 for a, b in zip(row, row[1:], strict=False) if a != b)
    assert between <= 2 * changes


def test_a_given_cover_below_the_stores_size_is_warned_about(tmp_path):
    from narrate import model as m
    from narrate.writers.cover import cover_warnings

    Image.new("RGB", (2000, 2000), "#123456").save(tmp_path / "c.png")
    meta = m.Meta(title="T", slug="t", language="en", identifier="x", kind="book", cover="c.png")
    (warning,) = cover_warnings(meta, tmp_path)
    assert "2400" in warning
