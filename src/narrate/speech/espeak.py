"""espeak-ng engine: the Debian ``espeak-ng`` binary run once per utterance."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from narrate.artifacts import atomic_path
from narrate.errors import SpeechError
from narrate.speech.engines import check_wav
from narrate.speech.voices import VoiceProfile

BASE_WPM = 175  # espeak-ng's default speed; rate 1.0 speaks at this many words a minute
SAMPLE_RATE = 22050


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

    def cache_key(self) -> str:
        return f"espeak;{_espeak_version(self.binary)};voice={self.profile.model};wpm={self.wpm}"

    def phonemes(self, text: str) -> list[str]:
        """The phonemes espeak-ng says for ``text``, in IPA (``espeak-ng --ipa``), one line per clause.
        espeak-ng reads the text itself: narrate's readings (``pronounce``) are given to Piper voices only."""
        command = [self.binary, "-q", "--ipa", "-v", self.profile.model, "--stdin"]
        try:
            done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, check=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            raise SpeechError(f"voice {self.profile.name!r}: cannot run espeak-ng ({exc})",
                              self.profile.source) from exc
        return [line.strip() for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip()]

    def synthesize(self, text: str, out_wav: Path) -> None:
        with atomic_path(out_wav) as tmp:
            command = [self.binary, "-v", self.profile.model, "-s", str(self.wpm), "-w", str(tmp), "--stdin"]
            try:
                subprocess.run(
                    command, input=text.encode("utf-8"), capture_output=True, check=True, timeout=300
                )
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
