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

from dialogs.engine import (
    AgreementKind,
    AgreementStatus,
    Effect,
    Outcome,
    Profile,
    profile_to_json,
)
from dialogs.engine.profile import legacy_agreements
from progress.rules import ProgressRecord, apply_turn

RECENT_REQUESTS = 50
"""How many request ids a document remembers, to skip a retried request."""

def apply_effects(profile: dict[str, Any], effects: Iterable[Effect], today: date,
                  request_id: str | None = None) -> dict[str, Any]:
    """A turn's effects applied to a profile document, returned as a new document; the
    document also keeps recent request ids. A document from before agreements has its
    promises made agreements."""
    document = json.loads(json.dumps(profile)) if profile else profile_to_json(Profile())
    document["agreements"] = legacy_agreements(document)
    document.pop("open_promises", None)
    document.pop("resolved_promises", None)
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

    def reword_agreement(self, kind: AgreementKind, exercise: str, partner: str,
                         made_on: date, text: str) -> bool:
        for agreement in self.document["agreements"]:
            if (agreement["kind"], agreement["exercise"], agreement["partner"],
                    agreement["made_on"], agreement["status"]) == (
                    kind, exercise, partner, made_on.isoformat(), AgreementStatus.OPEN):
                agreement["text"] = text
                return True
        return False

    def add_agreement(self, kind: AgreementKind, exercise: str, partner: str, text: str,
                      made_on: date) -> None:
        agreements = self.document["agreements"]
        agreements.append({
            "id": max((a["id"] for a in agreements), default=0) + 1, "kind": str(kind),
            "partner": partner, "text": text, "made_on": made_on.isoformat(),
            "exercise": exercise, "status": str(AgreementStatus.OPEN), "outcome": None,
            "checked_on": None})

    def follow_up_agreement(self, agreement_id: int, outcome: Outcome | None,
                            status: AgreementStatus, checked_on: date) -> None:
        for agreement in self.document["agreements"]:
            if agreement["id"] == agreement_id:
                agreement.update(status=str(status), checked_on=checked_on.isoformat())
                if outcome is not None:
                    agreement["outcome"] = str(outcome)

    def add_completion(self, exercise: str, completed_on: date) -> None:
        self.document["completions"].append([exercise, completed_on.isoformat()])
