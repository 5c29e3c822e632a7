"""The safety check's learned second opinion: trained on today's corpus, scored the way
scikit-learn scores it, heard through the engine when no rule hears the danger, and silent
on short answers and on danger told as over."""

import dataclasses
import json
import math
import threading
from datetime import date

import numpy as np
import pytest

from dialogs import engine
from dialogs.book import load_book
from dialogs.engine import Context, Launch, Profile, Utterance
from dialogs.model import Platform
from dialogs.safety import SAFETY_DIR, default_detector, load_detector
from dialogs.safety.detector import LEARNED, SafetyDetector
from dialogs.safety.learned import (
    CORPUS_FILE,
    LEARNED_FILE,
    LearnedModel,
    MeaningModel,
    Scale,
    char_ngrams,
    corpus_hash,
    load_learned,
    meaning_text,
    normalise,
    shipped_learned,
    word_ngrams,
)
from dialogs.safety.meaning import shipped_encoder
from dialogs.safety.words import tokens
from dialogs.source import DefinitionError
from tools.train_safety import as_json, fit, labelled

DANGER_NO_RULE_NAMES = [
    "lately i keep thinking my family would be so much better off if i was not around anymore",
    "he took my bank card and my phone and now i have to ask him before i go anywhere",
    "she grabbed me by the throat last night in front of the kids and i could not breathe",
    "i keep my tablets hidden in the drawer because one day i might take all of them",
]
ORDINARY = [
    "we had a lovely walk by the river and then we cooked pasta together for dinner",
    "we argued about whose turn it was to do the dishes and then we laughed about it",
    "honestly i am not sure what i want to promise this week maybe more patience",
]


def test_the_shipped_model_was_trained_on_todays_corpus():
    assert shipped_learned().corpus_sha256 == corpus_hash(CORPUS_FILE), (
        "corpus.yaml changed since the learned safety model was trained: run "
        "`.venv/bin/python tools/train_safety.py` and commit dialogs/safety/learned.json")


def test_scoring_without_scikit_learn_gives_scikit_learns_probabilities(tmp_path):
    texts, labels = labelled(CORPUS_FILE)
    sample = texts[::40]
    model, by_words, by_pieces = fit(sample, labels[::40], min_word_df=1, min_piece_df=1)
    path = tmp_path / "learned.json"
    path.write_text(json.dumps(as_json(model, by_words, by_pieces, 0.9, "x")))
    learned = load_learned(path)
    said = [*DANGER_NO_RULE_NAMES, *ORDINARY, "I'll keep it", "KEEP  it,  Sam!", "a"]
    expected = model.predict_proba([normalise(s) for s in said])[:, 1]
    for sentence, probability in zip(said, expected, strict=True):
        assert learned.probability(sentence) == pytest.approx(probability, abs=1e-4), sentence


@pytest.fixture(scope="module")
def content_whose_rules_name_nothing(tmp_path_factory):
    """Content with its own safety concepts that name one unrelated phrase: whatever stops
    an exercise there was heard by the learned model."""
    content = tmp_path_factory.mktemp("content")
    for name in ("vocabulary.yaml", "messages.yaml", "welcome.yaml"):
        (content / name).write_text((SAFETY_DIR.parent / "content" / name).read_text())
    (content / "safety").mkdir()
    (content / "safety" / "common.yaml").write_text("danger:\n  other: [purple elephant]\n")
    return content


def test_danger_no_rule_names_is_heard_by_the_learned_model(content_whose_rules_name_nothing):
    rules_alone = load_detector(content_whose_rules_name_nothing / "safety")
    with_learned = load_book(content_whose_rules_name_nothing).safety
    for sentence in DANGER_NO_RULE_NAMES:
        assert rules_alone.check(sentence) is None
        concern = with_learned.check(sentence)
        assert concern is not None and concern.category == LEARNED, sentence
    for sentence in ORDINARY:
        assert with_learned.check(sentence) is None, sentence


def test_danger_only_the_learned_model_hears_stops_the_exercise(content_whose_rules_name_nothing):
    book = load_book(content_whose_rules_name_nothing)
    context = Context(Platform.TEXT, Profile(names=("Sam", "Alex"), disclaimer_seen=True),
                      date(2026, 11, 30))
    state = None
    for event in (Launch(), Utterance("yes"), Utterance(DANGER_NO_RULE_NAMES[0])):
        turn = engine.step(book, state, event, context)
        state = turn.state
    assert "988" in turn.speech and "1-800-799-7233" in turn.speech


