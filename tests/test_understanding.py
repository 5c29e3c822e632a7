"""Commands, non-answers, outcomes, decisions, exercises and names as people say them: in
their own words, around the words the vocabulary lists, not only the words themselves."""

import pytest

from dialogs.book import load_book
from dialogs.intents import (
    CHOOSE_INTENT,
    DONE,
    GLOBAL_INTENTS,
    HELP,
    NAME,
    NAVIGATE_HOME,
    NEXT,
    NO,
    PAUSE,
    PAUSED_INTENTS,
    PREVIOUS,
    REPEAT,
    RESUME,
    START_OVER,
    STOP,
    UNSURE,
    YES,
)
from dialogs.matcher import Matcher


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_book().vocabulary)


YES_NO = (YES, NO, *GLOBAL_INTENTS)

COMMANDS = {
    PAUSE: ["hang on, someone's at the door", "give us two minutes", "one sec the dog's barking",
            "can we pause for a bit", "brb"],
    NEXT: ["can we jump to the next bit", "skip that part please", "ok, move on"],
    PREVIOUS: ["take us back one", "can we go back to the last question", "rewind please"],
    START_OVER: ["let's begin the whole thing again", "from the top please", "start from scratch"],
    STOP: ["let's call it a day", "that's enough for tonight", "ok goodnight", "switch off"],
    NAVIGATE_HOME: ["what other exercises are there", "can we try a different one",
                    "show me the list"],
    REPEAT: ["sorry, run that past me again", "i didn't catch that", "wait, what"],
    HELP: ["i'm lost, what am i meant to say", "how does this work exactly",
           "what do you want me to do"],
}


@pytest.mark.parametrize("said, intent", [(s, i) for i, said in COMMANDS.items() for s in said])
def test_commands_in_everyday_words(matcher, said, intent):
    found = matcher.match(said, YES_NO)
    assert found is not None and found.intent == intent, found


@pytest.mark.parametrize("said", ["ok we're back, where were we", "right, sorry, go on",
                                  "unpause", "we're ready again"])
def test_coming_back_from_a_pause_in_everyday_words(matcher, said):
    found = matcher.match(said, PAUSED_INTENTS)
    assert found is not None and found.intent == RESUME, found


@pytest.mark.parametrize("said, intent", [
    ("don't stop, we're fine", YES),  # a denied command is not the command
    ("no, stop asking me that", NO),  # a command beside other words leaves the answer
    ("not really, let's move on", NO),  # a no is never skipped past: the safety question
    ("hmm, not sure, next question", UNSURE),
    ("yes, let's keep going", YES),  # to a question, "keep going" is a yes, not a resume
    ("uh huh go on", YES),
    ("yes that's it", YES),
])
def test_a_command_word_inside_an_answer_leaves_the_answer(matcher, said, intent):
    found = matcher.match(said, YES_NO)
    assert found is not None and found.intent == intent, found


@pytest.mark.parametrize("said, intent", [
    ("um, I really don't know what to say", UNSURE),
    ("my mind's gone blank", UNSURE),
    ("hmm, let me think", UNSURE),
    ("sorry, can you repeat the question", REPEAT),
    ("what was the question again", REPEAT),
    ("give me a second", PAUSE),
    ("what do you mean", HELP),
    ("can you give me an example", HELP),
    ("ummm", UNSURE),
])
def test_a_non_answer_to_an_open_question_is_not_kept_as_the_answer(matcher, said, intent):
    found = matcher.match(said, GLOBAL_INTENTS, strict=True)
    assert found is not None and found.intent == intent, found


@pytest.mark.parametrize("said", [
    "I don't know why I snap when I'm tired",
    "what I heard is you want more help with the kids",
    "I'll stop checking my phone at dinner",
    "give me a second chance and I'll show you",
    "I'm not sure we talk enough about money",
    # command words inside someone's own words, after a break or not
    "i feel lonely even when he is sitting right next to me",
    "i'm sorry i snapped when you were only trying to help",
    "i feel like i'm always last on the list",
    "i will pray with you before bed even if it's just for a minute",
    "i just wish he said thank you more, that's all",
    "um, what i heard is you want more help at bedtime",
    "i've got a cold so i'm sniffly, sorry if you can't hear me",
    "sorry, i should help more with bedtime",
    "wait, i want to add something about sundays",
])
def test_an_answer_with_the_same_words_is_kept(matcher, said):
    assert matcher.match(said, GLOBAL_INTENTS, strict=True) is None


