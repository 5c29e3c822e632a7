"""Record the safety check's decision on every labelled sentence, or compare with a record.

A speed change to the detector must not change a single decision. Record with the code as
it is, change it, then compare:

    python bench/safety_decisions.py --record decisions.json
    python bench/safety_decisions.py --compare decisions.json

A decision is the category heard (or none); the rule and the words it heard are recorded
too and a difference there is reported separately. Exit status 1 when a category differs.
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

from dialogs.safety import SAFETY_DIR, load_detector  # noqa: E402

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


def decisions(sentences: list[str]) -> dict[str, Decision]:
    detector = load_detector()
    result: dict[str, Decision] = {}
    for sentence in sentences:
        concern = detector.check(sentence)
        result[sentence] = ((None, None, None) if concern is None else
                            (concern.category, concern.rule, concern.words))
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
    print(f"{len(sentences)} sentences, {seconds / len(sentences) * 1e3:.2f} ms each")
    if args.record:
        args.record.write_text(json.dumps(now, indent=0, ensure_ascii=False), encoding="utf-8")
        print(f"recorded in {args.record}")
        return 0
    recorded = {s: tuple(d) for s, d in
                json.loads(args.compare.read_text(encoding="utf-8")).items()}
    unknown = [s for s in sentences if s not in recorded]
    category = [s for s in sentences if s in recorded and recorded[s][0] != now[s][0]]
    detail = [s for s in sentences if s in recorded and s not in category
              and recorded[s] != now[s]]
    for label, changed in (("category changed", category), ("rule or words changed", detail)):
        for sentence in changed:
            print(f"{label}: {sentence!r}: {recorded[sentence]} -> {now[sentence]}")
    print(f"categories changed: {len(category)}; rule or words changed: {len(detail)}; "
          f"not in the record: {len(unknown)}")
    return 1 if category else 0


if __name__ == "__main__":
    sys.exit(main())
