"""Reliability, round three (issue 26), the package / clean / command-line side: no command
writes outside its place or deletes what it did not make; hostile input is a clear error.
Each test here failed on the code before its fix."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FAKE_VOICE

from narrate.artifacts import MANIFEST, load_manifest
from narrate.engine.run import BuildOptions, build
from narrate.errors import PublishError

NARRATE = [sys.executable, "-m", "narrate"]
BASE = "https://example.org/e/"
KEY = b"test-key-0123456789abcdef"
TOML = '[publisher]\nname = "Test Press"\n'


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(NARRATE + list(args), capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env={**os.environ, **(env or {})})


def article(n: int, title: str = "") -> str:
    return (f"---\ntitle: {title or f'Article {n}'}\n---\n\nA lead for {n}.\n\n## Part one\n\n"
            f"Sentence one of article {n}. Sentence two of article {n}.\n")


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


@pytest.fixture
def project(make_project):
    root = make_project({"content/a1.md": article(1), "content/a2.md": article(2), "voices/fake.toml": FAKE_VOICE,
                         "narrate.toml": TOML})
    assert not build(root, BuildOptions(formats=("epub",), voice="fake", jobs=1)).failed
    return root


def package(root: Path, **kw):
    from narrate.publish import package as do_package

    return do_package(root, base_url=BASE, **kw)


def drop_a2(root: Path) -> None:
    (root / "content" / "a2.md").unlink()
    assert not build(root, BuildOptions(formats=("epub",), voice="fake", jobs=1)).failed  # the manifest drops a2


# ------------------------------------------------------------- 1. package prunes only its own files


def test_package_keeps_files_it_did_not_write(project):
    dist = project / "output" / "dist"
    package(project)
    mine = {"robots.txt": "User-agent: *\n", ".htaccess": "Options -Indexes\n", "blog/about.html": "<p>us</p>",
            "subscribers/.htaccess": "Deny from all\n"}
    for rel, text in mine.items():
        (dist / rel).parent.mkdir(parents=True, exist_ok=True)
        (dist / rel).write_text(text)
    package(project)
    assert set(mine) <= files(dist)
    assert all((dist / rel).read_text() == text for rel, text in mine.items())


def test_package_removes_what_a_previous_package_wrote_and_says_so(project):
    dist = project / "output" / "dist"
    package(project)
    assert (dist / "a2" / "a2.zip").is_file()
    (dist / "robots.txt").write_text("User-agent: *\n")
    drop_a2(project)
    proc = run("package", str(project), "--base-url", BASE)
    assert proc.returncode == 0, proc.stderr
    assert not (dist / "a2").exists() and (dist / "robots.txt").is_file() and (dist / "a1" / "a1.zip").is_file()
    assert "removed" in proc.stdout and "a2/a2.zip" in proc.stdout and "a2/a2.epub" in proc.stdout


def test_a_symlinked_dist_keeps_the_sites_own_files(project, tmp_path):
    site = tmp_path / "www"
    (site / "css").mkdir(parents=True)
    (site / "index.php").write_text("<?php home();")
    (site / "css" / "site.css").write_text("body{}")
    (site / "a2").mkdir()
    (site / "a2" / "notes.txt").write_text("the site's, in a folder package also uses")
    (project / "output" / "dist").symlink_to(site)
    package(project)
    assert (site / "feed.xml").is_file() and (site / "a1" / "a1.zip").is_file()
    drop_a2(project)
    package(project)
    assert {"index.php", "css/site.css", "a2/notes.txt"} <= files(site)
    assert not (site / "a2" / "a2.zip").exists()  # recorded as package's own: removed
    assert (project / "output" / "dist").is_symlink()


def test_subscriber_folders_go_but_not_the_files_beside_them(project, tmp_path):
    from narrate.publish.subscribers import make_token

    subs = tmp_path / "subs.csv"
    subs.write_text("email,name\nann@example.org,Ann\nbob@example.org,Bob\n")
    dist = project / "output" / "dist"
    package(project, subscribers=subs, key=KEY)
    (dist / "subscribers" / ".htaccess").write_text("Deny from all\n")
    ann = dist / "subscribers" / make_token(KEY, "ann@example.org")
    (ann / "note-by-hand.txt").write_text("not narrate's")
    subs.write_text("email,name\nbob@example.org,Bob\n")
    report = package(project, subscribers=subs, key=KEY)
    assert (dist / "subscribers" / ".htaccess").is_file()
    assert files(ann) == {"note-by-hand.txt"} and report.removed == 1
    assert (dist / "subscribers" / make_token(KEY, "bob@example.org") / "index.html").is_file()


# ------------------------------------------------------------- 2, 3. clean keeps what it cannot judge


def cache_files(root: Path) -> set[str]:
    return files(root / ".narrate" / "cache")


def test_clean_keeps_the_cache_when_the_voice_engine_cannot_run(make_project, tmp_path):
    root = make_project({"content/a1.md": article(1)})
    assert not build(root, BuildOptions(formats=("mp3",), voice="espeak", jobs=1)).failed
    before = cache_files(root)
    assert any(name.endswith(".wav") for name in before)
    empty = tmp_path / "bin"
    empty.mkdir()
    proc = run("clean", str(root), env={"PATH": str(empty)})  # a cron job's PATH without espeak-ng
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "warning" in proc.stderr and "espeak" in proc.stderr
    assert cache_files(root) == before


def test_clean_keeps_everything_of_a_source_that_fails_to_read(project):
    assert not build(project, BuildOptions(formats=("epub", "mp3"), voice="fake", jobs=1)).failed
    before_out, before_cache = files(project / "output"), cache_files(project)
    source = project / "content" / "a1.md"
    source.write_text(source.read_text().replace("title: Article 1", 'title: "Article 1'))  # unclosed quote
    proc = run("clean", str(project))
    assert proc.returncode == 0, proc.stderr
    assert "content/a1.md:2" in proc.stderr and "Traceback" not in proc.stderr
    assert files(project / "output") == before_out and cache_files(project) == before_cache
    assert {p["slug"] for p in load_manifest(project / "output")["publications"]} == {"a1", "a2"}


# ------------------------------------------------------------- 4. another project's output


def test_clean_refuses_another_projects_output(project, make_project, tmp_path):
    other = make_project({"content/b1.md": article(7), "voices/fake.toml": FAKE_VOICE}, root=tmp_path / "other")
    assert not build(other, BuildOptions(formats=("epub",), voice="fake", jobs=1)).failed
    before = files(other / "output")
    proc = run("clean", str(project), "--output", str(other / "output"))
    assert proc.returncode == 2, proc.stderr
    assert "another project's output" in proc.stderr and "Traceback" not in proc.stderr
    assert files(other / "output") == before


def test_build_refuses_another_projects_output(project, make_project, tmp_path):
    other = make_project({"content/b1.md": article(7), "voices/fake.toml": FAKE_VOICE}, root=tmp_path / "other")
    assert not build(other, BuildOptions(formats=("epub",), voice="fake", jobs=1)).failed
    before = {path: (other / "output" / path).read_bytes() for path in files(other / "output")}
    proc = run("build", str(project), "--formats", "epub", "--voice", "fake", "--output", str(other / "output"))
    assert proc.returncode == 6, proc.stderr
    assert "another project's" in proc.stderr and "Traceback" not in proc.stderr
    assert {path: (other / "output" / path).read_bytes() for path in files(other / "output")} == before
    # an empty folder, or one this project built, is fine
    assert run("build", str(project), "--formats", "epub", "--voice", "fake", "--output",
               str(tmp_path / "fresh")).returncode == 0


def test_clean_accepts_its_own_output_elsewhere(project, tmp_path):
    out = tmp_path / "editions"
    assert not build(project, BuildOptions(formats=("epub",), voice="fake", jobs=1, output=out)).failed
    (project / "content" / "a2.md").unlink()
    proc = run("clean", str(project), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert not (out / "a2").exists() and (out / "a1" / "a1.epub").is_file()


def test_clean_refuses_an_outside_output_it_has_no_record_of_building(project, tmp_path):
    out = tmp_path / "editions"
    assert not build(project, BuildOptions(formats=("epub",), voice="fake", jobs=1, output=out)).failed
    (project / ".narrate" / "outputs.json").unlink(missing_ok=True)  # as a build before that record left it
    (project / "content" / "a2.md").unlink()
    proc = run("clean", str(project), "--output", str(out))
    assert proc.returncode == 2, proc.stderr
    assert "no record of building" in proc.stderr and "Traceback" not in proc.stderr
    assert (out / "a2" / "a2.epub").is_file()


# ------------------------------------------------------------- 5, 6, 7. subscribers


def test_subscriber_cells_cannot_become_spreadsheet_formulas(project, tmp_path):
    subs = tmp_path / "subs.csv"
    subs.write_text('email,name\n"=1+2@example.org","=HYPERLINK(""http://evil.example/"",""x"")"\n'
                    "b@example.org,+cmd|' /C calc'!A0\nc@example.org,-2+3\nd@example.org,\"Ann, Lee\"\n")
    report = package(project, subscribers=subs, key=KEY)
    import csv

    rows = list(csv.reader(report.links.read_text().splitlines()))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
    assert "'=HYPERLINK(\"http://evil.example/\",\"x\")" in cells and "'+cmd|' /C calc'!A0" in cells
    assert "'=1+2@example.org" in cells and "'-2+3" in cells and "Ann, Lee" in cells


def test_a_key_file_inside_the_project_is_refused_on_the_command_line(project, tmp_path):
    subs = tmp_path / "subs.csv"
    subs.write_text("email,name\nann@example.org,Ann\n")
    key = project / "secret.key"
    key.write_bytes(KEY)
    key.chmod(0o600)
    proc = run("package", str(project), "--base-url", BASE, "--subscribers", str(subs), "--key-file", str(key))
    assert proc.returncode == 7, proc.stderr
    assert "outside the project" in proc.stderr and not (project / "output" / "dist").exists()


@pytest.mark.parametrize("where", ["option", "config"])
def test_a_key_file_others_can_read_is_refused(project, tmp_path, where, monkeypatch):
    monkeypatch.delenv("NARRATE_SUBSCRIBER_KEY", raising=False)
    subs = tmp_path / "subs.csv"
    subs.write_text("email,name\nann@example.org,Ann\n")
    key = tmp_path / "secret.key"
    key.write_bytes(KEY)
    key.chmod(0o644)
    args = ["--key-file", str(key)] if where == "option" else []
    if where == "config":
        (project / "narrate.toml").write_text(TOML + f'[subscribers]\nkey_file = "{key}"\n')
    env = {k: v for k, v in os.environ.items() if k != "NARRATE_SUBSCRIBER_KEY"}
    proc = subprocess.run(NARRATE + ["package", str(project), "--base-url", BASE, "--subscribers", str(subs),
                                     *args], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 7, proc.stderr
    assert "chmod 600" in proc.stderr and "secret.key" in proc.stderr and "Traceback" not in proc.stderr
    key.chmod(0o600)
    proc = subprocess.run(NARRATE + ["package", str(project), "--base-url", BASE, "--subscribers", str(subs),
                                     *args], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr


def test_a_huge_subscriber_field_is_a_clear_error(project, tmp_path):
    subs = tmp_path / "subs.csv"
    subs.write_text("email,name\nann@example.org,Ann\nbob@example.org," + "B" * (200 * 1024) + "\n")
    with pytest.raises(PublishError, match="larger than") as caught:
        package(project, subscribers=subs, key=KEY)
    assert caught.value.path == str(subs) and caught.value.line == 3


# ------------------------------------------------------------- 8. --output is a file


@pytest.mark.parametrize("command", [["build", "--formats", "epub"], ["package", "--base-url", BASE], ["check"],
                                     ["proof"], ["clean"]])
@pytest.mark.parametrize("kind", ["file", "under-a-file"])
def test_an_output_that_is_a_file_is_an_output_error(make_project, tmp_path, command, kind):
    root = make_project({"content/a1.md": article(1), "voices/fake.toml": FAKE_VOICE})
    blocker = tmp_path / "editions.txt"
    blocker.write_text("a file, not a folder")
    target = blocker if kind == "file" else blocker / "sub"
    proc = run(command[0], str(root), *command[1:], "--output", str(target))
    assert proc.returncode == 6, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "editions.txt" in proc.stderr
    assert "expected a folder" in proc.stderr or "cannot make the output folder" in proc.stderr
    assert blocker.read_text() == "a file, not a folder"


# ------------------------------------------------------------- 9. control characters in front matter


@pytest.mark.parametrize("title", ['"Bell\\a title"', '"Null\\0 title"', '"Escape\\e title"'])
def test_a_control_character_in_the_title_names_the_source_line(make_project, title):
    bad = f"---\nauthor: X\ntitle: {title}\n---\n\nText.\n"
    root = make_project({"content/a1.md": article(1), "content/bad.md": bad})
    proc = run("build", str(root), "--formats", "epub,pdf", "-j", "1")
    assert proc.returncode == 8, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors and errors[0].startswith("error: content/bad.md:3: 'title'"), errors
    assert "control character" in errors[0] and "Traceback" not in proc.stderr
    assert (root / "output" / "a1" / "a1.epub").is_file() and not (root / "output" / "bad").exists()


# ------------------------------------------------------------- 10. package on a damaged manifest


def test_package_on_a_damaged_manifest_exits_with_the_output_code(project):
    (project / "output" / MANIFEST).write_text('{"publications": [{"slug": "a1", "artifacts": 3}]}')
    proc = run("package", str(project), "--base-url", BASE)
    assert proc.returncode == 6, proc.stderr  # README: a damaged manifest is an error (exit 6) for clean and package
    assert "manifest.json: publications[0].artifacts" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------- 11. proof's ffmpeg has a time limit


def test_proofs_loudness_measurement_is_stopped_after_the_timeout(tmp_path, monkeypatch):
    from narrate.errors import AudioError
    from narrate.proof.charts import _cached_series

    monkeypatch.setenv("NARRATE_FFMPEG_TIMEOUT", "1")
    realtime = ["-re", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "30"]  # 30 s in real time
    started = time.monotonic()
    with pytest.raises(AudioError, match="NARRATE_FFMPEG_TIMEOUT"):
        _cached_series(tmp_path / "series.json", realtime, tmp_path / "x.wav")
    assert time.monotonic() - started < 20
    assert not (tmp_path / "series.json").exists()


def test_clean_all_removes_only_the_dist_files_package_wrote(project, tmp_path):
    site = tmp_path / "www"
    site.mkdir()
    (site / "index.php").write_text("<?php home();")
    (project / "output" / "dist").symlink_to(site)
    package(project)
    (site / "robots.txt").write_text("User-agent: *\n")
    proc = run("clean", str(project), "--all")
    assert proc.returncode == 0, proc.stderr
    assert files(site) == {"index.php", "robots.txt"}
    assert (project / "output" / "dist").is_symlink() and not (project / "output" / "private").exists()


def test_init_never_overwrites_a_file_that_is_there(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / ".gitignore").write_text("node_modules/\n")
    proc = run("init", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / ".gitignore").read_text() == "node_modules/\n"
    assert (tmp_path / "site" / "narrate.toml").is_file() and ".gitignore" not in proc.stdout


def test_an_interrupt_right_after_a_temp_file_is_made_leaves_nothing(tmp_path, monkeypatch):
    """Ctrl-C landing between the temp file's creation and ``atomic_path``'s ``try`` (here: as the
    descriptor is closed) once left an empty ``.name.random.part`` that nothing would remove."""
    from narrate import artifacts

    real_close = os.close

    def close_then_interrupt(fd: int) -> None:
        real_close(fd)
        raise KeyboardInterrupt

    monkeypatch.setattr(artifacts.os, "close", close_then_interrupt)
    with pytest.raises(KeyboardInterrupt), artifacts.atomic_path(tmp_path / "a.flac"):
        pass
    monkeypatch.setattr(artifacts.os, "close", real_close)
    assert [p.name for p in tmp_path.iterdir()] != []  # the interrupt left the temp file...
    artifacts.remove_unfinished()  # ...which the command's interrupt handler removes
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_render_is_waited_for_until_its_cleanup_ends(tmp_path, monkeypatch):
    """The render thread is a daemon: the build once gave its cleanups 5 s, then exited with the
    thread still writing, leaving its temp file in the cache (seen under load on CI)."""
    import threading

    from narrate import artifacts
    from narrate.engine import publication

    started = threading.Event()

    def slow_render(ctx) -> None:  # noqa: ANN001
        with artifacts.atomic_path(tmp_path / "s.flac") as tmp:
            tmp.write_bytes(b"x")
            started.set()
            try:
                while True:
                    time.sleep(0.01)
            finally:
                time.sleep(6.0)  # a cleanup slower than the old wait (an ffmpeg ending under load)

    def text_edition(job, maker, ctx):  # noqa: ANN001
        started.wait(10)
        raise KeyboardInterrupt

    monkeypatch.setattr(publication, "narration", slow_render)
    monkeypatch.setattr(publication, "_make", text_edition)
    with pytest.raises(KeyboardInterrupt):
        publication._text_while_rendering(None, None, ["epub"])
    assert list(tmp_path.iterdir()) == []  # the render ended, its temp file gone, before the build stops


def test_a_stopping_worker_prints_no_finalizer_failure(monkeypatch):
    """Ctrl-C inside ``wave.Wave_write.__init__`` leaves a writer whose ``__del__`` raises AttributeError;
    a stopping worker printed it with a traceback under narrate's "interrupted" (seen on CI)."""
    import types

    from narrate.audio import synth

    failure = types.SimpleNamespace(exc_type=AttributeError, exc_value=AttributeError("_file"),
                                    exc_traceback=None, err_msg="Exception ignored in", object=None)
    shown: list[object] = []
    monkeypatch.setattr(sys, "__unraisablehook__", shown.append)  # Python's printer
    monkeypatch.setattr(synth, "_STOPPING", True)
    synth._quiet_stop(failure)
    assert shown == []
    monkeypatch.setattr(synth, "_STOPPING", False)  # not stopping: a finalizer's failure is a bug, shown
    synth._quiet_stop(failure)
    assert shown == [failure]
