"""The engine: a pure step function ``(book, state, event, context) -> Turn``.

State is plain JSON. It travels in Alexa session attributes and between
turns of the local loops. What must outlive a session (names, positions,
promises, history) comes in through ``Context.profile`` and leaves as
``Turn.effects``, which the caller applies to the store.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from num2words import num2words
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dialogs.book import CHOICE_SLOT, CHOOSE_INTENT, GLOBAL_INTENTS, VARIABLE, Book
from dialogs.markup import neutralise
from dialogs.model import Action, ListenMode, Platform, Step, Transition

STATE_VERSION = 1
PAUSED_INTENTS = ("ResumeIntent", "StopIntent", "CancelIntent", "HelpIntent", "SafetyIntent")
WELCOME = "welcome"
MAX_CHAIN = 40
HISTORY_LIMIT = 8

# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Launch:
    """A session starts. `exercise` asks for one directly; `intent` is a one-shot request
    such as "tell couple care we're done"."""

    exercise: str | None = None
    intent: str | None = None
    slots: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IntentEvent:
    name: str
    slots: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Utterance:
    text: str


@dataclass(frozen=True)
class NoInput:
    pass


@dataclass(frozen=True)
class TimerElapsed:
    pass


@dataclass(frozen=True)
class SessionEnd:
    reason: str = "ended"


Event = Launch | IntentEvent | Utterance | NoInput | TimerElapsed | SessionEnd

# ---------------------------------------------------------------- profile (read from the store)


@dataclass(frozen=True)
class Promise:
    id: int
    partner: str
    text: str
    made_on: date


@dataclass(frozen=True)
class Profile:
    names: tuple[str, ...] = ()
    disclaimer_seen: bool = False
    saved: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    open_promises: tuple[Promise, ...] = ()
    completions: tuple[tuple[str, date], ...] = ()


@dataclass(frozen=True)
class Context:
    platform: Platform
    profile: Profile = Profile()
    today: date = field(default_factory=date.today)


# ---------------------------------------------------------------- effects (written to the store)


@dataclass(frozen=True)
class SaveNames:
    names: tuple[str, ...]


@dataclass(frozen=True)
class DisclaimerSeen:
    pass


@dataclass(frozen=True)
class SavePosition:
    exercise: str
    position: Mapping[str, Any]


@dataclass(frozen=True)
class ClearPosition:
    exercise: str


@dataclass(frozen=True)
class AddPromise:
    partner: str
    text: str


@dataclass(frozen=True)
class ResolvePromise:
    promise_id: int
    outcome: str


@dataclass(frozen=True)
class CompleteExercise:
    exercise: str


Effect = (SaveNames | DisclaimerSeen | SavePosition | ClearPosition | AddPromise
          | ResolvePromise | CompleteExercise)

# ---------------------------------------------------------------- the turn


@dataclass(frozen=True)
class Listen:
    """What the front end should listen for after speaking."""

    mode: ListenMode
    intents: tuple[str, ...] = ()
    end_intent: str | None = None
    seconds: int | None = None


@dataclass(frozen=True)
class Turn:
    speech: str
    reprompt: str
    listen: Listen
    end_session: bool
    state: dict[str, Any]
    effects: tuple[Effect, ...] = ()
    at: str = ""
    card_title: str = "Couple Care"


class _State(BaseModel):
    """The JSON state, validated: anything tampered with or out of date starts afresh."""

    model_config = ConfigDict(extra="forbid")

    v: int = STATE_VERSION
    platform: Platform = Platform.TEXT
    flow: str = WELCOME
    step: str = "start"
    speaker: int = Field(0, ge=0, le=1)
    vars: dict[str, str | bool | int] = Field(default_factory=dict)
    paused: bool = False
    misses_input: int = 0
    misses_match: int = 0
    variants: dict[str, int] = Field(default_factory=dict)
    said: str = ""
    history: list[dict[str, Any]] = Field(default_factory=list)
    turn: int = 0
    unsafe: bool = False
    followed: list[int] = Field(default_factory=list)
    ended: bool = False


def _ordinal(number: int) -> str:
    return num2words(number, to="ordinal")


class _Run:
    """One call of the step function: a working copy of the state plus what is said and done."""

    def __init__(self, book: Book, state: _State, context: Context):
        self.book = book
        self.matcher = book.matcher
        self.s = state
        self.context = context
        self.speech: list[str] = []
        self.effects: list[Effect] = []
        self.completed = False
        self.keep_said = False

    # ------------------------------------------------------------ where we are

    @property
    def flow(self):
        return self.book.flow(self.s.flow)

    @property
    def step(self) -> Step:
        return self.flow.steps[self.s.step]

    @property
    def in_exercise(self) -> bool:
        return self.s.flow != WELCOME

    # ------------------------------------------------------------ wording

    def _names(self) -> tuple[str, str]:
        first = str(self.s.vars.get("first") or "partner one")
        second = str(self.s.vars.get("second") or "partner two")
        return first, second

    def variables(self) -> dict[str, Any]:
        first, second = self._names()
        names = (first, second)
        values: dict[str, Any] = {
            "first": first, "second": second,
            "speaker": names[self.s.speaker], "listener": names[1 - self.s.speaker],
            "menu": self._menu(),
        }
        if self.in_exercise:
            exercise = self.book.exercises[self.s.flow]
            values["exercise"] = exercise.title.lower()
            month = (self.context.today.year, self.context.today.month)
            done = sum(1 for e, d in self.context.profile.completions
                       if e == exercise.id and (d.year, d.month) == month)
            values["times_this_month"] = _ordinal(done + 1)
        timed = self.step.timed
        if timed:
            count = max(1, round(timed.seconds / 60))
            values["minutes"] = "a minute" if count == 1 else f"{num2words(count)} minutes"
        values.update(self.s.vars)
        return values

    def render(self, template: str) -> str:
        values = self.variables()

        def value(found: Any) -> str:
            return neutralise(str(values.get(found.group(1), "")))

        return VARIABLE.sub(value, template)

    def choose(self, key: str, variants: tuple[str, ...]) -> str:
        """A variant, never the same as last time when there is a choice."""
        if not variants:
            return ""
        last = self.s.variants.get(key)
        options = [i for i in range(len(variants)) if i != last] or [0]
        index = options[zlib.crc32(f"{self.s.turn}:{key}".encode()) % len(options)]
        self.s.variants[key] = index
        return variants[index]

    def say(self, template: str) -> None:
        if template:
            self.speech.append(self.render(template))

    def say_choice(self, key: str, variants: tuple[str, ...]) -> None:
        self.say(self.choose(key, variants))

    def prompts(self, kind: str) -> tuple[str, ...]:
        return self.step.prompts(kind, self.s.platform)

    def _menu(self) -> str:
        titles = [e.title.lower() for e in self.book.exercises.values()
                  if not (self.s.unsafe and e.joint)]
        if len(titles) <= 1:
            return "".join(titles)
        return ", ".join(titles[:-1]) + ", or " + titles[-1]

    # ------------------------------------------------------------ moving

    def snapshot(self) -> dict[str, Any]:
        return {"flow": self.s.flow, "step": self.s.step, "speaker": self.s.speaker,
                "vars": dict(self.s.vars)}

    def restore(self, position: Mapping[str, Any]) -> None:
        self.s.flow = position["flow"]
        self.s.step = position["step"]
        self.s.speaker = position["speaker"]
        self.s.vars = dict(position["vars"])

    def names_only(self) -> dict[str, Any]:
        return {k: v for k, v in self.s.vars.items() if k in ("first", "second")}

    def return_to(self, position: Mapping[str, Any], flow_id: str) -> None:
        """Back to a saved place in an exercise, keeping the names known now."""
        names = self.names_only()
        self.restore({**position, "flow": flow_id})
        self.s.vars.update(names)
        self.s.history = [self.snapshot()]

    def start_flow(self, flow_id: str, step_id: str | None = None) -> None:
        self.s.history = []
        if flow_id != WELCOME:
            self.s.vars = self.names_only()
            self.s.speaker = 0
        self.s.flow = flow_id
        self.enter(step_id or self.flow.start)

    def enter(self, step_id: str, depth: int = 0) -> None:
        if depth > MAX_CHAIN:
            raise RuntimeError(f"steps keep moving without waiting, at {self.s.flow}/{step_id}")
        self.s.step = step_id
        self.s.misses_input = self.s.misses_match = 0
        step = self.step
        here = (self.s.flow, step_id)
        self.assign(step.set, step.swap)
        self.repeat_prompt()
        self.act(step.do)
        if (self.s.flow, self.s.step) != here:
            return  # an action has moved the conversation on
        if step.end and self.in_exercise:
            self.finish_exercise()
            return
        if self.s.ended:
            return
        if step.listen is ListenMode.NOTHING:
            if not self.follow(step.next, {}, depth + 1):
                raise RuntimeError(f"{self.s.flow}/{step_id} has nowhere to go")
            return
        self.s.history = [*self.s.history, self.snapshot()][-HISTORY_LIMIT:]

    def holds(self, transition: Transition, slots: Mapping[str, str]) -> bool:
        for slot, wanted in transition.slots.items():
            if slots.get(slot) != wanted:
                return False
        for name, wanted in transition.when.items():
            actual = self.s.vars.get(name)
            if isinstance(wanted, bool):
                if bool(actual) != wanted:
                    return False
            elif actual != wanted:
                return False
        return True

    def follow(self, transitions: tuple[Transition, ...], slots: Mapping[str, str],
               depth: int = 0) -> bool:
        for transition in transitions:
            if not self.holds(transition, slots):
                continue
            self.s.vars.update(slots)
            self.assign(transition.set, transition.swap)
            self.say_choice(f"{self.s.flow}/{self.s.step}/ack/{transition.goto}", transition.say)
            before = (self.s.flow, self.s.step)
            self.act(transition.do)
            if transition.goto and (self.s.flow, self.s.step) == before and not self.s.ended:
                self.enter(transition.goto, depth)
            return True
        return False

    def assign(self, assignments: Mapping[str, Any], swap: bool) -> None:
        """Set variables (which may use the current ones), then swap speaker and listener."""
        for name, value in assignments.items():
            self.s.vars[name] = self.render(value) if isinstance(value, str) else value
        if swap:
            self.s.speaker = 1 - self.s.speaker

    def act(self, actions: tuple[Action, ...]) -> None:
        for action in actions:
            getattr(self, f"do_{action.value}")()

    # ------------------------------------------------------------ actions

    def do_save_names(self) -> None:
        self.effects.append(SaveNames(self._names()))

    def do_disclaimer_seen(self) -> None:
        self.effects.append(DisclaimerSeen())

    def do_record_promise(self) -> None:
        text = str(self.s.vars.get("promise", "")).strip()
        if text:
            self.effects.append(AddPromise(self.variables()["speaker"], text))

    def do_next_promise(self) -> None:
        waiting = [p for p in self.context.profile.open_promises
                   if p.id not in self.s.followed and p.made_on < self.context.today]
        self.s.vars["has_promise"] = bool(waiting)
        if waiting:
            promise = waiting[0]
            self.s.followed = [*self.s.followed, promise.id]
            self.s.vars.update(promise=promise.text, promiser=promise.partner,
                               promise_id=promise.id)

    def do_resolve_promise(self) -> None:
        promise_id = self.s.vars.get("promise_id")
        if isinstance(promise_id, int):
            self.effects.append(ResolvePromise(promise_id, str(self.s.vars.get("outcome", ""))))

    def do_start_exercise(self) -> None:
        choice = str(self.s.vars.get("choice", ""))
        self.s.vars.pop("has_requested", None)
        exercise = self.book.exercises.get(choice)
        if exercise is None:
            self.say_choice("unknown_exercise", self.book.messages.unknown_exercise)
            self.start_flow(WELCOME, "menu")
        elif self.s.unsafe and exercise.joint:
            self.say_choice("not_offered_now", self.book.messages.not_offered_now)
            self.start_flow(WELCOME, "menu")
        else:
            self.effects.append(ClearPosition(exercise.id))
            self.start_flow(exercise.id)

    def do_resume_saved(self) -> None:
        exercise_id = str(self.s.vars.get("saved_id", ""))
        position = self.context.profile.saved.get(exercise_id)
        if not position or exercise_id not in self.book.exercises:
            self.start_flow(WELCOME, "menu")
            return
        self.resume(position, exercise_id)

    def do_discard_saved(self) -> None:
        exercise_id = str(self.s.vars.get("saved_id", ""))
        if exercise_id:
            self.effects.append(ClearPosition(exercise_id))

    def do_menu(self) -> None:
        self.start_flow(WELCOME, "menu")

    def do_goodbye(self) -> None:
        self.s.ended = True

    def do_safety(self) -> None:
        self.safety()

    def resume(self, position: Mapping[str, Any], flow_id: str) -> None:
        """Back to a saved position, saying its prompt again without redoing its actions."""
        self.return_to(position, flow_id)
        self.say_choice("resumed", self.book.messages.resumed)
        self.repeat_prompt()

    def repeat_prompt(self) -> None:
        self.say_choice(f"{self.s.flow}/{self.s.step}/say", self.prompts("say"))
        if self.step.timed:
            self.say_choice(f"timed/{self.s.platform}",
                            self.book.messages.timed.get(self.s.platform, ()))

    def finish_exercise(self) -> None:
        exercise_id = self.s.flow
        self.effects.append(CompleteExercise(exercise_id))
        self.effects.append(ClearPosition(exercise_id))
        self.completed = True
        self.start_flow(WELCOME, "after_exercise")

    # ------------------------------------------------------------ global behaviour

    def safety(self) -> None:
        self.speech.clear()
        self.say_choice("safety", self.book.messages.safety)
        self.s.unsafe = True
        self.s.paused = False
        self.start_flow(WELCOME, "after_safety")

    def stop(self) -> None:
        self.say_choice("stopped", self.book.messages.stopped)
        self.s.ended = True

    def help(self) -> None:
        self.say_choice(f"{self.s.flow}/{self.s.step}/help",
                        self.prompts("help") or self.flow.help or self.book.messages.help)
        self.reprompt_here()

    def reprompt_here(self) -> None:
        self.say_choice(f"{self.s.flow}/{self.s.step}/reprompt",
                        self.prompts("reprompt") or self.prompts("say"))

    def back(self) -> None:
        if len(self.s.history) < 2:
            self.say_choice("at_first_step", self.book.messages.at_first_step)
            self.reprompt_here()
            return
        history = self.s.history[:-1]
        self.restore(history[-1])
        self.s.history = history
        self.repeat_prompt()

    def skip(self) -> None:
        step = self.step
        if not self.follow(step.skip or step.next, {}):
            self.say_choice("cannot_skip", self.book.messages.cannot_skip)
            self.reprompt_here()

    def start_over(self) -> None:
        if self.in_exercise:
            self.start_flow(self.s.flow)
        else:
            self.start_flow(WELCOME, "menu")

    def missed(self, kind: str) -> None:
        """Escalate: first a gentle reprompt, then a fuller one, then a graceful exit."""
        count = self.s.misses_input if kind == "no_input" else self.s.misses_match
        count += 1
        if kind == "no_input":
            self.s.misses_input = count
        else:
            self.s.misses_match = count
        levels = getattr(self.book.messages, kind)
        if count >= 3:
            self.say_choice(f"{kind}/3", levels[2])
            self.s.ended = True
            return
        own = self.prompts(kind)
        if own and count == 1:
            self.say_choice(f"{self.s.flow}/{self.s.step}/{kind}", own)
        else:
            self.say_choice(f"{kind}/{count}", levels[count - 1])
        self.reprompt_here()

    # ------------------------------------------------------------ events

    def expected(self) -> tuple[str, ...]:
        step = self.step
        own = list(step.on)
        if step.timed:
            own.append(step.timed.end_intent)
        return tuple(dict.fromkeys([*own, *GLOBAL_INTENTS]))

    def listen(self) -> Listen:
        """What the conversation waits for now."""
        if self.s.ended:
            return Listen(ListenMode.NOTHING)
        if self.s.paused:
            return Listen(ListenMode.ANSWER, PAUSED_INTENTS)
        timed = self.step.timed
        return Listen(self.step.listen, self.expected(), timed.end_intent if timed else None,
                      timed.seconds if timed else None)

    def intent(self, name: str, slots: Mapping[str, str]) -> None:
        step = self.step
        if name == "SafetyIntent" or any(self.matcher.is_safety(v) for v in slots.values()):
            self.safety()
            return
        if self.s.paused:
            if name == "ResumeIntent":
                self.s.paused = False
                self.say_choice("resumed", self.book.messages.resumed)
                self.repeat_prompt()
            elif name in ("StopIntent", "CancelIntent"):
                self.stop()
            else:
                self.say_choice("still_paused", self.book.messages.still_paused)
            return
        if name in step.on:
            if not self.follow(step.on[name], slots):
                self.missed("no_match")
            return
        mode = step.listen
        if mode is ListenMode.TIMED and name == step.timed.end_intent:  # type: ignore[union-attr]
            self.follow(step.next, {})
            return
        if mode is ListenMode.FREE:
            known = self.book.vocabulary.intents.get(name)
            if known is not None and known.free_speech and "text" in slots:
                self.free(slots["text"])
                return
            if name in ("DoneIntent", "FallbackIntent") and not step.capture:
                # Alexa sends Fallback for free words without a sample: they are the answer.
                self.follow(step.next, {})
                return
        handler = {
            "HelpIntent": self.help,
            "RepeatIntent": self.repeat,
            "PauseIntent": self.pause,
            "ResumeIntent": self.repeat_prompt,
            "PreviousIntent": self.back,
            "NextIntent": self.skip,
            "StartOverIntent": self.start_over,
            "StopIntent": self.stop,
            "CancelIntent": self.stop,
            "NavigateHomeIntent": self.do_menu,
        }.get(name)
        if handler is not None:
            handler()
        elif mode is ListenMode.TIMED:
            self.while_timed()
        else:
            self.missed("no_match")

    def while_timed(self) -> None:
        """Words during a timed phase are for the partner, not for the guide.

        Locally the guide stays quiet. On Alexa the session had to close for the phase, so
        someone who opens it again with other words hears how to carry on.
        """
        if self.s.platform is Platform.ALEXA:
            self.repeat_prompt()
        else:
            self.keep_said = True

    def repeat(self) -> None:
        self.keep_said = True
        if self.s.said:
            self.speech.append(self.s.said)
        elif self.prompts("say"):
            self.repeat_prompt()  # a session just opened: say where we are
        else:
            self.say_choice("repeat_nothing", self.book.messages.repeat_nothing)
            self.reprompt_here()

    def pause(self) -> None:
        self.s.paused = True
        self.say_choice("paused", self.book.messages.paused)

    def free(self, text: str) -> None:
        step = self.step
        if step.capture:
            self.s.vars[step.capture] = neutralise(self.matcher.content(text))
        if not self.follow(step.next, {}):
            self.missed("no_match")

    def utterance(self, text: str) -> None:
        if self.matcher.is_safety(text):
            self.safety()
            return
        mode = ListenMode.ANSWER if self.s.paused else self.step.listen
        strict = mode in (ListenMode.FREE, ListenMode.TIMED)
        found = self.matcher.match(text, self.expected(), strict=strict)
        if found:
            self.intent(found.intent, found.slots)
        elif self.s.paused:
            self.say_choice("still_paused", self.book.messages.still_paused)
        elif mode is ListenMode.FREE:
            self.free(text)
        elif mode is ListenMode.TIMED:
            self.while_timed()
        else:
            self.missed("no_match")

    def no_input(self) -> None:
        step = self.step
        if step.timed and not self.s.paused:
            self.keep_said = True
            self.say_choice(f"{self.s.flow}/{self.s.step}/check_in",
                            step.timed.check_in or self.book.messages.timed_check_in)
            return
        if self.s.paused:
            self.keep_said = True
            return
        self.missed("no_input")

    def timer_elapsed(self) -> None:
        if self.step.timed and not self.s.paused:
            self.say_choice("timed_up", self.book.messages.timed_up)
            self.follow(self.step.next, {})
        else:
            self.keep_said = True

    def launch(self, event: Launch) -> None:
        profile = self.context.profile
        names = dict(zip(("first", "second"), profile.names, strict=False))
        saved = [e for e in profile.saved if e in self.book.exercises]
        self.s.vars = {**names, "has_names": len(profile.names) >= 2,
                       "disclaimer_seen": profile.disclaimer_seen, "has_saved": bool(saved)}
        if saved:
            last = saved[-1]
            title = self.book.exercises[last].title.lower()
            self.s.vars.update(saved_id=last, saved_exercise=title)
        if event.exercise:
            requested = self.book.exercises.get(event.exercise)
            self.s.vars.update(choice=event.exercise, has_requested=True,
                               solo=bool(requested and not requested.joint))
        if event.intent == "SafetyIntent" or any(
                self.matcher.is_safety(v) for v in event.slots.values()):
            self.safety()
            return
        if event.intent and saved and self.one_shot(event.intent, event.slots, saved[-1]):
            return
        self.start_flow(WELCOME, "start")

    def one_shot(self, intent: str, slots: Mapping[str, str], exercise_id: str) -> bool:
        """A request that opens a session, such as "Alexa, tell couple care we're done".

        After a timed phase (where Alexa had to close the session) it carries on from the
        saved place as if the session had stayed open; "resume" carries on from any place.
        """
        position = self.context.profile.saved[exercise_id]
        step = self.book.exercises[exercise_id].steps.get(str(position.get("step")))
        if step is None or not (step.timed or intent == "ResumeIntent"):
            return False
        if intent == "ResumeIntent":
            self.resume(position, exercise_id)
        else:
            self.return_to(position, exercise_id)
            self.intent(intent, slots)
        return True


def listen_for(book: Book, state: Mapping[str, Any] | None, context: Context) -> Listen:
    """What the conversation in `state` is waiting for (a new session: a launch)."""
    current = load_state(book, state, context.platform)
    if current is None or current.ended:
        return Listen(ListenMode.NOTHING)
    return _Run(book, current, context).listen()


def _fresh(platform: Platform) -> _State:
    return _State(platform=platform)


def load_state(book: Book, state: Mapping[str, Any] | None, platform: Platform) -> _State | None:
    """The validated state, or None when it is missing, tampered with or out of date."""
    if not state or not isinstance(state, Mapping):
        return None
    try:
        parsed = _State.model_validate(dict(state))
    except ValidationError:
        return None
    if parsed.v != STATE_VERSION or parsed.ended:
        return None
    if parsed.flow != WELCOME and parsed.flow not in book.exercises:
        return None
    if parsed.step not in book.flow(parsed.flow).steps:
        return None
    parsed.platform = platform
    return parsed


def step(book: Book, state: Mapping[str, Any] | None, event: Event, context: Context) -> Turn:
    """Advance the conversation by one event. Pure: the inputs are never modified."""
    current = load_state(book, state, context.platform)
    if current is None and isinstance(event, SessionEnd):
        return Turn(speech="", reprompt="", listen=Listen(ListenMode.NOTHING), end_session=True,
                    state=_fresh(context.platform).model_dump(mode="json"))
    if current is None and isinstance(event, IntentEvent):
        requested = event.slots.get(CHOICE_SLOT) if event.name == CHOOSE_INTENT else None
        event = Launch(exercise=requested, intent=event.name, slots=event.slots)
    if current is None or isinstance(event, Launch):
        run = _Run(book, _fresh(context.platform), context)
        run.s.turn = (current.turn + 1) if current else 0
        run.launch(event if isinstance(event, Launch) else Launch())
    else:
        run = _Run(book, current, context)
        run.s.turn += 1
        if isinstance(event, SessionEnd):
            run.s.ended = True
        elif isinstance(event, IntentEvent):
            run.intent(event.name, event.slots)
        elif isinstance(event, Utterance):
            run.utterance(event.text)
        elif isinstance(event, NoInput):
            run.no_input()
        elif isinstance(event, TimerElapsed):
            run.timer_elapsed()
    return _finish(run)


def _finish(run: _Run) -> Turn:
    s = run.s
    if run.step.timed is not None and s.platform is Platform.ALEXA and not s.paused:
        s.ended = True  # Alexa cannot listen for minutes: the place is saved, the session ends
    if s.flow != WELCOME and not run.completed:
        run.effects.append(SavePosition(s.flow, run.snapshot()))
    speech = " ".join(part for part in run.speech if part)
    if speech and not run.keep_said:
        s.said = speech
    if s.ended:
        reprompt = ""
    elif s.paused:
        reprompt = run.render(run.choose("still_paused", run.book.messages.still_paused))
    else:
        reprompt = run.render(run.choose(f"{s.flow}/{s.step}/reprompt",
                                         run.prompts("reprompt") or run.prompts("say")))
    listen = run.listen()
    title = (run.book.exercises[s.flow].title if s.flow in run.book.exercises
             else "Couple Care")
    return Turn(speech=speech, reprompt=reprompt, listen=listen, end_session=s.ended,
                state=s.model_dump(mode="json"), effects=tuple(run.effects),
                at=f"{s.flow}/{s.step}", card_title=title)
