"""Issue 12: an edit costs what it changes. Each chapter is encoded once per codec (the codec's
level offset is learned once per voice, on its calibration passage, not by encoding the chapter
twice), and every encoded chapter still lands on the loudness target."""

from __future__ import annotations

import pytest
from conftest_audio import FAKE, counted_ffmpeg, make_script

import narrate.audio.encoding as encoding
from narrate.audio.chapter import encode_piece
from narrate.audio.ffmpeg import measure_loudness
from narrate.audio.master import TARGETS, render
from narrate.speech.engines import get_engine


@pytest.fixture(scope="module")
def counted(tmp_path_factory):
    """A render and its MP3 + AAC encodings, with every ffmpeg run of audio/chapter.py counted."""
    root = tmp_path_factory.mktemp("cost")
    with counted_ffmpeg([]) as calls:
        rendered = render(make_script(chapters=3, segments=4, words=9), FAKE, get_engine(FAKE),
                          cache_dir=root / "cache", work_dir=root / "work")
        target = TARGETS[rendered.loudness]
        encodings = {(codec, bitrate): [encode_piece(p, codec, bitrate, target, root / "cache", voice=rendered.level)
                                        for p in rendered.pieces]
                     for codec, bitrate in (("mp3", "64k"), ("aac", "64k"), ("mp3", "192k"))}
    return rendered, encodings, calls


def test_each_chapter_is_encoded_once_per_codec(counted):
    rendered, encodings, calls = counted
    for piece in rendered.pieces:
        assert calls.count(f"encode chapter {piece.id!r}") == len(encodings), calls
    # the master is measured in the pass that writes it: one separate measurement (the raw
    # chapter's) per chapter, and no second decode of the written master
    assert calls.count("measure loudness") <= len(rendered.pieces) * (1 + len(encodings)), calls


def test_only_the_aac_encodings_peaks_are_measured_by_ffmpeg(counted):
    """An MP3 block's true peak is measured in-process (``encoding.encoded_true_peak``): of each
    chapter's encodings (MP3 64k, AAC 64k, MP3 192k here), only the AAC's costs an ffmpeg run."""
    rendered, _, calls = counted
    encodes = sum(calls.count(f"encode chapter {piece.id!r}") for piece in rendered.pieces)
    peaks = calls.count("measure an encoding's true peak")
    assert len(rendered.pieces) <= peaks <= encodes - 2 * len(rendered.pieces), calls


def test_each_encoded_chapter_lands_on_the_target(counted):
    rendered, encodings, _ = counted
    for (codec, bitrate), encoded in encodings.items():
        for piece, enc in zip(rendered.pieces, encoded, strict=True):
            measured = measure_loudness(enc.path)
            assert measured.integrated_lufs == pytest.approx(-19.0, abs=0.3), (codec, bitrate, piece.id)
            assert measured.true_peak_dbtp <= -1.5 + 0.2, (codec, bitrate, piece.id)


def test_the_codec_level_is_learned_from_the_voice_alone(counted, tmp_path):
    """A clean cache learns the same offsets and limiter loss (so an incremental build equals a
    clean one), and each is learned once per voice, not per chapter."""
    rendered, encodings, calls = counted
    assert calls.count("learn the mp3 level of the voice") == 2 and calls.count("learn the aac level of the voice") == 1
    again = render(make_script(chapters=3, segments=4, words=9), FAKE, get_engine(FAKE), cache_dir=tmp_path / "cache",
                   work_dir=tmp_path / "work")
    assert again.level.limiter_loss() == rendered.level.limiter_loss()
    clean = encode_piece(again.pieces[1], "mp3", "64k", TARGETS[again.loudness], tmp_path / "cache", voice=again.level)
    first = encodings[("mp3", "64k")][1]
    assert clean.compensation_db == first.compensation_db
    assert clean.path.read_bytes() == first.path.read_bytes()


