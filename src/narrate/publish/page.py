"""The download page: static HTML from templates/page.html.j2 (autoescaped), one shared
page and one per subscriber. Links are relative, so the pages work from any host or from
disk; the script in the template only enhances (chapter links seek the player).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from narrate.i18n.dates import duration_text, language_name, list_text, long_date, size_text
from narrate.i18n.messages import Messages, messages_for
from narrate.publish.bundle import describe
from narrate.publish.catalog import Publication
from narrate.publish.templating import render

# each format's name on the page (a key of narrate.i18n.messages, or the name itself where every
# language says it so: "PDF")
LABELS = {fmt: "label_" + fmt.replace("-", "_") for fmt in (
    "epub", "epub-readaloud", "pdf-large", "mp3", "m4b", "transcript", "transcript-html", "chapters", "bundle")}
LABELS["pdf"] = ""
AUDIO_TYPES = {"mp3": "audio/mpeg", "m4b": "audio/mp4"}


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    size: str
    note: str
    personal: bool = False


def human_size(size: int, language: str = "en") -> str:
    """Decimal units as ``language`` writes them: "512 bytes", "1.2 MB"; "1,2 Mo" in French."""
    return size_text(size, language)


def clock(seconds: float) -> str:
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def spoken_duration(seconds: float, language: str = "en") -> tuple[str, str]:
    """("8 minutes, 2 seconds", "PT8M2S"): CLDR's unit names in ``language``, and ISO 8601."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return duration_text(seconds, language), f"PT{hours}H{minutes}M{secs}S"


def label(fmt: str, say: Messages) -> str:
    key = LABELS.get(fmt)
    return say(key) if key else fmt.upper() if fmt in LABELS else fmt


def around(text: str, name: str) -> tuple[str, ...]:
    """A message's text split at its ``{name}``, where the template puts a link (the template
    escapes both parts): (before, after), or (text,) for an override without ``{name}``."""
    before, found, after = text.partition("{" + name + "}")
    return (before, after) if found else (text,)


def _view(pub: Publication, href: Callable[[Publication, str], str], sizes: dict[str, int],
          personal: set[str], language: str, say: Messages) -> dict[str, object]:
    disclosure = say("disclosure")  # every narration narrate makes is synthetic: said where it is chosen
    files = [Link(label(a.format, say), href(pub, a.format), human_size(sizes.get(a.format, a.bytes), language),
                  _note(describe(a.format, say), disclosure if a.format in AUDIO_TYPES else ""),
                  a.format in personal) for a in pub.editions]
    files.append(Link(label("bundle", say), href(pub, "bundle"), human_size(sizes.get("bundle", 0), language),
                      describe("bundle", say)))
    audio_fmt = "mp3" if "mp3" in pub.artifacts else ("m4b" if "m4b" in pub.artifacts else "")
    audio = href(pub, audio_fmt) if audio_fmt else ""
    chapters = [{"seconds": int(start), "clock": clock(start), "title": title,
                 "href": f"{audio}#t={int(start)}"} for start, title in pub.chapters] if audio else []
    duration = spoken_duration(pub.duration_s, language) if pub.duration_s else None
    byline = say("byline", authors=list_text(list(pub.authors), language)) if pub.authors else ""
    return {
        "pub": pub,
        "id": "pub-" + quote(pub.slug, safe=""),
        "byline": byline[:1].upper() + byline[1:],
        "date_iso": pub.date.isoformat() if pub.date else "",
        # the date as the page's readers write it: it sits among the page's own words ("By …, date")
        "date_text": long_date(pub.date, language) if pub.date else "",
        # the publication's own text (title, description, summary …) keeps its language
        "lang": pub.language if pub.language and pub.language.lower() != language.lower() else "",
        "files": files,
        "audio": audio,
        "audio_type": AUDIO_TYPES.get(audio_fmt, ""),
        "captions": href(pub, "transcript") if "transcript" in pub.artifacts else "",
        "captions_label": say("captions_in", language=language_name(pub.language, language)),
        "transcript": href(pub, "transcript-html") if "transcript-html" in pub.artifacts else "",
        "chapters": chapters,
        "duration": duration,
        "lasts": around(say("narration_lasts"), "duration"),
        "narration_label": say("narration_of", title=pub.title),
        "disclosure": disclosure,
    }


def _note(description: str, disclosure: str) -> str:
    """A file's description, then the synthetic-voice disclosure for an audio edition."""
    if not disclosure:
        return description
    return f"{description}{'' if description.endswith(('.', '!', '?', '。')) else '.'} {disclosure}".strip()


def render_page(pubs: list[Publication], *, title: str, language: str, href: Callable[[Publication, str], str],
                sizes: dict[str, dict[str, int]], css: str, sums: str, feed_url: str, prepared_for: str = "",
                personal: set[str] | None = None, messages: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The page's HTML, in ``language`` (narrate.i18n.messages); a publication's own fields keep their
    ``lang``. ``href(pub, format)`` is each file's link relative to the page; ``messages``: the
    project's [messages.<lang>] overrides."""
    say = messages_for(language, messages)
    views = [_view(p, href, sizes.get(p.slug, {}), personal or set(), language, say) for p in pubs]
    return render("page.html.j2", title=title, language=language, publications=views, css=css, sums=sums,
                  feed_url=feed_url, prepared_for=prepared_for, say=say,
                  intro=around(say("page_intro"), "feed"), footer=around(say("page_footer"), "sums"))
