"""What a store holds for one couple, read from the database's own list of tables, so a
table added later is checked too."""

from datetime import date

from dialogs.engine import (
    AddAgreement,
    AgreementKind,
    CompleteExercise,
    DisclaimerSeen,
    SaveNames,
    SavePosition,
)
from dialogs.store import ProgressStore
from tests.stores import kept_and_done, promise

DAY = date(2026, 11, 29)
TABLES_WITHOUT_COUPLES = {"couplecare_schema"}


def fill(store: ProgressStore, user_key: str) -> None:
    """A row in every table for `user_key`."""
    store.apply(user_key, [SaveNames(("Sam", "Alex")), DisclaimerSeen(),
                           SavePosition("honest-check-in", {"step": "floor"}),
                           promise("Sam", "call at lunch"),
                           AddAgreement(AgreementKind.KINDNESS, "Alex", "I'll make you tea.",
                                        "daily-gestures"),
                           CompleteExercise("promises")], DAY, request_id=f"{user_key}-r1")
    first = store.profile(user_key).agreements[0]
    store.apply(user_key, [kept_and_done(first.id)], DAY, request_id=f"{user_key}-r2")


def rows_per_table(execute, tables: list[str], user_key: str,
                   mark: str = "?") -> dict[str, int]:
    """`execute(sql, params)` returns rows; `mark` is the database's placeholder. Every table
    but the schema's own must say whose each row is."""
    counts = {}
    for table in tables:
        if table in TABLES_WITHOUT_COUPLES:
            continue
        counts[table] = execute(f"SELECT COUNT(*) FROM {table} WHERE user_key = {mark}",
                                (user_key,))[0][0]
    return counts
