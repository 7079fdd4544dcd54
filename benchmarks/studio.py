"""Figures for ``narrate serve`` (issue 31), printed as a table:

* edit-to-ear: a one-sentence edit of the sample article saved to disk, until the page's way to
  the new audio has it: the studio's "changed" event, the chapter's JSON (what the page fetches)
  and the new sentence's clip served. Piper voice ``joe``; the article's other sentences were
  synthesized beforehand (as after a build). Goal ≤ 3 s.
* pronunciation preview: "hear it" with a new respelling for a flagged word of the article, as the
  page asks for it (the streaming endpoint): until its first sound arrives (goal ≤ 1.5 s), until
  all of the sentence has, and the CPU-seconds the studio's process spent on it.
* a 10-hour book's first load: the listen page's HTML and its first chapter's JSON (60 generated
  chapters of 1,500 words, the fake voice, sentence cache warm). Goal ≤ 1 s.

Usage: ``PYTHONPATH=src .venv/bin/python benchmarks/studio.py [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from narrate.studio.server import make_server, start_in_thread  # noqa: E402
from narrate.studio.session import Studio  # noqa: E402

ARTICLE = "content/articles/listening-hours.md"
SLUG = "listening-hours"
SENTENCE = "Nobody was asleep."
EDITS = ["Nobody there was asleep.", "Nobody here was asleep at all.", "Not one of them was asleep."]


def get(port: int, path: str, method: str = "GET", body: dict | None = None, csrf: str = "") -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    headers = {"Content-Type": "application/json", "X-Studio-CSRF": csrf}
    connection.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    if response.status >= 400:
        raise RuntimeError(f"{path}: {response.status} {data[:200]!r}")
    return data


def events(port: int, into: queue.Queue) -> None:
    """The page's event stream, each event put on ``into``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", "/events")
    response = connection.getresponse()
    for raw in response:
        line = raw.decode().strip()
        if line.startswith("data: "):
            into.put(json.loads(line[6:]))


def wait_for(into: queue.Queue, test, seconds: float = 600) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        event = into.get(timeout=max(0.1, deadline - time.monotonic()))
        if test(event):
            return event


def project(base: Path) -> Path:
    root = base / "project"
    (root / "content" / "articles").mkdir(parents=True)
    shutil.copy(REPO / ARTICLE, root / ARTICLE)
    shutil.copytree(REPO / "content" / "images", root / "content" / "images")
    shutil.copytree(REPO / "voices", root / "voices")
    shutil.copy(REPO / "narrate.toml", root / "narrate.toml")
    return root


def edit_to_ear(root: Path, repeats: int) -> tuple[list[float], list[float]]:
    studio = Studio(root)
    doc = studio.document(SLUG)
    started = time.monotonic()
    for chapter in doc.chapters:  # the article's sentences, as a build would have left them
        studio.chapter(SLUG, chapter.id)
    print(f"(warm-up: the article's sentences synthesized in {time.monotonic() - started:.1f} s)", file=sys.stderr)
    served = start_in_thread(make_server(root, port=free_port()))
    port = served.server.config.port
    into: queue.Queue = queue.Queue()
    threading.Thread(target=events, args=(port, into), daemon=True).start()
    time.sleep(0.5)
    page = get(port, f"/pub/{SLUG}").decode()
    csrf = page.split('name="studio-csrf" content="')[1].split('"')[0]
    lead = doc.chapters[0].id
    source = root / ARTICLE
    ear: list[float] = []
    for new in EDITS[:repeats]:
        text = source.read_text(encoding="utf-8")
        old = next(e for e in [SENTENCE, *EDITS] if e in text)
        t0 = time.monotonic()
        source.write_text(text.replace(old, new), encoding="utf-8")
        wait_for(into, lambda e: e.get("type") == "changed" and e.get("slug") == SLUG)
        chapter = json.loads(get(port, f"/api/pub/{SLUG}/chapter/{lead}"))
        clip = next(s["clip"] for s in chapter["sentences"] if s["text"] == new)
        get(port, f"/files/{clip}")
        ear.append(time.monotonic() - t0)
        wait_for(into, lambda e: e.get("type") == "build" and e.get("state") in ("finished", "failed"))
    print(f"(load average at the preview's start: {os.getloadavg()[0]:.2f})", file=sys.stderr)
    preview = pronunciation_preview(studio, port, csrf, repeats)
    served.stop()
    return ear, preview


