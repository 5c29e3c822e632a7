"""ask-sdk persistence: a progress store (SQLite or PostgreSQL), or DynamoDB through
ask-sdk's own adapter on AWS Lambda, keeping the profile as one document."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope

from dialogs.engine import Profile, effects_from_json, profile_from_json, profile_to_json
from dialogs.store import ProgressStore
from progress.document import apply_effects

PROFILE = "profile"
EFFECTS = "effects"


def user_key(envelope: RequestEnvelope) -> str:
    """Whose progress this is: the recognised person if Alexa knows the voice, else the account."""
    system = envelope.context.system
    person = getattr(system, "person", None)
    if person is not None and person.person_id:
        return f"person:{person.person_id}"
    return f"user:{system.user.user_id}"


class StorePersistenceAdapter(AbstractPersistenceAdapter):
    """Reading gives `{"profile": ...}`; saving applies `{"effects": [...]}` to the store.

    Saving a turn's changes rather than a whole copy means two devices of one couple
    add to each other's progress instead of overwriting it.
    """

    def __init__(self, store: ProgressStore, today: Callable[[], date] = date.today):
        self.store = store
        self.today = today

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        return {PROFILE: profile_to_json(self.store.profile(user_key(request_envelope)))}

    def save_attributes(self, request_envelope: RequestEnvelope,
                        attributes: dict[str, Any]) -> None:
        effects = effects_from_json(attributes.get(EFFECTS, []))
        request_id = getattr(request_envelope.request, "request_id", None)
        self.store.apply(user_key(request_envelope), effects, self.today(), request_id)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self.store.forget(user_key(request_envelope))


def _plain(value: Any) -> Any:
    """DynamoDB hands numbers back as Decimal; the profile is plain JSON."""
    return json.loads(json.dumps(value, default=lambda d: int(d) if d == int(d) else float(d)))


class DynamoProfileAdapter(AbstractPersistenceAdapter):
    """The profile kept whole in DynamoDB through ask-sdk's own DynamoDB adapter.

    Each save reads the couple's document, applies the turn's effects and writes it back.
    The SDK adapter writes unconditionally, so two requests for one couple in the same
    instant can overwrite each other; a retried request is recognised and skipped.
    """

    def __init__(self, table_name: str, today: Callable[[], date] = date.today,
                 dynamodb_resource: Any = None):
        from ask_sdk_dynamodb.adapter import DynamoDbAdapter

        options: dict[str, Any] = {"table_name": table_name, "partition_keygen": user_key,
                                   "create_table": False}
        if dynamodb_resource is not None:
            options["dynamodb_resource"] = dynamodb_resource
        self.table = DynamoDbAdapter(**options)
        self.today = today

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        stored = _plain(self.table.get_attributes(request_envelope))
        profile = profile_to_json(profile_from_json(stored)) if stored else profile_to_json(
            Profile())
        return {PROFILE: profile}

    def save_attributes(self, request_envelope: RequestEnvelope,
                        attributes: dict[str, Any]) -> None:
        effects = effects_from_json(attributes.get(EFFECTS, []))
        if not effects:
            return
        stored = _plain(self.table.get_attributes(request_envelope))
        request_id = getattr(request_envelope.request, "request_id", None)
        self.table.save_attributes(request_envelope,
                                   apply_effects(stored, effects, self.today(), request_id))

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self.table.delete_attributes(request_envelope)
