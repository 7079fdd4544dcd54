"""`narrate check`: a clean build passes; each kind of damage becomes the expected error finding."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import FAKE_VOICE, copy_built
from conftest import TIDES_ARTICLE as ARTICLE

from narrate.check import epub as check_epub
from narrate.check.run import CheckReport, Finding, check_project
from narrate.engine.run import BuildOptions, build


def make_built(base: Path, voice: str = FAKE_VOICE, formats: tuple[str, ...] | None = None) -> Path:
    (base / "content").mkdir(parents=True)
    (base / "voices").mkdir()
    (base / "content" / "tides.md").write_text(ARTICLE, encoding="utf-8")
    (base / "voices" / "fake.toml").write_text(voice, encoding="utf-8")
    report = build(base, BuildOptions(voice="fake", formats=formats))
    assert not report.failed, [str(r.error) for r in report.failed]
    return base


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """One article in every format, built once; tests check copies of it."""
    return make_built(tmp_path_factory.mktemp("check") / "project")


@pytest.fixture
def project(built, tmp_path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "copy"))


def errors(report: CheckReport) -> set[tuple[str, str]]:
    """{(artifact file name, check)} of the error findings."""
    return {(Path(f.path).name, f.check) for f in report.findings if f.level == "error"}


def manifest_entry(root: Path, fmt: str) -> dict:
    manifest = json.loads((root / "output" / "manifest.json").read_text())
    return next(a for a in manifest["publications"][0]["artifacts"] if a["format"] == fmt)


def rewrite_zip(path: Path, edit) -> None:
    """Rewrite an EPUB entry by entry (order and compression kept), passing each through ``edit``."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, edit(info.filename, src.read(info.filename))) for info in src.infolist()]
    with zipfile.ZipFile(path, "w") as dst:
        for info, data in entries:
            dst.writestr(info, data)


# --------------------------------------------------------------------- passing


def test_a_clean_build_passes_every_check(built):
    report = check_project(built)
    assert report.ok, [f for f in report.findings if f.level != "info"]
    assert report.findings == [f for f in report.findings if f.level == "info"]
    assert (report.publications, report.artifacts) == (1, 10)  # the HTML transcript is the tenth
    checks = {(Path(f.path).suffix, f.check) for f in report.findings}
    assert {(".epub", "epubcheck"), (".mp3", "loudness"), (".m4b", "loudness")} <= checks
    assert json.loads(json.dumps(dataclasses.asdict(report)))["findings"][0]["level"] == "info"


def test_acx_voice_is_checked_against_acx_rules(tides_acx_mp3, tmp_path):
    root = copy_built(tides_acx_mp3, tmp_path)
    report = check_project(root)
    assert report.ok, report.findings
    [acx] = [f for f in report.findings if f.check == "acx"]
    assert acx.level == "info" and "room tone" in acx.message


def test_nothing_built_is_one_clear_error(make_project):
    root = make_project({"content/a.md": ARTICLE})
    report = check_project(root)
    assert not report.ok
    assert report.findings == [Finding("", "manifest.json", "manifest", "error",
                                       f"nothing built: no {root / 'output' / 'manifest.json'}; run narrate build")]


def test_missing_epubcheck_is_a_warning(project, monkeypatch):
    monkeypatch.setattr(check_epub, "epubcheck_command", lambda: None)
    report = check_project(project)
    assert report.ok
    found = [f for f in report.findings if f.check == "epubcheck"]
    assert len(found) == 2
    assert {(f.level, f.message) for f in found} == {
        ("warning", "EPUBCheck not available: install Java and epubcheck")}


# -------------------------------------------------------------------- tampering


def corrupt_epub_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(b"application/epub+zip")
    data[at + 3] ^= 0x20  # "application" → "apPlication": the stored mimetype entry
    path.write_bytes(bytes(data))


def drop_last_mp3_chapter(path: Path) -> None:
    meta = path.with_suffix(".ffmeta")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(path), "-f", "ffmetadata", str(meta)], check=True)
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text[: text.rindex("[CHAPTER]")], encoding="utf-8")
    out = path.with_name("remuxed.mp3")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(path), "-i", str(meta), "-map", "0",
                    "-map_metadata", "1", "-map_chapters", "1", "-c", "copy", "-id3v2_version", "3", str(out)],
                   check=True)
    out.replace(path)
    meta.unlink()


