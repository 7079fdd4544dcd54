"""Issue 28: ``narrate check --profile acx`` says, file by file, what ACX would refuse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_built

from narrate.check.run import check_project
from narrate.errors import ConfigError


@pytest.fixture(scope="module")
def default_build(tides_audio, tmp_path_factory) -> Path:
    """A build mastered to the default target (64 kbps MP3, an M4B): not what ACX takes (a copy of
    conftest's ``tides_audio``: test_check's ``make_built`` of the same article, voice and formats)."""
    return copy_built(tides_audio, tmp_path_factory.mktemp("store"))


def acx_findings(report, suffix: str) -> list[str]:
    return [f.message for f in report.findings if f.check == "acx" and f.level == "error"
            and f.path.endswith(suffix)]


def test_the_acx_profile_says_what_acx_would_refuse_file_by_file(default_build):
    plain = check_project(default_build)
    assert plain.ok and not [f for f in plain.findings if f.check == "acx"]
    report = check_project(default_build, profile="acx")
    assert not report.ok
    mp3 = acx_findings(report, ".mp3")
    assert any("bit rate 64 kbps, expected 192 kbps" in m for m in mp3), mp3
    assert any("RMS" in m for m in mp3), mp3  # mastered to -19 LUFS, not ACX's -23...-18 dB RMS
    m4b = acx_findings(report, ".m4b")
    assert any("only MP3 files" in m for m in m4b), m4b


def test_an_acx_build_passes_the_acx_profile(tides_acx_mp3, tmp_path):
    root = copy_built(tides_acx_mp3, tmp_path)
    report = check_project(root, profile="acx")
    assert report.ok, [f for f in report.findings if f.level == "error"]


def test_an_unknown_profile_is_refused(default_build):
    with pytest.raises(ConfigError, match="acx"):
        check_project(default_build, profile="audible")


def test_the_command_line_takes_the_profile(default_build):
    done = subprocess.run([sys.executable, "-m", "narrate", "check", str(default_build), "--profile", "acx",
                           "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    findings = json.loads(done.stdout)["findings"]
    by_file = {(Path(f["path"]).suffix, f["message"]) for f in findings if f["check"] == "acx"}
    assert any(s == ".mp3" and "192 kbps" in m for s, m in by_file), by_file
    assert any(s == ".m4b" and "only MP3 files" in m for s, m in by_file), by_file
