"""Shared by tests/test_publish_*.py: one narrated build (fake voice), copied per test."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from conftest import FAKE_VOICE

from narrate.engine.run import BuildOptions, build

HOSTILE = "<script>alert(\"x\")</script> Tom & Jerry's \"Tales\""
ARTICLE = f"""
---
title: '{HOSTILE.replace("'", "''")}'
author: Sam Writer
date: 2025-03-03
description: A story about <b>tides</b> & ferries.
rights: Copyright 2025 Test Press.
accessibility_summary: Structured with headings; no images.
---

A short lead. It has two sentences.

## Morning

High water came at 6:15 on March 3, 2025.

## Evening

The ferry cost $12.50, a rise of 5%.
"""
NARRATE_TOML = """
[publisher]
name = "Test Press"
website = "https://press.example.org"

[feed]
owner_name = "Test Press"
owner_email = "podcast@press.example.org"
"""
SUBSCRIBERS = Path(__file__).parent / "roots" / "publish" / "subscribers.csv"
KEY = b"test-key-0123456789abcdef"
FORMATS = ("epub", "pdf", "pdf-large", "mp3", "m4b", "epub-readaloud")


def build_project(base: Path) -> Path:
    root = base / "project"
    for rel, text in {"content/tides.md": ARTICLE, "voices/fake.toml": FAKE_VOICE,
                      "narrate.toml": NARRATE_TOML}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    report = build(root, BuildOptions(formats=FORMATS, voice="fake"))
    assert not report.failed, [str(r.error) for r in report.failed]
    return root


def copy_project(built: Path, dest: Path) -> Path:
    shutil.copytree(built, dest, symlinks=True)
    return dest
