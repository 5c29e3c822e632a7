"""ask-sdk persistence backed by the progress store of `dialogs` (SQLite by default)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope

from dialogs.records import effects_from_json, profile_to_json
from dialogs.store import ProgressStore

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