OUTCOME_ASKED = ("OutcomeIntent", YES, NO, *GLOBAL_INTENTS)


@pytest.mark.parametrize("said, outcome", [
    ("nope, it totally slipped my mind", "not_kept"),
    ("most days, just not on the weekend", "partly"),
    ("every single morning, didn't miss one", "kept"),
    ("sort of", "partly"),
    ("I managed it twice", "partly"),
    ("it went out the window, sorry", "not_kept"),
])
def test_how_a_promise_went_in_everyday_words(matcher, said, outcome):
    found = matcher.match(said, OUTCOME_ASKED)
    assert found is not None and found.slots == {"outcome": outcome}, found


DECISION_ASKED = ("DecisionIntent", YES, *GLOBAL_INTENTS)


@pytest.mark.parametrize("said, decision", [
    ("tweak it a little", "change"),
    ("make it Saturdays instead", "change"),
    ("bin it, it's run its course", "let_go"),
    ("same again next week please", "keep"),
    ("don't change a thing", "keep"),
])
def test_what_to_do_with_a_promise_in_everyday_words(matcher, said, decision):
    found = matcher.match(said, DECISION_ASKED)
    assert found is not None and found.slots == {"decision": decision}, found


MENU = (CHOOSE_INTENT, NO, *GLOBAL_INTENTS)


@pytest.mark.parametrize("said, exercise", [
    ("can we do the walking one", "walk-gentle-start"),
    ("the one about making it right after a row", "repair-after-a-hurt"),
    ("I'd like to feel heard tonight", "mirror-validate-empathise"),
    ("we might need a counsellor", "getting-support"),
])
def test_an_exercise_named_inside_a_longer_answer(matcher, said, exercise):
    found = matcher.match(said, MENU)
    assert found is not None and found.slots == {"choice": exercise}, found


@pytest.mark.parametrize("said", ["not the walk one", "the walk one or the promise one"])
def test_an_exercise_denied_or_one_of_two_is_not_chosen(matcher, said):
    found = matcher.match(said, MENU)
    assert found is None or found.intent != CHOOSE_INTENT, found


@pytest.mark.parametrize("said, name", [
    ("oh that'll be me, Priya", "Priya"),
    ("she's called Maeve", "Maeve"),
    ("ya its Wei lol", "Wei"),
    ("this is Kofi speaking", "Kofi"),
    ("Bo with a B", "Bo"),
    ("his name's Tomasz", "Tomasz"),
    ("first name's Ngozi", "Ngozi"),
])
def test_a_name_among_words_that_only_frame_it(matcher, said, name):
    found = matcher.match(said, (NAME, *GLOBAL_INTENTS))
    assert found is not None and found.slots == {"name": name}, found


@pytest.mark.parametrize("said", ["what do you need my name for", "why do you ask"])
def test_a_question_is_not_a_name(matcher, said):
    found = matcher.match(said, (NAME, *GLOBAL_INTENTS))
    assert found is None or found.intent != NAME, found


@pytest.mark.parametrize("said, intent", [("yesss", YES), ("nooo", NO), ("yeah nah", NO),
                                          ("nah yeah", YES), ("maybe another time", NO),
                                          ("could go either way", UNSURE), ("k", YES)])
def test_drawn_out_typed_and_regional_yes_and_no(matcher, said, intent):
    found = matcher.match(said, YES_NO)
    assert found is not None and found.intent == intent, found


def test_a_name_with_a_double_letter_is_not_respelled(matcher):
    found = matcher.match("Ann", (NAME, *GLOBAL_INTENTS))
    assert found.slots == {"name": "Ann"}


def test_done_said_while_speaking_freely(matcher):
    assert matcher.match("that's all I've got", GLOBAL_INTENTS, strict=True).intent == DONE
