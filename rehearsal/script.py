"""Conversation tests written as files: what a person says, what the guide should say.

The files are front-end neutral. A `Driver` plays them through one front end.

A file looks like::

    title: Honest check-in, all the way through
    setup:                       # optional: what was stored before
      names: [Sam, Alex]
      disclaimer_seen: true
      promises: [{partner: Sam, text: text when I'm running late}]
      agreements: [{kind: kindness, partner: Alex, text: "I'll make you a coffee"}]
    script:
      - launch: {}               # or {exercise: honest-check-in}
        at: welcome/good_time    # where the conversation should be now
        says: [good time]        # words the guide's reply must contain
        shows: [Sam (promise)]   # words the card of the reply must contain (Alexa app)
      - user: yes
        at: welcome/safe_check
      - user: Sam                # voice only: the recogniser is unsure of what it heard,
        unsure: true             # so the guide asks about it before acting
      - silence: true            # nobody answered
      - timer: true              # a timed phase ran out
      - end: true                # the session ends (the app is closed)
      - new_session: true        # later, in a new process
        days_later: 3            # optional: that much later
      - stored: {saved: [honest-check-in], open_promises: 1, completed: [honest-check-in]}
      - stored: {agreements: ["Sam promise keeping kept", "Alex kindness open"]}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import Field, model_validator

from dialogs.book import Book, validate
from dialogs.engine import (
    AddAgreement,
    AgreementKind,
    DisclaimerSeen,
    Effect,
    Profile,
    SaveNames,
)
from dialogs.model import Model, Platform
from dialogs.source import read_yaml
from dialogs.store import ProgressStore


class SetupPromise(Model):
    partner: str
    text: str


class SetupAgreement(Model):
    kind: AgreementKind
    partner: str = ""
    text: str


class Setup(Model):
    names: tuple[str, ...] = ()
    disclaimer_seen: bool = False
    promises: tuple[SetupPromise, ...] = ()
    agreements: tuple[SetupAgreement, ...] = ()


class Stored(Model):
    saved: tuple[str, ...] | None = None
    open_promises: int | None = None
    """Promises not followed up yet."""
    agreements: tuple[str, ...] | None = None
    """Every agreement, oldest first, as "partner kind status [outcome]"."""
    completed: tuple[str, ...] | None = None
    names: tuple[str, ...] | None = None


LINE_ACTIONS = ("launch", "user", "silence", "timer", "end", "new_session", "stored")


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
    shows: tuple[str, ...] = ()
    """Words the reply's card must contain (what was agreed)."""
    ends: bool | None = None
    days_later: int = Field(0, ge=0)
    unsure: bool = False
    """With `user`, by voice: the recogniser heard these words but is not sure of them (a
    near tie with words that mean something else)."""

    @model_validator(mode="before")
    @classmethod
    def _one_action(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("says", "not_says", "shows"):
                if isinstance(data.get(key), str):
                    data = {**data, key: [data[key]]}
            actions = [a for a in LINE_ACTIONS if a in data]
            if len(actions) != 1:
                raise ValueError(f"each line needs exactly one of {', '.join(LINE_ACTIONS)}")
            if data.get("user") is not None and not isinstance(data["user"], str):
                data = {**data, "user": str(data["user"])}
        return data

    @property
    def action(self) -> str:
        return next(a for a in LINE_ACTIONS if getattr(self, a) is not None)


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

    @property
    def about_recognition(self) -> bool:
        """Whether a line says how sure a speech recogniser was: only a front end that
        recognises speech can play the file."""
        return any(line.unsure for line in self.script)

    @model_validator(mode="after")
    def _unsure_only_by_voice(self) -> Script:
        if any(line.unsure for line in self.script) and (
                set(self.platforms) - {Platform.VOICE, Platform.WALK}):
            raise ValueError("only a speech recogniser is unsure of what it heard: a file "
                             "with `unsure: true` is for voice and walk only, e.g. "
                             "`platforms: [voice, walk]`")
        if any(line.unsure and line.user is None for line in self.script):
            raise ValueError("`unsure: true` goes with `user`: the words the recogniser heard")
        return self


@dataclass(frozen=True)
class Reply:
    """What the guide said, in plain words, and where the conversation stands."""

    speech: str
    at: str
    ended: bool
    card: str = ""
    """What the reply shows on a card (the Alexa app), in plain words."""
    heard: str = ""
    """What was spoken, in the neutral markup (pauses kept), to measure it as heard."""


class Driver(Protocol):
    """One front end, driven by a script."""

    book: Book

    def launch(self, exercise: str | None) -> Reply: ...
    def user(self, text: str, unsure: bool = False) -> Reply:
        """What the person says; `unsure`: a recogniser heard it without being sure (voice
        only: scripts keep such lines to voice front ends)."""
        ...
    def silence(self) -> Reply: ...
    def timer(self) -> Reply: ...
    def end(self) -> Reply: ...
    def new_session(self, days_later: int = 0) -> None: ...
    def profile(self) -> Profile: ...
    def close(self) -> None: ...


@dataclass
class Outcome:
    title: str
    file: str
    failures: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def report(self) -> str:
        """The failures, then the whole conversation."""
        return "\n".join([*self.failures, "", *self.transcript])


def load_script(path: Path | str) -> tuple[Script, Any]:
    data, source = read_yaml(path)
    return validate(Script, data, source), source


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
    effects.extend(AddAgreement(AgreementKind.PROMISE, p.partner, p.text, "promises")
                   for p in setup.promises)
    effects.extend(AddAgreement(a.kind, a.partner, a.text, "setup") for a in setup.agreements)
    store.apply(user_key, effects, today)
