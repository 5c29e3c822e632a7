"""Conversation tests written as files: what a person says, what the guide should say.

The files are front-end neutral. A `Driver` plays them through one front end:
the engine directly here, the text front end, and later Alexa and the voice loop.

A file looks like::

    title: Honest check-in, all the way through
    setup:                       # optional: what was stored before
      names: [Sam, Alex]
      disclaimer_seen: true
      promises: [{partner: Sam, text: text when I'm running late}]
    script:
      - launch: {}               # or {exercise: honest-check-in}
        at: welcome/good_time    # where the conversation should be now
        says: [good time]        # words the guide's reply must contain
      - user: yes
        at: welcome/safe_check
      - silence: true            # nobody answered
      - timer: true              # a timed phase ran out
      - end: true                # the session ends (the app is closed)
      - new_session: true        # later, in a new process
        days_later: 3            # optional: that much later
      - stored: {saved: [honest-check-in], open_promises: 1, completed: [honest-check-in]}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import Field, model_validator

from dialogs.book import Book, validate
from dialogs.engine import (
    AddPromise,
    DisclaimerSeen,
    Effect,
    Event,
    Launch,
    NoInput,
    Profile,
    SaveNames,
    SessionEnd,
    TimerElapsed,
    Utterance,
)
from dialogs.markup import to_plain
from dialogs.model import Model, Platform
from dialogs.session import Session
from dialogs.source import read_yaml
from dialogs.store import ProgressStore


class SetupPromise(Model):
    partner: str
    text: str


class Setup(Model):
    names: tuple[str, ...] = ()
    disclaimer_seen: bool = False
    promises: tuple[SetupPromise, ...] = ()


class Stored(Model):
    saved: tuple[str, ...] | None = None
    open_promises: int | None = None
    completed: tuple[str, ...] | None = None
    names: tuple[str, ...] | None = None


ACTIONS = ("launch", "user", "silence", "timer", "end", "new_session", "stored")


class Line(Model):
    launch: dict[str, str] | None = None
    user: str | None = None
    silence: Literal[True] | None = None
    timer: Literal[True] | None = None
    end: Literal[True] | None = None
    new_session: Literal[True] | None = None
    stored: Stored | None = None
    at: str | None = None
    says: tuple[str, ...] = ()
    not_says: tuple[str, ...] = ()
    ends: bool | None = None
    days_later: int = Field(0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _one_action(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("says", "not_says"):
                if isinstance(data.get(key), str):
                    data = {**data, key: [data[key]]}
            actions = [a for a in ACTIONS if a in data]
            if len(actions) != 1:
                raise ValueError(f"each line needs exactly one of {', '.join(ACTIONS)}")
            if data.get("user") is not None and not isinstance(data["user"], str):
                data = {**data, "user": str(data["user"])}
        return data

    @property
    def action(self) -> str:
        return next(a for a in ACTIONS if getattr(self, a) is not None)


class Script(Model):
    title: str
    platforms: tuple[Platform, ...] = tuple(Platform)
    setup: Setup = Field(default_factory=Setup)
    script: tuple[Line, ...]

    @model_validator(mode="after")
    def _alexa_has_no_silence_or_timers(self) -> Script:
        if Platform.ALEXA in self.platforms and any(
                line.silence or line.timer for line in self.script):
            raise ValueError("Alexa never sends silence or a timer to the skill; list the "
                             "platforms this file is for, e.g. `platforms: [text, voice, walk]`")
        return self


@dataclass(frozen=True)
class Reply:
    """What the guide said, in plain words, and where the conversation stands."""

    speech: str
    at: str
    ended: bool


class Driver(Protocol):
    """One front end, driven by a script."""

    def launch(self, exercise: str | None) -> Reply: ...
    def user(self, text: str) -> Reply: ...
    def silence(self) -> Reply: ...
    def timer(self) -> Reply: ...
    def end(self) -> Reply: ...
    def new_session(self, days_later: int = 0) -> None: ...
    def profile(self) -> Profile: ...


@dataclass
class Outcome:
    title: str
    file: str
    failures: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def load_script(path: Path | str) -> tuple[Script, Any]:
    data, source = read_yaml(path)
    return validate(Script, data, source), source


def _check_stored(expected: Stored, profile: Profile) -> list[str]:
    problems = []
    if expected.saved is not None and sorted(expected.saved) != sorted(profile.saved):
        problems.append(f"saved positions are {sorted(profile.saved)}, "
                        f"expected {sorted(expected.saved)}")
    if expected.open_promises is not None and expected.open_promises != len(
            profile.open_promises):
        problems.append(f"{len(profile.open_promises)} open promises, "
                        f"expected {expected.open_promises}")
    completed = [e for e, _ in profile.completions]
    if expected.completed is not None and sorted(expected.completed) != sorted(completed):
        problems.append(f"completed {completed}, expected {list(expected.completed)}")
    if expected.names is not None and tuple(expected.names) != profile.names:
        problems.append(f"names are {profile.names}, expected {expected.names}")
    return problems


def run_script(script: Script, driver: Driver, file: str = "") -> Outcome:
    outcome = Outcome(script.title, file)
    for number, line in enumerate(script.script, start=1):
        where = f"line {number} ({line.action})"
        if line.stored is not None:
            for problem in _check_stored(line.stored, driver.profile()):
                outcome.failures.append(f"{where}: {problem}")
            continue
        if line.new_session is not None:
            driver.new_session(line.days_later)
            outcome.transcript.append(f"--- new session, {line.days_later} day(s) later ---")
            continue
        if line.launch is not None:
            reply = driver.launch(line.launch.get("exercise"))
            outcome.transcript.append("(launch)")
        elif line.user is not None:
            outcome.transcript.append(f"user: {line.user}")
            reply = driver.user(line.user)
        elif line.silence:
            outcome.transcript.append("(silence)")
            reply = driver.silence()
        elif line.timer:
            outcome.transcript.append("(timer)")
            reply = driver.timer()
        else:
            outcome.transcript.append("(end)")
            reply = driver.end()
        outcome.transcript.append(f"guide [{reply.at}]: {reply.speech}")
        spoken = " ".join(reply.speech.lower().replace("’", "'").split())
        if line.at is not None and reply.at != line.at:
            outcome.failures.append(f"{where}: at {reply.at}, expected {line.at}")
        for words in line.says:
            if " ".join(words.lower().split()) not in spoken:
                outcome.failures.append(f"{where}: the guide did not say {words!r}: "
                                        f"{reply.speech!r}")
        for words in line.not_says:
            if " ".join(words.lower().split()) in spoken:
                outcome.failures.append(f"{where}: the guide said {words!r}, which it should not")
        if line.ends is not None and reply.ended != line.ends:
            happened = "did not end" if line.ends else "ended"
            outcome.failures.append(f"{where}: the session {happened}")
    return outcome


def script_files(paths: Iterable[Path | str]) -> list[Path]:
    found: list[Path] = []
    for path in map(Path, paths):
        found.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return found


def covered_exercises(book: Book, scripts: Iterable[Script]) -> set[str]:
    """Exercises some script reaches, judged by the positions it expects."""
    reached = set()
    for script in scripts:
        for line in script.script:
            if line.at and line.at.split("/")[0] in book.exercises:
                reached.add(line.at.split("/")[0])
    return reached


def prepare_store(store: ProgressStore, setup: Setup, user_key: str, today: date) -> None:
    """Put a script's `setup` into a store, as earlier sessions would have."""
    effects: list[Effect] = []
    if setup.names:
        effects.append(SaveNames(tuple(setup.names)))
    if setup.disclaimer_seen:
        effects.append(DisclaimerSeen())
    effects.extend(AddPromise(p.partner, p.text) for p in setup.promises)
    store.apply(user_key, effects, today)


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
        return Reply(to_plain(turn.speech), turn.at, turn.end_session)

    def launch(self, exercise: str | None) -> Reply:
        return self._reply(Launch(exercise=exercise))

    def user(self, text: str) -> Reply:
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
