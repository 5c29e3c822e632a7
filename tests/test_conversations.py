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
from dialogs.session import LOCAL_USER
from dialogs.store import SqliteStore

HERE = Path(__file__).parent / "conversations"
FILES = script_files([HERE])
TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def book():
    return load_book()


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_conversation_through_the_engine(path, book, tmp_path):
    script, _ = load_script(path)
    store = SqliteStore(tmp_path / "progress.sqlite3")
    prepare_store(store, script.setup, LOCAL_USER, TODAY)
    outcome = run_script(script, EngineDriver(book, store, today=TODAY), str(path))
    assert outcome.passed, "\n".join([*outcome.failures, "", *outcome.transcript])


def test_every_exercise_has_conversation_files(book):
    scripts = [load_script(p)[0] for p in FILES]
    assert covered_exercises(book, scripts) == set(book.exercises)
