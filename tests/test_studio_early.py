"""``narrate build`` posts its build to a running studio before importing the command line's module
(``studio/early_handoff``, issue 31): the plain reading of its arguments is ``build_cmd``'s, the
studio starts building before the client has imported typer, and the client prints the build as
before."""

from __future__ import annotations

import sys
import textwrap
import time
import typing
from pathlib import Path

import pytest
import typer
from conftest import copy_built
from studio_helpers import no_network, serve  # noqa: F401 - no_network: a fixture (loopback allowed)

from narrate.cli import build_cmd
from narrate.studio import delegate, early_handoff
from narrate.studio.early_handoff import BUILD_OPTIONS, BUILD_PARAMETERS, read_build_args


def test_the_plain_reading_knows_build_cmds_options():
    """``BUILD_PARAMETERS`` and ``BUILD_OPTIONS`` are ``build_cmd``'s parameters (defaults, kinds)
    and spellings: an option added to ``narrate build`` must be added there too."""
    import inspect

    params = inspect.signature(build_cmd, eval_str=True).parameters
    assert list(params) == list(BUILD_PARAMETERS)
    flags = {}
    for name, p in params.items():
        kind, info = typing.get_args(p.annotation)[:2]
        default, known = BUILD_PARAMETERS[name]
        assert p.default == default, name
        inner = [k for k in typing.get_args(kind) if k is not type(None)] or [kind]
        assert (typing.get_origin(inner[0]) or inner[0]) in (known, list), name
        if isinstance(info, typer.models.OptionInfo):
            flags |= {decl: name for decl in (info.default, *info.param_decls)}
    assert flags == BUILD_OPTIONS


def test_the_plain_reading_declines_what_typer_might_read_otherwise():
    values = read_build_args(["build", "proj", "--voice", "joe", "-j", "2", "--only", "a", "--only", "b", "-q",
                              "--formats", "mp3,epub", "--output", "out"])
    assert values is not None
    assert (values["project"], values["voice"], values["jobs"], values["only"], values["quiet"], values["formats"],
            values["output"]) == (Path("proj"), "joe", 2, ["a", "b"], True, "mp3,epub", Path("out"))
    assert read_build_args(["build"])["project"] == Path(".")
    for argv in (["build", "--voice=joe"], ["build", "-j2"], ["build", "--help"], ["build", "a", "b"],
                 ["build", "--voice", "-q"], ["build", "-j", "two"], ["serve"], []):
        assert read_build_args(argv) is None, argv


@pytest.fixture()
def project(tmp_path, monkeypatch, studio_built_1700000000):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return copy_built(studio_built_1700000000, tmp_path)


def test_the_studio_builds_before_the_client_has_imported_typer(project, tmp_path, monkeypatch):
    """The client's typer import (and the rest of ``narrate.cli``) comes after the studio has started
    the build (CLOCK_MONOTONIC is the machine's, so the two processes' times compare); the client
    prints the build and exits as a handed build always did."""
    import subprocess

    started: list[float] = []
    real = delegate.run

    def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        started.append(time.monotonic())
        return real(*args, **kwargs)

    monkeypatch.setattr(delegate, "run", timed)
    seen = tmp_path / "typer-imported"
    client = textwrap.dedent(f"""
        import atexit, builtins, sys, time
        first = []
        real = builtins.__import__
        def spy(name, *args, **kwargs):
            if name == "typer" and not first:
                first.append(time.monotonic())
            return real(name, *args, **kwargs)
        builtins.__import__ = spy
        atexit.register(lambda: open({str(seen)!r}, "w").write(repr(first[0] if first else None)))
        sys.argv = ["narrate", "build", {str(project)!r}, "--voice", "fake", "--formats", "mp3"]
        from narrate.__main__ import main
        main()
    """)
    served, port = serve(project, watch=False)
    try:
        done = subprocess.run([sys.executable, "-c", client], capture_output=True, text=True, timeout=300)
    finally:
        served.stop()
    assert done.returncode == 0, done.stderr
    assert f"building in the studio at http://127.0.0.1:{port}/" in done.stderr and "harbour" in done.stderr
    assert (project / "output" / "harbour" / "harbour.mp3").is_file()
    imported = float(seen.read_text())
    assert len(started) == 1 and started[0] < imported


def test_an_early_answer_is_taken_only_for_the_same_build(project):
    served, _ = serve(project, watch=False)
    try:
        early_handoff.hand_early(["build", str(project), "--voice", "fake", "--formats", "epub"])
        root = project.resolve()
        other = early_handoff.body("mp3", [], "fake", 0, False, False, root / "output")
        assert early_handoff.taken(root, other) is None
        same = early_handoff.body("epub", [], "fake", 0, False, False, root / "output")
        handed = early_handoff.taken(root, same)
        assert handed is not None and handed.reason == "" and handed.events is not None
        events = list(handed.events)
        assert events[-1]["event"] == "report" and early_handoff.taken(root, same) is None
    finally:
        served.stop()
