"""The endpointer: as a pure function driven frame by frame, then on generated sound
(noise, breath, a thinking pause) through the real voice-activity detector."""

from dataclasses import replace

import pytest

from local_voice.audio import Audio, read_wav, silence
from local_voice.endpoint import (
    Cue,
    Ending,
    EndpointConfig,
    NoInput,
    Segmenter,
    SpeechStarted,
    Stage,
    UtteranceEnded,
    step,
)
from local_voice.loop import WALK_SETTINGS, Heard, InputEnded, Listener, Quiet
from tests.sounds import RATE, SoundInput, at_snr, breaths, mix, white
from tests.voice_support import speak_korean

CONFIG = EndpointConfig(frame_seconds=0.1, start_seconds=0.2, end_silence_seconds=0.5,
                        max_utterance_seconds=2.0, no_input_seconds=1.0, pre_roll_seconds=0.2,
                        tail_seconds=0.0)


def feed(flags: str, state: Segmenter | None = None):
    """Frames named by their index; 'S' is speech, '.' silence. Returns the events."""
    state = state or Segmenter(CONFIG)
    events = []
    for index, flag in enumerate(flags):
        state, event = step(state, bytes([index]), flag == "S")
        if event is not None:
            events.append((index, event))
    return state, events


def test_an_utterance_starts_after_the_threshold_and_ends_after_the_silence():
    _, events = feed("..SSSS.....")
    assert [(i, type(e)) for i, e in events] == [(3, SpeechStarted), (10, UtteranceEnded)]
    ended = events[1][1]
    assert ended.ending is Ending.SILENCE
    assert ended.audio == bytes([0, 1, 2, 3, 4, 5])  # pre-roll, speech; trailing quiet dropped


def test_a_short_click_does_not_start_an_utterance():
    _, events = feed(".S.S.S.S.S")
    assert all(not isinstance(e, SpeechStarted) for _, e in events)


def test_pauses_shorter_than_the_end_silence_stay_in_the_utterance():
    _, events = feed("SS....SSS.....")
    ended = [e for _, e in events if isinstance(e, UtteranceEnded)]
    assert len(ended) == 1
    assert len(ended[0].audio) == 9


def test_no_input_after_the_timeout_then_listening_goes_on():
    state, events = feed("." * 10)
    assert events == [(9, NoInput())]
    _, more = feed("SSS....", state)
    assert isinstance(more[0][1], SpeechStarted)


def test_a_very_long_utterance_is_cut_at_the_maximum():
    _, events = feed("S" * 30)
    ended = [e for _, e in events if isinstance(e, UtteranceEnded)]
    assert ended[0].ending is Ending.MAX_LENGTH
    assert len(ended[0].audio) == 20


@pytest.mark.parametrize("seconds, frames", [(0.2, 2), (1.0, 10), (0.01, 1)])
def test_seconds_become_frames(seconds, frames):
    assert CONFIG.frames(seconds) == frames


def test_a_little_quiet_after_the_last_voiced_frame_is_kept():
    _, events = feed("..SSSS.....", Segmenter(replace(CONFIG, tail_seconds=0.2)))
    assert events[1][1].audio == bytes(range(8))


def test_a_burst_with_no_voiced_frame_never_starts_an_answer():
    state = Segmenter(CONFIG)
    for index in range(8):
        state, event = step(state, bytes([index]), Cue(True, -20.0, voiced=False))
        assert event is None or isinstance(event, NoInput)
    assert state.stage is Stage.WAITING


def test_a_steady_hum_is_learnt_as_the_floor_and_then_is_not_speech():
    """A hum the detector calls voiced speech, 30 dB over a quiet room, from the first
    frame: it can open an answer, but the floor climbs to it and closes it within seconds
    (not at the cap), and after that it neither starts nor holds one."""
    config = EndpointConfig(max_utterance_seconds=45.0, no_input_seconds=10.0)
    state, events = Segmenter(config), []
    for index in range(config.frames(60.0)):
        state, event = step(state, b"", Cue(True, -30.0, voiced=True))
        if event is not None:
            events.append((index * config.frame_seconds, event))
    assert state.floor_db == pytest.approx(-30.0)
    (_, started), (at, ended), *rest = events
    assert isinstance(started, SpeechStarted)
    assert isinstance(ended, UtteranceEnded) and ended.ending is Ending.SILENCE and at < 15.0
    assert rest and all(isinstance(e, NoInput) for _, e in rest)


