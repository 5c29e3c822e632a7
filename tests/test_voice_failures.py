"""What goes wrong around the voice loop: each failure has a clear message and loses nothing."""

import dataclasses
from pathlib import Path

import pytest

from dialogs.engine.turn import Listen
from dialogs.model import ListenMode, Platform
from dialogs.session import LOCAL_USER
from local_voice import devices, voice
from local_voice.audio import Audio, read_wav
from local_voice.devices import DeviceError
from local_voice.endpoint import Ending
from local_voice.loop import (
    WALK_SETTINGS,
    FolderOutput,
    Heard,
    Listener,
    LoopSettings,
    VoiceLoop,
    WavInput,
)
from local_voice.recognize import Transcript, Word, model_path
from local_voice.speech import Synthesizer
from tests.voice_support import DAY, couple_store, korean_book, speech_folder


class Recognizer:
    """Hears what the files say by their order; can fail or be unsure on request. A second
    listen to the same audio without a grammar (the loop's check for words a grammar cannot
    hold) hears `second_listen`."""

    def __init__(self, texts, failing=(), unsure=(), second_listen=""):
        self.texts, self.failing, self.unsure, self.count = list(texts), failing, unsure, 0
        self.second_listen, self.last_audio = second_listen, None

    def transcribe(self, audio, phrases=None):
        if phrases is None and audio is self.last_audio:
            return Transcript(self.second_listen, tuple(
                Word(w, 1.0) for w in self.second_listen.split()))
        self.last_audio = audio
        self.count += 1
        if self.count in self.failing:
            raise RuntimeError("recogniser crashed")
        text = self.texts.pop(0)
        confidence = 0.2 if self.count in self.unsure else 1.0
        return Transcript(text, tuple(Word(w, confidence) for w in text.split()))


class Unplugged(WavInput):
    """A microphone that goes away after some frames."""

    def __init__(self, paths, after_frames, error=DeviceError):
        super().__init__(paths)
        self.left = after_frames
        self.error = error

    def frame(self):
        self.left -= 1
        if self.left < 0:
            raise self.error("The microphone stopped working.") if self.error is DeviceError \
                else self.error()
        return super().frame()


@pytest.fixture(scope="module")
def synthesizer():
    return Synthesizer(rate=300)


def setup_for(tmp_path, synthesizer, recognizer, source):
    book = korean_book(tmp_path)
    store = couple_store(tmp_path / "progress.sqlite3")
    shown = []
    loop = VoiceLoop(book, store, Platform.VOICE, recognizer, synthesizer,
                     FolderOutput(tmp_path / "out"), LoopSettings(),
                     today=lambda: DAY, show=shown.append)
    return voice.VoiceSetup(loop, Listener(source, LoopSettings().endpoint), source), store, shown


def test_an_unsure_answer_is_asked_again_not_guessed(tmp_path, synthesizer):
    said = sorted(speech_folder(tmp_path / "said", ["네", "네", "네", "네"]).glob("*.wav"))
    recognizer = Recognizer(["네", "네", "아니요", "네"], unsure={3})
    setup, _, shown = setup_for(tmp_path, synthesizer, recognizer, WavInput(said))
    voice.run(setup, "yeonseup")
    guide = [line for line in shown if line.startswith("guide:")]
    assert "didn't quite catch that" in guide[3]
    assert setup.loop.turn.at == "yeonseup/share"


def test_danger_a_grammar_cannot_hold_is_heard_openly_and_stops_the_exercise(tmp_path,
                                                                           synthesizer):
    said = sorted(speech_folder(tmp_path / "said", ["네", "네", "네"]).glob("*.wav"))
    recognizer = Recognizer(["네", "네", ""], second_listen="저는 정말 위험 해요")
    setup, _, shown = setup_for(tmp_path, synthesizer, recognizer, WavInput(said))
    voice.run(setup, "yeonseup")
    assert any("988" in line for line in shown if line.startswith("guide:"))
    assert setup.loop.turn.at.startswith("welcome/after_safety") or setup.loop.turn.end_session


