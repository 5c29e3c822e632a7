"""Progress in a SQLite file, the embedded default: one file in the data directory.

A crash loses at most the turn in flight. A damaged file or one from a newer version is
refused with instructions and left exactly as it was.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

from dialogs.store import StoreError, StoreInUse, StoreUnreadable
from progress.sql import MIGRATIONS, SCHEMA_VERSION, SqlStore

DATA_DIR_VARIABLE = "COUPLECARE_DATA_DIR"
FILE_NAME = "progress.sqlite3"
JOURNAL_SUFFIXES = ("-wal", "-shm")


def data_dir() -> Path:
    """Where Couple Care keeps its files on this computer (COUPLECARE_DATA_DIR overrides)."""
    configured = os.environ.get(DATA_DIR_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("couplecare", appauthor=False))


def default_path() -> Path:
    return data_dir() / FILE_NAME


def forget_file(path: Path, *, timeout: float = 5.0) -> None:
    """Delete all progress in the file at `path`, if there is one. A file whose contents
    cannot be read (damaged, or from a newer version) is removed, with its journal: the
    person asked for it gone. A file in use by another session (still after `timeout`
    seconds), or one that cannot be opened for another reason, is left as it is and the
    StoreError says why."""
    if not path.exists():
        return
    try:
        store = SqliteStore(path, timeout=timeout)
        try:
            store.forget()
        finally:
            store.close()
    except StoreUnreadable:
        for file in (path, *(Path(f"{path}{suffix}") for suffix in JOURNAL_SUFFIXES)):
            file.unlink(missing_ok=True)


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
                raise StoreInUse(
                    f"Your progress file {self.path} is in use by another Couple Care session. "
                    "Close that session (or wait a moment) and try again; nothing was lost."
                ) from None
            raise StoreError(f"I couldn't use your progress file {self.path}: {error}. "
                             "Nothing in it was changed.") from None
        except sqlite3.DatabaseError:
            self.close()
            raise StoreUnreadable(
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
            raise StoreUnreadable(
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

