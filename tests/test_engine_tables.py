"""The engine's tables: every action and global intent has its one handler, every effect
survives JSON, and the model knows which actions leave a flow."""

import json
from dataclasses import fields
from datetime import date

import pytest

from dialogs import intents
from dialogs.engine import (
    EFFECT_TYPES,
    AddAgreement,
    Agreement,
    AgreementKind,
    AgreementStatus,
    ClearPosition,
    CompleteExercise,
    Decision,
    DisclaimerSeen,
    Effect,
    FollowUpAgreement,
    Outcome,
    Profile,
    SaveNames,
    SavePosition,
    effect_from_json,
    effects_from_json,
    effects_to_json,
    profile_from_json,
    profile_to_json,
)
from dialogs.engine.actions import ACTIONS
from dialogs.engine.commands import COMMANDS, PAUSED_COMMANDS
from dialogs.engine.run import Run
from dialogs.model import Action

EFFECTS: list[Effect] = [
    SaveNames(("Sam", "Alex")),
    DisclaimerSeen(),
    SavePosition("honest-check-in", {"flow": "honest-check-in", "step": "floor", "speaker": 1,
                                     "vars": {"first": "Sam", "has_promise": True, "n": 2}}),
    ClearPosition("honest-check-in"),
    AddAgreement(AgreementKind.PROMISE, "Sam", "I'll call at lunch.", "promises"),
    FollowUpAgreement(3, Outcome.KEPT, Decision.KEEP),
    FollowUpAgreement(4, None, Decision.LET_GO),
    CompleteExercise("promises"),
]


def test_every_action_has_exactly_one_handler():
    assert list(ACTIONS) == list(Action)
    assert Run.actions is ACTIONS


def test_every_global_intent_is_a_command_or_an_answer_never_both():
    commands, answers = set(COMMANDS), set(intents.ANSWER_INTENTS)
    assert not commands & answers
    assert commands | answers == set(intents.GLOBAL_INTENTS)
    assert len(intents.GLOBAL_INTENTS) == len(set(intents.GLOBAL_INTENTS))


def test_a_paused_conversation_acts_only_on_what_it_listens_for():
    assert set(PAUSED_COMMANDS) <= set(intents.PAUSED_INTENTS)
    assert set(intents.PAUSED_INTENTS) <= set(intents.GLOBAL_INTENTS)


def test_the_effects_listed_are_every_effect():
    assert set(EFFECT_TYPES.values()) == {type(effect) for effect in EFFECTS}
    assert set(EFFECT_TYPES.values()) == set(Effect.__args__)


@pytest.mark.parametrize("effect", EFFECTS, ids=lambda e: type(e).__name__)
def test_every_effect_round_trips_through_json(effect):
    data = json.loads(json.dumps(effect.to_json()))
    assert data["type"] == type(effect).__name__
    assert set(data) == {"type", *(f.name for f in fields(effect))}
    assert effect_from_json(data) == effect
    assert type(effect).from_json(data) == effect


def test_a_saved_place_written_as_json_shares_nothing_with_the_turn():
    """The JSON is handed to a store or to the next request; changing it (as a store may,
    filling in what it keeps) must not change the place the turn saved."""
    effect = SavePosition("promises", {"flow": "promises", "vars": {"names": ["Sam"]}})
    data = effect.to_json()
    data["position"]["vars"]["names"].append("Alex")
    assert effect.position == {"flow": "promises", "vars": {"names": ["Sam"]}}


def test_a_list_of_effects_round_trips_through_json():
    assert effects_from_json(json.loads(json.dumps(effects_to_json(EFFECTS)))) == EFFECTS


def test_a_profile_round_trips_through_json():
    profile = Profile(names=("Sam", "Alex"), disclaimer_seen=True,
                      saved={"promises": {"flow": "promises", "step": "x", "speaker": 0,
                                          "vars": {}}},
                      agreements=(
                          Agreement(1, AgreementKind.PROMISE, "Sam", "I'll call.",
                                    date(2026, 11, 2), "promises"),
                          Agreement(2, AgreementKind.GENTLE_START, "", "I feel tired.",
                                    date(2026, 11, 2), "walk-gentle-start",
                                    AgreementStatus.KEEPING, Outcome.PARTLY,
                                    date(2026, 11, 4))),
                      completions=(("promises", date(2026, 11, 3)),))
    assert profile_from_json(json.loads(json.dumps(profile_to_json(profile)))) == profile


def test_a_profile_document_from_before_agreements_reads_its_promises():
    old = {"names": ["Sam", "Alex"], "disclaimer_seen": True, "saved": {}, "completions": [],
           "open_promises": [{"id": 2, "partner": "Alex", "text": "cook", "made_on": "2026-11-02"}],
           "resolved_promises": [{"id": 1, "partner": "Sam", "text": "call",
                                  "made_on": "2026-11-01", "outcome": "kept",
                                  "resolved_on": "2026-11-03"}]}
    profile = profile_from_json(old)
    assert [(a.id, a.partner, a.kind, a.status, a.outcome) for a in profile.agreements] == [
        (1, "Sam", AgreementKind.PROMISE, AgreementStatus.LET_GO, Outcome.KEPT),
        (2, "Alex", AgreementKind.PROMISE, AgreementStatus.OPEN, None)]


def test_actions_that_leave_a_flow():
    leaving = {action for action in Action if action.leaves_flow}
    assert leaving == {Action.MENU, Action.GOODBYE, Action.START_EXERCISE, Action.RESUME_SAVED,
                       Action.SAFETY, Action.CARRY_ON_REQUEST}
