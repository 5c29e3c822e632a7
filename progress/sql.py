"""Progress in SQL tables, shared by the SQLite and PostgreSQL stores: the schema and its
migrations, reading a profile, writing a turn in one transaction, export and forget.

Statements are written once, with `?` placeholders; a backend connects, locks and
migrates for its database. What each effect changes is decided by `progress.rules`;
`_SqlRecord` only says how each change is written here.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dialogs.engine import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    Effect,
    Outcome,
    Profile,
)
from dialogs.store import ProgressStore
from progress.rules import ProgressRecord, apply_turn

EXPORT_FORMAT = "couplecare-progress"

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema.
    """
    CREATE TABLE couples (
        user_key TEXT PRIMARY KEY,
        names TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL
    );
    CREATE TABLE positions (
        user_key TEXT NOT NULL,
        exercise TEXT NOT NULL,
        position TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (user_key, exercise)
    );
    CREATE TABLE promises (
        id INTEGER PRIMARY KEY,
        user_key TEXT NOT NULL,
        partner TEXT NOT NULL,
        text TEXT NOT NULL,
        made_on TEXT NOT NULL,
        outcome TEXT,
        resolved_on TEXT
    );
    CREATE TABLE completions (
        id INTEGER PRIMARY KEY,
        user_key TEXT NOT NULL,
        exercise TEXT NOT NULL,
        completed_on TEXT NOT NULL
    );
    """,
    # 2: remember that the disclaimer was heard, so it is said only the first time.
    """
    ALTER TABLE couples ADD COLUMN disclaimer_seen INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX promises_open ON promises (user_key) WHERE outcome IS NULL;
    """,
    # 3: requests already written, so that a retried request is not counted twice.
    """
    CREATE TABLE handled_requests (
        user_key TEXT NOT NULL,
        request_id TEXT NOT NULL,
        handled_on TEXT NOT NULL,
        PRIMARY KEY (user_key, request_id)
    );
    """,
    # 4: promises become agreements (promises, repair plans, kindnesses, gentle starts), each
    # with a status and its last follow-up. A promise already followed up was never asked
    # about again: it is let go.
    """
    CREATE TABLE agreements (
        id INTEGER PRIMARY KEY,
        user_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        exercise TEXT NOT NULL,
        partner TEXT NOT NULL,
        text TEXT NOT NULL,
        made_on TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open',
        outcome TEXT,
        checked_on TEXT
    );
    INSERT INTO agreements (user_key, kind, exercise, partner, text, made_on, status, outcome,
                            checked_on)
        SELECT user_key, 'promise', 'promises', partner, text, made_on,
               CASE WHEN outcome IS NULL THEN 'open' ELSE 'let go' END, outcome, resolved_on
        FROM promises ORDER BY id;
    DROP TABLE promises;
    CREATE INDEX agreements_by_couple ON agreements (user_key);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


AGREEMENT_COLUMNS = "id, kind, exercise, partner, text, made_on, status, outcome, checked_on"


def _agreement(row: tuple[Any, ...]) -> Agreement:
    id_, kind, exercise, partner, text, made_on, status, outcome, checked_on = row
    return Agreement(id=int(id_), kind=AgreementKind(kind), partner=partner, text=text,
                     made_on=date.fromisoformat(made_on), exercise=exercise,
                     status=AgreementStatus(status), outcome=Outcome(outcome) if outcome else None,
                     checked_on=date.fromisoformat(checked_on) if checked_on else None)


