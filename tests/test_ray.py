"""`narrate build --executor ray` on a real two-node Ray cluster on this machine.

One cluster (a head and a worker node, one CPU each, on 127.0.0.1) serves the module:
starting one takes seconds. Each build connects to it by address, as on a real cluster.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FAKE_VOICE, interruptible, missing_tool
from typer.testing import CliRunner

from narrate.audio import flac
from narrate.engine.run import BuildOptions, build
from narrate.errors import ConfigError

# Before Ray is imported: a Linux Ray otherwise swaps 127.0.0.1 in an address for the machine's
# network address, where this test cluster (bound to 127.0.0.1 only) does not listen.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"

WORDS = ("river library evening volunteer reading chapter harbour lantern morning village window garden "
         "letter station winter market bridge teacher story music").split()


def article(n: int, sentences: int) -> str:
    body = []
    for s in range(sentences):
        words = [WORDS[(n * 7 + s * 3 + i) % len(WORDS)] for i in range(8 + s % 5)]
        body.append(" ".join(words).capitalize() + f" number {n} {s}.")
    half = len(body) // 2
    return (f"---\ntitle: Article {n}\ndate: 2026-01-{n + 1:02d}\n---\n\n" + " ".join(body[:half])
            + "\n\n## Second part\n\n" + " ".join(body[half:]) + "\n")


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """As conftest's guard, but Ray talks to its own processes on 127.0.0.1: only loopback is allowed."""
    real_connect = socket.socket.connect
    real_create = socket.create_connection
    real_getaddrinfo = socket.getaddrinfo
    local = ("127.0.0.1", "localhost", "::1")

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in local:
            raise OSError("network access is blocked in tests")
        return real_connect(self, address)

    def create_connection(address, *args, **kwargs):
        if address[0] not in local:
            raise OSError("network access is blocked in tests")
        return real_create(address, *args, **kwargs)

    def getaddrinfo(host, *args, **kwargs):
        if host not in local:
            raise OSError("network access is blocked in tests")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(scope="module")
def cluster():
    try:
        from ray.cluster_utils import Cluster
    except ImportError:
        missing_tool('Ray is needed: pip install "narrate[ray]" (scripts/setup.sh installs it)')
    node = {"num_cpus": 1, "node_ip_address": "127.0.0.1"}
    started = Cluster(initialize_head=True, connect=False, head_node_args={**node, "include_dashboard": False})
    try:
        started.add_node(**node)
        started.wait_for_nodes()
        yield started
    finally:
        started.shutdown()  # only the processes this fixture started


