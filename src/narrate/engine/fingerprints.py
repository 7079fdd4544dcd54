"""Fingerprints that decide whether an artifact can be reused.

Each maker's key hashes exactly what that maker reads, and nothing else:

* every maker: narrate's own code and templates, the publication's metadata (its
  modification time only when ``SOURCE_DATE_EPOCH`` sets it: a file time is not
  content, so ``touch`` rebuilds nothing) and the maker's name;
* the cover: the cover image, if the publication names one;
* the other editions: the source files, the images and the cover image (by content);
* ``pdf``/``pdf-large``: narrate.toml's ``[pdf]`` table and WeasyPrint's version;
  ``epub``: ebooklib's version; every edition but the cover: narrate.toml's ``[messages.*]``;
* narrated editions (mp3, m4b, transcript, epub-readaloud): narrate.toml's
  ``[narration]`` table, the resolved voice profile's settings, every lexicon it
  uses (wherever in the project it lives), the engine's ``cache_key()`` (engine and
  voice-model versions, model file hash, settings), mutagen's and ffmpeg's versions.

So a ``[feed]`` change in narrate.toml, or an unrelated file in ``voices/``, rebuilds no
edition; an edited lexicon or a new engine version rebuilds the narrated ones.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.metadata
import json
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from narrate import __version__
from narrate import model as m
from narrate.artifacts import atomic_write, hash_parts, sha256_file
from narrate.editions.context import page_list
from narrate.editions.makers import MAKERS
from narrate.errors import NarrateError
from narrate.sources.project import Project

_LIBRARIES = {"epub": ("ebooklib",), "pdf": ("weasyprint", "pikepdf"), "pdf-large": ("weasyprint", "pikepdf"),
              "mp3": ("mutagen",), "m4b": ("mutagen",), "epub-readaloud": ("ebooklib", "mutagen")}


class Fingerprints:
    """Keys for one build: the voice part is worked out once per voice name."""

    def __init__(self, project: Project):
        self.project = project
        self._voices: dict[str, str] = {}

    def key(self, doc: m.Document, maker: str, voice: str, makers: tuple[str, ...] = ()) -> str:
        """``maker``'s key for ``doc``: exactly what it reads (``makers``: the build's formats,
        since an EPUB carries the print PDF's page-list only when that PDF is built too)."""
        parts: list[bytes | str] = [__version__, _code_hash(), maker, _meta(doc.meta)]
        parts += [f"{lib}=={_version(lib)}" for lib in _LIBRARIES.get(maker, ())]
        files = [doc.meta.cover] if maker == "cover" else _files(doc)
        for rel in files:
            if rel:
                parts += [rel, sha256_file(self.project.root / rel)]
        if maker == "pdf-large":  # an image's larger rendition (writers/pdf.py) is read too
            for rel in filter(None, files):
                larger = Path(rel).with_name(f"{Path(rel).stem}.large{Path(rel).suffix}")
                if Path(rel).suffix and (self.project.root / larger).is_file():
                    parts += [larger.as_posix(), sha256_file(self.project.root / larger)]
        config = self.project.config
        if maker in ("pdf", "pdf-large"):
            parts.append(repr(config.pdf))
        if maker in ("epub", "epub-readaloud"):
            parts.append(repr(config.epub))
            if page_list(makers):
                parts += ["page-list", repr(config.pdf)]
        if MAKERS[maker][2]:  # narrated
            parts += [repr(config.narration), self.voice(voice), _ffmpeg_version(self.project.cache_dir)]
        if maker != "cover" and config.messages:  # [messages.<lang>]: narrate's own words, spoken and printed
            parts.append(repr(sorted((lang, sorted(words.items())) for lang, words in config.messages.items())))
        return hash_parts(*parts)

    def voice(self, voice: str) -> str:
        if voice not in self._voices:
            self._voices[voice] = voice_key(self.project, voice)
        return self._voices[voice]


def _meta(meta: m.Meta) -> str:
    # The voice is keyed through the resolved profile (narrated makers only); the file
    # time is not content. SOURCE_DATE_EPOCH, when set, is the modified time: keep it.
    keep_modified = os.environ.get("SOURCE_DATE_EPOCH", "").strip() != ""
    return repr(dataclasses.replace(meta, voice="", modified=meta.modified if keep_modified else None))


def _files(doc: m.Document) -> list[str]:
    return list(doc.source_files) + sorted({src for src, _ in m.images(doc)} | ({doc.meta.cover} - {""}))


def voice_key(project: Project, voice: str) -> str:
    """What a narrated edition reads of its voice: profile settings, lexicons, engine key."""
    from narrate.speech.engines import get_engine
    from narrate.speech.voices import get_profile, load_profiles

    try:
        profile = get_profile(load_profiles(project.root), voice or None)
        engine_key = get_engine(profile).cache_key()
    except NarrateError as exc:  # the build reports it; any key will do for a failing edition
        return hash_parts("unusable voice", voice, str(exc))
    settings = dataclasses.replace(profile, source=None, root=None, lexicons=())
    parts: list[bytes | str] = [repr(settings), engine_key]
    for lexicon in profile.lexicons:
        parts += [project.rel(lexicon), lexicon.read_bytes()]
    return hash_parts(*parts)


_CODE: str | None = None


def _code_hash() -> str:
    """A hash of narrate itself (modules and templates): a changed narrate rebuilds everything."""
    global _CODE
    if _CODE is None:
        base = Path(str(resources.files("narrate")))  # the whole package, wherever this module sits
        parts: list[bytes | str] = []
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".css", ".html", ".xml", ".j2", ".xhtml"):
                parts += [path.relative_to(base).as_posix(), path.read_bytes()]
        _CODE = hash_parts(*parts)
    return _CODE


@functools.cache
def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@functools.cache
def _ffmpeg_version(cache_dir: Path) -> str:
    """ffmpeg's version line, remembered in the cache for the binary it came from (its path, size,
    modification time and inode): asking ``ffmpeg -version`` cost every build about a second of
    wall time on a busy machine, loading ffmpeg's libraries, before any edition was made."""
    binary = shutil.which("ffmpeg")
    if binary is None:
        return "no ffmpeg"  # the build says so itself
    try:
        st = os.stat(binary)
    except OSError:
        return "ffmpeg: unknown"
    stamp = f"{os.path.realpath(binary)}|{st.st_size}|{st.st_mtime_ns}|{st.st_ino}"
    memo = Path(cache_dir) / "ffmpeg-version.json"
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
        if isinstance(known, dict) and known.get("binary") == stamp and isinstance(known.get("version"), str):
            return known["version"]
    except (OSError, ValueError):
        pass
    try:
        done = subprocess.run([binary, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "ffmpeg: unknown"
    version = (done.stdout.splitlines() or ["ffmpeg: unknown"])[0]
    if done.returncode == 0 and done.stdout:
        with contextlib.suppress(OSError):
            memo.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(memo, json.dumps({"binary": stamp, "version": version}).encode("utf-8"))
    return version