def test_a_recogniser_error_costs_a_reprompt_not_the_session(tmp_path, synthesizer):
    said = sorted(speech_folder(tmp_path / "said", ["네", "네", "네", "네"]).glob("*.wav"))
    setup, _, shown = setup_for(tmp_path, synthesizer, Recognizer(["네", "네", "네"],
                                                                      failing={2}),
                                    WavInput(said))
    voice.run(setup, "yeonseup")
    assert any("speech recognition failed: recogniser crashed" in line for line in shown)
    assert setup.loop.turn.at == "yeonseup/share"


def test_a_device_that_disappears_mid_session_saves_and_says_so(tmp_path, synthesizer):
    said = sorted(speech_folder(tmp_path / "said", ["네", "네", "네"]).glob("*.wav"))
    setup, store, _ = setup_for(tmp_path, synthesizer, Recognizer(["네", "네", "네"]),
                                Unplugged(said, after_frames=200))
    message = voice.run(setup, "yeonseup")
    assert message.startswith("The microphone stopped working.")
    assert "Your place is saved" in message
    assert store.profile(LOCAL_USER).saved["yeonseup"]["step"] == "intro"


def test_ctrl_c_saves(tmp_path, synthesizer):
    said = sorted(speech_folder(tmp_path / "said", ["네", "네", "네"]).glob("*.wav"))
    setup, store, _ = setup_for(tmp_path, synthesizer, Recognizer(["네", "네", "네"]),
                                Unplugged(said, after_frames=200, error=KeyboardInterrupt))
    assert voice.run(setup, "yeonseup") == voice.SAVED
    assert store.profile(LOCAL_USER).saved["yeonseup"]["step"] == "intro"


def test_no_input_device_is_explained(monkeypatch):
    monkeypatch.setattr("sounddevice.query_devices", lambda: [])
    monkeypatch.setattr(devices, "sound_server_down", lambda: False)
    with pytest.raises(DeviceError, match=r"No sound input device was found\. Connect a "
                                          "microphone"):
        devices.Microphone()
    with pytest.raises(DeviceError, match="speakers or headphones"):
        devices.Speaker()


def test_talk_falls_back_to_text_without_a_microphone(tmp_path, monkeypatch, capsys):
    from couplecare.cli import main
    from tests.voice_support import KOREAN_MODEL

    monkeypatch.setenv("COUPLECARE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("sounddevice.query_devices", lambda: [])
    monkeypatch.setattr(devices, "sound_server_down", lambda: False)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("no\n"))
    assert main(["talk", "--model", str(KOREAN_MODEL)]) == 0
    captured = capsys.readouterr()
    assert "Voice mode can't start: No sound input device was found" in captured.err
    assert "we'll talk in text instead" in captured.err


