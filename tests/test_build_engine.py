"""The build engine: parallel = serial, real signals to real builds, resume from cache, clean."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest
from conftest import FAKE_VOICE, interruptible

from narrate.artifacts import is_temp_name, sha256_file
from narrate.audio import flac
from narrate.engine.run import BuildOptions, build


def article(n: int, sentences: int = 3, tag: str = "") -> str:
    body = " ".join(f"Sentence {i} of article {n} carries a few more words to speak {tag}." for i in range(sentences))
    return f"---\ntitle: Article {n}\n---\n\nA lead for {n}.\n\n## Part one\n\n{body}\n\n## Part two\n\nThe end.\n"


def cache_files(root: Path) -> dict[Path, tuple[int, int]]:
    """Complete cache entries (sentences' *.flac, chapters' *.wav), with (inode, mtime_ns) to prove
    they were not rewritten."""
    found = {}
    cache = root / ".narrate" / "cache"
    for path in [*cache.rglob("*.wav"), *cache.rglob("*.flac")]:
        st = path.stat()
        found[path] = (st.st_ino, st.st_mtime_ns)
    return found


def start_build(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "narrate", "build", str(root), "--voice", "fake", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=interruptible)


def wait_for_cache(root: Path, count: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(cache_files(root)) >= count:
            return
        if proc.poll() is not None:
            pytest.fail(f"build ended before the signal: {proc.stderr.read()}")
        time.sleep(0.05)
    pytest.fail("the build never got going")


def assert_no_partial_files(root: Path, *, killed: bool = False) -> None:
    """No half-written file under a final name, and no stray file of any other kind.

    ``killed``: right after a SIGKILL, the cache and the staging folder (``output/.staging``, where
    a publication's editions wait until all are made) may still hold narrate's own temp files
    (``.name.random.part``): an atomic write cannot remove its temp file when killed outright (a
    chapter encodes for seconds, an EPUB is laid out while the narration renders). Never beside the
    final editions. The next build sweeps them, which the tests check after each rerun."""
    staging = root / "output" / ".staging"
    # narrate's temp names are hidden (".name.random.part"); any hidden file left is a leftover
    leftovers = [p for p in (root / "output").rglob("*")
                 if p.is_file() and (p.name.startswith(".") or p.suffix in (".part", ".tmp", ".raw"))
                 and not (killed and is_temp_name(p.name) and staging in p.parents)]
    # the cache holds sentences (.flac; a .wav an engine wrote and an interrupt kept from being
    # stored) and chapter pieces (.wav, .json, .mp3, .aac): nothing half-written
    leftovers += [p for p in (root / ".narrate" / "cache").rglob("*")
                  if p.is_file() and not (killed and is_temp_name(p.name))
                  and (is_temp_name(p.name) or p.name.startswith(".")
                       or p.suffix not in (".wav", ".flac", ".json", ".mp3", ".aac", ".m4a"))]
    assert leftovers == []
    for path in cache_files(root):
        if path.suffix == ".flac":  # every cache entry is a complete FLAC or WAV
            assert flac.complete(path) and flac.info(path)[0] > 0
            continue
        with wave.open(str(path)) as w:
            assert w.getnframes() > 0


@pytest.fixture
def big_project(make_project):
    files = {f"content/a{n}.md": article(n, sentences=3) for n in range(1, 3)}
    files["voices/fake.toml"] = FAKE_VOICE
    return make_project(files)


@pytest.mark.slow
def test_parallel_build_equals_serial_build(make_project, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    files = {f"content/a{n}.md": article(n) for n in range(1, 5)}
    files["voices/fake.toml"] = FAKE_VOICE
    root = make_project(files)
    formats = ("epub", "pdf", "mp3", "m4b")
    serial = build(root, BuildOptions(formats=formats, voice="fake", jobs=1, output=tmp_path / "serial"))
    parallel = build(root, BuildOptions(formats=formats, voice="fake", jobs=2, output=tmp_path / "parallel"))
    assert not serial.failed and not parallel.failed
    for path in (tmp_path / "serial").rglob("*"):
        if path.is_file() and path.name != "manifest.json":
            twin = tmp_path / "parallel" / path.relative_to(tmp_path / "serial")
            assert twin.read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("jobs", [pytest.param("1", marks=pytest.mark.slow), "2"])
def test_sigint_stops_cleanly_and_keeps_finished_work(big_project, jobs):
    md = big_project / "content" / "a1.md"
    md.write_text(article(1, sentences=400))
    proc = start_build(big_project, "--formats", "mp3", "-j", jobs)
    wait_for_cache(big_project, 20, proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert_no_partial_files(big_project)


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigkill_mid_narration_keeps_outputs_and_resumes(big_project, jobs):
    first = subprocess.run([sys.executable, "-m", "narrate", "build", str(big_project), "--voice", "fake",
                            "--formats", "epub,mp3"], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    manifest = json.loads((big_project / "output" / "manifest.json").read_text())
    before = {a["path"]: a["sha256"] for p in manifest["publications"] for a in p["artifacts"]}
    # 100 sentences: the kill (25 entries in) lands mid-narration, and the rerun has 75 left to do
    (big_project / "content" / "a1.md").write_text(article(1, sentences=100, tag="again"))
    proc = start_build(big_project, "--formats", "epub,mp3", "-j", jobs)
    cached_before = len(cache_files(big_project))
    wait_for_cache(big_project, cached_before + 25, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    for rel, digest in before.items():  # the previous outputs are intact
        assert sha256_file(big_project / "output" / rel) == digest
    assert_no_partial_files(big_project, killed=True)
    survived = cache_files(big_project)
    rerun = subprocess.run([sys.executable, "-m", "narrate", "build", str(big_project), "--voice", "fake",
                            "--formats", "epub,mp3"], capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert_no_partial_files(big_project)
    after = cache_files(big_project)
    assert all(after[p] == stamp for p, stamp in survived.items())  # finished sentences were not redone
    assert len(after) > len(survived)


def descendants(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in path.read_text().split()] if path.exists() else []
    return [d for k in kids for d in [k, *descendants(k)]]


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_stops_the_build_its_workers_and_ffmpeg(big_project, jobs):
    """SIGTERM to narrate alone (as a service manager sends it): every process it started ends too."""
    for n in (1, 2):
        (big_project / "content" / f"a{n}.md").write_text(article(n, sentences=300, tag="term"))
    proc = start_build(big_project, "--formats", "mp3,m4b", "-j", jobs)
    deadline = time.monotonic() + 300
    ffmpeg: list[int] = []
    while not ffmpeg and time.monotonic() < deadline and proc.poll() is None:
        ffmpeg = [d for d in descendants(proc.pid) if b"ffmpeg" in Path(f"/proc/{d}/cmdline").read_bytes()]
        time.sleep(0.02)
    assert ffmpeg, "the build never ran ffmpeg"
    started = descendants(proc.pid)
    stopped = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert time.monotonic() - stopped < 30  # not after finishing the publications
    assert "Traceback" not in stderr
    time.sleep(0.5)
    assert [p for p in started if running(p)] == []
    assert_no_partial_files(big_project)


def test_clean_prunes_unused_cache_and_stale_output(big_project):
    assert build(big_project, BuildOptions(formats=("mp3",), voice="fake")).failed == []
    entries = set(cache_files(big_project))
    stale = big_project / "output" / "a1" / "a1.large-print.pdf"  # an edition the manifest no longer lists
    stale.write_text("stale")
    (big_project / "content" / "a2.md").unlink()
    from narrate.engine.clean import clean

    report = clean(big_project)
    assert report.removed_cache > 0 and report.kept_cache > 0
    assert set(cache_files(big_project)) < entries
    assert not stale.exists() and not (big_project / "output" / "a2").exists()
    slugs = [p["slug"] for p in json.loads((big_project / "output" / "manifest.json").read_text())["publications"]]
    assert slugs == ["a1"]
    # the kept cache still serves a rebuild with nothing to synthesize
    kept = cache_files(big_project)
    assert not build(big_project, BuildOptions(formats=("mp3",), voice="fake", output=big_project / "o2")).failed
    assert cache_files(big_project) == kept


def test_fail_fast_and_exit_code(make_project):
    root = make_project({"content/a.md": article(1), "content/b.md": "---\ntitle: [\n---\n",
                         "voices/fake.toml": FAKE_VOICE})
    proc = subprocess.run([sys.executable, "-m", "narrate", "build", str(root), "--formats", "epub", "--json"],
                          capture_output=True, text=True)
    assert proc.returncode == 8
    summary = json.loads(proc.stdout)
    assert {p["slug"]: p["ok"] for p in summary["publications"]} == {"a": True, "b": False}


@pytest.mark.slow
def test_repeated_sigkill_at_random_points_then_a_clean_finish(big_project):
    """Kill a narration build several times at random points; every rerun resumes."""
    import random

    rng = random.Random(20261128)
    # 150 sentences: the three kills (at most 3 * 40 new entries in all) land mid-narration
    (big_project / "content" / "a1.md").write_text(article(1, sentences=150, tag="kill"))
    survived: dict[Path, tuple[int, int]] = {}
    for _ in range(3):
        proc = start_build(big_project, "--formats", "epub,mp3", "-j", "1")
        wait_for_cache(big_project, len(cache_files(big_project)) + rng.randint(3, 40), proc)
        time.sleep(rng.random() * 0.3)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert_no_partial_files(big_project, killed=True)
        now = cache_files(big_project)
        assert all(now[p] == stamp for p, stamp in survived.items())  # nothing finished was redone
        survived = now
    final = subprocess.run([sys.executable, "-m", "narrate", "build", str(big_project), "--voice", "fake",
                            "--formats", "epub,mp3"], capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    assert_no_partial_files(big_project)  # the finishing build swept what the killed ones left
    assert all(cache_files(big_project)[p] == stamp for p, stamp in survived.items())
    manifest = json.loads((big_project / "output" / "manifest.json").read_text())
    for pub in manifest["publications"]:
        for artifact in pub["artifacts"]:
            assert sha256_file(big_project / "output" / artifact["path"]) == artifact["sha256"]


def test_presynthesis_covers_a_book_at_its_own_pace(make_project):
    """With --jobs N the batch is synthesized first. A book reads at its own (slower) pace under
    the same profile name as the articles: its sentences must be synthesized at that pace, or
    its build synthesizes them all again, on one process (a 10-title batch spent 48 s so)."""
    from narrate.audio.synth import cache_path, segment_complete, segment_key
    from narrate.editions.context import PublicationContext
    from narrate.editions.narration import choose_voice, presynthesize, publication_script
    from narrate.engine.run import read_all
    from narrate.sources.project import open_project
    from narrate.speech.engines import get_engine

    chapter = "---\ntitle: {0}\n---\n\nThe {0} chapter begins here. It ends with a second sentence.\n"
    root = make_project({"voices/fake.toml": FAKE_VOICE,
                         "content/a.md": "---\ntitle: An article\n---\n\nOne short paragraph. Two sentences.\n",
                         "content/book/book.toml": 'title = "A book"\nchapters = ["one.md", "two.md"]\n',
                         "content/book/one.md": chapter.format("First"),
                         "content/book/two.md": chapter.format("Second")})
    project = open_project(root)
    docs, failed = read_all(project)
    assert sorted(d.meta.kind for d in docs) == ["article", "book"], [str(f.error) for f in failed]
    presynthesize(root, project.config, project.cache_dir, [(d, "fake") for d in docs], 2)
    rates = set()
    for doc in docs:
        ctx = PublicationContext(doc, root, root / "output", project.config, "fake", project.cache_dir)
        profile = choose_voice(ctx)
        rates.add(profile.rate)
        key = get_engine(profile).cache_key()
        for segment in publication_script(ctx, profile).segments():
            for _, text in segment.pieces():
                if text.strip():
                    assert segment_complete(cache_path(project.cache_dir / "audio", segment_key(key, text))), text
    assert len(rates) == 2  # the book's pace differs from the article's


def test_one_publication_builds_its_script_once_and_lays_out_text_while_it_renders(make_project, monkeypatch):
    """Issue 31: a build of one publication does not synthesize in a batch pass first (which built
    its script a second time), and its text editions are made while its narration renders: here
    the PDF waits until the render has started, which a build making one after the other never
    lets happen (it would fail after the timeout below)."""
    import threading

    import narrate.editions.makers as makers
    import narrate.editions.narration as narration

    root = make_project({"voices/fake.toml": FAKE_VOICE, "content/a1.md": article(1)})
    scripts, rendering = [], threading.Event()
    real_script, real_render, real_pdf = narration.publication_script, narration.render_publication, makers.make_pdf
    monkeypatch.setattr(narration, "publication_script", lambda *a: scripts.append(1) or real_script(*a))

    def render(ctx):
        rendering.set()
        return real_render(ctx)

    def pdf_once_the_render_started(ctx, large=False):
        assert rendering.wait(timeout=30), "the text editions waited for the narration"
        return real_pdf(ctx, large)

    monkeypatch.setattr(narration, "render_publication", render)
    monkeypatch.setitem(makers.MAKERS, "pdf", (pdf_once_the_render_started, ("pdf",), False))
    report = build(root, BuildOptions(formats=("pdf", "mp3"), voice="fake", jobs=2))
    assert not report.failed, [str(r.error) for r in report.results]
    assert len(scripts) == 1
