"""The chapter as the unit of audio work: mastered chapter pieces and their encodings, cached.

A chapter's piece is its sentences and pauses, with room tone at the head and between
sentences, loudness-normalized on its own (one measurement for the chapter, one gain, then
passes that apply the gain and the true-peak limiter), at 44.1 kHz. Its record is cached under
``<cache>/chapters`` with a key of exactly what it is made from: the loudness target, the
engine's rate, and for each sentence its synthesized audio's key and the pause after it.
Adding, removing or reordering chapters reuses every other piece.

Blocks: the sub-chapter unit of work. A chapter is cut at paragraph ends into blocks of about
twenty seconds to a minute and a half (``cut_after``: content-defined, so an edit moves no cut but its
neighbours'); each block is mastered (gain, limiter, resampling) and encoded on its own, and
cached under a key of its own audio, the chapter's gain (rounded to 0.1 dB, so a small edit
rarely changes it) and, for encodings, the codec's compensation (also rounded to 0.1 dB).
Each block's momentary loudness (the 400 ms gating blocks, every 100 ms) is measured once,
raw and mastered, in-process (``loudness.momentary``), and cached; the chapter's integrated
loudness is gated from all of its blocks' values (``gated_loudness``). Editing one sentence
therefore measures, masters and encodes one block (twice mastered when the limiter's shortfall
calls for a second pass); the chapter's encoding is its blocks' frames end to end. A short
chapter is one block. An edited block is encoded while it is mastered (``audio/early_encode``:
the encoder reads the master through a pipe), kept when the chapter's level confirms it.

Encodings (MP3 for the edition and the read-along, AAC for the M4B) are cached beside the
piece, keyed on the piece, the codec and the bitrate, so stitching an edition copies frames
and never re-encodes an unchanged chapter.

Gapless joins. Both encoders add a fixed number of samples: LAME (via ffmpeg) writes
``ceil((n + 1152) / 1152)`` frames of 1152 samples for ``n`` input samples (576 of encoder
delay, the rest padding); ffmpeg's AAC writes ``ceil((n + 1024) / 1024)`` packets of 1024 (1024
of priming). A block is therefore padded with room tone to ``n = M - 1152`` samples, ``M`` a
multiple of 9216 (the lcm of 1152 and 1024): its MP3 is then exactly ``M / 1152`` frames and its
AAC exactly ``M / 1024`` packets. Concatenating the frame streams and skipping the first
stream's delay once (LAME/Xing gapless info, an MP4 edit list) puts every block's first
sample at the sum of the previous spans ``M`` in both editions, so one timeline serves both,
and chapter times follow from the frame and packet counts. Between blocks 1152 samples
(26 ms) of codec padding and priming separate one block's room tone from the next's; inside a
chapter a block ends at a paragraph's pause, which the padding lengthens by up to 0.2 s.
Measured: decoded, those 26 ms can be near or exact digital silence inside the room tone (at
most a few ms of zeros since the master carries its own room tone, ``apply_master``). They sit
inside a pause (>= 500 ms) and the timeline counts them; removing them would need per-join edit
lists (M4B) or overlapping encodes, which a frame-copied MP3 cannot carry.

Where each part lives: the piece, its blocks and their cache records in ``audio/piece``; the
blocks' cuts, layout, room tone and raw audio in ``audio/layout``; loudness, the chapter's gain
and each block's master in ``audio/block_master``; the encodings, their true peak, frame counts
and joins in ``audio/encoding``. This module names them all for callers.
"""

from __future__ import annotations

from narrate.audio.block_master import (
    LIMITER_MARGIN_DB,
    ROOM_TONE_AMPLITUDE,
    ROOM_TONE_SEED,
    apply_master,
    combined_level,
    gated_loudness,
    limiter,
    master_piece,
    measure_block,
)
from narrate.audio.encoding import (
    COMPENSATE_ABOVE_LU,
    EXCERPT_S,
    PEAK_ATTEMPTS,
    PEAK_STEP_DB,
    Encoded,
    VoiceOffsets,
    compensation_db,
    concat_adts,
    concat_mp3,
    encode_piece,
    learn_codec_offset,
)
from narrate.audio.layout import (
    BLOCK_CUT_ONE_IN,
    BLOCK_CUT_PAUSE_MS,
    BLOCK_LEAD_MS,
    BLOCK_MAX_S,
    BLOCK_MIN_S,
    BlockLayout,
    RawBlocks,
    RoomTone,
    cut_after,
    layout,
    raw_frames,
    segment_frames,
    to_out,
)
from narrate.audio.piece import (
    CODEC_GAP,
    CODEC_HEADROOM_DB,
    KNOWN_ENCODINGS,
    OUT_RATE,
    SPAN_QUANTUM,
    Block,
    ChapterPiece,
    ChapterPlan,
    LoudnessTarget,
    encoding_cached,
    load_piece,
    padded_frames,
    piece_files,
    piece_path,
    read_json,
    whole_wav,
)

__all__ = [
    "BLOCK_CUT_ONE_IN", "BLOCK_CUT_PAUSE_MS", "BLOCK_LEAD_MS", "BLOCK_MAX_S", "BLOCK_MIN_S", "CODEC_GAP",
    "CODEC_HEADROOM_DB", "COMPENSATE_ABOVE_LU", "EXCERPT_S", "KNOWN_ENCODINGS", "LIMITER_MARGIN_DB", "OUT_RATE",
    "PEAK_ATTEMPTS", "PEAK_STEP_DB", "ROOM_TONE_AMPLITUDE", "ROOM_TONE_SEED", "SPAN_QUANTUM", "Block", "BlockLayout",
    "ChapterPiece", "ChapterPlan", "Encoded", "LoudnessTarget", "RawBlocks", "RoomTone", "VoiceOffsets",
    "apply_master", "combined_level", "compensation_db", "concat_adts", "concat_mp3", "cut_after", "encode_piece",
    "encoding_cached", "gated_loudness", "layout", "learn_codec_offset", "limiter", "load_piece", "master_piece",
    "measure_block", "padded_frames", "piece_files", "piece_path", "raw_frames", "read_json", "segment_frames",
    "to_out", "whole_wav",
]
