"""What a turn asks the store to remember, each effect with its own JSON form.

The JSON form travels where effects cross a transport as plain data (the Alexa persistence
adapters); `type` names the effect.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dialogs.engine.profile import AgreementKind, Decision, Outcome


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
class AddAgreement:
    """A partner agreed to something (a promise, a repair plan, a kindness, a gentle start),
    to follow up on a later day."""

    kind: AgreementKind
    partner: str
    text: str
    """Their own words."""
    exercise: str
    """Where it was made; making it again there on the same day replaces the words."""

    def to_json(self) -> dict[str, Any]:
        return {"type": "AddAgreement", "kind": str(self.kind), "partner": self.partner,
                "text": self.text, "exercise": self.exercise}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AddAgreement:
        return cls(AgreementKind(data["kind"]), data["partner"], data["text"], data["exercise"])


@dataclass(frozen=True)
class FollowUpAgreement:
    """An agreement was followed up: how it went, and whether to keep it going, change it
    (its new words come as an `AddAgreement`) or let it go."""

    agreement_id: int
    outcome: Outcome | None
    decision: Decision

    def to_json(self) -> dict[str, Any]:
        return {"type": "FollowUpAgreement", "agreement_id": self.agreement_id,
                "outcome": self.outcome and str(self.outcome), "decision": str(self.decision)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FollowUpAgreement:
        return cls(int(data["agreement_id"]),
                   Outcome(data["outcome"]) if data.get("outcome") else None,
                   Decision(data["decision"]))


@dataclass(frozen=True)
class CompleteExercise:
    """An exercise was done to its end, today."""

    exercise: str

    def to_json(self) -> dict[str, Any]:
        return {"type": "CompleteExercise", "exercise": self.exercise}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CompleteExercise:
        return cls(data["exercise"])


Effect = (SaveNames | DisclaimerSeen | SavePosition | ClearPosition | AddAgreement
          | FollowUpAgreement | CompleteExercise)

EFFECT_TYPES: dict[str, type[Effect]] = {cls.__name__: cls for cls in (
    SaveNames, DisclaimerSeen, SavePosition, ClearPosition, AddAgreement, FollowUpAgreement,
    CompleteExercise)}
"""Every effect by the `type` its JSON form carries."""


def effect_from_json(data: Mapping[str, Any]) -> Effect:
    """Any effect from its JSON form."""
    return EFFECT_TYPES[data["type"]].from_json(data)


def effects_to_json(effects: Iterable[Effect]) -> list[dict[str, Any]]:
    return [effect.to_json() for effect in effects]


def effects_from_json(items: Iterable[Mapping[str, Any]]) -> list[Effect]:
    return [effect_from_json(item) for item in items]
