"""narrate.toml's [messages.*] overrides in the editions as in the narration."""

from __future__ import annotations

import zipfile

ARTICLE = """\
---
title: Der Markt
language: {lang}
authors: [Anna Weber]
---
Ein Satz.
"""

def _doc(make_project, lang: str, toml: str = ""):
    from narrate.build.engine import read_all
    from narrate.sources.project import open_project

    files = {"content/markt.md": ARTICLE.format(lang=lang)}
    if toml:
        files["narrate.toml"] = toml
    root = make_project(files)
    project = open_project(root)
    docs, failures = read_all(project)
    assert not failures
    return root, project, docs[0]


OVERRIDES = """\
[messages.de]
contents = "Übersicht"
title_page = "Titelei"
landmarks = "Wegweiser"
prepared_for = "Nur für {name}."
"""


def test_message_overrides_reach_the_editions(make_project, tmp_path):
    from narrate.build.fingerprints import Fingerprints
    from narrate.writers.epub import EpubOptions, write_epub
    from narrate.writers.pdf_html import contents

    root, project, doc = _doc(make_project, "de", OVERRIDES)
    out = tmp_path / "m.epub"
    write_epub(doc, root, out, EpubOptions())
    with zipfile.ZipFile(out) as zf:
        nav = zf.read("EPUB/nav.xhtml").decode()
    assert "<title>Übersicht</title>" in nav and "Wegweiser" in nav and "Inhalt<" not in nav
    assert '<h2 id="contents-title" class="toc-title">Übersicht</h2>' in contents(doc)
    from narrate.markup.html import colophon_lines

    assert '<p class="prepared-for">Nur für Ana.</p>' in colophon_lines(doc, "Ana")
    # an override is part of what the editions are made from: their keys change with it
    (root / "narrate.toml").unlink()
    from narrate.sources.project import open_project

    plain_project = open_project(root)
    for maker in ("epub", "pdf"):
        assert Fingerprints(project).key(doc, maker, "") != Fingerprints(plain_project).key(doc, maker, "")
    assert Fingerprints(project).key(doc, "cover", "") == Fingerprints(plain_project).key(doc, "cover", "")


def test_message_overrides_reach_the_download_page_and_bundle():
    from narrate.publish.bundle import readme
    from narrate.publish.catalog import Publication
    from narrate.publish.page import render_page

    overrides = {"de": {"no_summary": "Keine Angaben.", "byline": "Text: {authors}"}}
    pub = Publication("markt", "Der Markt", "de", "article", "content/markt.md", {}, authors=("Anna Weber",))
    page = render_page([pub], title="T", language="de", href=lambda p, f: f, sizes={}, css="", sums="", feed_url="",
                       messages=overrides)
    assert "<p>Keine Angaben.</p>" in page
    assert "Text: Anna Weber" in readme(pub, "", overrides)
    assert "Von Anna Weber" in readme(pub, "")
