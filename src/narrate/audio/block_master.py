"""A chapter's loudness: its blocks measured, one gain for the chapter, each block mastered
(gain, true-peak limiter, resampling, room tone) and cached (``audio/chapter`` tells the design).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Protocol

from narrate.artifacts import atomic_path, atomic_write, hash_parts
from narrate.audio.ffmpeg import Loudness, measure_rms, run_ffmpeg
from narrate.audio.layout import RawBlocks, layout, raw_frames, segment_frames, to_out
from narrate.audio.loudness import momentary
from narrate.audio.piece import (
    CODEC_GAP,
    OUT_RATE,
    Block,
    ChapterPiece,
    ChapterPlan,
    LoudnessTarget,
    piece_path,
    read_json,
    whole_wav,
)

# Room tone laid under every master (``apply_master``): pink noise at about -70 dBFS RMS, loud
# enough that a 64 kbps MP3 or AAC keeps it (at -78 dBFS and below the encoders quantized it to
# exact zeros), far under ACX's -60 dB noise-floor limit; one seed, so masters are reproducible.
ROOM_TONE_AMPLITUDE = 0.002
ROOM_TONE_SEED = 0x4ACC
LIMITER_MARGIN_DB = 0.5  # the limiter's ceiling sits this far under ``master_peak_dbtp``
SECOND_PASS_LU = 0.3  # a limited master further than this from the target is mastered again (``_normalize``)

# A tap: ffmpeg's arguments for a second process that reads a block's master from ``source``
# (input options and ``-i``) as it is written, and writes ``out``; where its output is kept. A
# command with a ``finished(out)`` method has it called on its output, on the tap's thread.
Tap = tuple[Callable[[list[str], Path], list[str]], Path]


class EarlyEncodes(Protocol):
    """Encodings of an edit's blocks made while they are mastered (``audio/early_encode``)."""

    def taps(self, block: Block, raws: RawBlocks, level_lufs: float | None) -> list[Tap]: ...

    def adopt(self, chapter: str, blocks: Sequence[Block], level_lufs: float | None, raws: RawBlocks,
              cache_dir: Path) -> None: ...


def master_piece(plan: ChapterPlan, target: LoudnessTarget, in_rate: int, cache_dir: Path,
                 work_dir: Path, jobs: int = 1, loss: float = 0.0, early: EarlyEncodes | None = None) -> ChapterPiece:
    """Assemble, measure and normalize one chapter into its cached piece (atomic).

    Each block's raw audio is measured on its own and its levels cached, and the chapter's
    level is computed from all of them (one gain for the chapter); each block is then mastered
    on its own (``jobs`` at a time), or reused from the cache when a block with the same audio
    was mastered at the same gain: after an edit only the edited block is measured and mastered.
    ``loss`` is the LU the limiter takes off this voice (``voicelevel.VoiceLevel.limiter_loss``),
    added to the gain so that one pass lands on the target. ``early``: encodings an edit's blocks
    get while they are mastered (kept when the chapter's final gain and level are what they assumed).
    """
    key = plan.key(target, in_rate)
    frames = [segment_frames(p, in_rate) for p in plan.paths]
    blocks = layout(plan, in_rate, target, frames)
    work_dir.mkdir(parents=True, exist_ok=True)
    raws = RawBlocks(plan, blocks, in_rate, work_dir)
    try:
        mastered, gain, limited, level, tried = _normalize(raws, in_rate, target, cache_dir, jobs, loss, early)
        if early is not None:
            early.adopt(plan.id, mastered, level, raws, cache_dir)
    finally:
        raws.remove()
    offsets, start = [], 0
    for block, done in zip(blocks, mastered, strict=True):
        offsets += [(start + to_out(a, in_rate), start + to_out(b, in_rate)) for a, b in block.spans]
        start += done.frames + CODEC_GAP
    record = {"offsets": offsets, "gain_db": round(gain, 3), "limited": limited, "level_lufs": level,
              "blocks": [[b.key, b.frames] for b in mastered], "tried": sorted(tried - {b.key for b in mastered}),
              "raw": [b.key for b in blocks]}
    atomic_write(piece_path(cache_dir, key, ".json"), json.dumps(record))
    return ChapterPiece(plan.id, key, tuple(mastered), tuple(offsets), gain, limited, level)