@pytest.fixture
def batch(make_project, tmp_path, monkeypatch):
    """batch(name) → a project of generated articles narrated by the fake voice."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)

    def make(name: str, titles: int = 3, sentences: int = 24) -> Path:
        files = {f"content/article-{n}.md": article(n, sentences) for n in range(titles)}
        return make_project({**files, "voices/fake.toml": FAKE_VOICE}, root=tmp_path / name)

    return make


class Collect:
    def __init__(self, on_progress=None):
        self.warnings: list[str] = []
        self.on_progress = on_progress

    def warning(self, message: str) -> None:
        self.warnings.append(message)

    def started(self, slug: str, title: str) -> None:
        pass

    def progress(self, slug: str, done: int, total: int, audio_ms: int) -> None:
        if self.on_progress and slug == "all publications":
            self.on_progress(done, total)

    def finished(self, result) -> None:
        pass


def run_build(root: Path, reporter=None, **kw):
    report = build(root, BuildOptions(formats=("mp3", "m4b"), voice="fake", **kw), reporter)
    assert not report.failed, [str(r.error) for r in report.failed]
    return report


@pytest.mark.slow
def test_cluster_build_is_byte_identical_to_local(cluster, batch, monkeypatch):
    from narrate.editions import narration

    local, remote = batch("local"), batch("remote")
    run_build(local, jobs=1)
    reporter = Collect()
    scripts: list[str] = []  # the head works out each publication's script once, not twice

    def counted(doc, *args):
        scripts.append(doc.meta.slug)
        return real_script(doc, *args)

    real_script = narration.build_script
    monkeypatch.setattr(narration, "build_script", counted)
    run_build(remote, reporter, executor="ray", ray_address=cluster.address)
    assert sorted(scripts) == ["article-0", "article-1", "article-2"]
    out_local, out_remote = files_of(local / "output"), files_of(remote / "output")
    assert any(name.endswith(".mp3") for name in out_local) and any(name.endswith(".m4b") for name in out_local)
    assert out_local.keys() == out_remote.keys()
    assert [n for n in out_local if out_local[n] != out_remote[n]] == []
    # the nodes mastered and encoded every chapter: this machine got every cache entry a local
    # build makes, byte for byte, but the mastered WAVs (the editions stitch the encodings)
    cache_local = files_of(local / ".narrate" / "cache" / "audio")
    cache_remote = files_of(remote / ".narrate" / "cache" / "audio")
    mastered = {n for n in cache_local if n.startswith("chapters/") and n.endswith(".wav")}
    assert len(cache_local) > 50 and mastered and not any(n.endswith(".wav") for n in cache_remote)
    assert cache_remote == {n: data for n, data in cache_local.items() if n not in mastered}
    assert reporter.warnings == []
    # ... and a local build of the same project finds every chapter made: it stitches only
    run_build(remote, jobs=1, output=remote / "again")
    audio = [n for n in out_remote if n.endswith((".mp3", ".m4b"))]
    assert [files_of(remote / "again")[n] == out_remote[n] for n in audio] == [True] * len(audio)
    assert files_of(remote / ".narrate" / "cache" / "audio") == cache_remote


def counted_passes(monkeypatch) -> list[tuple[list[str], list[str]]]:
    """Each pass of tasks a build runs on the cluster, in order: the task names of its groups, and
    those of the calls sent in it as other calls came back (``Tasks.collect``'s follow-ups)."""
    from narrate.audio import cluster as cluster_module
    from narrate.audio import ray as ray_module

    passes: list[tuple[list[str], list[str]]] = []
    real_run = cluster_module.run_tasks

    def counted(ray, head, groups, *args, **kwargs):
        later: list[str] = []

        def followed(group):
            def collect(index, result):
                # a group's own calls it releases (chapters held for a shared sentence) stay counted
                follow = [(wrapped if call[0] is group else call[0], call[1])
                          for call in group.collect(index, result) or ()]
                later.extend(call[0].task._function.__name__ for call in follow)
                return follow
            wrapped = dataclasses.replace(group, collect=collect)
            return wrapped

        passes.append(([group.task._function.__name__ for group in groups], later))
        return real_run(ray, head, [followed(group) for group in groups], *args, **kwargs)

    monkeypatch.setattr(cluster_module, "run_tasks", counted)
    monkeypatch.setattr(ray_module, "run_tasks", counted)
    return passes


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
def test_losing_a_worker_node_mid_build_loses_nothing(cluster, batch):
    local, remote = batch("local", titles=3, sentences=40), batch("remote", titles=3, sentences=40)
    run_build(local, jobs=1)
    extra = cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    cluster.wait_for_nodes()
    killed = []

    def kill_at_first_chapter(done: int, total: int) -> None:
        if done and total > 1 and not killed:  # the chapters' pass (the voice's level is one task)
            cluster.remove_node(extra, allow_graceful=False)  # with a chapter or two still on it
            killed.append(done)

    reporter = Collect(kill_at_first_chapter)
    run_build(remote, reporter, executor="ray", ray_address=cluster.address)
    assert killed and killed[0] < 6
    assert reporter.warnings == []  # Ray ran the lost chapters again elsewhere: none was made here
    assert files_of(local / "output") == files_of(remote / "output")
    cache_local = files_of(local / ".narrate" / "cache" / "audio")
    assert files_of(remote / ".narrate" / "cache" / "audio") == \
        {n: data for n, data in cache_local.items() if not (n.startswith("chapters/") and n.endswith(".wav"))}


@pytest.mark.slow
def test_an_edited_sentence_is_remastered_on_the_cluster_alone(cluster, batch):
    """After an edit, only the edited chapter goes to the cluster, with the cached sentences it
    needs; the editions are a local build's of the edited sources."""
    local, remote = batch("local", titles=2, sentences=12), batch("remote", titles=2, sentences=12)
    run_build(remote, executor="ray", ray_address=cluster.address)
    for root in (local, remote):
        md = root / "content" / "article-1.md"
        md.write_text(md.read_text().replace("number 1 11.", "number 1 eleven, edited."))
    run_build(local, jobs=1)
    totals: list[int] = []
    reporter = Collect(lambda done, total: totals.append(total))
    run_build(remote, reporter, executor="ray", ray_address=cluster.address)
    # one chapter task (the voice's level is cached): the edited one; then, in the same pass, the
    # stitching of its publication's audio editions (the other's are reused)
    assert sorted(set(totals)) == [1, 2]
    assert files_of(local / "output") == files_of(remote / "output")
    # mastered on the node: this machine never held a mastered WAV
    assert not list((remote / ".narrate" / "cache" / "audio" / "chapters").rglob("*.wav"))


@pytest.mark.parametrize("given", ["option", "narrate.toml", "RAY_ADDRESS"])
def test_unreachable_address_is_a_clear_error_within_seconds(batch, monkeypatch, given):
    root = batch("p", titles=1, sentences=3)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"
    options = {"executor": "ray"}
    if given == "option":
        options["ray_address"] = address
    elif given == "RAY_ADDRESS":
        monkeypatch.setenv("RAY_ADDRESS", address)
    else:
        (root / "narrate.toml").write_text(f'[build]\nexecutor = "ray"\nray_address = "{address}"\n')
        options = {}
    import ray  # noqa: F401  (imported ahead: importing Ray is not the connect being timed)

    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        build(root, BuildOptions(formats=("mp3",), voice="fake", **options))
    assert time.monotonic() - started < 30  # Ray's own connect retries for minutes; the check takes ms
    assert f"cannot reach the Ray cluster at '{address}' (Connection refused)" in str(caught.value)
    assert not (root / "output" / "article-0").exists()


def test_build_executor_must_be_local_or_ray(batch):
    root = batch("p", titles=1, sentences=3)
    (root / "narrate.toml").write_text('[build]\nexecutor = "spark"\n')
    with pytest.raises(ConfigError, match=r"narrate.toml: 'build.executor' must be one of local, ray, found 'spark'"):
        build(root, BuildOptions(formats=("epub",)))


def test_without_ray_installed_the_cli_says_how_to_install_it(batch, monkeypatch):
    from narrate.cli import app

    root = batch("p", titles=1, sentences=3)
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    result = CliRunner().invoke(app, ["build", str(root), "--executor", "ray", "--voice", "fake"])
    assert result.exit_code == 2, result.output
    assert 'pip install "narrate[ray]"' in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_ctrl_c_cancels_cluster_work_and_keeps_the_cache(cluster, batch):
    import ray

    root = batch("p", titles=6, sentences=40)
    cache = root / ".narrate" / "cache" / "audio"
    proc = subprocess.Popen([sys.executable, "-m", "narrate", "build", str(root), "--executor", "ray",
                             "--ray-address", cluster.address, "--voice", "fake", "--formats", "mp3", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    deadline = time.monotonic() + 120
    while not any(cache.rglob("*.flac")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    wavs = list(cache.rglob("*.flac"))
    assert 0 < len(wavs) < 6 * 40
    for path in wavs:
        assert flac.info(path)[0] > 0
    assert not [p for p in cache.rglob("*") if p.name.endswith(".part")]
    assert not (root / "output" / "article-0").exists()
    ray.init(address=cluster.address, logging_level="ERROR", log_to_driver=False)
    try:  # its actors were killed: the cluster's CPUs are free again, and the cluster still runs
        deadline = time.monotonic() + 60
        while ray.available_resources().get("CPU", 0) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert ray.available_resources().get("CPU", 0) == ray.cluster_resources()["CPU"] == 2
    finally:
        ray.shutdown()


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
