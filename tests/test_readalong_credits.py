"""Every read-along clip highlights what it says: the spoken credits have text of their own.

Before, the closing-credit clips ("The end of …", "Written by …, narrated by …", the rights)
pointed at the last body sentence, and the opening "Narrated by …" clip at the publisher.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import FAKE_VOICE, epubcheck, write_files

from narrate.editions.context import PublicationContext
from narrate.editions.narration import choose_voice, publication_script
from narrate.engine.run import BuildOptions, build, read_all
from narrate.i18n.messages import messages_for
from narrate.sources.project import open_project

SMIL = "{http://www.w3.org/ns/SMIL}"

ARTICLE = {
    "content/articles/quay.md": "---\ntitle: The Quay at Dusk\nauthor: Ana Reed\npublisher: Quay Press\n"
                                "rights: Copyright 2026 Quay Press.\nslug: quay\nkind: article\n---\n\n"
                                "The lamps come on one by one. Boats knock at the pier.\n\n"
                                "## Later\n\nThe last ferry leaves at nine.\n",
    "voices/fake.toml": FAKE_VOICE,
}

BOOK = {
    "content/harbour/book.toml": 'title = "Harbour Notes"\nauthors = ["Ana Reed"]\npublisher = "Quay Press"\n'
                                 'rights = "Copyright 2026 Ana Reed."\nchapters = ["01.md", "02.md"]\n',
    "content/harbour/01.md": "---\ntitle: Morning\n---\n\nThe ferry waits at the pier. Gulls call.\n",
    "content/harbour/02.md": "---\ntitle: Evening\n---\n\nThe lights come on over the water.\n",
    "voices/fake.toml": FAKE_VOICE,
}


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def built(root: Path, files: dict[str, str], slug: str) -> tuple[Path, dict[str, tuple[str, str]]]:
    """The read-along EPUB of the one publication in ``files``, and its script: segment id →
    (kind, display text), as `narrate script` makes it."""
    write_files(root, files)
    report = build(root, BuildOptions(formats=("epub-readaloud",), voice="fake"))
    assert not report.failed, [str(r.error) for r in report.failed]
    project = open_project(root)
    docs, _ = read_all(project)
    (doc,) = docs
    ctx = PublicationContext(doc, project.root, project.root / "output", project.config, "fake", project.cache_dir)
    script = publication_script(ctx, choose_voice(ctx))
    segments = {s.id: (s.kind, s.text) for c in script.chapters for s in c.segments}
    return root / "output" / slug / f"{slug}.readaloud.epub", segments


def clips(epub: Path) -> list[tuple[str, str, str]]:
    """(segment id, target element's text, target id) of every clip of every SMIL."""
    out = []
    with zipfile.ZipFile(epub) as z:
        for name in sorted(n for n in z.namelist() if n.endswith(".smil")):
            for par in ET.fromstring(z.read(name)).iter(f"{SMIL}par"):
                doc, frag = par.find(f"{SMIL}text").get("src").split("#")
                xhtml = ET.fromstring(z.read("EPUB/" + doc.removeprefix("../")))
                target = next(el for el in xhtml.iter() if el.get("id") == frag)
                out.append((par.get("id").removeprefix("par-"), "".join(target.itertext()), frag))
    return out


def assert_each_clip_targets_its_text(epub: Path, segments: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Credit clips point at an element saying exactly the credit; every other clip at an element
    holding its words. Returns credit segment id → target id."""
    credited: dict[str, str] = {}
    for seg_id, shown, frag in clips(epub):
        kind, text = segments[seg_id]
        if kind in {"opening", "disclosure", "closing"}:
            assert words(shown) == words(text) or words(shown) in words(text), (seg_id, text, shown)
            assert words(shown), (seg_id, frag)
            credited[seg_id] = frag
        else:
            assert set(words(text).split()) & set(words(shown).split()), (seg_id, text, shown)
    return credited


@pytest.fixture(scope="module")
def article(tmp_path_factory):
    return built(tmp_path_factory.mktemp("article") / "project", ARTICLE, "quay")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return built(tmp_path_factory.mktemp("book") / "project", BOOK, "harbour")


@pytest.mark.parametrize("which", ["article", "book"])
def test_every_credit_clip_targets_its_own_text(which, request):
    epub, segments = request.getfixturevalue(which)
    say = messages_for("en")
    credited = assert_each_clip_targets_its_text(epub, segments)
    closing = {seg_id: text for seg_id, (kind, text) in segments.items() if kind == "closing"}
    title = "The Quay at Dusk" if which == "article" else "Harbour Notes"
    assert say("credits_end", title=title) in closing.values()
    assert len(closing) >= 2  # the end, who wrote and narrated it (and the rights)
    for seg_id, text in closing.items():  # each closing credit on an element that says exactly it
        target = credited[seg_id]
        shown = dict((s, t) for s, t, f in clips(epub) if f == target)[seg_id]
        assert words(shown) == words(text), (seg_id, text, shown)
    assert len({credited[s] for s in closing}) == len(closing)  # one element per credit
    narrated = [s for s, (kind, text) in segments.items() if kind == "opening" and text.startswith("Narrated by")]
    assert len(narrated) == 1
    assert credited[narrated[0]] == "titlepage-narrator"
    with zipfile.ZipFile(epub) as z:
        title_page = z.read("EPUB/text/titlepage.xhtml").decode()
        shown_narrator = "".join(next(el for el in ET.fromstring(title_page).iter()
                                      if el.get("id") == "titlepage-narrator").itertext())
        texts = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert len(re.findall(r'<section id="closing-credits" [^>]*epub:type="credits" role="doc-credits"', texts)) == 1
    assert "Narrated by" in shown_narrator and "synthetic voice" in shown_narrator
    errors, warnings, report = epubcheck(epub)
    assert (errors, warnings) == (0, 0), report

