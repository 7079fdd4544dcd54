"""Personal copies: "Prepared for NAME" in the EPUB, PDF, MP3 and M4B of each subscriber.

Nothing is re-encoded or re-rendered where it can be avoided:

* **EPUB**: the built EPUB's zip is patched. Every entry but the package document and the
  page holding the colophon is written once per publication into a base zip; each copy is
  that base plus the two rewritten entries (``dcterms:audience`` "Prepared for NAME" in
  the OPF, the ``prepared-for`` line in the colophon, exactly as ``write_epub`` writes them).
* **PDF**: re-rendered by ``write_pdf(prepared_for=...)`` (WeasyPrint keeps the PDF tagged;
  a stamped text overlay would not be in the structure tree). The slow one: see
  benchmarks/package.py; copies are cached, so later runs only render new subscribers.
* **MP3**: ``writers.mp3.copy_with_comment`` copies the file and has mutagen replace the
  comment frame; the audio frames and CHAP/CTOC/APIC frames are kept. (ffmpeg ``-c copy``
  was tried: it renumbers chapters, shifts their times by the 25 ms encoder delay, drops
  the CTOC title and writes the comment as TXXX, so it is not used for MP3.)
* **M4B**: ffmpeg stream copy (``-c copy -map_chapters 0``) with a new comment: chapters
  (QuickTime track and Nero ``chpl``), cover and tags survive (checked in the tests).

Comments keep the original text (the synthetic-voice disclosure) and add the note.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from narrate.artifacts import atomic_path, atomic_write, sha256_file
from narrate.audio.ffmpeg import probe, run_ffmpeg
from narrate.errors import NarrateError, PublishError
from narrate.i18n.messages import messages_for
from narrate.markup.html import colophon_section, prepared_for_line
from narrate.publish.catalog import Artifact, Publication, find_document
from narrate.sources.config import Config
from narrate.writers.mp3 import copy_with_comment, read_comment
from narrate.writers.pdf import write_pdf

VERSION = "1"  # bump when a copy's content changes for the same inputs
SUFFIX = {"epub": ".epub", "pdf": ".pdf", "mp3": ".mp3", "m4b": ".m4b"}
PERSONAL_FORMATS = tuple(SUFFIX)


def note(name: str, language: str = "en", messages: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A personal copy's "Prepared for NAME", in the publication's language."""
    return messages_for(language, messages)("prepared_for_note", name=name)


class Personalizer:
    """Makes (or reuses) personal copies; ``state`` remembers which inputs made each file."""

    def __init__(self, root: Path, config: Config, formats: tuple[str, ...], state_file: Path) -> None:
        unknown = [f for f in formats if f not in SUFFIX]
        if unknown:
            raise PublishError(f"expected [subscribers] personal_formats from {', '.join(SUFFIX)}, found "
                               f"{', '.join(unknown)}", config.path or root)
        self.root, self.config, self.formats = root, config, formats
        self.state_file = state_file
        self.state = _load_state(state_file)
        self.used: dict[str, tuple[str, str]] = {}
        self._scratch = tempfile.TemporaryDirectory(prefix="narrate-personal-")
        self._epubs: dict[str, _EpubTemplate] = {}
        self._docs: dict[str, object] = {}
        self._comments: dict[str, str] = {}

    def close(self) -> None:
        atomic_write(self.state_file, json.dumps(self.used, indent=0, sort_keys=True) + "\n")
        self._scratch.cleanup()

    def jobs(self, pub: Publication, folder: Path) -> list[tuple[str, Artifact, Path]]:
        """(format, artifact, target) for each personal copy of ``pub``."""
        return [(fmt, pub.artifacts[fmt], folder / pub.slug / pub.artifacts[fmt].name)
                for fmt in self.formats if fmt in pub.artifacts]

    def key(self, fmt: str, artifact: Artifact, name: str) -> str:
        return hashlib.sha256("\0".join((VERSION, fmt, artifact.sha256, name)).encode("utf-8")).hexdigest()

    def reuse(self, rel: str, key: str, target: Path) -> bool:
        """Whether ``target`` already holds the copy ``key`` describes; if so it is kept."""
        known = self.state.get(rel)
        if known and known[0] == key and target.is_file():
            self.used[rel] = known
            return True
        return False

    def record(self, rel: str, key: str, target: Path) -> None:
        self.used[rel] = (key, sha256_file(target))

    def sha256(self, rel: str) -> str:
        return self.used[rel][1]

    def make(self, pub: Publication, fmt: str, artifact: Artifact, name: str, target: Path) -> None:
        if fmt == "epub":
            self._epub(pub, artifact).write(target, name)
        elif fmt == "pdf":
            self._pdf(pub, target, name)
        elif fmt == "mp3":
            copy_with_comment(artifact.path, target, f"{self._comment(artifact)} {self._note(pub, name)}.".strip())
        elif fmt == "m4b":
            self._m4b(artifact, target, self._note(pub, name))

    def prepare(self, pub: Publication) -> None:
        """Per-publication work done once, before copies are made in parallel."""
        if "epub" in self.formats and "epub" in pub.artifacts:
            self._epub(pub, pub.artifacts["epub"])
        for fmt in ("mp3", "m4b"):
            if fmt in self.formats and fmt in pub.artifacts:
                self._comment(pub.artifacts[fmt])

    # -------------------------------------------------------------- formats

    def _epub(self, pub: Publication, artifact: Artifact) -> _EpubTemplate:
        if pub.slug not in self._epubs:
            self._epubs[pub.slug] = _EpubTemplate(artifact.path, Path(self._scratch.name) / f"{pub.slug}.base.zip",
                                                  pub.language, self.config.messages)
        return self._epubs[pub.slug]

    def _pdf(self, pub: Publication, target: Path, name: str) -> None:
        if pub.slug not in self._docs:
            self._docs[pub.slug] = self._document(pub)
        try:
            write_pdf(self._docs[pub.slug], self.root, target, page_size=self.config.pdf.page_size,  # type: ignore[arg-type]
                      prepared_for=name)
        except NarrateError as exc:
            raise PublishError(f"cannot render the personal PDF: {exc}", target) from exc

    def _document(self, pub: Publication) -> object:
        doc = find_document(self.root, pub)
        if doc is None:
            raise PublishError(f"expected the source {pub.source!r} of {pub.slug!r}, found none", self.root)
        return doc

    def _comment(self, artifact: Artifact) -> str:
        key = str(artifact.path)
        if key not in self._comments:
            if artifact.format == "mp3":
                self._comments[key] = read_comment(artifact.path)
            else:
                tags = probe(artifact.path, "format_tags=comment").get("format", {}).get("tags", {})
                self._comments[key] = str(tags.get("comment", ""))
        return self._comments[key]

    def _note(self, pub: Publication, name: str) -> str:
        return note(name, pub.language, self.config.messages)

    def _m4b(self, artifact: Artifact, target: Path, prepared: str) -> None:
        comment = f"{self._comment(artifact)} {prepared}.".strip()
        with atomic_path(target) as tmp:
            run_ffmpeg(["-y", "-i", str(artifact.path), "-map", "0:a", "-map", "0:v?", "-c", "copy",
                        "-map_metadata", "0", "-map_chapters", "0", "-disposition:v:0", "attached_pic",
                        "-metadata", f"comment={comment}", "-bitexact", "-f", "ipod", str(tmp)],
                       what="copy the M4B with a personal comment", path=target)


