"""One conversation: the engine plus the store, as every front end uses them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Protocol

from dialogs import engine
from dialogs.book import Book
from dialogs.engine import Context, Event, Turn
from dialogs.model import Platform
from dialogs.store import ProgressStore

LOCAL_USER = "local"


def take_turn(book: Book, store: ProgressStore, user_key: str, state: Mapping[str, Any] | None,
              event: Event, platform: Platform, today: date | None = None) -> Turn:
    """Read the profile, step the engine, write the effects; the turn is saved when this returns."""
    day = today or date.today()
    context = Context(platform=platform, profile=store.profile(user_key), today=day)
    turn = engine.step(book, state, event, context)
    store.apply(user_key, turn.effects, day)
    return turn


class Watcher(Protocol):
    """Something that follows the conversation beside its front end (the companion screen)."""

    def show(self, turn: Turn) -> None: ...

    def aside(self, markup: str) -> None:
        """Words the front end says between turns."""


class Session:
    """A conversation held in memory between turns (text and voice front ends)."""

    def __init__(self, book: Book, store: ProgressStore, platform: Platform,
                 user_key: str = LOCAL_USER, today: Callable[[], date] = date.today,
                 watchers: tuple[Watcher, ...] = ()):
        self.book = book
        self.watchers = watchers
        self.store = store
        self.platform = platform
        self.user_key = user_key
        self.today = today
        self.state: dict[str, Any] | None = None
        self.ended = False

    def handle(self, event: Event) -> Turn:
        turn = take_turn(self.book, self.store, self.user_key, self.state, event, self.platform,
                         self.today())
        self.state = turn.state
        self.ended = turn.end_session
        for watcher in self.watchers:
            watcher.show(turn)
        return turn

    def aside(self, markup: str) -> None:
        for watcher in self.watchers:
            watcher.aside(markup)
