"""What the studio knows of a project: publications, their status, their text as sentences
with clips, the words to check; and the builds it runs (one at a time, under the project lock).

Nothing here knows HTTP. Listening is per chapter, on demand: a chapter is scripted alone
(its segment ids are the build's: they come from block ids), its missing sentences are
synthesized through the sentence cache and each gets a small MP3 clip (``proof.clips``), so a
ten-hour book opens at the chapter list and an edited sentence can be heard as soon as its
own audio exists, before the MP3 is rebuilt. A sentence's place comes from the cached WAVs'
lengths and the script's pauses, the sums the build's timeline is made of.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrate import model as m
from narrate.artifacts import ManifestError, load_manifest
from narrate.audio.master import make_segments, plan_segments
from narrate.editions.context import PublicationContext
from narrate.editions.narration import choose_voice, part_voices, script_options
from narrate.engine.fingerprints import Fingerprints
from narrate.engine.run import BuildOptions, PublicationResult, build, read_all, resolve_formats
from narrate.errors import NarrateError, SourceError
from narrate.proof.clips import clip_rel, write_clips
from narrate.proof.flags import flag_for_voice
from narrate.sources.project import Project, discover, open_project, project_root
from narrate.speech.engines import get_engine
from narrate.speech.lexicon import Lexicon, load_lexicons
from narrate.speech.script import Script, build_script
from narrate.speech.voices import VoiceProfile
from narrate.studio import pronounce
from narrate.studio.lexfile import save_entry

Publish = Callable[[dict[str, Any]], None]  # sends an event to every open page


@dataclass
class PubStatus:
    slug: str
    title: str
    source: str
    status: str  # built | stale | not built | failed
    error: str = ""  # path:line: message
    editions: list[dict[str, str]] = field(default_factory=list)  # format, href (relative to output/)
    warnings: list[str] = field(default_factory=list)
    built_at: float | None = None  # newest edition's modification time


@dataclass
class Voice:
    profile: VoiceProfile
    voices: dict[str, tuple[VoiceProfile, Any]]
    lexicon: Lexicon
    rate: int
    warm: bool = False  # its model loaded (or being loaded) for previews


class Studio:
    def __init__(self, root: Path | str, *, output: Path | None = None, voice: str = "",
                 publish: Publish | None = None):
        self.root = project_root(root)
        self.output = (Path(output) if output is not None else self.root / "output").resolve()
        self.voice = voice
        self.publish: Publish = publish or (lambda event: None)
        self.results: dict[str, PublicationResult] = {}  # the studio's last build of each publication
        self.errors: dict[str, str] = {}  # slug → a source error seen since
        self.building = threading.Lock()
        self._voices: dict[tuple[str, str], Voice] = {}
        self._reading = threading.Lock()
        self._read: tuple[Any, list[m.Document], list[PublicationResult]] | None = None

    # ------------------------------------------------------------------ library

    def project(self) -> Project:
        return open_project(self.root)

    def documents(self) -> tuple[Project, list[m.Document], list[PublicationResult]]:
        """Every publication read (as ``engine.run.read_all`` reads them), a source read again only
        when a file under it changed: a ten-hour book is parsed once, not on every request."""
        project = self.project()
        stamp = (_stamp(self.root / "narrate.toml"), *(_stamp(source.path) for source in discover(project)))
        with self._reading:
            if self._read is None or self._read[0] != stamp:
                self._read = (stamp, *read_all(project))
            _, docs, failures = self._read
        return project, list(docs), list(failures)

    def library(self) -> tuple[list[PubStatus], list[str]]:
        """Every publication with its status, editions and warnings; and the project's warnings."""
        project, docs, failures = self.documents()
        try:
            manifest = {p.get("slug"): p for p in load_manifest(self.output)["publications"] if isinstance(p, dict)}
        except ManifestError as exc:
            manifest, project.warnings = {}, [*project.warnings, str(exc)]
        makers = resolve_formats(project.config.defaults.formats)
        prints = Fingerprints(project)
        rows = [self._status(project, doc, manifest.get(doc.meta.slug), makers, prints) for doc in docs]
        for failure in failures:
            rows.append(PubStatus(failure.slug, failure.slug, failure.source, "failed",
                                  error=str(failure.error), editions=_editions(manifest.get(failure.slug))))
        return sorted(rows, key=lambda r: r.slug), list(project.warnings)

    def _status(self, project: Project, doc: m.Document, entry: dict[str, Any] | None, makers: tuple[str, ...],
                prints: Fingerprints) -> PubStatus:
        slug = doc.meta.slug
        row = PubStatus(slug, doc.meta.title, doc.source_files[0], "not built", editions=_editions(entry))
        last = self.results.get(slug)
        if last is not None:
            row.warnings = list(last.warnings)
            if last.error is not None:
                row.status, row.error = "failed", str(last.error)
        if entry and row.status != "failed":
            voice = self.voice or doc.meta.voice or project.config.defaults.voice
            keys = {a.get("format"): a.get("key") for a in entry.get("artifacts", []) if isinstance(a, dict)}
            made = [maker for maker in makers if all(fmt in keys for fmt in _formats_of(maker))]
            try:  # an edition the manifest holds whose key no longer matches what it is made from
                current = bool(made) and all(keys.get(fmt) == prints.key(doc, maker, voice, makers)
                                             for maker in made for fmt in _formats_of(maker))
            except NarrateError:
                current = False
            row.status = "built" if current else "stale"
        times = [(self.output / e["href"]).stat().st_mtime for e in row.editions if (self.output / e["href"]).is_file()]
        row.built_at = max(times) if times else None
        return row

    def build(self, slugs: tuple[str, ...] = ()) -> None:
        """Build ``slugs`` (all when empty) under the project lock; progress goes to the pages."""
        with self.building:
            self.publish({"type": "build", "state": "started", "slugs": list(slugs)})
            try:
                report = build(self.root, BuildOptions(only=slugs, output=self.output, voice=self.voice, jobs=1),
                               _Reporter(self.publish))
            except NarrateError as exc:
                self.publish({"type": "build", "state": "failed", "message": str(exc)})
                return
            for result in report.results:
                self.results[result.slug] = result
            self.publish({"type": "build", "state": "finished", "seconds": round(report.seconds, 1),
                          "failed": [str(r.error) for r in report.failed]})

    # ------------------------------------------------------------ listening

    def document(self, slug: str) -> m.Document:
        project, docs, failures = self.documents()
        for doc in docs:
            if doc.meta.slug == slug:
                self.errors.pop(slug, None)
                return doc
        for failure in failures:
            if failure.slug == slug and failure.error is not None:
                self.errors[slug] = str(failure.error)
                raise failure.error
        raise SourceError(f"expected a publication with the slug {slug!r}, found none", self.root / "content")

    def voice_of(self, doc: m.Document) -> tuple[PublicationContext, Voice]:
        project = self.project()
        ctx = PublicationContext(doc, self.root, self.output / doc.meta.slug, project.config,
                                 self.voice or doc.meta.voice or project.config.defaults.voice, project.cache_dir)
        profile = choose_voice(ctx)
        lexicon = load_lexicons(profile.lexicons) if profile.lexicons else Lexicon()
        key = (repr(profile), ";".join(f"{p}:{p.stat().st_mtime_ns}" for p in map(Path, profile.lexicons)))
        if key not in self._voices:
            engine = get_engine(profile)
            self._voices[key] = Voice(profile, {"": (profile, engine)}, lexicon, engine.sample_rate)
        voice = self._voices[key]
        voice.lexicon = lexicon
        return ctx, voice

    def chapter_script(self, ctx: PublicationContext, voice: Voice, chapter_id: str,
                       lexicon: Lexicon | None = None) -> Script:
        """The script of one chapter alone (its ids are the whole publication's)."""
        chapter = next((c for c in ctx.doc.chapters if c.id == chapter_id), None)
        if chapter is None:
            raise KeyError(chapter_id)
        alone = dataclasses.replace(ctx.doc, chapters=(chapter,))
        script = build_script(alone, script_options(ctx, voice.profile), lexicon or voice.lexicon)
        part = next(c for c in script.chapters if c.id == chapter_id)
        return dataclasses.replace(script, chapters=(part,))

    def chapter(self, slug: str, chapter_id: str) -> dict[str, Any]:
        """A chapter's sentences with their clips (made now if missing) and places."""
        ctx, voice = self.voice_of(self.document(slug))
        return self._chapter(ctx, voice, chapter_id)

    def changed(self, paths: list[Path]) -> None:
        """Sources saved: each publication they touch gets its new sentences' audio and clips
        (pages then update), a broken one shows its error, then those publications are built."""
        try:
            project, docs, failures = self.documents()
        except NarrateError as exc:
            self.publish({"type": "error", "slug": "", "message": str(exc)})
            return
        content = project.content_dir.resolve()
        everything = any(not p.resolve().is_relative_to(content) for p in paths)
        touched = {p.resolve() for p in paths}
        hit = [d for d in docs if everything or any((self.root / s).resolve() in touched for s in d.source_files)]
        for failure in failures:
            if everything or (self.root / failure.source).resolve() in touched:
                self.errors[failure.slug] = str(failure.error)
                self.publish({"type": "error", "slug": failure.slug, "message": str(failure.error)})
        for doc in hit:
            try:
                ctx, voice = self.voice_of(doc)
                for chapter in doc.chapters:
                    self._chapter(ctx, voice, chapter.id)
            except NarrateError as exc:
                self.publish({"type": "error", "slug": doc.meta.slug, "message": str(exc)})
                continue
            self.errors.pop(doc.meta.slug, None)
            self.publish({"type": "changed", "slug": doc.meta.slug})
        if hit:
            self.build(tuple(d.meta.slug for d in hit))

    def _chapter(self, ctx: PublicationContext, voice: Voice, chapter_id: str) -> dict[str, Any]:
        slug = ctx.doc.meta.slug
        script = self.chapter_script(ctx, voice, chapter_id)
        segments = list(script.segments())
        voices = {**part_voices(ctx, script, voice.profile), **voice.voices}
        cache = self.project().cache_dir / "audio"
        plan = plan_segments(segments, voices, cache, voice.rate)
        make_segments(plan, voices, cache, voice.rate)
        write_clips(plan.final, self.output)
        at, sentences = 0.0, []
        for segment, wav in zip(segments, plan.final, strict=True):
            seconds = _seconds(wav)
            sentences.append({"id": segment.id, "block": segment.block_id, "kind": segment.kind,
                              "text": segment.text, "clip": clip_rel(wav) if wav != Path() else "",
                              "start": round(at, 3), "duration": round(seconds, 3)})
            at += seconds + segment.pause_after_ms / 1000
        return {"slug": slug, "chapter": chapter_id, "title": script.chapters[0].title, "sentences": sentences}

    # ------------------------------------------------------------ pronouncing

    def words(self, slug: str) -> tuple[m.Document, list[Any], dict[str, tuple[str, str]]]:
        """The flagged words of a publication, and segment id → (chapter id, display text)."""
        doc = self.document(slug)
        ctx, voice = self.voice_of(doc)
        where: dict[str, tuple[str, str]] = {}
        chapters = []
        for chapter in doc.chapters:
            script = self.chapter_script(ctx, voice, chapter.id)
            chapters += script.chapters
            where |= {s.id: (chapter.id, s.text) for s in script.segments()}
        whole = Script(slug, doc.meta.title, doc.meta.language, tuple(chapters))
        profile, engine = voice.voices[""]
        flagged = flag_for_voice(whole, ctx.config.proof.accept, voice.lexicon, profile, engine)
        if not voice.warm:  # the page to fix words is open: load the model now, not at the first "hear it"
            voice.warm = True
            threading.Thread(target=_warm, args=(engine,), name="narrate-studio-warm", daemon=True).start()
        return doc, flagged, where

    def hear(self, slug: str, chapter_id: str, segment_id: str, word: str, kind: str, value: str, *,
             stream: bool = False) -> pronounce.Heard:
        """One sentence said with the entry typed (none when ``value`` is blank); with ``stream`` its
        sound is made as the caller takes it, else all of it now (the clip written)."""
        ctx, voice = self.voice_of(self.document(slug))
        extra = pronounce.entry_for(word, kind, value) if value.strip() else None
        heard = pronounce.synthesize(segment_id, lambda lex: self.chapter_script(ctx, voice, chapter_id, lex),
                                     voice.lexicon, extra, voice.voices, self.project().cache_dir / "audio",
                                     voice.rate, self.output)
        return heard if stream else heard.finish()

    def save(self, slug: str, word: str, kind: str, value: str) -> Path:
        """Write the entry into the voice's first lexicon; returns that file."""
        ctx, voice = self.voice_of(self.document(slug))
        if not voice.profile.lexicons:
            raise SourceError(f"voice '{voice.profile.name}' lists no lexicon; add lexicons = [\"voices/"
                              "lexicon.toml\"] to its profile", voice.profile.source)
        path = Path(voice.profile.lexicons[0])
        save_entry(path, pronounce.entry_for(word, kind, value))
        return path


