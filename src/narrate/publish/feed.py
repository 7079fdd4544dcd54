"""The podcast feed: RSS 2.0 with the itunes and podcast (Podcasting 2.0) namespaces.

Built with ElementTree, which escapes every text and attribute, so titles from content
cannot inject markup. One item per publication with an MP3 edition: the MP3 enclosure,
``podcast:chapters`` (JSON chapters), ``podcast:transcript`` twice (WebVTT captions, and
the HTML transcript to read). The
same builder makes each subscriber's private feed, whose URLs carry the token path.

A project without a ``[feed]`` table still gets what directories require: the channel's author
and owner come from the publisher (else the default or first author), its artwork is generated
show art (``publish._artwork``), its category is taken from ``[feed] category`` or else from the
publications' tags mapped to Apple's list (``sources.categories``); what is still missing (the
owner's e-mail, a category) is said in ``Channel.warnings``. Every episode's description says
the narration is synthetic (the ``disclosure`` message, in the episode's language).
"""

from __future__ import annotations

import email.utils
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from narrate.i18n.dates import list_text
from narrate.i18n.messages import messages_for
from narrate.publish.catalog import Publication, source_date
from narrate.sources.categories import apple_category, find_category
from narrate.sources.config import Config

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("itunes", ITUNES)
ET.register_namespace("podcast", PODCAST)
ET.register_namespace("atom", ATOM)
MAX_DESCRIPTION_BYTES = 4000


@dataclass(frozen=True)
class Channel:
    title: str
    description: str
    link: str
    language: str
    author: str
    owner_name: str
    owner_email: str
    category: str  # one of Apple's categories; "" when none was configured or found in tags
    explicit: bool
    image_url: str  # "" when there is no artwork
    subcategory: str = ""
    messages: dict[str, dict[str, str]] = field(default_factory=dict)  # the project's [messages.<lang>]
    warnings: tuple[str, ...] = ()  # what podcast directories will miss


def show_names(config: Config, pubs: list[Publication]) -> tuple[str, str]:
    """(the show's title, who makes it) from what the project says: ``[feed]``, ``[publisher]``,
    the default author, else the first publication's first author and title."""
    first_author = next((a for p in pubs for a in p.authors if a), "")
    maker = config.feed.author or config.publisher.name or config.defaults.author or first_author
    title = config.feed.title or config.publisher.name or (pubs[0].title if pubs else "") or maker
    return title, maker


def channel_from_config(config: Config, pubs: list[Publication], base_url: str, image_url: str) -> Channel:
    feed, publisher = config.feed, config.publisher
    language = config.defaults.language or (pubs[0].language if pubs else "en")
    say = messages_for(language, config.messages)
    title, maker = show_names(config, pubs)
    title = title or say("feed_title")
    description = feed.description or say("feed_description", publisher=publisher.name or maker or title)
    (category, subcategory), warnings = feed_category(config, pubs)
    owner_name = feed.owner_name or publisher.name or maker
    if not feed.owner_email:
        warnings.append("no owner e-mail for the podcast feed: set [feed] owner_email (Apple Podcasts and "
                        "Spotify send the ownership check there)")
    if not image_url:
        warnings.append("no feed artwork: podcast directories refuse a feed without it ([feed] artwork)")
    undated = sorted(p.slug for p in pubs if "mp3" in p.artifacts and not p.date)
    if undated:
        warnings.append(f"no date: in the front matter of {', '.join(undated)}: the episode's pubDate is when "
                        "narrate first built it (kept in output/manifest.json) or SOURCE_DATE_EPOCH")
    return Channel(
        title=title,
        description=description,
        link=feed.link or publisher.website or base_url,
        language=language,
        author=maker,
        owner_name=owner_name,
        owner_email=feed.owner_email,
        category=category,
        explicit=feed.explicit,
        image_url=image_url,
        subcategory=subcategory,
        messages=config.messages,
        warnings=tuple(warnings),
    )


def feed_category(config: Config, pubs: list[Publication]) -> tuple[tuple[str, str], list[str]]:
    """Apple's (category, subcategory) for the show: ``[feed] category`` when it names one of
    Apple's, else the one the publications' tags name most often; and the warnings."""
    warnings = []
    configured = config.feed.category.strip()
    if configured:
        found = apple_category(configured)
        if found is not None:
            return found, warnings
        warnings.append(f"[feed] category {configured!r} is not one of Apple Podcasts' categories: "
                        "using the publications' tags instead")
    votes = Counter(found for p in pubs if "mp3" in p.artifacts and (found := find_category(p.tags)))
    if votes:
        return votes.most_common(1)[0][0], warnings
    warnings.append("no podcast category: set [feed] category to one of Apple Podcasts' categories (for "
                    "example \"News/Politics\"), or tag the publications with one; the feed has none")
    return ("", ""), warnings


def truncate_bytes(text: str, limit: int = MAX_DESCRIPTION_BYTES) -> str:
    """``text`` cut on a word boundary to at most ``limit`` UTF-8 bytes (an ellipsis marks the cut)."""
    text = " ".join(text.split())
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[: limit - len("…".encode())].decode("utf-8", errors="ignore")
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


