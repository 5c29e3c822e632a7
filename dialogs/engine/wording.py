"""Saying things: variables, templates, the choice of variant, the menu.

`Wording` is also the working copy of one turn that navigation, actions, commands and the
event dispatch build on: the state being changed, the words said and the effects asked for.
"""

from __future__ import annotations

import zlib
from typing import Any

from dialogs import markup
from dialogs.book import VARIABLE, Book
from dialogs.engine.effects import Effect
from dialogs.engine.profile import Context
from dialogs.engine.state import ConversationState
from dialogs.intents import WELCOME_FLOW
from dialogs.markup import neutralise
from dialogs.model import Exercise, Flow, Step
from dialogs.numbers import num2words
from dialogs.readback import tidy

VARIANT_MEMORY = 6
"""Prompts whose last variant is remembered: enough for the few heard again soon."""


class Wording:
    """One call of the step function: a working copy of the state plus what is said and done."""

    def __init__(self, book: Book, state: ConversationState, context: Context):
        self.book = book
        self.matcher = book.matcher
        self.state = state
        self.context = context
        self.speech: list[str] = []
        self.effects: list[Effect] = []
        self.completed = False
        """An exercise was finished in this turn, so its place is not saved again."""
        self.card = ""
        """What to show on a card in the Alexa app this turn (what was agreed), if anything."""
        self.speech_is_aside = False
        """What is said this turn is not the guide's main words (a check-in, a repeat), so
        "repeat" should keep saying what was said before."""

    @property
    def flow(self) -> Flow:
        return self.book.flow(self.state.flow)

    @property
    def step(self) -> Step:
        return self.flow.steps[self.state.step]

    @property
    def in_exercise(self) -> bool:
        return self.state.flow != WELCOME_FLOW

    def names(self) -> tuple[str, str]:
        first = str(self.state.variables.get("first") or "partner one")
        second = str(self.state.variables.get("second") or "partner two")
        return first, second

    def variables(self) -> dict[str, Any]:
        """Every value a template may use now: built-in ones, then the flow's own."""
        names = self.names()
        values: dict[str, Any] = {
            "first": names[0], "second": names[1],
            "speaker": names[self.state.speaker], "listener": names[1 - self.state.speaker],
            "menu": self.menu_text(),
        }
        if self.in_exercise:
            exercise = self.book.exercises[self.state.flow]
            values["exercise"] = exercise.title.lower()
            month = (self.context.today.year, self.context.today.month)
            done = sum(1 for e, d in self.context.profile.completions
                       if e == exercise.id and (d.year, d.month) == month)
            values["times_this_month"] = num2words(done + 1, to="ordinal")
        timed = self.step.timed
        if timed:
            count = max(1, round(timed.seconds / 60))
            values["minutes"] = "a minute" if count == 1 else f"{num2words(count)} minutes"
        values.update(self.state.variables)
        return values

    def render(self, template: str) -> str:
        if "{" not in template:
            return tidy(template)  # nothing to fill: the values need not be worked out
        values = self.variables()

        def value(found: Any) -> str:
            return neutralise(str(values.get(found.group(1), "")))

        return tidy(VARIABLE.sub(value, template))

    def choose(self, key: str, variants: tuple[str, ...]) -> str:
        """A variant, never the same as last time when there is a choice.

        Only prompts with a choice are remembered, and only the VARIANT_MEMORY most recent,
        so the state stays small however long the session runs."""
        if len(variants) < 2:
            return variants[0] if variants else ""
        remembered = self.state.last_variants
        last = remembered.pop(key, None)
        options = [i for i in range(len(variants)) if i != last]
        index = options[zlib.crc32(f"{self.state.turn}:{key}".encode()) % len(options)]
        remembered[key] = index
        while len(remembered) > VARIANT_MEMORY:
            del remembered[next(iter(remembered))]
        return variants[index]

    def say(self, template: str) -> None:
        if template:
            self.speech.append(markup.tidy(self.render(template)))

    def say_choice(self, key: str, variants: tuple[str, ...]) -> None:
        self.say(self.choose(key, variants))

    def prompts(self, kind: str) -> tuple[str, ...]:
        return self.step.prompts(kind, self.state.platform)

    def here(self, kind: str) -> str:
        """The variant key of a prompt of the current step."""
        return f"{self.state.flow}/{self.state.step}/{kind}"

    def offered(self, exercise: Exercise) -> bool:
        """Exercises with the partner only after both said they feel safe, this session."""
        return not exercise.needs_feeling_safe or (
            self.state.safe_confirmed and not self.state.unsafe)

    def menu_text(self) -> str:
        """The exercises on offer, as a spoken list."""
        titles = [e.title.lower() for e in self.book.exercises.values() if self.offered(e)]
        if len(titles) <= 1:
            return "".join(titles)
        return ", ".join(titles[:-1]) + ", or " + titles[-1]

    def repeat_prompt(self) -> None:
        """The step's own words again, without redoing what it does."""
        self.say_choice(self.here("say"), self.prompts("say"))
        if self.step.timed:
            self.say_how_to_finish()

    def say_how_to_finish(self) -> None:
        """How to end a timed phase on this platform (on Alexa: how to open the skill again)."""
        self.say_choice(f"timed/{self.state.platform}",
                        self.book.messages.timed.get(self.state.platform, ()))

    def reprompt_here(self) -> None:
        self.say_choice(self.here("reprompt"), self.prompts("reprompt") or self.prompts("say"))
