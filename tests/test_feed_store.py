"""Issue 28: the podcast feed of a project that says little is still one directories accept.

The project here has no ``[feed]`` table and no publisher: an undated politics piece by one
author. The feed is read as a directory reads it (feedparser), and the show art as an image.
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from conftest import FAKE_VOICE

from narrate.engine.run import BuildOptions, build
from narrate.publish import package
from narrate.sources.categories import APPLE_CATEGORIES, apple_category, find_category

BASE = "https://cdn.example.com/pods/"
ITUNES = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
ARTICLE = """\
---
title: The Vote on the Harbour Wall
author: Ann Writer
tags: [harbours, politics]
description: How the island council voted to keep the clock.
---

The council met at noon. The vote was close.
"""


@pytest.fixture(scope="module")
def bare(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bare") / "project"
    for rel, text in {"content/vote.md": ARTICLE, "voices/fake.toml": FAKE_VOICE, "narrate.toml": ""}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    report = build(root, BuildOptions(formats=("epub", "mp3"), voice="fake"))
    assert not report.failed, [str(r.error) for r in report.failed]
    return root


@pytest.fixture(scope="module")
def packaged(bare):
    report = package(bare, base_url=BASE)
    return report, (bare / "output" / "dist" / "feed.xml").read_bytes()


def test_a_feed_without_a_feed_table_has_artwork_author_and_owner(packaged, bare):
    report, feed = packaged
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.feed.image.href == BASE + "artwork.png"
    assert parsed.feed.author == "Ann Writer"
    assert parsed.feed.publisher_detail.name == "Ann Writer"  # itunes:owner/itunes:name
    art = bare / "output" / "dist" / "artwork.png"
    assert art.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(art.read_bytes()[16:20], "big"), int.from_bytes(art.read_bytes()[20:24], "big")
    assert width == height == 3000  # Apple's recommended size (at least 1400)
    assert any("owner_email" in w for w in report.warnings), report.warnings


def test_the_category_comes_from_the_tags_mapped_to_apples_list(packaged):
    _, feed = packaged
    parsed = feedparser.parse(feed)
    assert parsed.feed.tags[0].term == "News"
    channel = ET.fromstring(feed).find("channel")
    category = channel.find("itunes:category", ITUNES)
    assert category.get("text") == "News"
    assert category.find("itunes:category", ITUNES).get("text") == "Politics"


def test_an_undated_episode_keeps_the_date_of_its_first_build(packaged, bare, monkeypatch):
    _, feed = packaged
    first = feedparser.parse(feed).entries[0].published
    manifest = json.loads((bare / "output" / "manifest.json").read_text())
    recorded = manifest["publications"][0]["first_built"]
    # a fresh checkout: every source file's modification time moves
    source = bare / "content" / "vote.md"
    source.write_text(source.read_text() + "\n", encoding="utf-8")
    assert not build(bare, BuildOptions(formats=("epub", "mp3"), voice="fake")).failed
    report = package(bare, base_url=BASE)
    again = feedparser.parse((bare / "output" / "dist" / "feed.xml").read_bytes()).entries[0].published
    assert again == first
    assert json.loads((bare / "output" / "manifest.json").read_text())["publications"][0]["first_built"] == recorded
    assert any("no date" in w and "vote" in w for w in report.warnings), report.warnings


def test_episode_descriptions_say_the_narration_is_synthetic(packaged):
    _, feed = packaged
    (entry,) = feedparser.parse(feed).entries
    assert entry.summary.startswith("How the island council voted")
    assert "synthetic voice" in entry.summary


def test_a_configured_category_wins_and_a_wrong_one_is_said(bare, tmp_path):
    import shutil

    root = tmp_path / "p"
    shutil.copytree(bare, root, symlinks=True)
    (root / "narrate.toml").write_text('[feed]\ncategory = "society and culture/philosophy"\n', encoding="utf-8")
    package(root, base_url=BASE)
    category = ET.parse(root / "output" / "dist" / "feed.xml").find("channel/itunes:category", ITUNES)
    assert (category.get("text"), category.find("itunes:category", ITUNES).get("text")) == (
        "Society & Culture", "Philosophy")
    (root / "narrate.toml").write_text('[feed]\ncategory = "Politics stuff"\n', encoding="utf-8")
    report = package(root, base_url=BASE)
    assert any("Politics stuff" in w for w in report.warnings)
    category = ET.parse(root / "output" / "dist" / "feed.xml").find("channel/itunes:category", ITUNES)
    assert category.get("text") == "News"  # from the tags


def test_apples_category_table():
    assert apple_category("POLITICS") == ("News", "Politics")
    assert apple_category("health and fitness") == ("Health & Fitness", "")
    assert apple_category("News/Politics") == ("News", "Politics")
    assert apple_category("Arts/Politics") is None
    assert apple_category("Arts & Crafts") is None
    assert find_category(["islands", "Science Fiction"]) == ("Fiction", "Science Fiction")
    assert len(APPLE_CATEGORIES) == 19 and sum(len(s) for s in APPLE_CATEGORIES.values()) > 90


def test_the_first_build_date_outlives_clean_all_and_another_output_folder(make_project, tmp_path, monkeypatch):
    from narrate.engine.clean import clean

    project = make_project({"content/undated.md": "---\ntitle: Undated\n---\n\nSome words.\n"})

    def first_built(output: Path) -> str:
        return json.loads((output / "manifest.json").read_text())["publications"][0]["first_built"]

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    assert not build(project, BuildOptions(formats=("epub",))).failed
    recorded = first_built(project / "output")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2000000000")  # later builds happen later
    clean(project, everything=True)
    assert not build(project, BuildOptions(formats=("epub",))).failed
    assert first_built(project / "output") == recorded == "2001-09-09T01:46:40Z"
    elsewhere = tmp_path / "elsewhere"
    assert not build(project, BuildOptions(formats=("epub",), output=elsewhere)).failed
    assert first_built(elsewhere) == recorded
