"""Progress as JSON: the profile and a turn's effects as ask-sdk attributes carry them, and
the profile kept whole as one document, as the DynamoDB adapter stores it.

`apply_effects` updates such a document by the same rules as the SQL stores
(`progress.rules`); `_DocumentRecord` only says how each change is made to the dict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from dialogs.engine import Effect, Profile, profile_to_json
from progress.rules import ProgressRecord, apply_turn

RECENT_REQUESTS = 50
"""How many request ids a document remembers, to skip a retried request."""

def apply_effects(profile: dict[str, Any], effects: Iterable[Effect], today: date,
                  request_id: str | None = None) -> dict[str, Any]:
    """A turn's effects applied to a profile document, returned as a new document; the
    document also keeps resolved promises (for their ids) and recent request ids."""
    document = json.loads(json.dumps(profile)) if profile else profile_to_json(Profile())
    document.setdefault("resolved_promises", [])
    document.setdefault("handled_requests", [])
    apply_turn(_DocumentRecord(document), effects, today, request_id)
    return document


class _DocumentRecord(ProgressRecord):
    """A profile document, changed in place."""

    def __init__(self, document: dict[str, Any]):
        self.document = document

    def first_time(self, request_id: str, today: date) -> bool:
        handled = self.document["handled_requests"]
        if request_id in handled:
            return False
        self.document["handled_requests"] = [*handled, request_id][-RECENT_REQUESTS:]
        return True

    def set_names(self, names: tuple[str, ...]) -> None:
        self.document["names"] = list(names)

    def mark_disclaimer_seen(self) -> None:
        self.document["disclaimer_seen"] = True

    def put_position(self, exercise: str, position: Mapping[str, Any]) -> None:
        saved = self.document["saved"]
        saved.pop(exercise, None)  # the newest last, as the SQL stores order them
        saved[exercise] = dict(position)

    def drop_position(self, exercise: str) -> None:
        self.document["saved"].pop(exercise, None)

    def reword_promise(self, partner: str, made_on: date, text: str) -> bool:
        for promise in self.document["open_promises"]:
            if promise["partner"] == partner and promise["made_on"] == made_on.isoformat():
                promise["text"] = text
                return True
        return False

    def add_promise(self, partner: str, text: str, made_on: date) -> None:
        known = [p["id"] for p in (*self.document["open_promises"],
                                   *self.document["resolved_promises"])]
        self.document["open_promises"].append({"id": max(known, default=0) + 1,
                                               "partner": partner, "text": text,
                                               "made_on": made_on.isoformat()})

    def resolve_promise(self, promise_id: int, outcome: str, resolved_on: date) -> None:
        open_promises = self.document["open_promises"]
        for promise in [p for p in open_promises if p["id"] == promise_id]:
            open_promises.remove(promise)
            self.document["resolved_promises"].append(
                {**promise, "outcome": outcome, "resolved_on": resolved_on.isoformat()})

    def add_completion(self, exercise: str, completed_on: date) -> None:
        self.document["completions"].append([exercise, completed_on.isoformat()])
