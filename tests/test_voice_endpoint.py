"""The endpointer as a pure function, driven frame by frame without audio."""

import pytest

from local_voice.endpoint import (
    Ending,
    EndpointConfig,
    NoInput,
    Segmenter,
    SpeechStarted,
    UtteranceEnded,
    step,
)

CONFIG = EndpointConfig(frame_seconds=0.1, start_seconds=0.2, end_silence_seconds=0.5,
                        max_utterance_seconds=2.0, no_input_seconds=1.0, pre_roll_seconds=0.2)


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
