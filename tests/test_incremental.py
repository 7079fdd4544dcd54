"""Incremental equals clean: after an edit, a rebuild that reuses cached sentences and chapter pieces
writes the same bytes as a clean build of the edited sources in another folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FAKE_VOICE, write_files

from narrate.engine.run import BuildOptions, build

FORMATS = ("mp3", "m4b", "epub-readaloud", "epub")  # transcripts come with any audio format
VOICE = FAKE_VOICE + 'lexicons = ["voices/lexicon.toml"]\n'
LEXICON = '[aliases]\n"Skerravoe" = "SKERR-uh-voh"\n'


def chapter(n: int, title: str | None = None) -> str:
    paragraphs = [f"Paragraph {p} of chapter {n} reaches Skerravoe at dusk. The ferry waits." for p in range(1, 3)]
    return f"---\ntitle: {title or f'Chapter {n}'}\n---\n\n" + "\n\n".join(paragraphs) + "\n"


def sources() -> dict[str, str]:
    files = {"content/tides/book.toml": 'title = "Tides"\nauthors = ["Sam Writer"]\n',
             "voices/fake.toml": VOICE, "voices/lexicon.toml": LEXICON}
    for n in (1, 2, 3):
        files[f"content/tides/{n:02d}.md"] = chapter(n)
    return files


def edit_sentence(root: Path) -> None:
    path = root / "content/tides/02.md"
    path.write_text(path.read_text().replace("Paragraph 2 of chapter 2", "The second paragraph of chapter 2"))


def edit_heading(root: Path) -> None:
    (root / "content/tides/03.md").write_text(chapter(3, "Low Water"))


def edit_lexicon(root: Path) -> None:
    (root / "voices/lexicon.toml").write_text('[aliases]\n"Skerravoe" = "SKERRA-voe"\n')


def add_chapter(root: Path) -> None:
    (root / "content/tides/015.md").write_text(chapter(15))


def remove_chapter(root: Path) -> None:
    (root / "content/tides/02.md").unlink()


def outputs(root: Path) -> dict[str, bytes]:
    out = root / "output"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def run(root: Path) -> None:
    report = build(root, BuildOptions(formats=FORMATS, voice="fake", jobs=1))
    assert not report.failed, [str(r.error) for r in report.failed]


@pytest.fixture(scope="module")
def first_build(tmp_path_factory) -> Path:
    """The sources built once (cache and output); each edit below works on a copy of it."""
    root = write_files(tmp_path_factory.mktemp("first") / "project", sources())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        run(root)
    return root


@pytest.mark.parametrize("edit", [edit_sentence] + [pytest.param(edit, marks=pytest.mark.slow)
                                  for edit in (edit_heading, edit_lexicon, add_chapter, remove_chapter)])
def test_incremental_build_equals_a_clean_build(first_build, tmp_path, monkeypatch, edit):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    warm = tmp_path / "warm"
    shutil.copytree(first_build, warm)  # the first build's sources, cache and output
    before = outputs(warm)
    pieces = {p.name for p in (warm / ".narrate/cache/audio/chapters").rglob("*.wav")}
    edit(warm)
    run(warm)
    fresh = tmp_path / "fresh" / "elsewhere"
    shutil.copytree(warm, fresh, ignore=shutil.ignore_patterns(".narrate", "output"))
    run(fresh)
    after, clean = outputs(warm), outputs(fresh)
    assert sorted(after) == sorted(clean)
    for name in after:
        assert after[name] == clean[name], name
    assert any(before.get(name) != data for name, data in after.items())  # the edit did change something
    # an edit re-masters at most the chapters it touches (a lexicon entry: those that say the word)
    new_pieces = {p.name for p in (warm / ".narrate/cache/audio/chapters").rglob("*.wav")} - pieces
    assert len(new_pieces) <= (3 if edit is edit_lexicon else 1)


def test_a_text_edit_does_not_draw_the_cover_again(make_project, tmp_path, monkeypatch):
    """The EPUB rebuilt after a sentence edit embeds the cover the last build made (reused under
    its unchanged key) instead of drawing and encoding it again (issue 31: half a CPU-second of
    every edit's rebuild); the bytes equal a clean build's (the test above)."""
    import narrate.writers.cover as cover

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = make_project(sources(), root=tmp_path / "warm")
    report = build(root, BuildOptions(formats=("epub",), jobs=1))
    assert not report.failed
    drawn = []
    real = cover.generated_cover
    monkeypatch.setattr(cover, "generated_cover", lambda meta: drawn.append(meta.slug) or real(meta))
    edit_sentence(root)
    report = build(root, BuildOptions(formats=("epub",), jobs=1))
    assert not report.failed and report.results[0].built == ["epub"], report.results
    assert drawn == []


def test_ffmpeg_is_asked_its_version_once_per_binary(tmp_path, monkeypatch):
    """The narrated editions' keys name ffmpeg's version: it is remembered in the cache for the
    binary it came from, so a rebuild does not start ffmpeg only to ask (issue 31), and asked
    again when the binary changes."""
    from narrate.engine import fingerprints

    fingerprints._ffmpeg_version.cache_clear()
    first = fingerprints._ffmpeg_version(tmp_path)
    assert first.startswith("ffmpeg version"), first
    asked = []
    real = subprocess.run
    monkeypatch.setattr(fingerprints.subprocess, "run", lambda *a, **k: asked.append(a) or real(*a, **k))
    fingerprints._ffmpeg_version.cache_clear()
    assert fingerprints._ffmpeg_version(tmp_path) == first and asked == []
    memo = tmp_path / "ffmpeg-version.json"
    memo.write_text(memo.read_text().replace('"binary": "', '"binary": "/elsewhere'))  # another binary
    fingerprints._ffmpeg_version.cache_clear()
    assert fingerprints._ffmpeg_version(tmp_path) == first and len(asked) == 1
    fingerprints._ffmpeg_version.cache_clear()


def test_an_edit_of_a_few_sentences_is_synthesized_without_a_pool(first_build, tmp_path, monkeypatch):
    """A build with several jobs makes an edit's few new sentences on the engine it has loaded: a
    pool's spawned workers would each import narrate and load the voice again (about a CPU-second
    apiece, issue 31) for a handful of sentences. The incremental bytes still equal a clean build's
    (the test above: the sentence cache is keyed on the voice and the text, not on the process)."""
    from narrate.audio import synth

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    warm = tmp_path / "warm"
    shutil.copytree(first_build, warm)
    path = warm / "content/tides/02.md"
    path.write_text(path.read_text().replace("Paragraph 1 of chapter 2 reaches Skerravoe at dusk. The ferry waits.",
                                             "A new first paragraph of chapter 2. It has two new sentences."))
    pools = []
    monkeypatch.setattr(synth, "_run_pool", lambda jobs_list, *args, **kwargs: pools.append(len(jobs_list)))
    report = build(warm, BuildOptions(formats=FORMATS, voice="fake", jobs=2))
    assert not report.failed, [str(r.error) for r in report.failed]
    assert pools == []
    assert report.results[0].built  # the edit was built