def _load_state(path: Path) -> dict[str, tuple[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): (str(v[0]), str(v[1])) for k, v in data.items() if isinstance(v, list) and len(v) == 2}


class _EpubTemplate:
    """The built EPUB split into a base zip (unchanged entries) and the two entries each copy rewrites."""

    def __init__(self, epub: Path, base: Path, language: str = "en",
                 messages: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.epub = epub
        self.language, self.messages = language, messages
        try:
            with zipfile.ZipFile(epub) as zf:
                self.opf_name = _opf_name(zf)
                # The colophon's page; with no colophon (nothing to say), the page write_epub would
                # have put it on: the title page's, else the article's.
                xhtml = [i for i in zf.infolist() if i.filename.endswith(".xhtml")]
                self.page_name = next((i.filename for marker in (b'id="colophon"', b'id="titlepage"', b'id="article"')
                                       for i in xhtml if marker in zf.read(i)), "")
                if not self.page_name:
                    raise PublishError("expected a colophon, title page or article page in the EPUB, found none",
                                       epub)
                self.opf = zf.read(self.opf_name).decode("utf-8")
                self.page = zf.read(self.page_name).decode("utf-8")
                self.infos = {i.filename: i for i in zf.infolist()}
                with zipfile.ZipFile(base, "w") as out:
                    for info in zf.infolist():
                        if info.filename not in (self.opf_name, self.page_name):
                            out.writestr(info, zf.read(info), compress_type=info.compress_type)
        except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
            raise PublishError(f"cannot read the EPUB to make personal copies ({exc})", epub) from exc
        self.base = base

    def write(self, target: Path, name: str) -> None:
        esc = html.escape(name, quote=False)
        audience = (f'<meta property="dcterms:audience">'
                    f'{html.escape(note(name, self.language, self.messages), quote=False)}</meta>')
        opf = self.opf.replace("</metadata>", f"  {audience}\n  </metadata>", 1)
        page = _insert_prepared_for(self.page, esc, self.language, self.messages)
        with atomic_path(target) as tmp:
            shutil.copyfile(self.base, tmp)
            with zipfile.ZipFile(tmp, "a") as zf:
                for entry, text in ((self.opf_name, opf), (self.page_name, page)):
                    info = self.infos[entry]
                    zf.writestr(_clone(info), text.encode("utf-8"), compress_type=info.compress_type)


def _clone(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.create_system, copy.external_attr = info.create_system, info.external_attr
    return copy


def _opf_name(zf: zipfile.ZipFile) -> str:
    found = re.search(rb'full-path="([^"]+)"', zf.read("META-INF/container.xml"))
    if not found:
        raise KeyError("META-INF/container.xml names no package document")
    return found.group(1).decode("utf-8")


def _insert_prepared_for(page: str, escaped_name: str, language: str = "en",
                         messages: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The "Prepared for" line at the colophon's end, or a colophon holding it where write_epub puts one."""
    line = prepared_for_line(escaped_name, language, messages)
    if 'id="colophon"' not in page:
        end = page.rindex("</body>")
        return page[:end] + colophon_section([line], language=language, overrides=messages) + "\n" + page[end:]
    start = page.index('id="colophon"')
    end = page.index("</section>", start)
    return page[:end] + line + "\n" + page[end:]
