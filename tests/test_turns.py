"""Fair turns, skips and words for the partner: the pure readers and the engine using them."""

import json
from datetime import date

import pytest

from dialogs import engine
from dialogs.betrayal import tells_of_betrayal
from dialogs.blame import BlameKind, find_blame
from dialogs.book import load_book
from dialogs.engine import AddAgreement, AgreementKind, Context, Launch, Profile, Utterance
from dialogs.markup import tidy
from dialogs.model import Platform
from dialogs.turns import FirstTurn, TurnAnswer, answers, who_goes_first

BOOK = load_book()
KNOWN = Profile(names=("Sam", "Alex"), disclaimer_seen=True)
NAMES = ("Sam", "Alex")


@pytest.mark.parametrize(("said", "answer", "partner"), [
    ("Sam", TurnAnswer.NAMED, 0),
    ("alex", TurnAnswer.NAMED, 1),
    ("Alex will", TurnAnswer.NAMED, 1),
    ("um, let Alex start", TurnAnswer.NAMED, 1),
    ("Sam, you go", TurnAnswer.NAMED, 0),
    ("not Sam", TurnAnswer.NAMED, 1),
    ("Alex, then Sam", TurnAnswer.NAMED, 1),
    ("Sam goes first then Alex", TurnAnswer.NAMED, 0),
    ("either", TurnAnswer.EITHER, None),
    ("either of us", TurnAnswer.EITHER, None),
    ("it doesn't matter", TurnAnswer.EITHER, None),
    ("you choose", TurnAnswer.EITHER, None),
    ("me", TurnAnswer.NEEDS_NAME, None),
    ("I will", TurnAnswer.NEEDS_NAME, None),
    ("I'll go", TurnAnswer.NEEDS_NAME, None),
    ("you go", TurnAnswer.NEEDS_NAME, None),
    ("she will", TurnAnswer.NEEDS_NAME, None),
    ("he can", TurnAnswer.NEEDS_NAME, None),
    ("purple elephant", TurnAnswer.UNCLEAR, None),
    ("", TurnAnswer.UNCLEAR, None),
])
def test_who_goes_first(said, answer, partner):
    assert who_goes_first(said, NAMES) == FirstTurn(answer, partner)


def test_every_answer_a_recogniser_listens_for_means_what_the_engine_reads():
    heard = {said: who_goes_first(said, NAMES) for said in answers(NAMES)}
    for said, first in heard.items():
        words = said.split()
        if "sam" in words:
            assert first == FirstTurn(TurnAnswer.NAMED, 1 if "not" in words else 0), said
        elif "alex" in words:
            assert first == FirstTurn(TurnAnswer.NAMED, 0 if "not" in words else 1), said
        else:
            assert first.answer in (TurnAnswer.EITHER, TurnAnswer.NEEDS_NAME), said
    assert {"sam", "let alex start", "either", "it doesn't matter", "i will"} <= set(heard)


@pytest.mark.parametrize(("said", "kinds", "words"), [
    ("I feel like you always ignore me and I need you stop being so selfish",
     [BlameKind.NAME_CALLING, BlameKind.LABEL, BlameKind.ABSOLUTE], "selfish"),
    ("I feel hurt about you never calling", [BlameKind.ABSOLUTE], "never"),
    ("you're so lazy", [BlameKind.NAME_CALLING, BlameKind.LABEL], "lazy"),
    ("youre so careless with money", [BlameKind.NAME_CALLING, BlameKind.LABEL], "careless"),
    ("you are never home", [BlameKind.LABEL, BlameKind.ABSOLUTE], "you are"),
    ("you should call me", [BlameKind.DEMAND], "you should"),
    ("you need to listen", [BlameKind.DEMAND], "you need to"),
    ("it happens every time we visit", [BlameKind.ABSOLUTE], "every time"),
    ("you idiot", [BlameKind.NAME_CALLING], "idiot"),
])
def test_blame_is_heard(said, kinds, words):
    heard = find_blame(said)
    assert [b.kind for b in heard] == kinds
    assert heard[0].said == words
    assert "{blame_words}" in heard[0].suggestion


@pytest.mark.parametrize("said", [
    "I feel worried about the plans that changed on Saturday, and I need a quick text",
    "I feel lonely about when you're late, and I need a call",
    "I feel let down about the dishes last night, and I need some help after dinner",
    "I feel sad about our walk, and I need some time together",
    "what I mean is I felt tired",
])
def test_kind_words_are_not_blame(said):
    assert find_blame(said) == ()


