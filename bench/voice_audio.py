"""Test speech for the voice benchmark: espeak-ng Korean, and the rooms it is heard in.

Every condition is generated at run time from a fixed seed: white and brown noise at a
signal-to-noise ratio over the speech, an 8 kHz telephone band (300-3400 Hz), clipping,
and a pause in the middle of a phrase.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soxr

from local_voice.audio import Audio, read_wav

RATE = 16000
VOICES = ("ko", "ko+f3")
SPEEDS = (130, 175, 220)
"""Words a minute: slow, espeak-ng's default, fast."""


def speak(text: str, path: Path, voice: str = "ko", speed: int = 175) -> Audio:
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text],
                   check=True)
    return read_wav(path).at_rate(RATE)


def _samples(audio: Audio) -> np.ndarray:
    return audio.at_rate(RATE).samples().astype(np.float64)


def _audio(samples: np.ndarray) -> Audio:
    return Audio(np.clip(samples, -32768, 32767).astype(np.int16).tobytes(), RATE)


def _padded(samples: np.ndarray, seconds: float = 0.3) -> np.ndarray:
    quiet = np.zeros(round(seconds * RATE))
    return np.concatenate([quiet, samples, quiet])


def _power(samples: np.ndarray) -> float:
    return float(np.mean(samples ** 2)) + 1e-9


def noisy(colour: str, snr_db: float, rng: np.random.Generator) -> Callable[[Audio], Audio]:
    def degrade(audio: Audio) -> Audio:
        speech = _samples(audio)
        signal = _padded(speech)
        noise = rng.standard_normal(len(signal))
        if colour == "brown":
            noise = np.cumsum(noise)
            noise -= np.convolve(noise, np.ones(801) / 801, mode="same")  # no drift
        speech_power = _power(speech[np.abs(speech) > 0])
        noise *= np.sqrt(speech_power / _power(noise) / 10 ** (snr_db / 10))
        return _audio(signal + noise)
    return degrade


def clean(audio: Audio) -> Audio:
    return _audio(_padded(_samples(audio)))


def telephone(audio: Audio) -> Audio:
    narrow = soxr.resample(_samples(audio).astype(np.float32), RATE, 8000)
    spectrum = np.fft.rfft(narrow)
    frequencies = np.fft.rfftfreq(len(narrow), 1 / 8000)
    spectrum[(frequencies < 300) | (frequencies > 3400)] = 0
    band = np.fft.irfft(spectrum, len(narrow)).astype(np.float32)
    return _audio(_padded(soxr.resample(band, 8000, RATE).astype(np.float64)))


def clipped(audio: Audio) -> Audio:
    """Four times too loud for the input, cut flat at full scale."""
    samples = _samples(audio)
    peak = float(np.max(np.abs(samples))) or 1.0
    return _audio(_padded(np.clip(samples * 4, -peak, peak) * (32767 / peak)))


def paused(audio: Audio, seconds: float = 0.6) -> Audio:
    samples = _samples(audio)
    middle = len(samples) // 2
    return _audio(_padded(np.concatenate([samples[:middle], np.zeros(round(seconds * RATE)),
                                          samples[middle:]])))


def conditions(seed: int = 11) -> dict[str, Callable[[Audio], Audio]]:
    rng = np.random.default_rng(seed)
    rooms: dict[str, Callable[[Audio], Audio]] = {"clean": clean}
    for colour in ("white", "brown"):
        for snr in (20, 10, 5):
            rooms[f"{colour} noise {snr} dB"] = noisy(colour, snr, rng)
    rooms["telephone band"] = telephone
    rooms["clipped"] = clipped
    rooms["pause 600 ms mid-phrase"] = paused
    return rooms
