"""A second safety opinion learnt from the labelled sentences in `corpus.yaml`.

The concept rules catch what their phrases name; people also put danger in words nobody
wrote a phrase for. On sentences from authors who never saw the rules, the rules alone
missed about one in seven; a linear model over the corpus's words (dictionary forms, one to
three in a row) and pieces of words (three to five letters) catches most of those at a high
threshold. It runs only when no rule heard danger, and a sentence the rules read as danger
told as past and resolved stays safe.

`learned.json` holds the model: for each feature its inverse document frequency and its
weight, so scoring needs no machine-learning library. `tools/train_safety.py` writes it
from `corpus.yaml` (scikit-learn's TF-IDF and logistic regression; this module computes the
same numbers) and records the corpus's hash, so a test notices a corpus changed without
training again.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dialogs.safety.words import BOUNDARY, tokens
from dialogs.source import DefinitionError, Problem

SAFETY_DIR = Path(__file__).parent
LEARNED_FILE = SAFETY_DIR / "learned.json"
CORPUS_FILE = SAFETY_DIR / "corpus.yaml"
WORD_NGRAMS = (1, 3)
CHAR_NGRAMS = (3, 5)
MIN_WORDS = 6
"""Shorter sayings are left to the rules: a bag of words cannot tell "I kept it" from danger,
and on sentences nobody here wrote, everything only this model caught had nine words or more."""
_SPACES = re.compile(r"\s\s+")


@cache
def _lemma(token: str) -> str:
    from lemminflect import getAllLemmas  # with numpy: loaded at the first sentence heard

    lemmas = getAllLemmas(token)
    for kind in ("VERB", "NOUN", "ADJ"):
        if kind in lemmas:
            return lemmas[kind][0]
    return token


def normalise(text: str) -> str:
    """The words of `text` as the model reads them: spelled out, one dictionary form each,
    and `|` where a clause ends."""
    return _normalised(tokens(text))


def _normalised(said: list[str]) -> str:
    return " ".join(token if token == BOUNDARY else _lemma(token) for token in said)


def word_ngrams(normalised: str) -> list[str]:
    words = normalised.split()
    low, high = WORD_NGRAMS
    return [" ".join(words[i:i + n]) for n in range(low, high + 1)
            for i in range(len(words) - n + 1)]


def char_ngrams(normalised: str) -> list[str]:
    """Pieces of each word with a space at either end, as scikit-learn's `char_wb` cuts them."""
    low, high = CHAR_NGRAMS
    pieces: list[str] = []
    for word in _SPACES.sub(" ", normalised).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) <= n:
                pieces.append(padded)  # a short word counts once, whole
                break
            pieces.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return pieces


@dataclass(frozen=True)
class LearnedModel:
    """Features to (idf, weight) for words and for pieces of words; danger when the
    probability reaches `threshold`."""

    words: Mapping[str, tuple[float, float]]
    pieces: Mapping[str, tuple[float, float]]
    intercept: float
    threshold: float
    corpus_sha256: str

    def probability(self, text: str) -> float:
        return self._probability(normalise(text))

    def probability_of_danger(self, text: str) -> float:
        """`probability(text)`, or 0 for a saying too short for this model to judge."""
        return self.probability_of_tokens(tokens(text))

    def probability_of_tokens(self, said: list[str]) -> float:
        """`probability_of_danger` of words already read by `words.tokens`."""
        if sum(1 for token in said if token != BOUNDARY) < MIN_WORDS:
            return 0.0
        return self._probability(_normalised(said))

    def _probability(self, normalised: str) -> float:
        score = self.intercept + _score(self.words, word_ngrams(normalised)) + _score(
            self.pieces, char_ngrams(normalised))
        return 1 / (1 + math.exp(-score))



def _score(table: Mapping[str, tuple[float, float]], features: Iterable[str]) -> float:
    """Sublinear term frequency times idf, normalised to length one, dotted with the weights."""
    counted = [(1 + math.log(count), table[feature])
               for feature, count in Counter(features).items() if feature in table]
    length = math.sqrt(sum((tf * idf) ** 2 for tf, (idf, _) in counted))
    if not length:
        return 0.0
    return sum(tf * idf * weight for tf, (idf, weight) in counted) / length


def corpus_hash(path: Path = CORPUS_FILE) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_learned(path: Path | str = LEARNED_FILE) -> LearnedModel:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return LearnedModel(
            words={k: (float(idf), float(w)) for k, (idf, w) in data["words"].items()},
            pieces={k: (float(idf), float(w)) for k, (idf, w) in data["pieces"].items()},
            intercept=float(data["intercept"]), threshold=float(data["threshold"]),
            corpus_sha256=str(data["corpus_sha256"]))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DefinitionError([Problem(str(path), 1, "this is not a learned safety model "
                                       f"this version can read ({error}); train it again "
                                       "with tools/train_safety.py")]) from error


@cache
def shipped_learned() -> LearnedModel:
    return load_learned(LEARNED_FILE)
