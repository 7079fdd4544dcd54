"""Pillow's one home: reading image headers, converting images, and a canvas to draw covers on.

Layer 0, so that sources (checking an image in content or a cover named in front matter),
``narrate import`` (converting a CMS's WebP or TIFF to PNG) and ``writers/cover`` (drawing)
share it without depending on each other.

An image larger than ``MAX_PIXELS`` is refused before it is decoded: Pillow would raise its
``DecompressionBombError`` (a 13,400 px square PNG is 180 megapixels), which must read as a
``SourceError`` naming the file, never as a bug in narrate.
"""

from __future__ import annotations

import io
import struct
import warnings
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from narrate.errors import SourceError
from narrate.image_ends import gif_problem, jpeg_problem

MAX_PIXELS = 2 * 89_478_485  # Pillow's own limit (twice MAX_IMAGE_PIXELS), said in narrate's words
Font = ImageFont.FreeTypeFont
Box = tuple[int, int, int, int]


class ImageTooLarge(Exception):
    """An image whose pixel count is over ``MAX_PIXELS`` (``.size``: width, height)."""

    def __init__(self, size: tuple[int, int]):
        super().__init__(f"{size[0]}×{size[1]} px")
        self.size = size


def _open(source: Path | io.BytesIO) -> Image.Image:
    """Pillow's image (lazily decoded), refusing a decompression bomb with ``ImageTooLarge``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(source)
        except Image.DecompressionBombError:
            image = None
        if image is None or image.size[0] * image.size[1] > MAX_PIXELS:
            size = _header_size(source)
            if image is not None:
                image.close()
            raise ImageTooLarge(size)
    return image


def _header_size(source: Path | io.BytesIO) -> tuple[int, int]:
    """(width, height) from a PNG's header (what a refused image can still tell), else (0, 0)."""
    if isinstance(source, Path):
        with open(source, "rb") as handle:
            head = handle.read(24)
    else:
        head = source.getvalue()[:24]
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24:
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    return (0, 0)


def too_large_message(name: str, size: tuple[int, int]) -> str:
    shown = f"{size[0]}×{size[1]} px ({size[0] * size[1] / 1e6:.0f} megapixels)" if size[0] else "too many pixels"
    return (f"expected an image of at most {MAX_PIXELS / 1e6:.0f} megapixels, found {name} at {shown}; "
            "scale it down (a 3000 px cover is plenty)")


def image_info(path: Path, rel: str = "", line: int | None = None) -> tuple[str, tuple[int, int]]:
    """(format, (width, height)) of the image at ``path``: "png", "jpeg", "gif", "webp"...

    Raises ``SourceError`` at ``rel`` (the file naming it, else the image) and ``line`` when the
    image cannot be read, is cut short or damaged, or is too large to decode."""
    where = rel or str(path)
    try:
        with _open(path) as image:
            info = (image.format or "").lower(), image.size
            image.verify()  # a truncated or damaged PNG (chunk checksums, its end), without decoding pixels
    except ImageTooLarge as exc:
        raise SourceError(too_large_message(path.name, exc.size), where, line) from None
    except (OSError, ValueError, SyntaxError, EOFError, struct.error) as exc:  # Pillow's ways to say "damaged"
        raise SourceError(f"expected an image, found a file Pillow cannot read ({exc})", where, line) from exc
    # verify() reads only a JPEG's or GIF's header: walk the rest to its end marker (no pixels decoded).
    check = {"jpeg": jpeg_problem, "gif": gif_problem}.get(info[0])
    problem = check(path.read_bytes()) if check else None
    if problem:
        raise SourceError(f"expected a whole {info[0].upper()} image, found {path.name}, but {problem}",
                          where, line)
    return info


def as_png(data: bytes) -> bytes | None:
    """PNG bytes of any image Pillow reads (WebP, TIFF...), or None if it is no image or too large."""
    try:
        with _open(io.BytesIO(data)) as image:
            image.load()
            out = io.BytesIO()
            image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").save(out, "PNG")
    except (OSError, ValueError, ImageTooLarge, Image.DecompressionBombError):
        return None
    return out.getvalue()


def font(path: Path, size: int) -> Font:
    return ImageFont.truetype(str(path), size)


class Canvas:
    """An RGB square to draw text and rectangles on, saved as PNG (deterministic bytes)."""

    def __init__(self, size: int, background: str):
        self.image = Image.new("RGB", (size, size), background)
        self.draw = ImageDraw.Draw(self.image)

    def text(self, xy: tuple[int, int], text: str, font: Font, fill: str) -> None:
        self.draw.text(xy, text, font=font, fill=fill)

    def rectangle(self, box: Box, fill: str) -> None:
        self.draw.rectangle(box, fill=fill)

    def png(self) -> bytes:
        out = io.BytesIO()
        self.image.save(out, "PNG", optimize=True)
        return out.getvalue()


class Measure:
    """Text measured as it would be drawn (``textbbox``, ``textlength``), without a canvas."""

    def __init__(self) -> None:
        self.draw = ImageDraw.Draw(Image.new("RGB", (8, 8)))

    def textbbox(self, xy: tuple[int, int], text: str, *, font: Font) -> Box:
        left, top, right, bottom = self.draw.textbbox(xy, text, font=font)
        return int(left), int(top), int(right), int(bottom)

    def textlength(self, text: str, *, font: Font) -> float:
        return float(self.draw.textlength(text, font=font))
