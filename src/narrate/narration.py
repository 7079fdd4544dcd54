"""The narration path of a build: voice → script → audio → audio editions.

``render_publication`` runs once per publication (cached per sentence by
``audio.render``); the MP3, M4B, transcripts and read-along EPUB all come
from that one rendering, so their chapter times agree to the millisecond.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import model as m
from .audio import render
from .audio_ffmpeg import tool
from .audio_synth import synthesize_missing
from .audio_timeline import Rendered
from .config import Config
from .editions import Made, PublicationContext
from .errors import NarrateError, SpeechError
from .speech.engines import get_engine
from .speech.lexicon import load_lexicons
from .speech.script import Script, ScriptOptions, build_script
from .speech.voices import VoiceProfile, check_usable, get_profile, load_profiles
from .writers import AudioMeta
from .writers.m4b import write_m4b
from .writers.mp3 import write_mp3
from .writers.transcript import write_transcripts as _write_transcripts


@dataclass(frozen=True)
class Narration:
    script: Script
    rendered: Rendered
    profile: VoiceProfile

    @property
    def duration_s(self) -> float:
        return round(self.rendered.timeline.duration_ms / 1000, 3)


def choose_voice(ctx: PublicationContext) -> VoiceProfile:
    profiles = load_profiles(ctx.root)
    source = ctx.doc.source_files[0]
    profile = get_profile(profiles, ctx.voice or None, Path(source))
    check_language(profile, ctx.doc.meta.language, source, ctx.doc.key_lines.get("language"))
    return paced(profile, ctx.doc.meta.kind)


def paced(profile: VoiceProfile, kind: str) -> VoiceProfile:
    """The profile at the pace of a publication of ``kind`` (books slower: ``book_rate``)."""
    rate = profile.rate_for(kind)
    return profile if rate == profile.rate else dataclasses.replace(profile, rate=rate)


def narrator(profile: VoiceProfile) -> str:
    """The narrator as credits name it: "Joe, a synthetic voice", never the profile's id."""
    name = profile.display_name.strip()
    return f"{name}, a synthetic voice" if name else "a synthetic voice"


def check_language(profile: VoiceProfile, language: str, source: str, line: int | None = None) -> None:
    """A voice must speak the publication's language (primary subtags must match)."""
    if profile.language.split("-")[0].lower() != language.split("-")[0].lower():
        raise SpeechError(f"voice '{profile.name}' speaks {profile.language}, but the publication's language is "
                          f"{language}; choose a voice for {language} with --voice or 'voice:' in the front "
                          "matter (espeak-ng covers most languages)", source, line)


def preflight_narration(root: Path, voice: str) -> None:
    """Problems that would fail every narrated publication the same way, raised once:
    no ffmpeg, broken voice profiles, an unknown or unusable voice."""
    tool("ffmpeg")
    tool("ffprobe")
    profile = get_profile(load_profiles(root), voice or None)
    usable, reason = check_usable(profile)
    if not usable:
        raise SpeechError(f"voice {profile.name!r} cannot be used here: {reason}", profile.source)
    get_engine(profile)


def script_options(ctx: PublicationContext, profile: VoiceProfile) -> ScriptOptions:
    narration = ctx.config.narration
    return ScriptOptions(pauses=profile.pauses,
                         disclosure=narration.disclosure_text if narration.disclosure else "",
                         read_alt_text=narration.read_alt_text, footnotes=narration.footnotes,
                         voice_name=profile.display_name or "a synthetic voice", narrator=narrator(profile))


def publication_script(ctx: PublicationContext, profile: VoiceProfile) -> Script:
    lexicon = load_lexicons(profile.lexicons) if profile.lexicons else None
    return build_script(ctx.doc, script_options(ctx, profile), lexicon)


def render_publication(ctx: PublicationContext) -> Narration:
    profile = choose_voice(ctx)
    engine = get_engine(profile)
    script = publication_script(ctx, profile)
    work = ctx.root / ".narrate" / "work" / ctx.doc.meta.slug
    ctx.cleanups.append(lambda: shutil.rmtree(work, ignore_errors=True))

    def progress(stage: str, done: int, total: int) -> None:
        if ctx.progress and stage == "synthesize":
            ctx.progress(done, total, 0)

    rendered = render(script, profile, engine, cache_dir=ctx.cache_dir / "audio", work_dir=work,
                      jobs=ctx.jobs, progress=progress)
    return Narration(script, rendered, profile)


def presynthesize(root: Path, config: Config, cache_dir: Path, publications: list[tuple[m.Document, str]],
                  jobs: int, progress: Callable[[str, int, int], None] | None = None) -> int:
    """Synthesize every missing sentence of a batch on one pool of ``jobs`` workers.

    Publications then build from a full cache. One pool for the whole batch keeps every
    core busy until the last sentence, where whole publications per worker would leave a
    core idle while the longest book finishes. A publication whose voice cannot be used is
    skipped here: its own build reports why. Returns the number of sentences synthesized.
    """
    groups: dict[str, tuple[VoiceProfile, list[str]]] = {}
    for doc, voice in publications:
        ctx = PublicationContext(doc, root, root / "output", config, voice, cache_dir)
        try:
            profile = choose_voice(ctx)
            texts = [s.spoken for s in publication_script(ctx, profile).segments()]
        except NarrateError:
            continue
        groups.setdefault(profile.name, (profile, []))[1].extend(texts)
    made = 0
    for profile, texts in groups.values():
        _, count = synthesize_missing(texts, get_engine(profile), profile, cache_dir / "audio", jobs=jobs,
                                      progress=progress)
        made += count
    return made


def audio_meta(doc: m.Document, narration: Narration) -> AudioMeta:
    meta = doc.meta
    comment = meta.description or meta.subtitle
    voice = f"Narrated by a synthetic voice ({narration.profile.name})."
    return AudioMeta(title=meta.title, authors=meta.authors, album=meta.title,
                     date=meta.date.isoformat() if meta.date else "",
                     genre="Audiobook" if meta.kind == "book" else "Podcast",
                     comment=f"{comment} {voice}".strip(), language=meta.language)


def _cover_path(ctx: PublicationContext) -> Path:
    _, ext = ctx.cover()
    path = ctx.path(f".cover.{ext}")
    if not path.is_file():  # the cover artifact is made first; this only guards a hand-deleted file
        from .editions import make_cover

        make_cover(ctx)
    return path


def write_mp3_edition(ctx: PublicationContext, narration: Narration) -> Made:
    target = ctx.path(".mp3")
    write_mp3(narration.rendered, audio_meta(ctx.doc, narration), _cover_path(ctx), target)
    return [("mp3", target, {"duration_s": narration.duration_s})]


def write_m4b_edition(ctx: PublicationContext, narration: Narration) -> Made:
    target = ctx.path(".m4b")
    write_m4b(narration.rendered, audio_meta(ctx.doc, narration), _cover_path(ctx), target)
    return [("m4b", target, {"duration_s": narration.duration_s})]


def write_transcripts(ctx: PublicationContext, narration: Narration) -> Made:
    vtt, chapters = _write_transcripts(narration.rendered.timeline, ctx.out_dir, ctx.doc.meta.slug)
    return [("transcript", vtt, {"duration_s": narration.duration_s}), ("chapters", chapters, {})]


def write_readaloud(ctx: PublicationContext, narration: Narration) -> Made:
    from .readalong import write_readalong

    target = ctx.path(".readaloud.epub")
    write_readalong(ctx, narration, target)
    return [("epub-readaloud", target, {"duration_s": narration.duration_s})]