@pytest.mark.parametrize(("said", "betrayal"), [
    ("he had an affair", True),
    ("she cheated on me last year", True),
    ("I found out he was sleeping with his coworker", True),
    ("he lied about the money for two years", True),
    ("I was hurt, she was on a dating app", True),
    ("he was seeing someone else", True),
    ("we argued about the dishes", False),
    ("he never cheated, it was about the dishes", False),
    ("I felt cheated out of our evening", False),
    ("he cheats at cards", False),
    ("I was late for dinner", False),
])
def test_betrayal_is_understood_broadly(said, betrayal):
    assert tells_of_betrayal(said) is betrayal


@pytest.mark.parametrize(("text", "tidied"), [
    ("I heard: I'll cook dinner.. [pause 0.5] Right?",
     "I heard: I'll cook dinner. [pause 0.5] Right?"),
    ("I heard: cook .", "I heard: cook."),
    ("Hello , world", "Hello, world"),
    ("partner one, how do you feel?", "Partner one, how do you feel?"),
    ("Thanks. [pause 0.3] partner two, your turn.", "Thanks. [pause 0.3] Partner two, your turn."),
    ("tell partner one what you heard", "tell partner one what you heard"),
    ("Wait... really", "Wait... really"),
])
def test_tidy(text, tidied):
    assert tidy(text) == tidied


def play(events, platform=Platform.TEXT, profile=KNOWN):
    context = Context(platform, profile, date(2026, 11, 29))
    state, turns = None, []
    for event in events:
        turn = engine.step(BOOK, state, event, context)
        state = json.loads(json.dumps(turn.state))
        turns.append(turn)
    return turns


def start(exercise):
    return [Launch(exercise=exercise), Utterance("yes"), Utterance("yes"), Utterance("yes")]


@pytest.mark.parametrize("platform", [Platform.TEXT, Platform.ALEXA])
def test_the_partner_named_goes_first(platform):
    turns = play([*start("honest-check-in"), Utterance("Alex")], platform)
    assert turns[-2].at == "honest-check-in/who_first"
    assert turns[-1].at == "honest-check-in/floor"
    assert turns[-1].speech.startswith("Alex, you have the floor")


def test_me_is_asked_about_by_name_then_the_name_decides():
    turns = play([*start("honest-check-in"), Utterance("me"), Utterance("Alex")])
    assert turns[-2].at == "honest-check-in/who_first"
    assert "Sam or Alex" in turns[-2].speech
    assert turns[-1].speech.startswith("Alex, you have the floor")


def test_a_second_answer_without_a_name_lets_the_first_named_start():
    turns = play([*start("honest-check-in"), Utterance("me"), Utterance("I will")])
    assert turns[-1].speech.startswith("Sam, you have the floor")


def test_the_step_that_chooses_who_goes_first_says_whose_names_to_listen_for():
    turns = play([*start("honest-check-in"), Utterance("start over")])
    assert turns[-2].at == "honest-check-in/who_first"
    assert turns[-2].listen.speaker_names == ("Sam", "Alex")
    assert turns[-1].at == "honest-check-in/who_first"
    assert turns[-1].listen.speaker_names == ()  # a yes or no about starting over
    assert turns[-3].listen.speaker_names == ()


PROMISE_START = [*start("promises"), Utterance("Sam")]


def promises_kept(turns) -> list[tuple[str, str]]:
    return [(e.partner, e.text) for t in turns for e in t.effects
            if isinstance(e, AddAgreement) and e.kind is AgreementKind.PROMISE]


def test_skip_at_the_second_promise_keeps_nothing_for_them():
    turns = play([*PROMISE_START, Utterance("I'll text Alex if I'm running late"),
                  Utterance("yes"), Utterance("yes"), Utterance("skip"), Utterance("yes")])
    closing, summary = turns[-2], turns[-1]
    assert "I heard" not in closing.speech and "Alex will" not in closing.speech
    assert "No promise from you this time" in closing.speech
    assert closing.at == "welcome/agreed_offer" and "what you agreed" in closing.speech
    assert closing.card == "Sam (promise): I'll text Alex if I'm running late."
    assert summary.speech.startswith("Sam will text Alex if they're running late.")
    assert "Alex will" not in summary.speech
    assert promises_kept(turns) == [("Sam", "I'll text Alex if I'm running late.")]


