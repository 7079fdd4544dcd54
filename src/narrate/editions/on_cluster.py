"""A batch's narration on a Ray cluster, chapter by chapter (``narrate build --executor ray``).

For every publication that needs narrating, each chapter not yet mastered and encoded for the
build's formats becomes one ``audio.cluster.ChapterWork``: its sentences' texts and cache paths,
the cache entries it can reuse (its sentences already synthesized, its blocks' raw levels, the
voice's level figures) and the encodings its editions stitch. Nodes do the work; this machine
writes what comes back into its cache, and each publication's build then only stitches.

A publication with passages in another language (other voices, resampled or joined sentences)
has only its sentences synthesized on the cluster (``narration.presynthesize``) and is mastered
here, as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from narrate import model as m
from narrate.audio.chapter import ChapterPlan, encoding_cached, layout, load_piece, piece_path, segment_frames
from narrate.audio.cluster import Calls, ChapterWork, Outcome
from narrate.audio.master import TARGETS, chapter_plans, plan_segments, voice_level
from narrate.audio.ray_worker import ChapterJob
from narrate.audio.synth import segment_complete
from narrate.editions.audio_tasks import keyed_engine
from narrate.editions.context import PublicationContext
from narrate.editions.narration import choose_voice, edition_encodings, part_voices, presynthesize, publication_script
from narrate.errors import ClusterError, NarrateError
from narrate.sources.config import Config

Progress = Callable[[str, int, int], None]


def narrate_on_cluster(root: Path, config: Config, cache_dir: Path, publications: Sequence[tuple[m.Document, str]],
                       formats: tuple[str, ...], executor: Any, progress: Progress | None = None,
                       prepared: dict[str, tuple[Any, Any]] | None = None, alongside: Sequence[Any] = (),
                       stitch: Callable[[str], Calls] | None = None) -> Outcome:
    """Every chapter of ``publications`` the cache lacks, narrated on ``executor``'s cluster (see the
    module docstring); publications with other voices are synthesized there and mastered here.
    ``prepared`` gets each publication's (voice profile, script) by slug, for its own build to reuse;
    the tasks of ``alongside`` (``audio.cluster.Tasks``: the text editions) run with the voices'
    level figures, or with the chapters when there are none to learn. ``stitch(slug)`` gives the
    calls that make a publication's audio editions (``editions/audio_tasks``): each is sent in the
    chapters' pass as soon as every chapter of its publication is mastered and encoded in the cache."""
    levels: dict[str, ChapterWork] = {}
    chapters: list[ChapterWork] = []
    elsewhere: list[tuple[m.Document, str]] = []
    owners: list[str] = []  # per chapter task, its publication's slug
    handled: list[str] = []
    engines: dict[str, Any] = {}  # one engine per voice for the build, its cache key worked out once
    for doc, voice in publications:
        try:
            found = _chapters(PublicationContext(doc, root, root / "output", config, voice, cache_dir), formats,
                              {} if prepared is None else prepared, engines)
        except ClusterError:
            raise
        except NarrateError:
            continue  # the publication's own build meets the error and reports it
        if found is None:
            elsewhere.append((doc, voice))
            continue
        level, work = found
        if level is not None:
            levels.setdefault(level.job.chapter_id, level)
        chapters += work
        owners += [doc.meta.slug] * len(work)
        handled.append(doc.meta.slug)
    if elsewhere:
        presynthesize(root, config, cache_dir, elsewhere, 1, progress, executor)
    # the longest chapters first, so that the pass does not end on one long chapter with the other nodes idle
    order = sorted(range(len(chapters)), key=lambda i: -sum(len(text) for text, _ in chapters[i].job.segments))
    chapters, owners = [chapters[i] for i in order], [owners[i] for i in order]
    # the voices' level figures first (each chapter task reads them when sent: ``late``), the text
    # editions alongside them, so that no node idles while a voice's level is learned
    failed = executor.run_chapters(list(levels.values()), progress, alongside if levels else ()).failed or {}
    left = Counter(owners)  # per publication, its chapters not back yet

    def finished(index: int) -> Calls:
        left[owners[index]] -= 1
        return stitch(owners[index]) if stitch and not failed and not left[owners[index]] else ()

    ready = [call for slug in handled if not left[slug] for call in stitch(slug)] if stitch and not failed else []
    return executor.run_chapters(chapters, progress, () if levels else alongside, finished, ready)