def episode_description(pub: Publication, messages: dict[str, dict[str, str]]) -> str:
    """The publication's description, then the disclosure that the narration is synthetic (in
    its language), which a long description never pushes past the size limit."""
    disclosure = messages_for(pub.language, messages)("disclosure")
    summary = pub.description or pub.subtitle or pub.title
    room = MAX_DESCRIPTION_BYTES - len(disclosure.encode("utf-8")) - 1
    return f"{truncate_bytes(summary, room)} {disclosure}".strip()


def duration(seconds: float | None) -> str:
    total = round(seconds or 0)
    hours, rest = divmod(total, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def render_feed(channel: Channel, pubs: list[Publication], url: Callable[[Publication, str], str],
                self_url: str, *, private: bool = False) -> bytes:
    """The feed's XML bytes. ``url(pub, format)`` gives the absolute URL of an artifact."""
    rss = ET.Element("rss", {"version": "2.0"})
    ch = _channel(rss, channel, pubs, self_url, private)
    seen: set[str] = set()
    for pub in pubs:
        if "mp3" not in pub.artifacts:
            continue
        enclosure = url(pub, "mp3")
        if enclosure in seen:
            continue  # never two items with one enclosure URL
        seen.add(enclosure)
        _item(ch, channel, pub, url, enclosure)
    ET.indent(rss, space="  ")
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True) + b"\n"


def _channel(rss: ET.Element, channel: Channel, pubs: list[Publication], self_url: str,
             private: bool) -> ET.Element:
    ch = _sub(rss, "channel")
    _sub(ch, f"{{{ATOM}}}link", href=self_url, rel="self", type="application/rss+xml")
    _sub(ch, "title", channel.title)
    _sub(ch, "link", channel.link)
    _sub(ch, "description", truncate_bytes(channel.description))
    _sub(ch, "language", channel.language)
    _sub(ch, "generator", "narrate")
    dates = [p.published for p in pubs]
    built = source_date() or (max(dates) if dates else None)
    if built is not None:
        _sub(ch, "lastBuildDate", email.utils.format_datetime(built))
    if channel.author:
        _sub(ch, f"{{{ITUNES}}}author", channel.author)
    if channel.owner_name or channel.owner_email:
        owner = _sub(ch, f"{{{ITUNES}}}owner")
        _sub(owner, f"{{{ITUNES}}}name", channel.owner_name)
        if channel.owner_email:
            _sub(owner, f"{{{ITUNES}}}email", channel.owner_email)
    if channel.image_url:
        _sub(ch, f"{{{ITUNES}}}image", href=channel.image_url)
        image = _sub(ch, "image")
        _sub(image, "url", channel.image_url)
        _sub(image, "title", channel.title)
        _sub(image, "link", channel.link)
    if channel.category:
        category = ET.SubElement(ch, f"{{{ITUNES}}}category", {"text": channel.category})
        if channel.subcategory:
            ET.SubElement(category, f"{{{ITUNES}}}category", {"text": channel.subcategory})
    _sub(ch, f"{{{ITUNES}}}explicit", "true" if channel.explicit else "false")
    _sub(ch, f"{{{ITUNES}}}type", "episodic")
    if private:
        _sub(ch, f"{{{ITUNES}}}block", "Yes")  # keep private feeds out of directories
    return ch


def _item(ch: ET.Element, channel: Channel, pub: Publication, url: Callable[[Publication, str], str],
          enclosure: str) -> None:
    mp3 = pub.artifacts["mp3"]
    item = _sub(ch, "item")
    _sub(item, "title", pub.title)
    summary = episode_description(pub, channel.messages)
    _sub(item, "description", summary)
    _sub(item, f"{{{ITUNES}}}summary", summary)
    _sub(item, "link", url(pub, "page"))
    _sub(item, "guid", pub.identifier or f"narrate:{pub.slug}", isPermaLink="false")
    _sub(item, "pubDate", email.utils.format_datetime(pub.published))
    _sub(item, "enclosure", url=enclosure, length=str(mp3.bytes), type="audio/mpeg")
    _sub(item, f"{{{ITUNES}}}duration", duration(mp3.duration_s))
    _sub(item, f"{{{ITUNES}}}episodeType", "full")
    _sub(item, f"{{{ITUNES}}}explicit", "true" if channel.explicit else "false")
    if pub.authors:
        _sub(item, f"{{{ITUNES}}}author", list_text(pub.authors, pub.language))
    if pub.narrator:  # as every edition credits it ("Joe, a synthetic voice"), never a voice id
        _sub(item, f"{{{PODCAST}}}person", pub.narrator, role="narrator", group="cast")
    if "cover" in pub.artifacts:  # the episode's own art, never the show's
        _sub(item, f"{{{ITUNES}}}image", href=url(pub, "cover"))
    if "chapters" in pub.artifacts:
        _sub(item, f"{{{PODCAST}}}chapters", url=url(pub, "chapters"), type="application/json+chapters")
    if "transcript" in pub.artifacts:
        _sub(item, f"{{{PODCAST}}}transcript", url=url(pub, "transcript"), type="text/vtt", rel="captions",
             language=pub.language)
    if "transcript-html" in pub.artifacts:  # the readable transcript (no rel: a transcript, not captions)
        _sub(item, f"{{{PODCAST}}}transcript", url=url(pub, "transcript-html"), type="text/html",
             language=pub.language)
