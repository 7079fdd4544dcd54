"""MP3 joins made in-process (``audio/mp3_join``) are byte for byte ffmpeg's (issue 31): blocks as
narrate encodes them, at the edition's bitrate and ACX's, joins of joins, one stream alone; streams
the module does not join exactly go through ffmpeg."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from narrate.audio import mp3_join
from narrate.audio.encoding import concat_mp3, concat_mp3_ffmpeg

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")

GRAIN = 9216  # a block's samples plus the codec gap are a multiple of this (``audio/chapter``)


def _encode(out: Path, source: str, samples: int, bitrate: str, extra: tuple[str, ...] = ()) -> Path:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source,
                    "-af", f"atrim=end_sample={samples}", "-ac", "1", "-ar", "44100", "-b:a", bitrate,
                    "-map_metadata", "-1", "-c:a", "libmp3lame", *extra, "-write_xing", "1", "-f", "mp3",
                    "-bitexact", str(out)], check=True)
    return out


@pytest.fixture(scope="module")
def blocks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Blocks as narrate encodes them: padded to a multiple of 9216 samples less 1152 (noise and a
    tone, several lengths; one shorter than a second), at 64 and 192 kbit/s."""
    folder = tmp_path_factory.mktemp("blocks")
    made: dict[str, list[Path]] = {"64k": [], "192k": []}
    for number, grains in enumerate((3, 41, 17, 120)):
        samples = GRAIN * grains - 1152
        noise = f"anoisesrc=r=44100:c=pink:a=0.2:seed={number + 1}"
        made["64k"].append(_encode(folder / f"n{number}.mp3", noise, samples, "64k"))
        made["192k"].append(_encode(folder / f"t{number}.mp3", f"sine=f={220 * (number + 1)}:r=44100", samples,
                                    "192k"))
    return made


@pytest.mark.parametrize("rate", ["64k", "192k"])
def test_a_join_is_ffmpegs_join(blocks: dict[str, list[Path]], tmp_path: Path, rate: str) -> None:
    paths = blocks[rate]
    for chosen in (paths, paths[:1], [paths[2], paths[0], paths[2]]):
        ours, theirs = tmp_path / "ours.mp3", tmp_path / "theirs.mp3"
        assert mp3_join.read(chosen) is not None  # joined here, not by the fallback
        concat_mp3(chosen, ours)
        concat_mp3_ffmpeg(chosen, theirs)
        assert ours.read_bytes() == theirs.read_bytes()


def test_a_join_of_joins_is_ffmpegs(blocks: dict[str, list[Path]], tmp_path: Path) -> None:
    """An edition joins chapters that are joins of blocks (one of them a single block)."""
    first, second = tmp_path / "c1.mp3", tmp_path / "c2.mp3"
    concat_mp3(blocks["64k"][:3], first)
    concat_mp3(blocks["64k"][1:], second)
    chapters = [first, blocks["64k"][3], second, first]
    ours, theirs = tmp_path / "ours.mp3", tmp_path / "theirs.mp3"
    concat_mp3(chapters, ours)
    concat_mp3_ffmpeg(chapters, theirs)
    assert ours.read_bytes() == theirs.read_bytes()


def test_the_music_crc_a_join_trusts_is_the_streams_own(blocks: dict[str, list[Path]], tmp_path: Path) -> None:
    """A join combines its inputs' LAME music CRCs instead of reading their frames again: each
    input's is the CRC of its audio frames, and so is the join's."""
    out = tmp_path / "joined.mp3"
    concat_mp3(blocks["64k"], out)
    for path in [*blocks["64k"], out]:
        data = path.read_bytes()
        stream = mp3_join.parse(data, path)
        assert stream is not None
        assert stream.crc == mp3_join.crc16(data[stream.start:])
    assert mp3_join.crc16(b"123456789") == 0xBB3D  # CRC-16/ARC's check value


def test_streams_it_cannot_join_exactly_go_through_ffmpeg(blocks: dict[str, list[Path]], tmp_path: Path) -> None:
    """A VBR stream, one without a Xing frame, a damaged one, or a mix of bitrates: ffmpeg joins them."""
    vbr = _encode(tmp_path / "vbr.mp3", "anoisesrc=r=44100:c=pink:a=0.2:seed=9", GRAIN * 20 - 1152, "64k",
                  ("-q:a", "4"))
    damaged = tmp_path / "damaged.mp3"
    damaged.write_bytes(blocks["64k"][1].read_bytes()[:-100])
    plain = tmp_path / "plain.mp3"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(blocks["64k"][1]), "-c", "copy",
                    "-write_xing", "0", "-bitexact", str(plain)], check=True)
    mixed = [blocks["64k"][0], blocks["192k"][0]]
    for chosen in ([blocks["64k"][0], vbr], [plain, blocks["64k"][0]], [damaged], mixed):
        assert mp3_join.read(chosen) is None
        ours, theirs = tmp_path / "ours.mp3", tmp_path / "theirs.mp3"
        concat_mp3(chosen, ours)
        concat_mp3_ffmpeg(chosen, theirs)
        assert ours.read_bytes() == theirs.read_bytes()
