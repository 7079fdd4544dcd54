"""A mastered piece encoded (MP3, AAC) block by block, within the true-peak limit, cached; the
encoders' frames counted and joined (``audio/chapter`` tells the design).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from narrate.artifacts import atomic_path, atomic_write, hash_parts
from narrate.audio import flac, mp3_join
from narrate.audio.block_master import LIMITER_MARGIN_DB, groups, limiter
from narrate.audio.ffmpeg import measure_loudness, parse_loudness, probe, run_ffmpeg
from narrate.audio.loudness import true_peak_dbtp
from narrate.audio.piece import (
    CODEC_GAP,
    CODEC_SUFFIX,
    OUT_RATE,
    Block,
    ChapterPiece,
    LoudnessTarget,
    encoding_key,
    piece_path,
)
from narrate.errors import AudioError

EXCERPT_S = 30  # seconds of a voice's calibration master encoded to learn a codec's level offset

# ------------------------------------------------------------------ encodings

_CODECS = {
    "mp3": (CODEC_SUFFIX["mp3"], 1152, ["-c:a", "libmp3lame", "-write_xing", "1", "-f", "mp3"]),
    "aac": (CODEC_SUFFIX["aac"], 1024, ["-c:a", "aac", "-aac_coder", "fast", "-f", "adts"]),
}
COMPENSATE_ABOVE_LU = 0.1
PEAK_ATTEMPTS = 4  # encodings of a block at most, each with the limiter lower (``_encode_within_peak``)
IN_PROCESS_PEAK_MARGIN_DB = 0.1  # added to an in-process true peak (``encoded_true_peak``)
PEAK_STEP_DB = 0.1  # lowered beyond the measured excess, so one more encoding usually suffices


class VoiceOffsets(Protocol):
    """What an encode needs of the voice (``voicelevel.VoiceLevel``)."""

    def offset(self, codec: str, bitrate: str) -> float: ...


@dataclass(frozen=True)
class Encoded:
    path: Path
    packets: int  # MP3 frames or AAC packets (audio only; the Xing frame is not counted)
    samples_per_packet: int
    compensation_db: float = 0.0  # gain added for this codec to land on the target


def encode_piece(piece: ChapterPiece, codec: str, bitrate: str, target: LoudnessTarget,
                 cache_dir: Path, jobs: int = 1, voice: VoiceOffsets | None = None) -> Encoded:
    """``piece`` encoded as ``codec`` at ``bitrate``, cached; level-compensated for the codec.

    Each codec changes level differently (LAME loses ~0.4 LU on speech, ffmpeg's AAC ~0.1), so a
    LUFS piece is encoded once with the voice's offset for the codec (``voice.offset``, learned
    once per voice: ``voicelevel``) and the master's own distance from the target added when it
    is more than a tenth of an LU (``compensation_db``), in 0.1 dB steps. A gain within the limiter's margin is
    applied as it is; a larger one goes through the limiter, so the peak ceiling holds.

    Each block is encoded on its own (``jobs`` at a time) and cached under its own key and the
    compensation, so after an edit only the edited block is encoded again; a longer chapter's
    encoding is its blocks' frames end to end (their joins are the codec gaps of the layout).
    """
    suffix, per_packet, _ = _CODECS[codec]
    key = encoding_key(piece.key, codec, bitrate)
    info = piece_path(cache_dir, key, ".json")
    if info.is_file():
        try:
            data = json.loads(info.read_text(encoding="utf-8"))
            path = piece_path(cache_dir, str(data["file"]), suffix)
            if path.is_file():
                return Encoded(path, int(data["packets"]), per_packet, float(data["compensation_db"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    compensation = 0.0
    if target.measure == "lufs":
        master = piece.level_lufs if piece.level_lufs is not None else \
            measure_loudness(piece.wav, true_peak=False).integrated_lufs
        compensation = compensation_db(target, master, voice.offset(codec, bitrate) if voice else 0.0)

    cached = [_cached_block(block, codec, bitrate, compensation, cache_dir) for block in piece.blocks]
    todo = [index for index, found in enumerate(cached) if found is None]

    def run(group: list[int]) -> None:  # one ffmpeg run encodes the group's blocks
        made = _encode_blocks(piece, group, codec, bitrate, compensation, target, cache_dir)
        for index, result in zip(group, made, strict=True):
            cached[index] = result

    runs = groups(todo, [b.frames for b in piece.blocks], jobs)
    if len(runs) > 1:
        with ThreadPoolExecutor(max_workers=len(runs), thread_name_prefix="narrate-encode") as pool:
            list(pool.map(run, runs))
    else:
        for group in runs:
            run(group)
    done = [found for found in cached if found is not None]
    assert len(done) == len(cached)  # every block cached or encoded by its group's run
    packets = sum(count for _, count in done)
    if len(done) == 1:
        out = done[0][0]
    else:
        out = piece_path(cache_dir, key, suffix)
        (concat_mp3 if codec == "mp3" else concat_adts)([path for path, _ in done], out)
    atomic_write(info, json.dumps({"packets": packets, "compensation_db": compensation, "file": out.stem,
                                   "blocks": [path.stem for path, _ in done]}))
    return Encoded(out, packets, per_packet, compensation)


def compensation_db(target: LoudnessTarget, master_lufs: float, offset: float) -> float:
    """The gain an encoding of a master at ``master_lufs`` gets for a codec that adds ``offset`` LU
    (``encode_piece``): to the target, in 0.1 dB steps; none for a (near) silent master.

    While the master is within ``COMPENSATE_ABOVE_LU`` of the target, the encoding gets the codec's
    own share alone (``-offset`` in 0.1 dB steps: the same for every chapter of the voice). A master
    lands within a few hundredths of an LU of the target (its gain in 0.1 dB steps,
    ``block_master._normalize``) and an edit moves it by about as much, so a compensation rounded
    from the sum of the two flipped between two steps from one edit to the next whenever the
    codec's offset sat near a half step (LAME's -0.4 LU with the Piper voice: an edit that moved
    the chapter's master by 0.013 LU encoded all of its blocks again). Such an encoding is off the
    target by at most ``COMPENSATE_ABOVE_LU`` and half a step (0.15 LU; a master needing no
    compensation could be 0.1 off before); a master further off is compensated whole, rounded
    to 0.1 dB."""
    if master_lufs <= -69.0:
        return 0.0
    off_target = target.integrated_lufs - master_lufs
    step = round(-offset if abs(off_target) <= COMPENSATE_ABOVE_LU else off_target - offset, 1)
    return step + 0.0  # never -0.0 (it is part of the encodings' keys)


def _block_paths(block: Block, codec: str, bitrate: str, compensation: float, cache_dir: Path) -> tuple[Path, Path]:
    """Where a block's encoding and its record (its packet count) are cached."""
    key = hash_parts(block.key, codec, bitrate, f"compensation={compensation:.1f}", "/6")
    return piece_path(cache_dir, key, _CODECS[codec][0]), piece_path(cache_dir, key, ".json")


