"""DAISY Ace, the field's EPUB accessibility checker, on what narrate builds: 0 violations of any impact.

Ace (``@daisy/ace-cli`` from the npm registry, installed by scripts/setup.sh into
``.venv/ace``) runs axe-core inside headless Chromium (Debian's, through puppeteer) on every
content document, and checks the package's accessibility metadata. Skipped without Ace or
Chromium, except in CI, where a missing tool fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import REPO, missing_tool, write_files

from narrate.engine.run import BuildOptions, build

ACE = Path(os.environ.get("NARRATE_ACE") or REPO / ".venv/ace/node_modules/.bin/ace-cli")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def ace_violations(epub: Path, workdir: Path) -> list[str]:
    """Every violation Ace reports for ``epub``, as 'document: impact rule (selector)'."""
    report_dir = workdir / f"ace-{epub.stem}"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    proc = subprocess.run([str(ACE), "--force", "--silent", "--outdir", str(report_dir), str(epub)],
                          capture_output=True, text=True, env=env, timeout=600)
    report_file = report_dir / "report.json"
    assert report_file.is_file(), f"Ace wrote no report for {epub.name}: {proc.stdout}{proc.stderr}"
    report = json.loads(report_file.read_text(encoding="utf-8"))
    found = []
    for document in report.get("assertions", []):
        url = document.get("earl:testSubject", {}).get("url", "?")
        for assertion in document.get("assertions", []):
            test = assertion.get("earl:test", {})
            pointer = assertion.get("earl:result", {}).get("earl:pointer", {}).get("css")
            found.append(f"{url}: {test.get('earl:impact')} {test.get('dct:title')} ({pointer})")
    return found


@pytest.fixture(scope="module")
def epubs(tmp_path_factory, english_samples) -> list[Path]:
    if not ACE.exists():
        missing_tool(f"DAISY Ace is needed at {ACE} (bash scripts/setup.sh installs it)")
    if not Path(CHROMIUM).exists():
        missing_tool("Chromium is needed for DAISY Ace (apt-get install chromium)")
    # the English samples' EPUBs and read-along EPUBs (the fake voice speaks en-US; the German
    # sample is checked in test_epub/test_languages), built once per run and shared with test_readalong
    found = sorted((english_samples / "output").rglob("*.epub"))
    assert {p.parent.name for p in found} == {"listening-hours", "the-tide-clock"}
    assert any(p.name.endswith(".readaloud.epub") for p in found)
    # and a generated book of thirty chapters with notes (its plain EPUB)
    root = tmp_path_factory.mktemp("ace") / "project"
    files = {"content/big/book.toml": 'title = "Thirty"\nauthors = ["Gen Erator"]\n'}
    for n in range(1, 31):
        files[f"content/big/{n:02d}.md"] = (f"---\ntitle: Chapter {n}\n---\n\n"
                                            + "\n\n".join(f"Paragraph {p} of chapter {n}, with a sentence[^{p}]."
                                                          for p in range(1, 3))
                                            + "\n\n" + "\n".join(f"[^{p}]: Note {p}." for p in range(1, 3)) + "\n")
    write_files(root, files)
    report = build(root, BuildOptions(formats=("epub",)))
    assert not report.failed, [str(r.error) for r in report.failed]
    found.append(root / "output" / "big" / "big.epub")
    assert found[-1].is_file()
    return found


@pytest.mark.slow
def test_ace_finds_no_violations(epubs, tmp_path):
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(epubs, pool.map(lambda e: ace_violations(e, tmp_path), epubs), strict=True))
    violations = {epub.name: found for epub, found in results.items() if found}
    assert violations == {}
