"""Synthesized segments → cached, loudness-normalized chapter pieces and their ``Timeline``.

``render()`` works chapter by chapter, so memory does not grow with book length and an edit
costs what it changes:

1. synthesis per ``Segment`` through the content-addressed cache (``audio_synth``);
2. each chapter's piece (``audio_chapter``): its cached sentences copied in 64 KiB blocks with
   room tone for the head (0.75 s, every profile) and the pauses, measured once and normalized
   on its own (audiobook practice: every chapter file at the target), mastered and encoded in
   blocks of one to three minutes each cached under a key of exactly what it is made from;
   chapters master in parallel across ``jobs`` threads (ffmpeg does the work), each as soon as
   its last sentence is synthesized (pipelined with step 1), and a chapter's blocks in parallel.
   Targets: ``default`` -19 LUFS, -1.5 dBTP; ``acx`` measures as ACX does
   (unweighted RMS, sample peak) and aims at RMS -20.5 dB (ACX: -23…-18), peaks ≤ -3.5 dB,
   with ≥ 2 s of room tone after each chapter;
3. the ``Timeline`` from the pieces' sample counts: chapter N starts at the sum of the
   previous pieces' spans, exactly where the stitched MP3 and M4B put it.

Editions stitch the pieces' cached encodings (``encoded()``) without re-encoding.
"""

from __future__ import annotations

import os
import shutil
import wave
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from narrate.artifacts import atomic_path
from narrate.audio import flac
from narrate.audio.chapter import (
    CODEC_GAP,
    OUT_RATE,
    ChapterPiece,
    ChapterPlan,
    Encoded,
    LoudnessTarget,
    concat_adts,
    concat_mp3,
    encode_piece,
    encoding_cached,
    load_piece,
    master_piece,
    piece_files,
)
from narrate.audio.early_encode import EarlyEncodes
from narrate.audio.ffmpeg import run_ffmpeg
from narrate.audio.synth import Progress, cache_path, segment_complete, segment_key, store_wav, synthesize_missing
from narrate.audio.timeline import Rendered, Timeline, TimelineChapter, TimelineSegment
from narrate.audio.voicelevel import VoiceLevel, calibration_texts
from narrate.errors import AudioError
from narrate.speech.engines import Engine
from narrate.speech.script import Script, Segment
from narrate.speech.voices import VoiceProfile

__all__ = ["LoudnessTarget", "concat_adts", "concat_mp3", "Rendered", "Timeline", "TARGETS", "chapter_audio",
           "encoded", "render", "stitch_wav", "plan_segments", "make_segments", "used_cache_files"]

TARGETS = {
    "default": LoudnessTarget(-19.0, -1.5),
    # ACX's limit is -3 dB sample peak: every encoding holds it as a true peak (stricter)
    "acx": LoudnessTarget(-20.5, -3.5, tail_ms=2000, measure="rms", peak_limit_dbtp=-3.0),
}


def target_of(rendered: Rendered) -> LoudnessTarget:
    return TARGETS[rendered.loudness]


