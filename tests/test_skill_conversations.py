"""Conversation files through `POST /alexa`, as Alexa sends them, with a real SQLite store."""

import json
from datetime import date
from pathlib import Path

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import ResponseEnvelope

from dialogs.book import load_book
from dialogs.model import Platform
from rehearsal.alexa_driver import alexa_starter
from rehearsal.runner import cases, play
from rehearsal.script import covered_exercises, script_files

BOOK = load_book()
CASES = list(cases(script_files([Path(__file__).parent / "conversations"]), [Platform.ALEXA]))


@pytest.mark.parametrize("case", CASES, ids=[case.path.stem for case in CASES])
def test_conversation_through_the_alexa_endpoint(case, tmp_path):
    driver = alexa_starter(BOOK, date(2026, 11, 29))(case, tmp_path)
    outcome = play(case, driver)
    assert outcome.passed, outcome.report()
    serializer = DefaultSerializer()
    for body in driver.responses:
        parsed = serializer.deserialize(json.dumps(body), ResponseEnvelope)
        assert isinstance(parsed, ResponseEnvelope)
        response = body["response"]
        if not response.get("shouldEndSession", True):
            assert response["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")
            assert response["outputSpeech"]["ssml"] != "<speak></speak>"
        if "outputSpeech" in response:
            assert len(response["outputSpeech"]["ssml"]) <= 8000


def test_every_exercise_has_a_full_session_on_alexa():
    assert covered_exercises(BOOK, [case.script for case in CASES]) == set(BOOK.exercises)
