"""What the companion page shows, as one view that changes with each turn, and the buttons
it sends back as the same engine events the spoken commands are.

The conversation runs in the front end's thread and the page's requests in the server's,
so the view is replaced whole under a lock and each change wakes those waiting for it.
Only the guide's words are shown: what the couple said never is, and a safety stop clears
every earlier caption, so a disclosure cannot reappear on the screen later.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from dialogs import intents
from dialogs.engine import IntentEvent, Turn
from dialogs.markup import to_plain
from dialogs.model import CrisisContact, ListenMode

CAPTIONS_KEPT = 6


class Press(StrEnum):
    """A button on the page; each does what saying the command does."""

    REPEAT = "repeat"
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    DONE = "done"
    STOP = "stop"


PRESS_INTENTS: Mapping[Press, str] = {
    Press.REPEAT: intents.REPEAT, Press.PAUSE: intents.PAUSE, Press.RESUME: intents.RESUME,
    Press.SKIP: intents.NEXT, Press.DONE: intents.DONE, Press.STOP: intents.STOP}


@dataclass(frozen=True)
class Timer:
    seconds: int
    started: float
    """`time.monotonic()` when the phase began."""

    def left(self, now: float) -> float:
        return max(0.0, self.seconds - (now - self.started))


@dataclass(frozen=True)
class ScreenView:
    version: int = 0
    at: str = ""
    """Where the conversation is (`flow/step`)."""
    captions: tuple[str, ...] = ()
    """The guide's last words, oldest first."""
    speaker: str = ""
    listener: str = ""
    """Who holds the floor and who listens, in an exercise with both partners."""
    timer: Timer | None = None
    paused: bool = False
    safety: bool = False
    """Someone may not be safe: the crisis lines are shown for the rest of the session."""
    ended: bool = False
    presses: tuple[Press, ...] = ()
    """The buttons that mean something now."""
    contacts: tuple[CrisisContact, ...] = field(default=(), compare=False)

    def to_json(self, now: float) -> dict[str, Any]:
        return {
            "version": self.version, "captions": list(self.captions),
            "speaker": self.speaker, "listener": self.listener,
            "timer": None if self.timer is None else {
                "seconds": self.timer.seconds, "left": round(self.timer.left(now), 1)},
            "paused": self.paused, "safety": self.safety, "ended": self.ended,
            "presses": [str(p) for p in self.presses],
            "contacts": [c.model_dump(exclude_none=True) for c in self.contacts]
            if self.safety else [],
        }


def next_view(view: ScreenView, turn: Turn, names: tuple[str, ...], now: float,
              contacts: tuple[CrisisContact, ...] = ()) -> ScreenView:
    """The view after `turn`: a pure function, so tests drive it without a server."""
    state = turn.state
    safety = bool(state.get("unsafe"))
    captions = () if safety and not view.safety else view.captions
    words = to_plain(turn.speech).strip()
    if words:
        captions = (*captions, words)[-CAPTIONS_KEPT:]
    timer = view.timer
    if turn.listen.mode is ListenMode.TIMED:
        if timer is None or turn.listen.seconds != timer.seconds or turn.at != view.at:
            timer = Timer(turn.listen.seconds or 0, now)
    else:
        timer = None
    in_exercise = turn.exercise is not None and len(names) == 2 and not turn.end_session
    speaker_index = int(state.get("speaker", 0)) if in_exercise else 0
    paused = bool(state.get("paused"))
    return ScreenView(
        version=view.version + 1, at=turn.at, captions=captions,
        speaker=names[speaker_index] if in_exercise else "",
        listener=names[1 - speaker_index] if in_exercise else "",
        timer=timer, paused=paused, safety=safety or view.safety, ended=turn.end_session,
        presses=_presses(turn, paused), contacts=contacts)


def _presses(turn: Turn, paused: bool) -> tuple[Press, ...]:
    if turn.end_session:
        return ()
    if paused:
        return (Press.RESUME, Press.STOP)
    done = (Press.DONE,) if turn.listen.mode is ListenMode.TIMED else ()
    skip = (Press.SKIP,) if turn.exercise is not None else ()
    return (Press.REPEAT, Press.PAUSE, *skip, *done, Press.STOP)


class Companion:
    """The one view the page follows, and the presses waiting for the conversation to take.

    The front end calls `show` with every turn (through its session) and takes presses
    with `take_press`; the server calls `view`, `wait_for_change` and `press`."""

    def __init__(self, names: Callable[[], tuple[str, ...]] = tuple,
                 contacts: tuple[CrisisContact, ...] = (),
                 clock: Callable[[], float] = time.monotonic):
        self._names = names
        self._contacts = contacts
        self._clock = clock
        self._view = ScreenView()
        self._changed = threading.Condition()
        self._presses: queue.SimpleQueue[IntentEvent] = queue.SimpleQueue()
        self._delivered = -1
        """The last version a page was sent (-1: no page has asked yet)."""

    def show(self, turn: Turn) -> None:
        with self._changed:
            self._view = next_view(self._view, turn, self._names(), self._clock(),
                                   self._contacts)
            self._changed.notify_all()

    def aside(self, markup: str) -> None:
        """Words the front end says between turns (a question to confirm, "I lost the
        thread")."""
        words = to_plain(markup).strip()
        if not words:
            return
        with self._changed:
            view = self._view
            self._view = replace(view, version=view.version + 1,
                                 captions=(*view.captions, words)[-CAPTIONS_KEPT:])
            self._changed.notify_all()

    def close(self) -> None:
        """The conversation is over (input ended, interrupted): the page says so."""
        with self._changed:
            self._view = replace(self._view, version=self._view.version + 1, ended=True,
                                 presses=(), timer=None)
            self._changed.notify_all()

    def view(self) -> ScreenView:
        with self._changed:
            return self._delivering(self._view)

    def now(self) -> float:
        return self._clock()

    def wait_for_change(self, version: int, timeout: float) -> ScreenView:
        """The view once its version differs from `version`, or as it is after `timeout`."""
        with self._changed:
            self._changed.wait_for(lambda: self._view.version != version, timeout)
            return self._delivering(self._view)

    def _delivering(self, view: ScreenView) -> ScreenView:
        self._delivered = view.version
        self._changed.notify_all()
        return view

    def settle(self, timeout: float) -> None:
        """Wait (up to `timeout`) until a page that follows has been sent the last view, so
        that it shows how the conversation ended before the pages stop being served."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._delivered < 0 or self._delivered == self._view.version, timeout)

    def press(self, press: Press) -> bool:
        """Queue a button's event; False when that button means nothing now."""
        with self._changed:
            if press not in self._view.presses:
                return False
        self._presses.put(IntentEvent(PRESS_INTENTS[press]))
        return True

    def take_press(self, timeout: float | None = None) -> IntentEvent | None:
        """The next button's event, if one was pressed (waiting up to `timeout`)."""
        try:
            return self._presses.get(timeout=timeout) if timeout else \
                self._presses.get_nowait()
        except queue.Empty:
            return None
