"""``editions/audio_tasks`` without a cluster: the task a node runs, called here on what the head sends.

The Ray path itself (a real two-node cluster) is ``tests/test_ray.py``; this checks, in one
process and with the real default voice, that a node stitches from the head's cache entries
alone: the voice it loads from the shipped files keys the cache as the head's does.
"""

from __future__ import annotations

from pathlib import Path

from conftest import FAKE_VOICE

from narrate.audio.cluster import Tasks
from narrate.editions.audio_tasks import audio_tasks
from narrate.editions.context import PublicationContext
from narrate.editions.narration import choose_voice, publication_script
from narrate.engine.run import BuildOptions, build, read_all, resolve_formats
from narrate.sources.project import open_project


class InProcess:
    """An executor whose tasks run here, one after the other, as a node would run them."""

    def voice(self, profile):
        from narrate.audio.ray_worker import voice_files

        return voice_files(profile)

    def remote_tasks(self, function, count, arguments, collect, sources) -> Tasks:
        return Tasks(function, count, arguments, collect, sources)

    def run(self, tasks: Tasks) -> None:
        for index in range(tasks.count):
            tasks.collect(index, tasks.task(*tasks.arguments(index)))


def test_a_packaged_piper_voice_stitches_from_the_heads_cache_alone(make_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("NARRATE_ENGINE_THREADS", "1")  # what a node's worker sets (restored after the test)
    root = make_project({"content/note.md": "---\ntitle: A note\n---\n\nThe river runs past the library.\n"})
    report = build(root, BuildOptions(formats=("mp3", "m4b"), voice="joe", jobs=1))
    assert not report.failed, [str(r.error) for r in report.failed]
    project = open_project(root)
    (doc,), _ = read_all(project)
    ctx = PublicationContext(doc, root, root / "output", project.config, "joe", project.cache_dir)
    profile = choose_voice(ctx)
    formats = resolve_formats(("mp3", "m4b"))
    executor = InProcess()
    wanted = [(doc, "joe", ("transcript", "mp3", "m4b"))]
    prepared = {"note": (profile, publication_script(ctx, profile))}
    tasks, results, received = audio_tasks(executor, root, project.config, project.cache_dir, wanted, prepared,
                                           formats, False)
    before = sorted(p for p in project.cache_dir.rglob("*") if p.is_file())
    executor.run(tasks)
    made = results["note"].made
    out = root / "output" / "note"
    assert {name: data for files in made.values() for _, name, data, _ in files} == \
        {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith("note.cover.")}
    # nothing synthesized, mastered or encoded again: the node found every entry it was sent
    assert sorted(p for p in project.cache_dir.rglob("*") if p.is_file()) == before
    # the MP3 and the M4B come back as spans of the encoded blocks the head holds (and the tags, the
    # cover, the M4B's tables): their audio does not cross the network again
    assert received[0] < sum(len(data) for files in made.values() for _, _, data, _ in files) / 2
    assert Path(made["mp3"][0][1]).suffix == ".mp3"


class InProcessChapters(InProcess):
    """As ``InProcess``, for ``editions/on_cluster``: each chapter task run here, its entries kept."""

    def __init__(self):
        self.sent: list[tuple[str, dict[str, bytes]]] = []  # (chapter id, the entries its task made)

    def run_chapters(self, work, progress=None, alongside=(), finished=None, later=()):
        from dataclasses import replace

        from narrate.audio.cluster import Outcome, _read, write_entries
        from narrate.audio.ray_worker import narrate_chapter, voice_files

        for index, item in enumerate(work):
            job = replace(item.job, given={**item.job.given, **_read(item.cache_dir, item.late)})
            made = narrate_chapter(job, *voice_files(item.profile))
            self.sent.append((item.job.chapter_id, made))
            write_entries(item.cache_dir, made)
            if finished:
                finished(index)
        return Outcome(done=len(work))


def test_a_chapter_task_sent_the_voices_level_figures_does_not_read_the_calibration_again(make_project):
    """The voice's calibration passage (about 20 s of speech) is read by the level task alone: a
    chapter task sent the figures it learned used to synthesize the passage again on its node."""
    from narrate.editions.on_cluster import narrate_on_cluster

    body = "\n\n".join(f"## Part {n}\n\nThe river runs past the library number {n}. The lamps are lit."
                       for n in range(3))
    root = make_project({"content/note.md": f"---\ntitle: A note\n---\n\n{body}\n", "voices/fake.toml": FAKE_VOICE})
    project = open_project(root)
    docs, _ = read_all(project)
    executor = InProcessChapters()
    narrate_on_cluster(root, project.config, project.cache_dir, [(doc, "fake") for doc in docs],
                       resolve_formats(("mp3",)), executor)
    (level, level_made), *chapters = executor.sent
    calibration = {rel for rel in level_made if rel.endswith(".flac")}
    assert level.startswith("voice level") and len(calibration) == 5 and len(chapters) >= 2
    assert [sorted(set(made) & calibration) for _, made in chapters] == [[]] * len(chapters)


def test_a_worker_fetches_a_stored_voice_only_to_load_it(tmp_path):
    """The voice's files (63 MB for a Piper voice) are fetched from the object store by a worker
    that has not loaded the voice yet, not with every task's arguments."""
    from narrate.audio import ray_worker
    from narrate.audio.ray_worker import Stored, files_key, local_voice, voice_files
    from narrate.speech.voices import VoiceProfile

    lexicon = tmp_path / "words.lex"
    lexicon.write_text("river\tr I v @r\n")
    shipped, files = voice_files(VoiceProfile(name="fake", engine="fake", model="fake", lexicons=(lexicon,)))
    fetched = []

    def get(ref):
        fetched.append(ref)
        return files

    stored = Stored(files_key(files), ("the object",), get)
    ray_worker._VOICES.clear()
    first, second = local_voice(shipped, stored), local_voice(shipped, stored)
    assert fetched == ["the object"] and first is second
    assert first[0].lexicons[0].read_bytes() == lexicon.read_bytes()  # written on the node from what it fetched


class Ref:
    def __init__(self, value):
        self.value = value


class SerialRay:
    """Just enough of Ray's API for ``audio.cluster.run_chapters``, in this process: a task runs when
    it is sent (as on a node, it sees only its arguments); ``results`` keeps what each one returned."""

    def __init__(self):
        self.results: list[dict[str, bytes]] = []

    def remote(self, **_options):
        def wrap(function):
            class Task:
                @staticmethod
                def remote(*args):
                    result = function(*args)
                    self.results.append(result)
                    return Ref(result)
            return Task
        return wrap

    def put(self, value):
        return Ref(value)

    def get(self, ref):
        return ref.value

    def wait(self, refs, num_returns=1, timeout=None):
        return refs[:num_returns], refs[num_returns:]

    def cluster_resources(self):
        return {"CPU": 1}


def test_a_sentence_several_chapters_lack_is_synthesized_on_the_cluster_once(make_project):
    """A heading every title has ("Second part"), the credits' sentences: each chapter task used to
    synthesize every sentence its scratch cache lacked, so a sentence shared by the batch's chapters
    was synthesized once per chapter (1.6 times the sentences of a local build on the benchmark's
    batch); now the first chapter that lacks it makes it and the others are sent it."""
    from narrate.audio.ray import RayExecutor
    from narrate.editions.on_cluster import narrate_on_cluster

    files = {f"content/note-{n}.md": f"---\ntitle: Note {n}\n---\n\nThe river runs past library {n}.\n\n"
             f"## Second part\n\nThe lamps of house {n} are lit.\n" for n in range(3)}
    root = make_project({**files, "voices/fake.toml": FAKE_VOICE})
    project = open_project(root)
    docs, _ = read_all(project)
    ray = SerialRay()
    narrate_on_cluster(root, project.config, project.cache_dir, [(doc, "fake") for doc in docs],
                       resolve_formats(("mp3",)), RayExecutor(ray))
    sentences = [rel for made in ray.results for rel in made if rel.endswith(".flac")]
    assert len(ray.results) > 6 and len(sentences) == len(set(sentences))
    made = {p.relative_to(project.cache_dir / "audio").as_posix()
            for p in (project.cache_dir / "audio").glob("??/*.flac")}
    assert made == set(sentences)


def test_a_stitching_task_is_sent_no_sentence_and_reads_none(make_project, monkeypatch):
    """Once every chapter is mastered and encoded, the editions are stitched from the chapters'
    records and encodings alone: the stitching task is sent no sentence audio (a cluster's largest
    cache entries) and its render neither reads nor synthesizes one."""
    from narrate.audio import master, synth
    from narrate.editions import audio_tasks as audio_tasks_module

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    body = "\n\n".join(f"## Part {n}\n\nThe river runs past the library number {n}. The lamps are lit."
                       for n in range(3))
    root = make_project({"content/note.md": f"---\ntitle: A note\n---\n\n{body}\n", "voices/fake.toml": FAKE_VOICE})
    assert not build(root, BuildOptions(formats=("mp3", "m4b"), voice="fake", jobs=1)).failed
    project = open_project(root)
    (doc,), _ = read_all(project)
    ctx = PublicationContext(doc, root, root / "output", project.config, "fake", project.cache_dir)
    profile = choose_voice(ctx)
    sent: list[dict[str, bytes]] = []
    real_job = audio_tasks_module.AudioJob

    def kept(*args, **kwargs):
        job = real_job(*args, **kwargs)
        sent.append(job.cache)
        return job

    def never(*args, **kwargs):
        raise AssertionError("a sentence was read or synthesized to stitch cached chapters")

    monkeypatch.setattr(audio_tasks_module, "AudioJob", kept)
    monkeypatch.setattr(synth, "synthesize_to_cache", never)
    monkeypatch.setattr(master, "synthesize_missing", never)
    executor = InProcess()
    prepared = {"note": (profile, publication_script(ctx, profile))}
    tasks, results, _ = audio_tasks(executor, root, project.config, project.cache_dir, [(doc, "fake", ("mp3", "m4b"))],
                                    prepared, resolve_formats(("mp3", "m4b")), False)
    executor.run(tasks)
    (cache,) = sent
    assert cache and all(rel.startswith("chapters/") and not rel.endswith((".flac", ".wav")) for rel in cache)
    made = {name: data for files in results["note"].made.values() for _, name, data, _ in files}
    out = root / "output" / "note"
    assert made == {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".mp3", ".m4b")}


