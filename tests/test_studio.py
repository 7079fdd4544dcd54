"""The studio in real headless Chromium (the DevTools-pipe client of tests/test_publish_page.py),
against ``narrate serve`` on 127.0.0.1 and a free port: the library, a click that plays a
sentence, a saved source that updates the open page, a pronunciation fix that writes the lexicon
and changes the sentence's audio, and axe-core with no violations on every view (issue 31)."""

from __future__ import annotations

import io
import json
import os
import threading
import time
import wave

import pytest
from conftest import copy_built
from studio_helpers import no_network, request, serve  # noqa: F401 - no_network: a fixture
from test_publish_page import AXE, AXE_TAGS, CHROMIUM, Browser

from narrate.audio import flac
from narrate.speech.fake import FakeEngine


@pytest.fixture(scope="module")
def studio(tmp_path_factory, studio_built):
    missing = pytest.fail if os.environ.get("CI") else pytest.skip
    if CHROMIUM is None:
        missing("Chromium is needed (apt-get install chromium)")
    if not AXE.is_file():
        missing(f"axe-core is needed at {AXE} (npm install --prefix .venv/axe axe-core@4) or set NARRATE_AXE_JS")
    root = copy_built(studio_built, tmp_path_factory.mktemp("studio"))
    served, port = serve(root)
    yield root, port
    served.stop()


@pytest.fixture(scope="module")
def browser(studio, tmp_path_factory):
    client = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield client
    client.close()


def visit(browser: Browser, url: str) -> None:
    """Open ``url`` in a fresh tab, the others closed (a page left playing keeps no focus or sound)."""
    for target in browser.call("Target.getTargets")["targetInfos"]:
        if target["type"] == "page":
            browser.call("Target.closeTarget", targetId=target["targetId"])
    browser.session = ""
    try:
        browser.open(url)
    except RuntimeError:  # open() polls without pausing; give a busy machine longer
        until(browser, "document.readyState === 'complete' && location.href !== 'about:blank'", 30)


