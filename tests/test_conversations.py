"""Every conversation file, played through the engine and a real SQLite store."""

from datetime import date
from pathlib import Path

import pytest

from dialogs.book import load_book
from rehearsal.engine_driver import LOCAL_PLATFORMS, engine_starter
from rehearsal.runner import cases, play
from rehearsal.script import covered_exercises, load_script, script_files

HERE = Path(__file__).parent / "conversations"
FILES = script_files([HERE])
TODAY = date(2026, 11, 29)
CASES = list(cases(FILES, LOCAL_PLATFORMS, recognises=False))
"""The engine hears no speech: files about what a recogniser was unsure of are for the voice
loop (test_voice_conversations)."""


@pytest.fixture(scope="module")
def book():
    return load_book()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_conversation_through_the_engine(case, book, tmp_path):
    outcome = play(case, engine_starter(book, TODAY)(case, tmp_path))
    assert outcome.passed, outcome.report()


def test_every_exercise_has_conversation_files(book):
    scripts = [load_script(p)[0] for p in FILES]
    assert covered_exercises(book, scripts) == set(book.exercises)
