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
from typing import Any

from narrate import model as m
from narrate.audio.ffmpeg import tool
from narrate.audio.master import render, voice_calibration
from narrate.audio.synth import Executor, cache_path, segment_complete, segment_key, synthesize_missing
from narrate.audio.timeline import Rendered
from narrate.editions.context import Made, PublicationContext, make_cover
from narrate.errors import ClusterError, NarrateError, SpeechError
from narrate.i18n.messages import Messages, messages_for
from narrate.sources.categories import find_category
from narrate.sources.config import Config
from narrate.speech.engines import get_engine
from narrate.speech.lexicon import load_lexicons
from narrate.speech.script import Script, ScriptOptions, build_script
from narrate.speech.voices import (
    VoiceProfile,
    best_voice,
    check_usable,
    espeak_for,
    get_profile,
    load_profiles,
    primary,
    voice_for,
)
from narrate.writers import AudioMeta
from narrate.writers.m4b import write_m4b
from narrate.writers.mp3 import write_mp3
from narrate.writers.transcript import write_transcripts as _write_transcripts
from narrate.writers.transcript_html import write_transcript_html


@dataclass(frozen=True)
class Narration:
    script: Script
    rendered: Rendered
    profile: VoiceProfile

    @property
    def duration_s(self) -> float:
        return round(self.rendered.timeline.duration_ms / 1000, 3)


def choose_voice(ctx: PublicationContext) -> VoiceProfile:
    """The publication's voice: the one chosen (``--voice``, ``voice:``, ``[defaults] voice``), else
    the best offline voice installed for its language (``voices.voice_for``)."""
    profiles = load_profiles(ctx.root)
    source = ctx.doc.source_files[0]
    line = ctx.doc.key_lines.get("language")
    profile = voice_for(profiles, ctx.voice or None, ctx.doc.meta.language, Path(source), line)
    check_language(profile, ctx.doc.meta.language, source, line)
    return paced(profile, ctx.doc.meta.kind)


def paced(profile: VoiceProfile, kind: str) -> VoiceProfile:
    """The profile at the pace of a publication of ``kind`` (books slower: ``book_rate``)."""
    rate = profile.rate_for(kind)
    return profile if rate == profile.rate else dataclasses.replace(profile, rate=rate)


def narrator(profile: VoiceProfile, say: Messages | None = None) -> str:
    """The narrator as every credit names it, in the same words everywhere (the spoken credits,
    the MP3 comment and TCOM, the M4B's narrator, the read-along's media:narrator, the feed):
    "Joe, a synthetic voice" from the profile's display name, else "a synthetic voice"; never
    the profile's id, engine or model."""
    say = say or messages_for("en")
    name = profile.display_name.strip()
    return say("named_voice", name=name) if name else say("synthetic_voice")


def credited(ctx: PublicationContext, profile: VoiceProfile) -> str:
    """``narrator`` in the publication's language, with the project's message overrides."""
    return narrator(profile, messages_for(ctx.doc.meta.language, ctx.doc.messages))


def check_language(profile: VoiceProfile, language: str, source: str, line: int | None = None) -> None:
    """A voice must speak the publication's language (primary subtags must match)."""
    if profile.language.split("-")[0].lower() != language.split("-")[0].lower():
        raise SpeechError(f"voice '{profile.name}' speaks {profile.language}, but the publication's language is "
                          f"{language}; choose a voice for {language} with --voice or 'voice:' in the front "
                          "matter, or choose none: narrate then picks the best voice installed for the language "
                          "(--voice espeak is espeak-ng in the publication's language)", source, line)


def preflight_narration(root: Path, voice: str) -> None:
    """Problems that would fail every narrated publication the same way, raised once:
    no ffmpeg, broken voice profiles, an unknown or unusable voice."""
    tool("ffmpeg")
    tool("ffprobe")
    profiles = load_profiles(root)
    if not voice:
        return  # each publication gets the best voice for its language, checked when it is chosen
    profile = get_profile(profiles, voice)
    usable, reason = check_usable(profile)
    if not usable:
        raise SpeechError(f"voice {profile.name!r} cannot be used here: {reason}", profile.source)
    get_engine(profile)


def script_options(ctx: PublicationContext, profile: VoiceProfile) -> ScriptOptions:
    narration = ctx.config.narration
    language = ctx.doc.meta.language
    say = messages_for(language, ctx.config.messages)
    disclosure = say("disclosure")
    if narration.disclosure_text and primary(language) == primary(ctx.config.defaults.language) \
            and "disclosure" not in say.overrides:
        disclosure = narration.disclosure_text
    return ScriptOptions(pauses=profile.pauses, messages=say,
                         disclosure=disclosure if narration.disclosure else "",
                         read_alt_text=narration.read_alt_text, footnotes=narration.footnotes,
                         voice_name=profile.display_name or say("synthetic_voice"),
                         narrator=narrator(profile, say))


