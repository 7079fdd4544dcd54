"""In-process momentary loudness (``audio.loudness``) against ffmpeg's ebur128 on the same files."""

from __future__ import annotations

import math
import wave

import pytest

from narrate.audio.chapter import gated_loudness
from narrate.audio.ffmpeg import measure_loudness, parse_loudness, run_ffmpeg
from narrate.audio.flac import decode
from narrate.audio.loudness import FLOOR_LUFS, momentary, true_peak_dbtp
from narrate.errors import AudioError

# speech-like: a few harmonics, syllable-rate amplitude changes, pauses, one quiet stretch
_SIGNAL = ("aevalsrc='(0.5*sin(2*PI*180*t)+0.3*sin(2*PI*540*t)+0.15*sin(2*PI*2300*t))"
           "*(0.55+0.45*sin(2*PI*4*t))*lt(mod(t,3),2.4)*if(between(t,6,8),0.05,1)'")


def _make(path, rate: int, channels: int, seconds: float, codec: str = "pcm_s16le") -> None:
    layout = "mono" if channels == 1 else "stereo"
    run_ffmpeg(["-y", "-f", "lavfi", "-i", f"{_SIGNAL}:s={rate}:d={seconds}:c={layout}", "-c:a", codec,
                "-bitexact", str(path)], what="make a test signal", path=path)


def _ffmpeg_momentary(path) -> list[float]:
    """ffmpeg's ebur128 momentary values, as narrate measured them before it measured in-process."""
    key = "lavfi.r128.M="
    lines = run_ffmpeg(["-i", str(path), "-af", f"ebur128=metadata=1,ametadata=mode=print:key={key[:-1]}",
                        "-f", "null", "-"], what="measure loudness", path=path, keep=lambda line: key in line)
    return [float(line.split(key, 1)[1]) for line in lines if key in line]


@pytest.mark.parametrize(("rate", "channels"), [(22050, 1), (44100, 1), (24000, 2), (16000, 1)])
def test_momentary_agrees_with_ffmpeg(tmp_path, rate, channels):
    """The values are ffmpeg's (which resamples to 48 kHz) within 0.05 LU, and the integrated
    loudness gated from them within 0.01 LU, at the engines' rates and the master's, mono and
    stereo; one value per whole 100 ms, the first three (no whole 400 ms window yet) at the floor."""
    wav = tmp_path / "signal.wav"
    _make(wav, rate, channels, 12.35)
    values = momentary(wav)
    assert len(values) == 123
    assert values[:3] == [FLOOR_LUFS] * 3 and values[3] > FLOOR_LUFS
    theirs = _ffmpeg_momentary(wav)
    assert len(theirs) == len(values)
    audible = [(ours, them) for ours, them in zip(values[3:], theirs[3:], strict=True) if them > -70.0]
    assert len(audible) > 100 and max(abs(ours - them) for ours, them in audible) < 0.05
    assert gated_loudness(values) == pytest.approx(gated_loudness(theirs), abs=0.01)
    assert round(gated_loudness(values), 1) == measure_loudness(wav, true_peak=False).integrated_lufs


def test_momentary_of_silence_and_of_nothing(tmp_path):
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(bytes(2 * 22050))
    values = momentary(silent)
    assert len(values) == 10 and set(values) == {FLOOR_LUFS}
    assert gated_loudness(values) == -70.0
    empty = tmp_path / "empty.wav"
    with wave.open(str(empty), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
    assert momentary(empty) == []


def test_momentary_names_the_file_it_cannot_read(tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot a wave file")
    with pytest.raises(AudioError) as caught:
        momentary(broken)
    assert caught.value.path == str(broken)
    wide = tmp_path / "8bit.wav"
    _make(wide, 22050, 1, 1.0, codec="pcm_u8")
    with pytest.raises(AudioError, match="16-bit") as caught:
        momentary(wide)
    assert caught.value.path == str(wide)


def _ffmpeg_true_peak(path) -> float:
    lines = run_ffmpeg(["-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"], what="measure", path=path)
    return parse_loudness(lines, path, true_peak=True).true_peak_dbtp


@pytest.mark.parametrize("codec", ["pcm_s16le", "libmp3lame"])
def test_true_peak_agrees_with_ffmpeg(tmp_path, codec):
    """In-process true peak (what an MP3 block's peak check reads instead of an ffmpeg run) within
    0.1 dB of ffmpeg's ebur128 (0.1 dB steps), on a speech-like signal as a WAV and as a 64 kbps
    MP3 (decoded by libsndfile); and right on a tone whose peaks fall between samples: a quarter of
    the sample rate at 45 degrees, every sample at 0.707 of the peak, which is 3 dB over them
    (ffmpeg's ebur128, which resamples to 48 kHz first, reads -5.4 dBTP for this -6.02 dBTP tone)."""
    wav = tmp_path / ("signal.wav" if codec == "pcm_s16le" else "signal.mp3")
    run_ffmpeg(["-y", "-f", "lavfi", "-i", f"{_SIGNAL}:s=44100:d=8:c=mono", "-c:a", codec, "-b:a", "64k",
                "-bitexact", str(wav)], what="make a test signal", path=wav)
    assert true_peak_dbtp(decode(wav)) == pytest.approx(_ffmpeg_true_peak(wav), abs=0.1)
    tone = tmp_path / "tone.wav"
    run_ffmpeg(["-y", "-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*11025*t+PI/4)':s=44100:d=2", "-c:a", "pcm_s16le",
                "-bitexact", str(tone)], what="make a test tone", path=tone)
    samples = decode(tone)
    assert 20 * math.log10(abs(samples).max()) == pytest.approx(-9.03, abs=0.05)
    assert true_peak_dbtp(samples) == pytest.approx(-6.02, abs=0.05)
