"""An edit's block encoded while it is mastered (issue 31): the encoder reads the master through a
pipe as ffmpeg writes it, so the edit waits for the longer of the two runs, not their sum. The
encoding must be byte for byte what the usual encoding of the finished master writes, and kept
only when the chapter's gain and level are what it assumed."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from test_batched_ffmpeg import RATE, raw  # a synthetic voice-like WAV

from narrate.audio import early_encode, encoding
from narrate.audio.block_master import apply_master, apply_masters, master_piece
from narrate.audio.early_encode import EarlyEncodes
from narrate.audio.layout import RawBlocks
from narrate.audio.master import TARGETS
from narrate.audio.piece import CODEC_GAP, SPAN_QUANTUM, Block, ChapterPlan, piece_path


@pytest.mark.parametrize(("codec", "compensation", "limited"),
                         [("mp3", 0.4, True), ("mp3", 0.0, True), ("mp3", 0.8, False), ("aac", 0.3, True)])
def test_a_tapped_encoding_is_the_encoding_of_the_finished_master(tmp_path, codec, compensation, limited):
    target = TARGETS["default"]
    frames = [2 * SPAN_QUANTUM - CODEC_GAP, SPAN_QUANTUM - CODEC_GAP]
    raws = [raw(tmp_path / f"raw{n}.wav", f / 44100, n) for n, f in enumerate(frames)]
    blocks = [Block(f"block{n}", tmp_path / f"master{n}.wav", f) for n, f in enumerate(frames)]
    taps = [[(lambda source, out, b=b: encoding.encode_command(b, codec, "64k", compensation, target, source, out),
              tmp_path / f"tapped{n}")] for n, b in enumerate(blocks)]
    levels = apply_masters([(r, b.wav, b.frames) for r, b in zip(raws, blocks, strict=True)], RATE, target, 5.0,
                           limited, taps)
    for n, (r, block) in enumerate(zip(raws, blocks, strict=True)):
        assert levels[n] == apply_master(r, tmp_path / f"alone{n}.wav", block.frames, RATE, target, 5.0, limited)
        assert block.wav.read_bytes() == (tmp_path / f"alone{n}.wav").read_bytes()  # the tap changes no master
        out = tmp_path / f"usual{n}"
        encoding._encode([(block, out)], encoding._CODECS[codec][2], "64k", compensation, target, "encode")
        assert (tmp_path / f"tapped{n}").read_bytes() == out.read_bytes(), n
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]


def test_a_failed_tap_keeps_the_master_and_leaves_nothing(tmp_path):
    target = TARGETS["default"]
    frames = SPAN_QUANTUM - CODEC_GAP
    r = raw(tmp_path / "raw.wav", frames / 44100, 1)
    taps = [[(lambda source, out: [*source, "-c:a", "no-such-codec", str(out)], tmp_path / "tapped")]]
    apply_masters([(r, tmp_path / "master.wav", frames)], RATE, target, 5.0, True, taps)
    apply_master(r, tmp_path / "alone.wav", frames, RATE, target, 5.0, True)
    assert (tmp_path / "master.wav").read_bytes() == (tmp_path / "alone.wav").read_bytes()
    assert not (tmp_path / "tapped").exists()
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]


class Offsets:
    def __init__(self, offset: float):
        self.value, self.asked = offset, 0

    def offset(self, codec: str, bitrate: str) -> float:
        self.asked += 1
        return self.value


def sentences(folder: Path, count: int, seconds: float) -> ChapterPlan:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [raw(folder / f"s{n}.wav", seconds, n) for n in range(count)]
    return ChapterPlan("c1", tuple(paths), tuple(700 for _ in paths))


def test_an_edit_encodes_its_block_as_it_is_mastered(tmp_path, monkeypatch):
    """A chapter of several blocks mastered cold, then one block changed: the changed block's
    encoding is in the cache when the mastering returns (no encoding run after it), and the
    chapter's encoding is byte for byte the cold build's of the same audio."""
    target = TARGETS["default"]
    voice = Offsets(-0.4)
    plan = sentences(tmp_path / "s", 16, 9.0)
    early = EarlyEncodes(target, (("mp3", "64k"),), voice)
    cache, work = tmp_path / "cache", tmp_path / "work"
    piece = master_piece(plan, target, RATE, cache, work, 2, 0.0, early)
    assert len(piece.blocks) >= 2
    assert voice.asked == 0  # a cold chapter taps nothing (nor asks the codec's offset)
    encoding.encode_piece(piece, "mp3", "64k", target, cache, 2, voice)
    # one sentence changed: one block mastered again, tapped
    edited = list(plan.paths)
    edited[-1] = tmp_path / "s" / "edited.wav"  # a new sentence like its neighbour: the gain stays
    shutil.copyfile(plan.paths[-3], edited[-1])
    plan2 = ChapterPlan("c1", tuple(edited), plan.pauses_ms)
    runs: list[list[str]] = []
    real = encoding.run_ffmpeg
    monkeypatch.setattr(encoding, "run_ffmpeg", lambda args, **kw: runs.append(args) or real(args, **kw))
    peaks: list[tuple[str, Path]] = []
    measure = encoding.encoded_true_peak

    def recorded(path: Path) -> float:
        peaks.append((threading.current_thread().name, path))
        return measure(path)

    monkeypatch.setattr(encoding, "encoded_true_peak", recorded)
    monkeypatch.setattr(early_encode, "encoded_true_peak", recorded)
    piece2 = master_piece(plan2, target, RATE, cache, work, 2, 0.0, early)
    compensation = encoding.compensation_db(target, piece2.level_lufs, -0.4)
    new = [b for b in piece2.blocks if not encoding.cached_block(b, "mp3", "64k", compensation, cache)]
    assert new == []  # the edited block was encoded (and checked) during its mastering
    assert voice.asked > 0
    # its true peak measured once, on the tap's thread (beside the master's level), not after
    assert [name for name, _ in peaks] == ["narrate-tap"], peaks
    assert peaks[0][1].suffix == ".mp3"
    edit = encoding.encode_piece(piece2, "mp3", "64k", target, cache, 2, voice)
    assert not [a for a in runs if "libmp3lame" in a]  # nothing encoded after the mastering
    assert not list(work.iterdir())  # the work folder keeps no tapped encodings
    # the same audio built cold: the same bytes
    cold_cache = tmp_path / "cold"
    cold = master_piece(plan2, target, RATE, cold_cache, tmp_path / "work2", 2, 0.0, early)
    assert [b.key for b in cold.blocks] == [b.key for b in piece2.blocks]
    again = encoding.encode_piece(cold, "mp3", "64k", target, cold_cache, 2, voice)
    assert again.path.read_bytes() == edit.path.read_bytes()


def test_a_tapped_encoding_the_level_does_not_confirm_is_dropped(tmp_path):
    """An early encoding assumes the chapter lands on the target; a chapter that does not gets its
    blocks encoded with the compensation its level calls for, and the tapped one is not kept."""
    target = TARGETS["default"]
    early = EarlyEncodes(target, (("mp3", "64k"),), Offsets(-0.4))
    block = Block("b", tmp_path / "b.wav", SPAN_QUANTUM - CODEC_GAP)
    raws = RawBlocks(ChapterPlan("c", (), ()), [], RATE, tmp_path / "work")
    (tmp_path / "work").mkdir()
    (_, staged), = early.taps(block, raws, None)
    staged.write_bytes(b"not kept")
    early.adopt("c", [block], target.integrated_lufs - 0.5, raws, tmp_path / "cache")
    assert not encoding.cached_block(block, "mp3", "64k", 0.4, tmp_path / "cache")
    assert not encoding.cached_block(block, "mp3", "64k", 0.9, tmp_path / "cache")
    raws.remove()
    assert not list((tmp_path / "work").iterdir())


def test_the_tapped_compensation_follows_the_chapters_expected_level(tmp_path):
    """A chapter whose master sits off the target by more than ``COMPENSATE_ABOVE_LU`` gets a
    compensation of its own: the tap takes it from the level the cached masters and the edited
    block's raw level at the chapter's gain add up to, which the mastered level confirms."""
    target = TARGETS["default"]
    guesses: list[float | None] = []

    class Recording:
        def taps(self, block: Block, raws: RawBlocks, level_lufs: float | None) -> list:
            guesses.append(level_lufs)
            return []

        def adopt(self, *args: object) -> None:
            pass

    plan = sentences(tmp_path / "s", 16, 9.0)
    master_piece(plan, target, RATE, tmp_path / "cache", tmp_path / "work", 2, 0.0, Recording())
    assert guesses == []  # cold: nothing tapped
    edited = list(plan.paths)
    edited[-1] = tmp_path / "s" / "edited.wav"
    shutil.copyfile(plan.paths[-3], edited[-1])
    piece = master_piece(ChapterPlan("c1", tuple(edited), plan.pauses_ms), target, RATE, tmp_path / "cache",
                         tmp_path / "work", 2, 0.0, Recording())
    assert len(guesses) == 1 and guesses[0] == pytest.approx(piece.level_lufs, abs=0.05)
    # off the target: the compensation of that level, and the encoding made at it is the one kept
    early = EarlyEncodes(target, (("mp3", "64k"),), Offsets(-0.4))
    off = target.integrated_lufs - 0.3
    assert early.compensation("mp3", "64k", off) == encoding.compensation_db(target, off, -0.4) == 0.7
    block = Block("b", tmp_path / "b.wav", SPAN_QUANTUM - CODEC_GAP)
    raws = RawBlocks(ChapterPlan("c", (), ()), [], RATE, tmp_path / "work")
    (_, staged), = early.taps(block, raws, off)
    (_, on_target), = early.taps(block, raws, None)
    assert staged != on_target


def test_a_first_pass_that_will_be_mastered_again_taps_nothing(tmp_path):
    """A chapter whose first pass misses the target by more than the second pass's threshold (here
    a limiter loss 1 LU wrong) is mastered again: an edit's block is tapped in that second pass
    only, where its encoding can be kept, not in the first (an encoding thrown away)."""
    target = TARGETS["default"]
    guesses: list[float | None] = []

    class Recording:
        def taps(self, block: Block, raws: RawBlocks, level_lufs: float | None) -> list:
            guesses.append(level_lufs)
            return []

        def adopt(self, *args: object) -> None:
            pass

    plan = sentences(tmp_path / "s", 16, 9.0)
    master_piece(plan, target, RATE, tmp_path / "cache", tmp_path / "work", 2, -1.0, Recording())
    edited = list(plan.paths)
    edited[-1] = tmp_path / "s" / "edited.wav"
    shutil.copyfile(plan.paths[-3], edited[-1])
    plan2 = ChapterPlan("c1", tuple(edited), plan.pauses_ms)
    piece = master_piece(plan2, target, RATE, tmp_path / "cache", tmp_path / "work", 2, -1.0, Recording())
    record = json.loads(piece_path(tmp_path / "cache", plan2.key(target, RATE), ".json").read_text())
    assert record["tried"]  # a second pass was made
    assert len(guesses) == 1 and guesses[0] == pytest.approx(piece.level_lufs, abs=0.05)
