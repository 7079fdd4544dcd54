"""Audiobook craft measured on built files: credits chapters, the narrator's name, room-tone
lead-in, the pace of books."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import FAKE_VOICE

from narrate.audio.ffmpeg import astats
from narrate.editions.narration import paced
from narrate.engine.run import BuildOptions, build
from narrate.speech.fake import FakeEngine
from narrate.speech.voices import load_profiles

VOICE = FAKE_VOICE + 'display_name = "Robin"\nbook_rate = 0.8\n'


def book_project(make_project) -> Path:
    return make_project({
        "content/tides/book.toml": 'title = "Tides"\nauthors = ["Sam Writer"]\n',
        "content/tides/01.md": "---\ntitle: Morning\n---\n\nThe ferry waits at the pier. Gulls call.\n\n"
                               "[Subscribe to the mailing list](https://example.org/list)\n",
        "content/tides/02.md": "---\ntitle: Evening\n---\n\nThe lights come on along the quay.\n",
        "voices/fake.toml": VOICE,
    })


def test_credits_are_chapters_and_name_the_narrator(make_project):
    root = book_project(make_project)
    assert not build(root, BuildOptions(formats=("mp3",), voice="fake")).failed
    mp3 = root / "output" / "tides" / "tides.mp3"
    probe = subprocess.run(["ffprobe", "-v", "error", "-of", "json", "-show_chapters", str(mp3)],
                           capture_output=True, text=True, check=True)
    # (sorted by time: the order of the CHAP frames in the tag is the ID3 writer's business)
    found = sorted(json.loads(probe.stdout)["chapters"], key=lambda c: float(c["start_time"]))
    titles = [c["tags"]["title"] for c in found]
    assert titles == ["Opening credits", "Morning", "Evening", "Closing credits"]
    vtt = (root / "output" / "tides" / "tides.vtt").read_text()
    assert "Narrated by Robin, a synthetic voice" in vtt and "The end of Tides." in vtt
    assert "fake" not in vtt.lower()  # never the profile's internal id
    # a paragraph that is only a link says its text and a readable address (issue 27), never silence
    assert "Subscribe to the mailing list" in vtt and "example.org/list" in vtt
    chapters = json.loads((root / "output" / "tides" / "tides.chapters.json").read_text())["chapters"]
    # every chapter, credits included, starts with 0.5-1 s of room tone (not digital zero)
    for chapter in chapters:
        head = astats(mp3, f"atrim=start={chapter['startTime'] + 0.05}:duration=0.4")
        assert -90 < head["RMS level dB"] < -55, chapter["title"]


def test_books_are_narrated_slower_than_articles(tmp_path):
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "fake.toml").write_text(VOICE)
    profile = load_profiles(tmp_path)["fake"]
    assert paced(profile, "article").rate == 1.0 and paced(profile, "book").rate == 0.8
    text = "The ferry waits at the pier while the gulls call."
    article = FakeEngine(paced(profile, "article"))
    book = FakeEngine(paced(profile, "book"))
    assert article.cache_key() != book.cache_key()
    assert FakeEngine.frames_for(text, book.profile.rate) / FakeEngine.frames_for(text, article.profile.rate) \
        == pytest.approx(1 / 0.8, rel=0.01)
    (tmp_path / "voices" / "fake.toml").write_text(FAKE_VOICE)
    default = load_profiles(tmp_path)["fake"]
    assert paced(default, "book").rate == 0.85  # a slower default for books