def test_the_floor_follows_quiet_at_once():
    state = Segmenter(CONFIG, floor_db=-30.0)
    state, _ = step(state, b"", Cue(False, -70.0, voiced=False))
    assert state.floor_db == -70.0


# ---------------------------------------------------------------- on generated sound


@pytest.fixture(scope="module")
def answer(tmp_path_factory):
    """About two seconds of speech (espeak-ng), at 16 kHz."""
    path = speak_korean("오늘 우리가 서로에게 고마웠던 일을 이야기해 볼까요",
                        tmp_path_factory.mktemp("speech") / "answer.wav")
    return read_wav(path).at_rate(RATE)


def listen(sound: Audio, config: EndpointConfig, end_silence: float | None = None,
           no_input: float = 10.0):
    """Everything a listener makes of `sound`, in order, with the second each ended at."""
    listener = Listener(SoundInput(sound), config)
    heard, clock = [], 0.0
    while True:
        listening, seconds = listener.listen(no_input, end_silence_seconds=end_silence)
        clock += seconds
        if isinstance(listening, InputEnded):
            return heard
        heard.append((listening, clock))


def answers(heard):
    return [(h, at) for h, at in heard if isinstance(h, Heard)]


WALK = WALK_SETTINGS.endpoint
CAPPED = replace(EndpointConfig(), max_utterance_seconds=20.0)


@pytest.mark.parametrize("rate", [16000, 44100], ids=["16 kHz", "a microphone's 44.1 kHz"])
def test_white_noise_at_10_db_does_not_hold_an_answer_open(answer, rate):
    sound = mix((0.0, white(30.0, at_snr(answer, 10))), (2.0, answer)).at_rate(rate)
    (heard, at), *rest = answers(listen(sound, CAPPED))
    assert heard.ending is Ending.SILENCE
    assert at < 2.0 + answer.seconds + CAPPED.end_silence_seconds + 1.0
    assert answer.seconds - 0.5 < heard.audio.seconds < answer.seconds + 1.5
    assert rest == []  # and the noise after it makes no answer of its own


def test_breath_at_20_db_on_a_walk_does_not_hold_an_answer_open(answer):
    capped = replace(WALK, max_utterance_seconds=20.0)
    sound = mix((0.0, breaths(30.0, at_snr(answer, 20))), (2.0, answer))
    for end_silence in (WALK.end_silence_seconds, WALK.reflective_end_silence_seconds):
        (heard, at), *rest = answers(listen(sound, capped, end_silence))
        assert heard.ending is Ending.SILENCE
        assert at < 2.0 + answer.seconds + end_silence + 1.0
        assert rest == []


@pytest.mark.parametrize("loudness", [20, 0], ids=["20 dB below speech", "as loud as speech"])
def test_breath_alone_makes_no_phantom_answer(answer, loudness):
    sound = mix((0.0, breaths(30.0, at_snr(answer, loudness))), (0.0, white(30.0, 3.0)))
    heard = listen(sound, WALK, WALK.reflective_end_silence_seconds)
    assert answers(heard) == []
    assert heard and all(isinstance(h, Quiet) for h, _ in heard)


def test_a_thinking_pause_stays_inside_an_answer_to_a_reflective_question(answer):
    pause = 1.3
    sound = mix((0.0, white(answer.seconds * 2 + pause + 4.0, 30.0)), (0.5, answer),
                (0.5 + answer.seconds + pause, answer))
    config = EndpointConfig()
    whole = answers(listen(sound, config, config.reflective_end_silence_seconds))
    assert len(whole) == 1
    assert whole[0][0].audio.seconds > 2 * answer.seconds + pause - 0.5
    halves = answers(listen(sound, config, config.end_silence_seconds))
    assert len(halves) == 2  # the short-answer silence would have cut it: the test can tell


def test_an_answer_said_at_once_is_heard_whole(answer):
    """The noise floor starts at a quiet room: speech in the very first frame counts."""
    (heard, _), = answers(listen(answer + silence(2.0, RATE), EndpointConfig()))
    assert heard.audio.seconds > answer.seconds - 0.3
