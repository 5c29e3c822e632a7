"""JSON forms of the profile and of effects, for transports that carry them as attributes.

The Alexa persistence adapter reads a profile and saves a turn's effects through
ask-sdk's attribute mechanism, which speaks JSON-like dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, fields
from datetime import date
from typing import Any

from dialogs.engine import (
    AddPromise,
    ClearPosition,
    CompleteExercise,
    DisclaimerSeen,
    Effect,
    Profile,
    Promise,
    ResolvePromise,
    SaveNames,
    SavePosition,
)

EFFECT_TYPES: dict[str, type] = {cls.__name__: cls for cls in (
    SaveNames, DisclaimerSeen, SavePosition, ClearPosition, AddPromise, ResolvePromise,
    CompleteExercise)}


def effects_to_json(effects: Iterable[Effect]) -> list[dict[str, Any]]:
    return [{"type": type(effect).__name__, **asdict(effect)} for effect in effects]


def effects_from_json(items: Iterable[dict[str, Any]]) -> list[Effect]:
    effects = []
    for item in items:
        cls = EFFECT_TYPES[item["type"]]
        values = {f.name: item[f.name] for f in fields(cls)}
        if cls is SaveNames:
            values["names"] = tuple(values["names"])
        effects.append(cls(**values))
    return effects


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
