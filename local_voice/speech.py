"""The guide's voice: pyttsx3 renders each piece to a WAV file; we add the silences.

pyttsx3's `say()` returns before the sound ends and one `runAndWait` writes only one
file, so each segment is rendered on its own and the loop plays the result itself.

The espeak driver is native code that now and then crashes the whole process (a
segmentation fault inside `Synth`, seen under load). It therefore runs in a child
process: a crash there costs one attempt and a fresh child, never the session.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from dialogs.markup import Rate, to_segments
from local_voice.audio import Audio, AudioError, read_wav, silence

DEFAULT_RATE = 165
ATTEMPTS = 3
SLOW_FACTOR = 0.8
MISSING_ENGINE = ("No text-to-speech engine is available ({}). On Debian or Ubuntu "
                  "install it with: sudo apt-get install libespeak-ng1")


class SpeechError(Exception):
    """Speech synthesis is unavailable; the message says what to install."""


class _Worker:
    """The speech engine in its own process; `run` answers False once that process died."""

    def __init__(self, voice: str | None):
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ,
               "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local_voice.speech_worker", *([voice] if voice else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, encoding="utf-8", env=env)
        assert self.process.stdin and self.process.stdout  # both are pipes by the call above
        self._requests, self._answers = self.process.stdin, self.process.stdout
        first = self._receive()
        if first is None:
            raise SpeechError(MISSING_ENGINE.format(self.ended()))
        if "error" in first:
            self._reap()
            if first["error"] == "no_voice":
                raise SpeechError(f"There is no voice called {first['detail']!r}. Run "
                                  "`couplecare voices` to see the ones installed.")
            raise SpeechError(MISSING_ENGINE.format(first["detail"]))
        self.voices: list[tuple[str, str]] = [tuple(pair) for pair in first["voices"]]

    def _receive(self) -> dict | None:
        line = self._answers.readline()
        return json.loads(line) if line else None

    def ended(self) -> str:
        """Why the process stopped answering, once it has gone."""
        return f"the speech process ended with code {self._reap()}"

    def _reap(self) -> int:
        """The process's exit code, killing it if it has not ended within five seconds."""
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def run(self, text: str, rate: int, path: Path) -> bool:
        request = json.dumps({"text": text, "rate": rate, "path": str(path)})
        try:
            self._requests.write(request + "\n")
            self._requests.flush()
        except (BrokenPipeError, OSError):
            return False
        return self._receive() == {"done": True}

    def stop(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self._requests.close()
        self._reap()
        self._answers.close()


class Synthesizer:
    def __init__(self, rate: int = DEFAULT_RATE, voice: str | None = None):
        self.rate = rate
        self._voice = voice
        self._worker = _Worker(voice)
        self._folder = tempfile.TemporaryDirectory(prefix="couplecare-tts-")
        self._count = 0

    def voices(self) -> list[tuple[str, str]]:
        return list(self._worker.voices)

    def words(self, text: str, rate: int) -> Audio:
        """One run of words as audio.

        The espeak driver now and then ends a run early, on a stale end-of-message event,
        and writes an empty file, or crashes its process; either way the run is simply
        synthesised again, by a fresh process after a crash.
        """
        problem = "no attempt was made"
        for _ in range(ATTEMPTS):
            self._count += 1
            path = Path(self._folder.name) / f"{self._count}.wav"
            try:
                if not self._worker.run(text, rate, path):
                    problem = self._worker.ended()
                    self._worker = _Worker(self._voice)
                    continue
                return read_wav(path)
            except AudioError as error:
                problem = str(error)
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
        self._worker.stop()
        self._folder.cleanup()
