"""Progress in PostgreSQL, for a skill served by many workers on many hosts.

Concurrency: every turn runs in one transaction that first locks the couple's row
(`SELECT ... FOR UPDATE`), so two requests for the same couple (two devices, a retry
from Alexa) are written one after the other, each seeing the other's changes; requests
for different couples do not wait for each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg_pool
from psycopg.conninfo import conninfo_to_dict

from dialogs.store import StoreError
from progress.sql import MIGRATIONS as SHARED_MIGRATIONS
from progress.sql import SqlStore

MIGRATIONS: tuple[str, ...] = tuple(
    script.replace("id INTEGER PRIMARY KEY", "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
    for script in SHARED_MIGRATIONS)
"""The shared schema, with PostgreSQL's identity columns for the row ids."""
SCHEMA_VERSION = len(MIGRATIONS)
MIGRATION_LOCK = 7_202_611  # an advisory lock id: one worker migrates, the others wait


class _Executor:
    """`?` placeholders, as the shared SQL writes them, for psycopg's `%s`."""

    def __init__(self, connection: psycopg.Connection):
        self.connection = connection

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> psycopg.Cursor:
        return self.connection.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]


def _where(url: str) -> str:
    """host:port/database, for messages (never the password). Raises StoreError for a URL
    that cannot be read."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError as error:
        raise StoreError(f"I can't read the progress database URL ({str(error).strip()}). "
                         "It looks like postgresql://user@host:5432/database.") from None
    host, port = params.get("host") or "localhost", params.get("port") or 5432
    return f"{host}:{port}/{params.get('dbname', '')}"


class PostgresStore(SqlStore):
    def __init__(self, url: str, *, pool_size: int = 4, timeout: float = 5.0):
        self.where = _where(url)
        self.pool_size = pool_size
        self.pool = psycopg_pool.ConnectionPool(
            url, min_size=1, max_size=pool_size, timeout=timeout, open=False,
            kwargs={"autocommit": True, "connect_timeout": max(1, int(timeout))})
        try:
            self.pool.open(wait=True, timeout=timeout)
        except psycopg_pool.PoolTimeout:
            raise StoreError(f"I can't reach the progress database at {self.where} (tried "
                             f"for {timeout:g} s). Check that it is running and that "
                             "the database URL is right.") from None
        with self._guard():
            self._migrate()

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except psycopg_pool.PoolTimeout:
            raise StoreError(f"All {self.pool_size} connections to the progress database are "
                             "busy; the request was not written. Try again.") from None
        except psycopg.OperationalError as error:
            raise StoreError(f"The progress database at {self.where} stopped answering "
                             f"({str(error).strip()}). Nothing half-written was kept.") from None

    @contextmanager
    def _transaction(self) -> Iterator[_Executor]:
        with self._guard(), self.pool.connection() as connection, connection.transaction():
            yield _Executor(connection)

    @contextmanager
    def _reading(self) -> Iterator[_Executor]:
        with self._guard(), self.pool.connection() as connection:
            yield _Executor(connection)

    def _lock_couple(self, tx: Any, user_key: str) -> None:
        tx.execute("SELECT 1 FROM couples WHERE user_key = ? FOR UPDATE", (user_key,))

    def _migrate(self) -> None:
        """Bring the schema up to date, all of it or none: PostgreSQL's DDL is transactional."""
        with self.pool.connection() as connection, connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            connection.execute("CREATE TABLE IF NOT EXISTS couplecare_schema "
                               "(version INTEGER NOT NULL)")
            row = connection.execute("SELECT version FROM couplecare_schema").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The progress database at {self.where} was written by a newer version of "
                    f"Couple Care (format {version}; this version reads up to "
                    f"{SCHEMA_VERSION}). Update Couple Care; nothing was changed.")
            for script in MIGRATIONS[version:]:
                connection.execute(script)  # type: ignore[arg-type]
            if row is None:
                connection.execute("INSERT INTO couplecare_schema (version) VALUES (%s)",
                                   (SCHEMA_VERSION,))
            else:
                connection.execute("UPDATE couplecare_schema SET version = %s",
                                   (SCHEMA_VERSION,))
