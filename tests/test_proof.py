"""``narrate proof`` end to end with the fake voice: JSON shape, clips, the page's links, warm runs, check."""

from __future__ import annotations

import json
import subprocess
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FAKE_VOICE
from typer.testing import CliRunner

from narrate.check.run import check_project
from narrate.cli import app
from narrate.engine.run import BuildOptions, build
from narrate.proof import proof_project

ARTICLE = """
---
title: Tide Tables
author: Sam Writer
---

A short lead. Siobhan read the NASA report by Dr. Nguyen at the BBC.

## Morning

High water came at 6:15 on March 3, 2025. The wind rose and Quillfeather will wind the clock.

## Evening

The ferry cost $12.50, a rise of 5%. Zyzzogeton wrote 12 km of notes.
"""
LEXICON = '[aliases]\n"Zyzzogeton" = "zizzo geton"\n'


def make(base: Path, *, formats: tuple[str, ...] | None = ("mp3",), accept: str = "") -> Path:
    root = base / "project"
    voice = FAKE_VOICE + 'lexicons = ["voices/lexicon.toml"]\n'
    files = {"content/tides.md": ARTICLE, "voices/fake.toml": voice, "voices/lexicon.toml": LEXICON,
             "narrate.toml": f"[proof]\naccept = [{accept}]\n" if accept else ""}
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    if formats:
        report = build(root, BuildOptions(formats=formats, voice="fake", jobs=1))
        assert not report.failed, [str(r.error) for r in report.failed]
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make(tmp_path_factory.mktemp("proof"))
    result = CliRunner().invoke(app, ["proof", str(root), "--json", "--jobs", "2", "--voice", "fake"])
    assert result.exit_code == 0, result.output
    return root, json.loads(result.stdout)


class Links(HTMLParser):
    @classmethod
    def of(cls, html: str) -> Links:
        parser = cls()
        parser.feed(html)
        return parser

    def __init__(self) -> None:
        super().__init__()
        self.audio: list[str] = []
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "audio":
            self.audio.append(a["src"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if a.get("id"):
            self.ids.add(a["id"])


def test_json_shape_and_paths_relative_to_output(built):
    root, data = built
    assert list(data) == ["publications"]
    [pub] = data["publications"]
    assert set(pub) == {"slug", "page", "flagged"} and pub["slug"] == "tides" and pub["page"] == "proof/tides.html"
    assert (root / "output" / pub["page"]).is_file()
    for entry in pub["flagged"]:
        assert set(entry) == {"word", "reason", "count", "spoken", "clip", "sentences"}
        assert entry["reason"] in {"unknown", "acronym", "heteronym", "number"}
        assert entry["count"] >= len(entry["sentences"]) >= 1
        assert (root / "output" / entry["clip"]).is_file(), entry
    words = {e["word"]: e for e in pub["flagged"]}
    assert words["Quillfeather"]["reason"] == "unknown" and words["Quillfeather"]["spoken"].startswith("/")
    assert words["Quillfeather"]["sentences"] == ["The wind rose and Quillfeather will wind the clock."]
    assert words["BBC"]["spoken"] == "B B C (as letters)"
    assert words["wind"]["count"] == 2 and words["6:15"]["spoken"] == "six fifteen"
    assert "Zyzzogeton" not in words  # in the voice's lexicon


def test_proof_json_lists_lexicon_words_and_every_heteronym(built):
    root, _ = built
    [pub] = json.loads((root / "output" / "proof" / "proof.json").read_text(encoding="utf-8"))["publications"]
    assert [(r["word"], r["says"], r["problem"]) for r in pub["lexicon"]] == [("Zyzzogeton", "zizzo geton", "")]
    winds = [h for h in pub["heteronyms"] if h["word"] == "wind"]
    assert [h["sentence"] for h in winds] == ["The wind rose and Quillfeather will wind the clock."] * 2
    assert all(h["reading"].startswith("the voice's own") and not h["chosen"] for h in winds)  # a text voice
    page = (root / "output" / pub["page"]).read_text(encoding="utf-8")
    assert 'id="pronunciation"' in page and "Zyzzogeton" in page


def test_proof_json_holds_what_the_readme_promises(built):
    """output/proof/proof.json carries each word's spoken form, clip and sentences, as --json does."""
    root, data = built
    summary = json.loads((root / "output" / "proof" / "proof.json").read_text(encoding="utf-8"))
    [pub] = summary["publications"]
    assert pub["flagged"] == data["publications"][0]["flagged"]
    assert all({"spoken", "clip", "sentences"} <= set(entry) for entry in pub["flagged"])


def test_clips_are_small_mp3s_of_each_sentence(built):
    root, data = built
    clips = sorted((root / "output" / "proof" / "clips").rglob("*.mp3"))
    assert len(clips) >= 8
    cache = {p.stem: p for p in (root / ".narrate" / "cache" / "audio").rglob("*.flac")}
    for clip in clips:
        probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-of", "json", "-show_entries",
                                           "stream=codec_name,channels:format=duration", str(clip)],
                                          capture_output=True, text=True, check=True).stdout)
        assert probe["streams"][0]["codec_name"] == "mp3" and probe["streams"][0]["channels"] == 1
        wav = cache[clip.stem]  # named after the cached sentence it encodes
        from narrate.audio import flac
        frames, rate, _, _ = flac.info(wav)
        seconds = frames / rate
        assert abs(float(probe["format"]["duration"]) - seconds) < 0.15
        assert clip.stat().st_size < 2 * frames / 4  # a quarter of the sentence's 16-bit samples


