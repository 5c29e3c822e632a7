"""Typed, immutable definitions: what authors write, as Python sees it.

The YAML files are validated into these models when they load. The docstring under each
field is the authors' reference for that setting (pydantic keeps it as the field's
description); where the YAML key differs from the Python name, the key is the alias.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from dialogs.intents import DONE


class Platform(StrEnum):
    """Where a conversation happens; definitions may override prompts per platform."""

    TEXT = "text"
    VOICE = "voice"
    WALK = "walk"
    ALEXA = "alexa"


class Topic(StrEnum):
    """The six sections of the therapist's guide."""

    HONESTY = "honest communication"
    PROMISES = "matching words with actions"
    REPAIR = "addressing a hurt"
    VALIDATION = "emotional safety through validation"
    PATIENCE = "patience with the process"
    SUPPORT = "professional support"


class Action(StrEnum):
    """Things a step or transition can do beyond moving and setting variables."""

    SAVE_NAMES = "save_names"
    DISCLAIMER_SEEN = "disclaimer_seen"
    RECORD_PROMISE = "record_promise"
    """Keep `{promise}` as the speaker's promise."""
    RECORD_REPAIR_PLAN = "record_repair_plan"
    """Keep `{plan}` as the speaker's repair plan."""
    RECORD_KINDNESS = "record_kindness"
    """Keep `{kindness}` as the speaker's kindness for tomorrow."""
    RECORD_GENTLE_START = "record_gentle_start"
    """Keep "I feel {feeling} about {situation}, and I need {need}" as the gentle start of the
    one person doing the exercise."""
    NEXT_AGREEMENT = "next_agreement"
    """Bring up an agreement from an earlier day to follow up (`has_agreement`, `agreement`,
    `agreed_by`, `agreed_with`, `agreement_kind`)."""
    KEEP_AGREEMENT = "keep_agreement"
    """The agreement followed up is kept going, with the `outcome` said."""
    CHANGE_AGREEMENT = "change_agreement"
    """The agreement followed up is put in new words, `{new_words}`."""
    LET_GO_AGREEMENT = "let_go_agreement"
    """The agreement followed up is let go."""
    START_EXERCISE = "start_exercise"
    RESUME_SAVED = "resume_saved"
    DISCARD_SAVED = "discard_saved"
    MENU = "menu"
    GOODBYE = "goodbye"
    SAFETY = "safety"
    CONFIRM_SAFE = "confirm_safe"
    """Both said they feel safe: exercises with the partner may be offered in this session."""
    UNSURE_OF_SAFETY = "unsure_of_safety"
    """Someone is not sure they are safe: only one-person exercises for the rest of the
    session, without the words of a safety stop."""
    CHECK_BLAME = "check_blame"
    """Listen for blame in `{to_check}` (words prepared for the partner): sets `has_blame`,
    and `blame_words` and `blame_suggestion` to reflect it back gently."""
    CARRY_ON_REQUEST = "carry_on_request"
    """Carry on from the saved place as a one-shot request at launch asked ("tell couple care
    we're done" after a timed phase), once the safety question has been answered."""

    @property
    def leaves_flow(self) -> bool:
        """Whether this action may take the conversation out of the current flow (or end it),
        so a step using it is not a dead end."""
        return self in _LEAVING_ACTIONS


_LEAVING_ACTIONS = frozenset({Action.MENU, Action.GOODBYE, Action.START_EXERCISE,
                              Action.RESUME_SAVED, Action.SAFETY, Action.CARRY_ON_REQUEST})


def _as_tuple(value: Any) -> Any:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return value


Prompts = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]
Scalar = str | bool | int


class Model(BaseModel):
    """Validators are built when definitions are first checked, not on import: a book
    from the cache needs none. Each field's docstring is for the people who read this file
    (pydantic would read them from the source on every start-up)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True,
                              defer_build=True)


class Transition(Model):
    """Where to go next, optionally only when conditions hold."""

    goto: str | None = None
    """The step to go to, in the same flow."""
    when: dict[str, Scalar] = Field(default_factory=dict, alias="if")
    """`if:` variables and the values they must have for this transition to be taken."""
    slots: dict[str, str] = Field(default_factory=dict)
    """Slot values the intent must carry for this transition to be taken."""
    set: dict[str, Scalar] = Field(default_factory=dict)
    """Variables to set; text may use `{variables}`. The intent's slots are set too."""
    swap: bool = False
    """Swap speaker and listener (after `set`, before `say`)."""
    do: tuple[Action, ...] = ()
    """Actions to run after `say`, before going to `goto`."""
    say: Prompts = ()
    """Words said on the way (variants: one is chosen)."""


def _as_transitions(value: Any) -> Any:
    if value is None:
        return ()
    if isinstance(value, str):
        return ({"goto": value},)
    if isinstance(value, dict):
        return (value,)
    if isinstance(value, list):
        return tuple({"goto": v} if isinstance(v, str) else v for v in value)
    return value


Transitions = Annotated[tuple[Transition, ...], BeforeValidator(_as_transitions)]


class Timed(Model):
    """A phase that runs for a while: a partner shares, the other listens."""

    seconds: int = Field(gt=0, le=1800)
    """How long the phase lasts, at most half an hour."""
    end_intent: str = DONE
    """The intent that ends the phase early ("we're done")."""
    check_in: Prompts = ()
    """Said when it goes quiet during the phase; the global `timed_check_in` otherwise."""


class Override(Model):
    """Wording for one platform that replaces the step's own."""

    say: Prompts = ()
    """Replaces the step's `say` on this platform."""
    reprompt: Prompts = ()
    """Replaces the step's `reprompt` on this platform."""
    help: Prompts = ()
    """Replaces the step's `help` on this platform."""


class ListenMode(StrEnum):
    """What a step waits for after it has spoken."""

    ANSWER = "answer"
    """One of the intents the step names under `on`, or a global one."""
    ANY_WORDS = "free"
    """Any words, taken as the answer (a step with `free: true` or `capture`)."""
    TIMED = "timed"
    """A partner talks to the other for a while; the guide stays quiet."""
    NOTHING = "nothing"
    """Nothing: the step says its words and moves on by `next`."""


class Step(Model):
    """One thing the guide says, then what it waits for and where it goes next."""

    say: Prompts = ()
    """The words on arriving (variants: one is chosen, never the same twice in a row)."""
    reprompt: Prompts = ()
    """Said when the answer does not come or is not understood; `say` otherwise."""
    help: Prompts = ()
    """Said for "help"; the flow's `help`, then the global one, otherwise."""
    no_match: Prompts = ()
    """Said the first time an answer is not understood, instead of the global wording."""
    no_input: Prompts = ()
    """Said the first time nobody answers, instead of the global wording."""
    overrides: dict[Platform, Override] = Field(default_factory=dict)
    """Wording per platform (`text`, `voice`, `walk`, `alexa`); `walk` falls back to `voice`."""
    set: dict[str, Scalar] = Field(default_factory=dict)
    """Variables to set on arriving, before the words are said."""
    swap: bool = False
    """Swap speaker and listener on arriving, before the words are said."""
    do: tuple[Action, ...] = ()
    """Actions to run after the words are said."""
    on: dict[str, Transitions] = Field(default_factory=dict)
    """Where each intent leads: a step id, or transitions with conditions."""
    next: Transitions = ()
    """Where to go after any words, a timed phase, or at once when the step waits for nothing."""
    skip: Transitions = ()
    """Where "skip" leads; `next` otherwise."""
    cannot_skip: Prompts = ()
    """Why this step cannot be skipped, said the first time someone asks; "skip" then stays
    here. The next time, the global `cannot_skip_again` offers help or a pause instead."""
    choose_speaker: bool = False
    """`choose_speaker: true`: the answer says which partner speaks first (a name, "either"),
    and that partner becomes {speaker}; an answer that names nobody ("me") gets the step's
    `no_match`, which should ask for a name; a second one leaves {first} to start."""
    any_words: bool = Field(False, alias="free")
    """`free: true`: the step takes any words as its answer, then goes `next`."""
    capture: str | None = None
    """A variable to keep the answer in (it also makes the step take any words)."""
    own_words: bool | str = False
    """`own_words: true`: keep the answer as the person said it, lead-in and all, as a
    sentence ("I'll cook dinner on Friday."), to read back to them later; otherwise the
    words after a lead-in such as "I feel" are kept ("worried"). Alexa hands over only the
    words after the lead-in, so it is put back: "I'll", or the words given here
    (`own_words: I feel`)."""
    timed: Timed | None = None
    """Make the step a timed phase."""
    end: bool = False
    """The exercise is complete when it reaches this step."""
    if_unclear: str | None = None
    """A step to go to when, after the first reminder, the answer is still silence or not
    understood (the safety question leads gently to help), instead of asking again."""

    def transitions(self) -> Iterator[tuple[tuple[str | int, ...], Transition]]:
        """Every transition with its path in the file: ("on", intent, i), ("next", i)..."""
        for intent, transitions in self.on.items():
            for i, transition in enumerate(transitions):
                yield ("on", intent, i), transition
        for kind in ("next", "skip"):
            for i, transition in enumerate(getattr(self, kind)):
                yield (kind, i), transition

    @property
    def listen(self) -> ListenMode:
        if self.timed is not None:
            return ListenMode.TIMED
        if self.any_words or self.capture or self.choose_speaker:
            return ListenMode.ANY_WORDS
        if self.on:
            return ListenMode.ANSWER
        return ListenMode.NOTHING

    def prompts(self, kind: str, platform: Platform) -> tuple[str, ...]:
        override = self.overrides.get(platform)
        if override is None and platform is Platform.WALK:
            override = self.overrides.get(Platform.VOICE)
        chosen = getattr(override, kind, ()) if override else ()
        return chosen or getattr(self, kind)


