"""Where progress is kept: the adapters behind `dialogs.store.ProgressStore`.

    rules.py           what each effect does to stored progress, once for every store
    sql.py             the shared SQL schema, migrations and statements
    sqlite.py          SQLite, the embedded default (a file in the data directory)
    postgres.py        PostgreSQL, for a skill on many workers
    document.py        JSON forms, and the whole-profile document DynamoDB keeps
    local_postgres.py  a throwaway PostgreSQL server for tests and benches

This module is the only place that knows every backend: `open_store(url)` picks one, and
`export`/`forget` serve the `couplecare data` commands. The adapters import the core
(`dialogs`), never the reverse.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dialogs.store import ProgressStore, StoreError
from progress.sqlite import FILE_NAME, SqliteStore, data_dir, default_path, forget_file

DATABASE_VARIABLE = "COUPLECARE_DATABASE_URL"

__all__ = ["DATABASE_VARIABLE", "data_dir", "export", "forget", "location", "open_store"]


def _configured(url: str | None) -> str:
    return url if url is not None else os.environ.get(DATABASE_VARIABLE, "")


def open_store(url: str | None = None, *, folder: Path | str | None = None) -> ProgressStore:
    """The store a database URL names (COUPLECARE_DATABASE_URL when none is given):
    `postgresql://...`, `sqlite:///path`, or nothing for SQLite in the data directory
    (or in `folder`, if given)."""
    url = _configured(url)
    if not url:
        return SqliteStore(Path(folder) / FILE_NAME if folder else default_path())
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite://"))
    if url.startswith(("postgresql://", "postgres://")):
        from progress.postgres import PostgresStore

        return PostgresStore(url)
    raise StoreError(f"I don't know how to keep progress at {url!r}. Use a URL like "
                     "postgresql://user@host/database or sqlite:///path/to/file.")


def location(url: str | None = None) -> str:
    """Where `open_store(url)` keeps progress, in words for a question to the person."""
    return _configured(url) or str(default_path())


def export(url: str | None = None) -> dict[str, Any]:
    """Everything stored, as one JSON-ready document."""
    return open_store(url).export()


def forget(url: str | None = None) -> None:
    """Delete all stored progress. In the data directory, a missing file stays missing and a
    damaged one is removed."""
    url = _configured(url)
    if url:
        open_store(url).forget()
    else:
        forget_file(default_path())
