"""A Ray narrate starts listens on loopback only; a Ray head lost mid-build is said, not a crash.

Each test starts its own Ray processes (bound to 127.0.0.1) and stops only those.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import missing_tool
from test_ray import article, no_network  # noqa: F401  (the fixture: only loopback is reachable)

from narrate.audio import flac
from narrate.errors import ClusterError

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def descendants(pid: int) -> list[int]:
    """``pid`` and every process under it (from /proc/<pid>/stat's parent ids)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += [child for child, parent in parents.items() if parent == current]
    return found


def _address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))  # four little-endian words
    return str(ipaddress.IPv6Address(words))


def listening(pids: list[int]) -> list[tuple[int, str, str, int]]:
    """(pid, process name, address, port) of every listening TCP socket the processes hold."""
    sockets: dict[str, tuple[str, int]] = {}
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                host, port = fields[1].split(":")
                sockets[fields[9]] = (_address(host), int(port, 16))
    found = []
    for pid in pids:
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue  # gone meanwhile
        for link in links:
            inode = link[len("socket:["):-1] if link.startswith("socket:[") else ""
            if inode in sockets:
                found.append((pid, name, *sockets[inode]))
    return found


def loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1, a dual-stack socket on IPv4 loopback
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def lose_node(node) -> None:
    """The machine of a Ray node this test started goes away: its Ray processes and every worker
    under them (the voice actors) are killed at once."""
    pids = [pid for infos in node.all_processes.values() for info in infos for pid in descendants(info.process.pid)]
    node.kill_all_processes(check_alive=False, allow_graceful=False)
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


LOCAL_RAY = """
import sys
from narrate.audio.ray import ray_session
with ray_session("") as ray:
    ray.get([ray.remote(lambda: 1).remote() for _ in range(2)])  # workers up, with their servers
    print("ready", flush=True)
    sys.stdin.readline()
"""


@pytest.mark.slow
def test_a_local_ray_started_by_narrate_listens_on_loopback_only(tmp_path):
    pytest.importorskip("ray")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}  # narrate sets what it needs
    env["HOME"] = str(home)
    proc = subprocess.Popen([sys.executable, "-c", LOCAL_RAY], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "ready", proc.communicate(timeout=60)
        sockets = listening(descendants(proc.pid))
    finally:
        proc.communicate("\n", timeout=120)  # narrate stops the Ray it started
    assert proc.returncode == 0
    names = {name for _, name, _, _ in sockets}
    assert {"gcs_server", "raylet"} <= names, sockets
    assert [s for s in sockets if not loopback(s[2])] == []
    # Ray's default token file (~/.ray/auth_token) is written readable by every user: narrate's Ray
    # gets its token through the environment instead, and leaves nothing others can read.
    assert [p for p in home.rglob("*") if p.is_file() and p.stat().st_mode & 0o077] == []


@pytest.mark.slow
def test_losing_the_ray_head_mid_build_is_a_clear_error_and_keeps_the_cache(make_project, tmp_path, monkeypatch):
    try:
        from ray.cluster_utils import Cluster
    except ImportError:
        missing_tool('Ray is needed: pip install "narrate[ray]" (scripts/setup.sh installs it)')
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    files = {f"content/article-{n}.md": article(n, 40) for n in range(6)}
    from conftest import FAKE_VOICE

    root = make_project({**files, "voices/fake.toml": FAKE_VOICE}, root=tmp_path / "p")
    node = {"num_cpus": 1, "node_ip_address": "127.0.0.1"}
    cluster = Cluster(initialize_head=True, connect=False, head_node_args={**node, "include_dashboard": False})
    try:
        cluster.add_node(**node)
        cluster.wait_for_nodes()
        cache = root / ".narrate" / "cache" / "audio"
        proc = subprocess.Popen([sys.executable, "-m", "narrate", "build", str(root), "--executor", "ray",
                                 "--ray-address", cluster.address, "--voice", "fake", "--formats", "mp3", "-q"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not any(cache.rglob("*.flac")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        lose_node(cluster.head_node)
        lost = time.monotonic()
        _, err = proc.communicate(timeout=120)
        ended = time.monotonic()  # narrate's own time, not the cluster's shutdown below
    finally:
        cluster.shutdown()
    assert ended - lost < 45, err  # before Ray's own core ends the driver (60 s), silently
    assert proc.returncode == ClusterError.exit_code == 9, err
    assert "the Ray cluster's head at" in err and "stopped answering during the build" in err, err
    assert "Traceback" not in err
    wavs = list(cache.rglob("*.flac"))
    assert 0 < len(wavs) < 6 * 40
    for path in wavs:
        assert flac.info(path)[0] > 0
    assert not (root / "output" / "article-0").exists()
