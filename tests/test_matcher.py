"""Text to intent with the shared vocabulary: answers as people give them, names, slots."""

import pytest

from dialogs.book import load_book
from dialogs.intents import GLOBAL_INTENTS
from dialogs.matcher import Matcher


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_book().vocabulary)


ANSWER = ("YesIntent", "NoIntent", "UnsureIntent", *GLOBAL_INTENTS)
NAME = ("NameIntent", *GLOBAL_INTENTS)
OUTCOME = ("OutcomeIntent", *GLOBAL_INTENTS)


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


def test_grammar_phrases_for_a_recogniser(matcher):
    phrases = matcher.grammar(["YesIntent", "StopIntent"])
    assert "yes" in phrases and "stop" in phrases and "no" not in phrases
    assert "let's stop here" in phrases
    chosen = matcher.grammar(["ChooseExerciseIntent"])
    assert "let's do honest check in" in chosen
    assert matcher.grammar(["NameIntent"]) is None


def test_a_grammar_names_the_partners_when_one_of_them_is_meant(matcher):
    phrases = matcher.grammar(["NameIntent", "HelpIntent"], ("Sam", "Mary-Jo"))
    assert "sam" in phrases and "it's sam" in phrases and "mary jo" in phrases
    assert "help" in phrases
    assert not any("{name}" in p or "alex" in p for p in phrases)
    assert matcher.grammar(["ShareIntent"], ("Sam", "Alex")) is None  # open words stay open


@pytest.mark.parametrize("said, intent", [
    *[(s, "YesIntent") for s in [
        "yes we do", "yeah I guess", "ok fine", "yup", "definitely", "I think so", "sure thing",
        "uh huh", "well, yes", "um yes", "Yes, please.", "yeah we're ready", "okay sure",
        "mm hmm", "of course", "yep i am"]],
    *[(s, "NoIntent") for s in [
        "not really", "maybe later", "nah", "nope not now", "no thank you", "No, thanks.",
        "um no", "not right now", "no we're not", "i'd rather not"]],
    *[(s, "UnsureIntent") for s in [
        "kind of", "sort of", "I don't know", "idk", "not sure", "um", "I'm not sure",
        "dunno", "hmm", "we don't know", "no idea", "maybe"]],
    *[(s, "RepeatIntent") for s in [
        "say again", "say again?", "what?", "what was that", "pardon", "sorry?", "come again",
        "huh", "Pardon me?", "could you say that again"]],
])
def test_everyday_answers(matcher, said, intent):
    found = matcher.match(said, ANSWER)
    assert found is not None and found.intent == intent, (said, found)


def test_say_again_is_never_start_again(matcher):
    assert matcher.match("say again", ANSWER).intent == "RepeatIntent"
    assert matcher.match("say again", ["StartOverIntent"]) is None
    assert matcher.match("start again", ANSWER).intent == "StartOverIntent"


def test_fuzzy_matching_forgives_long_words_only(matcher):
    assert matcher.match("repeet that", ANSWER).intent == "RepeatIntent"
    assert matcher.match("what", ["PauseIntent"]) is None
    assert matcher.match("yet", ["YesIntent"]) is None


@pytest.mark.parametrize("said", ["um I'm Jo", "I'm Jo", "Jo", "it's Jo here", "call me Jo",
                                  "my name is Jo", "jo please", "Jo, thanks"])
def test_names_as_people_give_them(matcher, said):
    found = matcher.match(said, NAME)
    assert (found.intent, found.slots) == ("NameIntent", {"name": "Jo"})


@pytest.mark.parametrize("said", ["I'm not safe", "I'm scared", "I'm not sure", "I'm fine",
                                  "I'm done", "we're ready", "sorry", "I'm back",
                                  "I don't want to live anymore", "it's not safe here"])
def test_words_that_are_not_names(matcher, said):
    found = matcher.match(said, NAME)
    assert found is None or found.intent != "NameIntent", found


@pytest.mark.parametrize("said, outcome", [
    ("kept it mostly", "partly"), ("I did most of it", "partly"), ("mostly", "partly"),
    ("not at all", "not_kept"), ("I forgot", "not_kept"), ("yes I kept it", "kept"),
    ("it went well", "kept"), ("um, partly", "partly"), ("i'd say kept", "kept"),
])
def test_outcomes_as_people_give_them(matcher, said, outcome):
    found = matcher.match(said, OUTCOME)
    assert (found.intent, found.slots) == ("OutcomeIntent", {"outcome": outcome})


def test_safety_phrases_are_never_matched_as_an_intent(matcher):
    """They are for Alexa's model; the safety check runs before the matcher."""
    assert "SafetyIntent" not in set(matcher.phrases.values())
    assert all(p.intent != "SafetyIntent" for p in matcher.patterns)
    assert matcher.match("i don't feel safe", ["SafetyIntent", *GLOBAL_INTENTS]) is None
    assert matcher.match("i feel unseen", ["SafetyIntent"]) is None


def test_free_words_keep_what_follows_a_filler(matcher):
    assert matcher.content("um, I feel tired tonight") == "tired tonight"
    assert matcher.content("I noticed you cooked, thanks") == "you cooked, thanks"


def test_answers_count_only_when_asked_for(matcher):
    assert matcher.match("Jo", NAME, answers=False) is None
    assert matcher.match("call me Jo", NAME, answers=False).slots == {"name": "Jo"}


@pytest.mark.parametrize("said, name", [
    ("um I'm Jo", "Jo"), ("I'm called Mo", "Mo"), ("hi I'm Sam", "Sam"), ("hello, it's Kim", "Kim"),
    ("they call me Tom", "Tom"), ("name's Chris", "Chris"), ("Jamie, hi", "Jamie"),
    ("hey there I'm Rob", "Rob"), ("oh sorry, Taylor", "Taylor"), ("yeah it's Dan", "Dan"),
])
def test_names_said_with_a_greeting_or_a_lead_in(matcher, said, name):
    found = matcher.match(said, NAME)
    assert (found.intent, found.slots) == ("NameIntent", {"name": name})