def render(
    script: Script,
    profile: VoiceProfile,
    engine: Engine,
    *,
    cache_dir: Path,
    work_dir: Path,
    jobs: int = 1,
    progress: Progress | None = None,
    parts: Mapping[str, tuple[VoiceProfile, Engine]] | None = None,
    encodings: Sequence[tuple[str, str]] = (),
) -> Rendered:
    """Synthesize (cached) and master (cached per chapter) ``script``.

    ``parts`` maps a language to the voice that speaks the script's segments in that language
    (``Segment.language``, a passage marked ``{lang=fr}``); other segments use ``engine``.

    The work is pipelined: a chapter is mastered (on one of ``jobs`` threads) as soon as its
    last sentence is synthesized, while later chapters are still being synthesized, and then
    encoded in each ``(codec, bitrate)`` of ``encodings`` (what the editions will stitch), so
    a cold narration takes little more than its synthesis.

    ``progress(stage, done, total)`` is called with stage ``synthesize``, then ``assemble``
    and ``loudness`` (chapters mastered so far).
    """
    target = TARGETS.get(profile.loudness)
    if target is None:
        raise AudioError(f"voice {profile.name!r}: unknown loudness {profile.loudness!r}", profile.source)
    voices = {**(parts or {}), "": (profile, engine)}
    plan = plan_segments(list(script.segments()), voices, cache_dir, engine.sample_rate)
    level, calibration = voice_level(profile, engine, target, cache_dir, work_dir)
    if all(p == Path() for p in plan.final):  # nothing is spoken: nothing to master
        level, calibration = None, []
    plans = chapter_plans(script, plan.final)
    # every chapter mastered and encoded as the editions stitch it: no sentence is read (a cluster
    # node stitching the editions is sent none: ``editions/audio_tasks``)
    cached = bool(encodings) and all_encoded(plans, target, engine.sample_rate, cache_dir, encodings)
    plan.synth[""] = calibration + plan.synth.get("", [])  # first: every chapter's mastering needs them
    paths = plan.final
    spoken = set(paths)  # a calibration sentence the script says too is the script's (one file, made once)
    calibrating = 0 if cached else \
        sum(1 for p in (level.paths if level else ()) if not segment_complete(p) and p not in spoken)
    shared = level.paths if level else ()
    with _Mastering(target, engine.sample_rate, cache_dir, work_dir, jobs, encodings, progress, level) as mastering:
        if cached:
            synthesized = 0
            mastering.start(plans, set(), shared)
        elif plan.resample or plan.joins or set(plan.synth) - {""}:
            # other voices speak some sentences: master once every piece is made
            synthesized = make_segments(plan, voices, cache_dir, engine.sample_rate, jobs=jobs, progress=progress)
            mastering.start(plans, set(), shared)
        else:  # one voice: a chapter is mastered as soon as its last sentence is synthesized
            mastering.start(plans, {p for p in [*paths, *shared] if p != Path() and not segment_complete(p)}, shared)
            _, synthesized = synthesize_missing(plan.synth[""], engine, profile, cache_dir, jobs=jobs,
                                                progress=progress, on_done=mastering.synthesized)
        pieces = mastering.pieces()
    if level is not None:
        level.discard()  # every chapter is mastered and encoded: the work folder keeps no audio
    timeline = build_timeline(script, pieces)
    gain = max((p.gain_db for p in pieces), key=abs, default=0.0)
    synthesized -= calibrating  # the script's sentences: the calibration is the voice's, not the publication's
    return Rendered(tuple(pieces), OUT_RATE, timeline, synthesized, profile.loudness, gain,
                    any(p.limited for p in pieces), cache_dir, max(1, jobs), level)


def all_encoded(plans: Sequence[ChapterPlan], target: LoudnessTarget, rate: int, cache_dir: Path,
                encodings: Sequence[tuple[str, str]]) -> bool:
    """Is every chapter of ``plans`` mastered (its record) and encoded in each of ``encodings`` in the cache?"""
    return all(load_piece(plan, target, rate, cache_dir, encodings) is not None
               and all(encoding_cached(cache_dir, plan.key(target, rate), *e) for e in encodings) for plan in plans)


def voice_calibration(profile: VoiceProfile) -> list[str]:
    """The sentences the voice's level is learned on (none for a target that is not LUFS)."""
    target = TARGETS.get(profile.loudness)
    return calibration_texts(profile.language) if target is not None and target.measure == "lufs" else []


def voice_level(profile: VoiceProfile, engine: Engine, target: LoudnessTarget, cache_dir: Path,
                work_dir: Path) -> tuple[VoiceLevel | None, list[str]]:
    """The voice's level figures (``voicelevel``; LUFS targets only) and the calibration sentences
    it is measured on, which the render synthesizes with the publication's sentences."""
    texts = voice_calibration(profile)
    if not texts:
        return None, []
    key = engine.cache_key()
    paths = [cache_path(cache_dir, segment_key(key, text)) for text in texts]
    return VoiceLevel(paths, engine.sample_rate, target, cache_dir, work_dir), texts


@dataclass(frozen=True)
class SegmentPlan:
    """Where each segment's audio comes from, before anything is made.

    A segment is one or more (language, text) pieces (``Segment.pieces``), each synthesized by
    its language's voice into the sentence cache; a piece from a voice with another sample rate
    than the publication's is resampled (its own cache file, keyed on the voice, the text and the
    rate); a sentence of several pieces (a phrase in another language inside it) is their
    concatenation, keyed on the pieces' files, so every key holds the voices that speak it.
    """

    synth: dict[str, list[str]]  # voice ("" the publication's, else a part language) → texts to synthesize
    resample: dict[Path, Path]  # resampled file → the synthesized file it comes from
    joins: dict[Path, tuple[Path, ...]]  # joined sentence → its pieces' files, in order
    final: list[Path]  # per segment, the file its chapter reads (``Path()``: silent)

    def files(self) -> set[Path]:
        """Every cache file the plan uses (for ``narrate clean``)."""
        made = set(self.resample) | set(self.resample.values()) | set(self.joins)
        return made | {f for files in self.joins.values() for f in files} | {f for f in self.final if f != Path()}


