"""Covers: the publication's own image, or a generated typographic cover.

The cover is an artifact of its own (``<slug>.cover.png``/``.jpg``): the EPUB,
the MP3/M4B artwork and the feed all use the same file. A generated cover is a
1600×1600 PNG (square, above the 1400 px podcast minimum) with the title,
authors and publisher in Atkinson Hyperlegible, white on a dark colour chosen
from the slug, so the same sources always give the same bytes. The layout is made
of measured text boxes (``cover_layout``): when long text would make two elements
meet, every size shrinks and the layout is made again. ``show_art`` makes the
podcast feed's square artwork, naming the publisher, the same way.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from narrate import model as m
from narrate.errors import OutputError
from narrate.writers.fonts import font_path

SIZE = 1600
MARGIN = 140
# Dark backgrounds with white text: every pair has a contrast ratio above 10:1.
PALETTE = ("#1d3557", "#2b2d42", "#3d2c4e", "#1b4332", "#5a189a", "#6a040f", "#023047", "#343a40")


@dataclass(frozen=True)
class Piece:
    """One laid-out element of a generated cover and the box its ink occupies."""

    kind: str  # "title" | "subtitle" | "rule" | "author" | "publisher"
    text: str
    xy: tuple[int, int]
    box: tuple[int, int, int, int]  # left, top, right, bottom (measured, not estimated)
    font: ImageFont.FreeTypeFont | None = None


GAP = 40  # least space between two elements
SCALES = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.42, 0.35, 0.3)


def generated_cover(meta: m.Meta) -> bytes:
    """PNG bytes of a typographic cover for ``meta``."""
    digest = hashlib.sha256(meta.slug.encode()).digest()
    return _render(cover_layout(meta.title, meta.subtitle, meta.authors, meta.publisher),
                   PALETTE[digest[0] % len(PALETTE)])


def show_art(title: str, publisher: str) -> bytes:
    """Square podcast show art naming the publisher (and the feed's title, when it differs)."""
    digest = hashlib.sha256(publisher.encode()).digest()
    heading = title if title and title != publisher else publisher
    pieces = cover_layout(heading, "Narrated editions", (), publisher if heading != publisher else "")
    return _render(pieces, PALETTE[digest[0] % len(PALETTE)])


def _render(pieces: list[Piece], background: str) -> bytes:
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    colours = {"title": "#ffffff", "author": "#ffffff", "subtitle": "#e9ecef", "publisher": "#e9ecef"}
    for piece in pieces:
        if piece.kind == "rule":
            draw.rectangle(piece.box, fill="#ffd166")
        else:
            draw.text(piece.xy, piece.text, font=piece.font, fill=colours[piece.kind])
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def cover_layout(title: str, subtitle: str, authors: tuple[str, ...], publisher: str) -> list[Piece]:
    """Title, subtitle and a rule from the top; publisher and authors from the bottom.

    Every line is measured (``textbbox``) where it is drawn; when the top and bottom
    groups would come closer than ``GAP`` or leave the margins, all sizes shrink and the
    layout is made again, so no element overlaps another however long the text.
    """
    draw = ImageDraw.Draw(Image.new("RGB", (8, 8)))
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
    y = MARGIN + round(120 * scale)
    title_font = _fit(draw, title, width, start=round(150 * scale), bold=True)
    y = _lines_down(draw, pieces, "title", title, title_font, y, width)
    if subtitle:
        y = _lines_down(draw, pieces, "subtitle", subtitle, _font(max(24, round(64 * scale)), False),
                        y + round(40 * scale), width)
    rule_top = y + round(60 * scale)
    pieces.append(Piece("rule", "", (MARGIN, rule_top), (MARGIN, rule_top, MARGIN + 240, rule_top + 12)))
    bottom = SIZE - MARGIN
    if publisher:
        bottom = _lines_up(draw, pieces, "publisher", publisher, _font(max(24, round(56 * scale)), False),
                           bottom, width) - round(30 * scale)
    if authors:
        _lines_up(draw, pieces, "author", " and ".join(authors), _font(max(28, round(84 * scale)), True),
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
        with Image.open(path) as img:
            fmt = (img.format or "").lower()
            size = img.size
    except OSError as exc:
        raise OutputError(f"cannot read the cover image: {exc}", meta.cover) from exc
    if fmt not in ("png", "jpeg"):
        raise OutputError(f"expected a PNG or JPEG cover, found {fmt or 'an unknown format'}", meta.cover)
    del size  # checked by cover_warnings: a small cover still serves the EPUB
    return path.read_bytes(), "jpg" if fmt == "jpeg" else "png"


def cover_warnings(meta: m.Meta, root: Path) -> list[str]:
    if not meta.cover:
        return []
    with Image.open(root / meta.cover) as img:
        w, h = img.size
    if w != h or w < 1400:
        return [f"{meta.cover}: cover is {w}×{h} px; podcast apps want a square of at least 1400×1400 px"]
    return []


def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path("bold" if bold else "regular")), size)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, *, start: int, bold: bool) -> ImageFont.FreeTypeFont:
    size = start
    while size > 48:
        font = _font(size, bold)
        if len(_wrap(draw, text, font, width)) <= 5:
            return font
        size -= 10
    return _font(size, bold)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def as_png(data: bytes) -> bytes | None:
    """PNG bytes of any image Pillow reads (WebP, TIFF...), or None if it is no image (``narrate import``)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            out = io.BytesIO()
            image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").save(out, "PNG")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return out.getvalue()
