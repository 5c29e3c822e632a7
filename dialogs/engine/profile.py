"""What the engine reads from the store at the start of a turn, and its JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from dialogs.model import Platform


class AgreementKind(StrEnum):
    """What a partner agreed to, in words a couple would use."""

    PROMISE = "promise"
    REPAIR_PLAN = "repair plan"
    KINDNESS = "kindness"
    GENTLE_START = "gentle start"


class AgreementStatus(StrEnum):
    """Where an agreement stands."""

    OPEN = "open"
    """Made, and not followed up yet."""
    KEEPING = "keeping"
    """Followed up, and the partner chose to keep it going."""
    CHANGED = "changed"
    """Followed up and put in new words, which are an agreement of their own."""
    LET_GO = "let go"
    """Followed up and let go: it is not asked about again."""


class Outcome(StrEnum):
    """How an agreement went, as its partner said when it was followed up."""

    KEPT = "kept"
    PARTLY = "partly"
    NOT_KEPT = "not_kept"


class Decision(StrEnum):
    """What a partner chose for an agreement when it was followed up."""

    KEEP = "keep"
    CHANGE = "change"
    LET_GO = "let_go"


@dataclass(frozen=True)
class Agreement:
    """Something a partner agreed to: who, when, in their own words, and where it stands."""

    id: int
    kind: AgreementKind
    partner: str
    """Who made it; empty when one person made it alone (a gentle start on a walk)."""
    text: str
    """Their own words, as said ("I'll cook dinner on Friday")."""
    made_on: date
    exercise: str = ""
    """The exercise it was made in (the welcome flow for new words given at a follow-up)."""
    status: AgreementStatus = AgreementStatus.OPEN
    outcome: Outcome | None = None
    """How it went the last time it was followed up."""
    checked_on: date | None = None
    """The day it was last followed up."""

    @property
    def active(self) -> bool:
        return self.status in (AgreementStatus.OPEN, AgreementStatus.KEEPING)

    @property
    def last_seen(self) -> date:
        """The day it was made or last followed up: it is due for a follow-up after that."""
        return self.checked_on or self.made_on

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": str(self.kind), "partner": self.partner, "text": self.text,
                "made_on": self.made_on.isoformat(), "exercise": self.exercise,
                "status": str(self.status), "outcome": self.outcome and str(self.outcome),
                "checked_on": self.checked_on and self.checked_on.isoformat()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Agreement:
        return cls(id=int(data["id"]), kind=AgreementKind(data["kind"]),
                   partner=data["partner"], text=data["text"],
                   made_on=date.fromisoformat(data["made_on"]),
                   exercise=data.get("exercise") or "",
                   status=AgreementStatus(data.get("status") or AgreementStatus.OPEN),
                   outcome=Outcome(data["outcome"]) if data.get("outcome") else None,
                   checked_on=(date.fromisoformat(data["checked_on"])
                               if data.get("checked_on") else None))


@dataclass(frozen=True)
class Profile:
    """What outlives a session: names, saved places, agreements, completed exercises."""

    names: tuple[str, ...] = ()
    disclaimer_seen: bool = False
    saved: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Saved places by exercise id, the most recently saved last."""
    agreements: tuple[Agreement, ...] = ()
    """Every agreement, the oldest first."""
    completions: tuple[tuple[str, date], ...] = ()
    """Exercise id and day of every completion."""


@dataclass(frozen=True)
class Context:
    """Everything a turn depends on besides the book, the state and the event."""

    platform: Platform
    profile: Profile = Profile()
    today: date = field(default_factory=date.today)


def profile_to_json(profile: Profile) -> dict[str, Any]:
    return {
        "names": list(profile.names),
        "disclaimer_seen": profile.disclaimer_seen,
        "saved": {k: dict(v) for k, v in profile.saved.items()},
        "agreements": [agreement.to_json() for agreement in profile.agreements],
        "completions": [[exercise, day.isoformat()] for exercise, day in profile.completions],
    }


def legacy_agreements(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Agreements from a profile document written before there were agreements: its open
    and resolved promises (resolved ones were never asked about again, so: let go)."""
    if "agreements" in data:
        return list(data["agreements"])
    promises = [{**p, "kind": "promise", "exercise": "promises", "status": "open"}
                for p in data.get("open_promises", [])]
    promises += [{**p, "kind": "promise", "exercise": "promises", "status": "let go",
                  "checked_on": p.get("resolved_on")} for p in data.get("resolved_promises", [])]
    return sorted(promises, key=lambda p: p["id"])


def profile_from_json(data: dict[str, Any]) -> Profile:
    return Profile(
        names=tuple(data["names"]),
        disclaimer_seen=bool(data["disclaimer_seen"]),
        saved=dict(data["saved"]),
        agreements=tuple(Agreement.from_json(a) for a in legacy_agreements(data)),
        completions=tuple((e, date.fromisoformat(d)) for e, d in data["completions"]),
    )
