"""The neutral speech markup and its SSML, segment and plain renderings."""

from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.markup import (
    MarkupError,
    Rate,
    Segment,
    longest_breath,
    neutralise,
    to_plain,
    to_segments,
    to_ssml,
)


def test_ssml_has_breaks_slow_speech_and_emphasis():
    ssml = to_ssml("Breathe in. [pause 2] [slow]Slowly out.[/slow] That's *enough*.")
    assert ssml == ('<speak>Breathe in. <break time="2000ms"/> <prosody rate="slow">Slowly out.'
                    '</prosody> That\'s <emphasis level="moderate">enough</emphasis> .</speak>')
    ElementTree.fromstring(ssml)


def test_ssml_escapes_text():
    ssml = to_ssml("Tom & Jerry <3 \"quotes\"")
    assert "Tom &amp; Jerry &lt;3" in ssml
    ElementTree.fromstring(ssml)


def test_long_pauses_become_breaks_of_at_most_ten_seconds():
    ssml = to_ssml("Sit quietly. [pause 25] Thank you.")
    assert ssml.count("<break") == 3
    assert '<break time="10000ms"/> <break time="10000ms"/> <break time="5000ms"/>' in ssml


def test_segments_carry_rate_and_silence():
    assert to_segments("Hello. [pause] [slow]Slow words.[/slow] [pause 2] Bye.") == [
        Segment("Hello.", Rate.NORMAL, 1.0),
        Segment("Slow words.", Rate.SLOW, 2.0),
        Segment("Bye.", Rate.NORMAL, 0),
    ]


def test_plain_drops_markup():
    assert to_plain("One [pause 3] *two* [slow]three[/slow]") == "One two three"


@pytest.mark.parametrize("broken, message", [
    ("[slow]never closed", "never closed"),
    ("closing [/slow] nothing", "closes nothing"),
    ("[slow][slow]x[/slow]", "opened twice"),
    ("an *open emphasis", "emphasis"),
    ("[whisper]hi", "not markup I know"),
    ("[pause 90]", "between 0 and 30"),
])
def test_broken_markup_is_explained(broken, message):
    with pytest.raises(MarkupError, match=message):
        to_ssml(broken)


def test_breath_counts_words_between_pauses():
    assert longest_breath("one two three [pause] four five") == 3


def test_text_from_a_person_cannot_inject_markup():
    assert neutralise("<speak>[pause 30] *me*") == "speakpause 30 me"


def test_control_characters_in_a_name_are_dropped():
    assert neutralise("Sam\x01") == "Sam"
    assert ElementTree.fromstring(to_ssml(neutralise("Sam\x01 \x00and\x1b Alex\uffff"))
                                  ).text == "Sam and Alex"


@given(st.text(max_size=80))
def test_any_neutralised_text_renders_to_valid_ssml(text):
    cleaned = neutralise(text)
    try:
        ssml = to_ssml(cleaned)
    except MarkupError:
        pytest.fail("neutralised text must always be valid markup")
    spoken = "".join(ElementTree.fromstring(ssml).itertext())
    assert spoken.split() == " ".join(to_plain(cleaned).split()).split()
