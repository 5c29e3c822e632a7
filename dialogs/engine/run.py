"""One call of the step function: events dispatched to commands, answers and navigation.

State is plain JSON. It travels in Alexa session attributes and between turns of the local
loops. What must outlive a session (names, positions, promises, history) comes in through
`Context.profile` and leaves as `Turn.effects`, which the caller applies to the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from dialogs import intents
from dialogs.betrayal import tells_of_betrayal
from dialogs.book import Book
from dialogs.engine.actions import ACTIONS, safety
from dialogs.engine.agreements import progress, progress_sentence
from dialogs.engine.commands import (
    BETRAYAL_CONFIRMATION,
    COMMANDS,
    PAUSED_COMMANDS,
    confirmed,
    go_on_after_betrayal,
    help_here,
    still_paused,
)
from dialogs.engine.effects import SavePosition
from dialogs.engine.events import (
    Event,
    IntentEvent,
    Launch,
    NoInput,
    SessionEnd,
    TimerElapsed,
    Utterance,
)
from dialogs.engine.navigation import Navigation
from dialogs.engine.profile import Context
from dialogs.engine.state import fresh_state, load_state
from dialogs.engine.turn import AGREED_CARD_TITLE, Listen, Turn
from dialogs.markup import neutralise, tidy
from dialogs.model import ListenMode, Platform
from dialogs.readback import PROMISE_LEAD_IN, own_words
from dialogs.turns import TurnAnswer, who_goes_first


@cache
def _around_words(samples: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """What each sample says before and after the words a free-speech intent carries."""
    slot = "{" + intents.WORDS_SLOT + "}"
    return tuple((before, after) for before, found, after in
                 (sample.partition(slot) for sample in samples) if found)


class Run(Navigation):
    """The working copy of one turn, answering one event."""

    actions = ACTIONS

    def expected(self) -> tuple[str, ...]:
        step = self.step
        own = [intents.YES, intents.NO] if self.state.confirming else list(step.on)
        if step.choose_speaker and not self.state.confirming:
            own.append(intents.NAME)
        if step.timed:
            own.append(step.timed.end_intent)
        return tuple(dict.fromkeys([*own, *intents.GLOBAL_INTENTS]))

    def listen(self) -> Listen:
        """What the conversation waits for now."""
        if self.state.ended:
            return Listen(ListenMode.NOTHING)
        if self.state.paused:
            return Listen(ListenMode.ANSWER, intents.PAUSED_INTENTS)
        timed = self.step.timed
        choosing = self.step.choose_speaker and not self.state.confirming
        return Listen(self.step.listen, self.expected(), timed.end_intent if timed else None,
                      timed.seconds if timed else None, keeps_words=bool(self.step.capture),
                      speaker_names=self.names() if choosing else (),
                      reads_words=self.reads_for_betrayal())

    def reads_for_betrayal(self) -> bool:
        """Whether what is said next is read for a betrayal (see `notice_betrayal`)."""
        return self.in_exercise and not self.state.variables.get("betrayal") and \
            bool(self.book.exercises[self.state.flow].betrayal_note)

    def sounds_unsafe(self, name: str, slots: Mapping[str, str], heard: tuple[str, ...]) -> bool:
        """Whether an intent's words suggest danger: every slot value as resolved and as heard,
        and words carried by a lead-in ("i feel {text}") with each of its lead-ins."""
        said = [*slots.values(), *heard]
        intent = self.book.vocabulary.intents.get(name)
        if intent is None or not intent.carries_words:
            return self.book.safety.check_any(said) is not None
        return self.book.safety.check_any(said, slots.get(intents.WORDS_SLOT, ""),
                                          _around_words(intent.samples)) is not None

    def lacks_its_words(self, name: str, slots: Mapping[str, str]) -> bool:
        """An intent that carries slots but arrived with none of them ("my name is" with no
        name Alexa could use) is not an answer: an earlier value must not stand in."""
        intent = self.book.vocabulary.intents.get(name)
        return bool(intent and intent.slots) and not any(s in slots for s in intent.slots)

    def carry_on(self, intent: str) -> None:
        self.intent(intent, {})

    def intent(self, name: str, slots: Mapping[str, str], heard: tuple[str, ...] = ()) -> None:
        step = self.step
        if name == intents.SAFETY or self.sounds_unsafe(name, slots, heard):
            safety(self)
            return
        if self.state.paused:
            PAUSED_COMMANDS.get(name, still_paused)(self)
            return
        if self.state.confirming:
            if name in (intents.YES, intents.NO):
                confirmed(self, name == intents.YES)
                return
            self.state.confirming = ""
        if step.choose_speaker and name == intents.NAME and (
                slots.get(intents.NAME_SLOT) or heard):
            # A slot that is not one name ("not Sam", "let Alex start") arrives only as heard.
            self.choose_speaker(slots.get(intents.NAME_SLOT) or " ".join(heard))
            return
        if name in step.on:
            if self.lacks_its_words(name, slots) or not self.follow(step.on[name], slots):
                self.missed("no_match")
            return
        mode = step.listen
        if mode is ListenMode.TIMED and name == step.timed.end_intent:  # type: ignore[union-attr]
            self.follow(step.next, {})
            return
        if mode is ListenMode.ANY_WORDS:
            known = self.book.vocabulary.intents.get(name)
            if known is not None and known.carries_words and intents.WORDS_SLOT in slots:
                self.take_words(slots[intents.WORDS_SLOT])
                return
            if name in intents.ANSWER_INTENTS and step.choose_speaker:
                self.choose_speaker("")
                return
            if name in intents.ANSWER_INTENTS and not step.capture:
                self.follow(step.next, {})
                return
        command = COMMANDS.get(name)
        if command is not None:
            command(self)
        elif mode is ListenMode.TIMED:
            self.while_timed()
        else:
            self.missed("no_match")

    def take_words(self, text: str) -> None:
        """Any words as the answer of a step that listens for them, kept when it captures."""
        step = self.step
        if self.state.confirming == BETRAYAL_CONFIRMATION:
            # words after the betrayal note, not yes or no: carry on, as "yes" would
            self.state.confirming = ""
            go_on_after_betrayal(self)
            return
        noticed = self.notice_betrayal(text)
        if step.choose_speaker:
            self.choose_speaker(text)
            return
        if step.capture:
            if step.own_words:
                lead_in = step.own_words if isinstance(step.own_words, str) else PROMISE_LEAD_IN
                kept = own_words(text, self.names(), lead_in)
            else:
                kept = self.matcher.content(text)
            self.state.variables[step.capture] = neutralise(kept)
        if noticed:
            return  # the note is a turn of its own; its answer moves on (`confirmed`)
        if not self.follow(step.next, {}):
            self.missed("no_match")

    def notice_betrayal(self, text: str) -> bool:
        """Once per exercise that has a `betrayal_note`: an affair or a big lie heard in an
        answer is best worked through with a therapist, and `betrayal` is set. The note ends
        with a question (go on for now?), so it is said as a turn of its own."""
        if not self.in_exercise or self.state.variables.get("betrayal"):
            return False
        note = self.book.exercises[self.state.flow].betrayal_note
        if not note or not tells_of_betrayal(text):
            return False
        self.state.variables["betrayal"] = True
        self.say_choice(f"{self.state.flow}/betrayal_note", note)
        self.state.confirming = BETRAYAL_CONFIRMATION
        return True

    def choose_speaker(self, said: str) -> None:
        """The partner the answer names speaks first; "either" leaves it to the first-named
        partner; an answer without a name is asked about once, then the first-named starts."""
        chosen = who_goes_first(said, self.names())
        if chosen.answer in (TurnAnswer.NEEDS_NAME, TurnAnswer.UNCLEAR) and (
                self.state.misses_match == 0):
            self.missed("no_match")
            return
        self.state.speaker = chosen.partner if chosen.partner is not None else 0
        if not self.follow(self.step.next, {}):
            self.missed("no_match")

    def while_timed(self) -> None:
        """Words during a timed phase are for the partner, not for the guide.

        Locally the guide stays quiet. On Alexa the session had to close for the phase, so
        someone who opens it again with other words hears how to carry on.
        """
        if self.state.platform is Platform.ALEXA:
            self.repeat_prompt()
        else:
            self.speech_is_aside = True

    def missed(self, kind: str) -> None:
        """Escalate: a gentle reminder, then a fuller one, then help and an offer to pause.
        Misses never end a session: silence that goes on pauses it, with the place kept."""
        if kind == "no_input":
            self.state.misses_input = count = min(self.state.misses_input + 1, 3)
        else:
            self.state.misses_match = count = min(self.state.misses_match + 1, 3)
        if count >= 2 and self.step.if_unclear:
            self.enter(self.step.if_unclear)
            return
        levels = getattr(self.book.messages, kind)
        if count >= 3:
            self.say_choice(f"{kind}/3", levels[2])
            if kind == "no_input":
                self.state.paused = True
                self.state.misses_input = self.state.misses_match = 0
            else:
                help_here(self)
            return
        own = self.prompts(kind)
        if own and count == 1:
            self.say_choice(self.here(kind), own)
        else:
            self.say_choice(f"{kind}/{count}", levels[count - 1])
        self.reprompt_here()

    def utterance(self, text: str) -> None:
        if self.book.safety.check(text):
            safety(self)
            return
        mode = ListenMode.ANSWER if self.state.paused else self.step.listen
        strict = mode in (ListenMode.ANY_WORDS, ListenMode.TIMED)
        found = self.matcher.match(text, self.expected(), strict=strict)
        if found:
            self.intent(found.intent, found.slots)
        elif self.state.paused:
            still_paused(self)
        elif mode is ListenMode.ANY_WORDS:
            self.take_words(text)
        elif mode is ListenMode.TIMED:
            self.while_timed()
        else:
            self.missed("no_match")

    def no_input(self) -> None:
        step = self.step
        if step.timed and not self.state.paused:
            self.speech_is_aside = True
            self.say_choice(self.here("check_in"),
                            step.timed.check_in or self.book.messages.timed_check_in)
            return
        if self.state.paused:
            self.speech_is_aside = True
            return
        self.missed("no_input")

    def timer_elapsed(self) -> None:
        if self.step.timed and not self.state.paused:
            self.say_choice("timed_up", self.book.messages.timed_up)
            self.follow(self.step.next, {})
        else:
            self.speech_is_aside = True

    def launch(self, event: Launch) -> None:
        profile = self.context.profile
        names = dict(zip(("first", "second"), profile.names, strict=False))
        saved = [e for e in profile.saved if e in self.book.exercises]
        self.state.variables = {**names, "has_names": len(profile.names) >= 2,
                                "disclaimer_seen": profile.disclaimer_seen,
                                "has_saved": bool(saved),
                                "progress": progress_sentence(
                                    progress(profile, self.context.today),
                                    self.book.exercise_titles)}
        if saved:
            last = saved[-1]
            title = self.book.exercises[last].title.lower()
            self.state.variables.update(saved_id=last, saved_exercise=title)
        if event.exercise:
            requested = self.book.exercises.get(event.exercise)
            self.state.variables.update(choice=event.exercise, has_requested=True,
                                        solo=bool(requested and not requested.joint))
            if requested is not None and event.exercise in saved:
                # asked for by name with a place kept in it: ask before starting afresh
                self.state.variables.update(saved_id=event.exercise, requested_saved=True,
                                            saved_exercise=requested.title.lower())
        if event.intent == intents.SAFETY or self.sounds_unsafe(
                event.intent or "", event.slots, event.heard):
            safety(self)
            return
        if event.intent and saved and self.carries_on(event.intent, saved[-1]):
            self.state.variables["request"] = event.intent
        self.start_flow(intents.WELCOME_FLOW, "start")

    def carries_on(self, intent: str, exercise_id: str) -> bool:
        """Whether a request that opens a session ("Alexa, tell couple care we're done")
        carries on from the saved place, once the safety question is answered: after a timed
        phase (where Alexa had to close the session) as if it had stayed open; "resume" from
        any place."""
        position = self.context.profile.saved[exercise_id]
        step = self.book.exercises[exercise_id].steps.get(str(position.get("step")))
        return step is not None and (step.timed is not None or intent == intents.RESUME)

    def finish(self) -> Turn:
        """The turn to give back, once the event has been answered."""
        state = self.state
        if self.step.timed is not None and state.platform is Platform.ALEXA and not state.paused:
            state.ended = True  # Alexa cannot listen for minutes: the place is saved, it ends
        exercise = state.flow if self.in_exercise else None
        if exercise and not self.completed:
            self.effects.append(SavePosition(exercise, self.saved_place()))
        speech = " ".join(part for part in self.speech if part)
        if speech and not self.speech_is_aside:
            state.last_speech = speech
        if state.ended:
            reprompt = ""
        elif state.paused:
            reprompt = tidy(self.render(self.choose("still_paused",
                                                    self.book.messages.still_paused)))
        else:
            prompts = self.prompts("reprompt") or self.prompts("say")
            reprompt = tidy(self.render(self.choose(self.here("reprompt"), prompts)))
        title = self.book.exercises[exercise].title if exercise else "Couple Care"
        if self.card:
            title = AGREED_CARD_TITLE
        return Turn(speech=speech, reprompt=reprompt, listen=self.listen(),
                    end_session=state.ended, state=state.to_json(), effects=tuple(self.effects),
                    at=f"{state.flow}/{state.step}", card_title=title, exercise=exercise,
                    card=self.card)


def listen_for(book: Book, state: Mapping[str, Any] | None, context: Context) -> Listen:
    """What the conversation in `state` is waiting for (a new session: a launch)."""
    current = load_state(book, state, context.platform)
    if current is None or current.ended:
        return Listen(ListenMode.NOTHING)
    return Run(book, current, context).listen()


def step(book: Book, state: Mapping[str, Any] | None, event: Event, context: Context) -> Turn:
    """Advance the conversation by one event. Pure: the inputs are never modified."""
    current = load_state(book, state, context.platform)
    if current is None and isinstance(event, SessionEnd):
        return Turn(speech="", reprompt="", listen=Listen(ListenMode.NOTHING), end_session=True,
                    state=fresh_state(context.platform).to_json())
    if current is None and isinstance(event, IntentEvent):
        requested = (event.slots.get(intents.CHOICE_SLOT) if event.name == intents.CHOOSE_INTENT
                     else None)
        event = Launch(exercise=requested, intent=event.name, slots=event.slots,
                       heard=event.heard)
    if current is None and isinstance(event, Utterance):
        event = Launch(heard=(event.text,))  # words before any launch are heard, then it starts
    if current is None or isinstance(event, Launch):
        run = Run(book, fresh_state(context.platform), context)
        run.state.turn = (current.turn + 1) if current else 0
        run.launch(event if isinstance(event, Launch) else Launch())
        return run.finish()
    run = Run(book, current, context)
    run.state.turn += 1
    if isinstance(event, SessionEnd):
        run.state.ended = True
    elif isinstance(event, IntentEvent):
        run.intent(event.name, event.slots, event.heard)
    elif isinstance(event, Utterance):
        run.utterance(event.text)
    elif isinstance(event, NoInput):
        run.no_input()
    elif isinstance(event, TimerElapsed):
        run.timer_elapsed()
    return run.finish()
