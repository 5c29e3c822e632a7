"""Conversation files through `POST /alexa`, as Alexa sends them, with a real SQLite store."""

from datetime import date
from pathlib import Path

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import ResponseEnvelope

from dialogs.book import load_book
from dialogs.conversations import (
    covered_exercises,
    load_script,
    prepare_store,
    run_script,
    script_files,
)
from dialogs.model import Platform
from progress.sqlite import SqliteStore
from skill import create_app
from tests.alexa_support import AlexaDriver, user_key_for_tests

BOOK = load_book()
FILES = [p for p in script_files([Path(__file__).parent / "conversations"])
         if Platform.ALEXA in load_script(p)[0].platforms]


class Clock:
    day = date(2026, 11, 29)

    def __call__(self) -> date:
        return self.day


def alexa_driver(tmp_path):
    clock = Clock()
    app = create_app({"VERIFY_REQUESTS": False, "DATA_DIR": str(tmp_path), "TODAY": clock})
    store = SqliteStore(tmp_path / "progress.sqlite3")
    driver = AlexaDriver(app.test_client(), BOOK, store, clock.day)
    original = driver.new_session

    def new_session(days_later: int = 0) -> None:
        original(days_later)
        clock.day = driver.today

    driver.new_session = new_session
    return driver, store, clock


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_conversation_through_the_alexa_endpoint(path, tmp_path):
    script, _ = load_script(path)
    driver, store, clock = alexa_driver(tmp_path)
    prepare_store(store, script.setup, user_key_for_tests(), clock.day)
    outcome = run_script(script, driver, str(path))
    assert outcome.passed, "\n".join([*outcome.failures, "", *outcome.transcript])
    serializer = DefaultSerializer()
    for body in driver.responses:
        import json

        parsed = serializer.deserialize(json.dumps(body), ResponseEnvelope)
        assert isinstance(parsed, ResponseEnvelope)
        response = body["response"]
        if not response.get("shouldEndSession", True):
            assert response["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")
            assert response["outputSpeech"]["ssml"] != "<speak></speak>"
        if "outputSpeech" in response:
            assert len(response["outputSpeech"]["ssml"]) <= 8000


def test_every_exercise_has_a_full_session_on_alexa():
    scripts = [load_script(p)[0] for p in FILES]
    assert covered_exercises(BOOK, scripts) == set(BOOK.exercises)
