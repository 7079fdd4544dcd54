"""The download page in real headless Chromium: axe-core finds no violations, and a
keyboard-only walk (Tab, via the DevTools protocol) reaches every link and the player.

Chromium is driven over ``--remote-debugging-pipe`` (JSON messages separated by NUL on
file descriptors 3 and 4), so no WebSocket library, port or HTTP server is needed.
Needs Debian's ``chromium`` and axe-core's ``axe.min.js``: ``$NARRATE_AXE_JS``, else
``.venv/axe/node_modules/axe-core/axe.min.js`` (see scripts/setup.sh); skipped otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from publish_helpers import KEY, SUBSCRIBERS, copy_project

from narrate.publish import package
from narrate.publish.subscribers import make_token

REPO = Path(__file__).parent.parent
AXE = Path(os.environ.get("NARRATE_AXE_JS") or REPO / ".venv/axe/node_modules/axe-core/axe.min.js")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(browser: Browser, page: Path) -> list[dict]:
    """axe-core's violations (WCAG 2.2 A/AA and best practice) on ``page`` in headless Chromium."""
    browser.open(page.as_uri())
    browser.eval(AXE.read_text(encoding="utf-8"))
    return browser.eval(
        f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(AXE_TAGS)}}}}})"
        ".then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.html)})))",
        wait=True)


class Browser:
    """A minimal DevTools-protocol client over Chromium's debugging pipe."""

    def __init__(self, profile: Path) -> None:
        to_child_r, self._write = os.pipe()
        self._read, from_child_w = os.pipe()

        def wire() -> None:  # runs in the child: the pipe ends become fds 3 and 4
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=wire)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self.session = ""

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (OSError, RuntimeError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._write)
        os.close(self._read)

    def call(self, method: str, **params):
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _receive(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the debugging pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def open(self, url: str) -> None:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.navigate", url=url)
        for _ in range(200):
            if self.eval("document.readyState") == "complete":
                return
        raise RuntimeError(f"{url} did not load")

    def eval(self, expression: str, *, wait: bool = False):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=wait, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def tab(self) -> str:
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key="Tab", code="Tab", windowsVirtualKeyCode=9,
                      nativeVirtualKeyCode=9)
        return self.eval("(e => e.tagName === 'A' ? 'a:' + e.getAttribute('href') : e.tagName.toLowerCase() + "
                         "(e.id ? '#' + e.id : ''))(document.activeElement)")


@pytest.fixture(scope="module")
def site(tmp_path_factory, request):
    # Outside CI a missing browser skips; in CI (CI=true, as .ci/run is run) it fails, so a
    # broken setup cannot pass as a green run.
    missing = pytest.fail if os.environ.get("CI") else pytest.skip
    if CHROMIUM is None:
        missing("Chromium is needed (apt-get install chromium)")
    if not AXE.is_file():
        missing(f"axe-core is needed at {AXE} (npm install --prefix .venv/axe axe-core@4) "
                "or set NARRATE_AXE_JS")
    base = tmp_path_factory.mktemp("page")
    root = copy_project(request.getfixturevalue("published_article"), base / "site")  # after the tools' checks
    report = package(root, base_url="https://cdn.example.com/editions/", subscribers=SUBSCRIBERS, key=KEY)
    return report.dist


@pytest.fixture(scope="module")
def browser(site, tmp_path_factory):
    client = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield client
    client.close()


def pages(site: Path) -> list[Path]:
    return [site / "index.html", site / "subscribers" / make_token(KEY, "ann.lee@example.org") / "index.html"]


@pytest.mark.parametrize("which", [0, 1], ids=["public", "subscriber"])
def test_axe_finds_no_violations(site, browser, which):
    violations = axe_violations(browser, pages(site)[which])
    assert violations == [], json.dumps(violations, indent=2)
    assert browser.eval("document.documentElement.lang") == "en"


@pytest.mark.parametrize("language", ["de", "fr"])
def test_axe_finds_no_violations_on_a_translated_page(site, browser, tmp_path, language):
    """The page in another language than its publication's (issue 17): a German publication on a
    French page keeps its own lang attributes, and the page's words are the page's."""
    import datetime as dt

    from narrate.publish.catalog import Artifact, Publication
    from narrate.publish.page import render_page

    artifacts = {f: Artifact(f, site / f"x.{f}", f"x.{f}", 2_000_000, "0" * 64, 482.0 if f == "mp3" else None)
                 for f in ("epub", "pdf", "mp3", "transcript", "transcript-html")}
    pub = Publication("markt", "Der Markt", "de", "article", "content/markt.md", artifacts,
                      authors=("Anna Weber", "Ben Roth"), date=dt.date(2025, 3, 3), chapters=[(0.0, "Anfang")])
    page = tmp_path / "index.html"
    page.write_text(render_page([pub], title="Hafenpresse", language=language, href=lambda p, f: f"x.{f}",
                                sizes={}, css=(site / "page.css").as_uri(), sums="SHA256SUMS",
                                feed_url="feed.xml", prepared_for="Ana", personal={"epub"}), encoding="utf-8")
    violations = axe_violations(browser, page)
    assert violations == [], json.dumps(violations, indent=2)
    assert browser.eval("document.documentElement.lang") == language


@pytest.mark.parametrize("which", [0, 1], ids=["public", "subscriber"])
def test_keyboard_reaches_every_link_and_the_player(site, browser, which):
    browser.open(pages(site)[which].as_uri())
    expected = set(browser.eval("[...document.querySelectorAll('a[href]')].map(a => 'a:' + a.getAttribute('href'))"))
    players = set(browser.eval("[...document.querySelectorAll('audio')].map(a => 'audio#' + a.id)"))
    reached: list[str] = []
    for _ in range(3 * (len(expected) + len(players)) + 10):
        reached.append(browser.tab())
        if expected | players <= set(reached):
            break
    assert reached[0] == "a:#main"  # the skip link comes first
    assert expected - set(reached) == set() and players - set(reached) == set()


def test_chapter_links_work_with_and_without_script(site, browser):
    browser.open(pages(site)[0].as_uri())
    hrefs = browser.eval("[...document.querySelectorAll('a[data-seek]')].map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith("tides/tides.mp3#t=") for h in hrefs)
    assert browser.eval("document.querySelector('audio track[kind=captions]').getAttribute('src')") == "tides/tides.vtt"
    transcript = "[...document.querySelectorAll('a')].find(a => a.textContent === 'Read the transcript')"
    assert browser.eval(f"{transcript}.getAttribute('href')") == "tides/tides.transcript.html"
    last = browser.eval("(() => { const a = [...document.querySelectorAll('a[data-seek]')].pop(); a.click();"
                        " return Number(a.dataset.seek); })()")
    assert abs(browser.eval("document.querySelector('audio').currentTime") - last) < 1
    assert browser.eval("location.hash") == ""  # the script handled the click; the page did not navigate
