"""The conversation state: where a conversation is, carried as JSON between turns.

It travels in Alexa session attributes and between turns of the local loops. The JSON keys
are short (the aliases below); anything tampered with or out of date starts afresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dialogs.book import Book
from dialogs.intents import WELCOME_FLOW
from dialogs.model import Platform

STATE_VERSION = 1
"""Raise it when the JSON form changes, so that older states start afresh."""


class ConversationState(BaseModel):
    """Where a conversation is and what it remembers within the session."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)

    version: int = Field(STATE_VERSION, alias="v")
    platform: Platform = Platform.TEXT
    flow: str = WELCOME_FLOW
    step: str = "start"
    speaker: int = Field(0, ge=0, le=1)
    """Which partner speaks now: 0 the first, 1 the second."""
    variables: dict[str, str | bool | int] = Field(default_factory=dict, alias="vars")
    paused: bool = False
    misses_input: int = 0
    """Silences in a row at this step."""
    misses_match: int = 0
    """Answers in a row at this step that were not understood."""
    last_variants: dict[str, int] = Field(default_factory=dict, alias="variants")
    """The variant last chosen for each prompt, so the next one differs."""
    last_speech: str = Field("", alias="said")
    """What was said last, for "repeat"."""
    history: list[dict[str, Any]] = Field(default_factory=list)
    """Snapshots of the steps that waited, for "back"."""
    turn: int = 0
    """Turns so far in this session; with the prompt it seeds the choice of variant."""
    unsafe: bool = False
    """Someone does not feel safe or is unsure: exercises with the partner are not offered for
    the rest of the session."""
    safe_confirmed: bool = Field(False, alias="safe")
    """Both said they feel safe with each other in this session (the safety question)."""
    confirming: str = ""
    """A command waiting for a yes before it acts ("start_over"), or nothing."""
    followed_agreements: list[int] = Field(default_factory=list, alias="followed")
    """Agreements already followed up in this session."""
    agreed: list[dict[str, str]] = Field(default_factory=list)
    """Agreements made in the exercise under way (kind, partner, text), for its summary."""
    skip_refused: str = Field("", alias="refused")
    """The step where "skip" was last refused with its reason, so a second ask gets an offer
    of help or a pause instead of the same words."""
    ended: bool = False

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def fresh_state(platform: Platform) -> ConversationState:
    return ConversationState(platform=platform)


def load_state(book: Book, state: Mapping[str, Any] | None,
               platform: Platform) -> ConversationState | None:
    """The validated state, or None when it is missing, tampered with or out of date."""
    if not state or not isinstance(state, Mapping):
        return None
    try:
        parsed = ConversationState.model_validate(dict(state))
    except ValidationError:
        return None
    if parsed.version != STATE_VERSION or parsed.ended:
        return None
    if parsed.flow != WELCOME_FLOW and parsed.flow not in book.exercises:
        return None
    if parsed.step not in book.flow(parsed.flow).steps:
        return None
    parsed.platform = platform
    return parsed
