"""Agreements in the engine: which are followed up and when, what is said and shown about
them, progress a couple can feel, and the spoken answers to keep, change or let go."""

import copy
import json
from datetime import date

import pytest

from dialogs import engine, intents
from dialogs.book import load_book
from dialogs.engine import (
    AddAgreement,
    Agreement,
    AgreementKind,
    AgreementStatus,
    Context,
    Decision,
    FollowUpAgreement,
    Launch,
    Outcome,
    Profile,
    Utterance,
)
from dialogs.engine.agreements import Made, due_follow_ups, progress, progress_sentence, report
from dialogs.engine.state import fresh_state
from dialogs.markup import to_plain
from dialogs.model import Platform

BOOK = load_book()
TODAY = date(2026, 11, 29)
TITLES = BOOK.exercise_titles


def agreement(id_, partner, made_on, kind=AgreementKind.PROMISE, **more):
    return Agreement(id_, kind, partner, f"I'll do thing {id_}.", made_on, "promises", **more)


def play(events, profile, platform=Platform.TEXT, today=TODAY):
    context = Context(platform, profile, today)
    state, turns = None, []
    for event in events:
        before = copy.deepcopy(state)
        turn = engine.step(BOOK, state, event, context)
        assert state == before
        state = json.loads(json.dumps(turn.state))
        turns.append(turn)
    return turns


def effects(turns):
    return [effect for turn in turns for effect in turn.effects
            if isinstance(effect, AddAgreement | FollowUpAgreement)]


def test_the_longest_waiting_first_one_per_partner_never_the_same_day():
    profile = Profile(names=("Sam", "Alex"), agreements=(
        agreement(1, "Sam", date(2026, 11, 20), status=AgreementStatus.KEEPING,
                  checked_on=date(2026, 11, 27)),
        agreement(2, "Sam", date(2026, 11, 22)),
        agreement(3, "Alex", date(2026, 11, 25)),
        agreement(4, "Alex", TODAY),
        agreement(5, "Alex", date(2026, 11, 1), status=AgreementStatus.LET_GO),
        agreement(6, "Kim", date(2026, 11, 1)),
        agreement(7, "", date(2026, 11, 1), AgreementKind.GENTLE_START),
    ))
    assert [a.id for a in due_follow_ups(profile, TODAY, solo=False)] == [2, 3]
    assert [a.id for a in due_follow_ups(profile, TODAY, solo=False, followed=[2])] == [3]
    assert [a.id for a in due_follow_ups(profile, TODAY, solo=True)] == [7]


def test_progress_this_week_and_this_month_with_promises_kept():
    profile = Profile(completions=(("promises", date(2026, 11, 2)),
                                   ("daily-gestures", date(2026, 11, 24)),
                                   ("promises", date(2026, 11, 28)),
                                   ("daily-gestures", date(2026, 11, 29)),
                                   ("promises", date(2026, 10, 30))),
                      agreements=(agreement(1, "Sam", date(2026, 11, 2), outcome=Outcome.KEPT,
                                            checked_on=date(2026, 11, 5)),
                                  agreement(2, "Alex", date(2026, 11, 2),
                                            outcome=Outcome.PARTLY,
                                            checked_on=date(2026, 11, 5))))
    done = progress(profile, TODAY)
    assert done.this_week == ("daily-gestures", "promises")
    assert (done.this_month, done.kept_this_month) == (4, 1)
    assert progress_sentence(done, TITLES) == (
        "This week you did daily gestures and small promises. "
        "That's four exercises this month and one promise kept.")
    assert progress_sentence(progress(Profile(), TODAY), TITLES) == ""


def test_a_kept_plan_or_kindness_is_not_counted_as_a_promise_kept():
    kept = {"outcome": Outcome.KEPT, "checked_on": date(2026, 11, 5)}
    profile = Profile(names=("Sam", "Alex"),
                      agreements=(agreement(1, "Sam", date(2026, 11, 2),
                                            AgreementKind.REPAIR_PLAN, **kept),
                                  agreement(2, "Alex", date(2026, 11, 2),
                                            AgreementKind.KINDNESS, **kept),
                                  agreement(3, "Alex", date(2026, 11, 2), **kept)))
    assert progress(profile, TODAY).kept_this_month == 1


def test_progress_is_said_at_the_start_only_after_the_safety_question():
    profile = Profile(names=("Sam", "Alex"), disclaimer_seen=True,
                      completions=(("promises", date(2026, 11, 27)),))
    launch, good_time, safe = play([Launch(), Utterance("yes"), Utterance("yes")], profile)
    assert "This week" not in launch.speech + good_time.speech
    assert "This week you did small promises." in to_plain(safe.speech)


