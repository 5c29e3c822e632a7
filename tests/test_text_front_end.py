"""The conversation files again, this time through the text front end's own input and output."""

import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from dialogs.book import load_book
from dialogs.conversations import Reply, load_script, prepare_store, run_script, script_files
from dialogs.engine import Profile, TimerElapsed
from dialogs.model import Platform
from dialogs.session import LOCAL_USER
from local_voice.text import TextConversation
from progress.sqlite import SqliteStore

FILES = [path for path in script_files([Path(__file__).parent / "conversations"])
         if Platform.TEXT in load_script(path)[0].platforms]
BOOK = load_book()


class TextDriver:
    """Types each line into the text front end and reads back what it printed."""

    def __init__(self, store: SqliteStore, today: date):
        self.store = store
        self.day = today
        self.new_session()

    def new_session(self, days_later: int = 0) -> None:
        self.day += timedelta(days=days_later)
        self.out = io.StringIO()
        self.text = TextConversation(BOOK, self.store, io.StringIO(), self.out,
                                     today=lambda: self.day)

    def _reply(self, act) -> Reply:
        start = self.out.tell()
        turn = act()
        printed = " ".join(self.out.getvalue()[start:].split())
        return Reply(printed, turn.at, turn.end_session)

    def launch(self, exercise):
        from dialogs.engine import Launch

        return self._reply(lambda: self.text.handle(Launch(exercise=exercise)))

    def user(self, text):
        return self._reply(lambda: self.text.answer(text))

    def silence(self):
        return self._reply(lambda: self.text.answer(""))

    def timer(self):
        return self._reply(lambda: self.text.handle(TimerElapsed()))

    def end(self):
        return self._reply(self.text.stop)

    def profile(self) -> Profile:
        return self.store.profile(LOCAL_USER)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_conversation_through_the_text_front_end(path, tmp_path):
    script, _ = load_script(path)
    store = SqliteStore(tmp_path / "progress.sqlite3")
    prepare_store(store, script.setup, LOCAL_USER, date(2026, 11, 29))
    outcome = run_script(script, TextDriver(store, date(2026, 11, 29)), str(path))
    assert outcome.passed, "\n".join([*outcome.failures, "", *outcome.transcript])


def test_piped_input_ending_mid_exercise_saves_and_says_so(tmp_path):
    store = SqliteStore(tmp_path / "progress.sqlite3")
    out = io.StringIO()
    stdin = io.StringIO("yes\nyes\nSam\nAlex\nhonest check-in\nyes\n")
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
    TextConversation(BOOK, store, Interrupting("yes\nyes\nSam\nAlex\ncheck in\nyes\n"),
                     out).run()
    assert "Your place is saved" in out.getvalue()
    assert store.profile(LOCAL_USER).saved["honest-check-in"]["step"] == "floor"