# ------------------------------------------------------------------ levels

def gated_loudness(momentary: Sequence[float]) -> float:
    """Integrated loudness (ITU-R BS.1770: absolute gate -70 LUFS, relative gate -10 LU) from
    the loudness of its 400 ms gating blocks: the momentary loudness every 100 ms
    (``loudness.momentary``, as ffmpeg's ebur128 reports it). Blocks measured apart combine by
    concatenating their values."""
    def power(lufs: float) -> float:
        return 10 ** ((lufs + 0.691) / 10)

    def loudness(values: list[float]) -> float:
        return -0.691 + 10 * math.log10(sum(power(v) for v in values) / len(values))

    audible = [m for m in momentary if m > -70.0]
    if not audible:
        return -70.0
    relative = loudness(audible) - 10.0
    kept = [m for m in audible if m > relative]
    return max(loudness(kept), -70.0)


def combined_level(levels: Sequence[dict], target: LoudnessTarget) -> Loudness:
    """The chapter's level from its blocks' (``measure_block``): LUFS, or ACX's RMS and sample peak."""
    if target.measure == "lufs":
        return Loudness(gated_loudness([m for level in levels for m in level["m"]]), math.inf)
    count = sum(level["n"] for level in levels)
    energy = sum(10 ** (level["rms"] / 10) * level["n"] for level in levels)
    rms = 10 * math.log10(energy / count) if energy > 0 and count else -70.0
    return Loudness(max(rms, -70.0), max(level["peak"] for level in levels))


def measure_block(wav: Path, target: LoudnessTarget, frames: int) -> dict:
    """One block's levels: its momentary loudness (LUFS targets) or RMS, peak and length (ACX)."""
    if target.measure == "lufs":
        return {"m": momentary(wav)}
    measured = measure_rms(wav)
    return {"rms": measured.integrated_lufs, "peak": measured.true_peak_dbtp, "n": frames}


def _levels(path: Path) -> dict | None:
    data = read_json(path)
    return data if ("m" in data or "rms" in data) else None


def _normalize(raws: RawBlocks, in_rate: int, target: LoudnessTarget, cache_dir: Path, jobs: int,
               loss: float, early: EarlyEncodes | None = None
               ) -> tuple[list[Block], float, bool, float | None, set[str]]:
    """Master every block at ``target`` with one gain for the chapter; return the blocks, the gain,
    whether the limiter ran, the master's integrated loudness (LUFS targets) and every block key tried.

    The gain is rounded to 0.1 dB, so a small edit rarely changes it and the other blocks stay
    cached. The limiter lowers loudness a little: the gain includes the voice's ``loss``, and
    when the first pass still misses by more than 0.3 LU (a chapter whose peaks are unlike the
    voice's calibration), one more pass with the shortfall added brings it back. Every block's
    levels, raw and mastered, are cached.
    """
    def raw_level(index: int) -> dict:
        block = raws.blocks[index]
        cached = piece_path(cache_dir, block.key, ".levels.json")
        level = _levels(cached)
        if level is None:
            level = measure_block(raws.path(index), target, raw_frames(block, in_rate))
            atomic_write(cached, json.dumps(level))
        return level

    raw_levels = _map(raw_level, range(len(raws.blocks)), jobs)
    measured = combined_level(raw_levels, target)
    tried: set[str] = set()
    if measured.integrated_lufs <= -69.0:  # silence: nothing to normalize
        gain, limited = 0.0, False
    else:
        # LUFS targets always run the (oversampled) limiter: measuring true peak costs more
        # than limiting, and the limiter leaves anything under its ceiling untouched.
        limited = target.measure == "lufs" or \
            measured.true_peak_dbtp + target.integrated_lufs - measured.integrated_lufs > target.master_peak_dbtp
        gain = round(target.integrated_lufs - measured.integrated_lufs + (loss if limited else 0.0), 1)
    # the first pass is measured; its masters are kept (in the cache) only if no second pass follows
    mastered, level = _master_blocks(raws, in_rate, target, gain, limited, cache_dir, jobs, final=False, early=early,
                                     raw_levels=raw_levels)
    if limited and measured.integrated_lufs > -69.0:
        shortfall = target.integrated_lufs - level.integrated_lufs
        if abs(shortfall) > SECOND_PASS_LU:
            tried |= {b.key for b in mastered}
            gain = round(gain + shortfall, 1)
    mastered, level = _master_blocks(raws, in_rate, target, gain, limited, cache_dir, jobs, final=True, early=early,
                                     raw_levels=raw_levels)
    return mastered, gain, limited, level.integrated_lufs if target.measure == "lufs" else None, tried


