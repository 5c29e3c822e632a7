"""What happens to a conversation: the events a front end passes to `step`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Launch:
    """A session starts. `exercise` asks for one directly; `intent` is a one-shot request
    such as "tell couple care we're done"."""

    exercise: str | None = None
    intent: str | None = None
    slots: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IntentEvent:
    """An intent already recognised (by Alexa), with its slot values."""

    name: str
    slots: Mapping[str, str] = field(default_factory=dict)
    heard: tuple[str, ...] = ()


@dataclass(frozen=True)
class Utterance:
    """Words typed or recognised locally, for the engine's matcher."""

    text: str


@dataclass(frozen=True)
class NoInput:
    """Silence: nobody answered in time."""


@dataclass(frozen=True)
class TimerElapsed:
    """The time of a timed phase is up."""


@dataclass(frozen=True)
class SessionEnd:
    """The session closed from outside (the user left, input ended, an error)."""

    reason: str = "ended"


Event = Launch | IntentEvent | Utterance | NoInput | TimerElapsed | SessionEnd
