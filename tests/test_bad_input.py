"""A bad-input corpus, run through the real command line.

Every case is a fresh project holding the bad input plus one GOOD article and runs
``python -m narrate build PROJECT --formats ...`` as a user does. For each case:

* the exit code is non-zero (8 when a publication failed; 2/3/4... for project-level problems);
* stderr holds exactly ONE ``error:`` line, and it starts with the file's ``path:line:``
  (the exact line wherever one is knowable);
* no ``Traceback``, no "internal error in narrate", no ``.narrate/crash.log``;
* no partial files (``*.part``, ``*.tmp``, ``*.raw``, hidden temp files) in output/;
* no artifact and no manifest entry for the bad publication;
* the good article still builds (its EPUB exists and the manifest lists it).

Cases that must BUILD (raw HTML, BOM + CRLF, Unicode, a ``<script>`` title) check the
EPUB instead: every XML entry well-formed, no ``<script``, no event handlers, no
``javascript:``. All violations of one case are collected and reported together.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import FAKE_VOICE, png_bytes
from lxml import etree

NARRATE = [sys.executable, "-m", "narrate"]
GOOD = "---\ntitle: Good Article\n---\n\nA good opening paragraph.\n\n## Part two\n\nMore good text.\n"
GOOD_TWO = "---\ntitle: Second Good Article\n---\n\nAnother good paragraph.\n"
BAD = "content/bad.md"
TEMP_NAME = re.compile(r"(\.part|\.tmp|\.raw)$|^\.")




def article(body: str, front: str = "title: Bad Article\n") -> str:
    return f"---\n{front}---\n\n{body}"


def image_article(src: str) -> str:
    # line 5: "Intro.", line 7: the image
    return article(f"Intro.\n\n![a picture]({src})\n")


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    id: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    where: str = ""  # regex the single error line must start with, after "error: "
    message: str = ""  # regex that must also appear in that error line
    codes: tuple[int, ...] = (8,)
    formats: str = "epub"
    args: tuple[str, ...] = ()
    bad_slug: str | None = "bad"
    mode: str = "fail"  # fail | ok | either | project
    setup: Callable[[Path, Path], None] | None = None  # (project root, the folder around it)
    check: Callable[[Path, list[str]], None] | None = None  # (built EPUB, problems) in ok/either mode
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = 60
    slow: bool = False  # a long build: CI runs it, a default run skips it (see conftest)


def _symlink(link: str, target: str) -> Callable[[Path, Path], None]:
    def setup(root: Path, around: Path) -> None:
        path = root / link
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(around / target)

    return setup


def _picture(kind: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.radial_gradient("L").convert("RGB").save(out, kind)
    return out.getvalue()


def _bad_crc_png() -> bytes:
    """A PNG whose IDAT checksum (the 4 bytes before the 12-byte IEND chunk) is wrong."""
    data = bytearray(png_bytes())
    data[-13] ^= 0xFF
    return bytes(data)


def _fifo(root: Path, around: Path) -> None:
    os.mkfifo(root / BAD)


def _nested_list(levels: int) -> str:
    return "".join("  " * i + f"- level {i}\n" for i in range(levels))


def _contains(*needles: str) -> Callable[[Path, list[str]], None]:
    def check(epub: Path, problems: list[str]) -> None:
        text = epub_text(epub)
        for needle in needles:
            if needle not in text:
                problems.append(f"the EPUB lost the text {needle[:60]!r}")

    return check


def _no_active_content(epub: Path, problems: list[str]) -> None:
    text = epub_text(epub).lower()
    for bad in ("<script", "onerror=", "onclick=", "onload=", "onmouseover=", "javascript:", "<iframe",
                "alert(", "display:none", "evil.example"):
        if bad in text:
            problems.append(f"the EPUB contains {bad!r}")
    _contains("Intro paragraph.", "hover text", "click me", "After the HTML.")(epub, problems)


def _escaped_title(epub: Path, problems: list[str]) -> None:
    text = epub_text(epub)
    if "<script" in text.lower():
        problems.append("the EPUB contains a raw '<script' (title not escaped)")
    if "&lt;script&gt;" not in text and "&#60;script" not in text:
        problems.append("the escaped title '&lt;script&gt;' is not in the EPUB")
    if "Tom &amp; Jerry" not in text:
        problems.append("the title's '&' is not in the EPUB as '&amp;'")


def _crlf_title(epub: Path, problems: list[str]) -> None:
    opf = zip_entries(epub).get("EPUB/content.opf", b"").decode("utf-8", "replace")
    if "<dc:title" not in opf or ">Windows Title<" not in opf:
        problems.append("dc:title is not exactly 'Windows Title' (BOM or CR leaked?)")
    if "\ufeff" in epub_text(epub) or "\r" in epub_text(epub):
        problems.append("a BOM or CR reached the EPUB")
    _contains("First paragraph.", "Second paragraph.")(epub, problems)


UNICODE = ("مرحبا بالعالم، هذا نص عربي", "🎧📚👩‍👩‍👧", "Cafe\u0301 nai\u0308ve", "עברית", "‮reversed‬", "日本語の文章")

CASES: list[Case] = [
    # --- front matter
    Case("missing_front_matter", {BAD: "Just a paragraph, no front matter.\n"}, rf"{BAD}:1: ", "title"),
    Case("front_matter_never_closed", {BAD: "---\ntitle: Open\n\nBody text.\n"}, rf"{BAD}:1: ", "never closed"),
    Case("yaml_unclosed_bracket", {BAD: article("Text.\n", "title: T\ndate: [oops\n")}, rf"{BAD}:3: ", "YAML"),
    Case("yaml_unclosed_quote", {BAD: article("Text.\n", 'title: "Unclosed\nauthor: Sam\n')}, rf"{BAD}:2: ",
         "YAML"),
    Case("yaml_tab_indent", {BAD: article("Text.\n", "title: T\n\tauthor: Sam\n")}, rf"{BAD}:3: ", "YAML"),
    Case("yaml_bad_indent", {BAD: article("Text.\n", "title: T\n  author: Sam\n")}, rf"{BAD}:3: ", "YAML"),
    Case("yaml_not_a_mapping", {BAD: article("Text.\n", "- title\n- T\n")}, rf"{BAD}:2: ", "key: value"),
    Case("yaml_python_tag", {BAD: article("Text.\n", "title: !!python/object/apply:os.system ['id']\n")},
         rf"{BAD}:2: ", "YAML"),
    Case("yaml_alias_bomb", {BAD: article("Text.\n", "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a]\n"
                                          "c: &c [*b, *b, *b, *b, *b]\ntitle: *c\n")},
         rf"{BAD}:5: ", "'title' must be text"),
    Case("yaml_lone_surrogate_title", {BAD: article("Text.\n", 'author: A\ntitle: "Half \\ud800 a pair"\n')},
         rf"{BAD}:3: ", "'title'.*surrogate"),
    Case("yaml_nul_byte", {BAD: article("Text.\n", "author: A\ntitle: a\x00b\n")}, rf"{BAD}:3: ", "U\\+0000"),
    Case("blank_title_names_its_line", {BAD: article("Text.\n", "author: A\ntitle: '   '\n")}, rf"{BAD}:3: ",
         "'title' must not be empty"),
    Case("empty_title", {BAD: article("Text.\n", "title: ''\n")}, rf"{BAD}:(1|2): ", "title"),
    # --- wrong types
    Case("title_is_a_list", {BAD: article("Text.\n", "title: [a, b]\n")}, rf"{BAD}:2: ", "'title' must be text"),
    Case("date_is_a_number", {BAD: article("Text.\n", "title: T\ndate: 20260314\n")}, rf"{BAD}:3: ", "'date'"),
    Case("date_impossible", {BAD: article("Text.\n", "title: T\ndate: 2026-13-45\n")}, rf"{BAD}:3: ", "'date'"),
    Case("date_impossible_time", {BAD: article("Text.\n", "title: T\ndate: 2026-03-14T25:99:00\n")},
         rf"{BAD}:3: ", "'date'.*2026-03-14T25:99:00"),
    Case("date_impossible_in_a_list", {BAD: article("Text.\n", "title: T\nextra:\n  - 2026-02-30\n")},
         rf"{BAD}:4: ", "2026-02-30"),
    Case("authors_is_a_mapping", {BAD: article("Text.\n", "title: T\nauthors: {name: Sam}\n")}, rf"{BAD}:3: ",
         "'authors' must be a list"),
    Case("tags_is_a_number", {BAD: article("Text.\n", "title: T\ntags: 5\n")}, rf"{BAD}:3: ", "'tags'"),
    Case("language_invalid", {BAD: article("Text.\n", "title: T\nlanguage: english please\n")}, rf"{BAD}:3: ",
         "'language'"),
    Case("slug_uppercase_spaces", {BAD: article("Text.\n", "title: T\nslug: My Great Slug\n")}, rf"{BAD}:3: ",
         "'slug' must be lowercase"),
    # --- encoding and size
    Case("non_utf8_latin1", {BAD: b"---\ntitle: T\n---\n\nCaf\xe9 au lait.\n"}, rf"{BAD}:5: ", "UTF-8"),
    Case("empty_file", {BAD: ""}, rf"{BAD}:1: ", "title"),
    Case("only_front_matter", {BAD: "---\ntitle: Nothing Else\n---\n"}, rf"{BAD}:(3|4): ", "text"),
    # A FIFO would block a reader forever: the limit only has to tell "hangs" from "finishes",
    # and a build's own start-up takes several seconds on a loaded 2-core machine.
    Case("fifo_named_md", {}, rf"{BAD}: ", "", setup=_fifo, timeout=30),
    # --- Markdown shapes (build, or fail clearly; never lose text silently)
    Case("nested_lists_200", {BAD: article(_nested_list(200))}, rf"{BAD}:\d+: ", "", mode="either",
         check=_contains("level 0", "level 199")),
    Case("nested_quotes_500", {BAD: article("> " * 500 + "the deepest words\n")}, rf"{BAD}:\d+: ", "",
         mode="either", check=_contains("the deepest words")),
    Case("control_characters", {BAD: article("Text with NUL \x00, VT \x0b and ESC \x1b inside.\n")},
         rf"{BAD}:5: ", "", mode="either", check=_contains("Text with NUL")),
    Case("title_5000_chars", {BAD: article("Text.\n", "title: " + "Long " * 1000 + "\n")}, rf"{BAD}:2: ", "",
         mode="either", check=_contains("Long Long Long")),
    # --- images
    Case("image_missing", {BAD: image_article("pics/nope.png")}, rf"{BAD}:7: ", "not found"),
    Case("image_dotdot_outside", {BAD: image_article("../../outside.png")}, rf"{BAD}:7: ", "outside"),
    Case("image_absolute_path", {BAD: image_article("{AROUND}/outside.png")}, rf"{BAD}:7: ", "absolute"),
    Case("image_etc_passwd", {BAD: image_article("/etc/passwd")}, rf"{BAD}:7: ", "absolute"),
    Case("image_symlink_outside", {BAD: image_article("pics/link.png")}, rf"{BAD}:7: ", "outside",
         setup=_symlink("content/pics/link.png", "outside.png")),
    Case("image_http", {BAD: image_article("http://example.com/a.png")}, rf"{BAD}:7: ", "remote"),
    Case("image_https", {BAD: image_article("https://example.com/a.png")}, rf"{BAD}:7: ", "remote"),
    Case("image_protocol_relative", {BAD: image_article("//example.com/a.png")}, rf"{BAD}:7: ", "remote"),
    Case("image_data_uri", {BAD: image_article("data:image/png;base64,iVBORw0KGgo=")}, rf"{BAD}:7: ", "remote"),
    Case("image_file_uri", {BAD: image_article("file:///etc/passwd")}, rf"{BAD}:7: ", "remote"),
    Case("image_not_an_image", {BAD: image_article("pics/fake.png"), "content/pics/fake.png": "just text\n"},
         rf"{BAD}:7: ", "not a PNG"),
    Case("image_truncated_png", {BAD: image_article("pics/cut.png"), "content/pics/cut.png": png_bytes()[:45]},
         rf"{BAD}:7: ", "truncated"),
    Case("image_truncated_jpeg", {BAD: image_article("pics/cut.jpg"),
                                  "content/pics/cut.jpg": _picture("JPEG")[:-200]}, rf"{BAD}:7: ", "cut short"),
    Case("image_truncated_gif", {BAD: image_article("pics/cut.gif"),
                                 "content/pics/cut.gif": _picture("GIF")[:-100]}, rf"{BAD}:7: ", "cut short"),
    Case("image_png_bad_checksum", {BAD: image_article("pics/crc.png"), "content/pics/crc.png": _bad_crc_png()},
         rf"{BAD}:7: ", "checksum"),
    Case("image_inline_outside", {BAD: article("Inline ![x](../../outside.png) image.\n")}, rf"{BAD}:5: ",
         "outside"),
    Case("cover_dotdot_outside", {BAD: article("Text.\n", "title: T\ncover: ../../x.png\n")}, rf"{BAD}:3: ",
         "outside"),
    Case("cover_etc_passwd", {BAD: article("Text.\n", "title: T\ncover: /etc/passwd\n")}, rf"{BAD}:3: ",
         "absolute"),
    Case("missing_image_all_formats", {BAD: image_article("pics/nope.png")}, rf"{BAD}:7: ", "not found",
         formats="epub,pdf,mp3", args=("--voice", "fake"), slow=True),
    # --- sources outside the project
    Case("markdown_symlink_outside", {}, r"(\S*/)?content/bad\.md: ", "outside",
         setup=_symlink(BAD, "secret.md")),
    # --- slugs and books
    Case("duplicate_slugs", {"content/dup-1.md": article("One.\n", "title: One\nslug: same\n"),
                             "content/dup-2.md": article("Two.\n", "title: Two\nslug: same\n")},
         r"content/dup-2\.md:3: ", "content/dup-1.md", bad_slug=None),
    Case("book_chapter_without_text", {"content/book/book.toml": 'title = "Book"\nchapters = ["ch1.md", "ch2.md"]\n',
                                       "content/book/ch1.md": article("Chapter text.\n", "title: One\n"),
                                       "content/book/ch2.md": "---\ntitle: Two\n---\n"},
         r"content/book/ch2\.md:(3|4): ", "text", bad_slug="book"),
    Case("book_lists_missing_file", {"content/book/book.toml": 'title = "Book"\nchapters = ["ch1.md", "gone.md"]\n',
                                     "content/book/ch1.md": article("Chapter text.\n", "title: One\n")},
         r"(\S*/)?content/book/book\.toml(:2)?: ", "gone.md", bad_slug="book"),
    Case("book_lists_file_outside", {"content/book/book.toml": 'title = "Book"\nchapters = ["../../../secret.md"]\n',
                                     "content/book/ch1.md": article("Chapter text.\n", "title: One\n")},
         r"(\S*/)?content/book/book\.toml(:2)?: ", "secret.md", bad_slug="book"),
    Case("book_toml_syntax_error", {"content/book/book.toml": 'title = "Book"\nchapters = ["ch1.md"]\nauthor = \n',
                                    "content/book/ch1.md": article("Chapter text.\n", "title: One\n")},
         r"(\S*/)?content/book/book\.toml:3: ", "TOML", bad_slug="book"),
    # --- voices (per publication)
    Case("voice_wrong_language", {BAD: article("Bonjour tout le monde.\n", "title: Bonjour\nlanguage: fr\n")},
         rf"{BAD}:3: ", "fr", formats="epub,mp3", args=("--voice", "fake"), slow=True),
    # --- builds that must succeed
    Case("raw_html_is_stripped", {BAD: article(
        "Intro paragraph.\n\n<script>alert('x')</script>\n\n<iframe src=\"https://evil.example/\"></iframe>\n\n"
        "Text <img src=x onerror=\"alert(1)\"> and <a href=\"#\" onclick=\"alert(2)\">click me</a> here.\n\n"
        "<style>body{display:none}</style>\n\n[click me](javascript:alert(3)) and "
        "<a href=\"javascript:alert(4)\">js</a>.\n\n<div onmouseover=\"alert(5)\">hover text</div>\n\n"
        "Inline <script>alert(6)</script> script and <SCRIPT>alert(7)</SCRIPT>.\n\n"
        "<svg onload=\"alert(8)\"><script>alert(9)</script></svg>\n\n## <b onclick=\"alert(10)\">Bold</b> part\n\n"
        "After the HTML.\n")}, mode="ok", formats="epub,pdf", check=_no_active_content),
    Case("unclosed_inline_script_keeps_later_text", {BAD: article(
        "Before <script> never closed.\n\nAfter the HTML.\n\n## Later\n\nStill here.\n")},
        mode="ok", check=_contains("After the HTML.", "Still here.")),
    Case("bom_and_crlf", {BAD: b"\xef\xbb\xbf---\r\ntitle: Windows Title\r\n---\r\n\r\nFirst paragraph.\r\n\r\n"
                               b"## Part\r\n\r\nSecond paragraph.\r\n"}, mode="ok", check=_crlf_title),
    Case("unicode_heavy", {BAD: article("\n\n".join(UNICODE) + "\n\n## " + UNICODE[1] + "\n\n" + UNICODE[0] + "\n",
                                        "title: كتاب 📚 Cafe\u0301\n")},
         mode="ok", formats="epub,pdf,mp3", args=("--voice", "fake"), check=_contains(*UNICODE[:4]), slow=True),
    Case("title_with_script_and_ampersand",
         {BAD: article("Text.\n", "title: '<script>alert(1)</script> Tom & Jerry'\n")},
         mode="ok", formats="epub,pdf", check=_escaped_title),
    # --- project-level problems: ONE message, whatever the number of publications
    Case("narrate_toml_syntax_error", {"narrate.toml": '[publisher]\nname = "Press"\nwebsite = \n'},
         r"(\S*/)?narrate\.toml:3: ", "TOML", codes=(2,), mode="project"),
    Case("narrate_toml_wrong_types", {"narrate.toml": '[publisher]\nname = 42\n'},
         r"(\S*/)?narrate\.toml(:2)?: ", "publisher.name", codes=(2,), mode="project"),
    Case("narrate_toml_section_not_table", {"narrate.toml": 'defaults = "epub"\n'},
         r"(\S*/)?narrate\.toml(:1)?: ", "defaults", codes=(2,), mode="project"),
    Case("narrate_toml_formats_not_list", {"narrate.toml": '[defaults]\nformats = "epub"\n'},
         r"(\S*/)?narrate\.toml(:2)?: ", "formats", codes=(2,), mode="project"),
    Case("unknown_voice", {}, r"", r"nobody.*(fake.*joe|joe.*fake)|(fake.*joe|joe.*fake).*nobody",
         codes=(2, 4), mode="project", formats="epub,mp3", args=("--voice", "nobody")),
    Case("voice_profile_syntax_error", {"voices/fake.toml": 'name = "fake"\nengine = "fake\n'},
         r"(\S*/)?voices/fake\.toml:2: ", "TOML", codes=(2, 4), mode="project", formats="epub,mp3",
         args=("--voice", "fake")),
    Case("voice_piper_model_missing", {"voices/ghost.toml": 'name = "ghost"\nengine = "piper"\n'
                                                            'model = "models/ghost.onnx"\nlanguage = "en-US"\n'},
         r"(\S*/)?voices/ghost\.toml(:3)?: ", "ghost.onnx", codes=(4,), mode="project", formats="epub,mp3",
         args=("--voice", "ghost")),
    Case("source_date_epoch_invalid", {}, r"", "SOURCE_DATE_EPOCH", codes=(2,), mode="project",
         env={"SOURCE_DATE_EPOCH": "yesterday"}),
]


# ------------------------------------------------------------------------ helpers


def zip_entries(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as z:
        return {name: z.read(name) for name in z.namelist()}


def epub_text(epub: Path) -> str:
    """Every text entry of the EPUB (XHTML, OPF, NCX, CSS), concatenated."""
    return "\n".join(data.decode("utf-8", "replace") for name, data in zip_entries(epub).items()
                     if name.endswith((".xhtml", ".html", ".opf", ".ncx", ".css", ".smil", ".xml")))


def xml_problems(epub: Path) -> list[str]:
    problems = []
    for name, data in zip_entries(epub).items():
        if name.endswith((".xhtml", ".opf", ".ncx", ".xml", ".smil")):
            try:
                etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
            except etree.XMLSyntaxError as exc:
                problems.append(f"{epub.name}!{name} is not well-formed XML: {exc}")
    return problems


def run(args: list[str], *, env: dict[str, str] | None = None, timeout: float = 60, cwd: Path | None = None,
        preexec_fn=None) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    full.pop("SOURCE_DATE_EPOCH", None)
    full.update(env or {})
    return subprocess.run(NARRATE + args, capture_output=True, text=True, env=full, timeout=timeout, cwd=cwd,
                          preexec_fn=preexec_fn)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def temp_leftovers(root: Path) -> list[str]:
    out = root / "output"
    if not out.is_dir():
        return []
    return [p.relative_to(root).as_posix() for p in out.rglob("*") if p.is_file() and TEMP_NAME.search(p.name)]


def manifest_slugs(root: Path) -> dict[str, dict]:
    path = root / "output" / "manifest.json"
    if not path.is_file():
        return {}
    return {p["slug"]: p for p in json.loads(path.read_text())["publications"]}


def common_problems(proc: subprocess.CompletedProcess, root: Path) -> list[str]:
    problems = []
    both = proc.stdout + proc.stderr
    if "Traceback" in both:
        problems.append("a Traceback was printed")
    if "internal error in narrate" in both:
        problems.append("narrate reported an internal error (an unexpected exception in narrate)")
    if (root / ".narrate" / "crash.log").exists():
        log = (root / ".narrate" / "crash.log").read_text()[-600:]
        problems.append(f".narrate/crash.log was written: ...{log}")
    leftovers = temp_leftovers(root)
    if leftovers:
        problems.append(f"partial/temp files left in output/: {leftovers}")
    return problems


def check_error_line(proc: subprocess.CompletedProcess, case: Case, problems: list[str]) -> None:
    errors = error_lines(proc.stderr)
    if len(errors) != 1:
        problems.append(f"expected exactly one 'error:' line, found {len(errors)}: {errors}")
    if not errors:
        return
    line = errors[0]
    if not re.match(r"error: " + case.where, line):
        problems.append(f"the error line does not start with {case.where!r}: {line!r}")
    if case.message and not re.search(case.message, line, re.I | re.S):
        problems.append(f"the error line does not mention {case.message!r}: {line!r}")


def make_case_project(tmp_path: Path, case: Case) -> Path:
    around = tmp_path
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (around / "outside.png").write_bytes(png_bytes())
    (around / "x.png").write_bytes(png_bytes())
    (around / "secret.md").write_text(article("TOP SECRET outside text.\n", "title: Secret\n"))
    files: dict[str, str | bytes] = {"content/good.md": GOOD}
    if case.mode == "project":
        files["content/good-two.md"] = GOOD_TWO
    if "mp3" in case.formats:
        files["voices/fake.toml"] = FAKE_VOICE
    files.update(case.files)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data.replace("{AROUND}", str(around)), encoding="utf-8", newline="")
    if case.setup:
        case.setup(root, around)
    return root


def build_args(root: Path, case: Case) -> list[str]:
    return ["build", str(root), "--formats", case.formats, *case.args]


# -------------------------------------------------------------------------- tests


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.slow else [])
                                  for c in CASES])
def test_bad_input(case: Case, tmp_path: Path) -> None:
    root = make_case_project(tmp_path, case)
    try:
        proc = run(build_args(root, case), env=case.env, timeout=case.timeout, cwd=tmp_path)
    except subprocess.TimeoutExpired:
        pytest.fail(f"narrate build did not finish within {case.timeout} s (hangs on this input)")
    problems = common_problems(proc, root)
    good_epub = root / "output" / "good" / "good.epub"
    built = manifest_slugs(root)
    mode = case.mode
    if mode == "either":
        mode = "ok" if proc.returncode == 0 else "fail"

    if mode == "ok":
        if proc.returncode != 0:
            problems.append(f"expected exit 0, got {proc.returncode}")
        if error_lines(proc.stderr):
            problems.append(f"unexpected errors: {error_lines(proc.stderr)}")
        bad_epub = root / "output" / "bad" / "bad.epub"
        if not bad_epub.is_file():
            problems.append("output/bad/bad.epub was not built")
        else:
            problems += xml_problems(bad_epub)
            if case.check:
                case.check(bad_epub, problems)
    elif mode == "fail":
        if proc.returncode not in case.codes:
            problems.append(f"expected exit code in {case.codes}, got {proc.returncode}")
        check_error_line(proc, case, problems)
        if case.bad_slug:
            leftover = [p.name for p in (root / "output" / case.bad_slug).glob("*")] \
                if (root / "output" / case.bad_slug).is_dir() else []
            if leftover:
                problems.append(f"output/{case.bad_slug}/ holds files of the failed publication: {leftover}")
            if case.bad_slug in built:
                problems.append(f"the manifest lists the failed publication {case.bad_slug!r}")
    else:  # project-level: one message however many publications, no half build
        if proc.returncode not in case.codes:
            problems.append(f"expected exit code in {case.codes}, got {proc.returncode}")
        check_error_line(proc, case, problems)
    if case.mode != "project":
        if not good_epub.is_file():
            problems.append("the good article's EPUB (output/good/good.epub) was not built")
        if "good" not in built:
            problems.append("the manifest does not list the good article")
    if case.id == "duplicate_slugs":
        if built.get("same", {}).get("source") != "content/dup-1.md":
            problems.append(f"'same' should be built from content/dup-1.md, manifest has {built.get('same')}")
    if problems:
        tail = "\n".join(proc.stderr.splitlines()[-25:])
        pytest.fail(f"exit {proc.returncode}\n- " + "\n- ".join(problems) + f"\n--- stderr (tail):\n{tail}",
                    pytrace=False)


def test_raw_html_warnings_name_file_and_line(tmp_path: Path) -> None:
    case = Case("html", {BAD: article("Intro.\n\n<script>alert(1)</script>\n\nText <b onclick=\"x()\">b</b>.\n")})
    root = make_case_project(tmp_path, case)
    proc = run(build_args(root, case), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert any(line.startswith(f"warning: {BAD}:7: ") for line in warnings), warnings
    assert any(line.startswith(f"warning: {BAD}:9: ") for line in warnings), warnings


def _ten_megabytes() -> str:
    para = ("The harbour lights came on one by one along the quay, and the ferry waited for the last of the "
            "evening passengers while the tide clock turned. ")
    parts, size, n = ["---\ntitle: Ten Megabytes\n---\n\n"], 0, 0
    while size < 10 * 2**20:
        text = (f"## Section {n // 200}\n\n" if n % 200 == 0 else "") + f"Paragraph {n}: {para * 4}\n\n"
        parts.append(text)
        size += len(text)
        n += 1
    parts.append("The very last paragraph.\n")
    return "".join(parts)


@pytest.mark.slow
def test_ten_megabyte_article(tmp_path: Path) -> None:
    """Builds (EPUB) in reasonable time, or fails with a clear size message naming the file."""
    root = make_case_project(tmp_path, Case("big", {BAD: _ten_megabytes()}))
    started = time.monotonic()
    proc = run(["build", str(root), "--formats", "epub"], cwd=tmp_path, timeout=120)
    seconds = time.monotonic() - started
    print(f"\n10 MB article: exit {proc.returncode} in {seconds:.1f} s")
    problems = common_problems(proc, root)
    if proc.returncode == 0:
        epub = root / "output" / "bad" / "bad.epub"
        assert epub.is_file()
        _contains("Paragraph 0:", "The very last paragraph.")(epub, problems)
    else:
        errors = error_lines(proc.stderr)
        if len(errors) != 1 or not errors[0].startswith(f"error: {BAD}") or "MB" not in errors[0]:
            problems.append(f"expected one clear size error naming {BAD}, found {errors}")
    assert (root / "output" / "good" / "good.epub").is_file()
    assert seconds < 60, f"10 MB EPUB build took {seconds:.1f} s"
    assert not problems, problems


# ---------------------------------------------------------------- environment


def test_missing_ffmpeg(tmp_path: Path) -> None:
    """PATH without ffmpeg: one clear message naming ffmpeg, non-zero exit, nothing partial."""
    case = Case("no_ffmpeg", mode="project", formats="epub,mp3", args=("--voice", "fake"))
    root = make_case_project(tmp_path, case)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    proc = run(build_args(root, case), env={"PATH": str(bin_dir)}, cwd=tmp_path)
    problems = common_problems(proc, root)
    if proc.returncode == 0:
        problems.append("exit 0 without ffmpeg")
    errors = error_lines(proc.stderr)
    if len(errors) != 1:
        problems.append(f"expected exactly one 'error:' line, found {len(errors)}: {errors}")
    if not any("ffmpeg" in e for e in errors):
        problems.append(f"no error names ffmpeg: {errors}")
    for slug in ("good", "good-two"):
        if (root / "output" / slug / f"{slug}.mp3").exists():
            problems.append(f"output/{slug}/{slug}.mp3 exists")
    assert not problems, f"exit {proc.returncode}\n" + "\n".join(problems) + "\n" + proc.stderr[-2000:]


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


def _fill(folder: Path, leave: int) -> None:
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    with open(folder / "filler", "wb") as fh:
        try:
            fh.write(b"\0" * max(0, free - leave))
        except OSError:
            pass


def _fsize_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_full_disk_keeps_previous_output(tmp_path: Path) -> None:
    """A full disk: a clear OutputError ('No space left' / 'File too large'), non-zero exit, old files intact."""
    root = make_case_project(tmp_path, Case("disk"))
    disk = tmp_path / "disk"
    mounted = _mount_tmpfs(disk, "2m")
    try:
        args = ["build", str(root), "--formats", "epub", "--output", str(disk / "out")]
        first = run(args, cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        epub = disk / "out" / "good" / "good.epub"
        before = epub.read_bytes()
        manifest_before = (disk / "out" / "manifest.json").read_bytes()
        (root / "content" / "good.md").write_text(GOOD + "\nA new paragraph that forces a rebuild.\n")
        if mounted:
            _fill(disk, 16 * 1024)
            proc = run(args, cwd=tmp_path)
            expected = "No space left"
        else:  # no mount: a file-size limit makes writes fail with EFBIG
            proc = run(args, cwd=tmp_path, preexec_fn=_fsize_limit(16 * 1024))
            expected = "File too large"
        print(f"\nfull disk (tmpfs={mounted}): exit {proc.returncode}; {error_lines(proc.stderr)}")
        problems = []
        if "Traceback" in proc.stdout + proc.stderr or "internal error" in proc.stderr:
            problems.append("traceback or internal error printed")
        if proc.returncode == 0:
            problems.append("exit 0 on a full disk")
        if proc.returncode not in (6, 8):
            problems.append(f"expected exit 6 (output error) or 8, got {proc.returncode}")
        errors = error_lines(proc.stderr)
        if len(errors) != 1 or expected not in errors[0]:
            problems.append(f"expected one error saying {expected!r}, found {errors}")
        if epub.read_bytes() != before:
            problems.append("the previous EPUB was changed")
        if (disk / "out" / "manifest.json").read_bytes() != manifest_before:
            problems.append("the previous manifest was changed")
        leftovers = [p.name for p in (disk / "out").rglob("*") if p.is_file() and TEMP_NAME.search(p.name)]
        if leftovers:
            problems.append(f"temp files left: {leftovers}")
        assert not problems, f"mounted tmpfs={mounted}, exit {proc.returncode}\n" + "\n".join(problems) + \
            "\n" + proc.stderr[-1500:]
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True)