def plan_segments(segments: Sequence[Segment], voices: Mapping[str, tuple[VoiceProfile, Engine]], cache_dir: Path,
                  rate: int) -> SegmentPlan:
    """The ``SegmentPlan`` of ``segments``; ``voices[""]`` is the publication's voice, other keys the
    languages of parts (a piece in a language without a voice there is read by the publication's)."""
    synth: dict[str, dict[str, None]] = {}
    resample: dict[Path, Path] = {}
    joins: dict[Path, tuple[Path, ...]] = {}
    final: list[Path] = []
    keys = {voice: engine.cache_key() for voice, (_, engine) in voices.items()}
    for segment in segments:
        files = []
        for language, text in segment.pieces():
            if not text.strip():
                continue
            voice = language if language in voices else ""
            engine = voices[voice][1]
            synth.setdefault(voice, {})[text] = None
            path = cache_path(cache_dir, segment_key(keys[voice], text))
            if engine.sample_rate != rate:
                resampled = cache_path(cache_dir, segment_key(f"{keys[voice]};resampled={rate}", text))
                resample[resampled] = path
                path = resampled
            files.append(path)
        if len(files) > 1:
            joined = cache_path(cache_dir, segment_key(f"joined;rate={rate}", "|".join(f.name for f in files)))
            joins[joined] = tuple(files)
            files = [joined]
        final.append(files[0] if files else Path())
    return SegmentPlan({voice: list(texts) for voice, texts in synth.items()}, resample, joins, final)


def make_segments(plan: SegmentPlan, voices: Mapping[str, tuple[VoiceProfile, Engine]], cache_dir: Path, rate: int,
                  *, jobs: int = 1, progress: Progress | None = None) -> int:
    """Make what ``plan`` needs that the cache lacks; return how many pieces were synthesized."""
    synthesized = 0
    for voice, texts in plan.synth.items():
        profile, engine = voices[voice]
        _, made = synthesize_missing(texts, engine, profile, cache_dir, jobs=jobs, progress=progress)
        synthesized += made
    for out, source in plan.resample.items():
        if not segment_complete(out):
            resample_wav(source, out, rate)
    for out, files in plan.joins.items():
        if not segment_complete(out):
            join_wavs(files, out, rate)
    return synthesized


