"""`narrate build --executor ray` on a real two-node Ray cluster on this machine, built again: an
edit after a cluster build goes to the cluster alone, and Ctrl-C cancels the cluster's work and
keeps the cache.

The cluster and helpers: conftest_ray.py (the cluster is shared with the other test_ray*.py files
a worker runs one after another).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import conftest_ray
import pytest
from conftest import interruptible
from conftest_ray import Collect, files_of, run_build

from narrate.audio import flac

# the fixtures of the Ray tests (conftest_ray.py)
no_network, cluster, batch = conftest_ray.no_network, conftest_ray.cluster, conftest_ray.batch


@pytest.mark.slow
def test_an_edited_sentence_is_remastered_on_the_cluster_alone(cluster, batch):
    """After an edit, only the edited chapter goes to the cluster, with the cached sentences it
    needs; the editions are a local build's of the edited sources."""
    local, remote = batch("local", titles=2, sentences=12), batch("remote", titles=2, sentences=12)
    run_build(remote, executor="ray", ray_address=cluster.address)
    for root in (local, remote):
        md = root / "content" / "article-1.md"
        md.write_text(md.read_text().replace("number 1 11.", "number 1 eleven, edited."))
    run_build(local, jobs=1)
    totals: list[int] = []
    reporter = Collect(lambda done, total: totals.append(total))
    run_build(remote, reporter, executor="ray", ray_address=cluster.address)
    # one chapter task (the voice's level is cached): the edited one; then, in the same pass, the
    # stitching of its publication's audio editions (the other's are reused)
    assert sorted(set(totals)) == [1, 2]
    assert files_of(local / "output") == files_of(remote / "output")
    # mastered on the node: this machine never held a mastered WAV
    assert not list((remote / ".narrate" / "cache" / "audio" / "chapters").rglob("*.wav"))


@pytest.mark.slow
def test_ctrl_c_cancels_cluster_work_and_keeps_the_cache(cluster, batch):
    import ray

    root = batch("p", titles=6, sentences=40)
    cache = root / ".narrate" / "cache" / "audio"
    proc = subprocess.Popen([sys.executable, "-m", "narrate", "build", str(root), "--executor", "ray",
                             "--ray-address", cluster.address, "--voice", "fake", "--formats", "mp3", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    deadline = time.monotonic() + 120
    while not any(cache.rglob("*.flac")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    wavs = list(cache.rglob("*.flac"))
    assert 0 < len(wavs) < 6 * 40
    for path in wavs:
        assert flac.info(path)[0] > 0
    assert not [p for p in cache.rglob("*") if p.name.endswith(".part")]
    assert not (root / "output" / "article-0").exists()
    ray.init(address=cluster.address, logging_level="ERROR", log_to_driver=False)
    try:  # its actors were killed: the cluster's CPUs are free again, and the cluster still runs
        deadline = time.monotonic() + 60
        while ray.available_resources().get("CPU", 0) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert ray.available_resources().get("CPU", 0) == ray.cluster_resources()["CPU"] == 2
    finally:
        ray.shutdown()
