"""Sources → staged Markdown and images → content/ (see write.py for the last step)."""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from narrate.errors import ConfigError, OutputError, SourceError
from narrate.importing import ghost, html_page, wordpress
from narrate.importing.api_client import BACKOFF, MAX_WAIT, ApiClient
from narrate.importing.detect import detect, sniff
from narrate.importing.fetch import TIMEOUT, Fetcher, FetchError
from narrate.importing.ghost_api import read_key
from narrate.importing.markdown_out import render_body, render_file
from narrate.importing.media import ImageMissing, Media
from narrate.importing.model import Article, Imported, slug_of
from narrate.importing.slugs import Claim, claims, free_slug, remember
from narrate.importing.sync import Settings, SiteSync, is_site
from narrate.importing.write import Staged, commit

_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
KINDS = ("article", "chapter")


@dataclass(frozen=True)
class ImportOptions:
    media: Path | None = None
    drafts: bool = False
    pages: bool = False
    kind: str = "article"
    force: bool = False
    scheduled: bool = False  # posts scheduled to appear later (WordPress "future", Ghost "scheduled")
    protected: bool = False  # password-protected (WordPress) and members-only (Ghost) posts
    allow_private_hosts: bool = False  # fetch from loopback and private addresses (off: no blind SSRF)
    ghost_key: str = ""  # a Ghost site's Content API key (a site address then syncs with its API)
    ghost_key_file: Path | None = None  # a TOML file outside the project with [import] ghost_key
    timeout: float = TIMEOUT  # seconds for one fetch, in all
    retry_wait: float = MAX_WAIT  # the longest wait between tries of an API read (Retry-After, backoff)


@dataclass
class ImportReport:
    imported: list[Imported] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a sync did: posts read, requests, disappeared posts


def run_import(project: Path, sources: list[str], options: ImportOptions = ImportOptions(),
               warn: Callable[[str], None] | None = None) -> ImportReport:
    """Import every source into ``project/content``; raises a NarrateError and writes nothing on bad input."""
    root = Path(project).resolve()
    if not root.is_dir():
        raise ConfigError("expected a project folder, found none", project)
    if options.kind not in KINDS:
        raise ConfigError(f"--kind must be 'article' or 'chapter', found {options.kind!r}")
    if options.media is not None and not options.media.is_dir():
        raise ConfigError("--media must be a folder (a copy of the site's uploads), found none", options.media)
    if not sources:
        raise SourceError("expected at least one source to import, found none")
    report = ImportReport()

    def note(message: str) -> None:
        report.warnings.append(message)
        if warn is not None:
            warn(message)

    (root / ".narrate").mkdir(exist_ok=True)
    if options.ghost_key_file is not None and not options.ghost_key:
        options = dataclasses.replace(options, ghost_key=read_key(options.ghost_key_file, root))
    syncs: list[SiteSync] = []
    staging = Path(tempfile.mkdtemp(prefix="import-", dir=root / ".narrate"))
    try:
        staged = _stage(root, staging, sources, options, note, syncs)
        report.imported = commit(root, staged, force=options.force)
        remember(root, [item.path for item in report.imported])  # the next run need not read them again
        for site in syncs:  # only now: the posts it read are in content/
            site.save()
            report.notes += site.notes
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _stage(root: Path, staging: Path, sources: list[str], options: ImportOptions,
           warn: Callable[[str], None], syncs: list[SiteSync]) -> list[Staged]:
    fetcher = Fetcher(allow_private=options.allow_private_hosts, timeout=options.timeout)
    media = Media(options.media, fetcher)
    seen: dict[str, str] = {}
    taken: dict[str, list[Claim]] | None = None  # content/'s slugs, read for the first article (a sync may bring none)
    staged: list[Staged] = []
    for source in sources:
        count = 0
        skipped: list[str] = []
        skip = _skipper(skipped, warn)

        mine: set[str] = set()  # slugs this source gave: a post and a page may share a name
        for article, page in _articles(root, source, options, fetcher, warn, skip, syncs):
            for message in article.warnings:
                warn(f"{article.where}: {message}")
            article.slug = slug_of(article.slug, fallback=article.where)  # every slug through one sanitizer
            if article.slug in mine:
                article.slug = _distinct(article, seen, warn)
            if article.slug in seen:
                raise SourceError(f"two sources have the slug '{article.slug}': {seen[article.slug]} and "
                                  f"{article.where}; rename one (slug, post name or file name)")
            wanted = article.slug
            if taken is None:
                taken = claims(root)
            article.slug, holder = free_slug(wanted, str(article.fields.get("title", "")),
                                             str(article.fields.get("source_url", "")), taken)
            if holder:
                warn(f"{article.where}: the slug '{wanted}' is already used by {holder}; "
                     f"imported as '{article.slug}'")
            one = _stage_one(root, staging, article, page, media, options, warn, skip)
            if one is None:
                continue
            count += 1
            seen[wanted] = article.where
            mine.add(wanted)
            staged.append(one)
        if count == 0 and not any(site.source == source for site in syncs):  # a sync may find nothing new
            raise SourceError(_none_found(options, skipped), source)
    return staged


def _skipper(skipped: list[str], warn: Callable[[str], None]) -> Callable[[str, str], None]:
    """What an importer calls for a post it leaves out: a warning, and a line for the error if none came in."""
    def skip(where: str, why: str) -> None:
        skipped.append(f"{where}: {why}")
        warn(f"{where}: {why}; skipped")
    return skip


def _distinct(article: Article, seen: dict[str, str], warn: Callable[[str], None]) -> str:
    """A slug of the form ``<slug>-2`` for a second post of one export with the same name (stable: export order)."""
    n = 2
    while f"{article.slug}-{n}" in seen:
        n += 1
    slug = f"{article.slug}-{n}"
    warn(f"{article.where}: the name '{article.slug}' is also that of {seen[article.slug]}; imported as '{slug}'")
    return slug


def _none_found(options: ImportOptions, skipped: list[str]) -> str:
    hint = "" if options.drafts and options.pages else " (--drafts and --pages include those)"
    listed = ""
    if skipped:
        listed = f"; skipped {len(skipped)}: " + "; ".join(skipped[:10]) + (" ..." if len(skipped) > 10 else "")
    return f"expected at least one published post to import, found none{hint}{listed}"


def _articles(root: Path, source: str, options: ImportOptions, fetcher: Fetcher, warn: Callable[[str], None],
              skip: Callable[[str, str], None], syncs: list[SiteSync]) -> Iterator[tuple[Article, Path | None]]:
    kind = detect(source)
    path = Path(source)
    if kind == "url" and is_site(source, options.ghost_key):
        settings = Settings(kind=options.kind, pages=options.pages, protected=options.protected,
                            ghost_key=options.ghost_key)
        client = ApiClient(fetcher, max_wait=options.retry_wait, backoff=min(BACKOFF, options.retry_wait))
        site = SiteSync.open(root, source, settings, fetcher, warn, skip, client)
        found = site.read()
        if found is not None:
            site.source = source
            syncs.append(site)
            yield from ((article, None) for article in found)
            return
    if kind == "url":
        try:
            response = fetcher.get(source)
        except FetchError as exc:
            raise SourceError(f"cannot fetch the page: {exc}", source) from exc
        yield _with_kind(html_page.read_page(response.body, source, url=response.url,
                                             charset=response.charset), options), None
    elif kind == "folder":
        pages = [p for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(".")
                 and _is_page(p)]
        if not pages:
            raise SourceError("expected saved HTML pages in the folder, found none", source)
        for page in pages:
            yield _with_kind(html_page.read_page(page.read_bytes(), str(page), page=page), options), page
    elif kind == "html":
        yield _with_kind(html_page.read_page(path.read_bytes(), source, page=path), options), path
    elif kind == "wxr":
        site = wordpress.scan(path, source)
        for article in wordpress.articles(path, source, site, drafts=options.drafts, pages=options.pages,
                                          kind=options.kind, warn=warn, scheduled=options.scheduled,
                                          protected=options.protected, skip=skip):
            yield article, None
    else:
        data = ghost.load(path, source)
        for article in ghost.articles(data, source, drafts=options.drafts, pages=options.pages,
                                      kind=options.kind, warn=warn, scheduled=options.scheduled,
                                      protected=options.protected, skip=skip):
            yield article, None


def _is_page(path: Path) -> bool:
    try:
        return sniff(path, str(path)) == "html"
    except SourceError:
        return False


def _with_kind(article: Article, options: ImportOptions) -> Article:
    if options.kind != "article":
        article.fields["kind"] = options.kind
    return article


def _stage_one(root: Path, staging: Path, article: Article, page: Path | None, media: Media,
               options: ImportOptions, warn: Callable[[str], None],
               skip: Callable[[str, str], None]) -> Staged | None:
    """The article staged; None for an export's post with no text (skipped, and told to ``skip``)."""
    image_dir = f"images/{article.slug}"
    rendered = render_body(article, media, page, image_dir, warn)
    if not rendered.body.strip():
        if article.in_export:
            skip(article.where, f"no text in '{article.slug}'")
            return None
        raise SourceError(f"expected some article text, found none in '{article.slug}'", article.where)
    images = list(rendered.images)
    fields = dict(article.fields)
    if article.cover_url:
        try:
            cover = media.load(article.cover_url, page=page, base_url=article.base_url)
        except ImageMissing as exc:
            warn(f"{article.where}: feature image {article.cover_url[:200]!r} left out of '{article.slug}': {exc}")
        else:
            images.append((f"cover{cover.ext}", cover.data))
            fields["cover"] = f"{image_dir}/cover{cover.ext}"
    if fields.get("language") and not _LANG.match(str(fields["language"])):
        fields["language"] = str(fields["language"]).replace("_", "-")
        if not _LANG.match(fields["language"]):
            fields["language"] = ""
    ordered = {"title": fields.pop("title"), "subtitle": fields.pop("subtitle", "")}
    ordered.update({k: v for k, v in fields.items() if k != "source_url"})
    ordered["slug"] = article.slug
    ordered["source_url"] = fields.get("source_url", "")
    text = render_file(ordered, rendered.body)
    md_path = staging / f"{article.slug}.md"
    _stage_file(md_path, text.encode("utf-8"))
    staged_images = []
    for name, data in images:
        target = staging / "images" / article.slug / name
        _stage_file(target, data)
        staged_images.append((f"content/{image_dir}/{name}", target))
    return Staged(slug=article.slug, title=ordered["title"], where=article.where,
                  target=f"content/{article.slug}.md", staged=md_path, images=staged_images,
                  source_url=str(ordered["source_url"]))


def _stage_file(target: Path, data: bytes) -> None:
    # The staging folder is private to this import; its files reach content/ by os.replace (atomic) once
    # every source has been read. No temp-and-fsync per staged file: on a 5,000-post export that was
    # most of the time.
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        raise OutputError(f"cannot write the staged file: {exc.strerror or exc}", target) from exc
