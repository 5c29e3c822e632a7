"""What one step of the conversation gives back to the front end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dialogs.engine.effects import Effect
from dialogs.model import ListenMode

AGREED_CARD_TITLE = "What you agreed"


@dataclass(frozen=True)
class Listen:
    """What the front end should listen for after speaking."""

    mode: ListenMode
    intents: tuple[str, ...] = ()
    end_intent: str | None = None
    """The intent that ends a timed phase early ("we're done")."""
    seconds: int | None = None
    """How long a timed phase lasts."""
    keeps_words: bool = False
    """The words themselves are the answer and are kept (a step with `capture`); otherwise
    only commands and safety matter in what is said."""
    reads_words: bool = False
    """Words that are not kept are still read for more than commands and safety (an
    exercise's betrayal note listens for an affair or a big lie)."""
    speaker_names: tuple[str, ...] = ()
    """The partners' names when the answer says which of them goes first (a step with
    `choose_speaker`): a front end that listens among phrases listens for these names, and
    for "either" and the like (`dialogs.turns.answers`)."""


@dataclass(frozen=True)
class Turn:
    """The words to say, what to listen for next, the state to keep and the effects to store."""

    speech: str
    reprompt: str
    listen: Listen
    end_session: bool
    state: dict[str, Any]
    """The conversation state as JSON, to pass back with the next event."""
    effects: tuple[Effect, ...] = ()
    at: str = ""
    """Where the conversation is now, as `flow/step`."""
    card_title: str = "Couple Care"
    card: str = ""
    """What to show on a card instead of the words said (what was agreed), if anything:
    one line each, in its maker's own words."""
    exercise: str | None = None
    """The exercise the conversation is in (its place is saved), or None outside exercises."""
