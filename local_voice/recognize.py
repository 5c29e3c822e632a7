"""Speech to text with Vosk, on this machine only.

A grammar (the phrases a step expects) makes short answers reliable; open recognition
serves free speech. Word confidences come back too, so that a doubtful answer is
re-asked rather than guessed.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from local_voice.audio import Audio

MODEL_VARIABLE = "COUPLECARE_VOSK_MODEL"
REQUIRED_FILES = ("am/final.mdl", "conf/model.conf")
UNKNOWN = "[unk]"


class ModelError(Exception):
    """The speech model is missing or unusable; the message says how to fix it."""


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float


@dataclass(frozen=True)
class Transcript:
    text: str
    words: tuple[Word, ...] = ()

    @property
    def confidence(self) -> float:
        """The least certain word decides: one doubtful word can change an answer."""
        return min((w.confidence for w in self.words), default=0.0 if not self.text else 1.0)


def check_model_folder(path: Path) -> None:
    if not path.exists():
        raise ModelError(f"There is no speech model at {path}. Download the English model "
                         "with: couplecare model download")
    if not path.is_dir():
        raise ModelError(f"{path} is a file, but a speech model is a folder. Point to the "
                         "unpacked model folder (the one holding am/ and conf/).")
    missing = [name for name in REQUIRED_FILES if not (path / name).exists()]
    graph = path / "graph"
    if not (graph / "HCLG.fst").exists() and not (graph / "HCLr.fst").exists():
        missing.append("graph/HCLG.fst or graph/HCLr.fst")
    if missing:
        raise ModelError(f"{path} is not a complete Vosk model: {', '.join(missing)} "
                         "missing. Download it again with: couplecare model download")


@contextlib.contextmanager
def _native_warnings_silenced() -> Iterator[None]:
    """Vosk warns on stderr, past its log level, about each grammar word its model lacks;
    those words are simply not listened for, which is all a person needs to know."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class Recognizer:
    """One loaded Vosk model; each call makes a fresh recogniser for one utterance."""

    def __init__(self, model_path: Path | str):
        import vosk

        path = Path(model_path)
        check_model_folder(path)
        vosk.SetLogLevel(-1)
        try:
            self.model = vosk.Model(str(path))
        except Exception as error:  # vosk raises a bare Exception for unusable models
            raise ModelError(f"Vosk could not load the model at {path} ({error}). Download "
                             "it again with: couplecare model download") from None
        self._vosk = vosk

    def transcribe(self, audio: Audio, phrases: list[str] | None = None) -> Transcript:
        """What was said: among `phrases` when given (plus unknown speech), else anything."""
        if phrases is None:
            recognizer = self._vosk.KaldiRecognizer(self.model, audio.rate)
        else:
            # Non-ASCII must stay literal: Vosk does not decode JSON escapes in grammars.
            grammar = json.dumps([*phrases, UNKNOWN], ensure_ascii=False)
            with _native_warnings_silenced():
                recognizer = self._vosk.KaldiRecognizer(self.model, audio.rate, grammar)
        recognizer.SetWords(True)
        recognizer.AcceptWaveform(audio.pcm)
        result = json.loads(recognizer.FinalResult())
        words = tuple(Word(w["word"], float(w.get("conf", 1.0)))
                      for w in result.get("result", []) if w["word"] != UNKNOWN)
        text = " ".join(w.text for w in words) if words else result.get("text", "")
        return Transcript(text.replace(UNKNOWN, "").strip(), words)


def model_path(explicit: str | None, data_dir: Path) -> Path:
    """Where the model is: --model, else COUPLECARE_VOSK_MODEL, else the data directory."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(MODEL_VARIABLE):
        return Path(os.environ[MODEL_VARIABLE]).expanduser()
    return data_dir / "models" / "vosk-model-small-en-us"