def test_page_play_controls_point_at_existing_clips(built):
    root, data = built
    page = root / "output" / "proof" / "tides.html"
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    script_lines = [line for line in CliRunner().invoke(app, ["script", "tides", "--project", str(root),
                                                              "--voice", "fake"]).stdout.splitlines() if line]
    words = len(data["publications"][0]["flagged"])
    assert len(parser.audio) == len(script_lines) + words  # every sentence, and one per flagged entry
    for src in parser.audio:
        assert (page.parent / src).resolve().is_file(), src
    for href in parser.hrefs:
        if href.startswith("#"):
            assert href[1:] in parser.ids, href
        else:
            assert (page.parent / href).is_file(), href
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html
    # durations, and the loudness of each chapter: opening credits, the lead, two sections, closing credits
    assert html.count('<svg role="img"') == 6
    assert "Loudness over time: Morning" in html and "<desc" in html
    assert '&#34;Quillfeather&#34; = &#34;Quillfeather&#34;' in html or '"Quillfeather" = "Quillfeather"' in html
    index = Links()
    index.feed((root / "output" / "proof" / "index.html").read_text(encoding="utf-8"))
    assert index.hrefs == ["tides.html"]


def test_a_warm_run_synthesizes_and_encodes_nothing(built):
    root, _ = built
    page = root / "output" / "proof" / "tides.html"
    before = page.read_bytes()
    report = proof_project(root, voice="fake")
    [pub] = report.publications
    assert (pub.synthesized, pub.clips_made) == (0, 0)
    assert page.read_bytes() == before


def test_check_counts_unreviewed_words_and_strict_fails(built):
    root, data = built
    findings = [f for f in check_project(root).findings if f.check == "proof-words"]
    [finding] = findings
    flagged = [e for e in data["publications"][0]["flagged"] if e["reason"] != "number"]
    assert finding.level == "warning" and finding.message.startswith(f"{len(flagged)} flagged word(s)")
    strict = CliRunner().invoke(app, ["check", str(root), "--strict", "--json"])
    assert strict.exit_code == 1
    assert [f["level"] for f in json.loads(strict.stdout)["findings"] if f["check"] == "proof-words"] == ["error"]


def test_accepted_words_are_known_and_check_passes_when_all_are(tmp_path):
    everything = '"Siobhan", "Nguyen", "NASA", "BBC", "read", "wind", "lead", "Quillfeather"'
    root = make(tmp_path, formats=None, accept=everything)  # nothing built: loudness from the cache
    report = proof_project(root, voice="fake")
    [pub] = report.publications
    assert {f.reason for f in pub.flagged} == {"number"} and pub.synthesized > 0 and pub.clips_made > 0
    html = (root / "output" / pub.page).read_text(encoding="utf-8")
    # desc and caption of the 5 charts: durations, opening credits, the text, two closing chapters' worth
    assert html.count("from the synthesis cache, before loudness correction") == 10
    assert len(list((root / ".narrate" / "proof").glob("loudness-*.json"))) == 1
    assert not [f for f in check_project(root).findings if f.check == "proof-words"]


def test_unknown_slug_is_a_configuration_error(built):
    root, _ = built
    result = CliRunner().invoke(app, ["proof", str(root), "--only", "nope", "--voice", "fake"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_only_keeps_the_other_publications_words_and_a_damaged_summary_is_a_warning(tmp_path):
    root = make(tmp_path, formats=None)
    (root / "content" / "second.md").write_text("---\ntitle: Second\n---\n\nOkonkwo sailed.\n", encoding="utf-8")
    proof_project(root, voice="fake")
    clips = root / "output" / "proof" / "clips"
    stale = clips / "00" / ("0" * 64 + ".mp3")
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"old")
    proof_project(root, voice="fake", only=("second",))
    assert stale.is_file()  # a partial run cannot tell which clips the others use
    proof_project(root, voice="fake")
    assert not stale.exists() and not stale.parent.exists()
    page = (root / "output" / "proof" / "tides.html").read_text(encoding="utf-8")
    assert all((root / "output" / "proof" / src).is_file() for src in Links.of(page).audio)
    proof_project(root, voice="fake", only=("second",))
    summary = json.loads((root / "output" / "proof" / "proof.json").read_text(encoding="utf-8"))
    assert [p["slug"] for p in summary["publications"]] == ["second", "tides"]
    assert {f["word"] for f in summary["publications"][0]["flagged"]} == {"Okonkwo"}
    index = Links()
    index.feed((root / "output" / "proof" / "index.html").read_text(encoding="utf-8"))
    assert index.hrefs == ["second.html", "tides.html"]
    (root / "output" / "proof" / "proof.json").write_text("{not json", encoding="utf-8")
    build(root, BuildOptions(formats=("epub",), voice="fake", jobs=1))
    [finding] = [f for f in check_project(root).findings if f.check == "proof-words"]
    assert finding.level == "warning" and "run narrate proof" in finding.message


def test_a_publication_whose_voice_fails_is_reported_and_the_others_are_proofed(tmp_path):
    root = make(tmp_path, formats=None)
    (root / "content" / "german.md").write_text("---\ntitle: Zweite\nlanguage: de\n---\n\nHallo.\n",
                                                encoding="utf-8")
    result = CliRunner().invoke(app, ["proof", str(root), "--voice", "fake", "--json"])
    assert result.exit_code == 8 and "Traceback" not in result.output
    assert "german.md" in result.stderr and "language" in result.stderr
    assert [p["slug"] for p in json.loads(result.stdout)["publications"]] == ["tides"]