def _cached_block(block: Block, codec: str, bitrate: str, compensation: float,
                  cache_dir: Path) -> tuple[Path, int] | None:
    """A block's cached encoding and its packet count, or None when it must be encoded."""
    out, info = _block_paths(block, codec, bitrate, compensation, cache_dir)
    if out.is_file() and info.is_file():
        try:
            return out, int(json.loads(info.read_text(encoding="utf-8"))["packets"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return None


def _encode_blocks(piece: ChapterPiece, indexes: Sequence[int], codec: str, bitrate: str, compensation: float,
                   target: LoudnessTarget, cache_dir: Path) -> list[tuple[Path, int]]:
    """The blocks ``indexes`` of ``piece`` encoded (cached), first all in one ffmpeg run (each
    through its own filters, so each is what a run of its own writes), then each checked against
    the peak limit (encoded again alone while it is over) and its packets against its span."""
    args = _CODECS[codec][2]
    blocks = [piece.blocks[i] for i in indexes]
    outs = [_block_paths(block, codec, bitrate, compensation, cache_dir)[0] for block in blocks]
    _encode(list(zip(blocks, outs, strict=True)), args, bitrate, compensation, target,
            encoding_what(piece.id, len(piece.blocks), indexes))
    return [finish_block(block, codec, bitrate, compensation, target, cache_dir, piece.id,
                         encoding_what(piece.id, len(piece.blocks), [index]))
            for index, block in zip(indexes, blocks, strict=True)]


def encoding_what(chapter: str, count: int, numbers: Sequence[int]) -> str:
    """What encoding the blocks ``numbers`` (from 0) of a chapter of ``count`` blocks is, for errors."""
    if count == 1:
        return f"encode chapter {chapter!r}"
    which = "block" if len(numbers) == 1 else "blocks"
    return f"encode chapter {chapter!r} ({which} {', '.join(str(n + 1) for n in numbers)} of {count})"


def finish_block(block: Block, codec: str, bitrate: str, compensation: float, target: LoudnessTarget,
                 cache_dir: Path, chapter: str, what: str, peak: float | None = None) -> tuple[Path, int]:
    """A block's first encoding, at its cache path already, checked against the peak limit (encoded
    again while it is over) and its packets against its span; its record written: it is now cached.
    ``peak``: the first encoding's true peak (``encoded_true_peak``), when it was measured already."""
    _, per_packet, args = _CODECS[codec]
    out, info = _block_paths(block, codec, bitrate, compensation, cache_dir)
    _encode_within_peak(block, out, args, bitrate, compensation, target, what, encoded=True, peak=peak)
    packets = _count_packets(out, codec)
    if packets * per_packet != block.frames + CODEC_GAP:
        raise AudioError(f"expected {(block.frames + CODEC_GAP) // per_packet} {codec} packets for chapter "
                         f"{chapter!r}, the encoder wrote {packets}", out)
    atomic_write(info, json.dumps({"packets": packets}))
    return out, packets


def block_paths(block: Block, codec: str, bitrate: str, compensation: float, cache_dir: Path) -> tuple[Path, Path]:
    """Where a block's encoding and its record are cached (``_block_paths``)."""
    return _block_paths(block, codec, bitrate, compensation, cache_dir)


def cached_block(block: Block, codec: str, bitrate: str, compensation: float, cache_dir: Path) -> bool:
    """Is the block's encoding at ``compensation`` cached (its file and its record)?"""
    return _cached_block(block, codec, bitrate, compensation, cache_dir) is not None


def encode_command(block: Block, codec: str, bitrate: str, compensation: float, target: LoudnessTarget,
                   source: list[str], out: Path) -> list[str]:
    """ffmpeg's arguments encoding ``block``'s master, read through ``source`` (input options and
    ``-i``), to ``out``: the same filters and encoder as ``_encode`` (the same bytes)."""
    _, _, args = _CODECS[codec]
    return ["-y", *source, *_output_args(block, 0, _boost(compensation, target, None), bitrate, args, out)]


def learn_codec_offset(wav: Path, frames: int, codec: str, bitrate: str, what: str) -> float:
    """The level (LU) ``codec`` at ``bitrate`` adds to the master ``wav`` (negative: it loses level),
    measured on at most ``EXCERPT_S`` seconds from its middle: the excerpt is encoded and measured
    in one ffmpeg run, then its encoding is measured."""
    suffix, _, args = _CODECS[codec]
    length = min(frames, EXCERPT_S * OUT_RATE)
    start = (frames - length) // 2
    with tempfile.TemporaryDirectory(prefix="narrate-codec-") as scratch:
        sample = Path(scratch) / f"excerpt{suffix}"
        lines = run_ffmpeg(["-y", "-i", str(wav), "-filter_complex",
                            f"atrim=start_sample={start}:end_sample={start + length},asplit[e][m];[m]ebur128[n]",
                            "-map", "[e]", "-ac", "1", "-ar", str(OUT_RATE), "-b:a", bitrate, "-map_metadata", "-1",
                            *args, "-bitexact", str(sample), "-map", "[n]", "-f", "null", "-"], what=what, path=wav)
        before = parse_loudness(lines, wav).integrated_lufs
        after = measure_loudness(sample, true_peak=False).integrated_lufs
    if before <= -69.0 or after <= -69.0:
        return 0.0  # too quiet to tell (room tone): no compensation
    return after - before


def _encode_within_peak(block: Block, out: Path, args: list[str], bitrate: str, compensation: float,
                        target: LoudnessTarget, what: str, *, encoded: bool = False,
                        peak: float | None = None) -> None:
    """Encode ``block`` and measure the encoding's true peak (decoded, ffmpeg's ebur128) until it
    holds ``target.encoded_peak_limit``. The codec's overshoot is usually within the master's
    headroom (``CODEC_HEADROOM_DB``); on transient-rich audio at low bitrates it is not (an MP3 at
    64 kbps put a -4.5 dBFS onset at -1.2 dBTP: pre-echo, which no limiter on the master sees).
    The second encoding limits the master lower by the excess; any further one also lowers the
    block's gain by what is still in excess (a few tenths of a dB on one block, against a peak
    limit that must hold on every file a listener gets). ``encoded``: the first encoding is at
    ``out`` already (``_encode_blocks``), and ``peak``, if given, its true peak."""
    ceiling, trim, excess = None, 0.0, 0.0
    for attempt in range(PEAK_ATTEMPTS):
        if attempt or not encoded:
            _encode([(block, out)], args, bitrate, round(compensation - trim, 2), target, what, ceiling)
        measured = peak if attempt == 0 and encoded and peak is not None else encoded_true_peak(out)
        excess = measured - target.encoded_peak_limit
        if excess <= 0:
            return
        if ceiling is None:
            ceiling = target.master_peak_dbtp - excess - PEAK_STEP_DB
        else:
            trim += excess + PEAK_STEP_DB
    raise AudioError(f"expected {what} to peak at most at {target.encoded_peak_limit:g} dBTP, found "
                     f"{excess + target.encoded_peak_limit:.2f} dBTP after {PEAK_ATTEMPTS} encodings", out)


def encoded_true_peak(path: Path) -> float:
    """An encoding's true peak (dBTP), decoded. An MP3 is decoded (libsndfile's mpg123) and measured
    in-process (``loudness.true_peak_dbtp``), ``IN_PROCESS_PEAK_MARGIN_DB`` added: the figure every
    check of ours reads is ffmpeg's ebur128, in 0.1 dB steps, which can be up to 0.05 dB higher,
    and the two measures differ by up to 0.04 dB. An AAC (which libsndfile cannot read) goes
    through ffmpeg's ebur128, as every encoding did before: that ffmpeg run cost more than the
    MP3's encoding."""
    if path.suffix == CODEC_SUFFIX["mp3"]:
        return round(true_peak_dbtp(flac.decode(path)), 2) + IN_PROCESS_PEAK_MARGIN_DB
    lines = run_ffmpeg(["-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
                       what="measure an encoding's true peak", path=path)
    return parse_loudness(lines, path, true_peak=True).true_peak_dbtp


def _encode(blocks: Sequence[tuple[Block, Path]], args: list[str], bitrate: str, compensation: float,
            target: LoudnessTarget, what: str, ceiling: float | None = None) -> None:
    """One encoding of each ``(block, out)``, all in one ffmpeg run; ``ceiling``: limit the master
    again there first (dBTP)."""
    boost = _boost(compensation, target, ceiling)
    with ExitStack() as stack:
        inputs, outputs = [], []
        for number, (block, out) in enumerate(blocks):
            tmp = stack.enter_context(atomic_path(out))
            inputs += ["-i", str(block.wav)]
            outputs += _output_args(block, number, boost, bitrate, args, tmp)
        run_ffmpeg(["-y", *inputs, *outputs], what=what, path=blocks[0][1])


def _boost(compensation: float, target: LoudnessTarget, ceiling: float | None) -> list[str]:
    """The filters an encoding applies to its master: the compensation, and a limiter at ``ceiling``
    (dBTP), or at the master's peak when the compensation is past the master's headroom."""
    boost: list[str] = []
    if compensation or ceiling is not None:
        boost = [f"volume={compensation:.2f}dB"] if compensation else []
        if ceiling is not None:
            boost += [*limiter(OUT_RATE, ceiling), f"aresample={OUT_RATE}"]
        elif compensation > LIMITER_MARGIN_DB:  # past the master's headroom: limit again, at the master's
            # peak itself (the codec's overshoot is already budgeted under the target's true peak;
            # the margin below it only exists so that small boosts need no limiter): limiting at
            # the margin too took a third of the boost back, and the MP3s missed the target
            boost += [*limiter(OUT_RATE, target.master_peak_dbtp), f"aresample={OUT_RATE}"]
    return boost


def _output_args(block: Block, number: int, boost: list[str], bitrate: str, args: list[str], out: Path) -> list[str]:
    filters = ["-af", ",".join([*boost, f"apad=whole_len={block.frames}",
                                f"atrim=end_sample={block.frames}"])] if boost else []
    return ["-map", f"{number}:a", *filters, "-ac", "1", "-ar", str(OUT_RATE), "-b:a", bitrate,
            "-map_metadata", "-1", *args, "-bitexact", str(out)]


def _count_packets(path: Path, codec: str) -> int:
    """The audio packets the encoder wrote: an MP3's Xing/Info frame count (the encoder's own
    count, written because of ``-write_xing 1``) or the number of ADTS frames (each frame's header
    gives its length); ffprobe counts them when neither can be read."""
    data = path.read_bytes()
    counted = _xing_frames(data) if codec == "mp3" else _adts_frames(data)
    if counted is not None:
        return counted
    probed = probe(path, "stream=nb_read_packets", count_packets=True)
    streams = probed.get("streams") or [{}]
    try:
        return int(streams[0]["nb_read_packets"])
    except (KeyError, ValueError) as exc:
        raise AudioError("ffprobe cannot count the audio packets", path) from exc


def _xing_frames(data: bytes) -> int | None:
    start = 0
    if data[:3] == b"ID3" and len(data) >= 10:  # an ID3v2 tag: its size is syncsafe
        start = 10 + ((data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F))
    head = data[start:start + 200]
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    for tag in (b"Xing", b"Info"):
        at = head.find(tag)
        if at >= 0 and len(head) >= at + 12 and head[at + 7] & 0x01:  # the frames field is present
            return int.from_bytes(head[at + 8:at + 12], "big")
    return None


def _adts_frames(data: bytes) -> int | None:
    count = position = 0
    while position + 7 <= len(data):
        if data[position] != 0xFF or data[position + 1] & 0xF6 != 0xF0:
            return None
        length = (data[position + 3] & 0x03) << 11 | data[position + 4] << 3 | data[position + 5] >> 5
        if length < 7:
            return None
        count += (data[position + 6] & 0x03) + 1
        position += length
    return count if position == len(data) else None


def concat_mp3(paths: Sequence[Path], out: Path) -> None:
    """Concatenate MP3 frame streams (each with its LAME/Xing header) into ``out``, atomically.

    ffmpeg's concat demuxer copies the audio frames (each piece starts with an empty bit
    reservoir, so any frame boundary between pieces is a valid join) and the mp3 muxer writes
    one Xing/LAME header for the whole: the frame count and the first piece's encoder delay,
    so players skip the delay once and play every join gaplessly.

    The streams narrate's encodes make (and joins of them) are joined in-process, the same bytes
    (``mp3_join``): an edit joined a chapter's blocks and then the edition's chapters, each an
    ffmpeg start-up for a file copy and one header. Anything else goes through ffmpeg.
    """
    streams = mp3_join.read(paths)
    if streams is not None:
        with atomic_path(out) as tmp, open(tmp, "wb") as sink:
            mp3_join.write(streams, sink)
        return
    concat_mp3_ffmpeg(paths, out)


def concat_mp3_ffmpeg(paths: Sequence[Path], out: Path) -> None:
    """``concat_mp3`` through ffmpeg's concat demuxer and mp3 muxer, whatever the streams."""
    with atomic_path(out) as tmp, _concat_listing(paths, tmp.parent) as inputs:
        run_ffmpeg(["-y", *inputs, "-map", "0:a", "-c", "copy", "-map_metadata", "-1", "-write_id3v2", "0",
                    "-write_xing", "1", "-bitexact", "-f", "mp3", str(tmp)], what="join the chapters' MP3", path=out)


def concat_adts(paths: Sequence[Path], out: Path) -> None:
    """Concatenate ADTS AAC streams (self-contained frames) into ``out``, streaming."""
    with atomic_path(out) as tmp, open(tmp, "wb") as sink:
        for path in paths:
            with open(path, "rb") as source:
                shutil.copyfileobj(source, sink, 1 << 20)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


@contextmanager
def _concat_listing(paths: Sequence[Path], scratch: Path) -> Iterator[list[str]]:
    """ffmpeg input options reading ``paths`` end to end (a concat demuxer listing in ``scratch``)."""
    scratch.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".concat.", suffix=".txt.tmp", dir=scratch)
    os.close(fd)
    listed = Path(name)
    try:
        listed.write_text("ffconcat version 1.0\n" + "".join(f"file {_quote(p.resolve())}\n" for p in paths),
                          encoding="utf-8")
        yield ["-f", "concat", "-safe", "0", "-i", str(listed)]
    finally:
        listed.unlink(missing_ok=True)


