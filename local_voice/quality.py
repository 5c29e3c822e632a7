"""How much an utterance's sound can be trusted: its signal-to-noise ratio and its band.

Both are read from the utterance itself, so they hold from the first word on (the noise
floor the endpointer follows needs seconds of room sound before anyone speaks):

- the signal-to-noise ratio: the loudest frames (vowels) against the quietest (the room
  between words and around them);
- the band: the share of the loud frames' energy above 4 kHz. A telephone line or a
  Bluetooth headset's narrowband mode carries none; the models were trained on wideband
  speech, and fricatives and bursts that tell phrases apart live up there.

On espeak-ng Korean phrases in bench/voice.py's conditions the ratio comes out at about
70 dB clean, 22-26 dB with white noise at 20 dB, 12-17 dB at 10 dB; the high band at -9 to
-33 dB wideband, below -75 dB through a telephone band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from local_voice.audio import Audio

FRAME_SECONDS = 0.03
HIGH_BAND_HZ = 4000.0
QUIET_DB = -120.0
"""The lowest level a frame is given."""
SILENT_DB = -90.0
"""Audio whose loud frames are below this holds no sound to measure."""


@dataclass(frozen=True)
class SignalQuality:
    snr_db: float
    """Loud frames (90th percentile level) over quiet ones (10th percentile)."""
    high_band_db: float
    """Energy above 4 kHz over all energy, in the louder half of the frames."""


def measure(audio: Audio) -> SignalQuality | None:
    """None for audio too short to say (under three frames) or with no sound in it."""
    size = max(1, round(audio.rate * FRAME_SECONDS))
    whole = Audio(audio.pcm[:len(audio.pcm) // 2 * 2], audio.rate)  # no half sample
    samples = whole.samples().astype(np.float64) / 32768.0
    count = len(samples) // size
    if count < 3:
        return None
    frames = samples[:count * size].reshape(count, size)
    power = np.mean(frames ** 2, axis=1)
    if np.count_nonzero(power) < 3:
        return None
    # digital silence (a recording padded with zeros, as `--audio-in` pads each file) is no
    # room: left in, it would make any noise around the words look like none
    frames, power = frames[power > 0], power[power > 0]
    levels = 10 * np.log10(np.maximum(power, 10 ** (QUIET_DB / 10)))
    loudest = float(np.percentile(levels, 90))
    if loudest <= SILENT_DB:
        return None
    snr = loudest - float(np.percentile(levels, 10))
    loud = frames[levels >= np.median(levels)]
    spectrum = np.abs(np.fft.rfft(loud * np.hanning(size), axis=1)) ** 2
    frequencies = np.fft.rfftfreq(size, 1 / audio.rate)
    total = float(spectrum.sum())
    high = float(spectrum[:, frequencies > HIGH_BAND_HZ].sum())
    high_band = 10 * np.log10(max(high / total, 1e-12)) if total > 0 else QUIET_DB
    return SignalQuality(snr, float(high_band))
