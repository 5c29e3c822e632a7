"""Plays conversation files through the text front end's own input and output."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from dialogs.book import Book
from dialogs.engine import Launch, Profile, TimerElapsed, Turn
from dialogs.session import LOCAL_USER
from dialogs.store import ProgressStore
from local_voice.text import TextConversation
from rehearsal.runner import Case, DriverStarter, local_store
from rehearsal.script import Reply


class TextDriver:
    """Types each line into the text front end and reads back what it printed."""

    def __init__(self, book: Book, store: ProgressStore, today: date):
        self.book = book
        self.store = store
        self.day = today
        self.new_session()

    def new_session(self, days_later: int = 0) -> None:
        self.day += timedelta(days=days_later)
        self.out = io.StringIO()
        self.text = TextConversation(self.book, self.store, io.StringIO(), self.out,
                                     today=lambda: self.day)

    def _reply(self, act: Callable[[], Turn]) -> Reply:
        start = self.out.tell()
        turn = act()
        printed = " ".join(self.out.getvalue()[start:].split())
        return Reply(printed, turn.at, turn.end_session, turn.card, turn.speech)

    def launch(self, exercise: str | None) -> Reply:
        return self._reply(lambda: self.text.handle(Launch(exercise=exercise)))

    def user(self, text: str, unsure: bool = False) -> Reply:
        return self._reply(lambda: self.text.answer(text))

    def silence(self) -> Reply:
        return self._reply(lambda: self.text.answer(""))

    def timer(self) -> Reply:
        return self._reply(lambda: self.text.handle(TimerElapsed()))

    def end(self) -> Reply:
        return self._reply(self.text.stop)

    def profile(self) -> Profile:
        return self.store.profile(LOCAL_USER)

    def close(self) -> None:
        self.store.close()


def text_starter(book: Book, today: date) -> DriverStarter:
    """Text front ends on a SQLite store, starting on `today`."""

    def start(case: Case, folder: Path) -> TextDriver:
        return TextDriver(book, local_store(case, folder, today), today)

    return start
