"""The session state stays small however long a couple talks: a long, wandering Alexa
session through the real Flask app (many exercises, repeats, help, back, pauses, shared words
and new sessions), with the session attributes measured after every request."""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

import pytest

from dialogs.book import load_book
from dialogs.markup import to_plain
from rehearsal.alexa_requests import envelope, intent_request, launch_request, slot
from skill import create_app, handlers

MAX_STATE = 1024
"""Bytes of session attributes, as the skill sends them, after any number of turns."""

BOOK = load_book()
SHARED = ["you feel tired after work and you want more time for yourself",
          "I will call my mother on Sunday and tell you when I get home",
          "you miss our walks by the river and the long talks we had",
          "I felt left out when you made plans with your friends without asking me first",
          "thank you for cooking dinner every night this week even when you were busy"]
SPOKEN = [  # (weight, intent, slots)
    (12, "AMAZON.YesIntent", None), (3, "AMAZON.NoIntent", None),
    (3, "AMAZON.HelpIntent", None), (3, "AMAZON.RepeatIntent", None),
    (2, "AMAZON.PreviousIntent", None), (2, "AMAZON.NextIntent", None),
    (1, "AMAZON.NavigateHomeIntent", None), (3, "DoneIntent", None),
    (1, "UnsureIntent", None), (1, "AMAZON.PauseIntent", None),
    (1, "AMAZON.ResumeIntent", None), (1, "AMAZON.FallbackIntent", None),
    (1, "AMAZON.StartOverIntent", None), (1, "AMAZON.StopIntent", None),
    (2, "NameIntent", "name"), (5, "ChooseExerciseIntent", "choice"),
    (1, "OutcomeIntent", "outcome"), (1, "DecisionIntent", "decision"),
    (5, "ShareIntent", "text"),
]


def slot_value(rng: random.Random, slot_name: str) -> dict[str, Any]:
    if slot_name == "name":
        return slot(rng.choice(["Sam", "Alex", "Priya", "Jordan", "Maximilian"]))
    if slot_name == "choice":
        exercise = rng.choice(list(BOOK.exercises.values()))
        return slot(exercise.title.lower(), exercise.id)
    if slot_name == "outcome":
        return slot(rng.choice(["kept", "not kept", "partly"]))
    if slot_name == "decision":
        return slot(rng.choice(["keep it going", "change it", "let it go"]))
    return slot(rng.choice(SHARED))


def state_bytes(body: dict[str, Any]) -> int:
    return len(json.dumps(body.get("sessionAttributes") or {}, separators=(",", ":")))


@pytest.fixture
def post(tmp_path):
    client = create_app({"VERIFY_REQUESTS": False, "DATA_DIR": str(tmp_path)}).test_client()

    def send(payload: dict[str, Any]) -> dict[str, Any]:
        answer = client.post("/alexa", json=payload)
        assert answer.status_code == 200
        body = answer.get_json()
        assert "Your place is saved, so please try again" not in json.dumps(body)
        return body

    return send


def test_the_session_state_stays_within_a_kilobyte_however_long_the_session(post):
    rng = random.Random(12)
    weights, spoken = zip(*[(weight, (name, slot_name)) for weight, name, slot_name in SPOKEN],
                          strict=True)
    attributes: dict[str, Any] | None = None
    largest, flows, intents_sent = 0, set(), []
    for _ in range(800):
        if attributes is None:
            request, new = launch_request(), True
        else:
            name, slot_name = rng.choices(spoken, weights)[0]
            slots = {slot_name: slot_value(rng, slot_name)} if slot_name else None
            request, new = intent_request(name, slots), False
            intents_sent.append(name)
        body = post(envelope(request, None if new else attributes, new=new))
        size = state_bytes(body)
        assert size <= MAX_STATE, (size, intents_sent[-5:], body.get("sessionAttributes"))
        largest = max(largest, size)
        ended = body["response"].get("shouldEndSession", True)
        attributes = None if ended else body["sessionAttributes"]
        if attributes:
            flows.add(attributes[handlers.STATE].get("flow", "welcome"))
    # the walk went where a long session goes, so the bound was tested there
    assert len(flows - {"welcome"}) >= 5, flows
    assert intents_sent.count("AMAZON.RepeatIntent") >= 40
    assert intents_sent.count("AMAZON.HelpIntent") >= 40
    assert intents_sent.count("ShareIntent") >= 60
    assert largest > MAX_STATE * 3 // 4, largest


def test_after_a_long_session_wording_with_a_choice_still_changes_each_time(post):
    """What the bound drops (the variants of prompts not heard for a while) must not bring
    back the same wording twice in a row, even with other prompts said in between."""
    rng = random.Random(3)
    attributes = post(envelope(launch_request(), new=True))["sessionAttributes"]
    for name in ["AMAZON.YesIntent", "AMAZON.YesIntent"]:
        attributes = post(envelope(intent_request(name), attributes))["sessionAttributes"]
    for _ in range(60):
        name = rng.choice(["AMAZON.HelpIntent", "AMAZON.RepeatIntent", "AMAZON.FallbackIntent",
                           "AMAZON.NavigateHomeIntent"])
        attributes = post(envelope(intent_request(name), attributes))["sessionAttributes"]
    heard: list[str] = []
    for _ in range(8):
        for name in ["AMAZON.NavigateHomeIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent"]:
            body = post(envelope(intent_request(name), attributes))
            heard.append(to_plain(body["response"]["outputSpeech"]["ssml"]))
            attributes = body["sessionAttributes"]
    for variants in [BOOK.welcome.steps["menu"].say, BOOK.messages.paused,
                     BOOK.messages.resumed]:
        openings = [to_plain(variant).split(":")[0].split(".")[0] for variant in variants]
        assert len(set(openings)) > 1
        said = [o for speech in heard for o in openings if o in speech]
        assert len(said) >= 8 and all(a != b for a, b in itertools.pairwise(said)), said
