"""``narrate proof``: what the voice may get wrong, on a page to hear and fix it.

For each publication: its speech script (as ``narrate build`` makes it), the sentences
missing from the synthesis cache synthesized, a small clip per sentence, the flagged
words, the charts; then ``output/proof/<slug>.html``, ``output/proof/index.html`` and
``output/proof/proof.json`` (what ``narrate check`` reads to count unreviewed words).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrate.artifacts import atomic_write, load_manifest
from narrate.audio import flac
from narrate.audio.master import make_segments, plan_segments
from narrate.editions.makers import PublicationContext
from narrate.editions.narration import choose_voice, part_voices, publication_script
from narrate.engine.run import _select, read_all
from narrate.errors import NarrateError
from narrate.proof.charts import duration_chart, loudness_chart, loudness_from_cache, loudness_series
from narrate.proof.clips import Timed, clip_rel, prune_clips, write_clips
from narrate.proof.flags import Flag, flag_for_voice, given_choices
from narrate.proof.heteronyms import heteronyms_in
from narrate.proof.page import write_index, write_page
from narrate.proof.words import dictionary_name, lexicon_report
from narrate.sources.project import Project, open_project
from narrate.speech.engines import get_engine
from narrate.speech.lexicon import Lexicon, load_lexicons
from narrate.speech.script import Script

PROOF = "proof"
SUMMARY = "proof.json"

Progress = Callable[[str, str, int, int], None]  # slug, stage, done, total


@dataclass
class ProofPublication:
    slug: str
    title: str
    page: str  # relative to output/
    flagged: list[Flag]
    synthesized: int = 0
    clips_made: int = 0
    lexicons: list[str] = field(default_factory=list)
    clips: set[str] = field(default_factory=set)  # every clip the page plays, relative to output/
    lexicon: list[dict[str, Any]] = field(default_factory=list)  # every lexicon entry: the phonemes the voice gets
    heteronyms: list[dict[str, Any]] = field(default_factory=list)  # every heteronym: the reading chosen, the sentence

    def as_json(self, texts: dict[str, str]) -> dict[str, Any]:
        return {"slug": self.slug, "page": self.page, "flagged": [
            {"word": f.word, "reason": f.reason, "count": f.count, "spoken": f.spoken, "clip": f.clip,
             "sentences": [texts[s] for s in f.segments]} for f in self.flagged]}


@dataclass
class ProofReport:
    output: Path
    index: Path
    publications: list[ProofPublication]
    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    failed: list[NarrateError] = field(default_factory=list)


def proof_project(root: Path | str, *, only: tuple[str, ...] = (), output: Path | None = None, voice: str = "",
                  jobs: int = 1, progress: Progress | None = None) -> ProofReport:
    """Proof every publication (or ``only`` those slugs) with the voice a build would use
    (``voice``, else the front matter's, else narrate.toml's default)."""
    project = open_project(root)
    out = (Path(output) if output is not None else project.root / "output").resolve()
    docs, failures = read_all(project)
    docs = _select(docs, failures, only)
    warnings = [str(f.error) for f in failures if f.error is not None]
    manifest = {p.get("slug"): p for p in load_manifest(out)["publications"] if isinstance(p, dict)}
    pubs: list[ProofPublication] = []
    failed: list[NarrateError] = []
    data: dict[str, Any] = {"publications": []}
    for doc in sorted(docs, key=lambda d: d.meta.slug):
        ctx = PublicationContext(doc, project.root, out / doc.meta.slug, project.config,
                                 voice or doc.meta.voice or project.config.defaults.voice, project.cache_dir,
                                 jobs=jobs)
        try:
            pub, entry = _proof_one(project, ctx, out, manifest.get(doc.meta.slug), jobs, progress)
        except NarrateError as exc:  # one publication's voice or audio problem leaves the others proofed
            failed.append(exc)
            continue
        pubs.append(pub)
        data["publications"].append(entry)
    summary = {"generator": "narrate proof", "publications": [  # flagged: as --json prints it (README)
        {"slug": p.slug, "title": p.title, "page": p.page, "lexicons": p.lexicons, "flagged": entry["flagged"],
         "lexicon": p.lexicon, "heteronyms": p.heteronyms}
        for p, entry in zip(pubs, data["publications"], strict=True)]}
    if only:  # a partial run keeps the other publications' pages and words
        summary = _merged(out / PROOF / SUMMARY, summary)
    elif not failed:  # a full run: clips of sentences no publication says any more go
        prune_clips(out, {clip for p in pubs for clip in p.clips})
    atomic_write(out / PROOF / SUMMARY, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    index = write_index(out / PROOF, summary["publications"], project.config.publisher.name)
    return ProofReport(out, index, pubs, data, warnings, failed)


def _merged(path: Path, summary: dict[str, Any]) -> dict[str, Any]:
    try:
        old = json.loads(path.read_text(encoding="utf-8"))["publications"]
    except (OSError, ValueError, KeyError, TypeError):
        old = []
    fresh = {p["slug"] for p in summary["publications"]}
    kept = [p for p in old if isinstance(p, dict) and isinstance(p.get("slug"), str) and p["slug"] not in fresh
            and isinstance(p.get("flagged"), list)]
    return summary | {"publications": sorted(kept + summary["publications"], key=lambda p: p["slug"])}


def _proof_one(project: Project, ctx: PublicationContext, out: Path, built: dict[str, Any] | None, jobs: int,
               progress: Progress | None) -> tuple[ProofPublication, dict[str, Any]]:
    slug = ctx.doc.meta.slug
    profile = choose_voice(ctx)
    script = publication_script(ctx, profile)
    segments = list(script.segments())

    def report(stage: str) -> Callable[..., None] | None:
        return (lambda *args: progress(slug, stage, args[-2], args[-1])) if progress else None

    # the clips say what the build says: parts and phrases in other languages by their own voices
    engine = get_engine(profile)
    voices = {**part_voices(ctx, script, profile), "": (profile, engine)}
    plan = plan_segments(segments, voices, project.cache_dir / "audio", engine.sample_rate)
    synthesized = make_segments(plan, voices, project.cache_dir / "audio", engine.sample_rate, jobs=jobs,
                                progress=report("synthesize"))
    wavs = plan.final
    clips_made = write_clips(wavs, out, jobs=jobs, progress=report("clips"))
    timed = _timeline(script, wavs)
    clips = {t.id: t.clip for t in timed}
    texts = {s.id: s.text for s in segments}
    lexicon = load_lexicons(profile.lexicons) if profile.lexicons else Lexicon()
    said = lexicon_report(profile, engine, lexicon)
    flagged = flag_for_voice(script, project.config.proof.accept, lexicon, profile, engine, said)
    given = given_choices(engine)
    heard = [vars(h) for s in segments for lang, text in s.pieces() if not lang
             for h in heteronyms_in(s.id, text, given)]
    for f in flagged:
        f.clip = clips.get(f.segments[0], "")
    pub = ProofPublication(slug, ctx.doc.meta.title, f"{PROOF}/{slug}.html", flagged, synthesized, clips_made,
                           [project.rel(p) for p in profile.lexicons], {t.clip for t in timed if t.clip}, said, heard)
    loudness, durations = _charts(script, timed, wavs, out, built, project.root / ".narrate" / "proof")
    write_page(out / pub.page, ctx.doc.meta, profile.name, dictionary_name(), script, timed, flagged,
               loudness, durations, lexicon=said, heteronyms=heard)
    return pub, pub.as_json(texts)


def _timeline(script: Script, wavs: list[Path]) -> list[Timed]:
    """Each segment's start and duration in the narration, from the cached WAVs' headers."""
    timed: list[Timed] = []
    at = 0.0
    for segment, wav in zip(script.segments(), wavs, strict=True):
        seconds = 0.0
        if wav != Path():
            frames, rate, _, _ = flac.info(wav)
            seconds = frames / rate
        timed.append(Timed(segment.id, segment.text, clip_rel(wav) if wav != Path() else "", at, seconds))
        at += seconds + segment.pause_after_ms / 1000
    return timed


def _charts(script: Script, timed: list[Timed], wavs: list[Path], out: Path, built: dict[str, Any] | None,
            cache: Path) -> tuple[list[Any], Any]:
    """Loudness charts (from the built audio edition, else from the cache) and the durations chart."""
    by_id = {t.id: t for t in timed}
    chapters: list[tuple[str, float, float]] = []  # title, start, duration
    for chapter in script.chapters:
        inside = [by_id[s.id] for s in chapter.segments]
        if inside:
            end = inside[-1].start_s + inside[-1].duration_s + chapter.segments[-1].pause_after_ms / 1000
            chapters.append((chapter.title, inside[0].start_s, end - inside[0].start_s))
    artifacts = {a.get("format"): a for a in (built or {}).get("artifacts", []) if isinstance(a, dict)}
    audio = artifacts.get("mp3") or artifacts.get("m4b")
    marks = _built_chapters(out, artifacts.get("chapters"))
    if audio and marks and isinstance(audio.get("duration_s"), (int, float)):
        ends = [start for _, start in marks[1:]] + [float(audio["duration_s"])]
        chapters = [(title, start, end - start) for (title, start), end in zip(marks, ends, strict=True)]
    path = out / str(audio.get("path")) if audio else None
    if audio and path is not None and path.is_file():
        series, source = loudness_series(path, str(audio.get("sha256")), cache), "the built audio"
    else:
        parts = [(wav, s.pause_after_ms) for s, wav in zip(script.segments(), wavs, strict=True)]
        series, source = loudness_from_cache(parts, cache), "the synthesis cache, before loudness correction"
    loudness = []
    for title, start, length in chapters:
        values = series[int(start):int(start + length)]
        if values:
            loudness.append(loudness_chart(title, start, values, source))
    return loudness, duration_chart([(title, length) for title, _, length in chapters])


def _built_chapters(out: Path, art: dict[str, Any] | None) -> list[tuple[str, float]]:
    if not art:
        return []
    try:
        data = json.loads((out / str(art.get("path"))).read_text(encoding="utf-8"))
        return [(str(c["title"]), float(c["startTime"])) for c in data["chapters"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []
