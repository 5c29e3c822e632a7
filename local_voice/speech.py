"""The guide's voice: pyttsx3 renders each piece to a WAV file; we add the silences.

pyttsx3's `say()` returns before the sound ends and one `runAndWait` writes only one
file, so each segment is rendered on its own and the loop plays the result itself.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from dialogs.markup import Rate, to_segments
from local_voice.audio import Audio, AudioError, read_wav, silence

DEFAULT_RATE = 165
ATTEMPTS = 3
SLOW_FACTOR = 0.8


class SpeechError(Exception):
    """Speech synthesis is unavailable; the message says what to install."""


class Synthesizer:
    def __init__(self, rate: int = DEFAULT_RATE, voice: str | None = None):
        try:
            import pyttsx3

            self.engine = pyttsx3.init()
        except Exception as error:  # pyttsx3 raises many kinds when no speech engine loads
            raise SpeechError(
                "No text-to-speech engine is available (" + str(error) + "). On Debian or "
                "Ubuntu install it with: sudo apt-get install libespeak-ng1") from None
        self.rate = rate
        if voice:
            known = {v.id: v for v in self.engine.getProperty("voices")}
            chosen = known.get(voice) or next(
                (v for v in known.values() if voice.lower() in (v.name or "").lower()), None)
            if chosen is None:
                raise SpeechError(f"There is no voice called {voice!r}. Run `couplecare "
                                  "voices` to see the ones installed.")
            self.engine.setProperty("voice", chosen.id)
        self._folder = tempfile.TemporaryDirectory(prefix="couplecare-tts-")
        self._count = 0

    def voices(self) -> list[tuple[str, str]]:
        return [(v.id, v.name) for v in self.engine.getProperty("voices")]

    def words(self, text: str, rate: int) -> Audio:
        """One run of words as audio.

        The espeak driver now and then ends a run early, on a stale end-of-message event,
        and writes an empty file; such a run is simply synthesised again.
        """
        self.engine.setProperty("rate", rate)
        problem: AudioError | None = None
        for _ in range(ATTEMPTS):
            self._count += 1
            path = Path(self._folder.name) / f"{self._count}.wav"
            with contextlib.redirect_stdout(io.StringIO()):  # the driver prints where it saved
                self.engine.save_to_file(text, str(path))
                self.engine.runAndWait()
            try:
                return read_wav(path)
            except AudioError as error:
                problem = error
            finally:
                path.unlink(missing_ok=True)
        raise SpeechError(f"Speech synthesis wrote no usable audio for {text!r} "
                          f"({problem}).")

    def render(self, markup: str) -> Audio | None:
        """The guide's words with their pauses and slower parts, or None for no words."""
        audio: Audio | None = None
        for segment in to_segments(markup):
            parts = []
            if segment.text:
                rate = round(self.rate * (SLOW_FACTOR if segment.rate is Rate.SLOW else 1))
                parts.append(self.words(segment.text, rate))
            if segment.pause_after:
                rate = parts[0].rate if parts else (audio.rate if audio else 22050)
                parts.append(silence(segment.pause_after, rate))
            for part in parts:
                audio = part if audio is None else audio + part
        return audio

    def close(self) -> None:
        self._folder.cleanup()
