from __future__ import annotations

import pytest
from conftest_audio import FAKE, ffprobe_json, make_cover, make_script
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3

from narrate.audio.master import render
from narrate.errors import AudioError
from narrate.speech.engines import get_engine
from narrate.writers import AudioMeta
from narrate.writers.mp3 import write_mp3

META = AudioMeta(
    title="The Tide Clock",
    authors=("Eilidh Ross", "Sam Lee"),
    date="2024-05-01",
    genre="Audiobook",
    comment="Narrated with a synthetic voice.",
    language="en-GB",
    publisher="Harbour Press",
    copyright="© 2024 Eilidh Ross",
    narrator="Joe (synthetic voice)",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("mp3")
    script = make_script(chapters=3, segments=2, words=5)
    rendered = render(script, FAKE, get_engine(FAKE), cache_dir=root / "cache", work_dir=root / "work")
    cover = make_cover(root / "cover.png")
    out = write_mp3(rendered, META, cover, root / "out" / "book.mp3")
    return rendered, out, root


def test_chapter_frames(built):
    rendered, out, _ = built
    tags = ID3(out)
    assert tags.version[:2] == (2, 3)
    tocs = tags.getall("CTOC")
    assert len(tocs) == 1
    toc = tocs[0]
    assert toc.element_id == "toc"
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    chaps = {chap.element_id: chap for chap in tags.getall("CHAP")}
    assert len(chaps) == len(rendered.timeline.chapters) == len(toc.child_element_ids)
    for element_id, chapter in zip(toc.child_element_ids, rendered.timeline.chapters, strict=True):
        chap = chaps[element_id]
        assert (chap.start_time, chap.end_time) == (chapter.start_ms, chapter.end_ms)
        assert chap.sub_frames["TIT2"].text == [chapter.title]


def test_tags_and_cover(built):
    _, out, _ = built
    tags = ID3(out)
    assert tags["TIT2"].text == ["The Tide Clock"]
    assert tags["TPE1"].text == ["Eilidh Ross; Sam Lee"]
    assert tags["TALB"].text == ["The Tide Clock"]
    assert str(tags["TDRC"].text[0]).startswith("2024")
    assert tags["TCON"].text == ["Audiobook"]
    comment = tags.getall("COMM")[0]
    assert comment.text == ["Narrated with a synthetic voice."] and comment.lang == "eng"
    picture = tags.getall("APIC")[0]
    assert picture.mime == "image/png" and picture.type == 3


def test_v23_frames_and_trade_tags(built):
    """A v2.3 tag has no v2.4-only frames: the date is TYER + TDAT, not TDRC."""
    rendered, out, _ = built
    size = ID3(out).size
    raw = out.read_bytes()[:size]
    assert raw[:5] == b"ID3\x03\x00"
    assert b"TDRC" not in raw and b"TYER" in raw and b"TDAT" in raw
    tags = ID3(out, translate=False)
    assert tags["TYER"].text == ["2024"] and tags["TDAT"].text == ["0105"]  # DDMM
    assert tags["TLEN"].text == [str(rendered.timeline.duration_ms)]
    info = ffprobe_json(out, "-show_format")
    assert abs(int(tags["TLEN"].text[0]) - float(info["format"]["duration"]) * 1000) <= 100
    assert tags["TPE2"].text == ["Eilidh Ross; Sam Lee"]
    assert tags["TPUB"].text == ["Harbour Press"]
    assert tags["TCOP"].text == ["© 2024 Eilidh Ross"]
    assert tags["TRCK"].text == ["1/1"]
    assert tags["TCOM"].text == ["Joe (synthetic voice)"]


def test_chap_frames_in_time_order(tmp_path):
    """Titles of very different lengths: mutagen alone would store CHAP frames by size."""
    import dataclasses
    import re

    script = make_script(chapters=12, segments=1, words=3)
    titles = [("A long-winded chapter title " * (12 - n))[: 5 + 9 * (12 - n)] for n in range(12)]
    script = dataclasses.replace(
        script, chapters=tuple(dataclasses.replace(c, title=t) for c, t in zip(script.chapters, titles, strict=True))
    )
    rendered = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "c", work_dir=tmp_path / "w")
    out = write_mp3(rendered, META, None, tmp_path / "order.mp3")
    raw = out.read_bytes()[: ID3(out).size]
    stored = [int(m) for m in re.findall(rb"CHAP.{6}ch(\d+)\x00", raw, re.S)]
    assert stored == list(range(1, 13))
    starts = [chap.start_time for chap in ID3(out).getall("CHAP")]
    assert starts == sorted(starts) and len(set(starts)) == 12
    info = ffprobe_json(out, "-show_chapters")
    assert [c["tags"]["title"] for c in info["chapters"]] == titles
    expected = [c.start_ms for c in rendered.timeline.chapters]
    assert [round(float(c["start_time"]) * 1000) for c in info["chapters"]] == expected