def _map(function, items, jobs: int) -> list:  # noqa: ANN001
    """``function`` over ``items`` in order, on up to ``jobs`` threads."""
    items = list(items)
    if jobs > 1 and len(items) > 1:
        with ThreadPoolExecutor(max_workers=min(jobs, len(items)), thread_name_prefix="narrate-block") as pool:
            return list(pool.map(function, items))
    return [function(item) for item in items]


def _master_blocks(raws: RawBlocks, in_rate: int, target: LoudnessTarget, gain: float, limited: bool,
                   cache_dir: Path, jobs: int, *, final: bool,
                   early: EarlyEncodes | None = None, raw_levels: Sequence[dict] = ()) -> tuple[list[Block], Loudness]:
    """Each block mastered at ``gain`` (its levels cached); the master's level.

    Not ``final``: only the levels are needed, and a block mastered now is kept in the work
    folder (a second pass at another gain would make it useless). ``final``: every block's master
    is in the cache, adopted from the work folder when this build made it in the first pass.
    ``early``: when some of the chapter's blocks are cached at this gain (an edit), the blocks
    mastered now are encoded as they are written (``EarlyEncodes``); a cold chapter is not. The
    encodings' compensation is guessed from the chapter's level with the cached blocks' masters and
    the others' ``raw_levels`` at ``gain`` less what the limiter took off the cached ones (their
    masters against their raw levels at ``gain``); a first pass that this level says will be
    mastered again taps nothing.
    """
    results: list[tuple[Block, dict] | None] = [None] * len(raws.blocks)
    todo: list[int] = []
    blocks: list[Block] = []
    for index, layout_ in enumerate(raws.blocks):
        key = hash_parts(layout_.key, f"gain={gain:.1f}", f"limited={limited}")
        block = Block(key, piece_path(cache_dir, key, ".wav"), layout_.frames)
        blocks.append(block)
        level = _levels(piece_path(cache_dir, key, ".levels.json"))
        staged = raws.staged(key)
        if level is not None and (not final or whole_wav(block.wav, block.frames)):
            results[index] = block, level
        elif final and level is not None and whole_wav(staged, block.frames):
            adopt(staged, block.wav)
            results[index] = block, level
        else:
            todo.append(index)

    tapped = early is not None and len(todo) < len(blocks) and os.name == "posix"  # taps pass pipes (POSIX)
    guess = None
    if tapped and target.measure == "lufs" and len(raw_levels) == len(blocks):
        def at(shift: float, index: int) -> dict:
            return {"m": [m + shift for m in raw_levels[index]["m"]]}

        cached = [i for i, result in enumerate(results) if result is not None]
        taken = combined_level([at(gain, i) for i in cached], target).integrated_lufs - \
            combined_level([results[i][1] for i in cached], target).integrated_lufs  # type: ignore[index]
        guess = combined_level([result[1] if result is not None else at(gain - taken, i)
                                for i, result in enumerate(results)], target).integrated_lufs
        # a first pass that will be mastered again (its level too far off) would only waste its taps
        tapped = final or not limited or abs(target.integrated_lufs - guess) <= SECOND_PASS_LU - 0.05

    def run(group: list[int]) -> None:  # one ffmpeg run masters the group's blocks
        made = [(raws.path(i), blocks[i].wav if final else raws.staged(blocks[i].key), blocks[i].frames)
                for i in group]
        taps = [early.taps(blocks[i], raws, guess) for i in group] if tapped and early is not None else []
        for index, level in zip(group, apply_masters(made, in_rate, target, gain, limited, taps), strict=True):
            atomic_write(piece_path(cache_dir, blocks[index].key, ".levels.json"), json.dumps(level))
            results[index] = blocks[index], level

    _map(run, groups(todo, [b.frames for b in blocks], jobs), jobs)
    done = [result for result in results if result is not None]
    assert len(done) == len(results)  # every block cached, adopted or mastered by its group's run
    return [b for b, _ in done], combined_level([level for _, level in done], target)


