"""narrate import <site>: a live sync with a WordPress REST API or a Ghost Content API (issue 29), against
a server on 127.0.0.1 (tests/sync_server.py) that answers in the APIs' documented shapes and misbehaves
the way real servers do: rate limits, a 500 in the middle of the pages, a slow page."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from sync_server import Site, serve
from typer.testing import CliRunner

from narrate.cli import app
from narrate.errors import ConfigError, SourceError
from narrate.importing import ImportOptions, run_import
from narrate.sources import frontmatter

FAST = dict(allow_private_hosts=True, timeout=1.0, retry_wait=1.0)


def body(project: Path, slug: str) -> str:
    return frontmatter.parse((project / "content" / f"{slug}.md").read_text(encoding="utf-8"), slug).body


def state(project: Path) -> dict:
    files = list((project / ".narrate" / "sync").glob("*.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text(encoding="utf-8"))


def test_a_wordpress_site_is_synced_then_only_what_changed_is_fetched(project, loopback):
    site = Site()
    site.add(250)  # three pages of 100
    with serve(site) as base:
        first = run_import(project, [base + "/"], ImportOptions(**FAST))
        assert len(first.imported) == 250 and {i.status for i in first.imported} == {"new"}
        fields = frontmatter.parse((project / "content/tide-table-7.md").read_text(encoding="utf-8"), "x").fields
        assert fields["author"] == "Harbour Master" and fields["tags"] == ["Tides", "harbour"]
        assert fields["publisher"] == "Tide Tables" and fields["source_url"] == f"{base}/tide-table-7/"
        assert "first sync: 250 post(s) read" in first.notes[0]
        assert state(project)["cursor"] == site.posts[-1]["modified"]

        site.edit(3, "The spring tides come at the new and the full moon, the neaps between them. " * 2)
        site.edit(200, "Fog on the bar: the pilot boat waits at the buoy until it lifts. " * 2)
        gone = site.posts.pop(10)
        site.asked.clear()
        second = run_import(project, [base + "/"], ImportOptions(**FAST))
        assert sorted((i.slug, i.status) for i in second.imported) == [("tide-table-201", "updated"),
                                                                       ("tide-table-4", "updated")]
        assert "spring tides" in body(project, "tide-table-4")
        changed_requests = [a for a in site.asked if "_embed=1" in a]
        assert len(changed_requests) == 1 and "modified_after=" in changed_requests[0]
        assert any("tide-table-11" in n and "no longer published" in n and "kept" in n for n in second.notes)
        assert (project / "content" / f"{gone['slug']}.md").exists()  # never deleted

        site.asked.clear()
        third = run_import(project, [base + "/"], ImportOptions(**FAST))
        assert third.imported == [] and not any("no longer published" in n for n in third.notes)
        assert len(site.asked) == 3, site.asked  # the API's index, the changes, the count: no id listing


def test_rate_limits_a_500_and_a_slow_page_are_waited_out(project, loopback):
    site = Site()
    site.add(250)
    site.faults = {r"_embed=1.*page=1\b": [("slow", 1.6)], r"_embed=1.*page=2\b": [("retry", 1)],
                   r"_embed=1.*page=3\b": [("status", 500)]}
    with serve(site) as base:
        report = run_import(project, [base], ImportOptions(**FAST))
    assert len(report.imported) == 250
    retries = [n for n in report.notes if "tried again" in n]
    assert len(retries) == 3, report.notes
    assert any("429" in n and "after 1 s" in n for n in retries)
    assert any("500" in n for n in retries) and any("within 1 s" in n for n in retries)


def test_a_sync_that_fails_while_reading_writes_nothing_and_resumes(project, loopback):
    site = Site()
    site.add(150)
    with serve(site) as base:
        run_import(project, [base], ImportOptions(**FAST))
        before = state(project)
        site.edit(0, "The harbour wall was raised a metre after the storm of 1953. " * 2)
        site.add(120)  # and 120 new ones: two pages of changes
        site.faults = {r"_embed=1.*page=2\b": [("status", 500)] * 5}
        with pytest.raises(SourceError, match="nothing was written.*the server answered 500"):
            run_import(project, [base], ImportOptions(**FAST))
        assert state(project) == before  # the remembered sync did not move
        assert not (project / "content/tide-table-151.md").exists()
        assert "harbour wall" not in body(project, "tide-table-1")
        report = run_import(project, [base], ImportOptions(**FAST))  # the server is well again
    assert len(report.imported) == 121 and "harbour wall" in body(project, "tide-table-1")
    assert state(project)["cursor"] == site.posts[-1]["modified"]


def test_a_post_edited_by_hand_is_not_replaced_and_the_sync_does_not_advance(project, loopback):
    site = Site()
    site.add(3)
    with serve(site) as base:
        run_import(project, [base], ImportOptions(**FAST))
        path = project / "content/tide-table-2.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nA note of ours.\n", encoding="utf-8")
        before = state(project)
        site.edit(1, "New times for the winter: the slip closes at dusk. " * 3)
        with pytest.raises(SourceError, match="edited by hand"):
            run_import(project, [base], ImportOptions(**FAST))
        assert state(project) == before and "A note of ours." in path.read_text(encoding="utf-8")
        run_import(project, [base], ImportOptions(force=True, **FAST))
    assert "New times for the winter" in body(project, "tide-table-2")


def test_a_ghost_site_is_synced_with_a_key_from_a_private_file(project, loopback, tmp_path):
    site = Site()
    site.add(120)
    key_file = tmp_path / "keys" / "ghost.toml"
    key_file.parent.mkdir()
    key_file.write_text('[import]\nghost_key = "c0ffee"\n', encoding="utf-8")
    os.chmod(key_file, 0o600)
    with serve(site) as base:
        report = run_import(project, [base], ImportOptions(ghost_key_file=key_file, **FAST))
        assert len(report.imported) == 120 and "ghost API, first sync" in report.notes[0]
        fields = frontmatter.parse((project / "content/tide-table-5.md").read_text(encoding="utf-8"), "x").fields
        assert fields["tags"] == ["Tides"] and fields["author"] == "Harbour Master"
        site.edit(4, "The lifeboat launches down the slipway in under four minutes. " * 2)
        site.asked.clear()
        again = run_import(project, [base], ImportOptions(ghost_key_file=key_file, **FAST))
        assert [(i.slug, i.status) for i in again.imported] == [("tide-table-5", "updated")]
        assert any("filter=updated_at" in a for a in site.asked)
        assert not any("c0ffee" in n for n in again.notes + again.warnings)
        with pytest.raises(SourceError, match="Ghost Content API"):
            run_import(project, [base], ImportOptions(ghost_key="wrong", **FAST))


def test_a_ghost_key_file_inside_the_project_or_readable_by_others_is_refused(project, tmp_path):
    inside = project / "ghost.toml"
    inside.write_text('[import]\nghost_key = "c0ffee"\n', encoding="utf-8")
    os.chmod(inside, 0o600)
    with pytest.raises(ConfigError, match="outside the project"):
        run_import(project, ["http://127.0.0.1:9/"], ImportOptions(ghost_key_file=inside, **FAST))
    shared = tmp_path / "ghost.toml"
    shared.write_text('[import]\nghost_key = "c0ffee"\n', encoding="utf-8")
    os.chmod(shared, 0o644)
    with pytest.raises(ConfigError, match="only its owner can read"):
        run_import(project, ["http://127.0.0.1:9/"], ImportOptions(ghost_key_file=shared, **FAST))
    assert not (project / ".narrate" / "sync").exists()


def test_the_command_line_says_what_the_sync_did(project, loopback):
    site = Site()
    site.add(2)
    with serve(site) as base:
        result = CliRunner().invoke(app, ["import", base + "/", "--project", str(project), "--allow-private-hosts"])
    assert result.exit_code == 0, result.stderr
    assert "wordpress API, first sync: 2 post(s) read, 2 new or changed" in result.stdout.replace("\n", " ")


def test_an_unreachable_site_is_a_quick_clear_error(project, loopback):
    import time

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    url = f"http://127.0.0.1:{port}/"
    started = time.monotonic()
    result = CliRunner().invoke(app, ["import", url, "--project", str(project), "--allow-private-hosts"])
    assert time.monotonic() - started < 10
    assert result.exit_code == 3 and "cannot fetch the site" in result.stderr
    assert list((project / "content").iterdir()) == [] and not (project / ".narrate" / "sync").exists()


def test_a_long_retry_after_is_waited_only_up_to_the_bound():
    import email.utils
    import time

    from narrate.importing.api_client import ApiClient, ApiError
    from narrate.importing.fetch import FetchError, Response

    answers = [FetchError("the server answered 429", status=429, retry_after="3600"),
               FetchError("the server answered 503", status=503,
                          retry_after=email.utils.formatdate(time.time() + 7200, usegmt=True)),
               Response("http://127.0.0.1/x", 200, b"[1]")]

    class Fetcher:
        def get(self, url, headers=None):
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer

    slept: list[float] = []
    client = ApiClient(Fetcher(), max_wait=60.0, sleep=slept.append)
    assert client.get_json("http://127.0.0.1/x?key=secret")[0] == [1]
    assert slept == [60.0, 60.0] and client.waited == 120.0
    assert all("secret" not in note for note in client.notes)
    answers[:] = [FetchError("the server answered 404", status=404)]
    with pytest.raises(ApiError, match="404"):
        client.get_json("http://127.0.0.1/x?key=secret")
    assert slept == [60.0, 60.0]  # a 404 is not tried again
