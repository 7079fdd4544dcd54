"""``narrate build`` hands its build to a studio running for the project (issue 31): a real studio on
127.0.0.1 in this process, ``narrate build`` as a user runs it (a subprocess). The studio builds (it
says so, with this process's pid), the bytes are a local build's, its errors and exit codes are a
local build's; a stale discovery file or a wrong token leaves the build to the command line."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from studio_helpers import free_port, no_network, request, serve  # noqa: F401 - a fixture

from narrate.studio.handoff import ENV, discovery_file


def narrate_build(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "narrate", "build", str(root), "--voice", "fake", *args],
                          capture_output=True, text=True, timeout=300)


def artefacts(root: Path) -> dict[str, bytes]:
    output = root / "output"
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*"))
            if p.is_file() and p.suffix in (".mp3", ".epub", ".pdf")}


@pytest.fixture(scope="module")
def built_project(studio_built_1700000000) -> Path:
    """The studio project, built once per run (conftest; each test used to build its own, the same)."""
    return studio_built_1700000000


@pytest.fixture()
def project(built_project, tmp_path, monkeypatch):
    """A copy of the built project for each test to edit, serve and build again."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return shutil.copytree(built_project, tmp_path / built_project.name, symlinks=True)


def edit(root: Path) -> None:
    path = root / "content" / "harbour.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA gull cried over the water.\n", encoding="utf-8")


def test_build_is_handed_to_the_running_studio_and_makes_a_local_builds_bytes(project, tmp_path):
    twin = shutil.copytree(project, tmp_path / "twin")
    served, port = serve(project, watch=False)
    try:
        assert json.loads(discovery_file(project).read_text())["port"] == port
        assert discovery_file(project).stat().st_mode & 0o077 == 0  # the token: its owner's only
        for _ in range(2):  # the second in a studio that has built before (its voice and WeasyPrint loaded)
            edit(project)
            edit(twin)
            handed = narrate_build(project, "--formats", "mp3,epub,pdf")
            assert handed.returncode == 0, handed.stderr
            assert f"building in the studio at http://127.0.0.1:{port}/ (pid {os.getpid()})" in handed.stderr
            assert "harbour" in handed.stderr and "built" in handed.stderr  # the studio's progress, printed here
            local = narrate_build(twin, "--formats", "mp3,epub,pdf")
            assert local.returncode == 0, local.stderr
            assert "studio" not in local.stderr  # no studio for the twin: nothing said, as before the studio
            assert artefacts(project) == artefacts(twin) and len(artefacts(project)) >= 6
    finally:
        served.stop()
    assert not discovery_file(project).exists()  # withdrawn when the studio stops


def test_a_handed_build_fails_as_a_local_build_does(project, tmp_path):
    twin = shutil.copytree(project, tmp_path / "twin")
    for root in (project, twin):
        (root / "content" / "broken.md").write_text("---\ntitle: [unclosed\n---\n\nText.\n", encoding="utf-8")
    served, _ = serve(project, watch=False)
    try:
        handed = narrate_build(project)
    finally:
        served.stop()
    local = narrate_build(twin)
    assert "building in the studio" in handed.stderr
    assert handed.returncode == local.returncode == 8
    errors = [[line for line in proc.stderr.splitlines() if line.startswith("error:")] for proc in (handed, local)]
    assert errors[0] and errors[0] == errors[1]


def test_a_stale_discovery_file_is_ignored(project):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = discovery_file(project)
    path.write_text(json.dumps({"pid": dead.pid, "port": free_port(), "token": "x"}), encoding="utf-8")
    proc = narrate_build(project)
    assert proc.returncode == 0, proc.stderr
    assert "building here: the studio that wrote" in proc.stderr and "no longer running" in proc.stderr
    path.write_text(json.dumps({"pid": os.getpid(), "port": free_port(), "token": "x"}), encoding="utf-8")
    proc = narrate_build(project)  # a live pid, but nothing on its port
    assert proc.returncode == 0, proc.stderr
    assert "does not answer" in proc.stderr


def test_a_wrong_token_is_refused(project):
    served, port = serve(project, watch=False)
    try:
        path = discovery_file(project)
        data = json.loads(path.read_text())
        body = {"output": str(project / "output"), "env": {name: os.environ.get(name) for name in ENV}}
        assert request(port, "POST", "/api/cli/build", body, {"X-Studio-CSRF": "wrong"})[0] == 403
        status, answer = request(port, "POST", "/api/cli/build", body, {"X-Studio-CSRF": data["token"]})
        assert status == 200 and json.loads(answer.splitlines()[-1])["event"] == "report"
        path.write_text(json.dumps({**data, "token": "wrong"}), encoding="utf-8")
        proc = narrate_build(project)
    finally:
        served.stop()
    assert proc.returncode == 0, proc.stderr
    assert "building here: the studio refused the build (403" in proc.stderr


