"""The proof page in real headless Chromium: axe-core finds no violations, the keyboard reaches
every link, summary and player, and the clips play (as tests/test_publish_page.py does for the
download page, with the same DevTools-pipe client).
"""

from __future__ import annotations

import json
import os

import pytest
from test_proof import make
from test_publish_page import AXE, CHROMIUM, Browser, axe_violations

from narrate.proof import proof_project


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    missing = pytest.fail if os.environ.get("CI") else pytest.skip
    if CHROMIUM is None:
        missing("Chromium is needed (apt-get install chromium)")
    if not AXE.is_file():
        missing(f"axe-core is needed at {AXE} (npm install --prefix .venv/axe axe-core@4) or set NARRATE_AXE_JS")
    root = make(tmp_path_factory.mktemp("proof-page"))
    report = proof_project(root, voice="fake")
    return [report.output / report.publications[0].page, report.index]


@pytest.fixture(scope="module")
def browser(pages, tmp_path_factory):
    client = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield client
    client.close()


@pytest.mark.parametrize("which", [0, 1], ids=["publication", "index"])
def test_axe_finds_no_violations(pages, browser, which):
    violations = axe_violations(browser, pages[which])
    assert violations == [], json.dumps(violations, indent=2)
    assert browser.eval("document.documentElement.lang") == "en"
    assert browser.eval("document.querySelectorAll('script').length") == 0


def test_keyboard_reaches_every_link_summary_and_player(pages, browser):
    browser.open(pages[0].as_uri())
    links = set(browser.eval("[...document.querySelectorAll('a[href]')].map(a => 'a:' + a.getAttribute('href'))"))
    players = browser.eval("document.querySelectorAll('audio').length")
    summaries = browser.eval("document.querySelectorAll('summary').length")
    browser.eval("document.addEventListener('focusin', e => { e.target.dataset.reached = 'yes'; })")
    reached: list[str] = []
    for _ in range(4 * (len(links) + players + summaries) + 10):
        reached.append(browser.tab())
        if reached[-1] == "body" and len(reached) > 1:
            break
    assert reached[0] == "a:#main"  # the skip link comes first
    assert links - set(reached) == set()
    assert browser.eval("document.querySelectorAll('audio[data-reached]').length") == players > 20
    assert browser.eval("document.querySelectorAll('summary[data-reached]').length") == summaries > 5


def test_every_clip_on_the_page_plays(pages, browser):
    browser.open(pages[0].as_uri())
    durations = browser.eval(
        "Promise.all([...document.querySelectorAll('audio')].map(a => new Promise(done => {"
        " a.addEventListener('loadedmetadata', () => done(a.duration)); a.addEventListener('error', () => done(-1));"
        " a.preload = 'metadata'; a.load(); })))", wait=True)
    assert durations and min(durations) > 0.3, durations
