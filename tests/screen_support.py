"""Conversations for the companion pages, shared by the browser tests and by
tools/screen_pictures.py (the README's pictures are the tests' own pages)."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from dialogs.book import CONTENT_DIR, Book, load_book
from dialogs.engine import DisclaimerSeen, SaveNames
from dialogs.engine.effects import AddAgreement, CompleteExercise, FollowUpAgreement
from dialogs.engine.profile import AgreementKind, Decision, Outcome
from dialogs.session import LOCAL_USER
from local_voice.text import TextConversation
from progress.sqlite import SqliteStore
from screen.app import create_app
from screen.companion import Companion
from screen.server import ServedPages, serve

TOKEN = "the-token-of-this-test"


def couple(path: Path) -> SqliteStore:
    store = SqliteStore(path)
    store.apply(LOCAL_USER, [SaveNames(("Sam", "Alex")), DisclaimerSeen()], date.today())
    return store


@dataclass
class Talk:
    """A text conversation in a thread of its own, typed into through a pipe, with its
    companion page served."""

    conversation: TextConversation
    companion: Companion
    pages: ServedPages
    typing: io.TextIOWrapper
    thread: threading.Thread

    def type(self, line: str) -> None:
        self.typing.write(line + "\n")
        self.typing.flush()

    @property
    def at(self) -> str:
        state = self.conversation.session.state or {}
        return f"{state.get('flow', '')}/{state.get('step', '')}"


@contextmanager
def talking(folder: Path, exercise: str | None = None, book: Book | None = None
            ) -> Iterator[Talk]:
    book = book or load_book(CONTENT_DIR)
    store = couple(folder / "progress.sqlite3")
    companion = Companion(names=lambda: store.profile(LOCAL_USER).names,
                          contacts=book.messages.crisis_contacts)
    reading, writing = os.pipe()
    typed = open(reading, encoding="utf-8")  # noqa: SIM115 - closed when the talk ends
    conversation = TextConversation(book, store, typed, io.StringIO(),
                                    watchers=(companion,), pressed=companion.take_press)
    pages = serve(create_app(TOKEN, lambda: store.profile(LOCAL_USER), companion=companion,
                             titles=book.exercise_titles), TOKEN, port=0)
    thread = threading.Thread(target=conversation.run, args=(exercise,), daemon=True)
    thread.start()
    with open(writing, "w", encoding="utf-8") as typing:
        try:
            yield Talk(conversation, companion, pages, typing, thread)
        finally:
            typing.close()
            thread.join(timeout=10)
            pages.stop()
            typed.close()


def to_the_floor(talk: Talk, wait: Callable[[Callable[[], bool]], object]) -> None:
    """Type through the honest check-in until Sam holds the floor in its timed phase; `wait`
    waits until what it is given comes true (the page's browser waits)."""
    for answer in ("yes", "yes", "yes", "Sam"):
        if talk.at == "honest-check-in/floor":
            return
        seen = talk.companion.view().version
        talk.type(answer)
        wait(lambda seen=seen: talk.companion.view().version > seen)


def earlier_sessions(store: SqliteStore, today: date) -> None:
    """Weeks of exercises and agreements, as a couple would have after some months."""
    weeks_ago = [(11, "honest-check-in"), (9, "promises"), (7, "daily-gestures"),
                 (6, "honest-check-in"), (4, "repair-after-a-hurt"), (3, "promises"),
                 (3, "daily-gestures"), (2, "daily-gestures"), (1, "honest-check-in"),
                 (1, "promises"), (1, "walk-gentle-start"), (0, "promises")]
    for weeks, exercise in weeks_ago:
        store.apply(LOCAL_USER, [CompleteExercise(exercise)], today - timedelta(weeks=weeks))
    store.apply(LOCAL_USER, [AddAgreement(AgreementKind.PROMISE, "Sam",
                                          "I will phone when I am running late", "promises")],
                today - timedelta(weeks=3))
    store.apply(LOCAL_USER, [AddAgreement(AgreementKind.KINDNESS, "Alex",
                                          "I will make Sam's coffee on Mondays",
                                          "daily-gestures")], today - timedelta(weeks=2))
    store.apply(LOCAL_USER, [FollowUpAgreement(1, Outcome.KEPT, Decision.KEEP)],
                today - timedelta(weeks=1))


def progress_pages(folder: Path) -> ServedPages:
    """`couplecare progress` for a couple with some months behind them."""
    book = load_book(CONTENT_DIR)
    store = couple(folder / "progress.sqlite3")
    earlier_sessions(store, date.today())
    return serve(create_app(TOKEN, lambda: store.profile(LOCAL_USER),
                            titles=book.exercise_titles),
                 TOKEN, port=0)
