"""What a turn asks the store to remember, each effect with its own JSON form.

The JSON form travels where effects cross a transport as plain data (the Alexa persistence
adapters); `type` names the effect.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SaveNames:
    """Remember the partners' first names, in speaking order."""

    names: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"type": "SaveNames", "names": list(self.names)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SaveNames:
        return cls(tuple(data["names"]))


@dataclass(frozen=True)
class DisclaimerSeen:
    """The couple has heard the disclaimer; later sessions skip it."""

    def to_json(self) -> dict[str, Any]:
        return {"type": "DisclaimerSeen"}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DisclaimerSeen:
        return cls()


@dataclass(frozen=True)
class SavePosition:
    """Keep the place in an exercise, to carry on from it in a later session."""

    exercise: str
    position: Mapping[str, Any]
    """Flow, step, speaker and variables, as the engine's navigation takes a snapshot."""

    def to_json(self) -> dict[str, Any]:
        return {"type": "SavePosition", "exercise": self.exercise,
                "position": copy.deepcopy(dict(self.position))}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SavePosition:
        return cls(data["exercise"], data["position"])


@dataclass(frozen=True)
class ClearPosition:
    """Forget the saved place in an exercise (it was finished, restarted or declined)."""

    exercise: str

    def to_json(self) -> dict[str, Any]:
        return {"type": "ClearPosition", "exercise": self.exercise}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClearPosition:
        return cls(data["exercise"])


@dataclass(frozen=True)
class AddPromise:
    """A partner made a promise, to follow up on a later day."""

    partner: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"type": "AddPromise", "partner": self.partner, "text": self.text}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AddPromise:
        return cls(data["partner"], data["text"])


@dataclass(frozen=True)
class ResolvePromise:
    """A promise was followed up; `outcome` says how it went."""

    promise_id: int
    outcome: str

    def to_json(self) -> dict[str, Any]:
        return {"type": "ResolvePromise", "promise_id": self.promise_id, "outcome": self.outcome}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResolvePromise:
        return cls(data["promise_id"], data["outcome"])


@dataclass(frozen=True)
class CompleteExercise:
    """An exercise was done to its end, today."""

    exercise: str

    def to_json(self) -> dict[str, Any]:
        return {"type": "CompleteExercise", "exercise": self.exercise}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CompleteExercise:
        return cls(data["exercise"])


Effect = (SaveNames | DisclaimerSeen | SavePosition | ClearPosition | AddPromise
          | ResolvePromise | CompleteExercise)

EFFECT_TYPES: dict[str, type[Effect]] = {cls.__name__: cls for cls in (
    SaveNames, DisclaimerSeen, SavePosition, ClearPosition, AddPromise, ResolvePromise,
    CompleteExercise)}
"""Every effect by the `type` its JSON form carries."""


def effect_from_json(data: Mapping[str, Any]) -> Effect:
    """Any effect from its JSON form."""
    return EFFECT_TYPES[data["type"]].from_json(data)


def effects_to_json(effects: Iterable[Effect]) -> list[dict[str, Any]]:
    return [effect.to_json() for effect in effects]


def effects_from_json(items: Iterable[Mapping[str, Any]]) -> list[Effect]:
    return [effect_from_json(item) for item in items]
