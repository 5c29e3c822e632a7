"""The port to stored progress: what the core and the front ends need from it.

The adapters (SQLite, PostgreSQL, the DynamoDB document) live in the `progress` package,
which imports this module and is never imported by `dialogs`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import date
from typing import Any

from dialogs.engine import Effect, Profile


class StoreError(Exception):
    """A problem with stored progress, in words meant for the person at the keyboard."""


class StoreInUse(StoreError):
    """Another session holds the store: waiting or closing that session fixes it."""


class StoreUnreadable(StoreError):
    """The stored data itself cannot be read here (damaged, or from a newer version)."""


class ProgressStore(ABC):
    """Names, positions, promises and history that outlive a session, per couple."""

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
