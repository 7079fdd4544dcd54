"""The download page: static HTML from templates/page.html.j2 (autoescaped), one shared
page and one per subscriber. Links are relative, so the pages work from any host or from
disk; the script in the template only enhances (chapter links seek the player).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from narrate.i18n.dates import long_date
from narrate.i18n.messages import messages_for
from narrate.publish.bundle import DESCRIPTIONS
from narrate.publish.catalog import Publication
from narrate.publish.templating import render

LABELS = {
    "epub": "EPUB e-book",
    "epub-readaloud": "Read-along EPUB",
    "pdf": "PDF",
    "pdf-large": "Large-print PDF",
    "mp3": "MP3 audio",
    "m4b": "M4B audiobook",
    "transcript": "Captions (WebVTT)",
    "transcript-html": "Transcript (HTML)",
    "chapters": "Chapters (JSON)",
    "bundle": "Everything (zip)",
}
AUDIO_TYPES = {"mp3": "audio/mpeg", "m4b": "audio/mp4"}


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    size: str
    note: str
    personal: bool = False


def human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000  # type: ignore[assignment]
    return str(size)


def clock(seconds: float) -> str:
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def spoken_duration(seconds: float) -> tuple[str, str]:
    """("8 minutes 2 seconds", "PT8M2S")."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(hours, "hour"), (minutes, "minute"), (secs, "second")]
    text = " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n) or "0 seconds"
    return text, f"PT{hours}H{minutes}M{secs}S"


def _view(pub: Publication, href: Callable[[Publication, str], str], sizes: dict[str, int],
          personal: set[str], language: str, messages: Mapping[str, Mapping[str, str]] | None = None,
          ) -> dict[str, object]:
    files = [Link(LABELS.get(a.format, a.format), href(pub, a.format), human_size(sizes.get(a.format, a.bytes)),
                  DESCRIPTIONS.get(a.format, ""), a.format in personal) for a in pub.editions]
    files.append(Link(LABELS["bundle"], href(pub, "bundle"), human_size(sizes.get("bundle", 0)),
                      "all of the above with a README, in one zip file"))
    audio_fmt = "mp3" if "mp3" in pub.artifacts else ("m4b" if "m4b" in pub.artifacts else "")
    audio = href(pub, audio_fmt) if audio_fmt else ""
    chapters = [{"seconds": int(start), "clock": clock(start), "title": title,
                 "href": f"{audio}#t={int(start)}"} for start, title in pub.chapters] if audio else []
    duration = spoken_duration(pub.duration_s) if pub.duration_s else None
    return {
        "pub": pub,
        "id": "pub-" + quote(pub.slug, safe=""),
        "date_iso": pub.date.isoformat() if pub.date else "",
        # the date as the publication's readers write it; marked up in its language if the page's differs
        "date_text": long_date(pub.date, pub.language) if pub.date else "",
        "date_lang": pub.language if pub.language and pub.language != language else "",
        "files": files,
        "audio": audio,
        "audio_type": AUDIO_TYPES.get(audio_fmt, ""),
        "captions": href(pub, "transcript") if "transcript" in pub.artifacts else "",
        "transcript": href(pub, "transcript-html") if "transcript-html" in pub.artifacts else "",
        "chapters": chapters,
        "duration": duration,
        # the page's own words, in the page's language (narrate.i18n.messages)
        "narration_label": messages_for(language, messages)("narration_of", title=pub.title),
        "no_summary": messages_for(language, messages)("no_summary"),
    }


def render_page(pubs: list[Publication], *, title: str, language: str, href: Callable[[Publication, str], str],
                sizes: dict[str, dict[str, int]], css: str, sums: str, feed_url: str, prepared_for: str = "",
                personal: set[str] | None = None, messages: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The page's HTML. ``href(pub, format)`` is each file's link relative to the page; ``messages``:
    the project's [messages.<lang>] overrides."""
    views = [_view(p, href, sizes.get(p.slug, {}), personal or set(), language, messages) for p in pubs]
    return render("page.html.j2", title=title, language=language, publications=views, css=css, sums=sums,
                  feed_url=feed_url, prepared_for=prepared_for)