def adopt(staged: Path, out: Path) -> None:
    """Move a file made in the work folder (a master, an early encoding) into the cache (atomically;
    copied across devices)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(staged, out)
    except OSError:
        with atomic_path(out) as tmp:
            shutil.copyfile(staged, tmp)


def limiter(in_rate: int, ceiling_db: float) -> list[str]:
    ceiling = 10 ** (ceiling_db / 20)
    return [f"aresample={4 * in_rate}", f"alimiter=limit={ceiling:.5f}:level=0:latency=1:attack=2:release=80"]


def apply_master(raw: Path, out: Path, frames: int, in_rate: int, target: LoudnessTarget, gain: float,
                 limited: bool) -> dict:
    """Write a block's master (``frames`` samples) to ``out``; return its levels (``measure_block``)."""
    return apply_masters([(raw, out, frames)], in_rate, target, gain, limited)[0]


def apply_masters(blocks: Sequence[tuple[Path, Path, int]], in_rate: int, target: LoudnessTarget, gain: float,
                  limited: bool, taps: Sequence[Sequence[Tap]] = ()) -> list[dict]:
    """Write each block's master (``(raw, out, frames)``: ``frames`` samples from ``raw`` to ``out``)
    in one ffmpeg run, each through its own graph (so each is what a run of its own writes); return
    their levels (``measure_block``). Starting ffmpeg costs about 0.1 CPU-s whatever it does, which
    a block of a few tens of seconds pays again for every block of a chapter mastered alone.

    ``taps[n]``: processes that read block ``n``'s master through a pipe as it is written (its
    16-bit samples, the WAV's own) and run beside this one: an edit's encodings, which would
    otherwise wait for the master. A tap's output is kept only when it and the master succeed."""
    filters = [f"volume={gain:.3f}dB"]
    if limited:
        filters = [*filters, *limiter(in_rate, target.master_peak_dbtp - LIMITER_MARGIN_DB)]
    graphs, inputs = [], []
    for number, (raw, _, frames) in enumerate(blocks):
        inputs += ["-i", str(raw)]
        chain = [*filters, f"aresample={OUT_RATE}", f"apad=whole_len={frames}", f"atrim=end_sample={frames}"]
        tapped = len(taps[number]) if number < len(taps) else 0
        split = f",asplit={1 + tapped}[out{number}]" + "".join(f"[tap{number}_{t}]" for t in range(tapped)) \
            if tapped else f"[out{number}]"
        # room tone under everything, after the gain: its level is the same in every chapter and
        # voice, and it fills an engine's own digital silence (espeak-ng's pauses are exact zeros)
        graphs.append(f"[{number}:a]{','.join(chain)}[voice{number}];anoisesrc=r={OUT_RATE}:c=pink:"
                      f"a={ROOM_TONE_AMPLITUDE}:seed={ROOM_TONE_SEED}[tone{number}];"
                      f"[voice{number}][tone{number}]amix=inputs=2:duration=first:normalize=0{split}")
    with ExitStack() as stack:
        tmps = [stack.enter_context(atomic_path(out)) for _, out, _ in blocks]
        outputs = []
        for number, tmp in enumerate(tmps):
            outputs += ["-map", f"[out{number}]", "-ac", "1", "-ar", str(OUT_RATE), "-c:a", "pcm_s16le", "-bitexact",
                        "-map_metadata", "-1", "-f", "wav", str(tmp)]
        with _Taps(taps) as pipes:
            for (number, t), write_end in pipes.ends.items():
                outputs += ["-map", f"[tap{number}_{t}]", "-ac", "1", "-ar", str(OUT_RATE), "-c:a", "pcm_s16le",
                            "-bitexact", "-map_metadata", "-1", "-f", "s16le", f"pipe:{write_end}"]
            try:
                run_ffmpeg(["-y", *inputs, "-filter_complex", ";".join(graphs), *outputs],
                           what="normalize a chapter's loudness", path=blocks[0][1], pass_fds=pipes.fds())
            except BaseException:
                pipes.failed = True
                raise
        return [measure_block(tmp, target, frames) for tmp, (_, _, frames) in zip(tmps, blocks, strict=True)]


