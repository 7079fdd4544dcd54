"""narrate import against hostile or odd input (issue 26): it never writes outside content/, never
replaces what it did not write, never follows a fetch where it should not go, and answers bad
exports with a message naming the file, never a traceback. Every server here binds 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrate.cli import app
from narrate.importing import ImportOptions, run_import
from narrate.importing import fetch as fetch_module
from narrate.sources import frontmatter

FIXTURES = Path(__file__).parent / "fixtures" / "import"
BLOG_PAGE = FIXTURES / "blog" / "field-notes.html"
GHOST = FIXTURES / "ghost-export.json"
PNG = (FIXTURES / "blog/field-notes_files/roofline.png").read_bytes()
TEXT = "The tide turned and the boats swung round on their moorings at the quay. " * 4


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env)


def files_outside_content(tmp_path: Path, project: Path) -> list[str]:
    allowed = (project / "content", project / ".narrate", project / "narrate.toml")
    return sorted(str(p) for p in tmp_path.rglob("*") if p.is_file()
                  and not any(p == a or p.is_relative_to(a) for a in allowed))


def wxr(tmp_path: Path, *items: tuple[str, str, str], name: str = "export.xml") -> Path:
    """A WordPress export with one published post per (post_id, title, post_name)."""
    body = "".join(
        f"<item><title><![CDATA[{title}]]></title><content:encoded><![CDATA[<p>{TEXT}</p>]]></content:encoded>"
        f"<wp:post_id><![CDATA[{post_id}]]></wp:post_id><wp:post_name><![CDATA[{post_name}]]></wp:post_name>"
        "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>\n"
        for post_id, title, post_name in items)
    path = tmp_path / name
    path.write_text('<?xml version="1.0"?>\n<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                    'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Site</title>\n'
                    f"{body}</channel></rss>\n", encoding="utf-8")
    return path


def page(path: Path, title: str, text: str = TEXT, extra: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                    f"<p>{text}</p>{extra}</article></body></html>", encoding="utf-8")
    return path


def ghost(tmp_path: Path, change: Callable[[dict], None], name: str = "ghost.json") -> Path:
    doc = json.loads(GHOST.read_text(encoding="utf-8"))
    change(doc["db"][0]["data"])
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# ------------------------------------------------------------------ 1. paths


def test_a_post_id_with_dots_and_slashes_writes_nothing_outside_content(project, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "notes.md").write_text("keep me\n", encoding="utf-8")
    source = wxr(tmp_path, ("/../../../victim/notes", "", ""))
    for extra in ([], ["--force"]):
        result = invoke("import", str(source), "--project", str(project), *extra)
        assert result.exit_code == 0, result.stderr
        assert (victim / "notes.md").read_text(encoding="utf-8") == "keep me\n"
        assert files_outside_content(tmp_path, project) == [str(source), str(victim / "notes.md")]
    written = [p.name for p in (project / "content").iterdir()]
    assert written == ["post-victim-notes.md"]


def test_a_staged_target_outside_content_is_refused(project, tmp_path):
    from narrate.errors import OutputError
    from narrate.importing.write import Staged, commit

    staged = tmp_path / "staged.md"
    staged.write_text("---\ntitle: x\n---\n\nx\n", encoding="utf-8")
    for target in ("content/../escaped.md", "narrate.toml", "content/images/../../x.md"):
        item = Staged("x", "x", "here", target, staged, [], "")
        with pytest.raises(OutputError, match="outside content/"):
            commit(project, [item], force=True)
    image = Staged("x", "x", "here", "content/x.md", staged, [("content/images/x/../../../../y.png", staged)], "")
    with pytest.raises(OutputError, match="outside content/"):
        commit(project, [image], force=True)
    assert not (project / "escaped.md").exists() and not (tmp_path / "y.png").exists()
    assert (project / "narrate.toml").read_text(encoding="utf-8").startswith("[publisher]")


# ------------------------------------------------------------------ 2. non-Latin slugs


def test_non_latin_titles_and_names_are_transliterated(project, tmp_path):
    export = wxr(tmp_path, ("7", "Hello world", "%e4%bd%a0%e5%a5%bd"),
                 ("8", "Καλημέρα κόσμε", ""))
    saved = page(tmp_path / "pages" / "文章.html", "文章")

    def chinese(data: dict) -> None:
        data["posts"][0]["slug"] = "你好世界"
        data["posts"][0]["title"] = "你好世界"
        data["posts"][0]["canonical_url"] = None

    result = invoke("import", str(export), str(saved), str(ghost(tmp_path, chinese)), "--project", str(project))
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in (project / "content").glob("*.md"))
    assert ".md" not in names
    assert {"ni-hao.md", "ni-hao-shi-jie.md", "kalemera-kosme.md", "wen-zhang.md"} <= set(names), names


def test_a_title_with_no_letters_gets_a_stable_post_number(project, tmp_path):
    def untitled(data: dict) -> None:
        data["posts"][0]["slug"] = "---"
        data["posts"][0]["title"] = "!!!"

    for _ in range(2):
        run_import(project, [str(ghost(tmp_path, untitled))], ImportOptions(media=FIXTURES / "ghost-images"))
        assert sorted(p.name for p in (project / "content").glob("*.md"))[0] == "post-p1.md"


# ------------------------------------------------------------------ 3. slug clashes


def test_two_saved_pages_with_one_name_never_replace_each_other(project, tmp_path):
    first = page(tmp_path / "a" / "post.html", "Low water at the quay")
    second = page(tmp_path / "b" / "post.html", "High water at the mill", text=TEXT.replace("tide", "river"))
    run_import(project, [str(first)])
    original = (project / "content/post.md").read_text(encoding="utf-8")
    result = invoke("import", str(second), "--project", str(project))
    assert result.exit_code == 0, result.stderr
    assert (project / "content/post.md").read_text(encoding="utf-8") == original
    assert "High water at the mill" in (project / "content/post-2.md").read_text(encoding="utf-8")
    assert "post-2" in result.stderr and "content/post.md" in result.stderr
    again = run_import(project, [str(second)]).imported + run_import(project, [str(first)]).imported
    assert [(i.slug, i.status) for i in again] == [("post-2", "unchanged"), ("post", "unchanged")]  # stable


def test_an_imported_slug_never_takes_a_hand_written_publication_slug(project):
    mine = project / "content" / "essays" / "mine.md"
    mine.parent.mkdir()
    mine.write_text("---\ntitle: Mine\nslug: counting-swifts\n---\n\nMy own words.\n", encoding="utf-8")
    (project / "content" / "harbour").mkdir()
    (project / "content" / "harbour" / "book.toml").write_text('title = "Harbour"\nslug = "counting-swifts-2"\n',
                                                              encoding="utf-8")
    result = invoke("import", str(BLOG_PAGE), "--project", str(project))
    assert result.exit_code == 0, result.stderr
    assert "content/essays/mine.md" in result.stderr and "counting-swifts-3" in result.stderr
    text = (project / "content/counting-swifts-3.md").read_text(encoding="utf-8")
    assert frontmatter.parse(text, "x.md").fields["slug"] == "counting-swifts-3"
    assert not (project / "content/counting-swifts.md").exists()
    assert mine.read_text(encoding="utf-8").endswith("My own words.\n")


# ------------------------------------------------------------------ 4. images replaced by hand


def test_an_image_replaced_by_hand_needs_force(project):
    run_import(project, [str(BLOG_PAGE)])
    image = project / "content/images/counting-swifts/roofline.png"
    mine = PNG + b"\x00my own version"
    image.write_bytes(mine)
    result = invoke("import", str(BLOG_PAGE), "--project", str(project))
    assert result.exit_code == 3
    assert "content/images/counting-swifts/roofline.png" in result.stderr and "--force" in result.stderr
    assert image.read_bytes() == mine
    result = invoke("import", str(BLOG_PAGE), "--project", str(project), "--force")
    assert result.exit_code == 0, result.stderr
    assert image.read_bytes() == PNG


def test_an_image_changed_at_the_source_is_updated_but_one_changed_by_hand_is_not(project, tmp_path):
    folder = tmp_path / "saved"
    shutil.copytree(BLOG_PAGE.parent, folder)
    run_import(project, [str(folder / BLOG_PAGE.name)])
    from PIL import Image

    Image.new("RGB", (8, 8), "red").save(folder / "field-notes_files/roofline.png")
    report = run_import(project, [str(folder / BLOG_PAGE.name)])  # what import wrote may be replaced
    assert report.imported[0].status == "updated"
    image = project / "content/images/counting-swifts/roofline.png"
    assert image.read_bytes() == (folder / "field-notes_files/roofline.png").read_bytes()
    image.write_bytes(PNG)  # the user puts back another picture
    Image.new("RGB", (8, 8), "blue").save(folder / "field-notes_files/roofline.png")
    result = invoke("import", str(folder / BLOG_PAGE.name), "--project", str(project))
    assert result.exit_code == 3 and "changed by hand" in result.stderr
    assert image.read_bytes() == PNG


# ------------------------------------------------------------------ 5, 6. fetching


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, Callable[[http.server.BaseHTTPRequestHandler], None]] = {}
    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        self.asked.append(self.path)
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        route(self)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def server(routes: dict[str, Callable]) -> Iterator[tuple[str, list[str]]]:
    handler = type("Handler", (_Handler,), {"routes": routes, "asked": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler.asked
    finally:
        httpd.shutdown()
        httpd.server_close()


def send(body: bytes, content_type: str = "text/html", status: int = 200, headers: dict | None = None):
    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(body)
    return route


def test_a_trickling_server_is_dropped_at_the_time_limit(loopback):
    closed = threading.Event()

    def trickle(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        try:
            for _ in range(2000):  # one byte every 20 ms: each read succeeds, the whole never ends
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(0.02)
        except OSError:
            closed.set()

    with server({"/slow": trickle}) as (base, _):
        client = fetch_module.Fetcher(timeout=1.0, allow_private=True)
        started = time.monotonic()
        with pytest.raises(fetch_module.FetchError, match="within 1 s"):
            client.get(f"{base}/slow")
        assert time.monotonic() - started < 2.5
        assert closed.wait(3), "the connection was left open, still reading"


def test_a_redirect_to_ftp_is_not_followed(loopback):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    ftp = f"ftp://127.0.0.1:{listener.getsockname()[1]}/secret.txt"
    with server({"/go": send(b"", status=302, headers={"Location": ftp})}) as (base, _):
        with pytest.raises(fetch_module.FetchError, match="ftp"):
            fetch_module.Fetcher(timeout=1.0, allow_private=True).get(f"{base}/go")
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody came
    listener.close()


def test_each_redirect_hop_is_checked_for_private_addresses(loopback):
    class LoopbackOnly(fetch_module.Fetcher):
        def refuses(self, address):  # this test's server is on 127.0.0.1; 10.0.0.1 stays private
            return not address.is_loopback

    with server({"/go": send(b"", status=301, headers={"Location": "http://10.0.0.1/inside"})}) as (base, asked):
        with pytest.raises(fetch_module.FetchError, match="10.0.0.1"):
            LoopbackOnly(timeout=1.0).get(f"{base}/go")
        assert asked == ["/go"]


def test_private_hosts_are_refused_unless_allowed(project, loopback):
    with server({"/article": send(BLOG_PAGE.read_bytes())}) as (base, asked):
        result = invoke("import", f"{base}/article", "--project", str(project))
        assert result.exit_code == 3 and "Traceback" not in result.stderr
        assert "private" in result.stderr and "--allow-private-hosts" in result.stderr
        assert asked == [] and list((project / "content").iterdir()) == []
        result = invoke("import", f"{base}/article", "--project", str(project), "--allow-private-hosts")
        assert result.exit_code == 0, result.stderr
        assert asked[0] == "/article"


@pytest.mark.parametrize(("charset", "words"), [("windows-1251", "Паром отходит в одиннадцать"),
                                                ("iso-8859-1", "Le bac part à onze heures, café")])
def test_the_http_charset_header_decodes_the_page(project, loopback, charset, words):
    body = (f"<html><head><title>{words}</title></head><body><article><h1>{words}</h1><p>"
            + f"{words}. " * 20 + "</p></article></body></html>").encode(charset)
    with server({"/p": send(body, f"text/html; charset={charset}")}) as (base, _):
        result = invoke("import", f"{base}/p", "--project", str(project), "--allow-private-hosts")
    assert result.exit_code == 0, result.stderr
    text = next((project / "content").glob("*.md")).read_text(encoding="utf-8")
    assert f"{words}. {words}." in text


def test_the_size_cap_stops_a_large_body(loopback):
    big = b"x" * (3 * 2**20)
    with server({"/big": send(big)}) as (base, _):
        with pytest.raises(fetch_module.FetchError, match="larger than 1 MB"):
            fetch_module.Fetcher(timeout=2.0, max_bytes=2**20, allow_private=True).get(f"{base}/big")


def test_one_missing_image_does_not_fail_its_host(project, loopback, tmp_path):
    routes = {"/good.png": send(PNG, "image/png")}
    with server(routes) as (base, asked):
        html = page(tmp_path / "harbour.html", "Harbour lights",
                    extra=f"<p><img src='{base}/missing.png' alt='gone'></p><p>{TEXT}</p>"
                          f"<p><img src='{base}/good.png' alt='the quay at dusk'></p>")
        result = invoke("import", str(html), "--project", str(project), "--allow-private-hosts")
    assert result.exit_code == 0, result.stderr
    assert "/good.png" in asked
    assert (project / "content/images/harbour/good.png").read_bytes() == PNG
    assert "missing.png" in result.stderr and "good.png" not in result.stderr


# ------------------------------------------------------------------ 7. shortcodes in linear time


def test_shortcode_stripping_is_linear_and_still_unwraps_and_drops_media():
    from narrate.importing import wordpress

    removed: list[str] = []
    out = wordpress.clean_content("<p>a [sic] b</p>\n[note]kept [b]bold[/b][/note]\n[gallery ids=\"1\"]x[/gallery] "
                                  "[audio src=\"a.mp3\" /] [video]v[/video][sic] unclosed [x",
                                  wordpress.Site(), removed.append)
    assert "kept bold" in out and "[sic]" in out and "[x" in out
    assert "gallery" not in out and "a.mp3" not in out and ">v<" not in out and "[/b]" not in out
    assert any("[note]" in m for m in removed) and any("[gallery]" in m for m in removed)

    def seconds(n: int, unit: str = "Thei [sic] words. ") -> float:
        content = "<p>" + unit * n + "</p>"
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            wordpress.clean_content(content, wordpress.Site(), lambda m: None)
            best = min(best, time.perf_counter() - started)
        return best

    # Linear work grows 4x; the old quadratic scan grew 16x (8,000 took seconds, 40,000 took two minutes).
    for unit in ("Thei [sic] words. ", "<!-- wp:html --> never closed. "):
        small, large = seconds(2000, unit), seconds(8000, unit)
        assert large < 8 * small + 0.05, (unit, small, large)
        assert large < 1.0, (unit, small, large)


# ------------------------------------------------------------------ 8. Ghost exports with wrong types


def _set(path: list, value: object) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _mixed_sort(data: dict) -> None:
    data["posts_tags"][0]["sort_order"] = "first"


@pytest.mark.parametrize(("change", "expected"), [
    (_set(["tags"], None), None),
    (_set(["users"], 5), "users"),
    (_set(["posts", 0, "title"], 5), "title"),
    (_set(["posts", 0, "status"], ["published"]), "status"),
    (_mixed_sort, "sort_order"),
    (_set(["posts_authors"], [5, "x"]), "posts_authors"),
    (_set(["settings"], {"url": 5}), "settings"),
])
def test_ghost_exports_with_wrong_types_are_clear_errors(project, tmp_path, change, expected):
    result = invoke("import", str(ghost(tmp_path, change)), "--project", str(project))
    assert "Traceback" not in result.stderr and not isinstance(result.exception, (TypeError, AttributeError))
    if expected is None:  # null where a list is expected: nothing there
        assert result.exit_code == 0, result.stderr
        return
    assert result.exit_code == 3, (result.stderr, result.exception)
    assert "ghost.json" in result.stderr and expected in result.stderr


def test_a_deeply_nested_ghost_export_is_a_clear_error(project, tmp_path):
    source = tmp_path / "deep.json"
    source.write_text('{"db": [{"data": {"posts": ' + "[" * 200_000 + "]" * 200_000 + "}}]}", encoding="utf-8")
    result = invoke("import", str(source), "--project", str(project))
    assert result.exit_code == 3, (result.stderr, result.exception)
    assert "deep.json" in result.stderr and "nested" in result.stderr


# ------------------------------------------------------------------ 9. the project lock


def test_import_waits_for_the_project_lock(project):
    from narrate.engine.lock import project_lock

    with project_lock(project, "build", lambda m: None):
        result = invoke("import", str(BLOG_PAGE), "--project", str(project), env={"NARRATE_LOCK_WAIT": "0.2"})
    assert result.exit_code == 1, result.stderr
    assert "another narrate command" in result.stderr and "narrate import" in result.stderr
    assert list((project / "content").iterdir()) == []


@pytest.mark.parametrize(("command", "value"), [(c, v) for c in ("clean", "import") for v in
                                                 ("-5", "nan", "inf", "-inf", "1e400")] + [("import", "soon")])
def test_a_bad_lock_wait_is_refused(project, command, value):
    args = ["clean", str(project)] if command == "clean" else ["import", str(BLOG_PAGE), "--project", str(project)]
    result = invoke(*args, env={"NARRATE_LOCK_WAIT": value})
    assert result.exit_code == 2, (result.stderr, result.exception)
    assert "NARRATE_LOCK_WAIT" in result.stderr and "Traceback" not in result.stderr
