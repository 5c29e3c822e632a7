"""The conversation files again, this time through the text front end's own input and output."""

import io
from datetime import date
from pathlib import Path

import pytest

from dialogs.book import load_book
from dialogs.model import Platform
from dialogs.session import LOCAL_USER
from local_voice.text import TextConversation
from progress.sqlite import SqliteStore
from rehearsal.runner import cases, play
from rehearsal.script import script_files
from rehearsal.text_driver import text_starter

CASES = list(cases(script_files([Path(__file__).parent / "conversations"]), [Platform.TEXT]))
BOOK = load_book()


@pytest.mark.parametrize("case", CASES, ids=[case.path.stem for case in CASES])
def test_conversation_through_the_text_front_end(case, tmp_path):
    outcome = play(case, text_starter(BOOK, date(2026, 11, 29))(case, tmp_path))
    assert outcome.passed, outcome.report()


def test_piped_input_ending_mid_exercise_saves_and_says_so(tmp_path):
    store = SqliteStore(tmp_path / "progress.sqlite3")
    out = io.StringIO()
    stdin = io.StringIO("yes\nyes\nSam\nAlex\nhonest check-in\nyes\neither\n")
    TextConversation(BOOK, store, stdin, out).run()
    assert out.getvalue().rstrip().endswith("Run `couplecare talk` again to carry on.)")
    assert list(store.profile(LOCAL_USER).saved) == ["honest-check-in"]
    assert store.profile(LOCAL_USER).saved["honest-check-in"]["step"] == "floor"


def test_ctrl_c_mid_exercise_saves(tmp_path):
    class Interrupting(io.StringIO):
        def readline(self, *args):
            line = super().readline(*args)
            if not line:
                raise KeyboardInterrupt
            return line

    store = SqliteStore(tmp_path / "progress.sqlite3")
    out = io.StringIO()
    TextConversation(BOOK, store, Interrupting("yes\nyes\nSam\nAlex\ncheck in\nyes\neither\n"),
                     out).run()
    assert "Your place is saved" in out.getvalue()
    assert store.profile(LOCAL_USER).saved["honest-check-in"]["step"] == "floor"
