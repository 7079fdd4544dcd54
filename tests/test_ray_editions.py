"""`narrate build --executor ray` on a real two-node Ray cluster on this machine: the text and
audio editions are made on the nodes, and the Piper voice gives the same bytes there as here.

The cluster and helpers: conftest_ray.py (the cluster is shared with the other test_ray*.py files
a worker runs one after another).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import conftest_ray
import pytest
from conftest_ray import Collect, counted_passes, files_of

from narrate.audio import flac
from narrate.engine.run import BuildOptions, build

# the fixtures of the Ray tests (conftest_ray.py)
no_network, cluster, batch = conftest_ray.no_network, conftest_ray.cluster, conftest_ray.batch


@pytest.mark.slow
def test_text_editions_are_made_on_the_nodes_byte_identical_to_local(cluster, batch, monkeypatch):
    """EPUB, PDF, large print and cover made by Ray tasks from the files they read (an image and its
    large-print rendition shipped, not shared), written here as a local build writes them."""
    from PIL import Image

    from narrate.editions import makers

    local, remote = batch("local", titles=2, sentences=6), batch("remote", titles=2, sentences=6)
    for root in (local, remote):
        md = root / "content" / "article-1.md"
        md.write_text(md.read_text() + "\n![A grey box](images/box.png)\n")
        (root / "content" / "images").mkdir()
        Image.new("RGB", (40, 30), "grey").save(root / "content" / "images" / "box.png")
        Image.new("RGB", (120, 90), "grey").save(root / "content" / "images" / "box.large.png")
    formats = ("epub", "pdf", "pdf-large", "mp3")
    build(local, BuildOptions(formats=formats, voice="fake", jobs=1))

    def not_here(ctx):
        raise AssertionError("a text edition was made on the machine running the build")

    for maker in ("cover", "epub", "pdf", "pdf-large"):  # the head's makers only: the nodes import their own
        monkeypatch.setitem(makers.MAKERS, maker, (not_here, *makers.MAKERS[maker][1:]))
    passes = counted_passes(monkeypatch)  # the text editions run in the chapters' pass
    reporter = Collect()
    report = build(remote, BuildOptions(formats=formats, voice="fake", executor="ray", ray_address=cluster.address),
                   reporter)
    assert not report.failed, [str(r.error) for r in report.failed]
    # the voice's level figures with the text editions, then the chapters, each publication's MP3
    # stitched in the same pass as soon as its chapters are back
    assert [sorted(names) for names, _ in passes] == [["make_text", "narrate_chapter"], ["narrate_chapter"]]
    # (a chapter sharing a sentence with one before it, "Second part", is sent once that one is back)
    assert [name for name in passes[1][1] if name != "narrate_chapter"] == ["make_audio"] * 2
    out_local, out_remote = files_of(local / "output"), files_of(remote / "output")
    assert {n.rsplit(".", 1)[-1] for n in out_local} >= {"epub", "pdf", "png", "mp3", "json"}
    assert out_local.keys() == out_remote.keys()
    assert [n for n in out_local if out_local[n] != out_remote[n]] == []
    assert reporter.warnings == []


@pytest.mark.slow
def test_audio_editions_are_stitched_on_the_nodes_byte_identical_to_local(cluster, batch, monkeypatch):
    """MP3, M4B, transcripts and the read-along EPUB made by Ray tasks from the chapters' cache entries:
    the machine running the build never renders nor stitches, it writes the files sent back."""
    from narrate.editions import makers, narration

    local, remote = batch("local", titles=2, sentences=6), batch("remote", titles=2, sentences=6)
    formats = ("mp3", "m4b", "epub-readaloud")
    build(local, BuildOptions(formats=formats, voice="fake", jobs=1))

    def not_here(*args):
        raise AssertionError("an audio edition was rendered or stitched on the machine running the build")

    for maker in ("mp3", "m4b", "transcript", "epub-readaloud"):  # the head's makers only: the nodes import theirs
        monkeypatch.setitem(makers.MAKERS, maker, (not_here, *makers.MAKERS[maker][1:]))
    monkeypatch.setattr(narration, "render_publication", not_here)
    passes = counted_passes(monkeypatch)
    reporter = Collect()
    report = build(remote, BuildOptions(formats=formats, voice="fake", executor="ray", ray_address=cluster.address),
                   reporter)
    assert not report.failed, [str(r.error) for r in report.failed]
    # stitched in the chapters' pass, each publication's as soon as its chapters were back: no pass of its own
    assert len(passes) == 2 and passes[-1][0] == ["narrate_chapter"]
    assert [name for name in passes[-1][1] if name != "narrate_chapter"] == ["make_audio"] * 2
    out_local, out_remote = files_of(local / "output"), files_of(remote / "output")
    assert {n.rsplit(".", 1)[-1] for n in out_local} >= {"mp3", "m4b", "epub", "vtt", "html", "json"}
    assert out_local.keys() == out_remote.keys()
    assert [n for n in out_local if out_local[n] != out_remote[n]] == []
    cache_local = files_of(local / ".narrate" / "cache" / "audio")
    assert files_of(remote / ".narrate" / "cache" / "audio") == \
        {n: data for n, data in cache_local.items() if not (n.startswith("chapters/") and n.endswith(".wav"))}
    assert reporter.warnings == []


@pytest.mark.slow
def test_piper_voice_on_the_cluster_matches_local(cluster, tmp_path):
    """The real default voice: its model reaches the actors through the object store, same bytes back.

    Piper's samples depend (by a least significant bit here and there) on onnxruntime's thread
    count; actors, like the local pool's workers on this machine, run one thread each, so the
    local side runs with NARRATE_ENGINE_THREADS=1, in its own process.
    """
    from narrate.audio.ray import ray_executor, voice_files
    from narrate.audio.synth import synthesize_missing
    from narrate.speech.engines import get_engine
    from narrate.speech.voices import BUILTIN_PROFILES

    profile = BUILTIN_PROFILES["joe"]
    shipped, files = voice_files(profile)
    assert shipped.model == "voice.onnx" and set(files) == {"voice.onnx", "voice.onnx.json"}
    texts = ["The harbour lights came on at six.", "A second sentence, with a comma, and a pause.",
             "The ferry cost twelve dollars and fifty cents.", "Short.", "Evening fell over the village."]
    engine = get_engine(profile)
    script = ("import sys, json; from pathlib import Path; from narrate.audio.synth import synthesize_missing; "
              "from narrate.speech.engines import get_engine; from narrate.speech.voices import BUILTIN_PROFILES; "
              "p = BUILTIN_PROFILES['joe']; synthesize_missing(json.loads(sys.argv[1]), get_engine(p), p, "
              "Path(sys.argv[2]))")
    subprocess.run([sys.executable, "-c", script, json.dumps(texts), str(tmp_path / "local")], check=True,
                   env={**os.environ, "NARRATE_ENGINE_THREADS": "1"}, timeout=300)
    local, made_here = synthesize_missing(texts, engine, profile, tmp_path / "local")  # only the paths
    assert made_here == 0
    with ray_executor(cluster.address) as executor:
        remote, made = synthesize_missing(texts, engine, profile, tmp_path / "remote", executor=executor)
    assert made == len(texts)
    for a, b in zip(local, remote, strict=True):
        assert a.relative_to(tmp_path / "local") == b.relative_to(tmp_path / "remote")
        frames, rate, _, _ = flac.info(b)
        assert frames > 0.3 * rate
        assert a.read_bytes() == b.read_bytes()
