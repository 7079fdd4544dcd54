"""The fonts narrate ships with its editions (they travel with narrate, not the machine).

Atkinson Hyperlegible (SIL OFL 1.1), designed by the Braille Institute for
low-vision readers, comes from the ``fontpkg-atkinson-hyperlegible`` package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from narrate.errors import OutputError

FAMILY = "Atkinson Hyperlegible"
STYLES = {
    "regular": "AtkinsonHyperlegible-Regular.ttf",
    "bold": "AtkinsonHyperlegible-Bold.ttf",
    "italic": "AtkinsonHyperlegible-Italic.ttf",
    "bolditalic": "AtkinsonHyperlegible-BoldItalic.ttf",
}


def font_path(style: str = "regular") -> Path:
    try:
        base = resources.files("fontpkg_atkinson_hyperlegible") / "files"
    except ModuleNotFoundError as exc:
        raise OutputError("the font package fontpkg-atkinson-hyperlegible is not installed "
                          "(run the README's setup command)") from exc
    path = Path(str(base / STYLES[style]))
    if not path.is_file():
        raise OutputError(f"font file {STYLES[style]} is missing from fontpkg-atkinson-hyperlegible")
    return path


def font_files() -> dict[str, Path]:
    return {style: font_path(style) for style in STYLES}
