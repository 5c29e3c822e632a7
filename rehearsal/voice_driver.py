"""Plays conversation files through the voice loop with scripted recognition.

Only recognition is scripted: each line a person says comes back as its text, and a phrase
outside the step's grammar comes back as unknown speech, as Vosk would return it. A line
marked `unsure` comes back with scores that make it a near tie with a phrase of another
meaning, for the loop's own judge to weigh. Speech is synthesised for real and played to
nowhere.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from dialogs.book import Book
from dialogs.engine import Profile, Turn
from dialogs.markup import to_plain
from dialogs.matcher import normalise
from dialogs.model import Platform
from dialogs.session import LOCAL_USER
from dialogs.store import ProgressStore
from local_voice.audio import Audio
from local_voice.judge import Thresholds
from local_voice.loop import Heard, Quiet, TimeUp, VoiceLoop
from local_voice.recognize import Transcript, Word
from local_voice.speech import Synthesizer
from rehearsal.runner import Case, DriverStarter, local_store
from rehearsal.script import Reply

SCORE = -100.0
"""The log-likelihood an unsure phrase is heard with; fillers fit it far worse."""
UNSURE_MARGIN = (Thresholds().confirm_margin + Thresholds().accept_margin) / 2
"""How much better an unsure phrase fits than its best rival: enough to ask, not to act."""


class ScriptedRecognizer:
    """Hears the text carried in the audio's bytes, within the grammar if there is one;
    without scores (word confidence alone decides) unless `unsure` is set."""

    def __init__(self) -> None:
        self.unsure = False

    def transcribe(self, audio: Audio, phrases: list[str] | None = None) -> Transcript:
        text = audio.pcm.decode()
        if phrases is not None and normalise(text) not in {normalise(p) for p in phrases}:
            return Transcript("")
        words = tuple(Word(w, 1.0) for w in text.split())
        if self.unsure and phrases is not None:
            return Transcript(text, words, score=SCORE, filler_score=SCORE - 50.0,
                              seconds=1.0, phrases_only=text)
        return Transcript(text, words)

    def best_score(self, audio: Audio, phrases: list[str]) -> float | None:
        """Asked only for a phrase heard with a score (an unsure one): its best rival."""
        return SCORE - UNSURE_MARGIN if phrases else None


class Silent:
    """An audio output that checks something was said and plays nothing."""

    def __init__(self) -> None:
        self.played = 0

    def play(self, audio: Audio) -> None:
        assert audio.seconds > 0
        self.played += 1


class LoopDriver:
    """Plays a script through `VoiceLoop`, one spoken turn a line."""

    def __init__(self, book: Book, store: ProgressStore, platform: Platform,
                 synthesizer: Synthesizer, today: date):
        self.book, self.store, self.platform = book, store, platform
        self.synthesizer, self.day = synthesizer, today
        self.new_session()

    def new_session(self, days_later: int = 0) -> None:
        self.day += timedelta(days=days_later)
        self.recognizer = ScriptedRecognizer()
        self.said: list[str] = []
        self.loop = VoiceLoop(self.book, self.store, self.platform, self.recognizer,
                              self.synthesizer, Silent(), today=lambda: self.day,
                              show=self.said.append)

    def _current(self) -> Turn:
        assert self.loop.turn is not None, "the conversation has not started"
        return self.loop.turn

    def _reply(self, turn: Turn | None) -> Reply:
        turn = turn or self._current()
        return Reply(to_plain(turn.speech), turn.at, turn.end_session, turn.card, turn.speech)

    def launch(self, exercise: str | None) -> Reply:
        return self._reply(self.loop.start(exercise))

    def user(self, text: str, unsure: bool = False) -> Reply:
        self.recognizer.unsure = unsure
        try:
            turn = self.loop.respond(Heard(Audio(text.encode(), 16000)))
        finally:
            self.recognizer.unsure = False
        if self.loop.pending is not None and unsure:  # the question the guide asked
            asked = next(line for line in reversed(self.said) if line.startswith("guide: "))
            asked = asked.removeprefix("guide: ")
            return Reply(asked, self._current().at, False, heard=asked)
        if self.loop.pending is not None:  # "did I get your name right?": as the script meant
            turn = self.loop.respond(Heard(Audio(b"yes", 16000)))
        turn = self.loop.act_on_danger_heard_openly(wait=True) or turn  # found after the reply
        return self._reply(turn)

    def silence(self) -> Reply:
        return self._reply(self.loop.respond(Quiet()))

    def timer(self) -> Reply:
        return self._reply(self.loop.respond(TimeUp()))

    def end(self) -> Reply:
        self.loop.stop("ended")
        return Reply("", self._current().at, True)

    def profile(self) -> Profile:
        return self.store.profile(LOCAL_USER)

    def close(self) -> None:
        self.store.close()


def voice_starter(book: Book, synthesizer: Synthesizer, today: date) -> DriverStarter:
    """Voice loops on a SQLite store, starting on `today`, speaking with `synthesizer`."""

    def start(case: Case, folder: Path) -> LoopDriver:
        return LoopDriver(book, local_store(case, folder, today), case.platform, synthesizer, today)

    return start
