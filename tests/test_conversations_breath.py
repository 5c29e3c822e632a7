"""Every reply a person hears is breath-sized, joins and filled-in words included.

The conversation tests (through the engine, the Alexa endpoint and the voice loop) measure
each reply with the counter lint uses for authored turns (`dialogs.turn_length`): at most 45
words in text, by voice and on Alexa, 25 on a walk in an exercise for one person, and a
pause at least every 30 words. A reply giving the crisis numbers is never cut, so it is held
to another rule: at most 45 words before the first number, a pause before the numbers, and a
pause at least every 30 words; the after-safety question joins it on Alexa only (which must
ask to keep listening) and is a turn of its own elsewhere. These tests show the measure
failing where it should.
"""

from datetime import date

import pytest

from dialogs.book import load_book
from dialogs.model import Platform
from dialogs.turn_length import (
    SAFETY_WORDS_BEFORE_NUMBERS,
    crisis_numbers,
    reply_limit,
    reply_problem,
)
from rehearsal.engine_driver import engine_starter
from rehearsal.runner import Case, play
from rehearsal.script import load_script

BOOK = load_book()
NUMBERS = crisis_numbers(BOOK.messages.safety)
WORDS = "one two three four five six seven eight nine ten "


def test_the_crisis_numbers_are_read_from_the_safety_message():
    assert {"988", "1-800-799-7233", "88788"} == NUMBERS


@pytest.mark.parametrize(("text", "limit", "problem"), [
    (WORDS * 2 + "[pause] " + WORDS * 2 + "[pause] five.", 45, None),
    (WORDS * 2 + "[pause] " + WORDS * 2 + "[pause] " + WORDS + "ok", 45,
     "51 words, more than the 45 a person can hold in mind"),
    (WORDS * 2 + "[pause] " + WORDS * 2 + "[pause] six", 25,
     "41 words, more than the 25 a person can hold in mind"),
    (WORDS * 3 + "eleven", 45, "31 words without a pause, more than 30"),
    # a safety reply: long is allowed, but the numbers come early, after a pause
    (WORDS * 2 + "[pause] call 988. [pause] " + WORDS * 2 + "[pause] " + WORDS * 2, 45, None),
    (WORDS * 2 + "[pause] " + WORDS * 2 + "[pause] " + WORDS + "call 988.", 45,
     f"51 words before the first crisis number, more than {SAFETY_WORDS_BEFORE_NUMBERS}"),
    ("Stop here. Call 988. [pause] Or 1-800-799-7233.", 45,
     "no pause before the crisis numbers"),
    (WORDS + "[pause] call 988. " + WORDS * 3 + "[pause] ok", 45,
     "32 words without a pause, more than 30"),
])
def test_a_reply_is_measured_by_words_pauses_and_where_the_crisis_numbers_come(text, limit,
                                                                                problem):
    assert reply_problem(text, limit, NUMBERS) == problem


def test_the_walk_limit_is_for_exercises_for_one_person():
    walk_alone = BOOK.exercises["walk-gentle-start"]
    together = BOOK.exercises["honest-check-in"]
    assert reply_limit(walk_alone, Platform.WALK) == 25
    assert reply_limit(together, Platform.WALK) == 45
    assert reply_limit(BOOK.welcome, Platform.WALK) == 45
    assert reply_limit(walk_alone, Platform.ALEXA) == 45


def test_the_safety_message_is_heard_as_the_rule_says_on_every_platform():
    """The shipped words, and on Alexa the question after them."""
    message = BOOK.messages.safety[0]
    question = BOOK.welcome.steps["after_safety"].prompts("say", Platform.ALEXA)[0]
    assert reply_problem(message, 45, NUMBERS) is None
    assert reply_problem(f"{message} {question}", 45, NUMBERS) is None
    assert BOOK.welcome.steps["after_safety"].prompts("say", Platform.TEXT) == ()


def test_a_reply_too_long_to_hold_fails_naming_the_file_the_line_and_the_words(tmp_path):
    """A promise read back is joined by the engine, out of lint's sight."""
    long_promise = "I'll " + "really " * 40 + "text Alex when I'm late"
    path = tmp_path / "long-promise.yaml"
    path.write_text(f"""title: a promise too long to hear back in one breath
platforms: [text]
setup: {{names: [Sam, Alex], disclaimer_seen: true}}
script:
  - launch: {{exercise: promises}}
  - user: "yes"
  - user: "yes"
  - user: "yes"
  - user: either
    at: promises/promise
  - user: "{long_promise}"
    at: promises/heard
""")
    script, _ = load_script(path)
    case = Case(path, script, Platform.TEXT)
    outcome = play(case, engine_starter(BOOK, date(2026, 11, 29))(case, tmp_path))
    assert len(outcome.failures) == 1
    assert outcome.failures[0].startswith(
        "long-promise.yaml line 6 (user): the reply heard at promises/heard on text has ")
    assert "words, more than the 45 a person can hold in mind" in outcome.failures[0]
    assert "words without a pause" not in outcome.failures[0]