def test_a_busy_studio_runs_the_handed_build_after_its_own(project):
    """The studio is building (a saved source's rebuild holds its lock): ``narrate build`` is still
    handed to it, says it waits, builds nothing meanwhile, and the studio runs it next."""
    served, _ = serve(project, watch=False)
    studio = served.server.config.app.app.state.studio  # Guard → Starlette
    manifest = project / "output" / "manifest.json"
    before = manifest.read_bytes()
    edit(project)
    assert studio.building.acquire(blocking=False)
    held, proc = True, None
    try:
        proc = subprocess.Popen([sys.executable, "-m", "narrate", "build", str(project), "--voice", "fake"],
                                stderr=subprocess.PIPE, text=True)
        seen = [proc.stderr.readline() for _ in range(2)]
        assert "building in the studio" in seen[0], seen
        assert "warning: the studio is building; this build runs when that one finishes" in seen[1], seen
        time.sleep(0.5)
        assert proc.poll() is None and manifest.read_bytes() == before  # nothing built alongside
        studio.building.release()
        held = False
        rest = proc.communicate(timeout=300)[1]
    finally:
        if held:
            studio.building.release()
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        served.stop()
    assert proc.returncode == 0, rest
    assert "harbour" in rest and "built" in rest and "building here" not in rest
    assert manifest.read_bytes() != before


def test_a_handed_build_left_while_it_waits_is_never_made(project):
    """The command line hangs up (Ctrl-C) while the studio is busy: its build is dropped, and the
    studio's lock is free again once the studio's own build ends."""
    served, port = serve(project, watch=False)
    studio = served.server.config.app.app.state.studio
    manifest = project / "output" / "manifest.json"
    before = manifest.read_bytes()
    edit(project)
    token = json.loads(discovery_file(project).read_text())["token"]
    body = {"output": str(project / "output"), "env": {name: os.environ.get(name) for name in ENV}}
    assert studio.building.acquire(blocking=False)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("POST", "/api/cli/build", body=json.dumps(body).encode(),
                           headers={"Content-Type": "application/json", "X-Studio-CSRF": token})
        response = connection.getresponse()
        assert response.status == 200
        assert json.loads(response.readline())["event"] == "warning"
        connection.close()
        time.sleep(1.0)  # the studio sees the hang-up
    finally:
        studio.building.release()
    try:
        time.sleep(1.0)  # the waiting thread's next look at the lock
        assert studio.building.acquire(timeout=5)
        studio.building.release()
    finally:
        served.stop()
    assert manifest.read_bytes() == before


def test_the_hand_off_client_starts_without_pydantic(project):
    """typer checks each value through pydantic (0.12 CPU-s, the client's costliest import): a
    handed build's command line is read without it; a spelling that plain reading leaves to typer
    (``--voice=fake``) is still handed over, through typer."""
    served, _ = serve(project, watch=False)
    try:
        quick = subprocess.run([sys.executable, "-X", "importtime", "-m", "narrate", "build", str(project),
                                "--voice", "fake", "-j", "1", "--only", "harbour", "--only", "tides"],
                               capture_output=True, text=True, timeout=300)
        typed = narrate_build(project, "--voice=fake", "--formats=mp3")
    finally:
        served.stop()
    assert quick.returncode == 0, quick.stderr
    assert "building in the studio" in quick.stderr and "harbour" in quick.stderr and "tides" in quick.stderr
    imported = [line.split("|")[-1].strip() for line in quick.stderr.splitlines() if line.startswith("import time:")]
    assert "narrate.studio.handoff" in imported and not [name for name in imported if name.startswith("pydantic")]
    assert typed.returncode == 0 and "building in the studio" in typed.stderr, typed.stderr


def test_clean_all_keeps_the_running_studios_address(project):
    from narrate.engine.clean import clean

    served, port = serve(project, watch=False)
    try:
        clean(project, everything=True)
        assert json.loads(discovery_file(project).read_text())["port"] == port
        handed = narrate_build(project, "--formats", "mp3")
        assert handed.returncode == 0, handed.stderr
        assert "building in the studio" in handed.stderr
    finally:
        served.stop()


def test_a_started_studio_has_announced_itself(tmp_path, monkeypatch):
    """``start_in_thread`` returns once the discovery file is written, not merely once uvicorn
    listens: a build run right after must find the studio (uvicorn sets ``started`` before the
    studio announces itself; a slow announce made the file appear late)."""
    from narrate.studio import handoff

    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / "narrate.toml").write_text('[defaults]\nformats = ["mp3"]\nvoice = "fake"\n', encoding="utf-8")
    slow = handoff.announce

    def announce(*args, **kwargs):
        time.sleep(0.5)
        slow(*args, **kwargs)

    monkeypatch.setattr(handoff, "announce", announce)
    served, port = serve(root, watch=False)
    try:
        data = json.loads(discovery_file(root).read_text(encoding="utf-8"))
        assert data["port"] == port
    finally:
        served.stop()
