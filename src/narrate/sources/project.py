"""A publication project: finds sources, orders chapters, resolves assets.

``content/**/*.md`` files are articles, except inside a folder holding a
``book.toml``: that folder is one book and its ``.md`` files are chapters
(order from book.toml's ``front``/``chapters``/``back`` lists, else by file
name). Assets resolve inside the project only: a remote URL, an absolute
path, or a path (or symlink) leading outside the project is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrate import model as m
from narrate.artifacts import source_date_epoch
from narrate.errors import ConfigError, SourceError
from narrate.imaging import image_info
from narrate.sources import frontmatter, reader
from narrate.sources.config import Config, load_config, read_toml
from narrate.sources.transliterate import ascii_text

MAX_SOURCE_BYTES = 20 * 1024 * 1024
IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"GIF87a": "gif", b"GIF89a": "gif"}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
BOOK_KEYS = set(frontmatter.FIELDS) | {"front", "chapters", "back"}


@dataclass(frozen=True)
class Source:
    """One publication's source: an article file or a book folder."""

    kind: str  # "article" | "book"
    path: Path  # the .md file, or the book folder

    def rel(self, root: Path) -> str:
        return self.path.relative_to(root).as_posix()


@dataclass
class Project:
    root: Path
    config: Config
    warnings: list[str] = field(default_factory=list)
    single: Path | None = None  # a Markdown file used on its own: the project is that one article
    selected: Path | None = None  # a source inside content/ named on the command line: build only it

    @property
    def content_dir(self) -> Path:
        return self.root if self.single else self.root / "content"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".narrate" / "cache"

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def open_project(root: Path | str) -> Project:
    """A project folder, or a Markdown file (as pandoc users expect).

    A file inside a project's ``content/`` opens that project with only the file selected;
    any other file is a project of its own: its folder is the root (a ``narrate.toml``
    beside it applies, else the defaults) and editions go to ``output/`` beside it.
    """
    root = Path(root).resolve()
    if root.is_file():
        return _open_file(root)
    if not root.is_dir():
        raise ConfigError("expected a project folder or a Markdown file, found neither", root)
    config = load_config(root)
    project = Project(root, config, list(config.warnings))
    if not project.content_dir.is_dir():
        raise ConfigError("expected a content/ folder with Markdown files, found none", root)
    if not Path(os.path.realpath(project.content_dir)).is_relative_to(root):
        raise ConfigError("expected a content/ folder inside the project, found a symlink leading outside it "
                          "(a build reads nothing outside the project)", project.content_dir)
    return project


def project_root(target: Path | str) -> Path:
    """The root of the project ``target`` names: a project folder, the project whose
    ``content/`` holds a Markdown file, or a Markdown file's own folder (see ``open_project``)."""
    path = Path(target).resolve()
    if path.is_dir():
        return path
    if not path.is_file():
        raise ConfigError("expected a project folder or a Markdown file, found neither", path)
    if path.suffix.lower() not in (".md", ".markdown"):
        raise ConfigError("expected a project folder or a Markdown file (.md), found another kind of file", path)
    for parent in path.parents:
        if (parent / "content").is_dir() and path.is_relative_to(parent / "content"):
            return parent
    return path.parent


def _open_file(path: Path) -> Project:
    root = project_root(path)
    if root != path.parent:  # inside a project's content/
        project = open_project(root)
        project.selected = path
        return project
    config = load_config(root)
    return Project(root, config, list(config.warnings), single=path)


def discover(project: Project) -> list[Source]:
    """Every publication source under content/, in a stable order."""
    if project.single:
        return [Source("article", project.single)]
    content = project.content_dir
    try:
        books = sorted(p.parent for p in content.rglob("book.toml") if not _hidden(p, content))
        markdown = sorted(content.rglob("*.md"))
    except OSError as exc:  # a folder that vanished or cannot be listed while it is walked
        where = project.rel(Path(exc.filename)) if exc.filename else project.rel(content)
        raise SourceError(f"expected a readable folder, found {exc.strerror or exc}", where) from exc
    sources = [Source("book", b) for b in books]
    for md in markdown:
        if _hidden(md, content):
            continue
        owner = next((b for b in books if md.is_relative_to(b)), None)
        if owner is None:
            sources.append(Source("article", md))
        elif md.parent != owner:
            project.warnings.append(
                f"{project.rel(md)}: inside book folder {project.rel(owner)} but not at its top level (ignored)")
    sources.sort(key=lambda s: s.path.as_posix())
    return sources


def _hidden(path: Path, base: Path) -> bool:
    return any(part.startswith((".", "_")) for part in path.relative_to(base).parts)