def resample_wav(source: Path, out: Path, rate: int) -> None:
    """``source`` at ``rate`` Hz (mono 16-bit), written atomically (ffmpeg's resampler), stored as FLAC."""
    with atomic_path(out.with_suffix(".wav")) as tmp:
        run_ffmpeg(["-y", "-i", str(source), "-ac", "1", "-ar", str(rate), "-c:a", "pcm_s16le", "-map_metadata",
                    "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "wav", str(tmp)],
                   what=f"resample a part voice's sentence to {rate} Hz", path=source)
    if not store_wav(out):
        raise AudioError("ffmpeg wrote no readable WAV", out.with_suffix(".wav"))


def join_wavs(files: Sequence[Path], out: Path, rate: int) -> None:
    """One sentence from its pieces (all mono 16-bit at ``rate``), end to end, written atomically."""
    flac.write(out, b"".join(flac.read(path, rate) for path in files), rate)


class _Mastering:
    """Chapters mastered (and encoded) on ``jobs`` threads as their sentences become ready.

    ``start(plans, missing)`` queues every chapter none of whose sentences is in ``missing``;
    ``synthesized(path)`` marks one sentence written and queues the chapters it completes;
    ``pieces()`` waits for every chapter, in order. Leaving the block on an error (Ctrl-C,
    a failed synthesis) cancels the chapters not yet started and waits for the running ones,
    whose cache writes are atomic, so no ffmpeg outlives the render.
    """

    def __init__(self, target: LoudnessTarget, in_rate: int, cache_dir: Path, work_dir: Path, jobs: int,
                 encodings: Sequence[tuple[str, str]], progress: Progress | None, level: VoiceLevel | None):
        self.target, self.in_rate, self.cache_dir, self.work_dir = target, in_rate, cache_dir, work_dir
        self.level = level
        self.encodings, self.progress = tuple(dict.fromkeys(encodings)), progress
        self.jobs = max(1, jobs)
        self.pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="narrate-master")
        self.plans: list[ChapterPlan] = []
        self.futures: list[Future[ChapterPiece] | None] = []
        self.encodes: list[Future[Encoded]] = []  # appended from worker threads (list.append is atomic)
        self.waiting: dict[Path, list[int]] = {}  # a missing sentence -> the chapters that need it
        self.pending: list[int] = []  # missing sentences per chapter

    def __enter__(self) -> _Mastering:
        return self

    def __exit__(self, kind, value, tb) -> None:  # noqa: ANN001
        self.pool.shutdown(wait=True, cancel_futures=kind is not None)

    def start(self, plans: Sequence[ChapterPlan], missing: set[Path], shared: Sequence[Path] = ()) -> None:
        """``shared``: sentences every chapter needs besides its own (the voice's calibration)."""
        self.plans = list(plans)
        self.futures = [None] * len(self.plans)
        self.pending = [0] * len(self.plans)
        for i, plan in enumerate(self.plans):
            for path in (set(plan.paths) | set(shared)) & missing:
                self.waiting.setdefault(path, []).append(i)
                self.pending[i] += 1
        for stage in ("assemble", "loudness"):
            if self.progress:
                self.progress(stage, 0, len(self.plans))
        for i, count in enumerate(self.pending):
            if count == 0:
                self._submit(i)

    def synthesized(self, path: Path) -> None:
        for i in self.waiting.pop(path, ()):
            self.pending[i] -= 1
            if self.pending[i] == 0:
                self._submit(i)

    def _submit(self, i: int) -> None:
        self.futures[i] = self.pool.submit(self._one, self.plans[i])

    def _one(self, plan: ChapterPlan) -> ChapterPiece:
        piece = load_piece(plan, self.target, self.in_rate, self.cache_dir, self.encodings)
        if piece is None:
            loss = self.level.limiter_loss() if self.level else 0.0
            early = EarlyEncodes(self.target, self.encodings, self.level) if self.encodings else None
            piece = master_piece(plan, self.target, self.in_rate, self.cache_dir, self.work_dir, self.jobs, loss,
                                 early)
        for codec, bitrate in self.encodings:  # each its own task: one chapter's codecs encode in parallel
            self.encodes.append(self.pool.submit(encode_piece, piece, codec, bitrate, self.target, self.cache_dir,
                                                 self.jobs, self.level))
        return piece

    def pieces(self) -> list[ChapterPiece]:
        for i, future in enumerate(self.futures):
            if future is None:  # a sentence the synthesis did not report (it cannot happen, but never hang)
                self._submit(i)
        pieces = []
        for done, future in enumerate(self.futures, 1):
            assert future is not None
            pieces.append(future.result())
            for stage in ("assemble", "loudness"):
                if self.progress:
                    self.progress(stage, done, len(self.futures))
        for encoding in list(self.encodes):  # every chapter is mastered: no more are added
            encoding.result()
        return pieces


def chapter_plans(script: Script, paths: Sequence[Path]) -> list[ChapterPlan]:
    plans, index = [], 0
    for chapter in script.chapters:
        count = len(chapter.segments)
        plans.append(ChapterPlan(chapter.id, tuple(paths[index:index + count]),
                                 tuple(s.pause_after_ms for s in chapter.segments)))
        index += count
    return plans


def used_cache_files(script: Script, profile: VoiceProfile, engine: Engine, cache_dir: Path,
                     parts: Mapping[str, tuple[VoiceProfile, Engine]] | None = None) -> set[Path]:
    """The cache files ``script`` read by ``profile`` (and ``parts``' voices for passages in other
    languages) would use: sentences, resampled and joined sentences, chapter pieces (for ``narrate clean``)."""
    target = TARGETS.get(profile.loudness)
    if target is None:
        return set()
    plan = plan_segments(list(script.segments()), {**(parts or {}), "": (profile, engine)}, cache_dir,
                         engine.sample_rate)
    used = plan.files()
    for chapter in chapter_plans(script, plan.final):
        used |= piece_files(cache_dir, chapter.key(target, engine.sample_rate))
    level, _ = voice_level(profile, engine, target, cache_dir, cache_dir)
    if level is not None:
        used |= set(level.paths) | level.files()
    return used


