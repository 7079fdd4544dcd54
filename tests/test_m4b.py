from __future__ import annotations

import struct

import pytest
from conftest_audio import FAKE, ffprobe_json, make_cover, make_script

from narrate.audio.master import render
from narrate.speech.engines import get_engine
from narrate.writers import AudioMeta
from narrate.writers.m4b import ffmetadata, write_m4b

META = AudioMeta(
    title="The Tide Clock; a test = 1",
    authors=("Eilidh Ross",),
    date="2024",
    comment="Synthetic voice.",
    genre="Audiobook",
    language="fr-CA",
    description="A book about tides, clocks and the people who keep them.",
    copyright="© 2024 Eilidh Ross",
    narrator="Joe (synthetic voice)",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("m4b")
    script = make_script(chapters=3, segments=2, words=5)
    rendered = render(script, FAKE, get_engine(FAKE), cache_dir=root / "cache", work_dir=root / "work")
    out = write_m4b(rendered, META, make_cover(root / "cover.png"), root / "out" / "book.m4b")
    return rendered, out


def read_chpl(data: bytes) -> list[tuple[int, str]]:
    """Parse the Nero chapter atom: version/flags, reserved, count, then (100 ns start, title)."""
    at = data.index(b"chpl")
    size = struct.unpack(">I", data[at - 4 : at])[0]
    body = data[at + 4 : at - 4 + size]
    version = body[0]
    pos = 4 + (4 if version == 1 else 0)
    count = body[pos]
    pos += 1
    chapters = []
    for _ in range(count):
        start = struct.unpack(">Q", body[pos : pos + 8])[0]
        length = body[pos + 8]
        chapters.append((start, body[pos + 9 : pos + 9 + length].decode("utf-8")))
        pos += 9 + length
    return chapters


def test_quicktime_chapter_track(built):
    rendered, out = built
    info = ffprobe_json(out, "-show_chapters", "-show_streams", "-show_format")
    chapters = rendered.timeline.chapters
    assert [c["tags"]["title"] for c in info["chapters"]] == [c.title for c in chapters]
    assert [round(float(c["start_time"]) * 1000) for c in info["chapters"]] == [c.start_ms for c in chapters]
    assert [round(float(c["end_time"]) * 1000) for c in info["chapters"]] == [c.end_ms for c in chapters]
    kinds = {s.get("codec_tag_string") for s in info["streams"]}
    assert "text" in kinds  # the QuickTime chapter (text) track
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert audio["codec_name"] == "aac" and audio["channels"] == 1
    assert any(s["disposition"]["attached_pic"] for s in info["streams"])
    tags = info["format"]["tags"]
    assert tags["title"] == META.title and tags["artist"] == "Eilidh Ross" and tags["genre"] == "Audiobook"
    assert abs(float(info["format"]["duration"]) * 1000 - rendered.timeline.duration_ms) <= 100


def test_nero_chpl_atom(built):
    rendered, out = built
    chpl = read_chpl(out.read_bytes())
    assert chpl == [(c.start_ms * 10_000, c.title) for c in rendered.timeline.chapters]
    from mutagen.mp4 import MP4  # independent reader of the same atom

    mp4 = MP4(out)
    assert [(round(c.start * 1000), c.title) for c in mp4.chapters] == [
        (c.start_ms, c.title) for c in rendered.timeline.chapters
    ]
    assert mp4.tags["covr"] and mp4.tags["stik"] == [2]


def test_deterministic_and_source_date_epoch(built, tmp_path, monkeypatch):
    _, out = built
    script = make_script(chapters=3, segments=2, words=5)
    again = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "cache", work_dir=tmp_path / "work")
    cover = make_cover(tmp_path / "cover.png")
    assert write_m4b(again, META, cover, tmp_path / "a.m4b").read_bytes() == out.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    dated = write_m4b(again, META, cover, tmp_path / "b.m4b")
    tags = ffprobe_json(dated, "-show_format")["format"]["tags"]
    assert tags["creation_time"].startswith("2023-11-14T22:13:20")


def test_ffmetadata_escapes(built):
    rendered, _ = built
    text = ffmetadata(rendered, META)
    assert "title=The Tide Clock\\; a test \\= 1" in text
    assert text.count("[CHAPTER]") == len(rendered.timeline.chapters)


def test_audiobook_conventions(built):
    """Brand ``M4B ``, media kind Audiobook, desc/cprt/narrator and the track's language, read back."""
    _, out = built
    data = out.read_bytes()
    assert data[4:8] == b"ftyp" and data[8:12] == b"M4B "
    from mutagen.mp4 import MP4

    tags = MP4(out).tags
    assert tags["stik"] == [2]
    assert tags["desc"] == [META.description]
    assert tags["cprt"] == [META.copyright]
    assert tags["\xa9wrt"] == [META.narrator]
    assert tags["aART"] == ["Eilidh Ross"]
    info = ffprobe_json(out, "-show_streams")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert audio["tags"]["language"] == "fre"


def test_media_kind_is_audiobook_for_any_genre(built, tmp_path):
    import dataclasses

    rendered, _ = built
    assert "media_type=2" in ffmetadata(rendered, dataclasses.replace(META, genre="Podcast"))


def top_level_boxes(data: bytes) -> list[str]:
    """The M4B's top-level box types in file order (an independent reader: sizes and types only)."""
    kinds, pos = [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
        kinds.append(kind.decode("latin-1"))
        pos += size if size else len(data)
    return kinds


def test_moov_comes_before_mdat_fast_start(built):
    """Players and stores stream an M4B only when its index (moov) precedes the audio (mdat)."""
    _, out = built
    kinds = top_level_boxes(out.read_bytes())
    assert "moov" in kinds and "mdat" in kinds
    assert kinds.index("moov") < kinds.index("mdat"), kinds


def test_every_track_carries_the_publications_language(built, tmp_path):
    """The chapter text track says the book's language, not 0 (Macintosh English, read as "eng")."""
    import dataclasses

    rendered, _ = built
    german = write_m4b(rendered, dataclasses.replace(META, language="de"), None, tmp_path / "de.m4b")
    info = ffprobe_json(german, "-show_streams")
    languages = {s["codec_type"]: s.get("tags", {}).get("language") for s in info["streams"]}
    assert languages == {"audio": "ger", "data": "ger"}, languages


def test_an_articles_genre_comes_from_its_tags_else_none(tmp_path):
    import dataclasses

    from narrate import model as m
    from narrate.editions.narration import genre

    article = m.Meta(title="Vote", slug="vote", language="en", identifier="x", kind="article", tags=("POLITICS",))
    assert genre(article) == "Politics"
    assert genre(dataclasses.replace(article, tags=("libraries", "Design"))) == "Design"
    assert genre(dataclasses.replace(article, tags=("libraries",))) == ""
    assert genre(dataclasses.replace(article, kind="book")) == "Audiobook"