# ------------------------------------------------------------------ reading


def read_text(path: Path, project: Project) -> str:
    rel = project.rel(path)
    _inside(project, path, rel, None)
    try:
        if not path.is_file():  # a pipe or a device would block or never end
            raise SourceError("expected a regular file, found a special file (pipe, device or socket)", rel)
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise SourceError(f"expected a source under {MAX_SOURCE_BYTES // 2**20} MB, found a larger file", rel)
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror}", rel) from exc
    try:
        return data.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(f"expected UTF-8 text, found the byte 0x{data[exc.start]:02x} (save the file as UTF-8)",
                          rel, line) from exc


def _inside(project: Project, path: Path, rel: str, line: int | None) -> Path:
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(project.root):
        raise SourceError("expected a file inside the project, found a path (or symlink) leading outside it",
                          rel, line)
    return real


def asset_resolver(project: Project, md_path: Path) -> reader.AssetResolver:
    def resolve(src: str, pos: m.SourcePos) -> str:
        if not src:
            raise SourceError("expected an image path, found an empty one", pos.path, pos.line)
        if _SCHEME.match(src) or src.startswith("//"):
            raise SourceError(f"remote or non-file images are not allowed (nothing is fetched), found {src!r}; "
                              "copy the image into the project", pos.path, pos.line)
        if src.startswith("/") or src.startswith("\\"):
            raise SourceError(f"expected a path relative to the Markdown file, found the absolute path {src!r}",
                              pos.path, pos.line)
        target = (md_path.parent / src.split("#")[0].split("?")[0])
        real = Path(os.path.realpath(target))
        if not real.is_relative_to(project.root):
            raise SourceError(f"image {src!r} leads outside the project (refused)", pos.path, pos.line)
        if not real.exists():
            raise SourceError(f"image {src!r} not found", pos.path, pos.line)
        if not real.is_file():
            raise SourceError(f"image {src!r} is not a regular file", pos.path, pos.line)
        if sniff_image(real) is None:
            raise SourceError(f"image {src!r} is not a PNG, JPEG or GIF file", pos.path, pos.line)
        image_info(real, pos.path, pos.line)  # refuses an image too large to decode, naming the line
        return real.relative_to(project.root).as_posix()

    return resolve


def sniff_image(path: Path) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(8)
    return next((kind for sig, kind in IMAGE_SIGNATURES.items() if head.startswith(sig)), None)


# ------------------------------------------------------------------ documents


def load_document(project: Project, source: Source) -> m.Document:
    """Read one source into a Document. Raises SourceError on bad input."""
    if source.kind == "book":
        return _load_book(project, source.path)
    return _load_article(project, source.path)


def _load_article(project: Project, path: Path) -> m.Document:
    rel = project.rel(path)
    fm = frontmatter.parse(read_text(path, project), rel)
    project.warnings.extend(fm.warnings)
    resolve = asset_resolver(project, path)
    split = fm.fields.get("kind", "article") == "article"
    chapters = reader.parse_body(fm.body, path=rel, first_line=fm.body_line, title=fm.fields["title"],
                                 split_sections=split, resolve_asset=resolve, warnings=project.warnings)
    if not any(ch.blocks for ch in chapters):
        raise SourceError("expected some text after the front matter, found none", rel, fm.body_line)
    meta = _meta(project, fm.fields, path.stem, "article", [path], resolve, rel, fm.lines)
    return m.Document(meta, tuple(chapters), (rel,), single_file=True, key_lines=dict(fm.lines),
                      messages=project.config.messages)


def _load_book(project: Project, folder: Path) -> m.Document:
    toml_path = folder / "book.toml"
    rel_toml = project.rel(toml_path)
    _inside(project, toml_path, rel_toml, None)
    data = read_toml(toml_path)
    fields = _book_fields(data, rel_toml, project)
    files = _book_files(project, folder, data, rel_toml)
    chapters: list[m.Chapter] = []
    for role, path in files:
        rel = project.rel(path)
        fm = frontmatter.parse(read_text(path, project), rel)
        project.warnings.extend(fm.warnings)
        parsed = reader.parse_body(fm.body, path=rel, first_line=fm.body_line, title=fm.fields["title"],
                                   split_sections=False, resolve_asset=asset_resolver(project, path),
                                   warnings=project.warnings, first_chapter=len(chapters) + 1)
        if not any(ch.blocks for ch in parsed):
            raise SourceError("expected some text in this chapter, found none", rel, fm.body_line)
        for ch in parsed:
            chapters.append(m.Chapter(ch.id, ch.title, ch.heading, ch.blocks, ch.footnotes,
                                      m.SourcePos(rel, 1), role, fm.fields.get("epub_type", "")))
    resolve = asset_resolver(project, toml_path)
    meta = _meta(project, fields, folder.name, "book", [toml_path] + [p for _, p in files], resolve,
                 rel_toml, {})
    sources = (rel_toml,) + tuple(project.rel(p) for _, p in files)
    return m.Document(meta, tuple(chapters), sources, single_file=False, messages=project.config.messages)


