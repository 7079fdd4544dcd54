"""Single-file use, as pandoc users expect: `narrate build article.md` and `narrate script article.md`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import FAKE_VOICE, epubcheck, png_bytes

NARRATE = [sys.executable, "-m", "narrate"]

WALK = """---
title: A Walk in the Rain
author: Ana Ruiz
---

The rain began at noon. It did not stop until 6 p.m.

![A wet street](street.png)

## Later

We went home.
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(NARRATE + list(args), capture_output=True, text=True, cwd=cwd, timeout=300)


def test_a_markdown_file_outside_any_project_builds_beside_itself(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "walk.md").write_text(WALK, encoding="utf-8")
    (folder / "street.png").write_bytes(png_bytes())
    proc = run("build", "notes/walk.md", "--formats", "epub,pdf", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    manifest = json.loads((folder / "output" / "manifest.json").read_text())
    [pub] = manifest["publications"]
    assert pub["slug"] == "walk"
    assert {a["format"] for a in pub["artifacts"]} >= {"epub", "pdf"}
    epub = folder / "output" / "walk" / "walk.epub"
    errors, warnings, log = epubcheck(epub)
    assert (errors, warnings) == (0, 0), log
    assert not (tmp_path / "output").exists()  # editions go beside the file, not to the working folder


def test_output_option_puts_a_single_file_build_elsewhere(tmp_path):
    (tmp_path / "walk.md").write_text(WALK.replace("![A wet street](street.png)\n", ""), encoding="utf-8")
    proc = run("build", "walk.md", "--formats", "epub", "--output", "elsewhere", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "elsewhere" / "walk" / "walk.epub").is_file()
    assert not (tmp_path / "output").exists()


def test_script_of_a_file_outside_any_project(tmp_path):
    (tmp_path / "walk.md").write_text(WALK, encoding="utf-8")
    (tmp_path / "street.png").write_bytes(png_bytes())
    proc = run("script", "walk.md", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "It did not stop until six P M." in proc.stdout
    assert proc.stdout.splitlines()[0] == "A Walk in the Rain"


def test_a_file_inside_a_project_builds_only_itself_and_keeps_the_others(make_project):
    root = make_project({"content/a.md": "---\ntitle: A\n---\n\nFirst.\n",
                         "content/b.md": "---\ntitle: B\n---\n\nSecond.\n",
                         "voices/fake.toml": FAKE_VOICE})
    first = run("build", ".", "--formats", "epub", cwd=root)
    assert first.returncode == 0, first.stderr
    (root / "content/a.md").write_text("---\ntitle: A, edited\n---\n\nFirst, edited.\n", encoding="utf-8")
    b_epub = (root / "output/b/b.epub").read_bytes()
    proc = run("build", "content/a.md", "--formats", "epub", cwd=root)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((root / "output/manifest.json").read_text())
    assert sorted(p["slug"] for p in manifest["publications"]) == ["a", "b"]
    assert {p["slug"]: p["title"] for p in manifest["publications"]}["a"] == "A, edited"
    assert (root / "output/b/b.epub").read_bytes() == b_epub


def test_a_file_that_is_not_markdown_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("plain text", encoding="utf-8")
    proc = run("build", "notes.txt", cwd=tmp_path)
    assert proc.returncode == 2
    assert "notes.txt" in proc.stderr and "Markdown" in proc.stderr
    assert "Traceback" not in proc.stderr
