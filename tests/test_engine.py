"""The engine as a pure function: JSON state, purity, escalation, platforms, one-shots."""

import copy
import itertools
import json
import random
import string
from datetime import date

import pytest

from dialogs import engine, intents
from dialogs.book import load_book
from dialogs.engine import (
    ClearPosition,
    CompleteExercise,
    Context,
    ConversationState,
    IntentEvent,
    Launch,
    NoInput,
    Profile,
    SavePosition,
    SessionEnd,
    TimerElapsed,
    Utterance,
)
from dialogs.markup import to_plain
from dialogs.model import ListenMode, Platform
from dialogs.turn_length import TURN_WORDS, reply_problem
from tests.tiny import tiny_book

BOOK = load_book()
KNOWN = Profile(names=("Sam", "Alex"), disclaimer_seen=True)


def play(events, platform=Platform.TEXT, profile=KNOWN, state=None):
    """Run events, checking at every turn that state survives JSON and inputs are untouched."""
    context = Context(platform, profile, date(2026, 11, 29))
    turns = []
    for event in events:
        before = copy.deepcopy(state)
        turn = engine.step(BOOK, state, event, context)
        assert state == before, "the engine changed its input state"
        state = json.loads(json.dumps(turn.state))
        assert state == turn.state
        turns.append(turn)
    return turns


TO_FLOOR = [Launch(exercise="honest-check-in"), Utterance("yes"), Utterance("yes"),
            Utterance("yes"), Utterance("Sam")]


def test_a_direct_start_reaches_the_exercise_after_the_checks():
    turns = play(TO_FLOOR)
    assert [t.at for t in turns] == ["welcome/good_time", "welcome/safe_check",
                                     "honest-check-in/intro", "honest-check-in/who_first",
                                     "honest-check-in/floor"]
    assert turns[-1].listen.mode is ListenMode.TIMED
    assert turns[-1].listen.seconds == 120
    assert turns[-1].listen.end_intent == "DoneIntent"
    assert "Take about two minutes. When" in to_plain(turns[-1].speech)


def test_every_exercise_turn_saves_the_position():
    turns = play(TO_FLOOR)
    saved = [e for e in turns[-1].effects if isinstance(e, SavePosition)]
    assert saved == [SavePosition("honest-check-in", {
        "flow": "honest-check-in", "step": "floor", "speaker": 0,
        "vars": {"first": "Sam", "second": "Alex"}})]


def test_the_same_state_and_event_give_the_same_turn():
    state = play(TO_FLOOR)[-1].state
    one = play([Utterance("help")], state=state)[0]
    two = play([Utterance("help")], state=state)[0]
    assert one == two


def test_variants_do_not_repeat_back_to_back():
    state = play(TO_FLOOR[:3])[-1].state
    seen = []
    for _ in range(6):
        turn = play([Utterance("help")], state=state)[0]
        state = turn.state
        seen.append(turn.speech)
    variants = BOOK.flow("honest-check-in").help
    assert len(variants) == 1 or all(a != b for a, b in itertools.pairwise(seen))


def test_welcome_prompt_variants_alternate():
    book_variants = BOOK.welcome.steps["menu"].say
    assert len(book_variants) > 1
    state, said = None, []
    for event in [Launch(), Utterance("yes"), Utterance("yes")]:
        turn = play([event], state=state)[0]
        state = turn.state
    for _ in range(4):
        turn = play([Utterance("menu")], state=state)[0]
        state = turn.state
        said.append(turn.speech)
    assert all(a != b for a, b in itertools.pairwise(said))


@pytest.mark.parametrize("state", [
    {"v": 999, "flow": "welcome", "step": "menu"},
    {"flow": "no-such-exercise", "step": "x"},
    {"flow": "honest-check-in", "step": "no-such-step"},
    {"flow": "welcome", "step": "menu", "speaker": 7},
    {"unexpected": True},
    {"flow": "welcome", "step": "menu", "vars": {"x": {"nested": []}}},
])
def test_tampered_or_old_state_starts_cleanly(state):
    turn = play([Utterance("yes")], state=state)[0]
    assert turn.at == "welcome/good_time"
    assert not turn.end_session


