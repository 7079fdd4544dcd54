"""Covers: the publication's own image, or a generated typographic cover.

The cover is an artifact of its own (``<slug>.cover.png``/``.jpg``): the EPUB,
the MP3/M4B artwork and the feed all use the same file. A generated cover is a
1600×1600 PNG (square, above the 1400 px podcast minimum) with the title,
authors and publisher in Atkinson Hyperlegible, white on a dark colour chosen
from the slug, so the same sources always give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from . import model as m
from .errors import OutputError
from .fonts import font_path

SIZE = 1600
MARGIN = 140
# Dark backgrounds with white text: every pair has a contrast ratio above 10:1.
PALETTE = ("#1d3557", "#2b2d42", "#3d2c4e", "#1b4332", "#5a189a", "#6a040f", "#023047", "#343a40")


def generated_cover(meta: m.Meta) -> bytes:
    """PNG bytes of a typographic cover for ``meta``."""
    digest = hashlib.sha256(meta.slug.encode()).digest()
    image = Image.new("RGB", (SIZE, SIZE), PALETTE[digest[0] % len(PALETTE)])
    draw = ImageDraw.Draw(image)
    width = SIZE - 2 * MARGIN
    y = MARGIN + 120
    title_font = _fit(draw, meta.title, width, start=150, bold=True)
    y = _block(draw, meta.title, title_font, y, width, fill="#ffffff")
    if meta.subtitle:
        y = _block(draw, meta.subtitle, _font(64, False), y + 40, width, fill="#e9ecef")
    draw.rectangle((MARGIN, y + 60, MARGIN + 240, y + 72), fill="#ffd166")
    bottom = SIZE - MARGIN
    if meta.publisher:
        bottom = _block_up(draw, meta.publisher, _font(56, False), bottom, width, fill="#e9ecef")
    if meta.authors:
        _block_up(draw, " and ".join(meta.authors), _font(84, True), bottom - 30, width, fill="#ffffff")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


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
    return lines[:8]


def _block(draw, text, font, y, width, *, fill) -> int:
    line_height = int(font.size * 1.15)
    for line in _wrap(draw, text, font, width):
        draw.text((MARGIN, y), line, font=font, fill=fill)
        y += line_height
    return y


def _block_up(draw, text, font, bottom, width, *, fill) -> int:
    lines = _wrap(draw, text, font, width)
    line_height = int(font.size * 1.2)
    top = bottom - line_height * len(lines)
    _block(draw, text, font, top, width, fill=fill)
    return top


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
