"""Every conversation file, played through the engine and a real SQLite store."""

from datetime import date
from pathlib import Path

import pytest

from dialogs.book import load_book
from dialogs.conversations import (
    EngineDriver,
    covered_exercises,
    load_script,
    prepare_store,
    run_script,
    script_files,
)
from dialogs.model import Platform
from dialogs.session import LOCAL_USER
from progress.sqlite import SqliteStore

HERE = Path(__file__).parent / "conversations"
FILES = script_files([HERE])
TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def book():
    return load_book()


LOCAL_PLATFORMS = (Platform.TEXT, Platform.VOICE, Platform.WALK)
CASES = [(path, platform) for path in FILES for platform in load_script(path)[0].platforms
         if platform in LOCAL_PLATFORMS]


@pytest.mark.parametrize("path, platform", CASES,
                         ids=[f"{p.stem}-{platform.value}" for p, platform in CASES])
def test_conversation_through_the_engine(path, platform, book, tmp_path):
    script, _ = load_script(path)
    store = SqliteStore(tmp_path / "progress.sqlite3")
    prepare_store(store, script.setup, LOCAL_USER, TODAY)
    driver = EngineDriver(book, store, platform=platform, today=TODAY)
    outcome = run_script(script, driver, str(path))
    assert outcome.passed, "\n".join([*outcome.failures, "", *outcome.transcript])


def test_every_exercise_has_conversation_files(book):
    scripts = [load_script(p)[0] for p in FILES]
    assert covered_exercises(book, scripts) == set(book.exercises)