def publication_script(ctx: PublicationContext, profile: VoiceProfile) -> Script:
    lexicon = load_lexicons(profile.lexicons) if profile.lexicons else None
    return build_script(ctx.doc, script_options(ctx, profile), lexicon)


def render_publication(ctx: PublicationContext) -> Narration:
    # on a cluster, the head already chose the voice and worked out the script: not twice
    # (a node stitching the editions hands its engine in too: ``editions/audio_tasks``)
    profile, script, *given = ctx.prepared if ctx.prepared is not None else (None, None)
    if profile is None:
        profile = choose_voice(ctx)
        script = publication_script(ctx, profile)
    engine = given[0] if given else get_engine(profile)
    work = ctx.root / ".narrate" / "work" / ctx.doc.meta.slug
    ctx.cleanups.append(lambda: shutil.rmtree(work, ignore_errors=True))

    def progress(stage: str, done: int, total: int) -> None:
        if ctx.progress and stage == "synthesize":
            ctx.progress(done, total, 0)

    parts = part_voices(ctx, script, profile)
    if ctx.jobs > 1 and not parts:
        synthesize_few(script, profile, engine, ctx.cache_dir / "audio", progress)
    rendered = render(script, profile, engine, cache_dir=ctx.cache_dir / "audio", work_dir=work,
                      jobs=ctx.jobs, progress=progress, parts=parts,
                      encodings=edition_encodings(ctx.formats, profile.loudness))
    return Narration(script, rendered, profile)


# Below this many missing sentences, a render with several jobs synthesizes them here, on the
# engine this process has loaded: a pool's spawned workers each import narrate and load the voice
# again (about a CPU-second and a second apiece), which an edit's handful of sentences never repays.
POOL_MIN = 24


def synthesize_few(script: Script, profile: VoiceProfile, engine: Any, cache_dir: Path,
                   progress: Callable[[str, int, int], None] | None = None) -> int:
    """Synthesize ``script``'s missing sentences (and the voice's calibration ones, which the render
    needs first) on ``engine`` in this process when there are fewer than ``POOL_MIN``; the render
    then finds them cached (the cache is keyed on the voice and the text: the same samples as a
    worker's). Returns how many were made here (0: none missing, or enough for the pool)."""
    key = engine.cache_key()
    texts = [*voice_calibration(profile), *(text for s in script.segments() for _, text in s.pieces())]
    missing = list(dict.fromkeys(text for text in texts if text.strip()
                                 and not segment_complete(cache_path(cache_dir, segment_key(key, text)))))
    if not 0 < len(missing) < POOL_MIN:
        return 0
    synthesize_missing(missing, engine, profile, cache_dir, jobs=1, progress=progress)
    return len(missing)


def edition_encodings(formats: tuple[str, ...], loudness: str) -> list[tuple[str, str]]:
    """The (codec, bitrate) each narrated format stitches, so the render encodes each chapter as
    soon as it is mastered (pipelined, the codecs in parallel) instead of the writers after it."""
    from narrate.writers import m4b, mp3

    acx = loudness == "acx"
    wanted = []
    if "mp3" in formats:
        wanted.append(("mp3", mp3.ACX_BITRATE if acx else mp3.DEFAULT_BITRATE))
    if "epub-readaloud" in formats:
        wanted.append(("mp3", "64k"))  # audio.master.document_mp3's
    if "m4b" in formats:
        wanted.append(("aac", m4b.ACX_BITRATE if acx else m4b.DEFAULT_BITRATE))
    return wanted


def part_voices(ctx: PublicationContext, script: Script, profile: VoiceProfile) -> dict[str, tuple[VoiceProfile, Any]]:
    """The voice for each other language the script has parts in ({lang=fr}, blocks or phrases
    inside a sentence: ``Segment.pieces``): espeak-ng in that
    language when the publication's voice is espeak-ng, else the best voice installed for it."""
    languages = sorted({lang for s in script.segments() for lang, _ in s.pieces() if lang})
    if not languages:
        return {}
    profiles = load_profiles(ctx.root)
    source = Path(ctx.doc.source_files[0])
    voices = {}
    for lang in languages:
        part = espeak_for(lang, profile) if profile.engine == "espeak" else best_voice(profiles, lang)
        if part is None:
            raise SpeechError(f"a part of the publication is marked lang={lang}, but no installed voice speaks "
                              f"{lang!r}; install espeak-ng or add a voice profile with language = \"{lang}\"",
                              source)
        voices[lang] = (part, get_engine(part))
    return voices


