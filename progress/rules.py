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
    AddPromise,
    ClearPosition,
    CompleteExercise,
    DisclaimerSeen,
    Effect,
    ResolvePromise,
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
    def reword_promise(self, partner: str, made_on: date, text: str) -> bool:
        """Give new words to the open promise `partner` made on `made_on`; False if none."""

    @abstractmethod
    def add_promise(self, partner: str, text: str, made_on: date) -> None: ...

    @abstractmethod
    def resolve_promise(self, promise_id: int, outcome: str, resolved_on: date) -> None: ...

    @abstractmethod
    def add_completion(self, exercise: str, completed_on: date) -> None: ...


def _add_promise(record: ProgressRecord, effect: AddPromise, today: date) -> None:
    # Going back and promising again replaces the day's promise, not adds one.
    if not record.reword_promise(effect.partner, today, effect.text):
        record.add_promise(effect.partner, effect.text, today)


Rule = Callable[[ProgressRecord, Any, date], None]

RULES: dict[type, Rule] = {
    SaveNames: lambda record, effect, today: record.set_names(effect.names),
    DisclaimerSeen: lambda record, effect, today: record.mark_disclaimer_seen(),
    SavePosition: lambda record, effect, today: record.put_position(effect.exercise,
                                                                    effect.position),
    ClearPosition: lambda record, effect, today: record.drop_position(effect.exercise),
    AddPromise: _add_promise,
    ResolvePromise: lambda record, effect, today: record.resolve_promise(
        effect.promise_id, effect.outcome, today),
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