def test_the_calibration_master_stays_out_of_the_cache(tmp_path):
    """Only the voice's figures are cached, each written once: its calibration master lives in
    the work folder (a build killed between the calibration's two passes leaves no cache file that
    a rerun rewrites). A later build that needs a new codec's offset masters the passage again,
    and learns what a clean cache learns."""
    script = make_script(chapters=1, segments=2, words=6)
    first = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "a", work_dir=tmp_path / "work1")
    assert first.level._master().is_relative_to(tmp_path / "work1")
    assert not [p for p in (tmp_path / "a" / "chapters").rglob("*.wav") if p not in
                {b.wav for piece in first.pieces for b in piece.blocks}]
    later = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "a", work_dir=tmp_path / "work2")
    clean = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "b", work_dir=tmp_path / "work3")
    assert later.level.offset("aac", "128k") == clean.level.offset("aac", "128k")
    assert later.level.limiter_loss() == clean.level.limiter_loss() == first.level.limiter_loss()


def test_chapters_master_while_later_chapters_synthesize(tmp_path, monkeypatch):
    """Pipelined cold build: chapter 1 is mastered and encoded before the last sentence exists.

    The last chapter's sentences wait (up to a minute) for the first chapter's mastering to start:
    a pipelined render starts it long before, however loaded the machine; one that masters only
    after every sentence is made would wait the minute out and fail below."""
    import threading

    import narrate.audio.master as master_mod

    script = make_script(chapters=6, segments=4, words=6)
    last_chapter = {seg.spoken for seg in script.chapters[-1].segments}
    waited: list[str] = []
    first_mastering = threading.Event()
    engine = get_engine(FAKE)
    plain = engine.synthesize

    def synthesize(text, out):
        if text in last_chapter:
            waited.append(text)
            first_mastering.wait(60)
        return plain(text, out)

    monkeypatch.setattr(engine, "synthesize", synthesize)
    seen: dict[str, int] = {}
    original = master_mod.master_piece

    def master(plan, *args):
        seen[plan.id] = sum(1 for p in (tmp_path / "cache").rglob("*.flac") if "chapters" not in p.parts)
        first_mastering.set()
        return original(plan, *args)

    monkeypatch.setattr(master_mod, "master_piece", master)
    rendered = render(script, FAKE, engine, cache_dir=tmp_path / "cache", work_dir=tmp_path / "work",
                      encodings=(("mp3", "64k"),))
    assert sorted(seen) == ["c0", "c1", "c2", "c3", "c4", "c5"]
    assert len(waited) == 4  # the last chapter's sentences did wait for the first mastering
    # mastering began while sentences were still missing (the voice's calibration passage, made
    # first, is in the cache too)
    assert seen["c0"] < 24 + len(rendered.level.paths)
    target = TARGETS[rendered.loudness]
    calls: list[str] = []
    monkeypatch.setattr(encoding, "run_ffmpeg", lambda args, *, what, **kw: calls.append(what))
    for piece in rendered.pieces:  # already encoded during the render: a cache hit, no ffmpeg
        encode_piece(piece, "mp3", "64k", target, tmp_path / "cache")
    assert calls == []


def test_the_m4b_ends_where_the_timeline_ends(tmp_path):
    """The last piece's AAC padding is cut by the edit list: the M4B's declared duration is the
    timeline's (to the millisecond; ffmpeg's decoder itself stops at the packet's end)."""
    from conftest_audio import ffprobe_json

    from narrate.writers import AudioMeta
    from narrate.writers.m4b import write_m4b

    rendered = render(make_script(chapters=2, segments=2, words=6), FAKE, get_engine(FAKE),
                      cache_dir=tmp_path / "cache", work_dir=tmp_path / "work")
    m4b = write_m4b(rendered, AudioMeta(title="End", authors=("A",), genre="Audiobook", language="en"), None,
                    tmp_path / "end.m4b")
    stream = ffprobe_json(m4b, "-show_entries", "stream=duration_ts,time_base", "-select_streams", "a:0")["streams"][0]
    samples = round(rendered.timeline.duration_ms * 44100 / 1000)
    assert stream["time_base"] == "1/44100"
    assert abs(int(stream["duration_ts"]) - samples) <= 44  # within 1 ms (was 128 samples over)

