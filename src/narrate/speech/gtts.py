"""Google Translate TTS (gTTS): opt-in, needs the internet. The only module importing ``gtts``.

Before the first request the engine probes the service with a short socket timeout so
an offline build fails within seconds, naming the offline voices, instead of hanging.
gTTS returns MP3; ffmpeg turns it into mono 16-bit WAV (applying the speaking rate).
"""

from __future__ import annotations

import importlib.metadata
import io
import shutil
import socket
import subprocess
from pathlib import Path

from narrate.artifacts import atomic_path
from narrate.errors import SpeechError
from narrate.speech.engines import check_wav
from narrate.speech.voices import OFFLINE_ENGINES, VoiceProfile

SAMPLE_RATE = 24000
PROBE_TIMEOUT = 3.0
REQUEST_TIMEOUT = 15.0


def _host(tld: str) -> str:
    return f"translate.google.{tld}"


def probe(host: str, timeout: float = PROBE_TIMEOUT) -> None:
    """Open and close a TCP connection to ``host``:443; ``OSError`` if that is impossible."""
    with socket.create_connection((host, 443), timeout=timeout):
        pass


class GttsEngine:
    name = "gtts"
    sample_rate = SAMPLE_RATE

    def __init__(self, profile: VoiceProfile):
        self.profile = profile
        tld, _, lang = profile.model.rpartition("/")
        self.tld = tld or "com"
        self.lang = lang or profile.language.split("-")[0]
        self._online = False

    def cache_key(self) -> str:
        try:
            version = importlib.metadata.version("gTTS")
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
        return f"gtts=={version};tld={self.tld};lang={self.lang};rate={self.profile.rate}"

    def _offline_error(self, reason: object) -> SpeechError:
        offline = ", ".join(f"engine = {name!r}" for name in OFFLINE_ENGINES if name != "fake")
        return SpeechError(
            f"voice {self.profile.name!r}: the gtts engine needs the internet and cannot reach "
            f"{_host(self.tld)} ({reason}); use an offline voice instead: 'joe' (Piper, the default) "
            f"or 'espeak' ({offline})",
            self.profile.source,
        )

    def ensure_online(self) -> None:
        if self._online:
            return
        try:
            probe(_host(self.tld))
        except OSError as exc:
            raise self._offline_error(exc) from exc
        self._online = True

    def _fetch_mp3(self, text: str) -> bytes:
        try:
            from gtts import gTTS
            from gtts.tts import gTTSError
        except ImportError as exc:
            raise SpeechError(
                f"voice {self.profile.name!r}: the gtts package is not installed", self.profile.source
            ) from exc
        buffer = io.BytesIO()
        try:
            gTTS(
                text,
                tld=self.tld,
                lang=self.lang,
                slow=self.profile.rate < 0.75,
                lang_check=False,
                timeout=REQUEST_TIMEOUT,
            ).write_to_fp(buffer)
        except (gTTSError, OSError) as exc:
            raise self._offline_error(exc) from exc
        return buffer.getvalue()

    def synthesize(self, text: str, out_wav: Path) -> None:
        self.ensure_online()
        mp3 = self._fetch_mp3(text)
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg is None:
            raise SpeechError(
                f"voice {self.profile.name!r}: the gtts engine needs ffmpeg", self.profile.source
            )
        tempo = (
            []
            if self.profile.rate == 1.0 or self.profile.rate < 0.75
            else ["-af", f"atempo={max(0.5, min(2.0, self.profile.rate))}"]
        )
        with atomic_path(out_wav) as tmp:
            command = [
                ffmpeg,
                "-v",
                "error",
                "-y",
                "-f",
                "mp3",
                "-i",
                "pipe:0",
                *tempo,
                "-ac",
                "1",
                "-ar",
                str(SAMPLE_RATE),
                "-c:a",
                "pcm_s16le",
                "-bitexact",
                "-f",
                "wav",
                str(tmp),
            ]
            try:
                subprocess.run(command, input=mp3, capture_output=True, check=True, timeout=120)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
                tail = getattr(exc, "stderr", b"") or b""
                raise SpeechError(
                    f"voice {self.profile.name!r}: cannot decode gTTS audio: "
                    f"{tail.decode('utf-8', 'replace')[-400:]}",
                    self.profile.source,
                ) from exc
            check_wav(tmp, self.profile.name)