def test_short_answers_are_left_to_the_rules():
    """Every sample of every intent but SafetyIntent is ordinary; short ones can sound like
    danger to a bag of words ("I have", as in "I have a plan")."""
    book = load_book()
    flagged = [s for name, intent in book.vocabulary.intents.items() if name != "SafetyIntent"
               for s in intent.samples if default_detector().check(s)]
    assert not flagged
    assert shipped_learned().probability("i have") >= shipped_learned().threshold
    assert default_detector().check("i have") is None


def test_the_learned_model_judges_only_what_no_rule_heard_long_enough_and_not_over(tmp_path):
    """With a model that hears danger in any word "lock" and rules for "hit me"."""
    concepts = tmp_path / "concepts"
    concepts.mkdir()
    (concepts / "common.yaml").write_text("""
danger:
  violence: ["hit me"]
past: ["years ago"]
resolved: ["safe now"]
recurring: ["again"]
""")
    lock = LearnedModel(words={"lock": (1.0, 10.0)}, pieces={}, intercept=0.0, threshold=0.9,
                        corpus_sha256="")
    detector = load_detector(concepts, lock)
    assert detector.check("he would lock me in the house every night").category == LEARNED
    assert detector.check("he would lock me in and hit me").category == "violence"
    assert detector.check("lock the door") is None
    assert detector.check("he would lock me in the house years ago but i am safe now") is None
    assert detector.check("he would lock me in the house years ago, i am safe now, but "
                          "he did it again").category == LEARNED
    assert load_detector(concepts).check("he would lock me in the house every night") is None
    lead_ins = [("he would lock me in the house ", ""), ("he would hit me ", "")]
    assert detector.check_any(["every night"], "every night", lead_ins[:1]) is None
    assert detector.check_any(["every night"], "every night", lead_ins).category == "violence"
    assert detector.check_any(["he would lock me in the house every night"]
                              ).category == LEARNED


@pytest.mark.parametrize("text", ["", "{not json", '{"words": {}}'])
def test_a_broken_model_file_says_where_and_what(tmp_path, text):
    path = tmp_path / "learned.json"
    path.write_text(text)
    with pytest.raises(DefinitionError, match=r"learned\.json.*train it again"):
        load_learned(path)


def test_the_model_ships_with_the_package():
    assert LEARNED_FILE.is_file() and LEARNED_FILE.parent == SAFETY_DIR


