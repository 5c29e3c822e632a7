"""Safety check benchmark: recall on danger and false alarms on ordinary talk, per category.

Two labelled files: `corpus.yaml` (the rules were written against it and the learned second
opinion trained on it, so its figures flatter both) and `heldout.yaml` (written by people who
never saw either; the better estimate of what happens on sentences nobody here wrote; the
"unseen" rows leave out the held-out sentences the corpus also holds, word for word). Three
columns: the whole check (rules, then the learned second opinion), the rules alone, and the
baseline measured in the same run: a plain list of danger phrases matched at word boundaries
(the vocabulary's SafetyIntent samples), the way the first version checked.
Goal: recall at least 0.98, false alarms at most 0.02.
Times are this process's CPU time, so that others' work on a shared machine does not
count; the concepts' load time is compared with reading the same files as plain YAML.

    python bench/safety.py [--show-misses]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dialogs.book import load_book  # noqa: E402
from dialogs.safety import CONCEPTS_DIR, SAFETY_DIR, default_detector, load_detector  # noqa: E402

GOAL_RECALL = 0.98
GOAL_FALSE_ALARMS = 0.02


def phrase_list_baseline() -> Callable[[str], bool]:
    samples = load_book().vocabulary.intents["SafetyIntent"].samples

    def words(text: str) -> str:
        return " ".join(re.sub(r"[^\w ]+", " ", re.sub(r"['’]", "", text.lower())).split())

    patterns = [re.compile(rf"\b{re.escape(words(s))}\b") for s in samples]
    return lambda text: any(p.search(words(text)) for p in patterns)


def _letters(sentence: str) -> str:
    """A sentence as compared between the files: two authors who never saw each other's
    sentences sometimes write the same one, and the rules and the model have seen those."""
    return " ".join(re.sub(r"[^a-z ]+", "", sentence.lower()).split())


def share(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    start = time.process_time()
    rules = load_detector()
    load_seconds = time.process_time() - start
    detector = default_detector()
    start = time.process_time()
    for path in sorted(CONCEPTS_DIR.glob("*.yaml")):
        yaml.safe_load(path.read_text(encoding="utf-8"))
    yaml_seconds = time.process_time() - start
    baseline = phrase_list_baseline()
    # per file and overall: [danger flagged, danger sentences, ordinary flagged, ordinary]
    checks: dict[str, Callable[[str], bool]] = {
        "detector": lambda s: detector.check(s) is not None,
        "rules": lambda s: rules.check(s) is not None,
        "baseline": baseline}
    names = ("corpus", "heldout", "unseen", "all")
    totals = {(who, name): [0, 0, 0, 0] for who in checks for name in names}
    in_corpus: set[str] = set()
    seconds = dict.fromkeys(checks, 0.0)
    rows = []
    for name in ("corpus", "heldout"):
        data = yaml.safe_load((SAFETY_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        for kind, sentences_by_category in (("danger", data["danger"]),
                                            ("ordinary", data["ordinary"])):
            for category, sentences in sentences_by_category.items():
                row = [f"{name}: {category}", kind]
                if name == "heldout":
                    unseen = [s for s in sentences if _letters(s) not in in_corpus]
                else:
                    in_corpus.update(map(_letters, sentences))
                for who, flags in checks.items():
                    start = time.process_time()
                    flagged = [s for s in sentences if flags(s)]
                    seconds[who] += time.process_time() - start
                    slot = 0 if kind == "danger" else 2
                    for key in ((who, name), (who, "all")):
                        totals[key][slot] += len(flagged)
                        totals[key][slot + 1] += len(sentences)
                    if name == "heldout":
                        totals[(who, "unseen")][slot] += sum(s in unseen for s in flagged)
                        totals[(who, "unseen")][slot + 1] += len(unseen)
                    row.append(share(len(flagged), len(sentences)))
                    if args.show_misses and who == "detector":
                        shown = ([s for s in sentences if s not in flagged] if kind == "danger"
                                 else flagged)
                        for sentence in shown:
                            print(f"  {'missed' if kind == 'danger' else 'false alarm'} "
                                  f"[{name}/{category}] {sentence}")
                rows.append(row)
    print(f"{'file: category':36} {'kind':8} {'detector':>9} {'rules':>9} {'phrases':>9}"
          "  (share flagged)")
    for label, kind, *shares in rows:
        print(f"{label:36} {kind:8} " + " ".join(f"{x:9.3f}" for x in shares))
    for name in names:
        found = [totals[(who, name)] for who in checks]
        print(f"{name + ': recall on danger':36} {'':8} "
              + " ".join(f"{share(*t[:2]):9.3f}" for t in found))
        print(f"{name + ': false alarms':36} {'':8} "
              + " ".join(f"{share(*t[2:]):9.3f}" for t in found))
    ours, theirs = totals[("detector", "all")], totals[("baseline", "all")]
    sentences = ours[1] + ours[3]
    recall, base_recall = share(*ours[:2]), share(*theirs[:2])
    print(f"{'CPU time per sentence (ms)':36} {'':8} "
          + " ".join(f"{seconds[who] / sentences * 1e3:9.3f}" for who in checks))
    print(f"time per sentence: ratio={seconds['detector'] / seconds['baseline']:.1f} "
          "(detector over the plain phrase list)")
    print(f"concepts load (s): detector {load_seconds:.2f}, plain YAML read {yaml_seconds:.2f}, "
          f"ratio={load_seconds / yaml_seconds:.2f} (reading and checking every rule over "
          "reading the files)")
    met = all(share(*totals[("detector", name)][:2]) >= GOAL_RECALL
              and share(*totals[("detector", name)][2:]) <= GOAL_FALSE_ALARMS
              for name in ("corpus", "heldout", "unseen"))
    print(f"goal on the corpus and held out (recall >= {GOAL_RECALL}, "
          f"false alarms <= {GOAL_FALSE_ALARMS}): {'met' if met else 'not met'}")
    print(f"ratio={recall / max(base_recall, 1e-9):.2f} (recall on danger over the plain "
          "phrase list's)")


if __name__ == "__main__":
    main()
