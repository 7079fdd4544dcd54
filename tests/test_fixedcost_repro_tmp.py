"""Two clean builds in different folders, same SOURCE_DATE_EPOCH: byte-identical outputs."""

from __future__ import annotations

import shutil
from pathlib import Path

from narrate.engine.run import BuildOptions, build
from narrate.publish import package

ARTICLE = """
---
title: Same Every Time
author: Rey Producible
date: 2026-03-01
---

The harbour clock struck six. Nobody moved.

## Later

At 7:30 p.m. the ferry left, 10–15 minutes late.[^1]

![A square of blue](box.png)

[^1]: As usual.
"""


def test_clean_builds_are_byte_identical(make_project, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    box = (Path(__file__).parent / "roots" / "basic" / "content" / "images" / "box.png").read_bytes()
    first = make_project({"content/same.md": ARTICLE, "content/box.png": box}, root=tmp_path / "one" / "p")
    second = tmp_path / "two" / "elsewhere"
    shutil.copytree(first, second)
    for root in (first, second):  # the real default voice (Piper, joe, zero noise)
        report = build(root, BuildOptions(jobs=1))
        assert not report.failed, [str(r.error) for r in report.failed]
        package(root, base_url="https://downloads.example.org/")
    files = sorted(p.relative_to(first / "output") for p in (first / "output").rglob("*") if p.is_file())
    formats = {p.name.split(".", 1)[-1] for p in files}
    assert {"epub", "pdf", "large-print.pdf", "mp3", "m4b", "readaloud.epub", "vtt", "chapters.json",
            "cover.png", "zip", "xml", "html"} <= formats
    for rel in files:
        if rel.parts[0] == "private":
            continue
        assert (first / "output" / rel).read_bytes() == (second / "output" / rel).read_bytes(), rel
