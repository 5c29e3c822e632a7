"""Plays conversation files straight through the engine's session and a real store."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from dialogs.book import Book
from dialogs.engine import Event, Launch, NoInput, Profile, SessionEnd, TimerElapsed, Utterance
from dialogs.markup import to_plain
from dialogs.model import Platform
from dialogs.session import Session
from dialogs.store import ProgressStore
from rehearsal.runner import Case, DriverStarter, local_store
from rehearsal.script import Reply

LOCAL_PLATFORMS = (Platform.TEXT, Platform.VOICE, Platform.WALK)
"""The platforms played on this machine; Alexa is played through its endpoint."""


class EngineDriver:
    """Plays a script straight through the engine and a real store."""

    def __init__(self, book: Book, store: ProgressStore, platform: Platform = Platform.TEXT,
                 today: date | None = None):
        self.book = book
        self.store = store
        self.platform = platform
        self.day = today or date.today()
        self.session = self._new()

    def _new(self) -> Session:
        return Session(self.book, self.store, self.platform, today=lambda: self.day)

    def _reply(self, event: Event) -> Reply:
        turn = self.session.handle(event)
        return Reply(to_plain(turn.speech), turn.at, turn.end_session, turn.card, turn.speech)

    def launch(self, exercise: str | None) -> Reply:
        return self._reply(Launch(exercise=exercise))

    def user(self, text: str, unsure: bool = False) -> Reply:
        return self._reply(Utterance(text))

    def silence(self) -> Reply:
        return self._reply(NoInput())

    def timer(self) -> Reply:
        return self._reply(TimerElapsed())

    def end(self) -> Reply:
        return self._reply(SessionEnd())

    def new_session(self, days_later: int = 0) -> None:
        self.day += timedelta(days=days_later)
        self.session = self._new()

    def profile(self) -> Profile:
        return self.store.profile(self.session.user_key)

    def close(self) -> None:
        self.store.close()


def engine_starter(book: Book, today: date) -> DriverStarter:
    """Engine drivers on a SQLite store, starting on `today`."""

    def start(case: Case, folder: Path) -> EngineDriver:
        return EngineDriver(book, local_store(case, folder, today), case.platform, today)

    return start
