"""Piper (offline neural TTS) engine. The only module that imports ``piper``.

The voice (an ONNX model) is loaded once per process and kept in ``_VOICES``, and only when
something is synthesized: its sample rate comes from its JSON config. Piper
phonemizes with the espeak-ng data bundled in the piper-tts wheel, so the Debian
espeak-ng package is not needed for this engine.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from narrate.errors import SpeechError
from narrate.speech import pronounce
from narrate.speech.engines import atomic_wav
from narrate.speech.lexicon import Lexicon, load_lexicons
from narrate.speech.pronounce import Choice
from narrate.speech.tagger import model_version
from narrate.speech.voices import VoiceProfile, piper_model_paths

_VOICES: dict[tuple[str, str], Any] = {}
BREAKS = frozenset(",;:")  # phrase breaks espeak-ng keeps in the phonemes (a pause, as the voice reads them)
LONGEST = 48  # phonemes in one phrase of a preview; a longer one is cut at the word boundary nearest its middle


@cache
def _voice_class() -> Any:
    """PiperVoice whose ``phonemize`` is narrate's pronunciation step (``pronounce``): Piper's own
    espeak-ng phonemes for the sentence, with the words narrate chose a reading for put in as
    IPA. ``synthesize`` calls it, and so does ``PiperEngine.phonemes``: one code path."""
    from piper import PiperVoice

    class NarrateVoice(PiperVoice):
        def phonemize(self, text: str) -> list[list[str]]:
            plan = getattr(self, "narrate_plan", None)
            found = plan(text) if plan is not None else []
            self.narrate_given = []  # the choices given as phonemes by this call
            if not found:
                return super().phonemize(text)
            placeholder = pronounce.placeholder_for(text)
            sentences = ["".join(s) for s in super().phonemize(pronounce.with_placeholder(text, found, placeholder))]
            marker = "".join("".join(s) for s in super().phonemize(placeholder))
            done = pronounce.substitute(sentences, marker, found)
            if done is None:  # the placeholder was not found as said alone: the voice reads the text itself
                return super().phonemize(text)
            self.narrate_given = found
            return [self._codepoints(s) for s in done]

        def _codepoints(self, phonemes: str) -> list[str]:
            points = list(unicodedata.normalize("NFD", phonemes))
            if self.config.vowel_clusters:
                from piper.phonemize_espeak import _merge_known_vowel_clusters

                points = _merge_known_vowel_clusters(points, self.config.vowel_clusters)
            return points

    return NarrateVoice


def _piper_config(settings: dict[str, Any], profile: VoiceProfile) -> Any:
    try:
        from piper.config import PiperConfig
    except ImportError as exc:
        raise SpeechError(f"voice {profile.name!r}: the piper-tts package is not installed", profile.source) from exc
    try:
        return PiperConfig.from_dict(settings)
    except (KeyError, TypeError, ValueError) as exc:
        raise SpeechError(f"voice {profile.name!r}: cannot load Piper model (its config lacks {exc})",
                          profile.source) from exc


def _load_voice(model: Path, config: Path, profile: VoiceProfile) -> Any:
    key = (str(model), str(config))
    if key not in _VOICES:
        settings = _config(config, profile)
        piper_config = _piper_config(settings, profile)
        try:
            # PiperVoice.load with one ONNX session, made with the worker's thread count (load
            # would make a default one first, only for it to be replaced: twice the start-up)
            session = _session(model, engine_threads(), _models_cache(profile))
            _VOICES[key] = _voice_class()(config=piper_config, session=session)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise SpeechError(f"voice {profile.name!r}: cannot load Piper model ({exc})", model) from exc
    return _VOICES[key]


def _models_cache(profile: VoiceProfile) -> Path | None:
    """The project's cache folder, when the voice belongs to a project that has one."""
    folder = profile.root / ".narrate" if profile.root is not None else None
    return folder / "cache" if folder is not None and folder.is_dir() else None