def until(browser: Browser, expression: str, seconds: float = 30.0):
    """Poll ``expression`` in the page until it is truthy; its value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = browser.eval(expression)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"still false after {seconds} s: {expression}")


def click(browser: Browser, selector: str) -> None:
    """A real mouse click (a user gesture: the page may start playback)."""
    box = browser.eval(f"(e => {{ e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect();"
                       f" return [r.x + Math.min(r.width / 2, 20), r.y + r.height / 2]; }})"
                       f"(document.querySelector({json.dumps(selector)}))")
    for kind in ("mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)


VIEWS = {"library": ("/", "!!document.querySelector('li.pub')"),
         "listen": ("/pub/tides", "!!document.querySelector('button.sentence')"),
         "words": ("/pub/tides/words", "!!document.querySelector('form.fix')")}


@pytest.mark.parametrize("view", list(VIEWS))
def test_axe_finds_no_violations(studio, browser, view):
    path, ready = VIEWS[view]
    visit(browser, f"http://127.0.0.1:{studio[1]}{path}")
    until(browser, ready)
    browser.eval(AXE.read_text(encoding="utf-8"))
    violations = browser.eval(
        f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(AXE_TAGS)}}}}})"
        ".then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.html)})))",
        wait=True)
    assert violations == [], json.dumps(violations, indent=2)
    assert browser.eval("document.querySelectorAll('[role=status][aria-live=polite]').length") == 1


def test_the_library_lists_every_publication(studio, browser):
    visit(browser, f"http://127.0.0.1:{studio[1]}/")
    rows = browser.eval("[...document.querySelectorAll('li.pub')].map(li => [li.dataset.slug, li.dataset.status])")
    assert sorted(rows) == [["harbour", "built"], ["tides", "built"]]
    links = browser.eval("[...document.querySelectorAll('li.pub[data-slug=tides] .editions a')].map(a => a.href)")
    assert any(link.endswith("/files/tides/tides.mp3") for link in links)
    status, body = request(studio[1], "GET", "/files/tides/tides.mp3")
    assert status == 200 and body[:3] == b"ID3"


def test_a_click_on_a_sentence_plays_it(studio, browser):
    visit(browser, f"http://127.0.0.1:{studio[1]}/pub/tides")
    until(browser, "document.querySelectorAll('button.sentence').length > 1")
    click(browser, "button.sentence:nth-of-type(2)")
    target = browser.eval("document.querySelector('button.sentence:nth-of-type(2)').dataset.clip")
    assert target
    until(browser, "(p => !p.paused && p.currentTime > 0.2)(document.getElementById('player'))", 15)
    assert browser.eval("document.getElementById('player').src").endswith(target)
    assert browser.eval("document.querySelector('button.sentence[aria-current=true]').dataset.clip") == target


def test_chapters_navigate_the_text_and_the_player(studio, browser):
    visit(browser, f"http://127.0.0.1:{studio[1]}/pub/tides")
    until(browser, "!!document.querySelector('button.sentence')")
    click(browser, "nav.toc a[data-chapter=c3]")
    until(browser, "!!document.querySelector('#c3 button.sentence')")
    assert browser.eval("document.activeElement.id") == "h-c3"
    click(browser, "#play-all")
    until(browser, "(p => !p.paused)(document.getElementById('player'))", 15)
    assert browser.eval("document.querySelector('[aria-current=true]').closest('section').id") == "c3"


def test_saving_a_source_updates_the_open_page(studio, browser):
    root, port = studio
    visit(browser, f"http://127.0.0.1:{port}/pub/tides")
    until(browser, "!!document.querySelector('button.sentence')")
    source = root / "content" / "tides.md"
    source.write_text(source.read_text(encoding="utf-8").replace("A short lead.", "A brand new lead."),
                      encoding="utf-8")
    clip = until(browser, "(b => b && b.dataset.clip)([...document.querySelectorAll('button.sentence')]"
                          ".find(b => b.textContent === 'A brand new lead.'))", 60)
    assert request(port, "GET", f"/files/{clip}")[0] == 200


def test_a_broken_source_shows_its_error_and_the_studio_goes_on(studio, browser):
    root, port = studio
    visit(browser, f"http://127.0.0.1:{port}/pub/harbour")
    until(browser, "!!document.querySelector('button.sentence')")
    source = root / "content" / "harbour.md"
    good = source.read_text(encoding="utf-8")
    source.write_text(good.replace("title: Harbour Notes\n", ""), encoding="utf-8")
    message = until(browser, "document.getElementById('alert').textContent", 60)
    assert message.startswith("content/harbour.md:") and "title" in message
    source.write_text(good.replace("The harbour was quiet.", "The harbour woke."), encoding="utf-8")
    until(browser, "[...document.querySelectorAll('button.sentence')].some(b => b.textContent === 'The harbour woke.')",
          60)
    assert browser.eval("document.getElementById('alert').textContent") == ""


def test_a_pronunciation_fix_writes_the_lexicon_and_changes_the_sentence(studio, browser):
    root, port = studio
    before = json.loads(request(port, "GET", "/api/pub/tides/chapter/c2")[1])
    old = next(s["clip"] for s in before["sentences"] if "Quillfeather" in s["text"])
    visit(browser, f"http://127.0.0.1:{port}/pub/tides/words")
    item = "li.word[data-word=Quillfeather]"
    until(browser, f"!!document.querySelector('{item}')")
    browser.eval(f"document.querySelector('{item} input[name=value]').value = 'kwill feather'")
    click(browser, f"{item} button[data-action=hear]")
    heard = until(browser, f"document.querySelector('{item} audio').getAttribute('src')")
    assert until(browser, f"document.querySelector('{item} .result').textContent.startsWith('Playing')")
    assert "kwill feather" in browser.eval(f"document.querySelector('{item} .result').textContent")
    assert heard != f"/files/{old}" and request(port, "GET", heard)[0] == 200
    lexicon = root / "voices" / "lexicon.toml"
    untouched = lexicon.read_text(encoding="utf-8")
    click(browser, f"{item} button[data-action=save]")
    until(browser, f"document.querySelector('{item} .result').textContent.startsWith('Saved')")
    text = lexicon.read_text(encoding="utf-8")
    assert text == untouched + '"Quillfeather" = "kwill feather"\n'  # comments, order and quoting kept
    after = json.loads(request(port, "GET", "/api/pub/tides/chapter/c2")[1])
    new = next(s["clip"] for s in after["sentences"] if "Quillfeather" in s["text"])
    with wave.open(io.BytesIO(request(port, "GET", heard)[1]), "rb") as preview:  # the sentence heard is the
        key, rate = new.rsplit("/", 1)[1].split(".")[0], preview.getframerate()  # one built (the fake voice
        built = flac.read(root / ".narrate" / "cache" / "audio" / key[:2] / f"{key}.flac", rate)  # repeats itself)
        assert preview.readframes(preview.getnframes()) == built
    assert request(port, "GET", f"/files/{new}")[1] != request(port, "GET", f"/files/{old}")[1]
    unchanged = [s["clip"] for s in after["sentences"] if "Quillfeather" not in s["text"]]
    assert unchanged == [s["clip"] for s in before["sentences"] if "Quillfeather" not in s["text"]]


def test_hear_it_plays_the_first_phrase_before_the_sentence_is_made(studio, browser, monkeypatch):
    """A voice that says phrases (as Piper does) is heard phrase by phrase: the page plays the first
    while the next is still being made, and gets the whole preview to replay when all has come."""
    root, port = studio
    rest = threading.Event()

    def phrases(self, text):
        yield b"\x10\x00" * FakeEngine.sample_rate  # a second of sound
        assert rest.wait(60), "the page never started playing"
        yield b"\x20\x00" * 100

    monkeypatch.setattr(FakeEngine, "phrases", phrases, raising=False)
    visit(browser, f"http://127.0.0.1:{port}/pub/tides/words")
    word = until(browser, "(li => li && li.dataset.word)"
                          "(document.querySelector('li.word:not([data-word=Quillfeather])'))")
    item = f"li.word[data-word={word}]"
    browser.eval(f"document.querySelector('{item} input[name=value]').value = 'zee fower'")
    click(browser, f"{item} button[data-action=hear]")
    try:
        assert until(browser, f"document.querySelector('{item}').dataset.firstSound")
        assert until(browser, "sounding.state === 'running' && sounding.currentTime > 0.2")  # playing meanwhile
        assert browser.eval(f"document.querySelector('{item}').dataset.heard") is None  # the rest not made yet
        assert "zee fower" in browser.eval(f"document.querySelector('{item} .result').textContent")
    finally:
        rest.set()
    clip = until(browser, f"document.querySelector('{item}').dataset.heard && "
                          f"document.querySelector('{item} audio').getAttribute('src')")
    with wave.open(io.BytesIO(request(port, "GET", clip)[1]), "rb") as preview:
        assert preview.readframes(preview.getnframes()) == b"\x10\x00" * FakeEngine.sample_rate + b"\x20\x00" * 100


def test_the_keyboard_reaches_the_player_and_plays_a_sentence(studio, browser):
    visit(browser, f"http://127.0.0.1:{studio[1]}/pub/tides")
    until(browser, "document.querySelectorAll('button.sentence').length > 1")
    reached = [browser.tab() for _ in range(12)]
    assert reached[0] == "a:#main"  # the skip link comes first
    assert "audio#player" in reached and "button#play-all" in reached
    assert browser.eval("getComputedStyle(document.activeElement).outlineStyle") != "none"  # focus is visible
    while not browser.eval("document.activeElement.classList.contains('sentence')"):
        browser.tab()
    target = browser.eval("document.activeElement.dataset.clip")
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13,
                     nativeVirtualKeyCode=13, **({"text": "\r"} if kind == "keyDown" else {}))
    until(browser, "(p => !p.paused && p.currentTime > 0.1)(document.getElementById('player'))", 15)
    assert browser.eval("document.getElementById('player').src").endswith(target)
