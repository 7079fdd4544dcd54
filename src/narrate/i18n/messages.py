"""The words narrate itself adds, in the publication's language: a gettext message catalog.

Spoken furniture (byline, publisher line, the synthetic-voice disclosure, image and
footnote cues) and edition furniture (EPUB navigation and landmark titles, title-page and
colophon labels, the PDF's contents heading, the download page and bundle README) come
from ``src/narrate/locale/<lang>/LC_MESSAGES/narrate.po``, shipped for en, de, fr and es.
The compiled ``.mo`` files are shipped beside them (``scripts/compile_messages.sh``
rebuilds them; a test fails if a ``.mo`` no longer matches its ``.po``), read with Babel's
``Translations``. A language without a catalog falls back to its primary language, then
to English.

A project overrides any message per language in narrate.toml, by key::

    [messages.de]
    disclosure = "Diese Ausgabe liest eine synthetische Stimme."

``{name}`` placeholders are filled with ``str.format``-style names (``{authors}`` …).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from narrate.i18n.cldr import NullTranslations, Translations

DOMAIN = "narrate"
LOCALE_DIR = Path(str(resources.files("narrate"))) / "locale"  # package data
SHIPPED = ("en", "de", "fr", "es")

# key → the English message (the gettext msgid). Keys are what narrate.toml overrides.
MESSAGES: dict[str, str] = {
    # spoken
    "byline": "by {authors}",
    "published_by": "Published by {publisher}",
    "disclosure": "This narration uses a synthetic voice.",
    "image": "Image: {alt}",
    "footnote": "Footnote {number}.",
    "code_omitted": "Code sample omitted.",
    "credits_narrator": "Narrated by {narrator}",
    "credits_end": "The end of {title}.",
    "credits_written_narrated": "Written by {authors}, and narrated by {narrator}.",
    "credits_written": "Written by {authors}.",
    "credits_narrated": "Narrated by {narrator}.",
    "opening_credits": "Opening credits",
    "closing_credits": "Closing credits",
    # editions
    "contents": "Contents",
    "toc_landmark": "Table of contents",
    "landmarks": "Landmarks",
    "cover": "Cover",
    "title_page": "Title page",
    "start_of_content": "Start of content",
    "colophon": "Colophon",
    "colophon_publisher": "Published by {publisher}.",
    "prepared_for": "Prepared for {name}.",
    "narrated_by": "Narrated by {voice}.",
    # the narrator as every credit names it (editions.narration.narrator): never a profile's id
    "synthetic_voice": "a synthetic voice",
    "named_voice": "{name}, a synthetic voice",
    "narration_of": "Narration of {title}",
    "no_summary": "No accessibility summary was given for this publication.",
    "all_rights": "All rights reserved by the publisher.",
    "prepared_for_note": "Prepared for {name}",  # a personal copy's audio comment and EPUB audience
    "feed_description": "Narrated editions from {publisher}.",  # the feed's, when [feed] gives none
    # the download page and the bundle README (publish/page.py, publish/bundle.py)
    "page_title_for": "{title}: downloads for {name}",
    "feed_link_title": "{title} (podcast feed)",
    "skip_to_downloads": "Skip to the downloads",
    "page_personal": "Personal copies prepared for {name}. Please do not share this page's address.",
    "publications": "Publications on this page",
    "page_heading": "Accessible editions",
    "page_intro": (
        "Every publication comes as an e-book, a PDF, a large-print PDF and a narration you can listen to "
        "here or download. Subscribe to the audio in a podcast app with the {feed}."),
    "podcast_feed": "podcast feed",
    "listen": "Listen",
    "narration": "Narration",
    "narration_lasts": "Narration: {duration}.",
    "download_narration": "Download the narration",
    "chapters": "Chapters",
    "read_transcript": "Read the transcript",
    "transcript_note": "(a web page; the player also shows captions)",
    "captions_in": "Captions ({language})",
    "download": "Download",
    "personal_copy": "personal copy",
    "accessibility": "Accessibility",
    "rights": "Rights",
    "page_footer": "Made with narrate. Checksums of every file: {sums}.",
    "help_title": "Help with opening the files",
    "help_apple_term": "iPhone and iPad",
    "help_apple": (
        "Open the EPUB or PDF from the Files app and choose “Open in Books”. The M4B audiobook opens in Books"
        " too; the MP3 plays in any audio or podcast app."),
    "help_android": (
        "Open the EPUB in Google Play Books or an EPUB reader such as ReadEra; play the MP3 or M4B in any "
        "audio app."),
    "help_kindle": "Send the EPUB to your Kindle with Amazon’s “Send to Kindle” (email, app or web page).",
    "help_kobo": "Copy the EPUB to the Kobo over USB, or add it to your Kobo account.",
    "help_computer_term": "Windows and macOS",
    "help_computer": (
        "Open the EPUB in Thorium Reader (free), which also plays the read-along edition with the text "
        "highlighted as it is read. Any PDF reader opens the PDFs."),
    "help_screen_readers_term": "Screen readers",
    "help_screen_readers": (
        "The EPUB and the tagged PDF have headings, a table of contents and text alternatives, and work with "
        "VoiceOver, TalkBack, NVDA, JAWS and Narrator. The narration has captions and a transcript to read."),
    "readme_contents": "What is in this folder",
    "readme_term": "{term}: {text}",  # a line of the README's help: "Kindle: Send the EPUB …"
    "readme_sums": "checksums of the files above; check them with `sha256sum -c SHA256SUMS`",
    "readme_transcript": "Transcript: open the .transcript.html file in any web browser to read the narration as text.",
    "readme_captions": "Captions: load the .vtt file as captions in a media player such as VLC.",
    "readme_duration": "The narration lasts {duration} and uses the chapter markers listed in the chapters file.",
    # each format's name and description on the page and in the README
    "label_epub": "EPUB e-book",
    "label_epub_readaloud": "Read-along EPUB",
    "label_pdf_large": "Large-print PDF",
    "label_mp3": "MP3 audio",
    "label_m4b": "M4B audiobook",
    "label_transcript": "Captions (WebVTT)",
    "label_transcript_html": "Transcript (HTML)",
    "label_chapters": "Chapters (JSON)",
    "label_bundle": "Everything (zip)",
    "about_epub": "EPUB 3 e-book: reflowable text, for e-readers, phones, tablets and screen readers",
    "about_epub_readaloud": "read-along EPUB 3: the text highlighted sentence by sentence as the narration plays",
    "about_pdf": "tagged PDF for printing and for reading on a computer",
    "about_pdf_large": "large-print tagged PDF",
    "about_mp3": "narrated audio (MP3) with chapter markers",
    "about_m4b": "narrated audiobook (M4B) with chapter markers and cover",
    "about_transcript": "captions for the narration (WebVTT), for media players",
    "about_transcript_html": "transcript of the narration: a web page to read, with headings and paragraphs",
    "about_chapters": "chapter list with times (JSON, Podcasting 2.0 chapters format)",
    "about_bundle": "all of the above with a README, in one zip file",
    # text-edition furniture (writers/epub.py, writers/transcript_html.py, markup/accessibility.py)
    "page_label": "Page {number}",
    "page_list": "Pages",
    "cover_alt": "Cover: {title}",
    "cover_alt_by": "Cover: {title} by {authors}",
    "transcript_title": "Transcript: {title}",
    "a11y_text": (
        "This publication is a reflowable EPUB 3 whose text adapts to the reader's font, size and colour "
        "settings. It has a table of contents, structured headings and a logical reading order."),
    "a11y_image": "Its image has a text description.",
    "a11y_images": "The {count} images have text descriptions.",
    "a11y_images_undescribed": "Some images lack text descriptions.",
    "a11y_narration": (
        "It has synchronized narration: a synthetic (computer-generated) voice, not a human narrator, reads "
        "the text aloud, and each sentence is highlighted as it is read."),
    "a11y_no_hazards": "It contains no flashing, motion or sound hazards.",
    # the feed (publish/feed.py, publish/delivery.py)
    "feed_title": "Narrated editions",
    "feed_title_for": "{title} (for {name})",
}

_FIELD = re.compile(r"\{(\w+)\}")


def placeholders(text: str) -> set[str]:
    return set(_FIELD.findall(text))


def _candidates(language: str) -> list[str]:
    parts = [p for p in re.split(r"[-_]", (language or "").strip()) if p]
    if not parts:
        return []
    primary = parts[0].lower()
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), "")
    return [f"{primary}_{region}", primary] if region else [primary]


@lru_cache(maxsize=32)
def translations(language: str) -> NullTranslations:
    """The compiled catalog for a BCP 47 tag (region, then language); English (no-op) if none."""
    return Translations.load(str(LOCALE_DIR), _candidates(language) or ["en"], DOMAIN)


@dataclass(frozen=True)
class Messages:
    """``messages("byline", authors="Anna Weber")`` → "von Anna Weber" for German."""

    language: str
    overrides: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, key: str, **values: str) -> str:
        if key not in MESSAGES:
            raise KeyError(key)
        text = self.overrides.get(key) or translations(self.language).gettext(MESSAGES[key])
        return _FIELD.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def messages_for(language: str, overrides: Mapping[str, Mapping[str, str]] | None = None) -> Messages:
    """The messages for ``language`` with a project's ``[messages.<lang>]`` overrides applied
    (the exact tag first, "de-AT", then its primary language, "de")."""
    merged: dict[str, str] = {}
    for tag in reversed(_override_tags(language)):
        merged.update((overrides or {}).get(tag, {}))
    return Messages(language or "en", merged)


def _override_tags(language: str) -> list[str]:
    tag = (language or "en").strip().replace("_", "-")
    primary = tag.split("-")[0].lower()
    return [tag.lower(), primary] if tag.lower() != primary else [primary]
