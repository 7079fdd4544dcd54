"""A voice's level behaviour, learned once per voice and loudness target instead of per chapter.

Two figures let a chapter be mastered in one pass and encoded in one:

- **the limiter's loss.** A LUFS target always runs the true-peak limiter, which takes some
  loudness off; how much depends on the voice's peaks (about 1 LU with the Piper voice at the
  default target, measured). A chapter's gain includes it, so its first pass lands on the target
  and a second pass is the exception (``block_master._normalize``).
- **each codec's level offset.** LAME at 64 kbps loses about 0.4 LU on speech, ffmpeg's AAC about
  0.1; each encoding is compensated by it (``chapter.encode_piece``).

Both are measured on a calibration passage (``CALIBRATION``, in the voice's language) read by the
voice itself, laid out and mastered as a chapter is, then encoded. The figures are a function of
the voice, the target and the codec alone, cached under a key of exactly those (the calibration
sentences' audio keys hold the engine's), so an incremental build equals a clean one, and one
chapter's edit never changes another's level. Measured on the 64 chapters of a 10-title batch
read by Piper, the per-chapter LAME offset this replaces was -0.4 or -0.5 LU in every chapter.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from narrate.artifacts import atomic_write, hash_parts
from narrate.audio.chapter import (
    ChapterPlan,
    LoudnessTarget,
    RawBlocks,
    apply_master,
    combined_level,
    layout,
    learn_codec_offset,
    measure_block,
    piece_path,
    raw_frames,
    read_json,
    segment_frames,
    whole_wav,
)

_VERSION = "voice-level/3"  # 3: the record holds the master's length; 2: the loss at the gain that includes it
PAUSE_MS = 400  # between the calibration's sentences: under a block cut's pause, so it is one block
LOSS_RANGE = (-0.5, 3.0)  # a limiter cannot add loudness; more than 3 LU lost is not a voice's peaks

# Original sentences written for this purpose: varied vowels, stops and sibilants, and numbers
# spelled out as the normalizer would say them, about twenty seconds in each language.
CALIBRATION = {
    "en": (
        "The morning train left the station a little after seven, and nobody was waiting on the platform.",
        "Rain had fallen all night, so the streets were bright with puddles and the gutters sang.",
        "She counted the lanterns along the harbour wall: twelve, thirteen, and one more by the steps.",
        "Nobody in the village could say who had planted the old pear tree behind the school.",
        "When the music stopped, the whole room seemed to listen to the river under the bridge.",
    ),
    "de": (
        "Der Zug verließ den Bahnhof kurz nach sieben, und niemand wartete auf dem Bahnsteig.",
        "Es hatte die ganze Nacht geregnet, und die Straßen glänzten in der Morgensonne.",
        "Sie zählte die Laternen an der Hafenmauer: zwölf, dreizehn und eine bei der Treppe.",
        "Niemand im Dorf wusste, wer den alten Birnbaum hinter der Schule gepflanzt hatte.",
        "Als die Musik verstummte, schien der ganze Saal dem Fluss unter der Brücke zuzuhören.",
    ),
    "fr": (
        "Le train du matin a quitté la gare un peu après sept heures, et personne n'attendait sur le quai.",
        "Il avait plu toute la nuit, et les rues brillaient de flaques sous le ciel clair.",
        "Elle comptait les lanternes le long du port : douze, treize, et une autre près des marches.",
        "Personne au village ne savait qui avait planté le vieux poirier derrière l'école.",
        "Quand la musique s'est tue, toute la salle semblait écouter la rivière sous le pont.",
    ),
    "es": (
        "El tren de la mañana salió de la estación poco después de las siete, y nadie esperaba en el andén.",
        "Había llovido toda la noche, y las calles brillaban con charcos bajo el cielo limpio.",
        "Ella contó los faroles a lo largo del muelle: doce, trece, y uno más junto a la escalera.",
        "Nadie en el pueblo sabía quién había plantado el viejo peral detrás de la escuela.",
        "Cuando la música se detuvo, toda la sala pareció escuchar el río bajo el puente.",
    ),
}


def calibration_texts(language: str) -> list[str]:
    """The calibration sentences for a voice speaking ``language`` (a BCP 47 tag; English when
    there are none in it: only the voice's level is measured, not what it says)."""
    return list(CALIBRATION.get(language.split("-")[0].lower(), CALIBRATION["en"]))


class VoiceLevel:
    """The limiter's loss and the codecs' offsets of one voice at one target (see the module
    docstring). ``paths`` are the calibration sentences' cache files, which must be synthesized
    before a figure is asked for; each figure is measured once (under a lock) and cached."""

    def __init__(self, paths: Sequence[Path], in_rate: int, target: LoudnessTarget, cache_dir: Path,
                 work_dir: Path):
        self.paths = tuple(paths)
        self.in_rate, self.target, self.cache_dir, self.work_dir = in_rate, target, cache_dir, work_dir
        self.plan = ChapterPlan("voice level", self.paths, (PAUSE_MS,) * len(self.paths))
        self.key = hash_parts(_VERSION, self.plan.key(target, in_rate))
        self.lock = threading.Lock()
        self.master_frames = 0  # of ``_master()``, once this object has made it

    def files(self) -> set[Path]:
        """Its cache files (what ``narrate clean`` keeps): the loss and each codec's offset."""
        from narrate.audio.chapter import KNOWN_ENCODINGS

        return {self._record()} | {self._record(c, b) for c, b in KNOWN_ENCODINGS}

    def cached(self, encodings: Sequence[tuple[str, str]]) -> bool:
        """Are the loss and the offsets of ``encodings`` all cached (nothing left to measure)?"""
        records = [(self._record(), "loss"), *((self._record(c, b), "offset") for c, b in encodings)]
        return all(isinstance(read_json(path).get(name), float) for path, name in records)

    def limiter_loss(self) -> float:
        """LU the true-peak limiter takes off this voice's speech mastered at the target."""
        with self.lock:
            cached = read_json(self._record()).get("loss")
            if isinstance(cached, float):
                return cached
            loss = self._calibrate()
            atomic_write(self._record(), json.dumps({"loss": loss}))
            return loss

    def offset(self, codec: str, bitrate: str) -> float:
        """The level (LU) ``codec`` at ``bitrate`` adds to this voice's master (negative: it loses)."""
        with self.lock:
            record = self._record(codec, bitrate)
            cached = read_json(record).get("offset")
            if isinstance(cached, float):
                return cached
            master = self._master()
            if not (self.master_frames and whole_wav(master, self.master_frames)):
                self._calibrate()  # this build has not mastered the passage (or lost it): the same again
            offset = round(learn_codec_offset(master, self.master_frames, codec, bitrate,
                                              f"learn the {codec} level of the voice"), 3)
            atomic_write(record, json.dumps({"offset": offset}))
            return offset

    def discard(self) -> None:
        """Remove the calibration master from the work folder (an offset asked for later masters
        the passage again)."""
        with self.lock:
            self._master().unlink(missing_ok=True)
            self.master_frames = 0

    def _record(self, codec: str = "", bitrate: str = "") -> Path:
        key = hash_parts(self.key, codec, bitrate) if codec else self.key
        return piece_path(self.cache_dir, key, ".json")

    def _master(self) -> Path:
        """The calibration master: in the work folder, never the cache. Only its figures are
        cached (each written once, when known), so a build killed mid-calibration leaves nothing
        that a later build must make again, and a rerun rewrites no finished cache file."""
        return self.work_dir / f"voice-level.{self.key[:16]}.{os.getpid()}.wav"

    def _calibrate(self) -> float:
        """Master the calibration passage at the target, the limiter on (``_master()``); the loss."""
        target, rate = self.target, self.in_rate
        frames = [segment_frames(p, rate) for p in self.paths]
        block = layout(self.plan, rate, target, frames)[0]  # pauses under the cut pause: one block
        self.master_frames = block.frames
        self.work_dir.mkdir(parents=True, exist_ok=True)
        raws = RawBlocks(self.plan, [block], rate, self.work_dir)
        try:
            raw = raws.path(0)
            measured = combined_level([measure_block(raw, target, raw_frames(block, rate))], target)
            if measured.integrated_lufs <= -69.0:  # a silent voice: nothing is limited
                apply_master(raw, self._master(), block.frames, rate, target, 0.0, True)
                return 0.0
            gain = target.integrated_lufs - measured.integrated_lufs
            loss = 0.0
            # the loss where chapters are mastered: at the gain that includes it (more gain, more
            # limiting), so a second pass from the first one's shortfall
            for _ in range(2):
                level = apply_master(raw, self._master(), block.frames, rate, target, gain + loss, True)
                loss += target.integrated_lufs - combined_level([level], target).integrated_lufs
                loss = min(max(loss, LOSS_RANGE[0]), LOSS_RANGE[1])
        finally:
            raws.remove()
        return round(loss, 3)

