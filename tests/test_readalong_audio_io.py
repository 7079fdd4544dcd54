"""The read-along's audio in the EPUB: stored (not deflated), streamed from disk, same bytes twice."""

from __future__ import annotations

import hashlib
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from narrate.writers.epub import EpubOptions, write_epub

ARTICLE = "---\ntitle: Tide Tables\nauthor: Sam Writer\n---\n\nA short lead. It has two sentences.\n"
SIZE = 50 * 1024 * 1024  # a large fake MP3 (the repack never parses it)


def smil(key: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<smil xmlns="http://www.w3.org/ns/SMIL" version="3.0">'
            f'<body><seq><par id="p1"><text src="../text/article.xhtml#article-title"/>'
            f'<audio src="../audio/{key}.mp3" clipBegin="0:00:00.000" clipEnd="0:00:01.000"/></par></seq>'
            "</body></smil>\n")


@pytest.fixture(scope="module")
def article(tmp_path_factory):
    from narrate.engine.run import read_all
    from narrate.sources.project import open_project

    root = tmp_path_factory.mktemp("io") / "project"
    (root / "content").mkdir(parents=True)
    (root / "content" / "tides.md").write_text(ARTICLE, encoding="utf-8")
    docs, failures = read_all(open_project(root))
    assert not failures
    big = root / "big.mp3"
    block = hashlib.sha256(b"frame").digest() * 32768  # 1 MiB that does not repeat within a window
    with big.open("wb") as out:
        for index in range(SIZE // len(block)):
            out.write(index.to_bytes(4, "big") + block[4:])
    return root, docs[0], big


def options(doc, audio: Path) -> EpubOptions:
    key = doc.chapters[0].id
    return EpubOptions(overlays={key: ("audio/big.mp3", audio, "audio/mpeg", smil("big"), 1.0)},
                       narrator="Robin, a synthetic voice")


def sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def test_audio_is_stored_streamed_and_deterministic(article, tmp_path):
    root, doc, big = article
    first, second = tmp_path / "a.epub", tmp_path / "b.epub"
    tracemalloc.start()
    try:
        write_epub(doc, root, first, options(doc, big))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the 50 MB of audio never sits in memory: the peak is a small fraction of it
    assert peak < SIZE // 10, f"peak {peak / 1e6:.1f} MB for a {SIZE / 1e6:.0f} MB MP3"
    write_epub(doc, root, second, options(doc, big))
    assert sha(first) == sha(second)  # same sources, same bytes
    with zipfile.ZipFile(first) as z:
        infos = {i.filename: i for i in z.infolist()}
        audio = infos["EPUB/audio/big.mp3"]
        assert audio.compress_type == zipfile.ZIP_STORED and audio.file_size == SIZE
        assert audio.compress_size == SIZE
        assert infos["EPUB/content.opf"].compress_type == zipfile.ZIP_DEFLATED  # text is still deflated
        assert z.namelist()[0] == "mimetype" and infos["mimetype"].compress_type == zipfile.ZIP_STORED
        assert len({i.date_time for i in z.infolist()}) == 1  # one fixed entry time
        assert z.testzip() is None  # every CRC checks out
        digest = hashlib.sha256()
        with z.open(audio) as entry:
            for chunk in iter(lambda: entry.read(1 << 20), b""):
                digest.update(chunk)
    assert digest.hexdigest() == sha(big)  # the audio went in unchanged


def test_a_missing_audio_file_is_an_output_error_and_keeps_the_old_edition(article, tmp_path):
    from narrate.errors import OutputError

    root, doc, big = article
    out = tmp_path / "c.epub"
    write_epub(doc, root, out, options(doc, big))
    before = sha(out)
    with pytest.raises(OutputError):
        write_epub(doc, root, out, options(doc, tmp_path / "gone.mp3"))
    assert sha(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".c.epub")]  # no temp file left