@cache
def _read_config(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _config(path: Path, profile: VoiceProfile) -> dict[str, Any]:
    """The voice's JSON config (``<model>.onnx.json``), read once per process."""
    try:
        settings = _read_config(str(path))
        int(settings["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SpeechError(f"voice {profile.name!r}: cannot read the Piper voice config ({exc})", path) from exc
    return settings


def engine_threads() -> int:
    """Threads for one Piper session; 0 lets onnxruntime use every core.

    The build sets NARRATE_ENGINE_THREADS in worker processes so that parallel
    workers share the cores instead of each claiming all of them.
    """
    try:
        return max(0, int(os.environ.get("NARRATE_ENGINE_THREADS", "0") or 0))
    except ValueError:
        return 0


def _session(model: Path, threads: int, cache: Path | None = None) -> Any:
    """The model's ONNX session; with ``cache`` (a folder), through the model as ONNX Runtime
    optimized it (``optimized_model``): loading that skips the graph optimizations, about half
    the load's CPU, and gives the same samples."""
    import onnxruntime

    def options(optimize: bool = True) -> Any:
        made = onnxruntime.SessionOptions()
        if threads:  # else onnxruntime's defaults, as PiperVoice.load makes them
            made.intra_op_num_threads = threads
            made.inter_op_num_threads = 1
        if not optimize:
            made.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        return made

    def load(path: Path, made: Any) -> Any:
        return onnxruntime.InferenceSession(str(path), sess_options=made, providers=["CPUExecutionProvider"])

    optimized = optimized_model(cache, model, onnxruntime.__version__) if cache is not None else None
    if optimized is None:
        return load(model, options())
    if optimized.is_file():
        try:
            return load(optimized, options(optimize=False))
        except Exception:  # noqa: BLE001 - a damaged or foreign file: ignored, the model loads as ever
            optimized.unlink(missing_ok=True)
            return load(model, options())
    made = options()
    scratch = optimized.with_name(f".{optimized.name}.{os.getpid()}.part")
    made.optimized_model_filepath = str(scratch)
    made.log_severity_level = 3  # not its warning that the file is for this machine: the key says so
    session = load(model, made)
    try:  # kept only when it says exactly what the model says (else a marker: not tried again)
        same = _same_output(session, load(scratch, options(optimize=False)))
        if same:
            os.replace(scratch, optimized)
        else:
            optimized.with_suffix(".differs").touch()
    except Exception:  # noqa: BLE001 - no cache is no error
        pass
    finally:
        scratch.unlink(missing_ok=True)
    return session


MODELS = "onnx"  # under the project's .narrate/cache/: models as ONNX Runtime optimized them here


def optimized_model(cache: Path, model: Path, runtime: str) -> Path | None:
    """Where ``model`` optimized by ONNX Runtime ``runtime`` on this machine is kept (None: nowhere,
    or a check found it not the model's equal). Keyed by the runtime's version, the machine (its
    architecture and CPU features: the optimizations depend on them) and the model's SHA-256."""
    folder = cache / MODELS
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stat = model.stat()
    except OSError:
        return None
    machine = f"{platform.machine()};{_cpu_flags()}"
    key = hashlib.sha256(f"{runtime}\n{machine}\n{_file_sha256(str(model), stat.st_size, stat.st_mtime_ns)}"
                         .encode()).hexdigest()[:32]
    path = folder / f"{key}.onnx"
    return None if path.with_suffix(".differs").exists() else path


@cache
def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            flags = (line.split(":", 1)[1].strip() for line in handle if line.startswith(("flags", "Features")))
            return next(flags, "")
    except OSError:
        return platform.processor()


def _same_output(one: Any, other: Any) -> bool:
    """Whether two sessions of a Piper model give the same samples for a probe (no noise)."""
    import numpy

    ids = numpy.array([[1, 0, *[(3 + 7 * i) % 40 + 1 for i in range(40)], 0, 2]], dtype=numpy.int64)
    given = {"input": ids, "input_lengths": numpy.array([ids.shape[1]], dtype=numpy.int64),
             "scales": numpy.array([0.0, 1.0, 0.0], dtype=numpy.float32), "sid": numpy.array([0], dtype=numpy.int64)}
    feed = {i.name: given[i.name] for i in one.get_inputs()}
    first, second = one.run(None, feed)[0], other.run(None, feed)[0]
    return first.shape == second.shape and first.tobytes() == second.tobytes()


@cache
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class PiperEngine:
    name = "piper"

    def __init__(self, profile: VoiceProfile):
        self.profile = profile
        self.model, self.config = piper_model_paths(profile)
        self._voice: Any = None
        self._phonemizer: Any = None
        self.lexicon = load_lexicons(profile.lexicons) if profile.lexicons else Lexicon()
        if any(e.phoneme and not e.alias for e in self.lexicon.entries):
            check_lexicon_symbols(self.lexicon, _config(self.config, profile), profile)

    def choices(self, text: str) -> list[Choice]:
        """The words of ``text`` this voice is given as phonemes (``pronounce.choices``)."""
        return pronounce.choices(text, self.profile.language, self.lexicon)

    def phonemes(self, text: str) -> list[str]:
        """Exactly the phonemes the voice is given for ``text``: one IPA string per sentence it synthesizes.
        Needs no model: the same ``phonemize`` as ``synthesize``, on a voice without an ONNX session."""
        return self.heard(text)[0]

    def heard(self, text: str) -> tuple[list[str], list[Choice]]:
        """``phonemes(text)`` and the choices they hold (none when narrate had to leave the text to the voice)."""
        voice = self._phonemizing()  # never the loaded voice: a build on another thread sets its plan
        voice.narrate_plan = self.choices
        said = ["".join(s) for s in voice.phonemize(text) if s]
        return said, list(voice.narrate_given)

    def phrase_phonemes(self, text: str, longest: int = LONGEST) -> list[list[str]]:
        """``text``'s phonemes (``heard``'s, one code path) as phrases: each sentence the voice is given,
        cut after its phrase breaks and, past ``longest`` phonemes, at word boundaries. Joined per
        sentence they are exactly what ``synthesize`` gives the model."""
        voice = self._phonemizing()
        voice.narrate_plan = self.choices
        sentences = [list(sentence) for sentence in voice.phonemize(text) if sentence]
        return [piece for sentence in sentences for piece in phrase_cuts(sentence, longest)]

    def _phonemizing(self) -> Any:
        """This engine's own phonemizer (``NarrateVoice`` without a model): the same ``phonemize``
        as the loaded voice's, whose plan a build on another thread may be setting."""
        if self._phonemizer is None:
            self._phonemizer = _voice_class()(config=_piper_config(_config(self.config, self.profile),
                                                                    self.profile), session=None)
        return self._phonemizer

    def phrases(self, text: str, longest: int = LONGEST) -> Iterator[bytes]:
        """The voice saying ``text`` phrase by phrase as each is made (16-bit mono PCM at
        ``sample_rate``): a page can play the first phrase while the next are made. The phonemes are
        ``synthesize``'s; each phrase is one model run, so its joins are not the sentence's own."""
        config = self._synthesis_config()
        for piece in self.phrase_phonemes(text, longest):
            try:
                audio = self.voice.phoneme_ids_to_audio(self.voice.phonemes_to_ids(piece), config)
            except Exception as exc:  # onnxruntime raises its own exception types
                raise SpeechError(f"voice {self.profile.name!r}: Piper failed on {text[:60]!r} ({exc})",
                                  self.profile.source) from exc
            yield _pcm16(audio, config, self.sample_rate)

    @property
    def voice(self) -> Any:
        if self._voice is None:
            self._voice = _load_voice(self.model, self.config, self.profile)
        return self._voice

    @property
    def sample_rate(self) -> int:
        """From the voice's config: a build whose sentences are all cached never loads the model."""
        return int(_config(self.config, self.profile)["audio"]["sample_rate"])

    def _model_identity(self) -> str:
        if self.profile.model_file() is not None:
            stat = self.model.stat()
            return "sha256:" + _file_sha256(str(self.model), stat.st_size, stat.st_mtime_ns)
        return f"{self.profile.model}=={_version(self.profile.model)}"

    def cache_key(self) -> str:
        s = self.profile.piper
        return (
            f"piper-tts=={_version('piper-tts')};model={self._model_identity()};rate={self.profile.rate};"
            f"noise={s.noise_scale};noise_w={s.noise_w_scale};length={s.length_scale};"
            f"pronounce={pronounce.step_key()};tagger={model_version()};lexicon={pronounce.lexicon_key(self.lexicon)}"
        )

    def _synthesis_config(self) -> Any:
        from piper import SynthesisConfig

        settings = self.profile.piper
        length = settings.length_scale
        if self.profile.rate != 1.0:
            length = (length if length is not None else self.voice.config.length_scale) / self.profile.rate
        return SynthesisConfig(
            length_scale=length, noise_scale=settings.noise_scale, noise_w_scale=settings.noise_w_scale
        )

    def synthesize(self, text: str, out_wav: Path) -> None:
        config = self._synthesis_config()
        voice = self.voice
        voice.narrate_plan = self.choices
        try:
            chunks = list(voice.synthesize(text, syn_config=config))
        except Exception as exc:  # phonemizer/onnxruntime errors
            raise SpeechError(
                f"voice {self.profile.name!r}: Piper failed on {text[:60]!r} ({exc})", self.profile.source
            ) from exc
        with atomic_wav(out_wav, self.sample_rate) as wav:
            for chunk in chunks:
                wav.writeframes(chunk.audio_int16_bytes)


def phrase_cuts(phonemes: list[str], longest: int = LONGEST) -> list[list[str]]:
    """``phonemes`` (one sentence's) cut after each phrase break that a word follows, then any piece
    longer than ``longest`` at the word boundary nearest its middle; joined, they are ``phonemes``."""
    pieces, start = [], 0
    for at, symbol in enumerate(phonemes):
        if symbol in BREAKS and at + 1 < len(phonemes) and phonemes[at + 1] == " ":
            pieces.append(phonemes[start:at + 2])
            start = at + 2
    pieces.append(phonemes[start:])
    return [cut for piece in pieces if piece for cut in _halves(piece, longest)]


def _halves(piece: list[str], longest: int) -> list[list[str]]:
    spaces = [at for at, symbol in enumerate(piece) if symbol == " " and 0 < at < len(piece) - 1]
    if len(piece) <= longest or not spaces:
        return [piece]
    middle = min(spaces, key=lambda at: abs(at - len(piece) / 2))
    return _halves(piece[:middle + 1], longest) + _halves(piece[middle + 1:], longest)


def _pcm16(audio: Any, config: Any, rate: int) -> bytes:
    """Piper's float audio as its ``synthesize`` makes it (normalized, volume, clipped) and writes it."""
    from piper.voice import AudioChunk

    if config.normalize_audio:
        peak = float(abs(audio).max()) if audio.size else 0.0
        audio = audio / peak if peak >= 1e-8 else audio * 0.0
    if config.volume != 1.0:
        audio = audio * config.volume
    chunk = AudioChunk(sample_rate=rate, sample_width=2, sample_channels=1, phonemes=[], phoneme_ids=[],
                       audio_float_array=audio.clip(-1.0, 1.0).astype("float32"))
    return chunk.audio_int16_bytes


def check_lexicon_symbols(lexicon: Lexicon, settings: dict[str, Any], profile: VoiceProfile) -> None:
    """Every IPA phoneme entry is made of symbols this voice has (its config's ``phoneme_id_map``);
    else a ``SpeechError`` naming the lexicon, the line and the symbols."""
    known = set(settings.get("phoneme_id_map") or {})
    if not known:
        return
    for entry in lexicon.entries:
        if not entry.phoneme or entry.alias or entry.alphabet.lower() not in ("", "ipa"):
            continue
        ipa = unicodedata.normalize("NFD", pronounce.ipa_of(entry.phoneme))
        missing = sorted({ch for ch in ipa if ch not in known and not ch.isspace()})
        if missing:
            raise SpeechError(f'voice {profile.name!r}: expected IPA the voice can say for "{entry.grapheme}", '
                              f"found symbols it has none for: {' '.join(missing)}", entry.source or profile.source,
                              entry.line)
