"""Audio as bytes: 16-bit mono PCM with its rate; WAV files in and out; earcons."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr

VAD_RATE = 16000
"""The rate voice activity detection works at (webrtcvad takes 8, 16, 32 or 48 kHz)."""


class AudioError(Exception):
    """A problem with audio that a person can fix, in words they understand."""


@dataclass(frozen=True)
class Audio:
    pcm: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.rate

    def samples(self) -> np.ndarray:
        return np.frombuffer(self.pcm, dtype=np.int16)

    def at_rate(self, rate: int) -> Audio:
        if rate == self.rate:
            return self
        if not self.pcm:
            return Audio(b"", rate)
        converted = soxr.resample(self.samples(), self.rate, rate)
        return Audio(np.asarray(converted, dtype=np.int16).tobytes(), rate)

    def __add__(self, other: Audio) -> Audio:
        return Audio(self.pcm + other.at_rate(self.rate).pcm, self.rate)

    def to_wav(self) -> bytes:
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.rate)
            out.writeframes(self.pcm)
        return buffer.getvalue()


def silence(seconds: float, rate: int) -> Audio:
    return Audio(bytes(2 * round(seconds * rate)), rate)


RATES = (4000, 192000)
"""Sample rates a WAV file may have: telephone to studio."""


def read_wav(path: Path | str) -> Audio:
    """A WAV file as 16-bit mono; anything else is explained, not guessed at.

    A file cut short (a recording stopped early, a copy broken off) keeps the whole samples
    it holds: half a sample at the end is dropped, not a reason to refuse the rest."""
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as source:
            if source.getcomptype() != "NONE" or source.getsampwidth() != 2:
                raise AudioError(
                    f"{path} is not 16-bit PCM audio ({8 * source.getsampwidth()}-bit, "
                    f"{source.getcomptype()}). Convert it, for example with: "
                    f"sox {path.name} -b 16 -e signed-integer converted.wav")
            channels, rate = source.getnchannels(), source.getframerate()
            frames = source.readframes(source.getnframes())
    except (wave.Error, EOFError, RuntimeError) as error:
        # wave raises RuntimeError when a chunk claims to run past the end of the file.
        reason = f" ({error})" if str(error) else ""
        raise AudioError(f"{path} is not a WAV file I can read{reason}; it may be damaged "
                         "or in another format.") from None
    except FileNotFoundError:
        raise AudioError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise AudioError(f"{path} is a folder, not a WAV file.") from None
    except OSError as error:
        raise AudioError(f"{path} could not be read ({error.strerror or error}).") from None
    if channels < 1 or not RATES[0] <= rate <= RATES[1]:
        raise AudioError(f"{path} says it has {channels} channel(s) at {rate} Hz, which cannot "
                         "be right; the file is probably damaged.")
    whole = len(frames) - len(frames) % (2 * channels)
    if not whole:
        raise AudioError(f"{path} is empty: it holds no audio.")
    samples = np.frombuffer(frames[:whole], dtype=np.int16)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return Audio(samples.tobytes(), rate)


def tone(notes: list[tuple[float, float]], rate: int = 22050, volume: float = 0.2) -> Audio:
    """Soft sine notes (frequency, seconds) with gentle fades: earcons, generated, not shipped."""
    parts = []
    for frequency, seconds in notes:
        t = np.arange(round(seconds * rate)) / rate
        fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.02)
        parts.append(np.sin(2 * np.pi * frequency * t) * fade * volume)
    wave_ = np.concatenate(parts) if parts else np.zeros(0)
    return Audio((wave_ * 32767).astype(np.int16).tobytes(), rate)


EARCONS = {
    "start": [(523.25, 0.15), (659.25, 0.25)],
    "end": [(659.25, 0.15), (523.25, 0.3)],
    "turn": [(587.33, 0.12)],
}


def earcon(name: str, rate: int = 22050) -> Audio:
    return tone(EARCONS[name], rate)
