"""Covers: the publication's own image, or a generated typographic cover.

The cover is an artifact of its own (``<slug>.cover.png``/``.jpg``): the EPUB,
the MP3/M4B artwork and the feed all use the same file. A generated cover is a
3000×3000 PNG (square: Apple Podcasts' recommended size, ACX's and Google Play's 2400 px minimum
exceeded; its layout is drawn at 3000 px, not scaled up, so the text stays sharp) with the title,
authors and publisher in Atkinson Hyperlegible, white on a dark colour chosen
from the slug, so the same sources always give the same bytes. The layout is made
of measured text boxes (``cover_layout``): when long text would make two elements
meet, every size shrinks and the layout is made again. ``show_art`` makes the
podcast feed's square artwork, naming the publisher, the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from narrate import model as m
from narrate.errors import OutputError, SourceError
from narrate.imaging import Canvas, Font, Measure, image_info
from narrate.imaging import font as load_font
from narrate.writers.fonts import font_path

SIZE = 3000
_DESIGN = 1600  # the layout's measures below are given for a 1600 px square


def px(design: float) -> int:
    """A measure of the 1600 px design at ``SIZE``."""
    return round(design * SIZE / _DESIGN)


MARGIN = px(140)
STORE_MIN = 2400  # ACX, Findaway/Spotify and Google Play's least cover size
# Dark backgrounds with white text: every pair has a contrast ratio above 10:1.
PALETTE = ("#1d3557", "#2b2d42", "#3d2c4e", "#1b4332", "#5a189a", "#6a040f", "#023047", "#343a40")


@dataclass(frozen=True)
class Piece:
    """One laid-out element of a generated cover and the box its ink occupies."""

    kind: str  # "title" | "subtitle" | "rule" | "author" | "publisher"
    text: str
    xy: tuple[int, int]
    box: tuple[int, int, int, int]  # left, top, right, bottom (measured, not estimated)
    font: Font | None = None


GAP = px(40)  # least space between two elements
SCALES = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.42, 0.35, 0.3)


def generated_cover(meta: m.Meta) -> bytes:
    """PNG bytes of a typographic cover for ``meta``."""
    digest = hashlib.sha256(meta.slug.encode()).digest()
    return _render(cover_layout(meta.title, meta.subtitle, meta.authors, meta.publisher),
                   PALETTE[digest[0] % len(PALETTE)])


def show_art(title: str, publisher: str) -> bytes:
    """Square podcast show art naming the publisher (and the feed's title, when it differs)."""
    digest = hashlib.sha256((publisher or title).encode()).digest()
    heading = title if title and title != publisher else publisher
    pieces = cover_layout(heading, "Narrated editions", (), publisher if heading != publisher else "")
    return _render(pieces, PALETTE[digest[0] % len(PALETTE)])


def _render(pieces: list[Piece], background: str) -> bytes:
    canvas = Canvas(SIZE, background)
    colours = {"title": "#ffffff", "author": "#ffffff", "subtitle": "#e9ecef", "publisher": "#e9ecef"}
    for piece in pieces:
        if piece.kind == "rule":
            canvas.rectangle(piece.box, fill="#ffd166")
        elif piece.font is not None:
            canvas.text(piece.xy, piece.text, piece.font, colours[piece.kind])
    return canvas.png()


def cover_layout(title: str, subtitle: str, authors: tuple[str, ...], publisher: str) -> list[Piece]:
    """Title, subtitle and a rule from the top; publisher and authors from the bottom.

    Every line is measured (``textbbox``) where it is drawn; when the top and bottom
    groups would come closer than ``GAP`` or leave the margins, all sizes shrink and the
    layout is made again, so no element overlaps another however long the text.
    """
    draw = Measure()
    pieces: list[Piece] = []
    for scale in SCALES:
        pieces = _layout_at(draw, title, subtitle, authors, publisher, scale)
        if _fits(pieces):
            return pieces
    return pieces


def _fits(pieces: list[Piece]) -> bool:
    inside = all(MARGIN // 2 <= p.box[1] and p.box[3] <= SIZE - MARGIN // 2 and p.box[2] <= SIZE - MARGIN // 2
                 for p in pieces)
    return inside and not any(overlap(a.box, b.box, 0 if a.kind == b.kind else GAP // 2)
                              for i, a in enumerate(pieces) for b in pieces[i + 1 :])


def overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int], gap: int = 0) -> bool:
    """Whether two boxes come closer than ``gap`` (in both directions)."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _layout_at(draw, title, subtitle, authors, publisher, scale: float) -> list[Piece]:
    width = SIZE - 2 * MARGIN
    pieces: list[Piece] = []
    y = MARGIN + px(120 * scale)
    title_font = _fit(draw, title, width, start=px(150 * scale), bold=True)
    y = _lines_down(draw, pieces, "title", title, title_font, y, width)
    if subtitle:
        y = _lines_down(draw, pieces, "subtitle", subtitle, _font(max(px(24), px(64 * scale)), False),
                        y + px(40 * scale), width)
    rule_top = y + px(60 * scale)
    pieces.append(Piece("rule", "", (MARGIN, rule_top), (MARGIN, rule_top, MARGIN + px(240), rule_top + px(12))))
    bottom = SIZE - MARGIN
    if publisher:
        bottom = _lines_up(draw, pieces, "publisher", publisher, _font(max(px(24), px(56 * scale)), False),
                           bottom, width) - px(30 * scale)
    if authors:
        _lines_up(draw, pieces, "author", " and ".join(authors), _font(max(px(28), px(84 * scale)), True),
                  bottom, width)
    return pieces


def _lines_down(draw, pieces: list[Piece], kind: str, text: str, font, y: int, width: int) -> int:
    """Draw ``text`` wrapped from ``y`` down; return the bottom of its last line's ink."""
    line_height = round(font.size * 1.15)
    bottom = y
    for line in _wrap(draw, text, font, width):
        box = draw.textbbox((MARGIN, y), line, font=font)
        pieces.append(Piece(kind, line, (MARGIN, y), box, font))
        bottom = max(bottom, box[3])
        y += line_height
    return max(bottom, y - line_height + font.size)