def _part(out: Path) -> Path:
    """Where a tap writes before its output is kept (the same suffix: the codec's)."""
    return out.with_suffix(".part" + out.suffix)


class _Taps:
    """The tap processes of one mastering run (``apply_masters``), each reading its own pipe on a
    thread of its own; on leaving, the pipes are closed (the taps see the end), the taps waited
    for, and each tap's output moved to its place if it and the master succeeded (else removed)."""

    def __init__(self, taps: Sequence[Sequence[Tap]]):
        self.taps = {(n, t): tap for n, block in enumerate(taps) for t, tap in enumerate(block)}
        self.ends: dict[tuple[int, int], int] = {}
        self.failed = False
        self.threads: list[threading.Thread] = []
        self.ok: dict[tuple[int, int], bool] = {}

    def fds(self) -> tuple[int, ...]:
        return tuple(self.ends.values())

    def __enter__(self) -> _Taps:
        try:
            for name, (command, out) in self.taps.items():
                read_end, write_end = os.pipe()
                self.ends[name] = write_end
                part = _part(out)
                thread = threading.Thread(target=self._run, args=(name, command, read_end, part), daemon=True,
                                          name="narrate-tap")
                thread.start()
                self.threads.append(thread)
        except BaseException:
            self.failed = True
            self.__exit__(None, None, None)
            raise
        return self

    def _run(self, name: tuple[int, int], command: Callable[[list[str], Path], list[str]], read_end: int,
             part: Path) -> None:
        try:
            run_ffmpeg(command(["-f", "s16le", "-ar", str(OUT_RATE), "-ac", "1", "-i", f"pipe:{read_end}"], part),
                       what="encode a block as it is mastered", path=part, pass_fds=(read_end,))
            self.ok[name] = True
            finished = getattr(command, "finished", None)
            if finished is not None:  # work on the tap's output while the master is measured
                finished(part)
        except Exception:  # noqa: BLE001 - a tap is an optimisation: the block is encoded again as usual
            self.ok[name] = False
        finally:
            with open(read_end, "rb", closefd=True) as rest:  # a tap that stopped early must not block the master
                while rest.read(1 << 16):
                    pass

    def __exit__(self, *exc: object) -> None:
        for write_end in self.ends.values():
            os.close(write_end)
        for thread in self.threads:
            thread.join()
        for name, (_, out) in self.taps.items():
            part = _part(out)
            if not self.failed and exc[0] is None and self.ok.get(name):
                os.replace(part, out)
            else:
                part.unlink(missing_ok=True)


def groups(indexes: Sequence[int], sizes: Sequence[int], count: int, most: int = 16) -> list[list[int]]:
    """``indexes`` in at most ``count`` groups of similar total ``sizes`` (each group in order, at
    most ``most`` long): the blocks one ffmpeg run makes, ``count`` runs side by side."""
    if not indexes:
        return []
    count = max(count, -(-len(indexes) // most))
    runs: list[list[int]] = [[] for _ in range(min(count, len(indexes)))]
    totals = [0] * len(runs)
    for index in sorted(indexes, key=lambda i: -sizes[i]):
        fits = [n for n in range(len(runs)) if len(runs[n]) < most]
        lightest = min(fits, key=lambda n: (totals[n], n))
        runs[lightest].append(index)
        totals[lightest] += sizes[index]
    return [sorted(run) for run in runs if run]
