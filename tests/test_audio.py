from __future__ import annotations

import dataclasses
import shutil
import wave

import pytest
from conftest_audio import FAKE, ffprobe_json, make_script

from narrate.audio.chapter import CODEC_GAP, OUT_RATE, SPAN_QUANTUM
from narrate.audio.ffmpeg import astats, duration_s, measure_loudness, run_ffmpeg
from narrate.audio.master import TARGETS, chapter_audio, render, stitch_wav
from narrate.audio.synth import cache_path, segment_key
from narrate.audio.timeline import Timeline
from narrate.audio.voicelevel import calibration_texts
from narrate.errors import AudioError
from narrate.speech.engines import get_engine
from narrate.speech.fake import FakeEngine


@pytest.fixture(scope="module")
def long_render(tmp_path_factory):
    """A ~40 s fake narration (3 chapters): long enough for EBU R128 measurement."""
    root = tmp_path_factory.mktemp("render")
    script = make_script(chapters=3, segments=4, words=9)
    rendered = render(script, FAKE, get_engine(FAKE), cache_dir=root / "cache", work_dir=root / "work")
    return script, rendered, root


def test_loudness_per_chapter(long_render):
    """Every chapter piece at the target on its own (ACX and the stores measure chapter files)."""
    _, rendered, _ = long_render
    assert rendered.timeline.duration_ms >= 20_000
    for piece in rendered.pieces:
        measured = measure_loudness(piece.wav)
        assert measured.integrated_lufs == pytest.approx(-19.0, abs=0.5)
        assert measured.true_peak_dbtp <= -1.5 + 0.2


def test_pieces_format_and_spans(long_render, tmp_path):
    _, rendered, _ = long_render
    for piece in rendered.pieces:
        with wave.open(str(piece.wav), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, OUT_RATE)
            assert wav.getnframes() == piece.frames
        assert piece.span == piece.frames + CODEC_GAP and piece.span % SPAN_QUANTUM == 0
    whole = stitch_wav(rendered, tmp_path / "all.wav")
    with wave.open(str(whole), "rb") as wav:
        frames = wav.getnframes()
    assert abs(frames * 1000 / OUT_RATE - rendered.timeline.duration_ms) <= 1
    assert abs(duration_s(whole) * 1000 - rendered.timeline.duration_ms) <= 50


def test_timeline_is_exact(long_render):
    script, rendered, _ = long_render
    timeline = rendered.timeline
    assert [c.id for c in timeline.chapters] == [c.id for c in script.chapters]
    assert timeline.chapters[0].start_ms == 0 and timeline.chapters[-1].end_ms == timeline.duration_ms
    for before, after in zip(timeline.chapters, timeline.chapters[1:], strict=False):
        assert before.end_ms == after.start_ms
    # each segment lasts exactly what the fake engine produced; pauses sit between segments
    for seg, source in zip(timeline.segments, script.segments(), strict=True):
        assert seg.id == source.id and seg.text == source.text
        expected_ms = FakeEngine.frames_for(source.spoken) * 1000 / FakeEngine.sample_rate
        assert abs((seg.end_ms - seg.start_ms) - expected_ms) <= 1
    # a lead-in of room tone before every chapter's first words, in every profile
    for chapter in timeline.chapters:
        first = timeline.segments_of(chapter.id)[0]
        assert 500 <= first.start_ms - chapter.start_ms <= 1000
    first, second = timeline.segments[0], timeline.segments[1]
    assert abs(second.start_ms - first.end_ms - script.chapters[0].segments[0].pause_after_ms) <= 1
    assert Timeline.from_json(timeline.to_json()) == timeline


def test_chapter_cuts_match_timeline(long_render, tmp_path):
    _, rendered, _ = long_render
    for chapter in rendered.timeline.chapters:
        out = chapter_audio(rendered, chapter.id, tmp_path / f"{chapter.id}.wav", fmt="wav")
        gap = CODEC_GAP * 1000 / OUT_RATE if chapter != rendered.timeline.chapters[-1] else 0
        assert abs(duration_s(out) * 1000 + gap - (chapter.end_ms - chapter.start_ms)) <= 1
    mp3 = chapter_audio(rendered, "c1", tmp_path / "c1.mp3", fmt="mp3")
    c1 = rendered.timeline.chapter("c1")
    decoded = astats(mp3)["Number of samples"]  # gapless: the LAME header's delay and padding skipped
    assert abs(decoded * 1000 / OUT_RATE + CODEC_GAP * 1000 / OUT_RATE - (c1.end_ms - c1.start_ms)) <= 1
    with pytest.raises(AudioError, match="no chapter 'zz'"):
        chapter_audio(rendered, "zz", tmp_path / "zz.wav", fmt="wav")


def test_cache_second_render_and_one_edit(long_render):
    script, rendered, root = long_render
    engine = get_engine(FAKE)
    again = render(script, FAKE, engine, cache_dir=root / "cache", work_dir=root / "work2")
    assert again.synthesized == 0
    assert again.timeline == rendered.timeline
    edited = make_script(chapters=3, segments=4, words=9, edit={"c1-p2-s1": "A different sentence."})
    after_edit = render(edited, FAKE, engine, cache_dir=root / "cache", work_dir=root / "work3")
    assert after_edit.synthesized == 1
    assert rendered.synthesized == 12