class _HeldLearned:
    """A learned opinion that keeps the warm-up's sentence until released, and notes the
    order in which it is asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.released = threading.Event()
        self.checked = threading.Event()

    def judge_tokens(self, said_tokens: list[str]) -> float | None:
        said = " ".join(said_tokens)
        if "argued about money" in said:
            self.released.wait(timeout=10)
        else:
            self.checked.set()
        self.asked.append(said)
        return None


def test_a_check_waits_for_the_warm_up_in_the_background_before_it_reads():
    learned = _HeldLearned()
    detector = SafetyDetector(load_detector().compiled, learned=learned)  # type: ignore[arg-type]
    detector.warm_up(background=True)
    checker = threading.Thread(target=detector.check, args=(ORDINARY[0],))
    checker.start()
    assert not learned.checked.wait(timeout=0.5), "the check read while the warm-up ran"
    learned.released.set()
    checker.join(timeout=10)
    assert ["argued about money" in said for said in learned.asked] == [True, False]


class _BrokenLearned:
    def judge_tokens(self, said_tokens: list[str]) -> float | None:
        raise RuntimeError("the sentence encoder's folder is missing")


def test_a_failed_warm_up_prints_nothing_and_the_first_check_says_what_is_wrong(monkeypatch):
    escaped: list[object] = []
    monkeypatch.setattr(threading, "excepthook", escaped.append)
    detector = SafetyDetector(load_detector().compiled, learned=_BrokenLearned())  # type: ignore[arg-type]
    detector.warm_up(background=True)
    with pytest.raises(RuntimeError, match="encoder"):
        detector.check(ORDINARY[0])
    assert escaped == [], "the warm-up's error reached the screen as a traceback"


def test_the_model_reads_each_word_in_one_dictionary_form_a_verbs_first():
    """The words model was trained on these forms: "saw" read as the noun would be a word
    it never learned."""
    assert normalise("She saw the knives, I felt happier") == "she see the knife | i feel happy"
    assert meaning_text(tokens("Um, he hit me. Then he left!")) == "he hit me , then he left"


def test_pieces_of_words_are_cut_as_scikit_learn_cuts_them():
    assert char_ngrams("a  ab") == [" a ", " ab", "ab ", " ab "]
    assert word_ngrams("a b c") == ["a", "b", "c", "a b", "b c", "a b c"]


def lock_model(threshold: float) -> LearnedModel:
    """Hears danger in the word "lock" alone: its words score is exactly 10."""
    return LearnedModel(words={"lock": (1.0, 10.0)}, pieces={}, intercept=0.0,
                        threshold=threshold, corpus_sha256="")


def test_a_saying_of_six_words_is_judged_and_one_of_five_is_not():
    model = lock_model(0.9)
    assert model.judge("please lock the door for me") == pytest.approx(1 / (1 + math.exp(-10)))
    assert model.judge("please lock the door, me") is None
    assert model.judge("please lock the door now") is None


def test_a_probability_that_just_reaches_the_threshold_is_danger():
    reached = 1 / (1 + math.exp(-10.0))
    assert lock_model(reached).judge("please lock the door for me") == reached
    assert lock_model(math.nextafter(reached, 2.0)).judge("please lock the door for me") is None


def test_two_scores_are_added_each_on_its_own_scale():
    assert Scale(2.0, 4.0).of(10.0) == 2.0


def test_a_broken_model_file_is_named_with_what_to_do(tmp_path):
    path = tmp_path / "learned.json"
    path.write_text("{not json")
    with pytest.raises(DefinitionError) as raised:
        load_learned(path)
    [problem] = raised.value.problems
    assert str(problem).startswith(f"{path}:1: this is not a learned safety model this "
                                   "version can read (")
    assert str(problem).endswith("); train it again with tools/train_safety.py")


def test_a_broken_file_of_support_vectors_is_named_with_what_to_do(tmp_path):
    vectors = tmp_path / "support.npz"
    vectors.write_text("not numpy")
    model = MeaningModel(vectors, 1.0, 0.0, Scale(0.0, 1.0), Scale(0.0, 1.0), 0.0)
    with pytest.raises(DefinitionError) as raised:
        model.decision(np.zeros(3, dtype=np.float32))
    [problem] = raised.value.problems
    assert str(problem).startswith(f"{vectors}:1: this is not a file of support vectors (")
    assert str(problem).endswith("); train it again with tools/train_safety.py")


def test_the_shipped_file_is_read_whole():
    """Read here past the cache the shipped model is kept in: its threshold, the corpus it
    was trained on, and the meaning model with its own threshold and scales."""
    data = json.loads(LEARNED_FILE.read_text(encoding="utf-8"))
    model = load_learned(LEARNED_FILE)
    assert model.threshold == data["threshold"]
    assert model.corpus_sha256 == corpus_hash(CORPUS_FILE)
    meaning = data["meaning"]
    assert model.meaning == MeaningModel(
        LEARNED_FILE.parent / meaning["vectors_file"], meaning["gamma"], meaning["intercept"],
        Scale(*meaning["words_scale"]), Scale(*meaning["meaning_scale"]), meaning["threshold"])


def test_two_opinions_that_just_reach_the_threshold_together_are_danger(tmp_path):
    """Support vectors of weight 0: the meaning adds its intercept, 0; the words add 10."""
    dimension = shipped_encoder().encode(["hello"]).shape[1]
    np.savez(tmp_path / "support.npz", vectors=np.zeros((1, dimension)), weights=np.zeros(1))
    meaning = MeaningModel(tmp_path / "support.npz", 1.0, 0.0, Scale(0.0, 1.0), Scale(0.0, 1.0),
                           10.0)
    reached = dataclasses.replace(lock_model(0.9), meaning=meaning)
    assert reached.judge("please lock the door for me") == 10.0
    missed = dataclasses.replace(reached, meaning=dataclasses.replace(
        meaning, threshold=math.nextafter(10.0, 11.0)))
    assert missed.judge("please lock the door for me") is None
