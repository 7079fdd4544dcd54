"""The speech script's types: ``Script`` → ``ScriptChapter`` → ``Segment`` (one utterance), with the
``Pauses`` and ``ScriptOptions`` a script is built with (``speech/script``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from narrate.i18n.messages import Messages


@dataclass(frozen=True)
class Pauses:
    """Silence, in milliseconds, after each kind of unit."""

    sentence: int = 350
    paragraph: int = 700
    section: int = 1200
    chapter: int = 2000


@dataclass(frozen=True)
class Segment:
    """One utterance: synthesized as a unit, cached as a unit."""

    id: str  # "<block id>-s<n>", unique in the document; SMIL/VTT refer to it
    block_id: str  # the model block it comes from ("" for generated speech)
    text: str  # display text: the source wording (transcripts show this)
    spoken: str  # normalized text sent to the engine
    pause_after_ms: int
    kind: str = "text"  # opening | disclosure | heading | text | item | quote | alt | footnote | closing
    language: str = ""  # a part in another language ({lang=fr}): spoken by that language's voice; "" for the script's
    # A sentence holding a phrase in another language ("Er sagte [c'est la vie]{lang=fr} und ging."):
    # its (language, spoken text) runs in order, each normalized in and spoken by its own language
    # ("" for the script's); ``spoken`` is then the runs joined. Empty: one run, ``language``.
    runs: tuple[tuple[str, str], ...] = ()

    def pieces(self) -> tuple[tuple[str, str], ...]:
        """(language, spoken text) in the order spoken: the runs, or the whole segment in its language."""
        return self.runs or ((self.language, self.spoken),)


@dataclass(frozen=True)
class ScriptChapter:
    id: str  # the model chapter id
    title: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Script:
    slug: str
    title: str
    language: str
    chapters: tuple[ScriptChapter, ...]

    def segments(self):
        for chapter in self.chapters:
            yield from chapter.segments


@dataclass(frozen=True)
class ScriptOptions:
    pauses: Pauses = field(default_factory=Pauses)
    disclosure: str | None = None  # None: the catalog's, in the document's language; "" disables it
    read_alt_text: bool = True
    footnotes: str = "after"  # "after" the block citing them, at the end of the "section", or "skip"
    voice_name: str = ""  # for the disclosure, if it mentions the voice
    messages: Messages | None = None  # narrate's own words; None: the shipped catalog for the document
    narrator: str = ""  # the narrator as a listener is told ("Joe, a synthetic voice"); never an internal id
    credits: bool = True  # opening and closing credits as chapters of their own
