"""Hostile projects the bad-input corpus (tests/test_bad_input.py) does not build: a content/ folder
that leads outside the project, and control characters that a message would echo to the terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

NARRATE = [sys.executable, "-m", "narrate"]
GOOD = "---\ntitle: Good Article\n---\n\nA good opening paragraph.\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run([*NARRATE, *args], capture_output=True, text=True, env=env, timeout=120, cwd=cwd)


def errors(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("error:")]


def test_a_content_folder_linked_to_the_filesystem_root_is_refused_before_it_is_walked(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "content").symlink_to("/")
    proc = run("build", "project", "--formats", "epub", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr[-2000:]
    assert errors(proc) == [errors(proc)[0]] and errors(proc)[0].startswith("error: project/content: "), proc.stderr
    assert "outside" in errors(proc)[0]
    assert not (root / "output").exists()


def test_a_content_folder_linked_outside_is_refused_by_clean_too(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "a.md").write_text(GOOD)
    root = tmp_path / "project"
    root.mkdir()
    (root / "content").symlink_to(tmp_path / "elsewhere")
    proc = run("clean", "project", cwd=tmp_path)
    assert proc.returncode == 2 and "outside" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert (tmp_path / "elsewhere" / "a.md").read_text() == GOOD


def test_control_characters_in_messages_never_reach_the_terminal(tmp_path: Path) -> None:
    """An ESC in a front matter key (a warning) or in a file name (an error) is shown as \\x1b."""
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / "content" / "good.md").write_text(GOOD)
    (root / "content" / "keyed.md").write_text('---\n"\\e[2J\\e[31mred": 1\ntitle: Keyed\n---\n\nText.\n')
    (root / "content" / "esc\x1b[2Jname.md").write_text("No front matter here.\n")
    (root / "content" / "[bold]x.md").write_text("Rich markup in the name: no front matter either.\n")
    proc = run("build", "project", "--formats", "epub", cwd=tmp_path)
    assert proc.returncode == 8, proc.stderr
    assert "\x1b" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    warned = [line for line in proc.stderr.splitlines() if "unknown front matter key" in line]
    assert warned and warned[0].startswith("warning: content/keyed.md:2: ") and "\\x1b[31mred" in warned[0], warned
    assert len(errors(proc)) == 2, proc.stderr
    assert any(line.startswith("error: content/esc\\x1b[2Jname.md:1: ") for line in errors(proc)), errors(proc)
    assert any(line.startswith("error: content/[bold]x.md:1: ") for line in errors(proc)), errors(proc)
    assert "│ [bold]x " in proc.stderr, proc.stderr  # the summary table shows the name, not a markup tag
    assert (root / "output" / "keyed" / "keyed.epub").is_file()


# ------------------------------------------------------------------ footnotes


def parse_notes(body: str) -> tuple[list, list[str]]:
    from narrate.sources.reader import parse_body

    warnings: list[str] = []
    chapters = parse_body(body, path="content/a.md", first_line=5, title="A", split_sections=False,
                          resolve_asset=lambda src, pos: src, warnings=warnings)
    return chapters, warnings


def test_a_reference_with_no_definition_is_warned_at_its_line_and_left_out() -> None:
    from narrate import model as m

    chapters, warnings = parse_notes("First line.\n\nText[^nope] and *more[^gone]*, `[^code]` \\[^kept].\n")
    assert warnings == [
        "content/a.md:7: footnote reference [^nope] has no definition '[^nope]: ...' (the marker was left out)",
        "content/a.md:7: footnote reference [^gone] has no definition '[^gone]: ...' (the marker was left out)",
    ]
    text = m.plain_text(chapters[0].blocks[1].children)
    assert "nope" not in text and "gone" not in text
    assert "[^code]" in text and "[^kept]" in text  # a code span and an escaped bracket are the author's text


def test_a_second_definition_of_a_footnote_is_warned_at_its_line() -> None:
    chapters, warnings = parse_notes("Text[^a].\n\n[^a]: First.\n\n[^a]: Second.\n")
    assert warnings == ["content/a.md:9: footnote [^a] is defined again (first defined on line 7); "
                        "the last definition is used"]
    assert len(chapters[0].footnotes) == 1


def test_a_footnote_referring_to_another_builds_a_valid_epub(tmp_path: Path) -> None:
    from conftest import epubcheck

    chapters, warnings = parse_notes("Text[^a] here.\n\n[^a]: See also[^b].\n\n[^b]: The other note.\n")
    assert warnings == []
    assert [(n.label, n.number, n.id) for n in chapters[0].footnotes] == [("a", 1, "c1-fn1"), ("b", 2, "c1-fn2")]
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / "content" / "noted.md").write_text(
        "---\ntitle: Noted\n---\n\nText[^a] here.\n\n[^a]: See also[^b].\n\n[^b]: The other note.\n")
    proc = run("build", "project", "--formats", "epub", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "never referenced" not in proc.stderr, proc.stderr
    epubs = list((root / "output").rglob("*.epub"))
    assert len(epubs) == 1
    errors_found, warnings_found, report = epubcheck(epubs[0])
    assert (errors_found, warnings_found) == (0, 0), report


# ------------------------------------------------------------------ front matter


def test_a_front_matter_key_given_twice_is_refused_at_its_second_line() -> None:
    import pytest

    from narrate.errors import SourceError
    from narrate.sources.frontmatter import parse

    with pytest.raises(SourceError) as caught:
        parse("---\ntitle: First\nauthor: A\ntitle: Second\n---\n\nText.\n", "content/a.md")
    assert str(caught.value) == ("content/a.md:4: front matter key 'title' is given twice (first on line 2); "
                                 "keep one")
    assert parse("---\ntitle: One\nauthor: A\n---\n\nText.\n", "content/a.md").fields["title"] == "One"


# ------------------------------------------------------------------ slugs


def test_names_with_no_ascii_letter_get_distinct_url_safe_slugs() -> None:
    from narrate.sources.project import slugify

    assert slugify("日本") == "ri-ben" and slugify("é日本") == "eri-ben" and slugify("Καλημέρα") == "kalemera"
    assert slugify("🎉") != slugify("🎈") and slugify("🎉") == slugify("🎉")
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slugify(n)) for n in ("🎉", "日本", "\udcff"))
    assert slugify("My File") == "my-file" and slugify("café") == "caf"  # names with a slug keep it


def test_two_files_named_in_another_script_build_side_by_side(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / "content" / "日本.md").write_text("---\ntitle: One\n---\n\nOne.\n")
    (root / "content" / "中国.md").write_text("---\ntitle: Two\n---\n\nTwo.\n")
    proc = run("build", "project", "--formats", "epub", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (root / "output").rglob("*.epub")) == ["ri-ben.epub", "zhong-guo.epub"]


# ------------------------------------------------------------------ JPEG and GIF bodies


def pictures() -> dict[str, bytes]:
    import io

    from PIL import Image

    base = Image.radial_gradient("L").convert("RGB")
    out: dict[str, bytes] = {}
    for name, kind, options in (("baseline.jpg", "JPEG", {}), ("progressive.jpg", "JPEG", {"progressive": True}),
                                ("restarts.jpg", "JPEG", {"restart_marker_blocks": 1,
                                                          "exif": b"Exif\0\0" + b"\xff" * 40}),
                                ("still.gif", "GIF", {}),
                                ("animated.gif", "GIF", {"save_all": True, "loop": 0, "append_images": [
                                    base.rotate(90).quantize(16), base.convert("L")]})):
        buffer = io.BytesIO()
        base.save(buffer, kind, **options)
        out[name] = buffer.getvalue()
    return out


def test_whole_jpeg_and_gif_files_pass_and_every_cut_is_refused() -> None:
    from narrate.image_ends import gif_problem, jpeg_problem

    for name, data in pictures().items():
        problem = jpeg_problem if name.endswith(".jpg") else gif_problem
        assert problem(data) is None, name
        assert problem(data + b"\0" * 64 + b"trailing data a camera adds") is None, name
        for cut in range(len(data) - 1, 2, -max(1, len(data) // 300)):
            assert problem(data[:cut]) is not None, (name, cut)


def test_a_cut_jpeg_is_refused_at_the_markdown_line(tmp_path: Path) -> None:
    from narrate.errors import SourceError
    from narrate.imaging import image_info

    whole = tmp_path / "whole.jpg"
    whole.write_bytes(pictures()["progressive.jpg"])
    assert image_info(whole)[0] == "jpeg"
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole.read_bytes()[:-300])
    try:
        image_info(cut, "content/a.md", 7)
    except SourceError as exc:
        assert str(exc).startswith("content/a.md:7: expected a whole JPEG image, found cut.jpg, but it ends"), exc
    else:
        raise AssertionError("a cut JPEG passed")
