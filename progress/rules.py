"""What each effect does to stored progress, written once for every kind of storage.

A store opens one couple's progress for one turn as a `ProgressRecord` (a few plain
operations: set the names, put a position, add a promise, ...) and hands it to
`apply_turn`. The meaning of each effect lives only in `RULES`, a table keyed by effect
type: the SQL stores implement the record with statements in a transaction
(`progress.sql`), the whole-profile document kept in DynamoDB implements it on a dict
(`progress.document`), and both follow the same rules because there is only one copy.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from dialogs.engine import (
    AddAgreement,
    AgreementKind,
    AgreementStatus,
    ClearPosition,
    CompleteExercise,
    Decision,
    DisclaimerSeen,
    Effect,
    FollowUpAgreement,
    Outcome,
    SaveNames,
    SavePosition,
)


class ProgressRecord(ABC):
    """One couple's stored progress, open for writing one turn."""

    @abstractmethod
    def first_time(self, request_id: str, today: date) -> bool:
        """Remember the request; False if it was written before (a retry)."""

    @abstractmethod
    def set_names(self, names: tuple[str, ...]) -> None: ...

    @abstractmethod
    def mark_disclaimer_seen(self) -> None: ...

    @abstractmethod
    def put_position(self, exercise: str, position: Mapping[str, Any]) -> None:
        """Save where the couple is in an exercise, replacing the earlier place."""

    @abstractmethod
    def drop_position(self, exercise: str) -> None: ...

    @abstractmethod
    def reword_agreement(self, kind: AgreementKind, exercise: str, partner: str,
                         made_on: date, text: str) -> bool:
        """Give new words to the open agreement of this kind `partner` made in `exercise` on
        `made_on`; False if there is none."""

    @abstractmethod
    def add_agreement(self, kind: AgreementKind, exercise: str, partner: str, text: str,
                      made_on: date) -> None: ...

    @abstractmethod
    def follow_up_agreement(self, agreement_id: int, outcome: Outcome | None,
                            status: AgreementStatus, checked_on: date) -> None:
        """Record a follow-up: the new status, and the outcome when one was given."""

    @abstractmethod
    def add_completion(self, exercise: str, completed_on: date) -> None: ...


def _add_agreement(record: ProgressRecord, effect: AddAgreement, today: date) -> None:
    # Doing the exercise again on the same day replaces that day's words, not adds to them.
    if not record.reword_agreement(effect.kind, effect.exercise, effect.partner, today,
                                   effect.text):
        record.add_agreement(effect.kind, effect.exercise, effect.partner, effect.text, today)


STATUS_AFTER: dict[Decision, AgreementStatus] = {
    Decision.KEEP: AgreementStatus.KEEPING,
    Decision.CHANGE: AgreementStatus.CHANGED,
    Decision.LET_GO: AgreementStatus.LET_GO,
}


Rule = Callable[[ProgressRecord, Any, date], None]

RULES: dict[type, Rule] = {
    SaveNames: lambda record, effect, today: record.set_names(effect.names),
    DisclaimerSeen: lambda record, effect, today: record.mark_disclaimer_seen(),
    SavePosition: lambda record, effect, today: record.put_position(effect.exercise,
                                                                    effect.position),
    ClearPosition: lambda record, effect, today: record.drop_position(effect.exercise),
    AddAgreement: _add_agreement,
    FollowUpAgreement: lambda record, effect, today: record.follow_up_agreement(
        effect.agreement_id, effect.outcome, STATUS_AFTER[effect.decision], today),
    CompleteExercise: lambda record, effect, today: record.add_completion(effect.exercise,
                                                                          today),
}


def apply_turn(record: ProgressRecord, effects: Iterable[Effect], today: date,
               request_id: str | None = None) -> None:
    """A turn's effects in order; a `request_id` already written changes nothing."""
    if request_id is not None and not record.first_time(request_id, today):
        return
    for effect in effects:
        RULES[type(effect)](record, effect, today)
