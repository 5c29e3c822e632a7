"""What the engine reads from the store at the start of a turn, and its JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dialogs.model import Platform


@dataclass(frozen=True)
class Promise:
    """A promise a partner made and nobody has followed up yet."""

    id: int
    partner: str
    text: str
    made_on: date


@dataclass(frozen=True)
class Profile:
    """What outlives a session: names, saved places, open promises, completed exercises."""

    names: tuple[str, ...] = ()
    disclaimer_seen: bool = False
    saved: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Saved places by exercise id, the most recently saved last."""
    open_promises: tuple[Promise, ...] = ()
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
        "open_promises": [{"id": p.id, "partner": p.partner, "text": p.text,
                           "made_on": p.made_on.isoformat()} for p in profile.open_promises],
        "completions": [[exercise, day.isoformat()] for exercise, day in profile.completions],
    }


def profile_from_json(data: dict[str, Any]) -> Profile:
    return Profile(
        names=tuple(data["names"]),
        disclaimer_seen=bool(data["disclaimer_seen"]),
        saved=dict(data["saved"]),
        open_promises=tuple(Promise(p["id"], p["partner"], p["text"],
                                    date.fromisoformat(p["made_on"]))
                            for p in data["open_promises"]),
        completions=tuple((e, date.fromisoformat(d)) for e, d in data["completions"]),
    )
