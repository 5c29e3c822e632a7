"""What a step or transition can `do`: one handler for every `Action`."""

from __future__ import annotations

from collections.abc import Callable

from dialogs.blame import find_blame
from dialogs.engine.agreements import due_follow_ups
from dialogs.engine.effects import (
    AddAgreement,
    ClearPosition,
    DisclaimerSeen,
    FollowUpAgreement,
    SaveNames,
)
from dialogs.engine.navigation import Navigation
from dialogs.engine.profile import AgreementKind, Decision, Outcome
from dialogs.intents import RESUME, WELCOME_FLOW
from dialogs.markup import neutralise
from dialogs.model import Action
from dialogs.readback import as_sentence, own_words


def save_names(run: Navigation) -> None:
    run.effects.append(SaveNames(run.names()))


def disclaimer_seen(run: Navigation) -> None:
    run.effects.append(DisclaimerSeen())


def _record(run: Navigation, kind: AgreementKind, text: str, partner: str) -> None:
    """Keep an agreement, and remember it for the summary at the end of the exercise."""
    text = text.strip()
    if not text or run.state.unsafe:
        return
    run.effects.append(AddAgreement(kind, partner, text, run.state.flow))
    made = {"kind": str(kind), "partner": partner, "text": text}
    run.state.agreed = [*(m for m in run.state.agreed
                          if (m["kind"], m["partner"]) != (str(kind), partner)), made]


def _recorder(kind: AgreementKind, variable: str) -> Callable[[Navigation], None]:
    """An action keeping the speaker's words in `variable` as an agreement of this kind."""

    def record(run: Navigation) -> None:
        _record(run, kind, str(run.state.variables.get(variable, "")),
                run.variables()["speaker"])

    record.__doc__ = f"Keep {{{variable}}} as the speaker's {kind}."
    return record


def record_gentle_start(run: Navigation) -> None:
    """The sentence shaped on a walk, kept for the one person who shaped it."""
    words = {k: str(run.state.variables.get(k, "")).strip() for k in ("feeling", "situation",
                                                                        "need")}
    if all(words.values()):
        _record(run, AgreementKind.GENTLE_START, as_sentence(
            f"I feel {words['feeling']} about {words['situation']}, and I need {words['need']}"),
            "")


def next_agreement(run: Navigation) -> None:
    """Bring up an agreement from an earlier day that this session has not followed up yet
    (never after a safety stop, and a gentle start only when one person is there)."""
    variables = run.state.variables
    for name in ("agreement", "agreed_by", "agreed_with", "agreement_id", "agreement_kind",
                 "outcome", "new_words"):
        variables.pop(name, None)
    due = [] if run.state.unsafe else due_follow_ups(
        run.context.profile, run.context.today, solo=bool(variables.get("solo")),
        followed=run.state.followed_agreements)
    variables["has_agreement"] = bool(due)
    if not due:
        return
    agreement = due[0]
    run.state.followed_agreements = [*run.state.followed_agreements, agreement.id]
    first, second = run.names()
    other = second if agreement.partner == first else first
    variables.update(agreement=neutralise(own_words(agreement.text, (first, second))),
                     agreed_by=agreement.partner, agreed_with=other,
                     agreement_id=agreement.id, agreement_kind=str(agreement.kind))


def _follow_up(run: Navigation, decision: Decision) -> None:
    variables = run.state.variables
    agreement_id = variables.get("agreement_id")
    if not isinstance(agreement_id, int) or isinstance(agreement_id, bool):
        return
    said = str(variables.get("outcome", ""))
    outcome = Outcome(said) if said in tuple(Outcome) else None
    run.effects.append(FollowUpAgreement(agreement_id, outcome, decision))


def keep_agreement(run: Navigation) -> None:
    _follow_up(run, Decision.KEEP)


def let_go_agreement(run: Navigation) -> None:
    _follow_up(run, Decision.LET_GO)


def change_agreement(run: Navigation) -> None:
    """The agreement followed up, in the new words its maker gave (`new_words`)."""
    variables = run.state.variables
    words = str(variables.get("new_words", "")).strip()
    kind = str(variables.get("agreement_kind", ""))
    if not words or kind not in tuple(AgreementKind):
        return
    _follow_up(run, Decision.CHANGE)
    run.effects.append(AddAgreement(AgreementKind(kind), str(variables.get("agreed_by", "")),
                                    words, run.state.flow))


def check_blame(run: Navigation) -> None:
    heard = find_blame(str(run.state.variables.get("to_check", "")))
    run.state.variables["has_blame"] = bool(heard)
    if heard:
        first = heard[0]
        run.state.variables.update(
            blame_words=first.said,
            blame_suggestion=first.suggestion.replace("{blame_words}", first.said))


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
    Action.RECORD_PROMISE: _recorder(AgreementKind.PROMISE, "promise"),
    Action.RECORD_REPAIR_PLAN: _recorder(AgreementKind.REPAIR_PLAN, "plan"),
    Action.RECORD_KINDNESS: _recorder(AgreementKind.KINDNESS, "kindness"),
    Action.RECORD_GENTLE_START: record_gentle_start,
    Action.NEXT_AGREEMENT: next_agreement,
    Action.KEEP_AGREEMENT: keep_agreement,
    Action.CHANGE_AGREEMENT: change_agreement,
    Action.LET_GO_AGREEMENT: let_go_agreement,
    Action.START_EXERCISE: start_exercise,
    Action.RESUME_SAVED: resume_saved,
    Action.DISCARD_SAVED: discard_saved,
    Action.MENU: menu,
    Action.GOODBYE: goodbye,
    Action.SAFETY: safety,
    Action.CONFIRM_SAFE: confirm_safe,
    Action.UNSURE_OF_SAFETY: unsure_of_safety,
    Action.CHECK_BLAME: check_blame,
    Action.CARRY_ON_REQUEST: carry_on_request,
}
