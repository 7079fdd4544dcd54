"""espeak-ng engine: the Debian ``espeak-ng`` binary run once per utterance.

The words narrate chooses a reading for (``speech/pronounce``: heteronyms, the letter A, lexicon
respellings and IPA entries) are given to espeak-ng as phonemes, in its own phoneme input
``[[...]]``: the IPA is written in espeak-ng's phoneme mnemonics (``MNEMONICS``; each of narrate's
heteronym readings reads back from espeak-ng as the same IPA, ``tests/test_pronounce.py``). A
choice whose IPA has a symbol the table lacks is left to espeak-ng as text."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from narrate.artifacts import atomic_path
from narrate.errors import SpeechError
from narrate.speech import pronounce
from narrate.speech.engines import check_wav
from narrate.speech.lexicon import Lexicon, load_lexicons
from narrate.speech.pronounce import Choice
from narrate.speech.tagger import model_version
from narrate.speech.voices import VoiceProfile

BASE_WPM = 175  # espeak-ng's default speed; rate 1.0 speaks at this many words a minute
SAMPLE_RATE = 22050
# IPA as espeak-ng writes it (English) → espeak-ng's phoneme mnemonics; t2 is an unflapped t
MNEMONICS = {
    "ˈ": "'", "ˌ": ",", "iː": "i:", "ɪɹ": "i@3", "ɛɹ": "e@", "ʊɹ": "U@", "ɔːɹ": "O@", "ɑːɹ": "A@", "ɪ": "I", "ᵻ": "I#",
    "ɛ": "E", "æ": "a", "ɑː": "A:", "ɑ": "A", "ɒ": "0", "ɔː": "O:", "ʊ": "U", "uː": "u:", "ʌ": "V", "ə": "@",
    "ɚ": "3", "ɜː": "3:", "ɐ": "a#", "eɪ": "eI", "aɪ": "aI", "ɔɪ": "OI", "oʊ": "oU", "aʊ": "aU", "ɡ": "g",
    "θ": "T", "ð": "D", "ʃ": "S", "ʒ": "Z", "ŋ": "N", "ɹ": "r", "tʃ": "tS", "dʒ": "dZ", "ɾ": "t#", "ʔ": "?",
    "t": "t2", **{c: c for c in "bdfhjklmnpsvwxz"},
}
_LONGEST = sorted(MNEMONICS, key=len, reverse=True)


def mnemonics(ipa: str) -> str | None:
    """``ipa`` in espeak-ng's phoneme mnemonics; None when a symbol has none in ``MNEMONICS``."""
    out, at = [], 0
    while at < len(ipa):
        symbol = next((k for k in _LONGEST if ipa.startswith(k, at)), None)
        if symbol is None:
            return None
        out.append(MNEMONICS[symbol])
        at += len(symbol)
    return "".join(out)


@cache
def _espeak_version(binary: str) -> str:
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip().split(" Data at")[0]


class EspeakEngine:
    name = "espeak"
    sample_rate = SAMPLE_RATE

    def __init__(self, profile: VoiceProfile):
        self.profile = profile
        binary = shutil.which("espeak-ng")
        if binary is None:
            raise SpeechError(
                f"voice {profile.name!r}: expected the espeak-ng program, found none on PATH "
                "(apt-get install espeak-ng)",
                profile.source,
            )
        self.binary = binary
        self.wpm = max(80, min(450, round(BASE_WPM * profile.rate)))
        self.lexicon = load_lexicons(profile.lexicons) if profile.lexicons else Lexicon()

    def cache_key(self) -> str:
        return (f"espeak;{_espeak_version(self.binary)};voice={self.profile.model};wpm={self.wpm};"
                f"pronounce={pronounce.step_key()};tagger={model_version()};lexicon={pronounce.lexicon_key(self.lexicon)}")

    def choices(self, text: str) -> list[Choice]:
        """The words of ``text`` espeak-ng is given as phonemes."""
        return [c for c in pronounce.choices(text, self.profile.language, self.lexicon) if mnemonics(c.ipa)]

    def voice_text(self, text: str) -> str:
        """``text`` with each chosen word as espeak-ng phoneme input, ``[[...]]``."""
        out, at = [], 0
        for choice in self.choices(text):
            out += [text[at:choice.start], f"[[{mnemonics(choice.ipa)}]]"]
            at = choice.end
        return "".join(out + [text[at:]])

    def phonemes(self, text: str) -> list[str]:
        """The phonemes espeak-ng says for ``text`` (as ``synthesize`` gives it, ``voice_text``), in IPA
        (``espeak-ng --ipa``), one string per clause."""
        command = [self.binary, "-q", "--ipa", "-v", self.profile.model, "--stdin"]
        try:
            done = subprocess.run(command, input=self.voice_text(text).encode("utf-8"), capture_output=True,
                                  check=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            raise SpeechError(f"voice {self.profile.name!r}: cannot run espeak-ng ({exc})",
                              self.profile.source) from exc
        return [line.strip() for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip()]

    def synthesize(self, text: str, out_wav: Path) -> None:
        # espeak-ng's command line keeps the -w file name in a 200-byte buffer and cuts a longer one
        # short, writing somewhere else: it writes into a short temporary folder, copied into place
        with atomic_path(out_wav) as tmp, tempfile.TemporaryDirectory(prefix="narrate-") as short:
            said = Path(short) / "s.wav"
            command = [self.binary, "-v", self.profile.model, "-s", str(self.wpm), "-w", str(said), "--stdin"]
            try:
                subprocess.run(
                    command, input=self.voice_text(text).encode("utf-8"), capture_output=True, check=True, timeout=300
                )
                if said.is_file():
                    shutil.copyfile(said, tmp)
            except subprocess.CalledProcessError as exc:
                tail = exc.stderr.decode("utf-8", "replace")[-400:].strip()
                raise SpeechError(
                    f"voice {self.profile.name!r}: espeak-ng failed with voice "
                    f"{self.profile.model!r}: {tail}",
                    self.profile.source,
                ) from exc
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise SpeechError(
                    f"voice {self.profile.name!r}: cannot run espeak-ng ({exc})", self.profile.source
                ) from exc
            check_wav(tmp, self.profile.name)
