"""Progress that outlives a session: names, positions, promises, history.

`ProgressStore` is the interface the front ends use; `SqliteStore` is the
embedded default. Every turn's effects are written in one transaction, so a
crash loses at most the turn in flight. A damaged file or one from a newer
version is refused with instructions and left exactly as it was.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs

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

DATA_DIR_VARIABLE = "COUPLECARE_DATA_DIR"
FILE_NAME = "progress.sqlite3"
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
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """A problem with stored progress, in words meant for the person at the keyboard."""


def data_dir() -> Path:
    configured = os.environ.get(DATA_DIR_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("couplecare", appauthor=False))


def default_path() -> Path:
    return data_dir() / FILE_NAME


DATABASE_VARIABLE = "COUPLECARE_DATABASE_URL"


def open_store(url: str | None = None, *, sqlite_path: Path | None = None) -> ProgressStore:
    """The store a database URL names (COUPLECARE_DATABASE_URL when none is given):
    `postgresql://...`, `sqlite:///path`, or nothing for SQLite in the data directory."""
    url = url if url is not None else os.environ.get(DATABASE_VARIABLE, "")
    if not url:
        return SqliteStore(sqlite_path or default_path())
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite://"))
    if url.startswith(("postgresql://", "postgres://")):
        from dialogs.store_postgres import PostgresStore

        return PostgresStore(url)
    raise StoreError(f"I don't know how to keep progress at {url!r}. Use a URL like "
                     "postgresql://user@host/database or sqlite:///path/to/file.")


class ProgressStore(ABC):
    """What the front ends need from stored progress; a server database can stand in."""

    @abstractmethod
    def profile(self, user_key: str) -> Profile: ...

    @abstractmethod
    def apply(self, user_key: str, effects: Iterable[Effect], today: date,
              request_id: str | None = None) -> None:
        """Write one turn's effects, all or nothing; a `request_id` already written is
        skipped, so a retried request changes nothing twice."""

    @abstractmethod
    def export(self) -> dict[str, Any]: ...

    @abstractmethod
    def forget(self, user_key: str | None = None) -> None: ...


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
            promises = db.execute(
                "SELECT id, partner, text, made_on FROM promises "
                "WHERE user_key = ? AND outcome IS NULL ORDER BY id", (user_key,)).fetchall()
            completions = db.execute(
                "SELECT exercise, completed_on FROM completions WHERE user_key = ? ORDER BY id",
                (user_key,)).fetchall()
        names = tuple(json.loads(couple[0])) if couple else ()
        return Profile(
            names=names,
            disclaimer_seen=bool(couple[1]) if couple else False,
            saved={exercise: json.loads(position) for exercise, position in positions},
            open_promises=tuple(Promise(i, p, t, date.fromisoformat(d))
                                for i, p, t, d in promises),
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
            if request_id is not None:
                fresh = tx.execute(
                    "INSERT INTO handled_requests (user_key, request_id, handled_on) "
                    "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (user_key, request_id, today.isoformat())).rowcount
                if not fresh:
                    return
                tx.execute("DELETE FROM handled_requests WHERE user_key = ? AND handled_on < ?",
                           (user_key, (today - timedelta(days=2)).isoformat()))
            for effect in effects:
                self._apply_one(tx, user_key, effect, today, now)

    @staticmethod
    def _apply_one(tx: Any, user_key: str, effect: Effect, today: date,
                   now: str) -> None:
        match effect:
            case SaveNames(names):
                tx.execute("UPDATE couples SET names = ? WHERE user_key = ?",
                           (json.dumps(list(names)), user_key))
            case DisclaimerSeen():
                tx.execute("UPDATE couples SET disclaimer_seen = 1 WHERE user_key = ?",
                           (user_key,))
            case SavePosition(exercise, position):
                tx.execute(
                    "INSERT INTO positions (user_key, exercise, position, updated_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (user_key, exercise) DO UPDATE SET "
                    "position = excluded.position, updated_at = excluded.updated_at",
                    (user_key, exercise, json.dumps(dict(position)), now))
            case ClearPosition(exercise):
                tx.execute("DELETE FROM positions WHERE user_key = ? AND exercise = ?",
                           (user_key, exercise))
            case AddPromise(partner, text):
                # Going back and promising again replaces the day's promise, not adds one.
                replaced = tx.execute(
                    "UPDATE promises SET text = ? WHERE user_key = ? AND partner = ? "
                    "AND made_on = ? AND outcome IS NULL", (text, user_key, partner,
                                                            today.isoformat())).rowcount
                if not replaced:
                    tx.execute("INSERT INTO promises (user_key, partner, text, made_on) "
                               "VALUES (?, ?, ?, ?)", (user_key, partner, text,
                                                       today.isoformat()))
            case ResolvePromise(promise_id, outcome):
                tx.execute("UPDATE promises SET outcome = ?, resolved_on = ? "
                           "WHERE id = ? AND user_key = ?",
                           (outcome, today.isoformat(), promise_id, user_key))
            case CompleteExercise(exercise):
                tx.execute("INSERT INTO completions (user_key, exercise, completed_on) "
                           "VALUES (?, ?, ?)", (user_key, exercise, today.isoformat()))

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
                    "promises": [
                        dict(zip(("partner", "text", "made_on", "outcome", "resolved_on"), row,
                                 strict=True))
                        for row in db.execute(
                            "SELECT partner, text, made_on, outcome, resolved_on FROM promises "
                            "WHERE user_key = ? ORDER BY id", (key,)).fetchall()],
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
            for table in ("positions", "promises", "completions", "handled_requests",
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


class SqliteStore(SqlStore):
    def __init__(self, path: Path | str | None = None, *, timeout: float = 5.0):
        self.path = Path(path) if path else default_path()
        self.timeout = timeout
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"I can't create the folder for your progress, "
                             f"{self.path.parent} ({error.strerror}). Set {DATA_DIR_VARIABLE} "
                             "to a folder you can write to.") from None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with self._guard():
            self._prepare()

    # ------------------------------------------------------------ connection

    @property
    def connection(self) -> sqlite3.Connection:
        """This thread's own connection: a transaction must never see another thread's
        statements, so threads of one server each get one, and SQLite's lock orders them."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=self.timeout,
                                         isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA foreign_keys = ON")
            # With WAL, NORMAL keeps every committed turn through a crash of the program;
            # only a power cut may undo the last turns. FULL costs a disk flush per turn.
            connection.execute("PRAGMA synchronous = NORMAL")
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn sqlite's errors into sentences; never touch a file we do not understand."""
        try:
            yield
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.IntegrityError):
            raise
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise StoreError(
                    f"Your progress file {self.path} is in use by another Couple Care session. "
                    "Finish that session (or wait a moment) and try again; nothing was lost."
                ) from None
            raise StoreError(f"I couldn't use your progress file {self.path}: {error}. "
                             "Nothing in it was changed.") from None
        except sqlite3.DatabaseError:
            self.close()
            raise StoreError(
                f"Your progress file {self.path} is damaged, so I left it exactly as it is. "
                f"To start afresh, move it somewhere else (keep it if you want to try to "
                f"recover it), or delete it with: couplecare data forget"
            ) from None

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._guard():
            yield self.connection

    def _scrub(self) -> None:
        with self._guard():
            self.connection.execute("VACUUM")
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._guard():
            connection = self.connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def _prepare(self) -> None:
        connection = self.connection
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self.close()
            raise StoreError(
                f"Your progress file {self.path} was written by a newer version of Couple Care "
                f"(format {version}; this version reads up to {SCHEMA_VERSION}). Update Couple "
                "Care to use it; nothing in it was changed.")
        if version and connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("integrity check failed")
        if version < SCHEMA_VERSION:
            connection.execute("PRAGMA journal_mode = WAL")
            with self._transaction() as tx:
                # Re-read inside the write lock: another process may have migrated meanwhile.
                version = tx.execute("PRAGMA user_version").fetchone()[0]
                for script in MIGRATIONS[version:]:
                    for statement in filter(str.strip, script.split(";")):
                        tx.execute(statement)
                tx.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

