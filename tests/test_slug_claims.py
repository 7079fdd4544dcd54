"""The slugs content/ already holds, remembered between imports (issue 29): a sync that brings 10 posts
reads 10 files, not the whole site, and still sees a slug taken by a file written by hand."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sync_server import Site, serve

from narrate.importing import ImportOptions, run_import, slugs

FAST = dict(allow_private_hosts=True, timeout=1.0, retry_wait=1.0)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The Markdown files the slug guard opens, by name."""
    seen: list[str] = []
    real = slugs._head

    def head(path: Path) -> str:
        seen.append(path.name)
        return real(path)

    monkeypatch.setattr(slugs, "_head", head)
    return seen


def test_a_second_sync_reads_only_the_files_of_the_posts_that_changed(project, loopback, reads):
    site = Site()
    site.add(40)
    with serve(site) as base:
        run_import(project, [base + "/"], ImportOptions(**FAST))
        site.edit(4, "The spring tides come at the new and the full moon, the neaps between them. " * 2)
        site.edit(30, "Fog on the bar: the pilot boat waits at the buoy until it lifts. " * 2)
        reads.clear()
        second = run_import(project, [base + "/"], ImportOptions(**FAST))
    assert sorted(i.slug for i in second.imported) == ["tide-table-31", "tide-table-5"]
    assert sorted(set(reads)) == ["tide-table-31.md", "tide-table-5.md"], reads


def test_a_file_written_by_hand_between_syncs_still_blocks_its_slug(project, loopback, reads):
    site = Site()
    site.add(12)
    with serve(site) as base:
        run_import(project, [base + "/"], ImportOptions(**FAST))
        hand = project / "content" / "notes" / "by-hand.md"
        hand.parent.mkdir()
        hand.write_text("---\ntitle: Tides by hand\nslug: tide-table-13\n---\n\nWritten here.\n", encoding="utf-8")
        site.add(1)  # the site now publishes tide-table-13, the slug the hand-written file holds
        reads.clear()
        second = run_import(project, [base + "/"], ImportOptions(**FAST))
    assert [i.slug for i in second.imported] == ["tide-table-13-2"]
    assert any("content/notes/by-hand.md" in w for w in second.warnings), second.warnings
    assert "by-hand.md" in reads and len(set(reads)) == 2, reads  # the new file, and the post just written


def test_a_corrupt_or_foreign_index_is_rebuilt_by_reading(project):
    (project / "content" / "a.md").write_text("---\ntitle: A\nslug: first\n---\n\nA.\n", encoding="utf-8")
    (project / "content" / "b.md").write_text("---\ntitle: B\n---\n\nB.\n", encoding="utf-8")
    index = project / slugs.INDEX
    for damage in ("{not json", '{"version": 2, "files": []}', "\xff\xfe"):
        index.parent.mkdir(exist_ok=True)
        index.write_text(damage, encoding="utf-8")
        assert sorted(slugs.claims(project)) == ["b", "first"]
        files = json.loads(index.read_text(encoding="utf-8"))["files"]
        assert sorted(files) == ["content/a.md", "content/b.md"]
    files["content/a.md"][4] = 7  # an entry of the wrong shape (its slug a number) is read again, not trusted
    index.write_text(json.dumps({"version": slugs._VERSION, "files": files}), encoding="utf-8")
    assert sorted(slugs.claims(project)) == ["b", "first"]


def test_a_file_edited_to_the_same_size_and_time_is_read_again_and_only_it(project, reads):
    first = project / "content" / "a.md"
    first.write_text("---\ntitle: A\nslug: aaaa\n---\n\nA.\n", encoding="utf-8")
    (project / "content" / "b.md").write_text("---\ntitle: B\n---\n\nB.\n", encoding="utf-8")
    book = project / "content" / "almanac"
    book.mkdir()
    (book / "book.toml").write_text('title = "Almanac"\nslug = "tides-almanac"\n', encoding="utf-8")
    (book / "one.md").write_text("# One\n", encoding="utf-8")
    assert sorted(slugs.claims(project)) == ["aaaa", "b", "tides-almanac"]
    before = first.stat()
    first.write_text("---\ntitle: A\nslug: zzzz\n---\n\nA.\n", encoding="utf-8")
    os.utime(first, ns=(before.st_atime_ns, before.st_mtime_ns))  # as a copy that keeps times would
    reads.clear()
    assert sorted(slugs.claims(project)) == ["b", "tides-almanac", "zzzz"]
    assert reads == ["a.md"]
    (first).unlink()  # a file gone is forgotten
    assert sorted(slugs.claims(project)) == ["b", "tides-almanac"]
    assert "content/a.md" not in json.loads((project / slugs.INDEX).read_text(encoding="utf-8"))["files"]
