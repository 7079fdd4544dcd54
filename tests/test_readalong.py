"""The read-along EPUB: EPUBCheck, overlay ids, clip times against the real audio."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import FAKE_VOICE, REPO, epubcheck

from narrate.build import BuildOptions, build

SMIL = "{http://www.w3.org/ns/SMIL}"


def clock(value: str) -> float:
    h, m, s = value.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """The repo's sample content, narrated by the fake engine, every EPUB edition."""
    root = tmp_path_factory.mktemp("samples") / "project"
    shutil.copytree(REPO / "content", root / "content")
    (root / "voices").mkdir()
    (root / "voices" / "fake.toml").write_text(FAKE_VOICE)
    report = build(root, BuildOptions(formats=("epub", "epub-readaloud"), voice="fake"))
    assert not report.failed, [str(r.error) for r in report.failed]
    return root / "output"


def decoded_seconds(path: Path) -> float:
    """What a player plays: decoded samples (the LAME header's encoder delay and padding removed)."""
    rate = int(subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                               "stream=sample_rate", "-of", "csv=p=0", str(path)],
                              capture_output=True, text=True, check=True).stdout)
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    return len(pcm) / 2 / rate


def readalouds(out: Path) -> list[Path]:
    found = sorted(out.rglob("*.readaloud.epub"))
    assert len(found) == 2
    return found


def test_epubcheck_clean(samples):
    for epub in readalouds(samples):
        errors, warnings, report = epubcheck(epub)
        assert (errors, warnings) == (0, 0), report


def test_overlay_metadata(samples):
    for epub in readalouds(samples):
        with zipfile.ZipFile(epub) as z:
            opf = z.read("EPUB/content.opf").decode()
        assert '<meta property="media:active-class">-epub-media-overlay-active</meta>' in opf
        assert 'property="media:narrator">a synthetic voice (fake)<' in opf  # never the internal id
        refined = re.findall(r'<meta property="media:duration" refines="#(smil-[^"]+)">([^<]+)<', opf)
        total = re.findall(r'<meta property="media:duration">([^<]+)<', opf)
        assert refined and len(total) == 1
        assert abs(sum(clock(v) for _, v in refined) - clock(total[0])) < 0.01
        assert "auditory,textual" in opf and 'media-type="audio/mpeg"' in opf
        assert 'media-overlay="smil-' in opf


def test_every_text_src_exists_and_clips_tile_the_audio(samples, tmp_path):
    for epub in readalouds(samples):
        with zipfile.ZipFile(epub) as z:
            smils = [n for n in z.namelist() if n.endswith(".smil")]
            assert smils
            for name in smils:
                root = ET.fromstring(z.read(name))
                pars = root.iter(f"{SMIL}par")
                ends, total, audio_src = 0.0, 0.0, None
                ids_cache: dict[str, set[str]] = {}
                for par in pars:
                    text = par.find(f"{SMIL}text").get("src")
                    doc, frag = text.split("#")
                    doc_name = "EPUB/" + doc.removeprefix("../")
                    if doc_name not in ids_cache:
                        ids_cache[doc_name] = set(re.findall(r'id="([^"]+)"', z.read(doc_name).decode()))
                    assert frag in ids_cache[doc_name], f"{name}: {text}"
                    audio = par.find(f"{SMIL}audio")
                    begin, end = clock(audio.get("clipBegin")), clock(audio.get("clipEnd"))
                    assert begin == pytest.approx(ends, abs=1e-6) and end > begin
                    ends = end
                    total += end - begin
                    audio_src = audio.get("src")
                audio_path = tmp_path / Path(audio_src).name
                audio_path.write_bytes(z.read("EPUB/" + audio_src.removeprefix("../")))
                assert abs(total - decoded_seconds(audio_path)) < 0.05, (name, total)


def test_sentences_are_wrapped_in_the_readalong_text_only(samples):
    epub = samples / "listening-hours" / "listening-hours.readaloud.epub"
    plain = samples / "listening-hours" / "listening-hours.epub"
    with zipfile.ZipFile(epub) as z:
        text = z.read("EPUB/text/article.xhtml").decode()
    assert re.search(r'<span id="c\d+-b\d+-s2">', text)
    ET.fromstring(text)  # still well-formed XML
    with zipfile.ZipFile(plain) as z:
        names = z.namelist()
        assert "<span id=" not in z.read("EPUB/text/article.xhtml").decode()
    assert not any(n.endswith((".smil", ".mp3")) for n in names)


def test_ordinary_epub_unchanged_by_readalong(samples, tmp_path, monkeypatch):
    root = samples.parent
    report = build(root, BuildOptions(formats=("epub",), voice="fake", output=tmp_path / "alone"))
    assert not report.failed
    for slug in ("listening-hours", "the-tide-clock"):
        alone = (tmp_path / "alone" / slug / f"{slug}.epub").read_bytes()
        assert alone == (samples / slug / f"{slug}.epub").read_bytes()
