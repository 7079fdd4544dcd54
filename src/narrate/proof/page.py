"""The proof pages: ``templates/proof.html.j2`` (autoescaped) rendered per publication, and an index.

Everything a page links to is relative (clips under ``clips/``, the style sheet beside
it), so the folder works from disk or any host. No script: native ``<audio>`` controls.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrate.artifacts import atomic_write
from narrate.proof.flags import REASONS, Flag
from narrate.publish.templating import render

if TYPE_CHECKING:
    from narrate.model import Meta
    from narrate.proof.clips import Timed
    from narrate.speech.script import Script

SHOWN_SENTENCES = 5
CSS = "proof.css"


def _anchor(segment_id: str) -> str:
    return f"s-{segment_id}"


def _groups(flagged: list[Flag], texts: dict[str, str]) -> list[dict[str, Any]]:
    groups = []
    for reason, label in REASONS.items():
        entries = [f for f in flagged if f.reason == reason]
        groups.append({"id": f"words-{reason}", "label": label, "entries": [
            {"flag": f, "clip": f.clip.removeprefix("proof/"),
             "sentences": [(_anchor(s), texts[s]) for s in f.segments[:SHOWN_SENTENCES]],
             "more": max(0, len(f.segments) - SHOWN_SENTENCES)} for f in entries]})
    return groups


def write_page(target: Path, meta: Meta, voice: str, dictionary: str, script: Script, timed: list[Timed],
               flagged: list[Flag], loudness: list[Any], durations: Any, *, lexicon: list[dict[str, Any]] | None = None,
               heteronyms: list[dict[str, Any]] | None = None) -> None:
    texts = {t.id: t.text for t in timed}
    by_id = {t.id: t for t in timed}
    chapters = [{"id": f"c-{c.id}", "title": c.title, "sentences": [
        {"anchor": _anchor(s.id), "text": s.text, "clip": by_id[s.id].clip.removeprefix("proof/"),
         "at": by_id[s.id].start_s} for s in c.segments]} for c in script.chapters if c.segments]
    html = render("proof.html.j2", title=meta.title, language=meta.language or "en", voice=voice,
                  dictionary=dictionary, groups=_groups(flagged, texts), total=sum(1 for _ in flagged),
                  chapters=chapters, loudness=loudness, durations=durations, css=CSS,
                  lexicon=lexicon or [], heteronyms=heteronyms or [])
    atomic_write(target, html)
    _write_css(target.parent)


def write_index(folder: Path, pubs: list[dict[str, Any]], publisher: str) -> Path:
    """The index of ``pubs`` (proof.json's entries: slug, title, page, flagged)."""
    rows = [{"title": str(p.get("title") or p["slug"]), "href": Path(str(p.get("page"))).name,
             "count": len(p["flagged"]),
             "by_reason": {r: sum(1 for f in p["flagged"] if isinstance(f, dict) and f.get("reason") == r)
                           for r in REASONS}} for p in pubs]
    target = folder / "index.html"
    atomic_write(target, render("proof-index.html.j2", rows=rows, reasons=REASONS, publisher=publisher, css=CSS))
    _write_css(folder)
    return target


def _write_css(folder: Path) -> None:
    css = files("narrate").joinpath("templates", CSS).read_text(encoding="utf-8")
    target = folder / CSS
    if not target.is_file() or target.read_text(encoding="utf-8") != css:
        atomic_write(target, css)