def test_session_end_without_state_is_quiet():
    turn = play([SessionEnd()])[0]
    assert turn.end_session and turn.speech == "" and turn.effects == ()


def saved_steps(turn) -> list[tuple[str, str]]:
    """Which exercise and step each SavePosition of a turn keeps."""
    return [(e.exercise, e.position["step"]) for e in turn.effects
            if isinstance(e, SavePosition)]


def test_stop_saves_and_ends():
    turn = play([*TO_FLOOR, Utterance("stop")])[-1]
    assert turn.end_session
    assert "saved" in to_plain(turn.speech)
    assert saved_steps(turn) == [("honest-check-in", "floor")]


def test_timed_phase_on_alexa_saves_and_ends_with_how_to_come_back():
    turns = play(TO_FLOOR, platform=Platform.ALEXA)
    floor = turns[-1]
    assert floor.at == "honest-check-in/floor"
    assert floor.end_session
    assert "tell couple care we're done" in to_plain(floor.speech).lower()
    position = next(e for e in floor.effects if isinstance(e, SavePosition)).position
    comeback = Profile(names=("Sam", "Alex"), disclaimer_seen=True,
                       saved={"honest-check-in": position})
    asked, resumed = play([IntentEvent("DoneIntent"), IntentEvent("YesIntent")],
                          platform=Platform.ALEXA, profile=comeback)
    assert asked.at == "welcome/safe_check"  # nothing comes before the safety question
    assert resumed.at == "honest-check-in/paraphrase"
    assert "Alex" in to_plain(resumed.speech)
    assert not resumed.end_session


def test_timed_phase_locally_waits_checks_in_and_ends_on_the_timer():
    state = play(TO_FLOOR)[-1].state
    quiet = play([NoInput()], state=state)[0]
    assert quiet.at == "honest-check-in/floor" and not quiet.end_session
    assert "we're done" in to_plain(quiet.speech)
    talking = play([Utterance("I have been feeling a bit lonely lately")], state=state)[0]
    assert talking.speech == "" and talking.at == "honest-check-in/floor"
    elapsed = play([TimerElapsed()], state=state)[0]
    assert elapsed.at == "honest-check-in/paraphrase"


def test_free_speech_from_alexa_arrives_as_an_intent_with_text():
    state = play([*TO_FLOOR, Utterance("we're done")])[-1].state
    turn = play([IntentEvent("ShareIntent", {"text": "you feel tired"})], state=state)[0]
    assert turn.at == "honest-check-in/check"


def test_silence_escalates_then_pauses_with_the_place_kept_and_never_ends_the_session():
    turns = play([*TO_FLOOR[:3], NoInput(), NoInput(), NoInput(), NoInput()])
    assert not any(t.end_session for t in turns)
    assert "keep your place" in to_plain(turns[-2].speech)
    assert turns[-2].listen.intents == intents.PAUSED_INTENTS  # paused after the third
    assert turns[-1].speech == ""  # a paused guide stays quiet
    assert saved_steps(turns[-2]) == [("honest-check-in", "intro")]
    resumed = play([Utterance("resume"), NoInput()], state=turns[-1].state)
    assert "take your time" in to_plain(resumed[-1].speech).lower()  # the count starts again


def test_a_pause_asked_for_forgets_the_misses_so_far():
    turns = play([*TO_FLOOR[:3], Utterance("purple elephant"), Utterance("purple elephant"),
                  Utterance("pause"), Utterance("resume"), Utterance("purple elephant")])
    assert "didn't quite catch that" in to_plain(turns[-1].speech)


def test_words_before_any_launch_are_checked_for_danger():
    turn = play([Utterance("he put his hands around my neck")])[0]
    assert "988" in turn.speech


def test_answers_not_understood_bring_help_and_an_offer_to_pause_never_the_end():
    turns = play([*TO_FLOOR[:3], *[Utterance("purple elephant")] * 4])
    assert not any(t.end_session for t in turns)
    third = to_plain(turns[-2].speech).lower()
    assert "say pause" in third and "say repeat" in third  # the step's help, then the question
    assert reply_problem(turns[-2].speech, TURN_WORDS[Platform.TEXT]) is None


