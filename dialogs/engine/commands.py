"""What the couple can say at any step: one handler for every global command intent.

`FallbackIntent` and `DoneIntent` are not commands (see `ANSWER_INTENTS`); the event
dispatch decides what they mean at the current step.
"""

from __future__ import annotations

from collections.abc import Callable

from dialogs import intents
from dialogs.engine.actions import menu, safety
from dialogs.engine.navigation import Navigation

START_OVER_CONFIRMATION = "start_over"
BETRAYAL_CONFIRMATION = "betrayal"
"""The betrayal note asked whether to go on for now; the answer that led to it waits."""


def help_here(run: Navigation) -> None:
    run.say_choice(run.here("help"),
                   run.prompts("help") or run.flow.help or run.book.messages.help)
    run.reprompt_here()


def repeat(run: Navigation) -> None:
    run.speech_is_aside = True
    if run.state.last_speech:
        run.speech.append(run.state.last_speech)
    elif run.prompts("say"):
        run.repeat_prompt()  # a session just opened: say where we are
    else:
        run.say_choice("repeat_nothing", run.book.messages.repeat_nothing)
        run.reprompt_here()


def pause(run: Navigation) -> None:
    """Pause, keeping the place; misses counted so far are forgotten."""
    run.state.paused = True
    run.state.misses_input = run.state.misses_match = 0
    run.say_choice("paused", run.book.messages.paused)


def resume(run: Navigation) -> None:
    """Resume while not paused: say where we are."""
    run.repeat_prompt()


def back(run: Navigation) -> None:
    if len(run.state.history) < 2:
        run.say_choice("at_first_step", run.book.messages.at_first_step)
        run.reprompt_here()
        return
    history = run.state.history[:-1]
    run.restore(history[-1])
    run.state.history = history
    run.repeat_prompt()


def skip(run: Navigation) -> None:
    """Past this one prompt. What a skipped step would have kept is forgotten, so nothing
    said earlier (the other partner's words) can stand in for it."""
    step = run.step
    if step.cannot_skip:
        refuse_skip(run, step.cannot_skip)
        return
    kept = run.state.variables.pop(step.capture, None) if step.capture else None
    if not run.follow(step.skip or step.next, {}):
        if step.capture and kept is not None:
            run.state.variables[step.capture] = kept
        refuse_skip(run, run.book.messages.cannot_skip)


def refuse_skip(run: Navigation, why: tuple[str, ...]) -> None:
    """Why not, once, with the question again; asked again, an offer of help or a pause."""
    messages = run.book.messages
    if run.state.skip_refused == run.here("skip") and messages.cannot_skip_again:
        run.say_choice("cannot_skip_again", messages.cannot_skip_again)
    else:
        run.state.skip_refused = run.here("skip")
        run.say_choice(run.here("cannot_skip"), why)
        run.reprompt_here()
    if run.step.timed:
        run.say_how_to_finish()


def start_over(run: Navigation) -> None:
    """In an exercise, ask first: starting over loses the place."""
    if run.in_exercise:
        run.state.confirming = START_OVER_CONFIRMATION
        run.say_choice("confirm_start_over", run.book.messages.confirm_start_over)
    else:
        run.to_menu()


def confirmed(run: Navigation, yes: bool) -> None:
    """The answer to a question asked first: start over, or go on after the betrayal note."""
    asked, run.state.confirming = run.state.confirming, ""
    if asked == BETRAYAL_CONFIRMATION:
        if yes:
            go_on_after_betrayal(run)
        else:
            run.say_choice("betrayal_stop", run.book.messages.betrayal_stop)
            run.to_menu()
    elif yes:
        run.start_flow(run.state.flow)
    else:
        run.say_choice("carry_on", run.book.messages.carry_on)
        run.repeat_prompt()


def go_on_after_betrayal(run: Navigation) -> None:
    """On from the answer that told of the betrayal, as it would have gone without the note."""
    run.follow(run.step.next, {})


def unsure(run: Navigation) -> None:
    """"I don't know" where a step has no answer for it: help, then the question again."""
    help_here(run)


def stop(run: Navigation) -> None:
    """Goodbye; "your place is saved" only where there is a place to save."""
    messages = run.book.messages
    if not run.in_exercise:
        run.say_choice("stopped_outside", messages.stopped_outside or messages.stopped)
    elif run.book.exercises[run.state.flow].joint:
        run.say_choice("stopped", messages.stopped)
    else:
        run.say_choice("stopped_solo", messages.stopped_solo or messages.stopped)
    run.state.ended = True


COMMANDS: dict[str, Callable[[Navigation], None]] = {
    intents.HELP: help_here,
    intents.REPEAT: repeat,
    intents.PAUSE: pause,
    intents.RESUME: resume,
    intents.PREVIOUS: back,
    intents.NEXT: skip,
    intents.START_OVER: start_over,
    intents.STOP: stop,
    intents.CANCEL: stop,
    intents.NAVIGATE_HOME: menu,
    intents.SAFETY: safety,
    intents.UNSURE: unsure,
}
"""Global commands by intent, as they work while the conversation is not paused. Safety comes
first, even while paused: the dispatch checks for it before anything else."""


def unpause(run: Navigation) -> None:
    run.state.paused = False
    run.say_choice("resumed", run.book.messages.resumed)
    run.repeat_prompt()


def still_paused(run: Navigation) -> None:
    run.say_choice("still_paused", run.book.messages.still_paused)


PAUSED_COMMANDS: dict[str, Callable[[Navigation], None]] = {
    intents.RESUME: unpause,
    intents.STOP: stop,
    intents.CANCEL: stop,
}
"""What a paused conversation acts on; anything else is answered by `still_paused`."""
