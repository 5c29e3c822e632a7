"""Everyday answers to a yes-or-no question, read by their gist when no sample matches."""

import pytest

from dialogs.book import load_book
from dialogs.intents import (
    GLOBAL_INTENTS,
    HELP,
    NAVIGATE_HOME,
    NEXT,
    NO,
    PAUSE,
    PREVIOUS,
    REPEAT,
    UNSURE,
    YES,
)
from dialogs.matcher import Matcher


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_book().vocabulary)


YES_NO = (YES, NO, *GLOBAL_INTENTS)

ANSWERS = {
    YES: ["yeah sure why not", "yes i think we are", "i think so yeah", "um yeah okay",
          "yeah we both do", "we both do", "yes we feel safe", "yeah totally",
          "okay sounds good to me", "of course yes", "yeah i'm up for it", "yes, I guess so",
          "I think we're ready", "sure, not a problem", "yep all good", "aye",
          "yes that's fine with me", "yeah go for it", "i do yes", "ok let's go then",
          "we would", "absolutely we do", "yes i feel safe", "uh huh go on", "mm hm"],
    NO: ["not really no", "nah i'm good", "no thanks we're fine", "i don't think so",
         "not ready yet", "i'd rather not", "probably not", "no we are not", "we are not ready",
         "i don't want to", "nope, not yet", "i don't really think so", "ok but not now",
         "no i don't think we are", "we don't feel like it", "not right now thanks",
         "both of us don't", "i guess not", "nah mate", "i'm not", "uh uh", "uh-uh"],
    UNSURE: ["i'm not so sure", "no idea honestly", "yes and no", "i guess maybe", "kinda yeah",
             "i don't really know", "not sure really", "hard to tell", "i'm not too sure",
             "most of the time", "not always", "i think so maybe", "it depends on the day",
             "i don't even know", "i honestly couldn't say", "i have mixed feelings",
             "yes mostly", "sort of i guess", "i'm not a hundred percent"],
    REPEAT: ["sorry can you say that again", "what did you just say", "i didn't catch that sorry",
             "can you repeat the question", "what was that again", "i missed what you said",
             "sorry what was the question", "could you repeat that"],
}


@pytest.mark.parametrize("said, intent",
                         [(said, intent) for intent, answers in ANSWERS.items()
                          for said in answers])
def test_everyday_answers_are_read_by_their_gist(matcher, said, intent):
    found = matcher.match(said, YES_NO)
    assert found is not None and found.intent == intent


@pytest.mark.parametrize("said", [
    "we talked about money", "he cooked dinner", "i went for a run this morning", "tuesday",
    "it was a long week", "i feel tired", "the kids were at school",
    "yes no", "no yes",
])
def test_answers_without_a_clear_gist_are_not_guessed(matcher, said):
    assert matcher.match(said, YES_NO) is None


def test_a_long_answer_is_talk_not_an_answer(matcher):
    long = "yes " + "we spent the whole weekend at her parents and it rained every day " * 2
    assert matcher.match(long, YES_NO) is None


def test_the_gist_only_answers_what_the_step_asks(matcher):
    assert matcher.match("yeah we both do", GLOBAL_INTENTS) is None
    assert matcher.match("i'm not so sure", GLOBAL_INTENTS).intent == UNSURE


def test_someone_speaking_freely_is_not_read_for_a_gist(matcher):
    assert matcher.match("not really, it was hard", YES_NO, strict=True) is None
    assert matcher.match("sometimes i feel unheard", GLOBAL_INTENTS, strict=True) is None


@pytest.mark.parametrize("said", [
    "i am not sure how to put it", "we are really not sure about that",
    "i am honestly not sure"])
def test_not_sure_is_unsure_however_the_not_is_said(matcher, said):
    assert matcher.match(said, YES_NO).intent == UNSURE


@pytest.mark.parametrize(("said", "intent"), [
    ("i don't understand what you want us to say", HELP),
    ("sorry, i'm lost, what do you want from me", HELP),
    ("wait go back, i want to change what i said", PREVIOUS),
    ("take us back to the menu please", NAVIGATE_HOME),
])
def test_of_several_commands_the_one_said_in_most_words_is_meant(matcher, said, intent):
    assert matcher.match(said, YES_NO).intent == intent


@pytest.mark.parametrize(("said", "intent"), [
    ("i was going to say something about work but sorry can we pause", PAUSE),
    ("what hurt was the weekend oh wait can you say that again", REPEAT),
    ("my promise is um actually let's skip this one", NEXT),
    ("the thing that hurt was, um, hang on, the baby's crying", PAUSE),
    ("i'll call her at lunch, oh, can we go back one, i want to redo it", PREVIOUS),
    ("hang on, my phone's ringing", PAUSE),
    ("wait what", REPEAT),
    ("could you ask me that again", REPEAT),
    ("i have no clue", UNSURE),
])
def test_a_request_that_breaks_off_someones_words_is_heard(matcher, said, intent):
    assert matcher.match(said, GLOBAL_INTENTS, strict=True).intent == intent


def test_a_request_after_a_break_is_heard_at_a_question_but_never_beside_a_no(matcher):
    assert matcher.match("so I was going to say how work went but, sorry, what was the question "
                         "again", YES_NO).intent == REPEAT
    assert matcher.match("not really, um, let's move on", YES_NO).intent == NO