def test_ffprobe_chapters_and_stream(built):
    rendered, out, _ = built
    info = ffprobe_json(out, "-show_chapters", "-show_streams", "-show_format")
    titles = [c["tags"]["title"] for c in info["chapters"]]
    assert titles == [c.title for c in rendered.timeline.chapters]
    starts = [round(float(c["start_time"]) * 1000) for c in info["chapters"]]
    assert starts == [c.start_ms for c in rendered.timeline.chapters]
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (audio["codec_name"], audio["channels"], audio["sample_rate"]) == ("mp3", 1, "44100")
    assert int(audio["bit_rate"]) == 64000
    assert abs(float(info["format"]["duration"]) * 1000 - rendered.timeline.duration_ms) <= 100


def test_deterministic(built, tmp_path):
    _, out, root = built
    script = make_script(chapters=3, segments=2, words=5)
    again = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "cache", work_dir=tmp_path / "work")
    second = write_mp3(again, META, make_cover(tmp_path / "cover.png"), tmp_path / "book.mp3")
    assert second.read_bytes() == out.read_bytes()
    assert sorted(p.name for p in out.parent.iterdir()) == ["book.mp3"]  # no temp files left


def test_bad_cover(built, tmp_path):
    rendered, _, _ = built
    cover = tmp_path / "cover.gif"
    cover.write_bytes(b"GIF89a....")
    with pytest.raises(AudioError, match="JPEG or PNG") as info:
        write_mp3(rendered, META, cover, tmp_path / "x.mp3")
    assert info.value.path == str(cover)
    assert not (tmp_path / "x.mp3").exists()


def test_acx_bitrate(tmp_path):
    import dataclasses

    profile = dataclasses.replace(FAKE, loudness="acx")
    script = make_script(chapters=1, segments=2, words=4)
    rendered = render(script, profile, get_engine(profile), cache_dir=tmp_path / "c", work_dir=tmp_path / "w")
    out = write_mp3(rendered, META, None, tmp_path / "acx.mp3")
    audio = MP3(out).info
    # mutagen derives the bitrate from the Xing byte count over the gapless length: ±10 b/s
    assert (round(audio.bitrate, -3), audio.sample_rate, audio.channels) == (192000, 44100, 1)
    assert int(ffprobe_json(out, "-show_entries", "stream=bit_rate")["streams"][0]["bit_rate"]) == 192000
    assert audio.bitrate_mode != 2  # not VBR


def test_personal_copy_keeps_v23_and_chapter_order(built, tmp_path):
    import re

    from narrate.writers.mp3 import copy_with_comment, read_comment

    rendered, out, _ = built
    copy = tmp_path / "copy.mp3"
    copy_with_comment(out, copy, "Prepared for Ann Lee.")
    assert read_comment(copy) == "Prepared for Ann Lee."
    raw = copy.read_bytes()[: ID3(copy).size]
    assert raw[:4] == b"ID3\x03" and b"TDRC" not in raw and b"TYER" in raw
    stored = [int(m) for m in re.findall(rb"CHAP.{6}ch(\d+)\x00", raw, re.S)]
    assert stored == list(range(1, len(rendered.timeline.chapters) + 1))
    assert copy.read_bytes()[len(raw):] == out.read_bytes()[ID3(out).size :]  # the audio is untouched
