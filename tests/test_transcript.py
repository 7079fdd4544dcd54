from __future__ import annotations

import json

from narrate.audio_timeline import Timeline, TimelineChapter, TimelineSegment
from narrate.writers.transcript import write_transcripts

TIMELINE = Timeline(
    chapters=(
        TimelineChapter("intro", "Introduction", 0, 4200),
        TimelineChapter("ch1", "Tides & <Times>", 4200, 3_725_001),
    ),
    segments=(
        TimelineSegment("intro-p1-s1", "intro-p1", "intro", "Hello, world.", 0, 1500),
        TimelineSegment("intro-p1-s2", "intro-p1", "intro", "", 1850, 1850),
        TimelineSegment("ch1-p1-s1", "ch1-p1", "ch1", "A < B &\nC", 4200, 3_725_000),
    ),
    duration_ms=3_725_001,
)


def test_vtt(tmp_path):
    vtt, _ = write_transcripts(TIMELINE, tmp_path, "book")
    assert vtt.name == "book.vtt"
    text = vtt.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\n")
    assert "intro-p1-s1\n00:00:00.000 --> 00:00:01.500\nHello, world.\n" in text
    assert "ch1-p1-s1\n00:00:04.200 --> 01:02:05.000\nA &lt; B &amp; C\n" in text
    assert "intro-p1-s2" not in text  # empty cues are dropped
    assert text.count("-->") == 2


def test_chapters_json(tmp_path):
    _, chapters = write_transcripts(TIMELINE, tmp_path, "book")
    assert chapters.name == "book.chapters.json"
    data = json.loads(chapters.read_text(encoding="utf-8"))
    assert data["version"] == "1.2.0"
    assert data["chapters"] == [
        {"startTime": 0.0, "endTime": 4.2, "title": "Introduction"},
        {"startTime": 4.2, "endTime": 3725.001, "title": "Tides & <Times>"},
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.chapters.json", "book.vtt"]
