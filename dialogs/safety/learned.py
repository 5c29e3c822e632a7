"""A second safety opinion learnt from the labelled sentences in `corpus.yaml`.

The concept rules catch what their phrases name; people also put danger in words nobody
wrote a phrase for. Two models read what the rules let through: a linear model over the
corpus's words (dictionary forms, one to three in a row) and pieces of words (three to five
letters), and a support-vector machine over what the sentence means (`meaning.py`), which
hears "I keep the blades in a tin where nobody looks" without a word of it in the corpus.
Their scores are added, each on its own scale. It runs only on sayings of six words or
more that no rule heard, and danger told as past and resolved stays safe.

`learned.json` holds the words model (for each feature its inverse document frequency and
its weight), the scales and the threshold; `learned_meaning.npz` the support vectors. So
scoring needs no machine-learning library. `tools/train_safety.py` writes both from
`corpus.yaml` (scikit-learn; this module computes the same numbers) and records the
corpus's hash, so a test notices a corpus changed without training again.
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
from typing import TYPE_CHECKING

from dialogs.safety.words import BOUNDARY, tokens
from dialogs.source import DefinitionError, Problem

if TYPE_CHECKING:  # NumPy is loaded at the first saying the model judges, not at start
    import numpy as np
    from numpy.typing import NDArray

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


def meaning_text(said: list[str]) -> str:
    """The words of a saying (as `words.tokens` reads them) for the sentence encoder: the
    same spelled-out words whether typed, heard by Vosk or handed over by Alexa."""
    return " ".join("," if token == BOUNDARY else token for token in said).strip(" ,")


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
class Scale:
    """Where a score usually lies on the corpus, so two scores can be added fairly."""

    mean: float
    spread: float

    def of(self, score: float) -> float:
        return (score - self.mean) / self.spread


@dataclass(frozen=True)
class MeaningModel:
    """A support-vector machine with a radial kernel over sentence vectors (`meaning.py`):
    near meanings score alike, whatever the words. Its score and the words model's, each on
    its own `Scale`, are added; danger is a sum that reaches `threshold`. Its support vectors
    live beside `learned.json` in `vectors_file` and are read at the first saying that needs
    them."""

    vectors_file: Path
    gamma: float
    intercept: float
    words_scale: Scale
    meaning_scale: Scale
    threshold: float

    def decision(self, vector: NDArray[np.float32]) -> float:
        import numpy as np

        support, weights, squared = _support_vectors(self.vectors_file)
        distances = squared + 1.0 - 2.0 * (support @ vector)
        return float(weights @ np.exp(-self.gamma * distances) + self.intercept)


@cache
def _support_vectors(path: Path) -> tuple[NDArray[np.float32], ...]:
    import numpy as np

    try:
        with np.load(path) as data:
            support = data["vectors"].astype(np.float32)
            weights = data["weights"].astype(np.float32)
    except (OSError, ValueError, KeyError) as error:
        raise DefinitionError([Problem(str(path), 1, f"this is not a file of support vectors "
                                       f"({error}); train it again with tools/train_safety.py")
                               ]) from error
    return support, weights, (support * support).sum(axis=1)


@dataclass(frozen=True)
class LearnedModel:
    """Features to (idf, weight) for words and for pieces of words; danger when the
    probability reaches `threshold`; with `meaning`, when the two opinions added reach its
    threshold instead."""

    words: Mapping[str, tuple[float, float]]
    pieces: Mapping[str, tuple[float, float]]
    intercept: float
    threshold: float
    corpus_sha256: str
    meaning: MeaningModel | None = None

    def probability(self, text: str) -> float:
        """What the words alone say: the chance that `text` tells of danger."""
        return 1 / (1 + math.exp(-self._words_score(normalise(text))))

    def judge(self, text: str) -> float | None:
        """`judge_tokens` of `text`."""
        return self.judge_tokens(tokens(text))

    def judge_tokens(self, said: list[str]) -> float | None:
        """How sure the model is that words already read by `words.tokens` tell of danger,
        when it is sure enough; None for ordinary talk and for sayings too short to judge."""
        if sum(1 for token in said if token != BOUNDARY) < MIN_WORDS:
            return None
        score = self._words_score(_normalised(said))
        meaning = self.meaning
        if meaning is None:
            probability = 1 / (1 + math.exp(-score))
            return probability if probability >= self.threshold else None
        from dialogs.safety.meaning import shipped_encoder

        vector = shipped_encoder().encode_one(meaning_text(said))
        combined = meaning.words_scale.of(score) + meaning.meaning_scale.of(
            meaning.decision(vector))
        return combined if combined >= meaning.threshold else None

    def _words_score(self, normalised: str) -> float:
        return self.intercept + _score(self.words, word_ngrams(normalised)) + _score(
            self.pieces, char_ngrams(normalised))


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
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        meaning = data.get("meaning")
        if meaning is not None:
            from dialogs.safety.meaning import model_dir

            model_dir()
        return LearnedModel(
            words={k: (float(idf), float(w)) for k, (idf, w) in data["words"].items()},
            pieces={k: (float(idf), float(w)) for k, (idf, w) in data["pieces"].items()},
            intercept=float(data["intercept"]), threshold=float(data["threshold"]),
            corpus_sha256=str(data["corpus_sha256"]),
            meaning=None if meaning is None else MeaningModel(
                vectors_file=path.parent / str(meaning["vectors_file"]),
                gamma=float(meaning["gamma"]), intercept=float(meaning["intercept"]),
                words_scale=Scale(*map(float, meaning["words_scale"])),
                meaning_scale=Scale(*map(float, meaning["meaning_scale"])),
                threshold=float(meaning["threshold"])))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DefinitionError([Problem(str(path), 1, "this is not a learned safety model "
                                       f"this version can read ({error}); train it again "
                                       "with tools/train_safety.py")]) from error


@cache
def shipped_learned() -> LearnedModel:
    return load_learned(LEARNED_FILE)
