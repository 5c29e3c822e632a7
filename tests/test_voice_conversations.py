"""The conversation files through the voice loop. Only recognition is scripted: each line a
person says comes back as its text, and a phrase outside the step's grammar comes back as
unknown speech, as Vosk would return it. Speech is synthesised for real."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from dialogs.book import load_book
from dialogs.conversations import Reply, load_script, prepare_store, run_script, script_files
from dialogs.markup import to_plain
from dialogs.matcher import normalise
from dialogs.model import Platform
from dialogs.session import LOCAL_USER
from local_voice.audio import Audio
from local_voice.loop import Heard, Quiet, TimeUp, VoiceLoop
from local_voice.recognize import Transcript, Word
from local_voice.speech import Synthesizer
from progress.sqlite import SqliteStore

BOOK = load_book()
LOCAL = (Platform.VOICE, Platform.WALK)
CASES = [(path, platform) for path in script_files([Path(__file__).parent / "conversations"])
         for platform in load_script(path)[0].platforms if platform in LOCAL]


class ScriptedRecognizer:
    def transcribe(self, audio: Audio, phrases: list[str] | None = None) -> Transcript:
        text = audio.pcm.decode()
        if phrases is not None and normalise(text) not in {normalise(p) for p in phrases}:
            return Transcript("")
        return Transcript(text, tuple(Word(w, 1.0) for w in text.split()))


class Silent:
    def __init__(self):
        self.played = 0

    def play(self, audio: Audio) -> None:
        assert audio.seconds > 0
        self.played += 1


@pytest.fixture(scope="module")
def synthesizer():
    return Synthesizer(rate=400)


class LoopDriver:
    def __init__(self, store, platform, synthesizer, day):
        self.store, self.platform, self.synthesizer, self.day = store, platform, synthesizer, day
        self.new_session()

    def new_session(self, days_later: int = 0) -> None:
        self.day += timedelta(days=days_later)
        self.loop = VoiceLoop(BOOK, self.store, self.platform, ScriptedRecognizer(),
                              self.synthesizer, Silent(),
                              today=lambda: self.day)

    def _reply(self, turn) -> Reply:
        turn = turn or self.loop.turn
        return Reply(to_plain(turn.speech), turn.at, turn.end_session)

    def launch(self, exercise):
        return self._reply(self.loop.start(exercise))

    def user(self, text):
        return self._reply(self.loop.respond(Heard(Audio(text.encode(), 16000))))

    def silence(self):
        return self._reply(self.loop.respond(Quiet()))

    def timer(self):
        return self._reply(self.loop.respond(TimeUp()))

    def end(self):
        self.loop.stop("ended")
        return Reply("", self.loop.turn.at, True)

    def profile(self):
        return self.store.profile(LOCAL_USER)


@pytest.mark.parametrize("path, platform", CASES,
                         ids=[f"{p.stem}-{platform.value}" for p, platform in CASES])
def test_conversation_through_the_voice_loop(path, platform, synthesizer, tmp_path):
    script, _ = load_script(path)
    store = SqliteStore(tmp_path / "progress.sqlite3")
    day = date(2026, 11, 29)
    prepare_store(store, script.setup, LOCAL_USER, day)
    outcome = run_script(script, LoopDriver(store, platform, synthesizer, day), str(path))
    assert outcome.passed, "\n".join([*outcome.failures, "", *outcome.transcript])
