"""Record the safety check's decision on every labelled sentence, or compare with a record.

A speed change to the detector must not change a single decision. Record with the code as
it is, change it, then compare:

    python bench/safety_decisions.py --record decisions.json
    python bench/safety_decisions.py --compare decisions.json

A decision is the category heard (or none); the rule and the words it heard are recorded
too and a difference there is reported separately. Exit status 1 when a category differs.

Each sentence is also read as words Alexa carried without their lead-in: the sentence
itself, and without its first one and two words ("unsafe at home" of "i feel unsafe at
home"), each put back behind every lead-in of the vocabulary's free-speech intents, as the
engine does for every such request.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dialogs.book import load_book  # noqa: E402
from dialogs.safety import SAFETY_DIR, Concern, SafetyDetector, load_detector  # noqa: E402

Decision = tuple[str | None, str | None, str | None]


def labelled_sentences() -> list[str]:
    """Every sentence of corpus.yaml and heldout.yaml, in file order, once each."""
    sentences: dict[str, None] = {}
    for name in ("corpus", "heldout"):
        data = yaml.safe_load((SAFETY_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        for kind in ("danger", "ordinary"):
            for group in data[kind].values():
                sentences.update(dict.fromkeys(group))
    return list(sentences)


def lead_ins() -> list[str]:
    """Every sample of the vocabulary's free-speech intents, `{text}` where the words go."""
    vocabulary = load_book().vocabulary
    return [sample for intent in vocabulary.intents.values() if intent.carries_words
            for sample in intent.samples]


def decision(concern: Concern | None) -> Decision:
    return (None, None, None) if concern is None else (concern.category, concern.rule,
                                                       concern.words)


def carried(detector: SafetyDetector, words: str, samples: list[str]) -> Concern | None:
    return detector.check_any([words], words, [tuple(sample.split("{text}", 1))
                                               for sample in samples])


def decisions(sentences: list[str]) -> dict[str, Decision]:
    detector = load_detector()
    samples = lead_ins()
    result: dict[str, Decision] = {}
    for sentence in sentences:
        result[sentence] = decision(detector.check(sentence))
        for dropped in range(3):
            words = " ".join(sentence.split()[dropped:])
            result[f"carried {dropped}: {sentence}"] = decision(carried(detector, words,
                                                                        samples))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--record", type=Path, metavar="FILE")
    action.add_argument("--compare", type=Path, metavar="FILE")
    args = parser.parse_args()
    sentences = labelled_sentences()
    start = time.perf_counter()
    now = decisions(sentences)
    seconds = time.perf_counter() - start
    print(f"{len(sentences)} sentences, each read alone and as carried words three ways: "
          f"{seconds / len(sentences) * 1e3:.2f} ms per sentence")
    if args.record:
        args.record.write_text(json.dumps(now, indent=0, ensure_ascii=False), encoding="utf-8")
        print(f"recorded in {args.record}")
        return 0
    recorded = {s: tuple(d) for s, d in
                json.loads(args.compare.read_text(encoding="utf-8")).items()}
    unknown = [s for s in now if s not in recorded]
    category = [s for s in now if s in recorded and recorded[s][0] != now[s][0]]
    detail = [s for s in now if s in recorded and s not in category
              and recorded[s] != now[s]]
    for label, changed in (("category changed", category), ("rule or words changed", detail)):
        for sentence in changed:
            print(f"{label}: {sentence!r}: {recorded[sentence]} -> {now[sentence]}")
    print(f"categories changed: {len(category)}; rule or words changed: {len(detail)}; "
          f"not in the record: {len(unknown)}")
    return 1 if category else 0


if __name__ == "__main__":
    sys.exit(main())