def test_skip_at_the_first_promise_never_reads_it_back():
    turns = play([*PROMISE_START, Utterance("skip"), Utterance("I'll cook on Friday"),
                  Utterance("yes"), Utterance("yes")])
    assert turns[-4].at == "promises/promise" and "Alex, what's one small thing" in turns[-4].speech
    assert promises_kept(turns) == [("Alex", "I'll cook on Friday.")]


REPAIR_TO_REALITY = [*start("repair-after-a-hurt"), Utterance("yes"), Utterance("ready"),
                     Utterance("Alex"), Utterance("I felt alone"), Utterance("I felt tired"),
                     Utterance("ready")]


def test_the_hurt_partner_starts_in_repair():
    turns = play(REPAIR_TO_REALITY)
    assert turns[-4].at == "repair-after-a-hurt/feelings"
    assert "Alex, how did you feel" in turns[-4].speech
    assert turns[-1].at == "repair-after-a-hurt/reality"
    assert "Alex, tell Sam" in turns[-1].speech


def test_a_sharing_cannot_be_skipped_and_the_second_ask_offers_help_or_a_pause():
    turns = play([*REPAIR_TO_REALITY, Utterance("skip"), Utterance("skip")])
    first, second = turns[-2], turns[-1]
    assert first.at == second.at == "repair-after-a-hurt/reality"
    assert "Alex's turn can't be skipped" in first.speech
    assert "help" in second.speech and "pause" in second.speech
    assert second.speech != first.speech
    assert "sum up" not in first.speech + second.speech


def test_a_betrayal_brings_one_word_about_a_therapist():
    turns = play([*start("repair-after-a-hurt"), Utterance("yes"), Utterance("ready"),
                  Utterance("Alex"), Utterance("I felt betrayed, he had an affair"),
                  Utterance("I felt ashamed that I cheated")])
    assert "couples therapist" in turns[-2].speech
    assert "couples therapist" not in turns[-1].speech


def test_the_same_name_twice_asks_for_the_other():
    turns = play([Launch(), Utterance("yes"), Utterance("yes"), Utterance("Sam"),
                  Utterance("Sam"), Utterance("Alex")], profile=Profile())
    assert turns[-2].at == "welcome/same_name"
    assert "other partner" in turns[-2].speech
    assert "Sam and Alex" in turns[-1].speech


def test_own_full_stop_is_not_doubled_in_a_read_back():
    turns = play([*PROMISE_START, Utterance("I'll cook dinner on Friday.")])
    assert "cook dinner on Friday." in turns[-1].speech
    assert ".." not in turns[-1].speech and " ." not in turns[-1].speech


def test_a_skipped_capture_is_forgotten_so_an_earlier_answer_cannot_stand_in():
    walk = [Launch(exercise="walk-gentle-start"), Utterance("yes"), Utterance("yes"),
            Utterance("yes"), Utterance("yes"), Utterance("sad"), Utterance("the dishes"),
            Utterance("a hand after dinner"), Utterance("no"), Utterance("skip")]
    turns = play(walk, profile=Profile(disclaimer_seen=True))
    assert turns[-2].at == "walk-gentle-start/feeling"
    assert turns[-1].at == "walk-gentle-start/situation"
    assert "feeling" not in turns[-1].state["vars"]


def test_a_requested_exercise_with_a_kept_place_asks_before_starting_afresh():
    profile = Profile(names=("Sam", "Alex"), disclaimer_seen=True,
                      saved={"promises": {"flow": "promises", "step": "promise", "speaker": 1,
                                          "vars": {}}})
    turns = play([Launch(exercise="promises"), Utterance("yes"), Utterance("yes"),
                  Utterance("yes")], profile=profile)
    assert turns[-2].at == "welcome/resume_requested"
    assert not any(e for t in turns[:-1] for e in t.effects if type(e).__name__ == "ClearPosition")
    assert turns[-1].at == "promises/promise" and turns[-1].speech.count("Alex, what's one") == 1


def test_a_promise_taken_back_and_skipped_is_never_kept():
    turns = play([*PROMISE_START, Utterance("I'll text Alex if I'm running late"),
                  Utterance("yes"), Utterance("yes"), Utterance("go back"), Utterance("go back"),
                  Utterance("go back"), Utterance("skip"), Utterance("I'll cook on Friday"),
                  Utterance("yes"), Utterance("yes")])
    assert "Sam. [pause 0.3] No promise from you this time" in turns[-4].speech
    assert promises_kept(turns) == [("Alex", "I'll cook on Friday.")]
