"""The comparison ``benchmarks/normalize.py --suite`` makes with other projects' test files."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

_SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "normalize.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("normalize_benchmark", _SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _total(output: str) -> str:
    return next(line for line in output.splitlines() if "all categories" in line).split()[2]


def test_copied_capitals_count_as_words_in_wetext_files(bench, tmp_path, capsys):
    # WeTextProcessing copies a word it does not read ("GO", "HAUL") through in capitals: heard as the word
    (tmp_path / "telephone.txt").write_text("1-800-GO-U-HAUL => one, eight hundred, GO U HAUL\n", encoding="utf-8")
    bench.suite(tmp_path, show=False)
    assert _total(capsys.readouterr().out) == "1/"


def test_capitals_are_letters_in_nemo_files(bench, tmp_path, capsys):
    # NeMo writes capitals only for letters it means spelled: "GO" there is "G O", which narrate does not say
    (tmp_path / "test_cases_telephone.txt").write_text("1-800-GO-U-HAUL~one, eight hundred, GO U HAUL\n"
                                                     "10 p.m. EST~ten PM EST\n", encoding="utf-8")
    bench.suite(tmp_path, show=False)
    assert _total(capsys.readouterr().out) == "1/"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_a_sign_the_voice_says_counts_as_heard(bench, tmp_path, capsys):
    # the expected reading keeps "/", which the voice says "slash": heard the same as narrate's words
    (tmp_path / "test_cases_serial.txt").write_text("31/31/100~thirty one/thirty one/one hundred\n", encoding="utf-8")
    bench.suite(tmp_path, show=False, by_ear=True)
    line = next(line for line in capsys.readouterr().out.splitlines() if "all categories" in line)
    assert line.split()[2] == "0/" and line.split()[7] == "1/"
