"""A readable HTML transcript of the narration (WCAG 1.2.1, audio-only content).

Captions are for following along in a player; a transcript is for reading. This one
has the publication's title, a heading per chapter (and per section heading read in
it), and one paragraph per block of the text, made of the sentences as they are
spoken, with no cue ids or timestamps.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from narrate.artifacts import atomic_path
from narrate.audio.timeline import Timeline
from narrate.errors import OutputError
from narrate.i18n.messages import messages_for

_CREDITS = {"opening", "disclosure", "credits", "closing"}
_STYLE = (
    "body{font-family:system-ui,sans-serif;line-height:1.5;max-width:40em;margin:2em auto;padding:0 1em}"
    "p.credits{font-style:italic;margin:0.2em 0}"
)


def transcript_html(timeline: Timeline, *, title: str, language: str, kinds: dict[str, str] | None = None) -> str:
    """The transcript page. ``kinds`` maps segment ids to the script's kinds, so read
    headings become headings (and the chapter's own title is not repeated)."""
    kinds = kinds or {}
    body = [f"<h1>{escape(title)}</h1>"]
    for chapter in timeline.chapters:
        segments = timeline.segments_of(chapter.id)
        if not any(s.text.strip() for s in segments):
            continue
        body.append(f"<h2>{escape(chapter.title)}</h2>")
        body += _chapter_body(chapter.title, segments, kinds)
    lang = escape(language)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(messages_for(language)('transcript_title', title=title))}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def _chapter_body(title: str, segments, kinds: dict[str, str]) -> list[str]:
    """Headings read in the chapter, and one paragraph per block (credits get their own)."""
    out: list[str] = []
    paragraph: list[str] = []
    group: str | None = None
    credits = False
    for segment in segments:
        text = " ".join(segment.text.split())
        if not text:
            continue
        kind = kinds.get(segment.id, "text")
        # Credits are lines of their own (title, byline...); text joins by block.
        key = None if kind == "heading" else segment.id if kind in _CREDITS else segment.block_id or kind
        if key != group and paragraph:
            css = ' class="credits"' if credits else ""
            out.append(f"<p{css}>{escape(' '.join(paragraph))}</p>")
            paragraph = []
        group = key
        if kind == "heading":
            if text.rstrip(".") != title.rstrip("."):
                out.append(f"<h3>{escape(text)}</h3>")
            continue
        credits = kind in _CREDITS
        paragraph.append(text)
    if paragraph:
        css = ' class="credits"' if credits else ""
        out.append(f"<p{css}>{escape(' '.join(paragraph))}</p>")
    return out


def write_transcript_html(timeline: Timeline, out: Path, *, title: str, language: str,
                          kinds: dict[str, str] | None = None) -> Path:
    try:
        with atomic_path(out) as tmp:
            tmp.write_text(transcript_html(timeline, title=title, language=language, kinds=kinds),
                           encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write ({exc.strerror})", out) from exc
    return out