def test_completing_records_history_and_clears_the_position():
    events = [*TO_FLOOR, Utterance("done"), Utterance("I heard you"), Utterance("yes"),
              Utterance("no"), Utterance("done"), Utterance("I heard you"), Utterance("yes"),
              Utterance("no")]
    last = play(events)[-1]
    assert last.at == "welcome/after_exercise"
    assert CompleteExercise("honest-check-in") in last.effects
    assert ClearPosition("honest-check-in") in last.effects
    assert not any(isinstance(e, SavePosition) for e in last.effects)


def test_times_this_month_counts_earlier_completions():
    profile = Profile(names=("Sam", "Alex"), disclaimer_seen=True, completions=(
        ("honest-check-in", date(2026, 11, 2)), ("honest-check-in", date(2026, 11, 20)),
        ("honest-check-in", date(2026, 10, 30)), ("promises", date(2026, 11, 21))))
    events = [*TO_FLOOR, Utterance("done"), Utterance("I heard you"), Utterance("yes"),
              Utterance("no"), Utterance("done"), Utterance("I heard you"), Utterance("yes"),
              Utterance("no")]
    assert "third check-in this month" in to_plain(play(events, profile=profile)[-1].speech)


def test_not_feeling_safe_at_the_start_offers_only_what_one_person_can_do_alone():
    turns = play([Launch(), Utterance("yes"), Utterance("no"), Utterance("menu")])
    assert turns[2].at == "welcome/after_safety"
    assert "988" in turns[2].speech
    menu = to_plain(turns[3].speech).lower()
    with_partner = [e.title.lower() for e in BOOK.exercises.values() if e.needs_feeling_safe]
    alone = [e.title.lower() for e in BOOK.exercises.values() if not e.needs_feeling_safe]
    assert alone and all(t in menu for t in alone)
    assert not any(t in menu for t in with_partner)
    assert "gentle start for a walk" in with_partner  # it prepares a talk with the partner


def test_names_from_the_profile_are_used_and_unknown_names_are_asked():
    assert play([Launch(), Utterance("yes"), Utterance("yes")],
                profile=Profile(disclaimer_seen=True))[-1].at == "welcome/ask_first"


def test_promises_are_followed_up_on_a_later_day_not_the_same_one():
    from dialogs.engine import Agreement, AgreementKind

    today = date(2026, 11, 29)
    for made_on, expected in [(today, "welcome/menu"),
                              (date(2026, 11, 26), "welcome/agreement_ask")]:
        profile = Profile(names=("Sam", "Alex"), disclaimer_seen=True, agreements=(
            Agreement(1, AgreementKind.PROMISE, "Sam", "call at lunch", made_on),))
        turn = play([Launch(), Utterance("yes"), Utterance("yes")], profile=profile)[-1]
        assert turn.at == expected


def test_a_step_speaks_before_its_action_and_a_swap_comes_before_the_words(tmp_path):
    book = tiny_book(tmp_path, """
  one:
    say: "{speaker} first."
    on:
      YesIntent:
        swap: true
        say: "Over to {speaker}."
        goto: two
      NoIntent: leave
  two:
    say: "Done."
    end: true
  leave:
    say: "Another time, then."
    do: [menu]
""")
    context = Context(Platform.TEXT, KNOWN, date(2026, 11, 29))
    state = None
    for event in [Launch(exercise="tiny"), Utterance("yes"), Utterance("yes")]:
        state = engine.step(book, state, event, context).state
    swapped = engine.step(book, state, Utterance("yes"), context)
    assert to_plain(swapped.speech).startswith("Over to Alex. Done.")
    left = engine.step(book, state, Utterance("no"), context)
    assert to_plain(left.speech).startswith("Another time, then. W")
    assert left.at == "welcome/menu"


def test_the_turn_says_which_exercise_it_is_in():
    turns = play(TO_FLOOR)
    assert [t.exercise for t in turns] == [None, None, *["honest-check-in"] * 3]
    ended = play([SessionEnd("input closed")], state=turns[-1].state)[0]
    assert ended.exercise == "honest-check-in"


def test_the_state_keeps_its_short_json_keys():
    state = play(TO_FLOOR)[-1].state
    assert {"v", "vars", "variants", "history"} <= set(state)
    assert {"said", "said_z"} & set(state)
    assert not {"version", "variables", "last_variants", "last_speech", "platform"} & set(state)
    assert state["v"] == engine.STATE_VERSION
    assert "misses_input" not in state and "ended" not in state  # defaults are left out


