"""Sounds made at test time: noise at a chosen SNR, breath-like bursts, quiet."""

from __future__ import annotations

import numpy as np
from scipy import signal

from local_voice.audio import Audio

RATE = 16000


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x ** 2)))


def speech_rms(audio: Audio, frame_seconds: float = 0.03) -> float:
    """The loudness of the speech itself: frames within 40 dB of the loudest."""
    x = audio.samples().astype(np.float64)
    size = round(audio.rate * frame_seconds)
    frames = x[:len(x) // size * size].reshape(-1, size)
    energy = (frames ** 2).mean(axis=1)
    return float(np.sqrt(energy[energy > energy.max() * 1e-4].mean()))


def white(seconds: float, rms: float, seed: int = 1) -> np.ndarray:
    noise = np.random.default_rng(seed).standard_normal(round(seconds * RATE))
    return noise * rms / _rms(noise)


def breaths(seconds: float, rms: float, every: float = 2.5, length: float = 0.6,
            first: float = 0.3, seed: int = 2) -> np.ndarray:
    """Breath-like bursts: band-limited noise (300-2500 Hz) swelling and fading over
    `length` seconds, every `every` seconds; `rms` is the loudness within a burst."""
    rng = np.random.default_rng(seed)
    b, a = signal.butter(2, [300, 2500], btype="band", fs=RATE)
    out = np.zeros(round(seconds * RATE))
    size, period = round(length * RATE), round(every * RATE)
    for start in range(round(first * RATE), len(out) - size, period):
        burst = signal.lfilter(b, a, rng.standard_normal(size)) * np.hanning(size)
        out[start:start + size] += burst * rms / _rms(burst[size // 4: -size // 4])
    return out


def mix(*parts: tuple[float, np.ndarray | Audio]) -> Audio:
    """Sounds laid over each other, each at its start time in seconds."""
    arrays = [(start, p.at_rate(RATE).samples().astype(np.float64) if isinstance(p, Audio)
               else p) for start, p in parts]
    total = max(round(start * RATE) + len(x) for start, x in arrays)
    out = np.zeros(total)
    for start, x in arrays:
        offset = round(start * RATE)
        out[offset:offset + len(x)] += x
    return Audio(np.clip(out, -32768, 32767).astype(np.int16).tobytes(), RATE)


def at_snr(speech: Audio, snr_db: float) -> float:
    """The noise RMS that puts `speech` at `snr_db`."""
    return speech_rms(speech) / 10 ** (snr_db / 20)


class SoundInput:
    """One Audio played as if into a microphone, 30 ms at a time."""

    def __init__(self, audio: Audio):
        self.rate = audio.rate
        self.pcm = audio.pcm
        self.frame_bytes = 2 * round(self.rate * 0.03)
        self.position = 0

    def frame(self) -> bytes | None:
        if self.position + self.frame_bytes > len(self.pcm):
            return None
        chunk = self.pcm[self.position:self.position + self.frame_bytes]
        self.position += self.frame_bytes
        return chunk

    def mute(self) -> None:
        pass

    def unmute(self, guard_seconds: float = 0.0) -> None:
        pass