def test_the_report_lists_agreements_and_progress():
    profile = Profile(names=("Sam", "Alex"), completions=(("promises", date(2026, 11, 28)),),
                      agreements=(
                          agreement(1, "Sam", date(2026, 11, 20), status=AgreementStatus.KEEPING,
                                    outcome=Outcome.KEPT, checked_on=date(2026, 11, 27)),
                          Agreement(2, AgreementKind.KINDNESS, "Alex", "make you a coffee",
                                    date(2026, 11, 28), "daily-gestures"),
                          agreement(3, "Alex", date(2026, 11, 2), status=AgreementStatus.LET_GO)))
    text = report(profile, TODAY, TITLES)
    assert text.startswith("Sam and Alex")
    assert "This week: small promises" in text
    assert ("Sam, promise, 20 Nov 2026\n    \u201cI'll do thing 1.\u201d\n"
            "    Keeping it going") in text
    assert "(last asked 27 Nov 2026: kept)" in text
    assert "Alex, kindness, 28 Nov 2026\n    \u201cI'll make you a coffee.\u201d" in text
    assert text.index("Earlier") < text.index("I'll do thing 3.")
    assert "Nothing agreed yet" in report(Profile(), TODAY, TITLES)


@pytest.mark.parametrize(("said", "decision"), [
    ("keep it", "keep"), ("yes keep going", "keep"), ("keep it going", "keep"),
    ("stick with it", "keep"), ("i'd like to keep it", "keep"), ("change it", "change"),
    ("i think i'll change it", "change"), ("make it smaller", "change"), ("adjust it", "change"),
    ("let it go", "let_go"), ("drop it", "let_go"), ("let's let it go", "let_go"),
    ("we'd rather drop it", "let_go"), ("let that one go", "let_go"),
])
def test_keep_change_or_let_go_said_in_many_ways(said, decision):
    expected = BOOK.welcome.steps["agreement_choice"].on
    found = BOOK.matcher.match(said, [*expected, *intents.GLOBAL_INTENTS])
    assert found is not None and found.intent == "DecisionIntent", said
    assert found.slots == {"decision": decision}


KNOWN_WITH_PROMISES = Profile(names=("Sam", "Alex"), disclaimer_seen=True, agreements=(
    Agreement(1, AgreementKind.PROMISE, "Sam", "I'll cook dinner on Friday.",
              date(2026, 11, 25), "promises"),
    Agreement(2, AgreementKind.KINDNESS, "Alex", "make you a coffee", date(2026, 11, 26),
              "daily-gestures")))


def test_a_follow_up_quotes_each_partner_and_thanks_only_the_one_who_kept_it():
    turns = play([Launch(), Utterance("yes"), Utterance("yes"), Utterance("kept"),
                  Utterance("keep it"), Utterance("not this time"), Utterance("I forgot"),
                  Utterance("change it"), Utterance("I'll make you a coffee on Saturday"),
                  Utterance("yes")], KNOWN_WITH_PROMISES)
    said = [to_plain(t.speech) for t in turns]
    assert "Sam, last time you said: I'll cook dinner on Friday. How did that go?" in said[2]
    assert "Alex, you might thank Sam for following through." in said[3]
    assert "Alex, last time you said: I'll make you a coffee. How did that go?" in said[4]
    assert "thank" not in said[5].replace("Thank you for being honest", "")
    assert "I heard: I'll make you a coffee on Saturday. Alex, is that right?" in said[8]
    assert effects(turns) == [
        FollowUpAgreement(1, Outcome.KEPT, Decision.KEEP),
        FollowUpAgreement(2, Outcome.NOT_KEPT, Decision.CHANGE),
        AddAgreement(AgreementKind.KINDNESS, "Alex", "I'll make you a coffee on Saturday.",
                     "welcome")]
    assert turns[-1].at == "welcome/menu"


def test_nothing_is_read_back_once_someone_may_not_be_safe():
    from dialogs.engine.actions import next_agreement
    from dialogs.engine.run import Run

    state = fresh_state(Platform.TEXT)
    state.unsafe = True
    run = Run(BOOK, state, Context(Platform.TEXT, KNOWN_WITH_PROMISES, TODAY))
    next_agreement(run)
    assert state.variables["has_agreement"] is False and "agreement" not in state.variables


def test_a_safety_stop_in_a_follow_up_ends_the_read_backs():
    turns = play([Launch(), Utterance("yes"), Utterance("yes"), Utterance("partly"),
                  Utterance("I don't feel safe at home"), Utterance("no")], KNOWN_WITH_PROMISES)
    assert turns[4].at == "welcome/after_safety"
    assert all("last time" not in t.speech for t in turns[4:])
    assert effects(turns) == []
    assert all(t.card == "" for t in turns)


def test_the_summary_and_card_of_a_finished_exercise():
    made = [Made(AgreementKind.PROMISE, "Sam", "ill text you if im late"),
            Made(AgreementKind.KINDNESS, "Alex", "a hug when you get home")]
    from dialogs.engine.agreements import card, summary

    assert summary(made, ("Sam", "Alex")) == (
        "Sam will text Alex if they're late. Alex's kindness: a hug when Sam gets home.")
    assert card(made, ("Sam", "Alex")) == (
        "Sam (promise): I'll text you if I'm late.\n"
        "Alex (kindness): A hug when you get home.")
