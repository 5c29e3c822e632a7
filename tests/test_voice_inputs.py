"""Every input file and device state the voice commands meet: a sentence, never a traceback.
Real processes, the real Korean model, real espeak-ng speech, real PortAudio."""

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from local_voice import devices
from local_voice.audio import AudioError, read_wav, silence
from local_voice.devices import DeviceError
from local_voice.loop import FolderOutput, WavInput
from tests.voice_support import KOREAN_CONTENT, KOREAN_MODEL, speak_korean

ROOT = Path(__file__).parent.parent


def couplecare(*args, data_dir: Path, stdin: str = "", env: dict | None = None):
    environment = {**os.environ, "COUPLECARE_DATA_DIR": str(data_dir), **(env or {})}
    return subprocess.run([sys.executable, "-m", "couplecare", *args], input=stdin,
                          capture_output=True, text=True, env=environment, cwd=ROOT,
                          timeout=180)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def yes(tmp_path_factory) -> Path:
    return speak_korean("네", tmp_path_factory.mktemp("said") / "yes.wav")


@pytest.fixture
def cut(yes, tmp_path) -> Path:
    """The same speech with its file cut off at an odd byte count, mid-sample."""
    data = yes.read_bytes()
    target = tmp_path / "cut.wav"
    target.write_bytes(data[:len(data) - 1 - len(data) % 2])
    assert len(target.read_bytes()) % 2 == 1
    return target


def test_a_wav_cut_mid_sample_keeps_its_whole_samples(yes, cut):
    whole, kept = read_wav(yes), read_wav(cut)
    assert kept.pcm == whole.pcm[:len(kept.pcm)]
    assert len(whole.pcm) - len(kept.pcm) <= 4


