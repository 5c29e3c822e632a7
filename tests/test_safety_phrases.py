"""The phrase language's matcher and its fast first tests, one part at a time: where a phrase
is said and in how many ways, where a match may start (`begins`, which must agree with
`find` exactly), the words a rule needs, sentences read side by side behind several
lead-ins, and single words spelled out as the rules read them."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.safety import load_detector
from dialogs.safety.phrases import (
    APART,
    MAX_WAYS,
    Choice,
    Positions,
    Sequence,
    begins,
    find,
    first_words,
    parse,
    positions,
    required_words,
    side_by_side,
)
from dialogs.safety.words import spell_out, tokens, words
from tests.test_safety import write_concepts

LISTS = {"partner": Choice((parse("he", {}), parse("she", {}), parse("my (husband|wife)", {})))}


def phrase(text: str) -> Sequence:
    return parse(text, LISTS)


def ways(text: str, sentence: str) -> set[tuple[int, int]]:
    """(start, end) of every way `text` is said in `sentence`, from every start."""
    said = Positions(words(sentence))
    return {(found.start, found.end)
            for found in find(phrase(text), said, range(len(said.words)), every_way=True)}


def starts_found(text: str, sentence: str) -> list[int]:
    said = Positions(words(sentence))
    return [start for start in range(len(said.words))
            if any(True for _ in find(phrase(text), said, [start], every_way=False))]


def starts_begun(text: str, sentence: str) -> list[int]:
    said = Positions(words(sentence))
    return positions(begins(phrase(text), said, said.every_end) & said.every_start)


@pytest.mark.parametrize(("text", "sentence"), [
    ("hit me", "he hit me"),
    ("hit me", "me hit"),
    ("you hit me", "then hit me"),
    ("he ... hit me", "he said he would hit me and hit me"),
    ("hit ... me", "hit a b c d e me"),
    ("hit ... me", "hit a b c d me"),
    ("hit ~ me", "hit " + "a " * 14 + "me hit " + "a " * 15 + "me"),
    ("hit ... (me)?", "then hit it"),
    ("(hit|slap) me", "then me"),
    ("(hit|slap) me", "he slaps me and hits me"),
    ("(hit|slap) [really] me", "slap really me, hit me"),
    ("(hit|kick you) me", "kick me, hit me, kick you me"),
    ("(hit|kick you)? me", "kick me, you me"),
    ("@partner ... hit me", "my husband would hit me, my wife me"),
    ("suicid* thoughts", "thoughts of suicide, suicidal thoughts"),
    ("suicid* thoughts", "my thoughts"),
    ("suicid* thoughts", "my thoughts, suicide"),
    ("=hurt me", "hurt me and then hurt you"),
    ("=hurt me", "hurting me"),
    ("=hurt me", "then me"),
    ("=hurt me", "then me hurt"),
    ("i (want|wish) to die", "i want to die"),
    ("never ... again", "again and again"),
])
def test_a_match_may_begin_exactly_where_the_fast_test_says(text, sentence):
    """`begins` picks the starts `find` tries and the sentences read alone behind lead-ins:
    a start it misses is danger missed, one too many is time lost on every sentence."""
    assert starts_begun(text, sentence) == starts_found(text, sentence)


def test_up_to_four_words_may_come_between_and_up_to_fourteen_across_a_sentence():
    assert ways("hit ... me", "hit a b c d me") == {(0, 6)}
    assert ways("hit ... me", "hit a b c d e me") == set()
    assert ways("hit ~ me", "hit " + "a " * 14 + "me") == {(0, 16)}
    assert ways("hit ~ me", "hit " + "a " * 15 + "me") == set()


def test_a_gap_may_run_to_the_end_when_what_follows_it_may_be_left_out():
    assert ways("hit ... (me)?", "hit it") == {(0, 1), (0, 2)}


def test_each_different_way_is_found_once_and_at_most_max_ways_from_one_start():
    assert ways("(hit|hits) me", "he hits me") == {(1, 3)}
    said = Positions(words("he hits me"))
    assert len(list(find(phrase("(hit|hits) me"), said, [1], every_way=True))) == 1
    many = Positions(words("a " + "b " * 7 + "c " * 6))
    assert len(list(find(phrase("a ~ b ~ c"), many, [0], every_way=True))) == MAX_WAYS


def test_a_word_of_one_letter_may_be_asked_for_in_this_form_only():
    assert ways("=i hurt", "i hurt") == {(0, 2)}


@pytest.mark.parametrize(("bits", "expected"), [
    (0, []), (0b1, [0]), (0b100, [2]), (0b101, [0, 2]), (1 << 70 | 1 << 3, [3, 70])])
def test_positions_are_the_bits_set_in_order(bits, expected):
    assert positions(bits) == expected


@pytest.mark.parametrize(("text", "first", "required"), [
    ("hit me", {"hit"}, [{"hit"}, {"me"}]),
    ("=hurt me", {"hurt"}, [{"hurt"}, {"me"}]),
    ("suicid* thoughts", None, [{"thoughts"}]),
    ("(hit|slap) me", {"hit", "slap"}, [{"hit", "slap"}, {"me"}]),
    ("(kick you|slap) me", {"kick", "slap"}, [{"kick", "slap"}, {"me"}]),
    ("[really] hit me", {"really", "hit"}, [{"hit"}, {"me"}]),
    ("(so|really)? (hit|hurt) ... me", {"so", "really", "hit", "hurt"},
     [{"hit", "hurt"}, {"me"}]),
    ("@partner ... hit [really] me", {"he", "she", "my"}, [{"he", "she", "my"}, {"hit"}, {"me"}]),
    ("(suicid*|die) now", None, [{"now"}]),
])
def test_the_words_a_rule_needs_and_may_start_with(text, first, required):
    """Which rules a sentence tries: one that needs a word it does not say is skipped."""
    assert first_words(phrase(text)) == (None if first is None else frozenset(first))
    assert list(required_words(phrase(text))) == [frozenset(words) for words in required]


def test_sentences_side_by_side_keep_the_starts_and_ends_each_has_alone():
    sentences = [words("he hit me"), words("ok"), words("i am so tired of it")]
    said, ends, spans = side_by_side(sentences)
    at = 0
    expected_ends = 0
    for sentence, span in zip(sentences, spans, strict=True):
        alone = Positions(sentence)
        assert said.words[at:at + len(sentence)] == sentence
        assert span == alone.every_start << at
        expected_ends |= alone.every_end << at
        at += len(sentence) + APART
    assert ends == expected_ends
    assert said.every_start == sum(spans)


@pytest.fixture
def rules(tmp_path: Path):
    return load_detector(write_concepts(tmp_path / "concepts", """