def _lines_up(draw, pieces: list[Piece], kind: str, text: str, font, bottom: int, width: int) -> int:
    """Draw ``text`` wrapped so its last line's ink ends at ``bottom``; return its top."""
    lines = _wrap(draw, text, font, width)
    line_height = round(font.size * 1.2)
    descent = draw.textbbox((0, 0), lines[-1], font=font)[3] if lines else 0
    y = bottom - descent - line_height * (len(lines) - 1)
    top = bottom
    for line in lines:
        box = draw.textbbox((MARGIN, y), line, font=font)
        pieces.append(Piece(kind, line, (MARGIN, y), box, font))
        top = min(top, box[1])
        y += line_height
    return top


def cover_bytes(meta: m.Meta, root: Path) -> tuple[bytes, str]:
    """(bytes, extension) of the cover: the given image or a generated one."""
    if not meta.cover:
        return generated_cover(meta), "png"
    path = root / meta.cover
    try:
        fmt, _ = image_info(path, meta.cover)  # a small cover still serves the EPUB: see cover_warnings
    except SourceError as exc:
        raise OutputError(exc.message, meta.cover) from None
    if fmt not in ("png", "jpeg"):
        raise OutputError(f"expected a PNG or JPEG cover, found {fmt or 'an unknown format'}", meta.cover)
    return path.read_bytes(), "jpg" if fmt == "jpeg" else "png"


def cover_warnings(meta: m.Meta, root: Path) -> list[str]:
    if not meta.cover:
        return []
    _, (w, h) = image_info(root / meta.cover, meta.cover)
    if w != h or w < 1400:
        return [f"{meta.cover}: cover is {w}×{h} px; podcast apps want a square of at least 1400×1400 px"]
    if w < STORE_MIN:
        return [f"{meta.cover}: cover is {w}×{h} px; audiobook stores (ACX, Findaway/Spotify, Google Play) "
                f"want a square of at least {STORE_MIN}×{STORE_MIN} px"]
    return []


def _font(size: int, bold: bool) -> Font:
    return load_font(font_path("bold" if bold else "regular"), size)


def _fit(draw: Measure, text: str, width: int, *, start: int, bold: bool) -> Font:
    size = start
    while size > px(48):
        font = _font(size, bold)
        if len(_wrap(draw, text, font, width)) <= 5:
            return font
        size -= px(10)
    return _font(size, bold)


def _wrap(draw: Measure, text: str, font: Font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