def test_a_sentence_of_the_calibration_counts_as_the_scripts(tmp_path):
    """The voice's calibration sentences are not counted as the publication's, unless the
    publication says one of them too: then it is one of the script's sentences synthesized."""
    said = calibration_texts(FAKE.language)[1]
    script = make_script(chapters=1, segments=3, words=4, edit={"c0-p1-s1": said})
    rendered = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "cache", work_dir=tmp_path / "work")
    assert rendered.synthesized == 3


def test_interrupted_cache_write_leaves_no_entry(tmp_path, monkeypatch):
    script = make_script(chapters=1, segments=3, words=3)
    engine = get_engine(FAKE)
    original = FakeEngine.synthesize
    calls = []

    calibration = calibration_texts(FAKE.language)

    def flaky(self, text, out):
        if text not in calibration:  # the voice's calibration passage is synthesized first
            calls.append(text)
            if len(calls) == 2:
                raise KeyboardInterrupt
        original(self, text, out)

    monkeypatch.setattr(FakeEngine, "synthesize", flaky)
    with pytest.raises(KeyboardInterrupt):
        render(script, FAKE, engine, cache_dir=tmp_path / "cache", work_dir=tmp_path / "work")
    monkeypatch.setattr(FakeEngine, "synthesize", original)
    cached = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert len(cached) == 1 + len(calibration) and not any(p.name.startswith(".") for p in cached)
    resumed = render(script, FAKE, engine, cache_dir=tmp_path / "cache", work_dir=tmp_path / "work")
    assert resumed.synthesized == 2


def test_parallel_jobs_same_result(tmp_path):
    script = make_script(chapters=2, segments=3, words=4)
    serial = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "c1", work_dir=tmp_path / "w1")
    parallel = render(
        script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "c2", work_dir=tmp_path / "w2", jobs=2
    )
    assert parallel.synthesized == serial.synthesized == 6
    assert parallel.timeline == serial.timeline
    assert [p.wav.read_bytes() for p in parallel.pieces] == [p.wav.read_bytes() for p in serial.pieces]


def test_acx_mastering(tmp_path):
    profile = dataclasses.replace(FAKE, loudness="acx")
    script = make_script(chapters=2, segments=4, words=10)
    events = []
    rendered = render(
        script,
        profile,
        get_engine(profile),
        cache_dir=tmp_path / "c",
        work_dir=tmp_path / "w",
        progress=lambda stage, done, total: events.append(stage),
    )
    assert {"synthesize", "assemble", "loudness"} <= set(events)
    assert rendered.sample_rate == 44100
    first = rendered.timeline.segments[0]
    assert first.start_ms == TARGETS["acx"].head_ms  # room tone before the first words
    for piece in rendered.pieces:
        stats = astats(piece.wav)
        assert -23.0 <= stats["RMS level dB"] <= -18.0
        assert stats["Peak level dB"] <= -3.0
    head = astats(rendered.pieces[0].wav, "atrim=end=0.6")
    assert -90 < head["RMS level dB"] <= -60.0  # room tone, not digital silence
    tail = rendered.timeline.chapters[-1].end_ms - rendered.timeline.segments[-1].end_ms
    assert 1000 <= tail <= 5000


def test_silent_script(tmp_path):
    script = make_script(chapters=1, segments=2, words=2, edit={"c0-p0-s1": " ", "c0-p1-s1": ""})
    rendered = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "c", work_dir=tmp_path / "w")
    assert rendered.synthesized == 0 and rendered.gain_db == 0.0
    assert ffprobe_json(rendered.pieces[0].wav, "-show_entries", "format=duration")["format"]


def test_corrupt_cache_entry_is_synthesized_again(tmp_path):
    """A damaged cache WAV (issue 19: it used to fail the build) is made again, not trusted."""
    script = make_script(chapters=1, segments=1, words=3)
    render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "c", work_dir=tmp_path / "w")
    engine = get_engine(FAKE)
    entry = cache_path(tmp_path / "c", segment_key(engine.cache_key(), next(script.segments()).spoken))
    whole = entry.read_bytes()
    entry.write_bytes(b"RIFF garbage")
    shutil.rmtree(tmp_path / "c" / "chapters")  # the chapter must be mastered again
    again = render(script, FAKE, get_engine(FAKE), cache_dir=tmp_path / "c", work_dir=tmp_path / "w")
    assert again.synthesized == 1 and entry.read_bytes() == whole


def test_ffmpeg_failure_has_stderr_tail(tmp_path):
    with pytest.raises(AudioError, match="ffmpeg failed to probe") as info:
        run_ffmpeg(["-i", str(tmp_path / "missing.wav"), "-f", "null", "-"], what="probe", path=tmp_path)
    assert "No such file" in str(info.value)
