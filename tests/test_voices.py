from __future__ import annotations

from pathlib import Path

import pytest

from narrate.errors import ConfigError, SpeechError
from narrate.speech.script import Pauses
from narrate.speech.voices import (
    BUILTIN_PROFILES,
    check_usable,
    get_profile,
    load_profiles,
    piper_model_paths,
)

REPO = Path(__file__).resolve().parents[1]


def write(root: Path, name: str, text: str) -> Path:
    (root / "voices").mkdir(exist_ok=True)
    path = root / "voices" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtins_without_voices_folder(tmp_path):
    profiles = load_profiles(tmp_path)
    assert set(profiles) == {"joe", "espeak"}
    assert get_profile(profiles, None).name == "joe"
    assert profiles["joe"].engine == "piper" and profiles["joe"].offline


def test_repo_profiles_load():
    profiles = load_profiles(REPO)
    assert {"joe", "espeak-en", "gtts-en", "acx"} <= set(profiles)
    acx = profiles["acx"]
    assert acx.loudness == "acx" and acx.piper.noise_scale == 0.0
    assert profiles["joe"].pauses == Pauses(350, 700, 1200, 2000)
    assert profiles["joe"].lexicons == ((REPO / "voices" / "lexicon.toml").resolve(),)
    assert not profiles["gtts-en"].offline
    assert "lexicon" not in profiles  # lexicon files are not profiles


def test_full_profile(tmp_path):
    write(
        tmp_path,
        "slow.toml",
        """
name = "slow"
engine = "espeak"
model = "en-gb"
language = "en-GB"
rate = 0.8
lexicons = ["voices/words.toml"]
[pauses]
sentence = 500
""",
    )
    write(tmp_path, "words.toml", "[aliases]\n")
    profiles = load_profiles(tmp_path)
    slow = profiles["slow"]
    assert (slow.engine, slow.model, slow.language, slow.rate) == ("espeak", "en-gb", "en-GB", 0.8)
    assert slow.pauses == Pauses(sentence=500)
    assert "words" not in profiles
    assert slow.source == tmp_path / "voices" / "slow.toml"


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('engine = "festival"', "engine"),
        ('engine = "espeak"\nrate = "fast"', "rate"),
        ('engine = "espeak"\nrate = 9.0', "rate"),
        ('engine = "espeak"\nloudness = "loud"', "loudness"),
        ('engine = "espeak"\ncolour = "blue"', "colour"),
        ('engine = "espeak"\n[pauses]\nsentence = -1', "pauses.sentence"),
        ('engine = "piper"\n[piper]\nnoise = 1', "piper.noise"),
        ('name = "x"', "engine"),
    ],
)
def test_errors_name_file_and_key(tmp_path, body, key):
    path = write(tmp_path, "bad.toml", body)
    with pytest.raises(ConfigError) as info:
        load_profiles(tmp_path)
    assert str(path) in str(info.value) and key in str(info.value)


def test_invalid_toml(tmp_path):
    path = write(tmp_path, "broken.toml", "engine = ")
    with pytest.raises(ConfigError, match="invalid TOML") as info:
        load_profiles(tmp_path)
    assert info.value.path == str(path)


def test_duplicate_names(tmp_path):
    write(tmp_path, "a.toml", 'name = "same"\nengine = "fake"')
    write(tmp_path, "b.toml", 'name = "same"\nengine = "fake"')
    with pytest.raises(ConfigError, match="unique"):
        load_profiles(tmp_path)


def test_unknown_voice_lists_known(tmp_path):
    with pytest.raises(ConfigError, match="espeak, joe"):
        get_profile(load_profiles(tmp_path), "nobody")


def test_missing_piper_model_names_profile(tmp_path):
    write(tmp_path, "mine.toml", 'engine = "piper"\nmodel = "models/mine.onnx"')
    profile = load_profiles(tmp_path)["mine"]
    with pytest.raises(SpeechError, match="'mine'.*mine.onnx"):
        piper_model_paths(profile)
    ok, reason = check_usable(profile)
    assert not ok and "mine.onnx" in reason


def test_missing_piper_package(tmp_path):
    write(tmp_path, "ghost.toml", 'engine = "piper"\nmodel = "no-such-piper-voice"')
    ok, reason = check_usable(load_profiles(tmp_path)["ghost"])
    assert not ok and "pip install no-such-piper-voice" in reason


def test_builtins_usable_here():
    assert check_usable(BUILTIN_PROFILES["joe"])[0]
    assert check_usable(BUILTIN_PROFILES["espeak"])[0]


def test_missing_lexicon(tmp_path):
    path = write(tmp_path, "v.toml", 'engine = "fake"\nlexicons = ["voices/nope.toml"]')
    with pytest.raises(ConfigError, match="lexicons: .*nope.toml") as info:
        load_profiles(tmp_path)
    assert info.value.path == str(path)