def strip_a11y(name: str, data: bytes) -> bytes:
    if not name.endswith(".opf"):
        return data
    lines = data.decode("utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if 'property="schema:' not in line).encode("utf-8")


def test_each_kind_of_damage_is_an_error_finding(project):
    out = project / "output" / "tides"
    corrupt_epub_byte(out / "tides.epub")
    drop_last_mp3_chapter(out / "tides.mp3")
    rewrite_zip(out / "tides.readaloud.epub", strip_a11y)
    (out / "tides.large-print.pdf").unlink()
    pdf = out / "tides.pdf"
    pdf.write_bytes(pdf.read_bytes()[:400])
    manifest_path = project / "output" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    m4b = next(a for a in manifest["publications"][0]["artifacts"] if a["format"] == "m4b")
    m4b["duration_s"] += 1.0
    manifest_path.write_text(json.dumps(manifest))

    report = check_project(project)

    assert not report.ok
    assert errors(report) == {
        ("tides.epub", "sha256"), ("tides.epub", "epubcheck"), ("tides.epub", "epub-zip"),
        ("tides.mp3", "size"), ("tides.mp3", "sha256"), ("tides.mp3", "audio-chapters"),
        ("tides.readaloud.epub", "size"), ("tides.readaloud.epub", "sha256"), ("tides.readaloud.epub", "epub-a11y"),
        ("tides.large-print.pdf", "file"),
        ("tides.pdf", "size"), ("tides.pdf", "sha256"), ("tides.pdf", "pdf"),
        ("tides.m4b", "audio-duration"),
    }
    by_check = {(Path(f.path).name, f.check): f.message for f in report.findings if f.level == "error"}
    assert "expected 5 chapters" in by_check["tides.mp3", "audio-chapters"]  # credits are chapters too
    assert "schema:accessMode" in by_check["tides.readaloud.epub", "epub-a11y"]
    assert "the manifest says" in by_check["tides.m4b", "audio-duration"]


def test_damaged_transcripts_and_overlays(project, monkeypatch):
    monkeypatch.setattr(check_epub, "epubcheck_command", lambda: None)
    out = project / "output" / "tides"
    chapters = json.loads((out / "tides.chapters.json").read_text())
    chapters["version"] = "1.1.0"
    (out / "tides.chapters.json").write_text(json.dumps(chapters))
    vtt = (out / "tides.vtt").read_text()
    third_start = re.findall(r"^(\d\d:\d\d:\d\d\.\d{3}) --> ", vtt, flags=re.M)[2]
    (out / "tides.vtt").write_text(vtt.replace(f"{third_start} --> ", "00:00:00.000 --> ", 1))

    def break_overlay(name: str, data: bytes) -> bytes:
        if name.endswith(".smil"):
            return data.replace(b"#c1-b1-s1", b"#no-such-id", 1)
        if name.endswith(".opf"):
            return data.replace(b'property="media:narrator"', b'property="x:narrator"')
        return data

    rewrite_zip(out / "tides.readaloud.epub", break_overlay)
    with pikepdf.open(out / "tides.pdf", allow_overwriting_input=True) as pdf:
        del pdf.Root["/MarkInfo"], pdf.Root["/Lang"]
        with pdf.open_outline() as tree:
            tree.root[0].children[0].title = "Mourning"
        pdf.save(out / "tides.pdf")
    report = check_project(project)
    found = {(Path(f.path).name, f.check): f.message for f in report.findings if f.level == "error"}
    assert "'1.1.0'" in found["tides.chapters.json", "chapters-json"]
    assert "go backwards" in found["tides.vtt", "transcript"]
    assert {"pdf-tags", "pdf-lang", "pdf-outline"} <= {c for name, c in found if name == "tides.pdf"}
    outline = " ".join(f.message for f in report.findings if f.check == "pdf-outline")
    assert "missing from the outline or out of order (compared with the EPUB navigation): ['Morning']" in outline
    assert "not headings in the EPUB navigation: ['Mourning']" in outline
    overlay = [f.message for f in report.findings if f.check == "media-overlay"]
    assert any("#no-such-id" in m for m in overlay) and any("media:narrator" in m for m in overlay)


def test_a_garbage_manifest_is_a_finding_not_a_traceback(project):
    (project / "output" / "manifest.json").write_text("{not json")
    [finding] = check_project(project).findings
    assert (finding.check, finding.level) == ("manifest", "error") and "run narrate build" in finding.message