danger:
  violence: ["he hit me"]
  suicide: ["suicid* thoughts"]
"""))


@pytest.mark.parametrize(("carried", "around", "kind"), [
    ("hit me", [("she ", ""), ("he ", "")], "violence"),
    ("hit me", [("he ", ""), ("she ", "")], "violence"),
    ("hit me", [("she ", ""), ("they ", "")], None),
    ("he hit me", [("i know ", "")], "violence"),
    ("he hit me", [("", "")], "violence"),
    ("suicidal", [("", " feelings"), ("", " thoughts")], "suicide"),
    ("suicidal", [("", " feelings"), ("", " moods")], None),
])
def test_danger_behind_any_one_of_several_lead_ins_is_heard(rules, carried, around, kind):
    """Carried words are looked over behind every lead-in at once; only a sentence where
    danger may start is read alone: one wrongly passed over is danger missed."""
    heard = rules.check_any([], carried, around)
    assert (heard and heard.category) == kind


@pytest.mark.parametrize(("token", "read"), [
    ("won't", "will not"), ("hubby", "husband"), ("dont", "do not"), ("im", "i am"),
    ("shouldn't", "should not"), ("they're", "they are"), ("we've", "we have"),
    ("she'll", "she will"), ("he'd", "he would"), ("she's", "she is"), ("he's", "he is"),
    ("wife's", "wife 's"), ("hubby's", "husband 's"), ("parents'", "parents"),
    ("goin'", "goin"), ("hit", "hit"), ("i'm", "i am"),
])
def test_a_word_is_spelled_out_as_the_rules_spell_it(token, read):
    """Called directly: `tokens` keeps what it spelled out of each word, so a word read once
    before is not spelled out again."""
    assert spell_out(token) == read


def test_only_a_word_before_is_makes_it_has():
    assert tokens("is been hard on it") == ["is", "been", "hard", "on", "it"]
    assert tokens("it is been hard") == ["it", "has", "been", "hard"]
