"""`narrate build --executor ray` on a real two-node Ray cluster on this machine: a cluster build
is byte-identical to a local one, also when a worker node is lost mid-build; a cluster that cannot
be reached or used is a clear error.

The cluster (a head and a worker node, one CPU each, on 127.0.0.1; ``conftest_ray``) is started once
for the Ray tests a worker runs one after another (test_ray*.py). Each build connects to it by
address, as on a real cluster. The other cluster tests: test_ray_editions.py, test_ray_rebuild.py.
"""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import conftest_ray
import pytest
from conftest_ray import Collect, article, files_of, local_reference, run_build  # noqa: F401  (article: test_ray_safety)
from typer.testing import CliRunner

from narrate.engine.run import BuildOptions, build
from narrate.errors import ConfigError

# the fixtures of the Ray tests
no_network, cluster, batch = conftest_ray.no_network, conftest_ray.cluster, conftest_ray.batch


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """3 articles of 24 sentences built locally: what the cluster builds below must give."""
    return local_reference(tmp_path_factory.mktemp("reference") / "project", 3, 24, ("mp3", "m4b"))


@pytest.mark.parametrize("given", ["option", "narrate.toml", "RAY_ADDRESS"])
def test_unreachable_address_is_a_clear_error_within_seconds(batch, monkeypatch, given):
    root = batch("p", titles=1, sentences=3)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"
    options = {"executor": "ray"}
    if given == "option":
        options["ray_address"] = address
    elif given == "RAY_ADDRESS":
        monkeypatch.setenv("RAY_ADDRESS", address)
    else:
        (root / "narrate.toml").write_text(f'[build]\nexecutor = "ray"\nray_address = "{address}"\n')
        options = {}
    import ray  # noqa: F401  (imported ahead: importing Ray is not the connect being timed)

    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        build(root, BuildOptions(formats=("mp3",), voice="fake", **options))
    assert time.monotonic() - started < 30  # Ray's own connect retries for minutes; the check takes ms
    assert f"cannot reach the Ray cluster at '{address}' (Connection refused)" in str(caught.value)
    assert not (root / "output" / "article-0").exists()


def test_build_executor_must_be_local_or_ray(batch):
    root = batch("p", titles=1, sentences=3)
    (root / "narrate.toml").write_text('[build]\nexecutor = "spark"\n')
    with pytest.raises(ConfigError, match=r"narrate.toml: 'build.executor' must be one of local, ray, found 'spark'"):
        build(root, BuildOptions(formats=("epub",)))


def test_without_ray_installed_the_cli_says_how_to_install_it(batch, monkeypatch):
    from narrate.cli import app

    root = batch("p", titles=1, sentences=3)
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    result = CliRunner().invoke(app, ["build", str(root), "--executor", "ray", "--voice", "fake"])
    assert result.exit_code == 2, result.output
    assert 'pip install "narrate[ray]"' in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_cluster_build_is_byte_identical_to_local(cluster, reference, batch, monkeypatch):
    from narrate.editions import narration

    local, remote = reference, batch("remote")
    reporter = Collect()
    scripts: list[str] = []  # the head works out each publication's script once, not twice

    def counted(doc, *args):
        scripts.append(doc.meta.slug)
        return real_script(doc, *args)

    real_script = narration.build_script
    monkeypatch.setattr(narration, "build_script", counted)
    run_build(remote, reporter, executor="ray", ray_address=cluster.address)
    assert sorted(scripts) == ["article-0", "article-1", "article-2"]
    out_local, out_remote = files_of(local / "output"), files_of(remote / "output")
    assert any(name.endswith(".mp3") for name in out_local) and any(name.endswith(".m4b") for name in out_local)
    assert out_local.keys() == out_remote.keys()
    assert [n for n in out_local if out_local[n] != out_remote[n]] == []
    # the nodes mastered and encoded every chapter: this machine got every cache entry a local
    # build makes, byte for byte, but the mastered WAVs (the editions stitch the encodings)
    cache_local = files_of(local / ".narrate" / "cache" / "audio")
    cache_remote = files_of(remote / ".narrate" / "cache" / "audio")
    mastered = {n for n in cache_local if n.startswith("chapters/") and n.endswith(".wav")}
    assert len(cache_local) > 50 and mastered and not any(n.endswith(".wav") for n in cache_remote)
    assert cache_remote == {n: data for n, data in cache_local.items() if n not in mastered}
    assert reporter.warnings == []
    # ... and a local build of the same project finds every chapter made: it stitches only
    run_build(remote, jobs=1, output=remote / "again")
    audio = [n for n in out_remote if n.endswith((".mp3", ".m4b"))]
    assert [files_of(remote / "again")[n] == out_remote[n] for n in audio] == [True] * len(audio)
    assert files_of(remote / ".narrate" / "cache" / "audio") == cache_remote


@pytest.mark.slow
def test_losing_a_worker_node_mid_build_loses_nothing(cluster, reference, batch):
    # the batch of the byte-identity test above (3 articles of 24 sentences, 6 chapters for 3 nodes):
    # the kill, at the first chapter back, still finds the other chapters on the nodes
    local, remote = reference, batch("remote")
    extra = cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    cluster.wait_for_nodes()
    killed = []

    def kill_at_first_chapter(done: int, total: int) -> None:
        if done and total > 1 and not killed:  # the chapters' pass (the voice's level is one task)
            cluster.remove_node(extra, allow_graceful=False)  # with a chapter or two still on it
            killed.append(done)

    reporter = Collect(kill_at_first_chapter)
    try:
        run_build(remote, reporter, executor="ray", ray_address=cluster.address)
    finally:  # the cluster is shared with the tests after this one: it is left as it was found
        if not killed:
            cluster.remove_node(extra, allow_graceful=False)
    assert killed and killed[0] < 6
    assert reporter.warnings == []  # Ray ran the lost chapters again elsewhere: none was made here
    assert files_of(local / "output") == files_of(remote / "output")
    cache_local = files_of(local / ".narrate" / "cache" / "audio")
    assert files_of(remote / ".narrate" / "cache" / "audio") == \
        {n: data for n, data in cache_local.items() if not (n.startswith("chapters/") and n.endswith(".wav"))}
