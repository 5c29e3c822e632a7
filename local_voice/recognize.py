"""Speech to text with Vosk, on this machine only.

A grammar (the phrases a step expects) makes short answers reliable; open recognition
serves free speech. Word confidences come back too, so that a doubtful answer is
re-asked rather than guessed.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soxr

from local_voice.audio import Audio

MODEL_VARIABLE = "COUPLECARE_VOSK_MODEL"
REQUIRED_FILES = ("am/final.mdl", "conf/model.conf")
UNKNOWN = "[unk]"
FILLER_CANDIDATES = (
    *"가나다라마바사아자차카타파하으오우어에그고보소수주구부기비리미키티피히내해새예유야여와워외의"
    "은는을를안인일물말할한간건것길네시이전음너더러머버서저커터퍼허노로모조초코토포호누두루무추"
    "쿠투푸후데게세레제테베헤", "uh", "um", "ah", "oh")
"""Short syllables standing for speech outside a grammar in a model with no unknown-word
entry; only those the model knows are used."""
SLOWER = 0.9
"""The speed of a second copy of what is said, decoded for the guard phrases alone. Kaldi's
models learn from copies of their recordings at 0.9, 1 and 1.1 times the speed; a safety
word said fast (espeak-ng's female Korean voice at 220 words a minute) that the guard missed
at its own speed was heard in the copy at 0.9, and no ordinary sentence became one there
(bench/voice.py: 30 of 30 found, none of 30 ordinary ones; at 0.8 an ordinary one did)."""


class ModelError(Exception):
    """The speech model is missing or unusable; the message says how to fix it."""


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float


@dataclass(frozen=True)
class Transcript:
    """What a recogniser heard, with what it takes to judge it.

    `text` holds the grammar's words heard in the speech, fillers left out; `score` is the
    log-likelihood of the best path through the grammar alone (`phrases_only`) and
    `filler_score` that of the fillers alone (see `Recognizer.fillers`); both are None for
    open recognition or a recogniser that gives none. `other_speech` says words outside the
    grammar were heard too."""

    text: str
    words: tuple[Word, ...] = ()
    score: float | None = None
    filler_score: float | None = None
    seconds: float = 0.0
    """How long the heard words lasted."""
    other_speech: bool = False
    phrases_only: str = ""
    """The best path through the grammar alone, with no filler: the phrase a short answer
    is judged as (empty when there is no grammar)."""
    guarded: str = ""
    """What a second grammar (`guard`: commands and safety phrases beside open recognition,
    safety phrases beside a grammar of commands in free speech), among fillers, heard in the
    same speech: a danger the other decoding mishears or lets fillers absorb is still
    caught."""

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


@contextlib.contextmanager
def _without_dither(path: Path) -> Iterator[Path]:
    """The model folder to load, with Kaldi's dither turned off (`Dither` replaces it). Kaldi
    draws its dither from one random sequence the whole process shares, so the same recording
    scored differently from one decoding to the next (by up to 4 log-likelihood, more than the
    judge's margins), depending on what had been decoded before it or beside it. Vosk reads
    the setting only from the model's conf/mfcc.conf, and reads every file while loading, so
    the model is loaded through a passing folder of links whose mfcc.conf ends with dither off
    (the last setting wins); the model itself is left as it is."""
    mfcc = path / "conf" / "mfcc.conf"
    if not mfcc.is_file():
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="couplecare-model-") as folder:
        view = Path(folder)
        try:
            for entry in path.iterdir():
                if entry.name != "conf":
                    (view / entry.name).symlink_to(entry.resolve())
            (view / "conf").mkdir()
            for entry in mfcc.parent.iterdir():
                if entry.name != mfcc.name:
                    (view / "conf" / entry.name).symlink_to(entry.resolve())
            (view / "conf" / mfcc.name).write_text(
                mfcc.read_text(encoding="utf-8").rstrip("\n") + "\n--dither=0\n",
                encoding="utf-8")
        except OSError:  # no links here: the model as it is, dither and all
            view = path
        yield view


class Dither:
    """The faint noise Kaldi adds before it measures sound (one 16-bit step, its default),
    drawn here from a generator of one utterance's own, so the same recording is always heard
    the same. The models were trained with it: without any, the digital silence around a
    recorded word decoded so differently that short answers were no longer recognised."""

    STEPS = 1.0

    def __init__(self) -> None:
        self.noise = np.random.default_rng(0)

    def __call__(self, pcm: bytes) -> bytes:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
        samples += self.noise.normal(0.0, self.STEPS, samples.size)
        return np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes()


class Recognizer:
    """One loaded Vosk model. `listen` opens a stream for one utterance, fed while the
    person speaks; `transcribe` runs one on a whole recording."""

    def __init__(self, model_path: Path | str):
        import vosk

        path = Path(model_path)
        check_model_folder(path)
        vosk.SetLogLevel(-1)
        try:
            with _without_dither(path) as folder:
                self.model = vosk.Model(str(folder))
        except Exception as error:  # vosk raises a bare Exception for unusable models
            raise ModelError(f"Vosk could not load the model at {path} ({error}). Download "
                             "it again with: couplecare model download") from None
        self._vosk = vosk
        self._known: dict[str, bool] = {}
        self.unknown_word = UNKNOWN if self.knows(UNKNOWN) else None
        self._fillers = [w for w in FILLER_CANDIDATES if self.knows(w)]

    def knows(self, word: str) -> bool:
        if word not in self._known:
            self._known[word] = self.model.vosk_model_find_word(word) >= 0
        return self._known[word]

    def sayable(self, phrases: list[str]) -> list[str]:
        """The phrases whose every word the model knows. Vosk leaves an unknown word out of
        a grammar phrase, which can turn it into another: "not sam" into "sam"."""
        return [p for p in phrases if all(self.knows(w) for w in p.split())]

    def fillers(self, phrases: Iterable[str]) -> list[str]:
        """Words that stand for speech outside `phrases`: the model's unknown-word entry, or
        else short syllables it knows that no phrase is made of (a grammar without one forces
        every sound onto a phrase). Vosk looks grammar words up by name, and the Korean test
        model has no "[unk]": Vosk drops it with a warning. Its "<UNK>" is a word, but in seven
        Korean sentences it took one short stretch, once; the phrases took the rest."""
        if self.unknown_word:
            return [self.unknown_word]
        used = {part for phrase in phrases for word in phrase.split()
                for part in (word, *word)}
        return [w for w in self._fillers if w not in used]

    def recognizer(self, rate: int, grammar: list[str] | None, *, scored: bool = False):
        if grammar is None:
            recognizer = self._vosk.KaldiRecognizer(self.model, rate)
        else:
            # Non-ASCII must stay literal: Vosk does not decode JSON escapes in grammars.
            text = json.dumps(grammar, ensure_ascii=False)
            with _native_warnings_silenced():
                recognizer = self._vosk.KaldiRecognizer(self.model, rate, text)
        if scored:
            recognizer.SetMaxAlternatives(1)
        else:
            recognizer.SetWords(True)
        return recognizer

    def listen(self, rate: int, phrases: list[str] | None,
               guard: list[str] | None = None) -> Stream:
        """A stream for one utterance: the `phrases` among fillers when given, else any
        words, with the `guard` phrases listened for beside them."""
        return Stream(self, rate, None if phrases is None else self.sayable(phrases),
                      None if guard is None else self.sayable(guard))

    def transcribe(self, audio: Audio, phrases: list[str] | None = None) -> Transcript:
        """What was said: among `phrases` when given (plus unknown speech), else anything."""
        stream = self.listen(audio.rate, phrases)
        stream.feed(audio.pcm)
        return stream.finish()

    def best_score(self, audio: Audio, phrases: list[str]) -> float | None:
        """The score of the best path through `phrases` alone: with the heard phrase left
        out, how well its nearest rival fits (silence alone is a rival too). None when
        there are no phrases the model can hear; NaN when the decoding gave no result."""
        phrases = self.sayable(phrases)
        if not phrases:
            return None
        recognizer = self.recognizer(audio.rate, phrases, scored=True)
        recognizer.AcceptWaveform(Dither()(audio.pcm))
        score = _score(recognizer.FinalResult())
        return math.nan if score is None else score


class Stream:
    """Recognition of one utterance, fed frame by frame while it is spoken, so the result is
    ready when speech ends. A grammar stream also scores the same audio against the
    grammar and against the fillers alone, for `judge` to weigh."""

    def __init__(self, owner: Recognizer, rate: int, phrases: list[str] | None,
                 guard: list[str] | None = None):
        self.rate = rate
        self.phrases = phrases
        fillers = owner.fillers(phrases) if phrases is not None else []
        self.words = owner.recognizer(rate, None if phrases is None else [*phrases, *fillers])
        guard_fillers = owner.fillers(guard) if guard else []
        self.guard = owner.recognizer(rate, [*guard, *guard_fillers]) if guard else None
        self.guard_slower = _SlowerCopy(owner.recognizer(rate, [*guard, *guard_fillers]), rate) \
            if guard else None
        self.guard_fillers = frozenset(guard_fillers)
        self.scored = owner.recognizer(rate, list(phrases), scored=True) \
            if phrases else None
        self.filler = owner.recognizer(rate, fillers, scored=True) \
            if phrases and fillers else None
        self.fillers = frozenset(fillers)
        self.pcm = bytearray()
        self.dither = Dither()

    def feed(self, pcm: bytes) -> None:
        self.pcm += pcm
        pcm = self.dither(pcm)
        for recognizer in (self.words, self.scored, self.filler, self.guard):
            if recognizer is not None:
                recognizer.AcceptWaveform(pcm)
        if self.guard_slower is not None:
            self.guard_slower.feed(pcm)

    def finish(self) -> Transcript:
        result = json.loads(self.words.FinalResult())
        words = tuple(Word(w["word"], float(w.get("conf", 1.0)))
                      for w in result.get("result", []) if w["word"] not in self.fillers)
        text = " ".join(w.text for w in words) if words or self.phrases is not None \
            else result.get("text", "")
        every = result.get("result", [])
        spoken = (max(w["end"] for w in every) - min(w["start"] for w in every)) if every \
            else len(self.pcm) / 2 / self.rate
        scored = _best(self.scored.FinalResult()) if self.scored else None
        return Transcript(
            text.replace(UNKNOWN, "").strip(), words,
            score=scored[1] if scored else None,
            filler_score=_score(self.filler.FinalResult()) if self.filler else None,
            seconds=max(spoken, 0.1),
            other_speech=any(w["word"] in self.fillers for w in every),
            phrases_only=scored[0] if scored else "",
            guarded=self._guarded())

    def _guarded(self) -> str:
        """The guard phrases heard at the speech's own speed, then those heard only in the
        slower copy."""
        if self.guard is None or self.guard_slower is None:
            return ""
        own, slower = (self._phrases_heard(r)
                       for r in (self.guard, self.guard_slower.finished()))
        return " ".join(own + [w for w in slower if w not in own])

    def _phrases_heard(self, recognizer: Any) -> list[str]:
        said = json.loads(recognizer.FinalResult()).get("result", [])
        return [w["word"] for w in said
                if w["word"] not in self.guard_fillers and w["word"] != UNKNOWN]

    @property
    def audio(self) -> Audio:
        return Audio(bytes(self.pcm), self.rate)


class _SlowerCopy:
    """A recogniser fed the same speech at `SLOWER` times its speed, as it comes."""

    def __init__(self, recognizer: Any, rate: int):
        self.recognizer = recognizer
        self.slowing = soxr.ResampleStream(rate, rate / SLOWER, 1, dtype="int16")

    def feed(self, pcm: bytes) -> None:
        self.recognizer.AcceptWaveform(
            self.slowing.resample_chunk(np.frombuffer(pcm, dtype="<i2")).tobytes())

    def finished(self) -> Any:
        """The recogniser, once the resampler's last samples have reached it."""
        self.recognizer.AcceptWaveform(
            self.slowing.resample_chunk(np.zeros(0, dtype="<i2"), last=True).tobytes())
        return self.recognizer


def _best(result_json: str) -> tuple[str, float] | None:
    """The best alternative's words and the log-likelihood Vosk gives it (higher fits
    better)."""
    alternatives = json.loads(result_json).get("alternatives", [])
    if not alternatives:
        return None
    return alternatives[0].get("text", ""), float(alternatives[0]["confidence"])


def _score(result_json: str) -> float | None:
    best = _best(result_json)
    return best[1] if best else None


def model_path(explicit: str | None, data_dir: Path) -> Path:
    """Where the model is: --model, else COUPLECARE_VOSK_MODEL, else the data directory."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(MODEL_VARIABLE):
        return Path(os.environ[MODEL_VARIABLE]).expanduser()
    return data_dir / "models" / "vosk-model-small-en-us"
