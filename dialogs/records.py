"""JSON forms of the profile and of effects, for transports that carry them as attributes.

The Alexa persistence adapters read a profile and save a turn's effects through
ask-sdk's attribute mechanism, which speaks JSON-like dicts; where a database keeps
the profile whole (DynamoDB), `apply_effects` updates that document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from dialogs.engine import (
    AddPromise,
    ClearPosition,
    CompleteExercise,
    DisclaimerSeen,
    Effect,
    Profile,
    ResolvePromise,
    SaveNames,
    SavePosition,
    effects_from_json,
    effects_to_json,
    profile_from_json,
    profile_to_json,
)

RECENT_REQUESTS = 50
"""How many request ids a document remembers, to skip a retried request."""

__all__ = ["apply_effects", "effects_from_json", "effects_to_json", "profile_from_json",
           "profile_to_json"]


def apply_effects(profile: dict[str, Any], effects: Iterable[Effect], today: date,
                  request_id: str | None = None) -> dict[str, Any]:
    """A turn's effects applied to a profile kept whole as a document (as DynamoDB keeps
    it): the same rules as the SQL stores, returned as a new document."""
    result = json.loads(json.dumps(profile)) if profile else profile_to_json(Profile())
    result.setdefault("resolved_promises", [])
    handled = result.setdefault("handled_requests", [])
    if request_id is not None:
        if request_id in handled:
            return result
        result["handled_requests"] = [*handled, request_id][-RECENT_REQUESTS:]
    day = today.isoformat()
    for effect in effects:
        match effect:
            case SaveNames(names):
                result["names"] = list(names)
            case DisclaimerSeen():
                result["disclaimer_seen"] = True
            case SavePosition(exercise, position):
                result["saved"].pop(exercise, None)
                result["saved"][exercise] = dict(position)
            case ClearPosition(exercise):
                result["saved"].pop(exercise, None)
            case AddPromise(partner, text):
                same_day = [p for p in result["open_promises"]
                            if p["partner"] == partner and p["made_on"] == day]
                if same_day:
                    same_day[0]["text"] = text
                else:
                    known = [p["id"] for p in (*result["open_promises"],
                                               *result["resolved_promises"])]
                    result["open_promises"].append({"id": max(known, default=0) + 1,
                                                    "partner": partner, "text": text,
                                                    "made_on": day})
            case ResolvePromise(promise_id, outcome):
                for promise in [p for p in result["open_promises"] if p["id"] == promise_id]:
                    result["open_promises"].remove(promise)
                    result["resolved_promises"].append(
                        {**promise, "outcome": outcome, "resolved_on": day})
            case CompleteExercise(exercise):
                result["completions"].append([exercise, day])
    return result