def _files(audio: Path, paths: Sequence[Path]) -> dict[str, bytes]:
    return {p.relative_to(audio).as_posix(): p.read_bytes() for p in paths if p.is_file()}


def _chapters(ctx: PublicationContext, formats: tuple[str, ...], prepared: dict[str, tuple[Any, Any]],
              engines: dict[str, Any]) -> tuple[ChapterWork | None, list[ChapterWork]] | None:
    """The voice-level task (None when its figures are cached) and the chapter tasks of one
    publication; None when it has other voices (mastered on this machine)."""
    profile = choose_voice(ctx)
    engine = keyed_engine(profile, engines)
    script = publication_script(ctx, profile)
    prepared[ctx.doc.meta.slug] = (profile, script)
    target = TARGETS.get(profile.loudness)
    if target is None or part_voices(ctx, script, profile):
        return None
    audio, rate = ctx.cache_dir / "audio", engine.sample_rate
    plan = plan_segments(list(script.segments()), {"": (profile, engine)}, audio, rate)
    if plan.resample or plan.joins:
        return None
    encodings = tuple(dict.fromkeys(edition_encodings(formats, profile.loudness)))
    level, calibration = voice_level(profile, engine, target, audio, audio / "work")
    calibrated = tuple(zip(calibration, (p.relative_to(audio).as_posix() for p in level.paths), strict=True)) \
        if level else ()
    source = ctx.doc.source_files[0]

    figures = tuple(p.relative_to(audio).as_posix() for p in sorted(level.files())) if level else ()

    def job(chapter_id: str, segments: tuple[tuple[str, str], ...], pauses: tuple[int, ...],
            given: dict[str, bytes]) -> ChapterWork:
        return ChapterWork(ChapterJob(chapter_id, segments, pauses, profile.loudness, encodings, calibrated, given),
                           profile, audio, source, figures)

    level_work = None
    if level is not None and not level.cached(encodings):
        level_work = job(f"voice level {level.key[:12]}", (), (), {})
    texts = [next((t for _, t in s.pieces() if t.strip()), "") for s in script.segments()]
    work, index = [], 0
    for chapter in chapter_plans(script, plan.final):
        count = len(chapter.paths)
        segments = tuple((t, p.relative_to(audio).as_posix() if p != Path() else "")
                         for t, p in zip(texts[index:index + count], chapter.paths, strict=True))
        index += count
        if _cached(chapter, target, rate, audio, encodings):
            continue
        work.append(job(chapter.id, segments, chapter.pauses_ms, _reusable(chapter, target, rate, audio)))
    return level_work, work


def _cached(chapter: ChapterPlan, target: Any, rate: int, audio: Path, encodings: tuple[tuple[str, str], ...]) -> bool:
    key = chapter.key(target, rate)
    return load_piece(chapter, target, rate, audio, encodings) is not None and \
        all(encoding_cached(audio, key, *e) for e in encodings)


def _reusable(chapter: ChapterPlan, target: Any, rate: int, audio: Path) -> dict[str, bytes]:
    """What a node can reuse for ``chapter``: its sentences already synthesized and, when they
    all are, its blocks' raw levels (an edit measures only the edited block again)."""
    have = [p for p in dict.fromkeys(chapter.paths) if p != Path() and segment_complete(p)]
    given = _files(audio, have)
    if len(have) == len({p for p in chapter.paths if p != Path()}):
        frames = [segment_frames(p, rate) for p in chapter.paths]
        given |= _files(audio, [piece_path(audio, b.key, ".levels.json") for b in layout(chapter, rate, target,
                                                                                          frames)])
    return given