def _book_fields(data: dict[str, Any], rel: str, project: Project) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in BOOK_KEYS:
            project.warnings.append(f"{rel}: unknown key '{key}' (ignored)")
        elif key in frontmatter.FIELDS:
            out[key] = frontmatter.check_field(key, value, rel, None)
    if not out.get("title"):
        raise SourceError("expected a 'title' in book.toml, found none", rel)
    return out


def _book_files(project: Project, folder: Path, data: dict[str, Any], rel: str) -> list[tuple[str, Path]]:
    present = sorted(p for p in folder.glob("*.md") if not p.name.startswith((".", "_")))
    if not any(k in data for k in ("front", "chapters", "back")):
        if not present:
            raise SourceError("expected chapter .md files beside book.toml, found none", rel)
        return [("body", p) for p in present]
    listed: list[tuple[str, Path]] = []
    for key, role in (("front", "front"), ("chapters", "body"), ("back", "back")):
        names = data.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise SourceError(f"'{key}' must be a list of file names, found {names!r}", rel)
        for name in names:
            path = folder / name
            if "/" in name or "\\" in name or not path.is_file():
                raise SourceError(f"'{key}' lists {name!r}, but no such file is beside book.toml", rel)
            listed.append((role, path))
    if not any(role == "body" for role, _ in listed):
        raise SourceError("expected at least one file in 'chapters', found none", rel)
    seen = {p for _, p in listed}
    for p in present:
        if p not in seen:
            project.warnings.append(f"{project.rel(p)}: not listed in {rel} (left out of the book)")
    return listed


def _meta(project: Project, f: dict[str, Any], stem: str, kind: str, paths: list[Path],
          resolve: reader.AssetResolver, rel: str, lines: dict[str, int]) -> m.Meta:
    cfg = project.config
    slug = f.get("slug") or slugify(stem)
    authors = tuple(f.get("authors") or ([f["author"]] if f.get("author") else []))
    if not authors and cfg.defaults.author:
        authors = (cfg.defaults.author,)
    cover = resolve(f["cover"], m.SourcePos(rel, lines.get("cover"))) if f.get("cover") else ""
    namespace = cfg.identifier.namespace or cfg.publisher.website or cfg.publisher.name or "narrate"
    identifier = f.get("identifier") or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{namespace}/{slug}')}"
    return m.Meta(
        title=f["title"], slug=slug, language=f.get("language") or cfg.defaults.language or "en",
        identifier=identifier, kind=kind,  # type: ignore[arg-type]
        subtitle=f.get("subtitle", ""), authors=authors,
        publisher=f.get("publisher") or cfg.publisher.name, publisher_url=cfg.publisher.website,
        date=f.get("date"), description=f.get("description", ""), tags=tuple(f.get("tags", ())),
        cover=cover, rights=f.get("rights") or cfg.defaults.rights,
        accessibility_summary=f.get("accessibility_summary", ""), voice=f.get("voice") or cfg.defaults.voice,
        conforms_to=cfg.accessibility.conforms_to, certified_by=cfg.accessibility.certified_by,
        modified=modified_time(paths),
    )


def modified_time(paths: list[Path]) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the newest source's mtime."""
    seconds = source_date_epoch()
    if seconds is None:
        seconds = max((int(p.stat().st_mtime) for p in paths), default=0)
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)


def slugify(text: str) -> str:
    """The URL-safe slug of a file or folder name: its ASCII letters and digits, lowercased.

    A name with none ("é日本", "Καλημέρα") is transliterated (Unidecode: "ri-ben", "kalemera"), so two
    such files no longer both become "untitled"; a name that gives nothing even then (emoji) keeps a
    short hash of itself. Names that already give a slug keep it unchanged (their identifiers too)."""
    slug = _slug_chars(text)
    if slug:
        return slug
    if not text:
        return "untitled"
    slug = _slug_chars(ascii_text(text))[:80].strip("-")
    name = text.encode("utf-8", "replace")  # a lone surrogate (an undecodable file name) hashes too
    return slug or f"untitled-{hashlib.sha256(name).hexdigest()[:8]}"


def _slug_chars(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
