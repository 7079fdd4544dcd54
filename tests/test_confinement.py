"""No file outside the project is ever read or written by a build, whatever the content says.

A hostile project (images and a cover pointing at ``../../``, ``/etc/passwd``, ``file://``,
symlinks leading out, a Markdown file that is a symlink to a file outside, a book listing
``../`` files, raw HTML pointing at outside files) is built as EPUB, PDF and MP3 (fake
voice) under ``strace -f`` (every process: Python, ffmpeg, helpers). Then, from the trace:

* no planted sentinel file beside the project is ever opened (not even attempted);
* every path opened for writing, created, renamed or unlinked is inside the project (or
  its output) or the system temp dir (outside the pytest folder around the project);
* every file read is inside an allowlist: the project, Python's install and the venv,
  narrate's own sources, /usr, /lib*, /proc, /sys, /dev, a few /etc files (the dynamic
  loader, fontconfig, locale/time zone), the system temp dir.

Needs ``strace`` (Debian package ``strace``); skipped without it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FAKE_VOICE, png_bytes

import narrate

pytestmark = pytest.mark.skipif(shutil.which("strace") is None and not os.environ.get("CI"),
                                reason="strace is needed (apt-get install strace); required in CI")

TRACED = "openat,open,creat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,rmdir,link,linkat," \
         "symlink,symlinkat,truncate,chdir,execve"
MUTATING = {"creat", "rename", "renameat", "renameat2", "unlink", "unlinkat", "mkdir", "mkdirat", "rmdir", "link",
            "linkat", "symlink", "symlinkat", "truncate"}
WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
ETC_ALLOWED = ("/etc/ld.so.cache", "/etc/ld.so.preload", "/etc/fonts/", "/etc/localtime", "/etc/timezone",
               "/etc/locale.alias", "/etc/mime.types", "/etc/gnutls/", "/etc/ssl/openssl.cnf",
               "/etc/nsswitch.conf", "/etc/host.conf", "/etc/gai.conf", "/etc/os-release",
               "/etc/alternatives/", "/etc/pulse/", "/etc/alsa/", "/etc/vdpau_wrapper.cfg", "/etc/OpenCL/",
               "/etc/ssl/certs/", "/etc/xdg/")




def hostile_project(around: Path) -> tuple[Path, list[Path]]:
    """A project at around/project that points outside in every way; returns (root, sentinels)."""
    root = around / "project"
    sentinels = []
    for name, data in (("outside.png", png_bytes()), ("x.png", png_bytes()), ("secret.md", None),
                       ("secret-lexicon.toml", b'[lexicon]\nfoo = "bar"\n'), ("SENTINEL.txt", b"sentinel\n")):
        path = around / name
        path.write_bytes(data if data is not None else b"---\ntitle: Secret\n---\n\nTOP SECRET outside text.\n")
        sentinels.append(path)
    files = {
        "content/ok.md": "---\ntitle: Ok\ndescription: fine\n---\n\nHello ![inside](pics/in.png) there.\n\n"
                         "<img src=\"../../outside.png\"> <iframe src=\"../../SENTINEL.txt\"></iframe> "
                         "[link](file:///etc/passwd) [l2](../../SENTINEL.txt)\n\n## Two\n\nMore text.\n",
        "content/cover-out.md": "---\ntitle: Cover Out\ncover: ../../x.png\n---\n\nText.\n",
        "content/cover-abs.md": f"---\ntitle: Cover Abs\ncover: {around}/x.png\n---\n\nText.\n",
        "content/img-dotdot.md": "---\ntitle: Dotdot\n---\n\n![a](../../outside.png)\n",
        "content/img-abs.md": f"---\ntitle: Abs\n---\n\n![a]({around}/outside.png)\n",
        "content/img-passwd.md": "---\ntitle: Passwd\n---\n\n![a](/etc/passwd)\n\n![b](file:///etc/passwd)\n",
        "content/img-link.md": "---\ntitle: Link\n---\n\n![a](pics/link.png)\n",
        "content/img-dirlink.md": "---\ntitle: Dirlink\n---\n\n![a](up/outside.png)\n",
        "content/book/book.toml": 'title = "Book"\ncover = "../../../x.png"\nchapters = ["ch1.md"]\n',
        "content/book/ch1.md": "---\ntitle: One\n---\n\nChapter text.\n",
        "content/book2/book.toml": 'title = "Book Two"\nchapters = ["../../../secret.md"]\n',
        "voices/fake.toml": FAKE_VOICE,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "content/pics").mkdir(parents=True, exist_ok=True)
    (root / "content/pics/in.png").write_bytes(png_bytes())
    (root / "content/pics/link.png").symlink_to(around / "outside.png")
    (root / "content/up").symlink_to(around)
    (root / "content/leak.md").symlink_to(around / "secret.md")
    return root, sentinels


@dataclass(frozen=True)
class Access:
    pid: str
    call: str
    path: str  # as resolved from the trace (absolute, normalized, symlinks not followed)
    real: str  # symlinks followed, as far as they exist now
    write: bool
    ok: bool
    line: str


_LINE = re.compile(r"^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+|\?)")
_STR = re.compile(r'"((?:[^"\\]|\\.)*)"')
_FD = re.compile(r"^(?:\d+|AT_FDCWD)<(.*)>$")


def _unescape(text: str) -> str:
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1").decode(
        "utf-8", "replace")


def parse_trace(log: Path, cwd: Path) -> list[Access]:
    accesses: list[Access] = []
    cwds: dict[str, Path] = {}
    for line in log.read_text(errors="replace").splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        pid, call, args, result = match.groups()
        if call == "execve":
            strings = _STR.findall(args)[:1]  # the program, not its arguments
        else:
            strings = _STR.findall(args)
        # openat(3</dir>, "name") / openat(AT_FDCWD</cwd>, "name"): relative to that directory (strace -y)
        first = args.split(",", 1)[0].strip()
        fd_dir = _FD.match(first)
        base = Path(fd_dir.group(1)) if fd_dir else cwds.get(pid, cwd)
        if call == "chdir" and not result.startswith("-") and strings:
            cwds[pid] = Path(os.path.normpath(base / _unescape(strings[0])))
            continue
        write = call in MUTATING or (call in ("open", "openat") and any(f in args for f in WRITE_FLAGS))
        for raw in strings:
            raw = _unescape(raw)
            path = os.path.normpath(raw if raw.startswith("/") else base / raw)
            accesses.append(Access(pid, call, path, os.path.realpath(path), write, not result.startswith("-"),
                                   line))
    return accesses


def _under(path: str, *bases: str | Path) -> bool:
    return any(path == str(b) or path.startswith(str(b).rstrip("/") + "/") for b in bases)


def read_allowed(path: str, root: Path, around: Path) -> bool:
    if _under(path, root):
        return True
    if _under(path, around):  # the folder around the project: only the project itself
        return False
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                sysconfig.get_paths()["purelib"], str(Path(narrate.__file__).resolve().parent.parent),
                "/usr", "/lib", "/lib64", "/bin", "/sbin", "/proc", "/sys", "/dev", "/var/cache/fontconfig",
                tempfile.gettempdir()}
    if _under(path, *prefixes):
        return True
    return any(path == e or (e.endswith("/") and path.startswith(e)) for e in ETC_ALLOWED)


def write_allowed(path: str, root: Path, around: Path) -> bool:
    if _under(path, root):
        return True
    if _under(path, around):
        return False
    return _under(path, tempfile.gettempdir(), "/dev/null", "/dev/shm", "/proc/self", "/dev/pts", "/dev/tty")


def traced_build(tmp_path: Path, formats: str) -> tuple[subprocess.CompletedProcess, list[Access], Path, Path,
                                                        list[Path]]:
    around = tmp_path / "around"
    around.mkdir()
    root, sentinels = hostile_project(around)
    log = tmp_path / "strace.log"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = ["strace", "-f", "-y", "-qq", "-s", "4096", "-e", f"trace={TRACED}", "-o", str(log),
               sys.executable, "-m", "narrate", "build", str(root), "--formats", formats, "--voice", "fake",
               "--jobs", "1"]
    proc = subprocess.run(command, capture_output=True, text=True, cwd=root, env=env, timeout=180)
    return proc, parse_trace(log, root), root, around, sentinels


def test_hostile_project_never_leaves_the_project(tmp_path: Path) -> None:
    proc, accesses, root, around, sentinels = traced_build(tmp_path, "epub,pdf,mp3")
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 8, proc.stderr[-3000:]  # the hostile publications fail, ok.md builds
    assert (root / "output" / "ok" / "ok.epub").is_file(), proc.stderr[-3000:]
    assert accesses, "strace recorded nothing"
    built = [p["slug"] for p in json.loads((root / "output" / "manifest.json").read_text())["publications"]]
    assert built == ["ok"], f"only ok.md may build, the manifest lists {built}"
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    for source in ("content/book/book.toml", "content/book2/book.toml", "content/cover-abs.md:3:",
                   "content/cover-out.md:3:", "content/img-abs.md:5:", "content/img-dirlink.md:5:",
                   "content/img-dotdot.md:5:", "content/img-link.md:5:", "content/img-passwd.md:5:",
                   "content/leak.md"):
        assert any(source in line for line in errors), f"no error for {source}: {errors}"

    problems = []
    planted = {str(p) for p in sentinels}
    for a in accesses:
        if a.call in ("open", "openat", "creat", "execve") and (a.path in planted or a.real in planted):
            problems.append(f"a planted file outside the project was opened: {a.line}")
    if not any(a.path == str(root / "content" / "ok.md") for a in accesses):
        problems.append("the trace never shows content/ok.md being opened: the trace is not working")
    for a in accesses:
        if not a.ok or a.call == "execve":
            continue
        if a.write:
            for path in {a.path, a.real}:
                if not write_allowed(path, root, around):
                    problems.append(f"WRITE outside the project: {path} ({a.line})")
        elif a.call in ("open", "openat"):
            if not read_allowed(a.real, root, around):
                problems.append(f"READ outside the allowlist: {a.real} ({a.line})")
    # the secret text reached no edition
    for path in (root / "output").rglob("*"):
        if path.is_file() and path.suffix in (".epub",):
            with zipfile.ZipFile(path) as z:
                if any(b"TOP SECRET" in z.read(n) for n in z.namelist()):
                    problems.append(f"{path.name} contains the text of a file outside the project")
        elif path.is_file() and b"TOP SECRET" in path.read_bytes():
            problems.append(f"{path.name} contains the text of a file outside the project")
    unique = list(dict.fromkeys(problems))
    assert not unique, f"{len(unique)} problem(s):\n" + "\n".join(unique[:40])


def test_voice_lexicon_outside_the_project_is_refused(tmp_path: Path) -> None:
    """A voice profile's ``lexicons = ["../secret-lexicon.toml"]`` must not read the file outside."""
    around = tmp_path / "around"
    around.mkdir()
    root, sentinels = hostile_project(around)
    for rel in list((root / "content").iterdir()):
        if rel.name != "ok.md":
            shutil.rmtree(rel) if rel.is_dir() and not rel.is_symlink() else rel.unlink()
    (root / "content" / "ok.md").write_text("---\ntitle: Ok\n---\n\nHello there.\n")
    (root / "voices" / "fake.toml").write_text(FAKE_VOICE + 'lexicons = ["../secret-lexicon.toml"]\n')
    log = tmp_path / "strace.log"
    command = ["strace", "-f", "-y", "-qq", "-s", "4096", "-e", f"trace={TRACED}", "-o", str(log),
               sys.executable, "-m", "narrate", "build", str(root), "--formats", "mp3", "--voice", "fake"]
    proc = subprocess.run(command, capture_output=True, text=True, cwd=root, timeout=120,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert "Traceback" not in proc.stdout + proc.stderr
    opened = [a.line for a in parse_trace(log, root)
              if a.call in ("open", "openat") and a.real == str(around / "secret-lexicon.toml")]
    assert not opened, "the lexicon outside the project was read:\n" + "\n".join(opened)
    assert proc.returncode != 0, "a lexicon outside the project should be refused with a message"
    assert "secret-lexicon.toml" in proc.stderr
