"""The conversation state: where a conversation is, carried as JSON between turns.

It travels in Alexa session attributes and between turns of the local loops, so its JSON is
kept short: short keys (the aliases below), values at their defaults left out, and each place
kept for "back" written as only what differs from the place after it. Anything tampered with
or out of date starts afresh.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dialogs.book import Book
from dialogs.intents import WELCOME_FLOW
from dialogs.model import Platform

STATE_VERSION = 2
"""Raise it when the JSON form changes, so that older states start afresh."""
PACK_SAID_FROM = 160
"""Characters of what was said last from which it is kept compressed ("said_z")."""
MAX_SAID = 500
"""Characters what was said last may take in the JSON; longer, it is not kept, and "repeat"
says the step's prompt again instead."""


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
        """The short JSON form (the platform is left out: each turn's caller says it)."""
        data = self.model_dump(mode="json", exclude_defaults=True,
                               exclude={"history", "platform"})
        data["v"] = self.version  # always: a state without it is not taken for this version
        data.update(flow=self.flow, step=self.step, vars=data.get("vars", {}))  # always read
        if len(self.last_speech) >= PACK_SAID_FROM:
            del data["said"]
            packed = _pack(self.last_speech)
            if len(packed) <= MAX_SAID:
                data["said_z"] = packed
        if self.history:
            data["history"] = _history_to_json(self.history, self.variables)
        return data

    @model_validator(mode="before")
    @classmethod
    def _from_short_json(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("said_z"), str):
            data["said"] = _unpack(data.pop("said_z"))
        history = data.get("history")
        if isinstance(history, list) and any(isinstance(place, list) for place in history) \
                and isinstance(data.get("vars", {}), dict):  # the JSON form, not places
            data["history"] = _history_from_json(data["history"], data.get("vars", {}))
        return data


def _pack(text: str) -> str:
    squeezer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b85encode(squeezer.compress(text.encode()) + squeezer.flush()).decode()


def _unpack(packed: str) -> str:
    try:
        return zlib.decompress(base64.b85decode(packed), -15).decode()
    except (ValueError, zlib.error, binascii.Error) as error:
        raise ValueError("what was said last cannot be read") from error


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b  # True and 1 are not the same value here


def _history_to_json(history: list[dict[str, Any]], now: Mapping[str, Any]) -> list[list[Any]]:
    """Each place as [flow, step, speaker], with the variables that differ from those of the
    place after it (the newest: from the variables now) as a fourth item; None for one unset."""
    written: list[list[Any]] = []
    after = now
    for place in reversed(history):
        kept = place["vars"]
        changed = {name: value for name, value in kept.items()
                   if not _same(after.get(name), value)}
        changed.update({name: None for name in after if name not in kept})
        written.append([place["flow"], place["step"], place["speaker"], changed] if changed
                       else [place["flow"], place["step"], place["speaker"]])
        after = kept
    return written[::-1]


def _history_from_json(written: list[Any], now: Mapping[str, Any]) -> list[dict[str, Any]]:
    places: list[dict[str, Any]] = []
    after = dict(now)
    for item in reversed(written):
        if not isinstance(item, list) or len(item) not in (3, 4) or (
                len(item) == 4 and not isinstance(item[3], dict)):
            raise ValueError("a place kept for back is not [flow, step, speaker, changes]")
        kept = dict(after)
        for name, value in (item[3] if len(item) == 4 else {}).items():
            if value is None:
                kept.pop(name, None)
            else:
                kept[name] = value
        places.append({"flow": item[0], "step": item[1], "speaker": item[2], "vars": kept})
        after = kept
    return places[::-1]


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
