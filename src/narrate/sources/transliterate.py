"""Any text as ASCII (Unidecode's one home): "你好世界" → "Ni Hao Shi Jie ", "Καλημέρα" → "Kalemera".

Slugs are made from it: a file name in ``sources/project`` and whatever ``narrate import`` reads.
"""

from __future__ import annotations

import unicodedata

from unidecode import unidecode


def ascii_text(text: str) -> str:
    """``text`` transliterated to ASCII (NFC first; a lone surrogate is dropped, not warned about)."""
    clean = unicodedata.normalize("NFC", text).encode("utf-8", "replace").decode("utf-8")
    return unidecode(clean)