def test_a_cache_entry_sent_back_is_written_inside_the_cache_only(tmp_path):
    import pytest

    from narrate.audio.cluster import write_entries
    from narrate.errors import AudioError

    cache = tmp_path / "cache"
    assert write_entries(cache, {"ab/abc.flac": b"12", "chapters/cd/cde.json": b"{}"}) == 4
    assert (cache / "chapters" / "cd" / "cde.json").read_bytes() == b"{}"
    for bad in ("../escaped", "chapters/../../escaped", "/tmp/escaped", "", "..\\escaped"):
        with pytest.raises(AudioError, match="outside the cache"):
            write_entries(cache, {bad: b"x"})
    assert not (tmp_path / "escaped").exists()


def test_an_engine_keyed_as_the_heads_crosses_a_process_boundary():
    """The head's publications are built on worker processes (``--jobs``): what they are handed is pickled."""
    import pickle

    from narrate.editions.audio_tasks import HeadKeyed
    from narrate.speech.engines import get_engine
    from narrate.speech.voices import VoiceProfile

    engine = pickle.loads(pickle.dumps(HeadKeyed(get_engine(VoiceProfile(name="f", engine="fake", model="f")), "k")))
    assert engine.cache_key() == "k" and engine.sample_rate > 0


def test_a_stitching_task_finds_each_blocks_frames_once_for_all_its_files(make_project, monkeypatch):
    """The MP3 and the M4B a stitching task made are looked up as spans among the same encoded blocks:
    each block's frames are parsed once for both (it was once per file)."""
    from narrate.audio import ray_spans
    from narrate.editions import audio_tasks as audio_tasks_module

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    body = "\n\n".join(f"## Part {n}\n\n" + " ".join(f"The river runs past library {n} for the {k}th time."
                                                      for k in range(6)) for n in range(3))  # 40 s: over MIN_SIZE
    root = make_project({"content/note.md": f"---\ntitle: A note\n---\n\n{body}\n", "voices/fake.toml": FAKE_VOICE})
    assert not build(root, BuildOptions(formats=("mp3", "m4b"), voice="fake", jobs=1)).failed
    project = open_project(root)
    (doc,), _ = read_all(project)
    ctx = PublicationContext(doc, root, root / "output", project.config, "fake", project.cache_dir)
    profile = choose_voice(ctx)
    parsed: list[str] = []
    real = ray_spans.frame_units

    def counted(name, data):
        parsed.append(name)
        return real(name, data)

    looked: dict[str, bool] = {}
    real_find = audio_tasks_module.find_spans

    def find(data, sources):
        spans = real_find(data, sources)
        looked[data[:4].hex()] = isinstance(spans, ray_spans.Spans)  # the MP3's tag, the M4B's first box
        return spans

    monkeypatch.setattr(ray_spans, "frame_units", counted)
    monkeypatch.setattr(audio_tasks_module, "find_spans", find)
    executor = InProcess()
    prepared = {"note": (profile, publication_script(ctx, profile))}
    tasks, results, _ = audio_tasks(executor, root, project.config, project.cache_dir, [(doc, "fake", ("mp3", "m4b"))],
                                    prepared, resolve_formats(("mp3", "m4b")), False)
    executor.run(tasks)
    made = {name: data for files in results["note"].made.values() for _, name, data, _ in files}
    out = root / "output" / "note"
    assert made == {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".mp3", ".m4b")}
    assert sum(looked.values()) == 2  # the MP3 and the M4B were sent as spans of the blocks
    assert parsed and len(parsed) == len(set(parsed))  # each block once, for the MP3 and the M4B both