def pronunciation_preview(studio: Studio, port: int, csrf: str, repeats: int) -> tuple[list[float], ...]:
    """Each "hear it" as the page makes it (the streaming endpoint): until its first sound arrives,
    until all of it has, the CPU-seconds this process (the studio's threads) spent, and the longest
    silence a page playing from the first sound would have had (a part arriving after the audio
    before it had all been played)."""
    _, flagged, where = studio.words(SLUG)
    flag = next(f for f in flagged if f.reason == "unknown")
    segment = flag.segments[0]
    print(f"(preview: {flag.word!r} in {where[segment][1]!r})", file=sys.stderr)
    first, whole, cpu, gaps = [], [], [], []
    for run in range(repeats):
        respelling = f"{flag.word[:3]}-{random.choice('aeiou')}{run}-ner"
        body = {"chapter": where[segment][0], "segment": segment, "word": flag.word, "kind": "respelling",
                "value": respelling}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        c0, t0 = time.process_time(), time.monotonic()
        connection.request("POST", f"/api/pub/{SLUG}/hear/stream", body=json.dumps(body).encode(),
                           headers={"Content-Type": "application/json", "X-Studio-CSRF": csrf})
        response = connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f"hear: {response.status}")
        rate = json.loads(unquote(response.getheader("X-Studio-Heard")))["rate"]
        got, late = 0, 0.0
        while part := response.read1(1 << 16):
            now = time.monotonic() - t0
            if not got:
                first.append(now)
            late = max(late, now - (first[-1] + got / 2 / rate))  # after the page had played all before it
            got += len(part)
        whole.append(time.monotonic() - t0)
        cpu.append(time.process_time() - c0)
        gaps.append(late)
    return first, whole, cpu, gaps


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def book(base: Path, chapters: int = 60, words: int = 1500) -> Path:
    """A generated book of ``chapters`` × ``words`` (about 10 hours at 150 words a minute)."""
    root = base / "book"
    folder = root / "content" / "long-book"
    folder.mkdir(parents=True)
    (root / "voices").mkdir()
    (root / "voices" / "fake.toml").write_text('name = "fake"\nengine = "fake"\nmodel = "fake"\n'
                                               'language = "en-US"\n', encoding="utf-8")
    (root / "narrate.toml").write_text('[defaults]\nvoice = "fake"\n', encoding="utf-8")
    (folder / "book.toml").write_text('title = "A Long Book"\nauthor = "A. Writer"\n', encoding="utf-8")
    rng = random.Random(7)
    vocabulary = "the river ran past the mill and the town listened while a lamp burned low over old maps".split()
    for n in range(1, chapters + 1):
        paragraphs = []
        for _ in range(words // 100):
            sentences = [" ".join(rng.choice(vocabulary) for _ in range(10)).capitalize() + "." for _ in range(10)]
            paragraphs.append(" ".join(sentences))
        (folder / f"{n:02d}.md").write_text(f"---\ntitle: Chapter {n}\n---\n\n" + "\n\n".join(paragraphs) + "\n",
                                            encoding="utf-8")
    return root


def first_load(root: Path, repeats: int) -> list[float]:
    warm = Studio(root)
    doc = warm.document("long-book")
    warm.chapter("long-book", doc.chapters[0].id)  # the sentence cache, as after a build
    served = start_in_thread(make_server(root, port=free_port(), watch=False))
    port = served.server.config.port
    times = []
    for _ in range(repeats):
        t0 = time.monotonic()
        get(port, "/pub/long-book")
        get(port, f"/api/pub/long-book/chapter/{doc.chapters[0].id}")
        times.append(time.monotonic() - t0)
    served.stop()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        print(f"(load average at the start: {os.getloadavg()[0]:.2f})", file=sys.stderr)
        ear, (first, whole, cpu, gaps) = edit_to_ear(project(base), args.repeats)
        long_book = book(base)
        print(f"(load average at the book's start: {os.getloadavg()[0]:.2f})", file=sys.stderr)
        load = first_load(long_book, args.repeats)
    rows = [("edit-to-ear (Piper joe, one sentence of the sample article)", ear, 3.0),
            ("pronunciation preview, first sound (Piper joe, one sentence, streamed)", first, 1.5),
            ("pronunciation preview, all of the sentence (streamed)", whole, 0.0),
            ("pronunciation preview, CPU-s of the studio's process", cpu, 0.0),
            ("pronunciation preview, longest silence while playing as it arrives", gaps, 0.0),
            ("10-hour book, first load (page + first chapter, fake voice, warm cache)", load, 1.0)]
    print(f"{'measurement':<75} {'median':>8} {'max':>8} {'goal':>6}")
    for name, values, goal in rows:
        shown = f"{goal:>5.1f}s" if goal else "     -"
        print(f"{name:<75} {statistics.median(values):>7.2f}s {max(values):>7.2f}s {shown}  "
              + " / ".join(f"{v:.2f}" for v in values))


if __name__ == "__main__":
    main()
