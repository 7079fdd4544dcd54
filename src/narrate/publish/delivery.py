"""Per-subscriber delivery: personal copies, a private feed and page, revocation, the link list.

Each active subscriber gets ``dist/subscribers/<token>/``; the files of tokens that are no
longer active (revoked, removed from the CSV, or made with another key) are deleted by the
package run's prune (``publish/record``: only files it recorded). The only file naming
addresses, ``subscribers-links.csv``, goes to ``output/private/``; every cell of it is
kept from being read as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from narrate.artifacts import atomic_write, sha256_file
from narrate.i18n.messages import messages_for
from narrate.publish.bundle import write_sums
from narrate.publish.catalog import Publication
from narrate.publish.feed import Channel, render_feed
from narrate.publish.page import render_page
from narrate.publish.personal import Personalizer
from narrate.publish.record import PERSONAL_STATE, private_folder
from narrate.publish.subscribers import Subscriber

if TYPE_CHECKING:
    from narrate.publish.site import PackageReport, Site

Task = tuple[Publication, str, str, Path, str, str]  # pub, format, name, target, rel, key


def deliver(site: Site, report: PackageReport, active: list[Subscriber], revoked: list[Subscriber]) -> None:
    """Each active subscriber's copies, feed and page (``load_all`` read them before anything was written)."""
    report.subscribers, report.revoked = len(active), len(revoked)
    private = private_folder(site.output)
    personal = Personalizer(site.root, site.config, site.config.subscribers.personal_formats,
                            private / PERSONAL_STATE)
    try:
        tasks = _plan(site, personal, active, report)
        _run(personal, tasks, site)
        report.personal_made = len(tasks)
        for sub in active:
            _subscriber_files(site, personal, sub)
    finally:
        personal.close()
    report.links = private / "subscribers-links.csv"
    _write_links(report.links, site, active)


def _plan(site: Site, personal: Personalizer, active: list[Subscriber], report: PackageReport) -> list[Task]:
    tasks: list[Task] = []
    for pub in site.pubs:
        personal.prepare(pub)
    for sub in active:
        for pub in site.pubs:
            for fmt, artifact, target in personal.jobs(pub, site.dist / "subscribers" / sub.token):
                rel = target.relative_to(site.dist).as_posix()
                key = personal.key(fmt, artifact, sub.name)
                if personal.reuse(rel, key, target):
                    report.personal_reused += 1
                else:
                    tasks.append((pub, fmt, sub.name, target, rel, key))
    return tasks


def _run(personal: Personalizer, tasks: list[Task], site: Site) -> None:
    """Copies in parallel threads (file I/O and ffmpeg); PDF renders in this thread (WeasyPrint)."""

    def one(task: Task) -> None:
        pub, fmt, name, target, rel, key = task
        personal.make(pub, fmt, pub.artifacts[fmt], name, target)
        personal.record(rel, key, target)

    threaded = [t for t in tasks if t[1] != "pdf"]
    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) * 2)) as pool:
        for future in [pool.submit(one, t) for t in threaded]:
            future.result()
    for task in tasks:
        if task[1] == "pdf":
            one(task)


def subscriber_channel(channel: Channel, name: str,
                       messages: Mapping[str, Mapping[str, str]] | None = None) -> Channel:
    """A subscriber's feed: the channel titled "Title (for Name)" in the channel's language."""
    say = messages_for(channel.language, messages)
    return replace(channel, title=say("feed_title_for", title=channel.title, name=name))


def _subscriber_files(site: Site, personal: Personalizer, sub: Subscriber) -> None:
    folder = site.dist / "subscribers" / sub.token
    prefix = f"subscribers/{sub.token}/"
    mine: dict[str, set[str]] = {}
    written: dict[Path, str] = {}
    sizes = {slug: dict(values) for slug, values in site.sizes.items()}
    for pub in site.pubs:
        for fmt, _, target in personal.jobs(pub, folder):
            mine.setdefault(pub.slug, set()).add(fmt)
            written[target] = personal.sha256(target.relative_to(site.dist).as_posix())
            sizes[pub.slug][fmt] = target.stat().st_size

    def rel(pub: Publication, fmt: str) -> str:  # relative to the subscriber's page
        if fmt == "page":
            return f"index.html#pub-{pub.slug}"
        if fmt in mine.get(pub.slug, set()):
            return f"{pub.slug}/{pub.artifacts[fmt].name}"
        return "../../" + site.public_rel(pub, fmt)

    feed_url = site.base_url + prefix + "feed.xml"
    channel = subscriber_channel(site.channel, sub.name, site.config.messages)
    outputs = {
        folder / "feed.xml": render_feed(channel, site.pubs, lambda p, f: site.base_url + _norm(prefix + rel(p, f)),
                                         feed_url, private=True),
        folder / "index.html": render_page(site.pubs, title=site.channel.title, language=site.channel.language,
                                           href=rel, sizes=sizes, css="../../page.css", sums="SHA256SUMS",
                                           feed_url=feed_url, prepared_for=sub.name,
                                           personal=set().union(*mine.values()) if mine else set(),
                                           messages=site.config.messages).encode("utf-8"),
    }
    for path, data in outputs.items():
        atomic_write(path, data)
        written[path] = sha256_file(path)
    write_sums(folder, sorted(written), written)
    written[folder / "SHA256SUMS"] = sha256_file(folder / "SHA256SUMS")
    site.written |= written


def _norm(path: str) -> str:
    """``subscribers/T/../../slug/x`` → ``slug/x`` (public files stay at their public URL)."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def _write_links(path: Path, site: Site, active: list[Subscriber]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["email", "name", "page_url", "feed_url"])
    for sub in sorted(active, key=lambda s: s.email):
        base = f"{site.base_url}subscribers/{sub.token}/"
        writer.writerow([inert(sub.email), inert(sub.name), inert(base + "index.html"), inert(base + "feed.xml")])
    atomic_write(path, buffer.getvalue(), mode=0o600)  # 0600 before it appears, never after


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: str) -> str:
    """A CSV cell a spreadsheet will not run: one starting like a formula gets a leading ``'`` (OWASP)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell
