"""Moving between steps and flows: entering, following transitions, saving and going back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from dialogs.engine.agreements import Made, card, summary
from dialogs.engine.effects import ClearPosition, CompleteExercise
from dialogs.engine.profile import AgreementKind
from dialogs.engine.wording import Wording
from dialogs.intents import AFTER_EXERCISE, AGREED_OFFER, WELCOME_FLOW
from dialogs.model import Action, ListenMode, Transition

MAX_CHAIN = 40
"""Steps that may follow each other without waiting, before the engine calls it a loop."""
HISTORY_LIMIT = 8
"""Steps remembered for "back"."""


class Navigation(Wording):
    """The working copy of a turn, able to move; `actions` runs what steps `do`."""

    actions: ClassVar[Mapping[Action, Callable[[Navigation], None]]]

    def snapshot(self) -> dict[str, Any]:
        """The place now, as saved for a later session and kept for "back"."""
        return {"flow": self.state.flow, "step": self.state.step,
                "speaker": self.state.speaker, "vars": dict(self.state.variables)}

    def restore(self, position: Mapping[str, Any]) -> None:
        self.state.flow = position["flow"]
        self.state.step = position["step"]
        self.state.speaker = position["speaker"]
        self.state.variables = dict(position["vars"])

    def names_only(self) -> dict[str, Any]:
        return {k: v for k, v in self.state.variables.items() if k in ("first", "second")}

    def saved_place(self) -> dict[str, Any]:
        """The place as saved for a later session: a refused skip goes with it, since on
        Alexa the next words come in a new session (`return_to` reads it back)."""
        refused = {"refused": self.state.skip_refused} if self.state.skip_refused else {}
        return {**self.snapshot(), **refused}

    def return_to(self, position: Mapping[str, Any], flow_id: str) -> None:
        """Back to a saved place in an exercise, keeping the names known now."""
        names = self.names_only()
        self.restore({**position, "flow": flow_id})
        self.state.variables.update(names)
        self.state.skip_refused = str(position.get("refused", ""))
        self.state.history = [self.snapshot()]

    def resume(self, position: Mapping[str, Any], flow_id: str) -> None:
        """Back to a saved position, saying its prompt again without redoing its actions."""
        self.return_to(position, flow_id)
        self.say_choice("resumed", self.book.messages.resumed)
        self.repeat_prompt()

    def start_flow(self, flow_id: str, step_id: str | None = None) -> None:
        self.state.history = []
        if flow_id != WELCOME_FLOW:
            self.state.variables = self.names_only()
            self.state.speaker = 0
            self.state.agreed = []
        self.state.flow = flow_id
        self.enter(step_id or self.flow.start)

    def carry_on(self, intent: str) -> None:
        """Answer `intent` at the current step, as if it had just been said."""
        raise NotImplementedError

    def to_menu(self) -> None:
        """The menu; before the safety question is answered, the safety question."""
        if self.state.safe_confirmed or self.state.unsafe:
            self.start_flow(WELCOME_FLOW, "menu")
        else:
            self.start_flow(WELCOME_FLOW, "safety_first")

    def enter(self, step_id: str, depth: int = 0) -> None:
        """Arrive at a step: set, speak, act, then wait there or move straight on."""
        if depth > MAX_CHAIN:
            raise RuntimeError(f"steps keep moving without waiting, at {self.state.flow}/{step_id}")
        self.state.step = step_id
        self.state.misses_input = self.state.misses_match = 0
        self.state.skip_refused = ""
        step = self.step
        here = (self.state.flow, step_id)
        self.assign(step.set, step.swap)
        self.repeat_prompt()
        self.act(step.do)
        if (self.state.flow, self.state.step) != here:
            return  # an action has moved the conversation on
        if step.end and self.in_exercise:
            self.finish_exercise()
            return
        if self.state.ended:
            return
        if step.listen is ListenMode.NOTHING:
            if not self.follow(step.next, {}, depth + 1):
                raise RuntimeError(f"{self.state.flow}/{step_id} has nowhere to go")
            return
        self.state.history = [*self.state.history, self.snapshot()][-HISTORY_LIMIT:]

    def holds(self, transition: Transition, slots: Mapping[str, str]) -> bool:
        for slot, wanted in transition.slots.items():
            if slots.get(slot) != wanted:
                return False
        for name, wanted in transition.when.items():
            actual = slots.get(name, self.state.variables.get(name))
            if isinstance(wanted, bool):
                if bool(actual) != wanted:
                    return False
            elif isinstance(wanted, str) and isinstance(actual, str):
                if actual.casefold() != self.render(wanted).casefold():
                    return False  # `if: {second: "{first}"}` compares with another variable
            elif actual != wanted:
                return False
        return True

    def follow(self, transitions: tuple[Transition, ...], slots: Mapping[str, str],
               depth: int = 0) -> bool:
        """Take the first transition whose conditions hold; False when none does."""
        for transition in transitions:
            if not self.holds(transition, slots):
                continue
            self.state.variables.update(slots)
            self.assign(transition.set, transition.swap)
            self.say_choice(self.here(f"ack/{transition.goto}"), transition.say)
            before = (self.state.flow, self.state.step)
            self.act(transition.do)
            if (transition.goto and (self.state.flow, self.state.step) == before
                    and not self.state.ended):
                self.enter(transition.goto, depth)
            return True
        return False

    def assign(self, assignments: Mapping[str, Any], swap: bool) -> None:
        """Set variables (which may use the current ones), then swap speaker and listener."""
        for name, value in assignments.items():
            self.state.variables[name] = self.render(value) if isinstance(value, str) else value
        if swap:
            self.state.speaker = 1 - self.state.speaker

    def act(self, actions: tuple[Action, ...]) -> None:
        for action in actions:
            self.actions[action](self)

    def finish_exercise(self) -> None:
        exercise_id = self.state.flow
        self.effects.append(CompleteExercise(exercise_id))
        self.effects.append(ClearPosition(exercise_id))
        self.completed = True
        self.state.variables["solo"] = not self.book.exercises[exercise_id].joint
        self.start_flow(WELCOME_FLOW, self.keep_agreed())

    def keep_agreed(self) -> str:
        """What was agreed in the exercise just finished, shown on a card and kept in
        `{agreed}` for the welcome step that offers to go over it: the welcome step to go to
        (nothing is kept once someone may not be safe)."""
        made = [Made(AgreementKind(m["kind"]), m["partner"], m["text"])
                for m in self.state.agreed]
        self.state.agreed = []
        if not made or self.state.unsafe:
            return AFTER_EXERCISE
        names = self.names()
        self.card = card(made, names)
        if all(m.partner for m in made):
            self.state.variables["agreed"] = summary(made, names)
            return AGREED_OFFER
        self.say_choice("kept_for_you", self.book.messages.kept_for_you)
        return AFTER_EXERCISE