def presynthesize(root: Path, config: Config, cache_dir: Path, publications: list[tuple[m.Document, str]],
                  jobs: int, progress: Callable[[str, int, int], None] | None = None,
                  executor: Executor | None = None) -> int:
    """Synthesize every missing sentence of a batch on one pool of ``jobs`` workers.

    Publications then build from a full cache. One pool for the whole batch keeps every
    core busy until the last sentence, where whole publications per worker would leave a
    core idle while the longest book finishes. A publication whose voice cannot be used, or
    a voice whose synthesis fails here (a bad model, a worker that died), is skipped: each
    publication's own build then synthesizes what is missing and reports its own failure,
    as a serial build would. Returns the number of sentences synthesized.
    """
    groups: dict[str, tuple[VoiceProfile, list[str]]] = {}
    for doc, voice in publications:
        ctx = PublicationContext(doc, root, root / "output", config, voice, cache_dir)
        try:
            profile = choose_voice(ctx)
            texts = [text for s in publication_script(ctx, profile).segments() for lang, text in s.pieces()
                     if not lang]
        except NarrateError:
            continue
        # keyed on the whole profile, not its name: a book reads at its own pace (``paced``), and
        # its sentences synthesized at an article's rate would all be made again in its build
        group = groups.setdefault(repr(profile), (profile, voice_calibration(profile)))
        group[1].extend(texts)
    made = 0
    for profile, texts in groups.values():
        try:
            _, count = synthesize_missing(texts, get_engine(profile), profile, cache_dir / "audio", jobs=jobs,
                                          progress=progress, executor=executor)
        except ClusterError:
            raise  # the cluster itself is gone: no publication can go on with it
        except NarrateError:
            continue  # the publications with this voice fail in their own builds, the others go on
        made += count
    return made


def audio_meta(doc: m.Document, narration: Narration) -> AudioMeta:
    meta = doc.meta
    comment = meta.description or meta.subtitle
    say = messages_for(meta.language, doc.messages)
    name = narrator(narration.profile, say)
    voice = say("narrated_by", voice=name)
    return AudioMeta(title=meta.title, authors=meta.authors, album=meta.title,
                     date=meta.date.isoformat() if meta.date else "",
                     genre=genre(meta),
                     comment=f"{comment} {voice}".strip(), language=meta.language,
                     publisher=meta.publisher, copyright=meta.rights,
                     narrator=name, description=meta.description or meta.subtitle,
                     contents_title=say("contents"))


def genre(meta: m.Meta) -> str:
    """A book's genre is "Audiobook"; an article's is the Apple category its tags name (its
    subcategory when a tag names one), else none: "Podcast" says nothing about a piece."""
    if meta.kind == "book":
        return "Audiobook"
    found = find_category(meta.tags)
    return (found[1] or found[0]) if found else ""


def _cover_path(ctx: PublicationContext) -> Path:
    _, ext = ctx.cover()
    path = ctx.path(f".cover.{ext}")
    if not path.is_file():  # the cover artifact is made first; this only guards a hand-deleted file
        make_cover(ctx)
    return path


def write_mp3_edition(ctx: PublicationContext, narration: Narration) -> Made:
    target = ctx.path(".mp3")
    write_mp3(narration.rendered, audio_meta(ctx.doc, narration), _cover_path(ctx), target)
    return [("mp3", target, audio_facts(ctx, narration))]


def write_m4b_edition(ctx: PublicationContext, narration: Narration) -> Made:
    target = ctx.path(".m4b")
    write_m4b(narration.rendered, audio_meta(ctx.doc, narration), _cover_path(ctx), target)
    return [("m4b", target, audio_facts(ctx, narration))]


def audio_facts(ctx: PublicationContext, narration: Narration) -> dict[str, Any]:
    """What the manifest records of an audio edition: its duration, the narrator as credited
    (the feed credits it) and the loudness target it was mastered to (``narrate check``)."""
    return {"duration_s": narration.duration_s, "narrator": credited(ctx, narration.profile),
            "loudness": narration.profile.loudness}


def write_transcripts(ctx: PublicationContext, narration: Narration) -> Made:
    timeline = narration.rendered.timeline
    vtt, chapters = _write_transcripts(timeline, ctx.out_dir, ctx.doc.meta.slug, ctx.doc.meta.language)
    kinds = {s.id: s.kind for c in narration.script.chapters for s in c.segments}
    page = write_transcript_html(timeline, ctx.path(".transcript.html"), title=ctx.doc.meta.title,
                                 language=ctx.doc.meta.language, kinds=kinds)
    return [("transcript", vtt, {"duration_s": narration.duration_s}), ("chapters", chapters, {}),
            ("transcript-html", page, {})]

