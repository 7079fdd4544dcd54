from __future__ import annotations

import json
import re

from narrate.audio.timeline import Timeline, TimelineChapter, TimelineSegment
from narrate.writers.transcript import vtt_text, write_transcripts

TIMELINE = Timeline(
    chapters=(
        TimelineChapter("intro", "Introduction", 0, 4200),
        TimelineChapter("ch1", "Tides & <Times>", 4200, 3_725_001),
    ),
    segments=(
        TimelineSegment("intro-p1-s1", "intro-p1", "intro", "Hello, world.", 0, 1500),
        TimelineSegment("intro-p1-s2", "intro-p1", "intro", "", 1850, 1850),
        TimelineSegment("ch1-p1-s1", "ch1-p1", "ch1", "A < B &\nC", 3_720_000, 3_725_000),
    ),
    duration_ms=3_725_001,
)


def test_vtt(tmp_path):
    vtt, _ = write_transcripts(TIMELINE, tmp_path, "book")
    assert vtt.name == "book.vtt"
    text = vtt.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\n")
    assert "intro-p1-s1\n00:00:00.000 --> 00:00:01.500\nHello, world.\n" in text
    assert "ch1-p1-s1\n01:02:00.000 --> 01:02:05.000\nA &lt; B &amp; C\n" in text
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


LONG = (
    "When the harbour master finally agreed to let the library borrow the old tide clock for the season, "
    "nobody expected that the listeners, most of whom had worked on the boats or in the fish market, "
    "would spend the first half hour of every session arguing, fondly and at length, about whose "
    "grandfather had wound it last before the war."
)


def caption_timeline(text: str, start: int, end: int) -> Timeline:
    return Timeline(chapters=(TimelineChapter("c1", "One", 0, end + 500),),
                    segments=(TimelineSegment("c1-b1-s1", "c1-b1", "c1", text, start, end),),
                    duration_ms=end + 500)


def parse_vtt(text: str) -> list[tuple[float, float, list[str]]]:
    cues = []
    for block in text.split("\n\n")[1:]:
        lines = block.strip().splitlines()
        if not lines:
            continue
        stamp = next(i for i, line in enumerate(lines) if "-->" in line)
        begin, end = (sum(float(x) * 60**p for p, x in enumerate(reversed(t.split(":"))))
                      for t in lines[stamp].split(" --> "))
        cues.append((begin, end, lines[stamp + 1 :]))
    return cues


def test_captions_follow_caption_conventions():
    """A 302-character sentence read in 25 s: cues of <= 2 lines of <= 42 characters, <= 7 s,
    tiling the sentence, timed in proportion to their text."""
    assert len(LONG) > 300
    cues = parse_vtt(vtt_text(caption_timeline(LONG, 1000, 26_000)))
    assert len(cues) >= 4
    assert all(len(lines) <= 2 and all(len(line) <= 42 for line in lines) for _, _, lines in cues)
    assert all(end - begin <= 7.0 for begin, end, _ in cues)
    assert cues[0][0] == 1.0 and cues[-1][1] == 26.0
    assert all(a[1] == b[0] for a, b in zip(cues, cues[1:], strict=False))  # no gaps, no overlaps
    assert " ".join(" ".join(lines) for _, _, lines in cues) == LONG
    chars = [len(" ".join(lines)) + 1 for _, _, lines in cues]
    for (begin, end, _), size in zip(cues, chars, strict=True):
        assert abs((end - begin) - 25.0 * size / sum(chars)) < 0.002


def test_slow_short_sentence_is_split_in_time_too():
    cues = parse_vtt(vtt_text(caption_timeline("Twelve. Eleven. Ten. Nine. Eight. Seven. Six.", 0, 16_000)))
    assert len(cues) >= 3 and all(end - begin <= 7.0 for begin, end, _ in cues)


def test_two_lines_are_balanced():
    from narrate.writers.captions import two_lines

    lines = two_lines("the tide clock turned slowly while the harbour lights came on".split())
    assert lines is not None and len(lines) == 2 and abs(len(lines[0]) - len(lines[1])) <= 8


def test_html_transcript_reads_as_text(tmp_path):
    from html.parser import HTMLParser

    from narrate.writers.transcript_html import write_transcript_html

    timeline = Timeline(
        chapters=(TimelineChapter("c1", "Low Water", 0, 9000), TimelineChapter("c2", "High <Water>", 9000, 20000)),
        segments=(
            TimelineSegment("c1-opening-1", "", "c1", "The Tide Clock", 0, 500),
            TimelineSegment("c1-opening-2", "", "c1", "by Ann Lee", 500, 1000),
            TimelineSegment("c1-h-s1", "c1-h", "c1", "Low Water", 1000, 2000),
            TimelineSegment("c1-b1-s1", "c1-b1", "c1", "First sentence.", 2000, 4000),
            TimelineSegment("c1-b1-s2", "c1-b1", "c1", "Second sentence.", 4000, 6000),
            TimelineSegment("c1-b2-s1", "c1-b2", "c1", "A new paragraph & more.", 6000, 8000),
            TimelineSegment("c2-b1-s1", "c2-h2", "c2", "A section", 9000, 10000),
            TimelineSegment("c2-b2-s1", "c2-b2", "c2", "Last words.", 10000, 12000),
        ),
        duration_ms=20000,
    )
    kinds = {"c1-opening-1": "opening", "c1-opening-2": "opening", "c1-h-s1": "heading", "c2-b1-s1": "heading"}
    out = write_transcript_html(timeline, tmp_path / "t.transcript.html", title="The Tide Clock", language="en",
                                kinds=kinds)
    text = out.read_text(encoding="utf-8")

    class Outline(HTMLParser):
        def __init__(self):
            super().__init__()
            self.items, self.tag = [], None

        def handle_starttag(self, tag, attrs):
            self.tag = tag if tag in {"h1", "h2", "h3", "p"} else self.tag

        def handle_data(self, data):
            if self.tag and data.strip():
                self.items.append((self.tag, data.strip()))

        def handle_endtag(self, tag):
            self.tag = None if tag == self.tag else self.tag

    parser = Outline()
    parser.feed(text)
    assert parser.items == [
        ("h1", "The Tide Clock"),
        ("h2", "Low Water"),
        ("p", "The Tide Clock"),
        ("p", "by Ann Lee"),
        ("p", "First sentence. Second sentence."),
        ("p", "A new paragraph & more."),
        ("h2", "High <Water>"),
        ("h3", "A section"),
        ("p", "Last words."),
    ]
    assert "-->" not in text and "c1-b1" not in text and not re.search(r"\d\d:\d\d", text)
    assert '<html lang="en">' in text


def test_transcript_page_title_is_in_the_publications_language():
    from narrate.writers.transcript_html import transcript_html

    page = transcript_html(Timeline((), (), 0), title="Vorlesestunde am Fluss", language="de")
    assert "<title>Transkript: Vorlesestunde am Fluss</title>" in page and "Transcript" not in page