def test_walk_mode_in_text_starts_the_solo_walk(tmp_path, monkeypatch, capsys):
    from couplecare.cli import main

    monkeypatch.setenv("COUPLECARE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("yes\nyes\n"))
    assert main(["talk", "--walk", "--text"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "a few minutes on your own" in out
    assert "Just for you." in out  # the walk's own, shorter wording


def test_the_model_location_can_be_set(tmp_path, monkeypatch):
    monkeypatch.delenv("COUPLECARE_VOSK_MODEL", raising=False)
    assert model_path(None, tmp_path) == tmp_path / "models" / "vosk-model-small-en-us"
    monkeypatch.setenv("COUPLECARE_VOSK_MODEL", str(tmp_path / "mine"))
    assert model_path(None, tmp_path) == tmp_path / "mine"
    assert model_path("/explicit", tmp_path) == Path("/explicit")


def test_voices_are_listed_and_an_unknown_voice_is_explained(capsys):
    from couplecare.cli import main
    from local_voice.speech import SpeechError

    assert main(["voices"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed and all("\t" in line for line in listed)
    name = listed[0].split("\t")[1]
    assert Synthesizer(voice=name).render("Hello.") is not None
    with pytest.raises(SpeechError, match="Run `couplecare voices`"):
        Synthesizer(voice="no such voice at all")


def test_an_answer_cut_at_the_length_cap_is_asked_again_kindly(tmp_path, synthesizer):
    setup, _, shown = setup_for(tmp_path, synthesizer, Recognizer(["네"]), WavInput([]))
    asked = setup.loop.start("yeonseup").at
    rambling = Audio(bytes(2 * 16000 * 3), 16000)
    turn = setup.loop.respond(Heard(rambling, Ending.MAX_LENGTH), 45.0)
    assert turn.at == asked  # the same question again: what was heard is not taken as yes
    assert shown[-1].startswith("guide: I'm sorry, that ran longer than I can follow")
    wav = sorted((tmp_path / "out").glob("*.wav"))[-1]
    assert read_wav(wav).seconds > 2.0  # said aloud, not only printed
    setup.loop.respond(Heard(rambling, Ending.MAX_LENGTH), 45.0)
    assert shown[-1].startswith("guide: I'm afraid I lost the thread")  # the other variant


def test_danger_in_an_answer_cut_at_the_length_cap_still_stops_the_exercise(tmp_path,
                                                                            synthesizer):
    recognizer = Recognizer([""], second_listen="저는 정말 위험 해요")
    setup, _, shown = setup_for(tmp_path, synthesizer, recognizer, WavInput([]))
    setup.loop.start("yeonseup")
    setup.loop.respond(Heard(Audio(bytes(2 * 16000 * 3), 16000), Ending.MAX_LENGTH), 45.0)
    assert any("988" in line for line in shown if line.startswith("guide:"))
    assert not any("lost the thread" in line for line in shown)


def test_danger_heard_openly_in_free_talk_cut_at_the_length_cap_still_stops(tmp_path,
                                                                            synthesizer):
    """Free talk is heard openly for danger while the guide goes on; an answer cut at the cap
    waits for that before saying it lost the thread."""
    recognizer = Recognizer([""], second_listen="저는 정말 위험 해요")
    setup, _, shown = setup_for(tmp_path, synthesizer, recognizer, WavInput([]))
    loop = setup.loop
    loop.start("yeonseup")
    loop.turn = dataclasses.replace(loop.turn, listen=Listen(ListenMode.ANY_WORDS,
                                                             loop.turn.listen.intents))
    loop.respond(Heard(Audio(bytes(2 * 16000 * 3), 16000), Ending.MAX_LENGTH), 45.0)
    assert any("988" in line for line in shown if line.startswith("guide:"))
    assert not any("lost the thread" in line for line in shown)


def test_an_open_question_waits_longer_for_the_end_of_an_answer(tmp_path, synthesizer):
    setup, _, _ = setup_for(tmp_path, synthesizer, Recognizer([]), WavInput([]))
    loop = setup.loop
    loop.start("yeonseup")
    assert loop.end_silence() == LoopSettings().endpoint.end_silence_seconds == 1.2
    loop.turn = dataclasses.replace(loop.turn, listen=Listen(ListenMode.ANY_WORDS))
    assert loop.end_silence() == LoopSettings().endpoint.reflective_end_silence_seconds == 2.0
    assert WALK_SETTINGS.endpoint.end_silence_seconds == 1.5
    assert WALK_SETTINGS.endpoint.reflective_end_silence_seconds == 2.5


def test_a_crash_of_the_speech_engine_costs_one_attempt_not_the_session():
    """espeak has crashed its process under load; the guide's voice must outlive that."""
    import os
    import signal

    speaker = Synthesizer(rate=300)
    try:
        crashed = speaker._worker.process
        os.kill(crashed.pid, signal.SIGSEGV)
        crashed.wait(timeout=10)
        audio = speaker.words("Still here.", 300)
        assert audio.seconds > 0.3
        assert speaker._worker.process.pid != crashed.pid
    finally:
        speaker.close()


def test_a_speech_engine_that_keeps_crashing_is_reported_in_words(monkeypatch):
    from local_voice import speech

    speaker = Synthesizer(rate=300)
    started = []

    class CrashingWorker(speech._Worker):
        def run(self, text, rate, path):
            started.append(self.process.pid)
            self.process.kill()
            return super().run(text, rate, path)

    try:
        monkeypatch.setattr(speech, "_Worker", CrashingWorker)
        speaker._worker = CrashingWorker(None)
        with pytest.raises(speech.SpeechError, match="speech process ended"):
            speaker.words("Hello.", 300)
        assert len(set(started)) == speech.ATTEMPTS  # a fresh process for every attempt
    finally:
        speaker.close()
