"""The engine: a pure step function ``(book, state, event, context) -> Turn``.

- `events`: what happens (a launch, an intent, words, silence, a timer, the end).
- `profile`: what the store knows (`Profile`) and what else a turn depends on (`Context`).
- `effects`: what the store should remember after a turn, each with its JSON form.
- `turn`: what a turn gives back (`Turn`, `Listen`).
- `state`: the conversation state carried between turns.
- `wording`, `navigation`: saying things and moving between steps.
- `actions`, `commands`: what steps `do`, and what the couple can say anywhere.
- `run`: the dispatch of one event, `step` and `listen_for`.
"""

from dialogs.engine.effects import (
    EFFECT_TYPES,
    AddAgreement,
    ClearPosition,
    CompleteExercise,
    DisclaimerSeen,
    Effect,
    FollowUpAgreement,
    SaveNames,
    SavePosition,
    effect_from_json,
    effects_from_json,
    effects_to_json,
)
from dialogs.engine.events import (
    Event,
    IntentEvent,
    Launch,
    NoInput,
    SessionEnd,
    TimerElapsed,
    Utterance,
)
from dialogs.engine.profile import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    Context,
    Decision,
    Outcome,
    Profile,
    profile_from_json,
    profile_to_json,
)
from dialogs.engine.run import listen_for, step
from dialogs.engine.state import STATE_VERSION, ConversationState, load_state
from dialogs.engine.turn import Listen, Turn

__all__ = [
    "EFFECT_TYPES", "STATE_VERSION", "AddAgreement", "Agreement", "AgreementKind",
    "AgreementStatus", "ClearPosition", "CompleteExercise", "Context", "ConversationState",
    "Decision", "DisclaimerSeen", "Effect", "Event", "FollowUpAgreement", "IntentEvent",
    "Launch", "Listen", "NoInput", "Outcome", "Profile", "SaveNames",
    "SavePosition", "SessionEnd", "TimerElapsed", "Turn", "Utterance", "effect_from_json",
    "effects_from_json", "effects_to_json", "listen_for", "load_state", "profile_from_json",
    "profile_to_json", "step",
]
