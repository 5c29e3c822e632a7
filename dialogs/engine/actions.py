"""What a step or transition can `do`: one handler for every `Action`."""

from __future__ import annotations

from collections.abc import Callable

from dialogs.engine.effects import (
    AddPromise,
    ClearPosition,
    DisclaimerSeen,
    ResolvePromise,
    SaveNames,
)
from dialogs.engine.navigation import Navigation
from dialogs.intents import RESUME, WELCOME_FLOW
from dialogs.model import Action


def save_names(run: Navigation) -> None:
    run.effects.append(SaveNames(run.names()))


def disclaimer_seen(run: Navigation) -> None:
    run.effects.append(DisclaimerSeen())


def record_promise(run: Navigation) -> None:
    text = str(run.state.variables.get("promise", "")).strip()
    if text:
        run.effects.append(AddPromise(run.variables()["speaker"], text))


def next_promise(run: Navigation) -> None:
    """Bring up a promise from an earlier day that this session has not followed up yet."""
    context = run.context
    waiting = [p for p in context.profile.open_promises
               if p.id not in run.state.followed_promises and p.made_on < context.today]
    run.state.variables["has_promise"] = bool(waiting)
    if waiting:
        promise = waiting[0]
        run.state.followed_promises = [*run.state.followed_promises, promise.id]
        run.state.variables.update(promise=promise.text, promiser=promise.partner,
                                   promise_id=promise.id)


def resolve_promise(run: Navigation) -> None:
    promise_id = run.state.variables.get("promise_id")
    if isinstance(promise_id, int):
        run.effects.append(ResolvePromise(promise_id,
                                          str(run.state.variables.get("outcome", ""))))


def start_exercise(run: Navigation) -> None:
    """Start the exercise in `choice`, unless it is unknown or not offered now."""
    choice = str(run.state.variables.get("choice", ""))
    run.state.variables.pop("has_requested", None)
    exercise = run.book.exercises.get(choice)
    if exercise is None:
        run.say_choice("unknown_exercise", run.book.messages.unknown_exercise)
        run.to_menu()
    elif not run.offered(exercise):
        if run.state.unsafe:
            run.say_choice("not_offered_now", run.book.messages.not_offered_now)
        run.to_menu()
    else:
        run.effects.append(ClearPosition(exercise.id))
        run.start_flow(exercise.id)


def resume_saved(run: Navigation) -> None:
    exercise_id = str(run.state.variables.get("saved_id", ""))
    position = run.context.profile.saved.get(exercise_id)
    if not position or exercise_id not in run.book.exercises:
        run.to_menu()
        return
    run.resume(position, exercise_id)


def discard_saved(run: Navigation) -> None:
    exercise_id = str(run.state.variables.get("saved_id", ""))
    if exercise_id:
        run.effects.append(ClearPosition(exercise_id))


def menu(run: Navigation) -> None:
    run.to_menu()


def goodbye(run: Navigation) -> None:
    run.state.ended = True


def safety(run: Navigation) -> None:
    """Someone may not be safe: only the safety words are said, work with the partner stops
    for this session, and no saved place in such an exercise is offered again."""
    run.speech.clear()
    run.say_choice("safety", run.book.messages.safety)
    _no_work_with_partner(run)
    run.start_flow(WELCOME_FLOW, "after_safety")


def unsure_of_safety(run: Navigation) -> None:
    """Not sure they are safe: the same limits as a safety stop, said gently by the step."""
    _no_work_with_partner(run)


def _no_work_with_partner(run: Navigation) -> None:
    run.state.unsafe = True
    run.state.paused = False
    run.state.confirming = ""
    places = {*run.context.profile.saved, run.state.flow}
    for exercise_id in sorted(places):
        exercise = run.book.exercises.get(exercise_id)
        if exercise is not None and exercise.needs_feeling_safe:
            run.effects.append(ClearPosition(exercise_id))
    run.state.variables.pop("has_saved", None)


def confirm_safe(run: Navigation) -> None:
    if not run.state.unsafe:
        run.state.safe_confirmed = True


def carry_on_request(run: Navigation) -> None:
    """The one-shot request of the launch ("tell couple care we're done"), now that the
    safety question is answered: carry on from the saved place, or offer it."""
    request = str(run.state.variables.pop("request", ""))
    exercise_id = str(run.state.variables.get("saved_id", ""))
    position = run.context.profile.saved.get(exercise_id)
    exercise = run.book.exercises.get(exercise_id)
    if position is None or exercise is None or not run.offered(exercise):
        run.to_menu()
        return
    step = exercise.steps.get(str(position.get("step")))
    if request == RESUME or step is None or not step.timed:
        run.resume(position, exercise_id)
        return
    run.return_to(position, exercise_id)
    run.carry_on(request)


ACTIONS: dict[Action, Callable[[Navigation], None]] = {
    Action.SAVE_NAMES: save_names,
    Action.DISCLAIMER_SEEN: disclaimer_seen,
    Action.RECORD_PROMISE: record_promise,
    Action.RESOLVE_PROMISE: resolve_promise,
    Action.NEXT_PROMISE: next_promise,
    Action.START_EXERCISE: start_exercise,
    Action.RESUME_SAVED: resume_saved,
    Action.DISCARD_SAVED: discard_saved,
    Action.MENU: menu,
    Action.GOODBYE: goodbye,
    Action.SAFETY: safety,
    Action.CONFIRM_SAFE: confirm_safe,
    Action.UNSURE_OF_SAFETY: unsure_of_safety,
    Action.CARRY_ON_REQUEST: carry_on_request,
}
