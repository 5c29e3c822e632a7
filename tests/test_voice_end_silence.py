"""When an answer ends: the pause that ends it is 1.2 s at home, 1.5 s on a walk, and
`--end-silence` sets it; the setup the command builds is used, with real speech and VAD."""

import numpy as np
import pytest

from local_voice.audio import Audio, read_wav, silence
from local_voice.loop import Heard
from local_voice.voice import VoiceOptions, prepare
from tests.voice_support import KOREAN_MODEL, korean_book, speak_korean

PAUSE = 1.35
"""Longer than the home default, shorter than the walk's."""


def trimmed(audio: Audio) -> Audio:
    """Without the quiet espeak-ng puts before and after a phrase."""
    loud = np.flatnonzero(np.abs(audio.samples().astype(np.int32)) > 500)
    return Audio(audio.samples()[loud[0]:loud[-1] + 1].tobytes(), audio.rate)


@pytest.fixture(scope="module")
def two_phrases(tmp_path_factory):
    """One phrase, a pause of PAUSE seconds, another phrase, then quiet."""
    folder = tmp_path_factory.mktemp("speech")
    first = trimmed(read_wav(speak_korean("안녕하세요", folder / "first.wav")).at_rate(16000))
    second = trimmed(read_wav(speak_korean("감사합니다", folder / "second.wav")).at_rate(16000))
    audio = (silence(0.5, 16000) + first + silence(PAUSE, 16000) + second
             + silence(4.0, 16000))
    path = folder / "answer.wav"
    path.write_bytes(audio.to_wav())
    return path, first.seconds


def first_answer_seconds(tmp_path, wav, **options) -> float:
    book = korean_book(tmp_path / "book")
    setup = prepare(book, None, VoiceOptions(
        data_dir=tmp_path, model=str(KOREAN_MODEL), audio_in=str(wav),
        audio_out=str(tmp_path / "out"), **options), show=lambda line: None)
    heard, _ = setup.listener.listen(no_input_seconds=10)
    assert isinstance(heard, Heard)
    return heard.audio.seconds


@pytest.mark.parametrize(("options", "both_phrases"), [
    ({}, False),
    ({"walk": True}, True),
    ({"end_silence": 2.0}, True),
    ({"walk": True, "end_silence": 1.0}, False),
], ids=["home default", "walk default", "longer end silence", "shorter on a walk"])
def test_the_pause_that_ends_an_answer(tmp_path, two_phrases, options, both_phrases):
    wav, first_seconds = two_phrases
    seconds = first_answer_seconds(tmp_path, wav, **options)
    # The answer heard keeps some quiet around the speech, less than the pause: it reaches
    # past the pause only when the second phrase is in it.
    assert (seconds > first_seconds + PAUSE) is both_phrases


def test_the_command_hands_end_silence_to_the_voice(tmp_path, monkeypatch):
    from couplecare.cli import main
    from local_voice import voice

    given = []

    def unavailable(book, store, options, show, **_):
        given.append(options)
        raise voice.VoiceUnavailable("no microphone here")

    monkeypatch.setenv("COUPLECARE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(voice, "prepare", unavailable)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("no\n"))
    assert main(["talk", "--end-silence", "2.5"]) == 0
    assert main(["talk", "--walk"]) == 0
    assert [(o.end_silence, o.walk) for o in given] == [(2.5, False), (None, True)]
