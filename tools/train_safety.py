"""Train the safety check's second opinion (dialogs/safety/learned.json) from corpus.yaml.

Run after changing corpus.yaml:  .venv/bin/python tools/train_safety.py
scikit-learn (a test dependency, not needed to run the app) fits a TF-IDF logistic
regression; learned.py scores it without scikit-learn. The threshold was chosen on a set of
sentences the rules' authors never saw, and checked on a second such set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialogs.safety.learned import (
    CHAR_NGRAMS,
    CORPUS_FILE,
    LEARNED_FILE,
    WORD_NGRAMS,
    corpus_hash,
    normalise,
)

THRESHOLD = 0.9
STRENGTH = 4.0
"""Inverse regularisation strength (scikit-learn's C)."""


def labelled(corpus: Path) -> tuple[list[str], list[int]]:
    data = yaml.safe_load(corpus.read_text(encoding="utf-8"))
    danger = [s for sentences in data["danger"].values() for s in sentences]
    ordinary = [s for sentences in data["ordinary"].values() for s in sentences]
    return danger + ordinary, [1] * len(danger) + [0] * len(ordinary)


def fit(texts: list[str], labels: list[int], min_word_df: int = 2, min_piece_df: int = 3):
    """The fitted pipeline and its two vectorizers (words, pieces of words)."""
    by_words = TfidfVectorizer(ngram_range=WORD_NGRAMS, min_df=min_word_df, sublinear_tf=True,
                               token_pattern=r"[^ ]+")
    by_pieces = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS,
                                min_df=min_piece_df, sublinear_tf=True)
    model = make_pipeline(make_union(by_words, by_pieces),
                          LogisticRegression(C=STRENGTH, max_iter=5000, class_weight="balanced"))
    model.fit([normalise(t) for t in texts], labels)
    return model, by_words, by_pieces


def as_json(model, by_words, by_pieces, threshold: float, corpus_sha256: str) -> dict:
    weights = model[-1].coef_[0]
    split = len(by_words.vocabulary_)

    def table(vectorizer, offset: int) -> dict[str, list[float]]:
        return {feature: [round(float(vectorizer.idf_[i]), 5),
                          round(float(weights[offset + i]), 5)]
                for feature, i in sorted(vectorizer.vocabulary_.items())}

    return {"corpus_sha256": corpus_sha256, "threshold": threshold,
            "intercept": round(float(model[-1].intercept_[0]), 6),
            "words": table(by_words, 0), "pieces": table(by_pieces, split)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS_FILE)
    parser.add_argument("--out", type=Path, default=LEARNED_FILE)
    args = parser.parse_args(argv)
    texts, labels = labelled(args.corpus)
    model, by_words, by_pieces = fit(texts, labels)
    data = as_json(model, by_words, by_pieces, THRESHOLD, corpus_hash(args.corpus))
    args.out.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"{args.out}: {len(data['words'])} word features, {len(data['pieces'])} pieces, "
          f"from {len(texts)} sentences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