class SqlStore(ProgressStore):
    """Progress in SQL tables; subclasses connect, lock and migrate for their database.

    Statements use `?` placeholders; every turn's effects go in one transaction.
    """

    # ------------------------------------------------------------ reading

    def profile(self, user_key: str) -> Profile:
        with self._reading() as db:
            couple = db.execute("SELECT names, disclaimer_seen FROM couples WHERE user_key = ?",
                                (user_key,)).fetchone()
            positions = db.execute(
                "SELECT exercise, position FROM positions WHERE user_key = ? "
                "ORDER BY updated_at, exercise", (user_key,)).fetchall()
            agreements = db.execute(
                f"SELECT {AGREEMENT_COLUMNS} FROM agreements WHERE user_key = ? ORDER BY id",
                (user_key,)).fetchall()
            completions = db.execute(
                "SELECT exercise, completed_on FROM completions WHERE user_key = ? ORDER BY id",
                (user_key,)).fetchall()
        names = tuple(json.loads(couple[0])) if couple else ()
        return Profile(
            names=names,
            disclaimer_seen=bool(couple[1]) if couple else False,
            saved={exercise: json.loads(position) for exercise, position in positions},
            agreements=tuple(_agreement(row) for row in agreements),
            completions=tuple((e, date.fromisoformat(d)) for e, d in completions),
        )

    # ------------------------------------------------------------ writing

    def apply(self, user_key: str, effects: Iterable[Effect], today: date,
              request_id: str | None = None) -> None:
        effects = list(effects)
        if not effects:
            return
        now = datetime.now(UTC).isoformat()
        with self._transaction() as tx:
            tx.execute("INSERT INTO couples (user_key, created_at) VALUES (?, ?) "
                       "ON CONFLICT (user_key) DO NOTHING", (user_key, now))
            self._lock_couple(tx, user_key)
            apply_turn(_SqlRecord(tx, user_key, now), effects, today, request_id)

    # ------------------------------------------------------------ export and forget

    def export(self) -> dict[str, Any]:
        with self._reading() as db:
            couples = []
            for key, names, created_at, seen in db.execute(
                    "SELECT user_key, names, created_at, disclaimer_seen FROM couples "
                    "ORDER BY user_key").fetchall():
                couples.append({
                    "user_key": key, "names": json.loads(names), "created_at": created_at,
                    "disclaimer_seen": bool(seen),
                    "positions": [
                        {"exercise": e, "updated_at": u, "position": json.loads(p)}
                        for e, u, p in db.execute(
                            "SELECT exercise, updated_at, position FROM positions "
                            "WHERE user_key = ? ORDER BY exercise", (key,)).fetchall()],
                    "agreements": [
                        {k: v for k, v in _agreement(row).to_json().items() if k != "id"}
                        for row in db.execute(
                            f"SELECT {AGREEMENT_COLUMNS} FROM agreements WHERE user_key = ? "
                            "ORDER BY id", (key,)).fetchall()],
                    "completions": [
                        {"exercise": e, "completed_on": d} for e, d in db.execute(
                            "SELECT exercise, completed_on FROM completions WHERE user_key = ? "
                            "ORDER BY id", (key,)).fetchall()],
                })
        return {"format": EXPORT_FORMAT, "schema_version": SCHEMA_VERSION,
                "exported_at": datetime.now(UTC).isoformat(), "couples": couples}

    def forget(self, user_key: str | None = None) -> None:
        """Delete stored progress (one couple's, or everyone's)."""
        with self._transaction() as tx:
            for table in ("positions", "agreements", "completions", "handled_requests",
                          "couples"):
                if user_key is None:
                    tx.execute(f"DELETE FROM {table}")
                else:
                    tx.execute(f"DELETE FROM {table} WHERE user_key = ?", (user_key,))
        self._scrub()

    # ------------------------------------------------------------ what each database says

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Any]:
        """A write transaction: yields something with `execute(sql, params)`."""

    @abstractmethod
    def _reading(self) -> AbstractContextManager[Any]: ...

    def _lock_couple(self, tx: Any, user_key: str) -> None:
        """Hold this couple's row until the turn is written (where the database needs it)."""

    def _scrub(self) -> None:
        """Make deleted data unrecoverable from the file, where that applies."""

    def check(self) -> None:
        """Raise StoreError unless the store answers."""
        with self._reading() as db:
            db.execute("SELECT 1").fetchone()


class _SqlRecord(ProgressRecord):
    """One couple's rows, inside a write transaction."""

    def __init__(self, tx: Any, user_key: str, now: str):
        self.tx = tx
        self.user_key = user_key
        self.now = now

    def first_time(self, request_id: str, today: date) -> bool:
        fresh = self.tx.execute(
            "INSERT INTO handled_requests (user_key, request_id, handled_on) "
            "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (self.user_key, request_id, today.isoformat())).rowcount
        if fresh:
            self.tx.execute("DELETE FROM handled_requests WHERE user_key = ? AND handled_on < ?",
                            (self.user_key, (today - timedelta(days=2)).isoformat()))
        return bool(fresh)

    def set_names(self, names: tuple[str, ...]) -> None:
        self.tx.execute("UPDATE couples SET names = ? WHERE user_key = ?",
                        (json.dumps(list(names)), self.user_key))

    def mark_disclaimer_seen(self) -> None:
        self.tx.execute("UPDATE couples SET disclaimer_seen = 1 WHERE user_key = ?",
                        (self.user_key,))

    def put_position(self, exercise: str, position: Mapping[str, Any]) -> None:
        self.tx.execute(
            "INSERT INTO positions (user_key, exercise, position, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (user_key, exercise) DO UPDATE SET "
            "position = excluded.position, updated_at = excluded.updated_at",
            (self.user_key, exercise, json.dumps(dict(position)), self.now))

    def drop_position(self, exercise: str) -> None:
        self.tx.execute("DELETE FROM positions WHERE user_key = ? AND exercise = ?",
                        (self.user_key, exercise))

    def reword_agreement(self, kind: AgreementKind, exercise: str, partner: str,
                         made_on: date, text: str) -> bool:
        return bool(self.tx.execute(
            "UPDATE agreements SET text = ? WHERE user_key = ? AND kind = ? AND exercise = ? "
            "AND partner = ? AND made_on = ? AND status = ?",
            (text, self.user_key, str(kind), exercise, partner, made_on.isoformat(),
             str(AgreementStatus.OPEN))).rowcount)

    def add_agreement(self, kind: AgreementKind, exercise: str, partner: str, text: str,
                      made_on: date) -> None:
        self.tx.execute("INSERT INTO agreements (user_key, kind, exercise, partner, text, "
                        "made_on, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (self.user_key, str(kind), exercise, partner, text, made_on.isoformat(),
                         str(AgreementStatus.OPEN)))

    def follow_up_agreement(self, agreement_id: int, outcome: Outcome | None,
                            status: AgreementStatus, checked_on: date) -> None:
        self.tx.execute("UPDATE agreements SET status = ?, outcome = COALESCE(?, outcome), "
                        "checked_on = ? WHERE id = ? AND user_key = ?",
                        (str(status), outcome and str(outcome), checked_on.isoformat(),
                         agreement_id, self.user_key))

    def add_completion(self, exercise: str, completed_on: date) -> None:
        self.tx.execute("INSERT INTO completions (user_key, exercise, completed_on) "
                        "VALUES (?, ?, ?)", (self.user_key, exercise, completed_on.isoformat()))
