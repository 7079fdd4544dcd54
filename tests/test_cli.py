"""The command line, run as a user runs it: exit codes, messages, no tracebacks, manifest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import epubcheck

NARRATE = [sys.executable, "-m", "narrate"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(NARRATE + list(args), capture_output=True, text=True, cwd=cwd, timeout=300)


ONE_ARTICLE = """
---
title: One Article
author: Sam Writer
date: 2026-02-01
---

An opening paragraph.

## The middle

Some text with a figure-free body.

## The end

Closing words.
"""


def test_version():
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("narrate ")


def test_one_article_without_config(make_project):
    root = make_project({"content/one-article.md": ONE_ARTICLE})
    proc = run("build", str(root), "--formats", "epub")
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((root / "output" / "manifest.json").read_text())
    [pub] = manifest["publications"]
    assert pub["slug"] == "one-article" and pub["title"] == "One Article"
    formats = {a["format"]: a for a in pub["artifacts"]}
    assert set(formats) == {"cover", "epub"}
    epub = formats["epub"]
    assert set(epub) >= {"format", "path", "sha256", "bytes"} and "duration_s" not in epub
    assert epub["path"] == "one-article/one-article.epub"
    path = root / "output" / epub["path"]
    assert path.stat().st_size == epub["bytes"]
    errors, warnings, report = epubcheck(path)
    assert (errors, warnings) == (0, 0), report


def test_bad_front_matter_exits_nonzero_without_traceback(make_project):
    root = make_project({"content/good.md": ONE_ARTICLE,
                         "content/bad.md": "---\ntitle: T\ndate: [oops\n---\n\nText.\n"})
    proc = run("build", str(root), "--formats", "epub")
    assert proc.returncode == 8
    assert "content/bad.md:3: invalid YAML front matter" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    # the good publication still built
    assert (root / "output" / "good" / "good.epub").is_file()


def test_failed_rebuild_keeps_previous_output(make_project):
    root = make_project({"content/a.md": ONE_ARTICLE})
    assert run("build", str(root), "--formats", "epub").returncode == 0
    epub = root / "output" / "a" / "a.epub"
    before = epub.read_bytes()
    (root / "content" / "a.md").write_text("---\ntitle: [\n---\n")
    proc = run("build", str(root), "--formats", "epub")
    assert proc.returncode == 8 and epub.read_bytes() == before
    manifest = json.loads((root / "output" / "manifest.json").read_text())
    assert manifest["publications"][0]["slug"] == "a"
    # no temp file of any kind: narrate's are hidden (".name.random.part"), none may stay
    assert [p for p in (root / "output").rglob("*") if p.is_file() and p.name.startswith(".")] == []
    assert not (root / "output" / ".staging").exists()


def test_missing_project_and_config_errors(tmp_path, make_project):
    proc = run("build", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "expected a project folder" in proc.stderr
    root = make_project({"content/a.md": ONE_ARTICLE, "narrate.toml": "[pdf]\npage_size = 'A5'\n"})
    proc = run("build", str(root))
    assert proc.returncode == 2 and "narrate.toml: 'pdf.page_size' must be one of A4, Letter" in proc.stderr
    (root / "narrate.toml").write_text("[publisher\nname = 1\n")
    proc = run("build", str(root))
    assert proc.returncode == 2 and "narrate.toml:1: invalid TOML" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_format_and_slug(make_project):
    root = make_project({"content/a.md": ONE_ARTICLE})
    proc = run("build", str(root), "--formats", "docx")
    assert proc.returncode == 2 and "unknown format 'docx'" in proc.stderr
    proc = run("build", str(root), "--formats", "epub", "--only", "zzz")
    assert proc.returncode == 2 and "--only zzz" in proc.stderr


def test_duplicate_slugs_name_both_files(make_project):
    root = make_project({"content/a.md": ONE_ARTICLE,
                         "content/sub/b.md": "---\ntitle: B\nslug: a\n---\n\nText.\n"})
    proc = run("build", str(root), "--formats", "epub")
    assert proc.returncode == 8
    assert "content/sub/b.md:3: slug 'a' is already used by content/a.md" in proc.stderr


def test_init_then_build(tmp_path):
    target = tmp_path / "new"
    proc = run("init", str(target))
    assert proc.returncode == 0 and (target / "narrate.toml").is_file()
    assert run("init", str(target)).returncode == 2
    proc = run("build", str(target), "--formats", "epub", "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["publications"][0]["built"] == ["cover", "epub"]
    proc = run("build", str(target), "--formats", "epub", "--json")
    assert json.loads(proc.stdout)["publications"][0]["reused"] == ["cover", "epub"]


def test_json_summary_keeps_the_warnings_the_build_gave(make_project):
    """--json keeps warnings off the terminal: the summary must carry them, the build's own (a
    damaged manifest) and each publication's (a list, empty here)."""
    root = make_project({"content/a.md": ONE_ARTICLE})
    assert run("build", str(root), "--formats", "epub").returncode == 0
    (root / "output" / "manifest.json").write_text("{ not json", encoding="utf-8")
    proc = run("build", str(root), "--formats", "epub", "--json")
    summary = json.loads(proc.stdout)
    assert any("manifest" in w and "rebuilding" in w for w in summary["warnings"]), summary
    assert all(isinstance(p["warnings"], list) for p in summary["publications"])
