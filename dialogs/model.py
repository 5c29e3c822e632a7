"""Typed, immutable definitions: what authors write, as Python sees it.

The YAML files are validated into these models when they load; the field
docstrings double as the authors' reference (see `docs` in the README).
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator


class Platform(StrEnum):
    """Where a conversation happens; definitions may override prompts per platform."""

    TEXT = "text"
    VOICE = "voice"
    WALK = "walk"
    ALEXA = "alexa"


class Topic(StrEnum):
    """The six sections of the therapist's guide."""

    HONESTY = "honest communication"
    PROMISES = "matching words with actions"
    REPAIR = "addressing a hurt"
    VALIDATION = "emotional safety through validation"
    PATIENCE = "patience with the process"
    SUPPORT = "professional support"


class Action(StrEnum):
    """Things a step or transition can do beyond moving and setting variables."""

    SAVE_NAMES = "save_names"
    DISCLAIMER_SEEN = "disclaimer_seen"
    RECORD_PROMISE = "record_promise"
    RESOLVE_PROMISE = "resolve_promise"
    NEXT_PROMISE = "next_promise"
    START_EXERCISE = "start_exercise"
    RESUME_SAVED = "resume_saved"
    DISCARD_SAVED = "discard_saved"
    MENU = "menu"
    GOODBYE = "goodbye"
    SAFETY = "safety"


def _as_tuple(value: Any) -> Any:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return value


Prompts = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]
Scalar = str | bool | int


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Transition(Model):
    """Where to go next, optionally only when conditions hold."""

    goto: str | None = None
    when: dict[str, Scalar] = Field(default_factory=dict, alias="if")
    slots: dict[str, str] = Field(default_factory=dict)
    set: dict[str, Scalar] = Field(default_factory=dict)
    swap: bool = False
    do: tuple[Action, ...] = ()
    say: Prompts = ()


def _as_transitions(value: Any) -> Any:
    if value is None:
        return ()
    if isinstance(value, str):
        return ({"goto": value},)
    if isinstance(value, dict):
        return (value,)
    if isinstance(value, list):
        return tuple({"goto": v} if isinstance(v, str) else v for v in value)
    return value


Transitions = Annotated[tuple[Transition, ...], BeforeValidator(_as_transitions)]


class Timed(Model):
    """A phase that runs for a while: a partner shares, the other listens."""

    seconds: int = Field(gt=0, le=1800)
    end_intent: str = "DoneIntent"
    check_in: Prompts = ()


class Override(Model):
    """Wording for one platform that replaces the step's own."""

    say: Prompts = ()
    reprompt: Prompts = ()
    help: Prompts = ()


class ListenMode(StrEnum):
    """What a step waits for after it has spoken."""

    ANSWER = "answer"
    FREE = "free"
    TIMED = "timed"
    NOTHING = "nothing"


class Step(Model):
    say: Prompts = ()
    reprompt: Prompts = ()
    help: Prompts = ()
    no_match: Prompts = ()
    no_input: Prompts = ()
    overrides: dict[Platform, Override] = Field(default_factory=dict)
    set: dict[str, Scalar] = Field(default_factory=dict)
    swap: bool = False
    do: tuple[Action, ...] = ()
    on: dict[str, Transitions] = Field(default_factory=dict)
    next: Transitions = ()
    skip: Transitions = ()
    free: bool = False
    capture: str | None = None
    timed: Timed | None = None
    end: bool = False

    def transitions(self) -> Iterator[tuple[tuple[str | int, ...], Transition]]:
        """Every transition with its path in the file: ("on", intent, i), ("next", i)..."""
        for intent, transitions in self.on.items():
            for i, transition in enumerate(transitions):
                yield ("on", intent, i), transition
        for kind in ("next", "skip"):
            for i, transition in enumerate(getattr(self, kind)):
                yield (kind, i), transition

    @property
    def listen(self) -> ListenMode:
        if self.timed is not None:
            return ListenMode.TIMED
        if self.free or self.capture:
            return ListenMode.FREE
        if self.on:
            return ListenMode.ANSWER
        return ListenMode.NOTHING

    def prompts(self, kind: str, platform: Platform) -> tuple[str, ...]:
        override = self.overrides.get(platform)
        if override is None and platform is Platform.WALK:
            override = self.overrides.get(Platform.VOICE)
        chosen = getattr(override, kind, ()) if override else ()
        return chosen or getattr(self, kind)


class Flow(Model):
    """Steps and where they start; shared by exercises and the welcome flow."""

    start: str
    steps: dict[str, Step]
    help: Prompts = ()

    @field_validator("steps")
    @classmethod
    def _not_empty(cls, steps: dict[str, Step]) -> dict[str, Step]:
        if not steps:
            raise ValueError("a flow needs at least one step")
        return steps


class Exercise(Flow):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str
    topic: Topic
    minutes: int = Field(gt=0, le=120)
    joint: bool = True
    summary: str
    names: tuple[str, ...] = ()


class Welcome(Flow):
    """The flow around the exercises: greeting, safety, names, menu, follow-ups."""


class Messages(Model):
    """Wording of the behaviour every step gets for free."""

    help: Prompts
    repeat_nothing: Prompts
    paused: Prompts
    still_paused: Prompts
    resumed: Prompts
    at_first_step: Prompts
    cannot_skip: Prompts
    no_input: tuple[Prompts, Prompts, Prompts]
    no_match: tuple[Prompts, Prompts, Prompts]
    stopped: Prompts
    safety: Prompts
    timed: dict[Platform, Prompts]
    timed_check_in: Prompts
    timed_up: Prompts
    not_offered_now: Prompts
    unknown_exercise: Prompts


class SlotType(Model):
    """Values a slot may take, each with spoken synonyms. `from: exercises` fills them in."""

    values: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    source: str | None = Field(default=None, alias="from")


class Intent(Model):
    samples: tuple[str, ...] = ()
    slots: dict[str, str] = Field(default_factory=dict)
    alexa: str | None = None
    free_speech: bool = False


class Vocabulary(Model):
    intents: dict[str, Intent]
    slot_types: dict[str, SlotType] = Field(default_factory=dict)
