"""Answers heard in noise or through a telephone band are confirmed before they are acted on:
there, a wrong phrase comes with the same scores as a right one. Real Vosk with the Korean
model, real espeak-ng speech, noise made at test time."""

import math

import numpy as np
import pytest
import soxr

from dialogs.engine import Utterance
from dialogs.model import Platform
from local_voice.audio import Audio, read_wav
from local_voice.judge import Accept, AskAgain, Confirm, Thresholds, judge
from local_voice.loop import Listener, LoopSettings, Question, VoiceLoop
from local_voice.quality import SignalQuality, measure
from local_voice.recognize import Recognizer, Transcript, Word
from tests.sounds import SoundInput, at_snr, mix, white
from tests.voice_support import KOREAN_MODEL, couple_store, korean_book, speak_korean

QUIET_ROOM = SignalQuality(snr_db=60.0, high_band_db=-20.0)
NOISY_ROOM = SignalQuality(snr_db=12.0, high_band_db=-14.0)
TELEPHONE = SignalQuality(snr_db=70.0, high_band_db=-80.0)


def spoken(tmp_path, text: str) -> Audio:
    return read_wav(speak_korean(text, tmp_path / "said.wav")).at_rate(16000)


def in_noise(speech: Audio, snr_db: float, seed: int = 1) -> Audio:
    """The speech with white noise all around it, from 1 s before to 1.5 s after."""
    seconds = speech.seconds + 2.5
    return mix((0.0, white(seconds, at_snr(speech, snr_db), seed)), (1.0, speech))


def telephone(speech: Audio) -> Audio:
    """Through an 8 kHz line and back: nothing above 4 kHz."""
    narrow = soxr.resample(speech.samples().astype(np.float32), 16000, 8000)
    wide = soxr.resample(narrow, 8000, 16000)
    return Audio(np.clip(wide, -32768, 32767).astype(np.int16).tobytes(), 16000)


def test_the_sound_of_an_utterance_says_how_noisy_and_how_narrow_it_was(tmp_path):
    speech = spoken(tmp_path, "도움말")
    clean = measure(speech)
    assert clean is not None and clean.snr_db > 40 and clean.high_band_db > -40
    noisy = measure(in_noise(speech, 10.0))
    assert noisy is not None and noisy.snr_db < 18
    padded = measure(in_noise(speech, 10.0) + Audio(bytes(2 * 16000 * 2), 16000))
    # digital silence after the words (a padded recording) is no room
    assert padded is not None and abs(padded.snr_db - noisy.snr_db) < 1
    quieter = measure(in_noise(speech, 25.0))
    assert quieter is not None and quieter.snr_db > 18
    narrow = measure(telephone(speech))
    assert narrow is not None and narrow.high_band_db < -50 and narrow.snr_db > 40
    assert measure(Audio(bytes(3200), 16000)) is None  # no sound, nothing to say
    assert measure(Audio(speech.pcm + b"\x01", 16000)) == clean  # a cut half sample


def clear(text: str) -> Transcript:
    return Transcript(text, tuple(Word(w, 1.0) for w in text.split()), score=-100.0,
                      filler_score=-110.0, seconds=1.0, phrases_only=text)


@pytest.mark.parametrize("room", [NOISY_ROOM, TELEPHONE])
def test_in_noise_or_a_telephone_band_a_clear_winner_is_confirmed_not_acted_on(room):
    assert judge(clear("네"), ["네", "아니요"], -130.0, quality=QUIET_ROOM) == Accept("네")
    assert judge(clear("네"), ["네", "아니요"], -130.0, quality=room) == Confirm("네")
    # a near tie, confirmed in a quiet room, is asked again there
    assert isinstance(judge(clear("네"), ["네", "아니요"], -104.0, quality=room), AskAgain)


class Silent:
    def render(self, markup):
        return None

    def play(self, audio):
        pass


def hear(loop, audio: Audio):
    source = SoundInput(audio)
    listening, _ = Listener(source, loop.settings.endpoint).listen(5.0, stream=loop.stream)
    return loop.recognise(listening.audio, listening.stream)


def loop_at_ready(tmp_path, thresholds: Thresholds | None = None) -> VoiceLoop:
    # a model of its own: online adaptation to earlier tests' audio moves short scores
    loop = VoiceLoop(korean_book(tmp_path), couple_store(tmp_path / "p.sqlite3"),
                     Platform.VOICE, Recognizer(KOREAN_MODEL), Silent(), Silent(),
                     LoopSettings(earcons=False, thresholds=thresholds or Thresholds()))
    loop.start("yeonseup")
    return loop


def test_an_answer_in_a_noisy_room_is_confirmed_and_a_yes_in_noise_acts(tmp_path):
    loop = loop_at_ready(tmp_path)
    assert hear(loop, in_noise(spoken(tmp_path, "도움말"), 40.0)) == Utterance("도움말")
    asked = hear(loop, in_noise(spoken(tmp_path, "계속"), 10.0))
    assert isinstance(asked, Question) and "Did you say 계속?" in asked.markup
    loop.pending = asked.event
    # the answer to the question is not asked about again: acting took two phrases heard alike
    assert hear(loop, in_noise(spoken(tmp_path, "네"), 15.0, seed=3)) == Utterance("계속")


def test_without_weighing_the_sound_the_same_noisy_answer_is_acted_on(tmp_path):
    """What the confirmation prevents: the same audio, acted on unasked."""
    loop = loop_at_ready(tmp_path, Thresholds(noisy_snr_db=-math.inf,
                                              narrow_band_db=-math.inf))
    assert hear(loop, in_noise(spoken(tmp_path, "계속"), 10.0)) == Utterance("계속")