def test_a_stitching_task_embeds_the_cover_its_text_task_made_without_rendering_it_again(make_project, monkeypatch):
    """A publication's text task makes its cover; the stitching task was rendering it again for the tags
    (a generated cover's PNG is ~0.4 CPU-s): given the text task's cover, it renders none, and the
    editions are the local build's bytes."""
    from narrate.editions import context as context_module
    from narrate.editions.text_tasks import TextResult

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = make_project({"content/note.md": "---\ntitle: A note\n---\n\nThe river runs past the library. The lamps "
                         "are lit.\n", "voices/fake.toml": FAKE_VOICE})
    assert not build(root, BuildOptions(formats=("mp3", "m4b"), voice="fake", jobs=1)).failed
    project = open_project(root)
    (doc,), _ = read_all(project)
    ctx = PublicationContext(doc, root, root / "output", project.config, "fake", project.cache_dir)
    profile = choose_voice(ctx)
    out = root / "output" / "note"
    cover = (out / "note.cover.png").read_bytes()

    def never(*args, **kwargs):
        raise AssertionError("the cover was rendered again on the node")

    monkeypatch.setattr(context_module, "cover_bytes", never)
    executor = InProcess()
    prepared = {"note": (profile, publication_script(ctx, profile))}
    text = {"note": TextResult({"cover": [("cover", "note.cover.png", cover, {})]}, {"cover": []})}
    tasks, results, _ = audio_tasks(executor, root, project.config, project.cache_dir, [(doc, "fake", ("mp3", "m4b"))],
                                    prepared, resolve_formats(("mp3", "m4b")), False, text)
    executor.run(tasks)
    made = {name: data for files in results["note"].made.values() for _, name, data, _ in files}
    assert made == {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".mp3", ".m4b")}