def _formats_of(maker: str) -> tuple[str, ...]:
    from narrate.editions.makers import MAKERS

    return MAKERS[maker][1]


def _editions(entry: dict[str, Any] | None) -> list[dict[str, str]]:
    return [{"format": str(a.get("format")), "href": str(a.get("path"))}
            for a in (entry or {}).get("artifacts", []) if isinstance(a, dict) and a.get("path")]


def _stamp(path: Path) -> tuple[Any, ...]:
    """What says a source changed: each of its files' name, size and modification time."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    stamps = []
    for file in files:
        try:
            info = file.stat()
        except OSError:
            continue
        stamps.append((str(file), info.st_size, info.st_mtime_ns))
    return tuple(stamps)


def _warm(engine: Any) -> None:
    """A voice that says phrases, loaded and run once (a model's first run is its slowest)."""
    try:
        for _ in engine.phrases("Ready.") if callable(getattr(engine, "phrases", None)) else ():
            pass
    except NarrateError:
        pass  # the preview itself will say what is wrong


def _seconds(wav: Path) -> float:
    if wav == Path():
        return 0.0
    try:
        with wave.open(str(wav), "rb") as w:
            return w.getnframes() / w.getframerate()
    except (OSError, EOFError, wave.Error):
        return 0.0


class _Reporter:
    """A build's progress, as events for the pages."""

    def __init__(self, publish: Publish):
        self.publish = publish
        self.last = 0.0

    def warning(self, message: str) -> None:
        self.publish({"type": "build", "state": "warning", "message": message})

    def started(self, slug: str, title: str) -> None:
        self.publish({"type": "build", "state": "publication", "slug": slug, "title": title})

    def progress(self, slug: str, done: int, total: int, audio_ms: int) -> None:
        now = time.monotonic()
        if done >= total or now - self.last > 0.25:
            self.last = now
            self.publish({"type": "build", "state": "progress", "slug": slug, "done": done, "total": total})

    def finished(self, result: PublicationResult) -> None:
        self.publish({"type": "build", "state": "done", "slug": result.slug, "ok": result.ok,
                      "error": str(result.error) if result.error else "", "built": result.built})
