"""The studio's three views as HTML: the library, a publication to listen to and read, and
its words to fix. Server-rendered, so each view is complete before any script runs; the
script (``static/studio.js``) adds playback, live updates and the forms' requests.

Every view has a skip link, one ``<main>``, labelled landmarks, a polite live region for
build progress and an alert region for errors (a broken source shows there).
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any
from urllib.parse import quote

from narrate import model as m
from narrate.proof.flags import REASONS
from narrate.studio.session import PubStatus

_STATUS = {"built": "Built", "stale": "Out of date", "not built": "Not built yet", "failed": "Failed"}


def _page(title: str, body: str, csrf: str, view: str, slug: str = "", error: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="studio-csrf" content="{escape(csrf)}">\n'
        f"<title>{escape(title)} · narrate studio</title>\n"
        '<link rel="stylesheet" href="/static/studio.css">\n'
        '<script src="/static/studio.js" defer></script>\n</head>\n'
        f'<body data-view="{view}" data-slug="{escape(slug)}">\n'
        '<a class="skip" href="#main">Skip to the content</a>\n'
        '<header><nav aria-label="Studio"><a href="/">Library</a>'
        + (f' · <a href="/pub/{quote(slug)}">Listen and read</a> · <a href="/pub/{quote(slug)}/words">'
           "Words to check</a>" if slug else "")
        + "</nav></header>\n"
        '<div id="status" role="status" aria-live="polite" class="status"></div>\n'
        f'<div id="alert" role="alert" class="alert">{escape(error)}</div>\n'
        f'<main id="main" tabindex="-1">\n{body}\n</main>\n</body>\n</html>\n'
    )


def library_page(rows: list[PubStatus], warnings: list[str], csrf: str, error: str = "") -> str:
    items = "\n".join(_row(r) for r in rows)
    notes = "".join(f"<li>{escape(w)}</li>" for w in warnings)
    body = (
        "<h1>Library</h1>\n"
        '<p><button type="button" data-build="">Build all</button></p>\n'
        + (f'<section aria-labelledby="warn"><h2 id="warn">Project warnings</h2><ul>{notes}</ul></section>\n'
           if notes else "")
        + f'<ul class="library" id="library">\n{items}\n</ul>'
    )
    return _page("Library", body, csrf, "library", error=error)


def _row(row: PubStatus) -> str:
    when = (dt.datetime.fromtimestamp(row.built_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            if row.built_at else "never")
    editions = "".join(f'<li><a href="/files/{quote(e["href"])}">{escape(e["format"])}</a></li>'
                       for e in row.editions)
    warnings = "".join(f"<li>{escape(w)}</li>" for w in row.warnings)
    slug = escape(row.slug)
    return (
        f'<li class="pub" data-slug="{slug}" data-status="{escape(row.status)}">\n'
        f'<h2><a href="/pub/{quote(row.slug)}">{escape(row.title)}</a></h2>\n'
        f'<p><span class="badge {row.status.replace(" ", "-")}">{_STATUS[row.status]}</span> · '
        f"<code>{escape(row.source)}</code> · last built {when}</p>\n"
        + (f'<p class="error">{escape(row.error)}</p>\n' if row.error else "")
        + (f'<h3>Editions</h3><ul class="editions" aria-label="Editions of {escape(row.title)}">{editions}</ul>\n'
           if editions else "")
        + (f"<h3>Warnings</h3><ul>{warnings}</ul>\n" if warnings else "")
        + f'<p><button type="button" data-build="{slug}" aria-label="Build {escape(row.title)}">Build</button> '
        f'<a href="/pub/{quote(row.slug)}/words">Words to check</a></p>\n</li>'
    )


def listen_page(doc: m.Document | None, slug: str, csrf: str, error: str = "") -> str:
    if doc is None:
        return _page(slug, f"<h1>{escape(slug)}</h1><p>This publication cannot be read now.</p>", csrf, "listen",
                     slug, error)
    chapters = "".join(f'<li><a href="#{escape(c.id)}" data-chapter="{escape(c.id)}">{escape(c.title)}</a></li>'
                       for c in doc.chapters)
    sections = "".join(
        f'<section class="chapter" id="{escape(c.id)}" data-chapter="{escape(c.id)}" '
        f'aria-labelledby="h-{escape(c.id)}">'
        f'<h2 id="h-{escape(c.id)}">{escape(c.title)}</h2><div class="sentences"><p class="pending">'
        "Not loaded yet: choose the chapter to load it.</p></div></section>"
        for c in doc.chapters)
    body = (
        f"<h1>{escape(doc.meta.title)}</h1>\n"
        '<section class="player" aria-label="Player">\n'
        '<audio id="player" controls preload="none" aria-label="Narration of the sentence being read"></audio>\n'
        '<p><button type="button" id="play-all">Play from the current sentence</button> '
        '<span id="now" aria-live="off"></span></p>\n</section>\n'
        f'<nav aria-label="Chapters" class="toc"><h2>Chapters</h2><ol>{chapters}</ol></nav>\n'
        f'<div class="text">{sections}</div>'
    )
    return _page(doc.meta.title, body, csrf, "listen", slug, error)


def words_page(doc: m.Document, flagged: list[Any], where: dict[str, tuple[str, str]], csrf: str,
               lexicon: str) -> str:
    groups = []
    for reason, heading in REASONS.items():
        if reason == "number":
            continue
        items = [f for f in flagged if f.reason == reason]
        if items:
            rows = "\n".join(_word(f, i, where) for i, f in enumerate(items))
            groups.append(f'<section aria-labelledby="r-{reason}"><h2 id="r-{reason}">{escape(heading)}</h2>'
                          f'<ul class="words">{rows}</ul></section>')
    body = (
        f"<h1>Words to check: {escape(doc.meta.title)}</h1>\n"
        f"<p>Saved entries go to <code>{escape(lexicon)}</code>; only the sentences that hold the word are "
        "made again.</p>\n" + ("\n".join(groups) or "<p>No word to check.</p>")
    )
    return _page(f"Words: {doc.meta.title}", body, csrf, "words", doc.meta.slug)


def _word(flag: Any, index: int, where: dict[str, tuple[str, str]]) -> str:
    first = flag.segments[0]
    chapter, text = where.get(first, ("", ""))
    ident = f"w-{flag.reason}-{index}"
    word = escape(flag.word)
    return (
        f'<li class="word" data-word="{word}" data-segment="{escape(first)}" data-chapter="{escape(chapter)}">\n'
        f'<h3 id="{ident}">{word}</h3>\n'
        f"<p>Read as: <span class=\"spoken\">{escape(flag.spoken) or 'unknown'}</span> · {flag.count}×</p>\n"
        f'<blockquote class="context">{escape(text)}</blockquote>\n'
        f'<form class="fix" aria-labelledby="{ident}">\n'
        f'<label for="{ident}-kind">Kind</label> <select id="{ident}-kind" name="kind">'
        '<option value="respelling">Respelling</option><option value="alias">Alias</option>'
        '<option value="ipa">IPA</option></select>\n'
        f'<label for="{ident}-value">Say it as</label> '
        f'<input id="{ident}-value" name="value" autocomplete="off" spellcheck="false">\n'
        f'<button type="button" data-action="hear">Hear it in its sentence</button>\n'
        f'<button type="button" data-action="save">Save to the lexicon</button>\n'
        f'<audio controls preload="none" aria-label="{word} in its sentence"></audio>\n'
        '<p class="result" aria-live="polite"></p>\n</form>\n</li>'
    )
