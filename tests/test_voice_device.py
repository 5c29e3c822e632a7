"""The device path for real: sounddevice through PortAudio and ALSA into a PulseAudio null
sink, whose monitor is the microphone. Only the person is simulated: a thread plays their
words into the sink when the loop is listening. The guide's own voice goes into the same
sink, so a loop that listened while speaking would hear itself."""

import shutil
import subprocess
import threading
import time

import pytest

from dialogs.model import Platform
from dialogs.session import LOCAL_USER
from local_voice.devices import Microphone, Speaker, list_devices
from local_voice.endpoint import EndpointConfig
from local_voice.loop import Listener, LoopSettings, VoiceLoop
from local_voice.recognize import Recognizer
from local_voice.speech import Synthesizer
from tests.voice_support import DAY, KOREAN_MODEL, couple_store, korean_book, speak_korean

SINK = "couplecare_test"


@pytest.fixture(scope="module")
def null_sink():
    """A PulseAudio daemon with a null sink as default output and its monitor as input. A
    daemon started here is stopped at the end."""
    assert shutil.which("pulseaudio"), "PulseAudio is needed: apt-get install pulseaudio"
    started = subprocess.run(["pactl", "info"], capture_output=True, timeout=30).returncode != 0
    if started:
        subprocess.run(["pulseaudio", "--start", "--exit-idle-time=-1"], check=True,
                       capture_output=True, timeout=30)
    module = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={SINK}"],
                            check=True, capture_output=True, text=True, timeout=30).stdout.strip()
    subprocess.run(["pactl", "set-default-sink", SINK], check=True, timeout=30)
    subprocess.run(["pactl", "set-default-source", f"{SINK}.monitor"], check=True, timeout=30)
    yield SINK
    subprocess.run(["pactl", "unload-module", module], check=False, timeout=30)
    if started:
        subprocess.run(["pulseaudio", "--kill"], check=False, timeout=30)


def test_devices_are_listed(null_sink, capsys):
    from couplecare.cli import main

    assert any(d.inputs and d.outputs for d in list_devices())
    assert main(["devices"]) == 0
    assert "default" in capsys.readouterr().out


class WatchedMicrophone(Microphone):
    """The real microphone, telling the simulated person when each listening turn begins
    (after the echo guard) or the conversation is over, and giving out after `patience`
    seconds so that a test whose person stopped talking ends instead of waiting for ever."""

    def __init__(self, device: str, patience: float):
        super().__init__(device)
        self.turns = 0
        self.closed = False
        self.changed = threading.Condition()
        self.deadline = time.monotonic() + patience

    def unmute(self, guard_seconds: float = 0.0) -> None:
        super().unmute(guard_seconds)
        with self.changed:
            self.turns += 1
            self.changed.notify_all()

    def close(self) -> None:
        super().close()
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def listening_turn(self, number: int, timeout: float) -> bool:
        """Wait until the `number`-th listening turn has begun; False once it never will."""
        with self.changed:
            self.changed.wait_for(lambda: self.turns >= number or self.closed, timeout=timeout)
            return self.turns >= number and not self.closed

    def frame(self) -> bytes | None:
        if time.monotonic() > self.deadline:
            return None
        return super().frame()


class _Told:
    """What the loop showed, printed whole in a failure (a list would be cut short)."""

    def __init__(self, shown: list[str]):
        self.shown = shown

    def __repr__(self) -> str:
        return "\n" + "\n".join(self.shown)


def test_a_conversation_through_the_sound_devices_without_hearing_itself(null_sink, tmp_path):
    book = korean_book(tmp_path)
    store = couple_store(tmp_path / "progress.sqlite3")
    microphone = WatchedMicrophone("default", patience=120)
    speaker = Speaker("default")
    settings = LoopSettings(endpoint=EndpointConfig(no_input_seconds=3.0))
    shown: list[str] = []
    loop = VoiceLoop(book, store, Platform.VOICE, Recognizer(KOREAN_MODEL), Synthesizer(),
                     speaker, settings, today=lambda: DAY,
                     show=shown.append)
    told = _Told(shown)
    yes = speak_korean("네", tmp_path / "yes.wav")
    script = [yes, yes, None, speak_korean("멈춰", tmp_path / "stop.wav")]

    def asked_to_confirm() -> bool:
        guide = [line for line in shown if line.startswith("guide:")]
        return bool(guide) and guide[-1].startswith("guide: Did you say")

    def person() -> None:
        """Says the script, one line per listening turn, answers yes whenever the guide
        asks whether it heard right, and says its last line again while the guide is still
        listening after it (a word lost on a loaded machine), as a person would."""
        turn, again = 0, 3
        last: object = None
        while True:
            turn += 1
            if not microphone.listening_turn(turn, timeout=60):
                return
            if asked_to_confirm():
                wav: object = yes
            elif script:
                wav = last = script.pop(0)
            elif again:
                wav, again = last, again - 1
            else:
                return
            if wav is not None:
                subprocess.run(["paplay", f"--device={null_sink}", str(wav)], check=True,
                               timeout=30)

    talker = threading.Thread(target=person, daemon=True)
    talker.start()
    try:
        loop.run(Listener(microphone, settings.endpoint), microphone, "yeonseup")
    finally:
        microphone.close()
    talker.join(timeout=30)
    assert not talker.is_alive() and script == [], told
    heard = [line.split(": ", 1)[1].rsplit(" (", 1)[0] for line in shown
             if line.startswith("heard:")]
    # only the person was heard, never the guide's own voice
    assert heard[:2] == ["네", "네"] and "멈춰" in heard and set(heard) == {"네", "멈춰"}, told
    guide = [line for line in shown if line.startswith("guide:")]
    # silence brings one of the no-input sayings (which one depends on what was said before)
    assert any(saying in line for line in guide
               for saying in ("Take your time", "whenever you're ready")), told
    assert loop.turn.end_session, told
    assert store.profile(LOCAL_USER).saved["yeonseup"]["step"] == "intro"