def test_transcribe_hears_a_cut_wav(cut, tmp_path):
    run = couplecare("transcribe", str(cut), "--model", str(KOREAN_MODEL), "--grammar",
                     "네|아니요", data_dir=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "네"
    assert "Traceback" not in run.stderr


def test_talk_plays_a_cut_wav(cut, tmp_path):
    said = tmp_path / "said"
    said.mkdir()
    cut.rename(said / "01.wav")
    run = couplecare("--content", str(KOREAN_CONTENT), "talk", "--exercise", "yeonseup",
                     "--model", str(KOREAN_MODEL), "--audio-in", str(said), "--audio-out",
                     str(tmp_path / "spoken"), data_dir=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "heard: 네" in run.stdout
    assert sorted((tmp_path / "spoken").glob("*.wav"))


def riff(fmt: bytes, data: bytes, data_size: int | None = None) -> bytes:
    chunks = (b"fmt " + struct.pack("<I", len(fmt)) + fmt +
              b"data" + struct.pack("<I", len(data) if data_size is None else data_size) + data)
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def pcm_format(channels=1, rate=16000, bits=16) -> bytes:
    block = channels * bits // 8
    return struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, bits)


BROKEN = {
    "not a WAV at all": (b"hello, I am text\n", "not a WAV file I can read"),
    "a header and nothing more": (riff(pcm_format(), b""), "is empty"),
    "half a sample": (riff(pcm_format(), b"\x01"), "is empty"),
    "a chunk longer than the file": (
        b"RIFF" + struct.pack("<I", 999) + b"WAVE" + b"LIST" + struct.pack("<I", 5000) + b"ab",
        "not a WAV file I can read"),
    "8-bit": (riff(pcm_format(bits=8), b"\x80" * 100), "is not 16-bit PCM audio"),
    "no sample rate": (riff(pcm_format(rate=0), b"\x00\x01" * 100), "cannot be right"),
    "stereo cut mid-frame": (riff(pcm_format(channels=2), b"\x00\x01" * 3), None),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_wav_is_explained(name, tmp_path):
    data, message = BROKEN[name]
    path = tmp_path / "broken.wav"
    path.write_bytes(data)
    if message is None:
        assert read_wav(path).samples().size == 1  # one whole stereo frame, mixed to mono
        return
    with pytest.raises(AudioError, match=message):
        read_wav(path)


def test_transcribe_explains_a_broken_wav_a_folder_and_a_missing_file(tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(BROKEN["a chunk longer than the file"][0])
    for target, message in [(broken, "is not a WAV file I can read"),
                            (tmp_path, "is a folder, not a WAV file"),
                            (tmp_path / "nowhere.wav", "does not exist")]:
        run = couplecare("transcribe", str(target), "--model", str(KOREAN_MODEL),
                         data_dir=tmp_path)
        assert run.returncode == 2
        assert message in run.stderr
        assert "Traceback" not in run.stderr


def test_audio_out_naming_a_file_is_explained(tmp_path, yes):
    existing = tmp_path / "notes.txt"
    existing.write_text("mine\n")
    with pytest.raises(AudioError, match="is a file, but the spoken turns are written into a "
                                         "folder"):
        FolderOutput(existing)
    run = couplecare("--content", str(KOREAN_CONTENT), "talk", "--model", str(KOREAN_MODEL),
                     "--audio-in", str(yes), "--audio-out", str(existing), data_dir=tmp_path,
                     stdin="")
    assert run.returncode == 0
    assert "Voice mode can't start: " in run.stderr and "is a file" in run.stderr
    assert "Traceback" not in run.stderr
    assert existing.read_text() == "mine\n"


def test_spoken_turns_go_on_after_the_files_already_there(tmp_path):
    (tmp_path / "007.wav").write_bytes(b"an earlier run")
    output = FolderOutput(tmp_path)
    output.play(silence(0.1, 16000))
    assert (tmp_path / "007.wav").read_bytes() == b"an earlier run"
    assert read_wav(tmp_path / "008.wav").seconds == pytest.approx(0.1)


def test_an_empty_audio_in_folder_is_explained(tmp_path):
    empty = tmp_path / "said"
    empty.mkdir()
    (empty / "notes.txt").write_text("not audio")
    with pytest.raises(AudioError, match="holds no WAV files"):
        WavInput.from_path(empty)
    run = couplecare("--content", str(KOREAN_CONTENT), "talk", "--model", str(KOREAN_MODEL),
                     "--audio-in", str(empty), data_dir=tmp_path)
    assert "holds no WAV files" in run.stderr
    assert "Traceback" not in run.stderr


def test_audio_in_files_are_taken_in_name_order_whatever_their_case(tmp_path):
    for name in ("b.WAV", "a.wav"):
        (tmp_path / name).write_bytes(silence(0.03 * (2 if name == "b.WAV" else 1),
                                              16000).to_wav())
    source = WavInput.from_path(tmp_path)
    assert [round(a.seconds, 2) for a in source.pending] == [0.03, 0.06]


SERVER_GONE = {"PULSE_SERVER": "unix:/nonexistent/pulse/native"}


def test_a_sound_server_that_is_down_is_named_not_a_missing_microphone(monkeypatch):
    """pactl is asked for real (the sound server is unreachable at this address); PortAudio's
    answer with no server, an empty list, is what it says then (shown in the test below)."""
    monkeypatch.setattr("sounddevice.query_devices", lambda: [])
    monkeypatch.setenv("PULSE_SERVER", SERVER_GONE["PULSE_SERVER"])
    with pytest.raises(DeviceError) as raised:
        devices.Microphone()
    assert "sound server (PulseAudio or PipeWire) is not running" in str(raised.value)
    assert "Connect a microphone" not in str(raised.value)


def test_with_the_sound_server_down_every_command_says_so(tmp_path):
    listed = couplecare("devices", data_dir=tmp_path, env=SERVER_GONE)
    assert listed.returncode == 0
    assert "sound server (PulseAudio or PipeWire) is not running" in flat(listed.stdout)
    talk = couplecare("--content", str(KOREAN_CONTENT), "talk", "--model", str(KOREAN_MODEL),
                      data_dir=tmp_path, env=SERVER_GONE, stdin="")
    assert talk.returncode == 0
    err = flat(talk.stderr)
    assert "Voice mode can't start: The sound server" in err
    assert "Connect a microphone" not in err and "Traceback" not in err


def test_content_without_welcome_messages_or_vocabulary_uses_the_shipped_ones(tmp_path):
    own = tmp_path / "content"
    (own / "exercises").mkdir(parents=True)
    (own / "exercises" / "yeonseup.yaml").write_text(
        (KOREAN_CONTENT / "exercises" / "yeonseup.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    korean = couplecare("--content", str(KOREAN_CONTENT), "exercises", data_dir=tmp_path)
    assert korean.returncode == 0, korean.stderr
    assert "yeonseup" in korean.stdout
    talk = couplecare("--content", str(KOREAN_CONTENT), "talk", "--text", "--exercise",
                      "yeonseup", data_dir=tmp_path, stdin="네\n")
    assert talk.returncode == 0, talk.stderr
    assert "Welcome to Couple Care" in talk.stdout  # the shipped welcome flow
    assert "Do you each feel safe" in flat(talk.stdout)  # after a Korean "yes"
    exercises_only = couplecare("--content", str(own), "lint", data_dir=tmp_path)
    assert exercises_only.returncode in (0, 1), exercises_only.stderr
    assert not [line for line in exercises_only.stdout.splitlines()
                if "welcome.yaml" in line and not line.startswith("warning:")]
    assert "Traceback" not in exercises_only.stderr


def test_a_content_folder_that_is_not_there_is_explained(tmp_path):
    run = couplecare("--content", str(tmp_path / "nowhere"), "exercises", data_dir=tmp_path)
    assert run.returncode == 2
    assert "there is no such folder" in run.stderr
