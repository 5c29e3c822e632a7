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
    """A PulseAudio daemon with a null sink as default output and its monitor as input."""
    assert shutil.which("pulseaudio"), "PulseAudio is needed: apt-get install pulseaudio"
    if subprocess.run(["pactl", "info"], capture_output=True).returncode != 0:
        subprocess.run(["pulseaudio", "--start", "--exit-idle-time=-1"], check=True,
                       capture_output=True)
    module = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={SINK}"],
                            check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run(["pactl", "set-default-sink", SINK], check=True)
    subprocess.run(["pactl", "set-default-source", f"{SINK}.monitor"], check=True)
    yield SINK
    subprocess.run(["pactl", "unload-module", module], check=False)


def test_devices_are_listed(null_sink, capsys):
    from couplecare.cli import main

    assert any(d.inputs and d.outputs for d in list_devices())
    assert main(["devices"]) == 0
    assert "default" in capsys.readouterr().out


def test_a_conversation_through_the_sound_devices_without_hearing_itself(null_sink, tmp_path):
    book = korean_book(tmp_path)
    store = couple_store(tmp_path / "progress.sqlite3")
    microphone = Microphone("default")
    speaker = Speaker("default")
    settings = LoopSettings(endpoint=EndpointConfig(no_input_seconds=3.0))
    shown: list[str] = []
    loop = VoiceLoop(book, store, Platform.VOICE, Recognizer(KOREAN_MODEL), Synthesizer(),
                     speaker, settings, today=lambda: DAY,
                     show=shown.append)
    said = [speak_korean(p, tmp_path / f"{i}.wav") if p else None
            for i, p in enumerate(["네", "네", None, "멈춰"])]

    def person() -> None:
        while not microphone._muted:  # the guide starts speaking
            time.sleep(0.05)
        for wav in said:
            while microphone._muted:
                time.sleep(0.05)
            if wav is not None:
                time.sleep(0.4)
                subprocess.run(["paplay", f"--device={null_sink}", str(wav)], check=True)
            while not microphone._muted:
                time.sleep(0.05)

    talker = threading.Thread(target=person, daemon=True)
    talker.start()
    try:
        loop.run(Listener(microphone, settings.endpoint), microphone, "yeonseup")
    finally:
        microphone.close()
    talker.join(timeout=5)
    heard = [line.split(": ", 1)[1].rsplit(" (", 1)[0] for line in shown
             if line.startswith("heard:")]
    assert heard == ["네", "네", "멈춰"], shown
    guide = [line for line in shown if line.startswith("guide:")]
    assert "Take your time" in guide[-2]
    assert loop.turn.end_session
    assert store.profile(LOCAL_USER).saved["yeonseup"]["step"] == "intro"
