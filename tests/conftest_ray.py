"""Shared helpers and fixtures of the Ray tests (imported explicitly; not a conftest).

The Ray tests are spread over several files (test_ray*.py) so that xdist's two workers can share
them; each file starts its own cluster (``cluster``, module scoped) and stops only that one.
"""

from __future__ import annotations

import dataclasses
import os
import socket
from pathlib import Path

import pytest
from conftest import FAKE_VOICE, missing_tool, write_files

from narrate.engine.run import BuildOptions, build

# Before Ray is imported: a Linux Ray otherwise swaps 127.0.0.1 in an address for the machine's
# network address, where this test cluster (bound to 127.0.0.1 only) does not listen.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"

WORDS = ("river library evening volunteer reading chapter harbour lantern morning village window garden "
         "letter station winter market bridge teacher story music").split()
EPOCH = "1700000000"  # SOURCE_DATE_EPOCH of every batch: a local and a cluster build compare byte for byte


def article(n: int, sentences: int) -> str:
    body = []
    for s in range(sentences):
        words = [WORDS[(n * 7 + s * 3 + i) % len(WORDS)] for i in range(8 + s % 5)]
        body.append(" ".join(words).capitalize() + f" number {n} {s}.")
    half = len(body) // 2
    return (f"---\ntitle: Article {n}\ndate: 2026-01-{n + 1:02d}\n---\n\n" + " ".join(body[:half])
            + "\n\n## Second part\n\n" + " ".join(body[half:]) + "\n")


def batch_files(titles: int, sentences: int) -> dict[str, str]:
    """A project of ``titles`` generated articles narrated by the fake voice."""
    files = {f"content/article-{n}.md": article(n, sentences) for n in range(titles)}
    return {**files, "voices/fake.toml": FAKE_VOICE}


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """As conftest's guard, but Ray talks to its own processes on 127.0.0.1: only loopback is allowed."""
    real_connect = socket.socket.connect
    real_create = socket.create_connection
    real_getaddrinfo = socket.getaddrinfo
    local = ("127.0.0.1", "localhost", "::1")

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in local:
            raise OSError("network access is blocked in tests")
        return real_connect(self, address)

    def create_connection(address, *args, **kwargs):
        if address[0] not in local:
            raise OSError("network access is blocked in tests")
        return real_create(address, *args, **kwargs)

    def getaddrinfo(host, *args, **kwargs):
        if host not in local:
            raise OSError("network access is blocked in tests")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


_started: list = []  # the cluster this process started and has not stopped yet (at most one)


def stop_cluster() -> None:
    """Stop the cluster ``cluster`` started, if one runs (conftest.py: after the last test that
    uses it in a row)."""
    while _started:
        _started.pop().shutdown()  # only the processes this module started


@pytest.fixture
def cluster():
    """A real two-node cluster on this machine (a head and a worker node, one CPU each, on 127.0.0.1).

    Starting one takes from 10 s (a quiet machine) to 40 s (a loaded one), so the tests that use it
    one after another share it, across test files too (xdist hands each worker whole files): it is
    stopped after a test when the next test this process runs does not use it (conftest.py's
    ``pytest_runtest_teardown``), so it never idles beside other tests. A test that changes it
    (adds a node) leaves it as it found it."""
    if not _started:
        try:
            from ray.cluster_utils import Cluster
        except ImportError:
            missing_tool('Ray is needed: pip install "narrate[ray]" (scripts/setup.sh installs it)')
        node = {"num_cpus": 1, "node_ip_address": "127.0.0.1"}
        started = Cluster(initialize_head=True, connect=False, head_node_args={**node, "include_dashboard": False})
        _started.append(started)
        started.add_node(**node)
        started.wait_for_nodes()
    return _started[0]


@pytest.fixture
def batch(make_project, tmp_path, monkeypatch):
    """batch(name) → a project of generated articles narrated by the fake voice."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)

    def make(name: str, titles: int = 3, sentences: int = 24) -> Path:
        return make_project(batch_files(titles, sentences), root=tmp_path / name)

    return make


def local_reference(folder: Path, titles: int, sentences: int, formats: tuple[str, ...]) -> Path:
    """A batch built locally (``-j 1``) in ``folder``: the bytes a cluster build must give. Module
    fixtures build one for the tests that compare against the same batch (they only read it)."""
    write_files(folder, batch_files(titles, sentences))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.delenv("RAY_ADDRESS", raising=False)
        report = build(folder, BuildOptions(formats=formats, voice="fake", jobs=1))
    assert not report.failed, [str(r.error) for r in report.failed]
    return folder


class Collect:
    def __init__(self, on_progress=None):
        self.warnings: list[str] = []
        self.on_progress = on_progress

    def warning(self, message: str) -> None:
        self.warnings.append(message)

    def started(self, slug: str, title: str) -> None:
        pass

    def progress(self, slug: str, done: int, total: int, audio_ms: int) -> None:
        if self.on_progress and slug == "all publications":
            self.on_progress(done, total)

    def finished(self, result) -> None:
        pass


def run_build(root: Path, reporter=None, **kw):
    report = build(root, BuildOptions(formats=("mp3", "m4b"), voice="fake", **kw), reporter)
    assert not report.failed, [str(r.error) for r in report.failed]
    return report


def counted_passes(monkeypatch) -> list[tuple[list[str], list[str]]]:
    """Each pass of tasks a build runs on the cluster, in order: the task names of its groups, and
    those of the calls sent in it as other calls came back (``Tasks.collect``'s follow-ups)."""
    from narrate.audio import cluster as cluster_module
    from narrate.audio import ray as ray_module

    passes: list[tuple[list[str], list[str]]] = []
    real_run = cluster_module.run_tasks

    def counted(ray, head, groups, *args, **kwargs):
        later: list[str] = []

        def followed(group):
            def collect(index, result):
                # a group's own calls it releases (chapters held for a shared sentence) stay counted
                follow = [(wrapped if call[0] is group else call[0], call[1])
                          for call in group.collect(index, result) or ()]
                later.extend(call[0].task._function.__name__ for call in follow)
                return follow
            wrapped = dataclasses.replace(group, collect=collect)
            return wrapped

        passes.append(([group.task._function.__name__ for group in groups], later))
        return real_run(ray, head, [followed(group) for group in groups], *args, **kwargs)

    monkeypatch.setattr(cluster_module, "run_tasks", counted)
    monkeypatch.setattr(ray_module, "run_tasks", counted)
    return passes