def build_timeline(script: Script, pieces: Sequence[ChapterPiece]) -> Timeline:
    """Chapter N starts at the sum of the previous spans; segments sit at their piece offsets."""
    def ms(samples: int) -> int:
        return (samples * 1000 + OUT_RATE // 2) // OUT_RATE

    chapters, segments, start = [], [], 0
    for number, (chapter, piece) in enumerate(zip(script.chapters, pieces, strict=True), 1):
        end = start + (piece.frames if number == len(pieces) else piece.span)
        chapters.append(TimelineChapter(chapter.id, chapter.title, ms(start), ms(end)))
        for segment, (a, b) in zip(chapter.segments, piece.offsets, strict=True):
            segments.append(TimelineSegment(segment.id, segment.block_id, chapter.id, segment.text,
                                            ms(start + a), ms(start + b)))
        start = end
    return Timeline(tuple(chapters), tuple(segments), ms(start))


def encoded(rendered: Rendered, codec: str, bitrate: str) -> list[Encoded]:
    """Every piece of ``rendered`` encoded as ``codec`` (cached), in parallel across its jobs."""
    target = target_of(rendered)
    with ThreadPoolExecutor(max_workers=max(1, min(rendered.jobs, len(rendered.pieces) or 1))) as pool:
        return list(pool.map(lambda p: encode_piece(p, codec, bitrate, target, rendered.cache_dir,
                                                    voice=rendered.level), rendered.pieces))


def stitch_wav(rendered: Rendered, out: Path, chapter_ids: Sequence[str] | None = None) -> Path:
    """The pieces (all, or ``chapter_ids`` in order) as one WAV laid out like the stitched editions:
    ``CODEC_GAP`` silent samples between pieces. For checks and tests; editions never need it."""
    chosen = [p for p in rendered.pieces if chapter_ids is None or p.id in chapter_ids]
    with atomic_path(out) as tmp, wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(OUT_RATE)
        for number, piece in enumerate(chosen, 1):
            with wave.open(str(piece.wav), "rb") as src:
                while block := src.readframes(32768):
                    wav.writeframesraw(block)
            if number < len(chosen):
                wav.writeframesraw(bytes(2 * CODEC_GAP))
    return out


# ------------------------------------------------------------------- chapters


def chapter_audio(rendered: Rendered, chapter_id: str, out: Path, fmt: str = "mp3", bitrate: str = "64k") -> Path:
    """Chapter ``chapter_id`` as ``out`` (``fmt``: mp3 or wav), copied from its cached piece, atomically.

    Clip times inside the file are the timeline's times minus the chapter's ``start_ms``.
    """
    piece = next((p for p in rendered.pieces if p.id == chapter_id), None)
    if piece is None:
        raise AudioError(f"no chapter {chapter_id!r} in the narration", out)
    if fmt not in ("mp3", "wav"):
        raise AudioError(f"expected a chapter format among mp3, wav, found {fmt!r}", out)
    source = piece.wav if fmt == "wav" else encode_piece(piece, "mp3", bitrate, target_of(rendered),
                                                         rendered.cache_dir, voice=rendered.level).path
    with atomic_path(out) as tmp:
        shutil.copyfile(source, tmp)
    return out


def document_mp3(rendered: Rendered, chapter_ids: Sequence[str], work: Path, bitrate: str = "64k") -> Path:
    """The MP3 of consecutive chapters ``chapter_ids``: one chapter's cached piece itself, or the
    pieces' frames concatenated (gapless) into ``work``. Its first sample is the first chapter's."""
    pieces = encoded(rendered, "mp3", bitrate) if len(chapter_ids) > 1 else []
    if len(chapter_ids) == 1:
        piece = next(p for p in rendered.pieces if p.id == chapter_ids[0])
        return encode_piece(piece, "mp3", bitrate, target_of(rendered), rendered.cache_dir,
                            voice=rendered.level).path
    chosen = [e for e, p in zip(pieces, rendered.pieces, strict=True) if p.id in chapter_ids]
    concat_mp3([e.path for e in chosen], work)
    return work


def remove_partial(work_dir: Path) -> None:
    """Remove temporary files a killed render may have left in ``work_dir``."""
    for leftover in work_dir.glob(".*.tmp"):
        os.unlink(leftover)


def check_chapter_starts(rendered: Rendered, pieces: Sequence[Encoded], out: Path, unit: str) -> None:
    """Chapter starts counted from the real frames or packets (``unit``) of the stitched
    pieces must be the timeline's: the CHAP and M4B chapter times are the timeline's."""
    start = 0
    for piece, chapter in zip(pieces, rendered.timeline.chapters, strict=True):
        start_ms = (start * 1000 + rendered.sample_rate // 2) // rendered.sample_rate
        if start_ms != chapter.start_ms:
            raise AudioError(f"chapter {chapter.id!r} starts at {start_ms} ms by its {unit}, the timeline "
                             f"says {chapter.start_ms} ms", out)
        start += piece.packets * piece.samples_per_packet
