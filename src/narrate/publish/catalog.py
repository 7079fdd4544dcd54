"""What was built: publications and their artifacts, read from output/manifest.json.

Metadata the manifest does not carry (date, description, rights, authors, the
accessibility summary, the identifier) comes from the built EPUB's package document;
without an EPUB, from the project's sources via ``narrate.sources.project``.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from narrate import model as m
from narrate.artifacts import MANIFEST, ManifestError, load_manifest, sha256_file, source_date_epoch
from narrate.errors import NarrateError, PublishError
from narrate.sources.project import discover, load_document, open_project

OPF_NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
# Distributed formats, in the order pages and READMEs list them.
EDITIONS = ("epub", "epub-readaloud", "pdf", "pdf-large", "mp3", "m4b", "transcript-html", "transcript",
            "chapters")


@dataclass(frozen=True)
class Artifact:
    format: str
    path: Path  # absolute, under output/
    name: str  # file name
    bytes: int
    sha256: str
    duration_s: float | None = None


@dataclass
class Publication:
    slug: str
    title: str
    language: str
    kind: str
    source: str
    artifacts: dict[str, Artifact]
    identifier: str = ""
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    modified: dt.datetime | None = None
    description: str = ""
    rights: str = ""
    summary: str = ""
    chapters: list[tuple[float, str]] = field(default_factory=list)
    narrator: str = ""  # as the audio editions credit it (the manifest's "narrator")
    tags: tuple[str, ...] = ()  # front matter's tags (the EPUB's dc:subject)
    first_built: dt.datetime | None = None  # the manifest's "first_built": when narrate first built it

    @property
    def editions(self) -> list[Artifact]:
        return [self.artifacts[f] for f in EDITIONS if f in self.artifacts]

    @property
    def duration_s(self) -> float | None:
        audio = self.artifacts.get("mp3") or self.artifacts.get("m4b")
        return audio.duration_s if audio else None

    @property
    def published(self) -> dt.datetime:
        """When the publication appeared: its date, else when it was first built (recorded in the
        manifest), else SOURCE_DATE_EPOCH, else the epoch; never a file's modification time, which
        moves on every checkout (a podcast app would list the episode as new again)."""
        if self.date:
            return dt.datetime(self.date.year, self.date.month, self.date.day, tzinfo=dt.UTC)
        return self.first_built or source_date() or dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


def source_date() -> dt.datetime | None:
    epoch = source_date_epoch()
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def load_publications(root: Path, output: Path) -> list[Publication]:
    path = output / MANIFEST
    try:
        entries = load_manifest(output, missing_ok=False)["publications"]
    except ManifestError as exc:
        raise PublishError(exc.message, exc.path) from None
    if not entries:
        raise PublishError("expected at least one built publication, found none (run `narrate build`)", path)
    pubs = [_publication(output, path, entry) for entry in entries]
    for pub in pubs:
        _describe(root, pub)
    return sorted(pubs, key=lambda p: (p.published, p.slug), reverse=True)


def _publication(output: Path, manifest: Path, entry: dict[str, Any]) -> Publication:
    slug = str(entry.get("slug", ""))
    if not slug or "/" in slug or slug.startswith("."):
        raise PublishError(f"expected a publication slug, found {slug!r}", manifest)
    artifacts = {}
    for item in entry.get("artifacts", []):
        file = (output / str(item.get("path", ""))).resolve()
        if not file.is_relative_to(output.resolve()) or not file.is_file():
            raise PublishError(f"expected the built file {item.get('path')!r}, found none (run `narrate build`)",
                               manifest)
        if file.stat().st_size != item.get("bytes"):
            raise PublishError(f"{item.get('path')} changed since the build (run `narrate build`)", manifest)
        artifacts[str(item["format"])] = Artifact(str(item["format"]), file, file.name, int(item["bytes"]),
                                                  str(item["sha256"]), item.get("duration_s"))
    narrator = next((str(item["narrator"]) for item in entry.get("artifacts", [])
                     if item.get("format") in ("mp3", "m4b") and item.get("narrator")), "")
    return Publication(slug, str(entry.get("title", slug)), str(entry.get("language", "en")),
                       str(entry.get("kind", "article")), str(entry.get("source", "")), artifacts,
                       narrator=narrator, first_built=_instant(entry.get("first_built")))


def _instant(value: Any) -> dt.datetime | None:
    """A manifest's UTC time ("2026-12-07T01:35:00Z"), None when absent or unreadable."""
    try:
        when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return when.replace(tzinfo=dt.UTC) if when is not None and when.tzinfo is None else when


def _describe(root: Path, pub: Publication) -> None:
    epub = pub.artifacts.get("epub") or pub.artifacts.get("epub-readaloud")
    if epub is not None:
        _from_opf(pub, epub.path)
    else:
        _from_sources(root, pub)
    chapters = pub.artifacts.get("chapters")
    if chapters is not None:
        try:
            data = json.loads(chapters.path.read_text(encoding="utf-8"))
            pub.chapters = [(float(c["startTime"]), str(c["title"])) for c in data["chapters"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PublishError(f"expected JSON chapters (podcast namespace 1.2), found an error ({exc})",
                               chapters.path) from exc


def _from_opf(pub: Publication, path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            container = ET.fromstring(zf.read("META-INF/container.xml"))
            opf_path = next(e.get("full-path") for e in container.iter() if e.tag.endswith("rootfile"))
            opf = ET.fromstring(zf.read(str(opf_path)))
    except (OSError, KeyError, StopIteration, zipfile.BadZipFile, ET.ParseError) as exc:
        raise PublishError(f"expected an EPUB with a package document, found an error ({exc})", path) from exc
    meta = opf.find("opf:metadata", OPF_NS)
    if meta is None:
        raise PublishError("expected <metadata> in the EPUB's package document, found none", path)

    def dc(name: str) -> list[ET.Element]:
        return meta.findall(f"dc:{name}", OPF_NS)

    def prop(name: str) -> str:
        found = [e.text or "" for e in meta.findall("opf:meta", OPF_NS) if e.get("property") == name]
        return found[0].strip() if found else ""

    text = {name: (dc(name)[0].text or "").strip() if dc(name) else "" for name in
            ("identifier", "description", "rights", "date")}
    pub.identifier, pub.description, pub.rights = text["identifier"], text["description"], text["rights"]
    pub.authors = tuple((e.text or "").strip() for e in dc("creator"))
    pub.tags = tuple((e.text or "").strip() for e in dc("subject") if (e.text or "").strip())
    pub.subtitle = next(((e.text or "").strip() for e in dc("title") if e.get("id") == "subtitle"), "")
    pub.summary = prop("schema:accessibilitySummary")
    pub.date = _date(text["date"])
    modified = prop("dcterms:modified")
    if modified:
        try:
            pub.modified = dt.datetime.fromisoformat(modified.replace("Z", "+00:00"))
        except ValueError:
            pub.modified = None


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def find_document(root: Path, pub: Publication) -> m.Document | None:
    """The publication's document, read from the project's sources (matched by source path, then slug)."""
    try:
        project = open_project(root)
        sources = discover(project)
        wanted = Path(pub.source).parent.as_posix() if pub.source.endswith("book.toml") else pub.source
        for source in sorted(sources, key=lambda s: project.rel(s.path) != wanted):
            doc = load_document(project, source)
            if doc.meta.slug == pub.slug:
                return doc
    except NarrateError as exc:
        raise PublishError(f"cannot read the sources of {pub.slug!r}: {exc}", pub.source or root) from exc
    return None


def _from_sources(root: Path, pub: Publication) -> None:
    doc = find_document(root, pub)
    if doc is None:
        return
    meta = doc.meta
    pub.identifier, pub.subtitle, pub.authors, pub.tags = meta.identifier, meta.subtitle, meta.authors, meta.tags
    pub.date, pub.modified = meta.date, meta.modified
    pub.description, pub.rights, pub.summary = meta.description, meta.rights, meta.accessibility_summary


def verify(artifact: Artifact) -> None:
    """Fail if a file's content no longer matches the manifest (edited after the build)."""
    if sha256_file(artifact.path) != artifact.sha256:
        raise PublishError("changed since the build: its sha256 differs from the manifest (run `narrate build`)",
                           artifact.path)
