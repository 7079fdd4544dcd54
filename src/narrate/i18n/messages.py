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