class Flow(Model):
    """Steps and where they start; shared by exercises and the welcome flow."""

    start: str
    """The id of the first step."""
    steps: dict[str, Step]
    """The steps by id."""
    help: Prompts = ()
    """Help for any step of this flow that has none of its own."""

    @field_validator("steps")
    @classmethod
    def _not_empty(cls, steps: dict[str, Step]) -> dict[str, Step]:
        if not steps:
            raise ValueError("a flow needs at least one step")
        return steps


class Exercise(Flow):
    """A guided exercise, one file each."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    """Lower-case words joined by hyphens, such as `honest-check-in`."""
    title: str
    """The name said in the menu and shown on the Alexa card."""
    topic: Topic
    """The section of the therapist's guide it belongs to."""
    minutes: int = Field(gt=0, le=120)
    """About how long it takes."""
    joint: bool = True
    """Both partners take part; joint exercises are not offered once someone feels unsafe."""
    prepares_talk_with_partner: bool = False
    """One person prepares a conversation with the partner (a gentle start-up on a walk);
    like a joint exercise, it is not offered once someone feels unsafe or is unsure."""
    summary: str
    """One sentence saying what the couple does."""
    names: tuple[str, ...] = ()
    """Other ways people may ask for it ("check-in")."""
    betrayal_note: Prompts = ()
    """Said once, when what someone says in this exercise sounds like a betrayal (an affair,
    a big lie): such a hurt is best worked through with a couples therapist. It is a turn
    of its own, so it ends by asking whether to go on for now: yes (or any other words) goes
    on from the answer that led to it, no ends the exercise with the global `betrayal_stop`.
    From then on the variable `betrayal` is true, so steps can spare the hurt partner."""

    @property
    def needs_feeling_safe(self) -> bool:
        """Offered only after both said they feel safe with each other in this session."""
        return self.joint or self.prepares_talk_with_partner


class Welcome(Flow):
    """The flow around the exercises: greeting, safety, names, menu, follow-ups."""


class CrisisContact(Model):
    """A crisis line, as a screen shows it after a safety stop: a tap calls or texts it."""

    name: str
    """The line's name, as the screen shows it."""
    call: str | None = None
    """The number to call, as dialled."""
    text: str | None = None
    """The number to text."""
    text_body: str | None = None
    """The word to text, when the line asks for one."""

    @model_validator(mode="after")
    def _reachable(self) -> CrisisContact:
        if self.call is None and self.text is None:
            raise ValueError("a crisis contact needs a number to call or to text")
        for number in (self.call, self.text):
            if number is not None and not re.fullmatch(r"\+?[0-9][0-9 -]*", number):
                raise ValueError(f"'{number}' is not a phone number (digits, spaces, dashes)")
        return self


class Messages(Model):
    """Wording of the behaviour every step gets for free."""

    help: Prompts
    """Help where neither the step nor its flow has any."""
    repeat_nothing: Prompts
    """For "repeat" when nothing has been said yet."""
    paused: Prompts
    """On pausing."""
    still_paused: Prompts
    """For anything but "resume" or "stop" while paused."""
    resumed: Prompts
    """On carrying on, after a pause or from a saved place."""
    at_first_step: Prompts
    """For "back" at the first step."""
    cannot_skip: Prompts
    """For "skip" where there is nothing to skip to."""
    cannot_skip_again: Prompts = ()
    """For "skip" asked again at a step that cannot be skipped: an offer of help or a pause,
    not the same reason word for word."""
    no_input: tuple[Prompts, Prompts, Prompts]
    """For silence: the first, second and third time in a row (the third pauses, keeping
    the place; nothing is ended by silence)."""
    no_match: tuple[Prompts, Prompts, Prompts]
    """For answers not understood, the same way; the third time the step's help follows."""
    confirm_start_over: Prompts
    """For "start over" in an exercise: starting over loses the place, so it asks first."""
    confirm_heard: Prompts
    """Asked by a voice front end when an answer was heard but not surely; `{heard}` is what
    it heard."""
    confirm_name: Prompts
    """Asked by a voice front end before keeping a name it heard; `{name}` is the name."""
    carry_on: Prompts
    """When a question such as "start over?" is answered with anything but yes."""
    stopped: Prompts
    """On "stop" or "cancel" in an exercise for both partners: the place is saved."""
    stopped_solo: Prompts | None = None
    """The same in an exercise for one person (`stopped` when not given)."""
    stopped_outside: Prompts | None = None
    """On "stop" outside any exercise, where there is no place to save (`stopped` when not
    given)."""
    safety: Prompts
    """When someone may not be safe; only these words are said that turn."""
    crisis_contacts: tuple[CrisisContact, ...] = ()
    """The lines the safety words name, for a screen to show large and tappable."""
    timed: dict[Platform, Prompts]
    """After the words of a timed step, per platform: how the phase works there."""
    timed_check_in: Prompts
    """When it goes quiet during a timed phase."""
    timed_up: Prompts
    """When the time of a phase is up."""
    not_offered_now: Prompts
    """For a joint exercise asked for after someone said they do not feel safe."""
    unknown_exercise: Prompts
    """For an exercise nobody has written."""
    lost_thread: Prompts
    """Spoken front ends: when an answer ran so long that listening stopped partway; the
    step is then asked again."""
    kept_for_you: Prompts
    """At the end of an exercise where one person alone prepared something (a gentle start)."""
    betrayal_stop: Prompts
    """After an exercise's `betrayal_note`, when the couple would rather not go on now."""


class SlotType(Model):
    """Values a slot may take, each with spoken synonyms. `from: exercises` fills them in."""

    values: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Each value with the words that mean it."""
    source: str | None = Field(default=None, alias="from")
    """`from: exercises` fills the values with the exercises' ids, titles and names."""
    cues: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """For some values, words (templates allowed) that give the value wherever they stand in
    a short answer: `forgot` makes "nope, totally forgot, sorry" not kept. A cue of a value
    said with another value's cue leaves the answer to `mixed` when one is named."""
    mixed: str | None = None
    """The value an answer with cues of two values means ("most days but not friday": partly)."""


class Intent(Model):
    """Something people can say, in many phrasings."""

    samples: tuple[str, ...] = ()
    """Phrases people might say; `{slot}` marks where a slot value goes. Templates:
    `(yes|yeah) [please]` gives alternatives and optional words."""
    answers: tuple[str, ...] = ()
    """Phrases that mean this intent only as the answer to its own question, such as a bare
    `{name}` after "what's your name?"; on Alexa they are the slot's elicitation samples."""
    slots: dict[str, str] = Field(default_factory=dict)
    """Slot names and their types (one of `slot_types`, or an `AMAZON.` type)."""
    alexa: str | None = None
    """The Alexa built-in intent this one stands for, such as `AMAZON.YesIntent`."""
    carries_words: bool = Field(False, alias="free_speech")
    """`free_speech: true`: the `text` slot carries any words, the answer to a step that
    takes any words (Alexa cannot hand over words without an intent)."""
    cues: tuple[str, ...] = ()
    """Words or short phrases (templates allowed) that give the gist of a longer answer
    matching no sample: `yeah` makes "yeah we both do" a yes, `not sure` makes "i think so,
    not sure" unsure, `hang on` makes "hang on, my phone's ringing" a pause (see
    `dialogs/gist.py`)."""


class Vocabulary(Model):
    """What people can say: intents and slot types."""

    intents: dict[str, Intent]
    """Intents by name; the global ones must be here too."""
    slot_types: dict[str, SlotType] = Field(default_factory=dict)
    """Slot types by name."""
    negation: tuple[str, ...] = ()
    """Words that turn a yes cue said just after them into a no: "not ready", "don't think
    so". Each also counts as a no cue."""
    frame: tuple[str, ...] = ()
    """Words that add nothing to a short command or non-answer ("can we", "please", "now",
    "the question"): "sorry, can you repeat the question" is only a repeat, while someone
    speaking freely, because every other word is one of these."""
    typed_only: tuple[str, ...] = ()
    """Words people type but do not say ("idk"): the text matcher takes them, and the check
    that every grammar word is one a speech model knows lets them be."""