def test_a_last_speech_too_long_to_keep_makes_repeat_say_the_step_again():
    """The state's bound drops what was said last when even packed it is too long; "repeat"
    then says where the conversation is rather than nothing or something else."""
    floor = play(TO_FLOOR)[-1]
    state = ConversationState.model_validate(floor.state)
    noise = random.Random(5)
    state.last_speech = " ".join("".join(noise.choices(string.ascii_letters, k=7))
                                 for _ in range(200))
    short = state.to_json()
    assert "said" not in short and "said_z" not in short
    again = play([Utterance("repeat")], state=short)[0]
    assert again.speech and again.at == floor.at
    assert to_plain(again.speech).split(".")[0] in to_plain(floor.speech)
    kept = play([Utterance("repeat")], state=floor.state)[0]
    assert kept.speech == floor.speech


def test_the_short_json_form_of_the_state_keeps_everything():
    """What `back` and `repeat` need comes back whole from the short JSON form: places kept
    for back with variables set, changed and unset since, and a long speech packed."""
    state = ConversationState.model_validate({
        "platform": "alexa", "flow": "honest-check-in", "step": "floor", "speaker": 1,
        "vars": {"first": "Sam", "second": "Alex", "swapped": True, "n": 1},
        "said": "Alex, you have the floor. [pause 0.5] " * 8, "turn": 9, "history": [
            {"flow": "honest-check-in", "step": "intro", "speaker": 0,
             "vars": {"first": "Sam", "second": "Alex", "n": True}},
            {"flow": "honest-check-in", "step": "floor", "speaker": 0,
             "vars": {"first": "Sam", "second": "Alex", "topic": "work", "n": 1}},
            {"flow": "honest-check-in", "step": "floor", "speaker": 1,
             "vars": {"first": "Sam", "second": "Alex", "swapped": True, "n": 1}}]})
    short = state.to_json()
    assert "said_z" in short and len(json.dumps(short)) < len(state.model_dump_json())
    again = ConversationState.model_validate(json.loads(json.dumps(short)))
    again.platform = Platform.ALEXA
    assert again == state
    assert type(again.history[0]["vars"]["n"]) is bool


@pytest.mark.parametrize("heard", ["not Sam", "let Alex start", "Alex will go first"])
def test_who_goes_first_on_alexa_reads_the_words_of_a_name_slot_that_is_not_one_name(heard):
    """Alexa fills the name it asked for with every word said; "not Sam" is no first name, so
    only the words heard say who starts."""
    state = play(TO_FLOOR[:4], platform=Platform.ALEXA)[-1].state
    turn = play([IntentEvent("NameIntent", {}, heard=(heard,))], platform=Platform.ALEXA,
                state=state)[0]
    assert turn.at == "honest-check-in/floor"
    assert to_plain(turn.speech).startswith("Alex, you have the floor")
    unclear = play([IntentEvent("NameIntent", {}, heard=("she will",))],
                   platform=Platform.ALEXA, state=state)[0]
    assert unclear.at == "honest-check-in/who_first"


def test_a_refused_skip_in_a_timed_phase_on_alexa_is_remembered_into_the_next_session():
    """On Alexa each "skip" in a timed phase opens a new session: the reason is said once,
    then help or a pause is offered, and every reply says how to come back."""
    floor = play(TO_FLOOR, platform=Platform.ALEXA)[-1]
    profile = KNOWN
    replies = []
    for _ in range(2):
        position = next(e for e in floor.effects if isinstance(e, SavePosition)).position
        profile = Profile(names=("Sam", "Alex"), disclaimer_seen=True,
                          saved={"honest-check-in": position})
        floor = play([IntentEvent("NextIntent"), IntentEvent("YesIntent")],
                     platform=Platform.ALEXA, profile=profile)[-1]
        replies.append(to_plain(floor.speech))
        assert floor.at == "honest-check-in/floor" and floor.end_session
        assert "tell couple care we're done" in replies[-1]
    assert "Sam's turn can't be skipped" in replies[0]
    assert "Sam's turn can't be skipped" not in replies[1]
    assert "say help" in replies[1]
