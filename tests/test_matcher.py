"""Text to intent with the shared vocabulary, and the safety check."""

import pytest

from dialogs.book import load_book
from dialogs.intents import GLOBAL_INTENTS
from dialogs.matcher import Matcher


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_book().vocabulary)


ANSWER = ("YesIntent", "NoIntent", *GLOBAL_INTENTS)


@pytest.mark.parametrize("said, intent", [
    ("Yes!", "YesIntent"), ("yeah", "YesIntent"), ("No, not now.", "NoIntent"),
    ("say that again", "RepeatIntent"), ("repeet", "RepeatIntent"), ("We’re done", "DoneIntent"),
    ("were done", "DoneIntent"), ("go back", "PreviousIntent"), ("HELP", "HelpIntent"),
])
def test_phrases_match_with_small_errors(matcher, said, intent):
    assert matcher.match(said, ANSWER).intent == intent


def test_only_expected_intents_match(matcher):
    assert matcher.match("yes", GLOBAL_INTENTS) is None
    assert matcher.match("banana helicopter", ANSWER) is None


def test_slots_are_filled(matcher):
    found = matcher.match("my name is sam", ["NameIntent", *GLOBAL_INTENTS])
    assert (found.intent, found.slots) == ("NameIntent", {"name": "Sam"})
    found = matcher.match("Mary Ann", ["NameIntent", *GLOBAL_INTENTS])
    assert found.slots == {"name": "Mary Ann"}
    found = matcher.match("let's do the honest check in", ["ChooseExerciseIntent"])
    assert found.slots == {"choice": "honest-check-in"}
    found = matcher.match("partly i think", ["OutcomeIntent"])
    assert found.slots == {"outcome": "partly"}


def test_a_bare_name_does_not_swallow_commands(matcher):
    assert matcher.match("help", ["NameIntent", *GLOBAL_INTENTS]).intent == "HelpIntent"


def test_strict_matching_while_someone_speaks_freely(matcher):
    assert matcher.match("I want to stop arguing", GLOBAL_INTENTS, strict=True) is None
    assert matcher.match("stop", GLOBAL_INTENTS, strict=True).intent == "StopIntent"


@pytest.mark.parametrize("said", [
    "I don't feel safe", "i dont feel safe at home", "he hits me when he's angry",
    "sometimes I want to kill myself", "I am scared of him", "I've thought about suicide",
])
def test_safety_phrases_are_caught_anywhere_in_an_utterance(matcher, said):
    assert matcher.is_safety(said)


@pytest.mark.parametrize("said", [
    "I feel safe with you", "what you said really hurt me", "it hit me hard when you left",
    "we kept the promise", "I felt ignored at dinner",
])
def test_everyday_words_of_a_repair_are_not_safety_concerns(matcher, said):
    assert not matcher.is_safety(said)


def test_grammar_phrases_for_a_recogniser(matcher):
    phrases = matcher.grammar(["YesIntent", "StopIntent"])
    assert "yes" in phrases and "stop" in phrases and "no" not in phrases
    assert "let's stop here" in phrases
    chosen = matcher.grammar(["ChooseExerciseIntent"])
    assert "let's do honest check in" in chosen
    assert matcher.grammar(["NameIntent"]) is None
