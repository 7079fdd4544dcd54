"""An edit's blocks encoded while they are mastered: the encoder reads the master through a pipe
as ffmpeg writes it (``block_master.apply_masters``' taps), so an edit's chain is the longer of
the two runs, not their sum (the two cores work at once).

An encoding's compensation depends on the chapter's mastered level, known only once every block
is mastered; the encoding made early takes the compensation (``encoding.compensation_db``) of the
level expected from the cached blocks' masters and the edited blocks' raw levels at the chapter's
gain, which the mastered level nearly always confirms (the limiter takes a few hundredths of an LU
off one block). When the mastering is done, an early encoding is kept only if its block is one of
the chapter's final masters and the compensation the chapter's level calls for is the one it took;
it then goes through the same peak check and packet count as any block's first encoding
(``encoding.finish_block``), so the cache holds the same bytes as without it. Otherwise it is
dropped (the work folder's scratch) and ``encode_piece`` encodes the block as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from narrate.artifacts import hash_parts
from narrate.audio.block_master import Tap, adopt
from narrate.audio.encoding import (
    VoiceOffsets,
    block_paths,
    cached_block,
    compensation_db,
    encode_command,
    encoded_true_peak,
    encoding_what,
    finish_block,
)
from narrate.audio.layout import RawBlocks
from narrate.audio.piece import CODEC_SUFFIX, Block, LoudnessTarget


@dataclass(frozen=True)
class EarlyEncodes:
    """The encodings (``(codec, bitrate)``) an edit's blocks get while mastered, ``voice`` giving the
    codecs' offsets (asked for only when a block is tapped: a cold chapter never is)."""

    target: LoudnessTarget
    encodings: tuple[tuple[str, str], ...]
    voice: VoiceOffsets | None = None
    peaks: dict[Path, float] = field(default_factory=dict, compare=False, repr=False)  # staged -> true peak

    def compensation(self, codec: str, bitrate: str, level_lufs: float | None) -> float:
        """The compensation ``encode_piece`` gives a chapter at ``level_lufs`` (None: assumed on target)."""
        if self.target.measure != "lufs":
            return 0.0
        offset = self.voice.offset(codec, bitrate) if self.voice else 0.0
        return compensation_db(self.target, self.target.integrated_lufs if level_lufs is None else level_lufs, offset)

    def _staged(self, block: Block, codec: str, bitrate: str, compensation: float, raws: RawBlocks) -> Path:
        key = hash_parts(block.key, codec, bitrate, f"compensation={compensation:.1f}")
        return raws.staged(key, f".early{CODEC_SUFFIX[codec]}")

    def taps(self, block: Block, raws: RawBlocks, level_lufs: float | None) -> list[Tap]:
        """The block's encodings as taps of its mastering, for a chapter expected at ``level_lufs``
        (None: on the target)."""
        taps: list[Tap] = []
        for codec, bitrate in self.encodings:
            compensation = self.compensation(codec, bitrate, level_lufs)
            staged = self._staged(block, codec, bitrate, compensation, raws)
            taps.append((_Command(self, block, codec, bitrate, compensation, staged), staged))
        return taps

    def adopt(self, chapter: str, blocks: Sequence[Block], level_lufs: float | None, raws: RawBlocks,
              cache_dir: Path) -> None:
        """Each early encoding of the chapter's final ``blocks`` made at the compensation the chapter's
        level calls for: moved into the cache and finished as a first encoding is."""
        if not any(raws.work_dir.glob(f"*.{raws.stamp}.early.*")):
            return  # nothing was tapped (a cold chapter): the codecs' offsets are not asked for here
        for codec, bitrate in self.encodings:
            actual = self.compensation(codec, bitrate, level_lufs)
            for index, block in enumerate(blocks):
                staged = self._staged(block, codec, bitrate, actual, raws)  # made at another: not kept
                if not staged.is_file() or cached_block(block, codec, bitrate, actual, cache_dir):
                    continue
                out, _ = block_paths(block, codec, bitrate, actual, cache_dir)
                peak = self.peaks.pop(staged, None)
                adopt(staged, out)
                finish_block(block, codec, bitrate, actual, self.target, cache_dir, chapter,
                             encoding_what(chapter, len(blocks), [index]), peak)


@dataclass(frozen=True)
class _Command:
    """A tap's command: the block's encoding read from the master's pipe; once written, its true
    peak measured on the tap's thread (while the mastering measures the master's level)."""

    early: EarlyEncodes
    block: Block
    codec: str
    bitrate: str
    compensation: float
    staged: Path

    def __call__(self, source: list[str], out: Path) -> list[str]:
        return encode_command(self.block, self.codec, self.bitrate, self.compensation, self.early.target, source, out)

    def finished(self, out: Path) -> None:
        self.early.peaks[self.staged] = encoded_true_peak(out)
