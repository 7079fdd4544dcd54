"""Edition writers. Audio writers take an ``AudioMeta`` rather than model objects."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from narrate.errors import AudioError

# ISO 639-1 → ISO 639-2/B for ID3 COMM/TLAN and MP4 language fields; others → "und".
_ISO639_2 = {
    "en": "eng",
    "fr": "fre",
    "de": "ger",
    "es": "spa",
    "it": "ita",
    "pt": "por",
    "nl": "dut",
    "sv": "swe",
    "da": "dan",
    "nb": "nob",
    "no": "nor",
    "fi": "fin",
    "pl": "pol",
    "cs": "cze",
    "ru": "rus",
    "uk": "ukr",
    "ja": "jpn",
    "zh": "chi",
    "ko": "kor",
    "ar": "ara",
    "he": "heb",
}


@dataclass(frozen=True)
class AudioMeta:
    """Tags for audio editions (MP3, M4B)."""

    title: str
    authors: tuple[str, ...] = ()
    album: str = ""  # defaults to the title
    date: str = ""  # ISO 8601: "2024" or "2024-05-01"
    genre: str = "Audiobook"  # "Audiobook" | "Podcast"
    comment: str = ""
    language: str = "en"  # BCP 47
    publisher: str = ""
    copyright: str = ""  # e.g. "© 2024 Eilidh Ross"
    narrator: str = ""  # as a listener would name the voice
    description: str = ""  # longer than ``comment``; M4B ``desc``
    contents_title: str = "Contents"  # the MP3 chapter list's title (CTOC), in the publication's language

    @property
    def artist(self) -> str:
        return "; ".join(self.authors)

    @property
    def album_or_title(self) -> str:
        return self.album or self.title

    @property
    def language3(self) -> str:
        return _ISO639_2.get(self.language.split("-")[0].lower(), "und")


def cover_mime(cover: Path) -> str:
    """``image/jpeg`` or ``image/png`` from the file's magic bytes; else an ``AudioError``."""
    try:
        with cover.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise AudioError(f"cannot read the cover image ({exc.strerror})", cover) from exc
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    raise AudioError("expected a JPEG or PNG cover image, found another format", cover)
