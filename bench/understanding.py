"""Understanding benchmark: how often an everyday answer is read the way it was meant.

`tests/answers/round-*.yaml` hold answers written by people who had not seen the vocabulary,
each labelled with what it means: yes, no or unsure to a yes-or-no question; a command in
the person's own words (said at a question, and while speaking freely); a non-answer or a
real answer to an open question; a first name; how a promise went; what to do with it; the
exercise wanted. Each is read the way the engine reads it at a real step of the welcome flow
(`safe_check`, `agreement_change`, `ask_first`, `agreement_ask`, `agreement_choice`, `menu`;
a resume while paused). The safety check is left out: `bench/safety.py` measures it.

Two columns: the shipped vocabulary, and the baseline measured in the same run: the same
vocabulary without its cues and frame words (samples and slot values only, the way the first
version matched; names and exercises named inside longer answers are read by code, in both
columns). Scored before the cues were written for them: round 1 at 0.48 with the yes and
no cues of the time, round 2 at 0.49; round 3, after cues written from rounds 1 and 2, at
0.78 (0.47 before them); rounds 4 and 5 (speech-to-text on a walk, English as a second
language, formal and distracted couples, half the commands said mid-answer) at 0.72.

    python bench/understanding.py [--show-misses] [FILE ...]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dialogs import intents  # noqa: E402
from dialogs.book import load_book  # noqa: E402
from dialogs.matcher import Matcher  # noqa: E402
from dialogs.model import ListenMode, Step, Vocabulary  # noqa: E402

ANSWERS_DIR = ROOT / "tests" / "answers"
COMMANDS = {"repeat": intents.REPEAT, "help": intents.HELP, "pause": intents.PAUSE,
            "resume": intents.RESUME, "previous": intents.PREVIOUS, "skip": intents.NEXT,
            "start_over": intents.START_OVER, "stop": intents.STOP,
            "menu": intents.NAVIGATE_HOME, "done": intents.DONE}
YES_NO = {"yes": intents.YES, "no": intents.NO, "unsure": intents.UNSURE}
NON_ANSWERS = {intents.REPEAT, intents.UNSURE, intents.HELP, intents.PAUSE}
Heard = tuple[str | None, dict[str, str]]
Case = tuple[str, str, str, Step, bool, Callable[[Heard], bool]]


def without_cues(vocabulary: Vocabulary) -> Vocabulary:
    """The baseline: samples and slot values only."""
    return vocabulary.model_copy(update={
        "frame": (),
        "intents": {n: i.model_copy(update={"cues": ()}) for n, i in vocabulary.intents.items()},
        "slot_types": {n: t.model_copy(update={"cues": {}, "mixed": None})
                       for n, t in vocabulary.slot_types.items()}})


def hear(matcher: Matcher, text: str, step: Step, paused: bool) -> Heard:
    if paused:
        found = matcher.match(text, intents.PAUSED_INTENTS)
    else:
        expected = tuple(dict.fromkeys([*step.on, *intents.GLOBAL_INTENTS]))
        strict = step.listen in (ListenMode.ANY_WORDS, ListenMode.TIMED)
        found = matcher.match(text, expected, strict=strict)
    return (found.intent, found.slots) if found else (None, {})


def _is(intent: str, **slots: str) -> Callable[[Heard], bool]:
    return lambda heard: heard[0] == intent and all(
        heard[1].get(k, "").lower() == v.lower() for k, v in slots.items())


def _either(*checks: Callable[[Heard], bool]) -> Callable[[Heard], bool]:
    return lambda heard: any(check(heard) for check in checks)


def cases(answers: dict, steps: dict[str, Step]) -> Iterator[Case]:
    for label, said in answers["yes_no"].items():
        label = {True: "yes", False: "no"}.get(label, label)  # YAML 1.1 reads a bare yes as true
        for text in said:
            yield "yes_no", label, text, steps["safe_check"], False, _is(YES_NO[label])
    for label, said in answers["commands"].items():
        right = _is(COMMANDS[label])
        if label == "stop":
            right = _either(right, _is(intents.CANCEL))
        for text in said:
            yield "commands", label, text, steps["safe_check"], label == "resume", right
            if label != "resume":
                yield "commands_free", label, text, steps["agreement_change"], False, right
    free = steps["agreement_change"]
    for text in answers["open_questions"]["non_answers"]:
        yield "open", "non_answers", text, free, False, lambda heard: heard[0] in NON_ANSWERS
    for text in answers["open_questions"]["real_answers"]:
        yield "open", "real_answers", text, free, False, lambda heard: heard[0] is None
    for item in answers["names"]:
        text, name = (part.strip() for part in item.rsplit("|", 1))
        yield "names", "name", text, steps["ask_first"], False, _is(intents.NAME, name=name)
    for label, said in answers["outcomes"].items():
        right = _is("OutcomeIntent", outcome=label)
        if label == "kept":
            right = _either(right, _is(intents.YES))
        elif label == "not_kept":
            right = _either(right, _is(intents.NO))
        for text in said:
            yield "outcomes", label, text, steps["agreement_ask"], False, right
    for label, said in answers["decisions"].items():
        right = _is("DecisionIntent", decision=label)
        if label == "keep":
            right = _either(right, _is(intents.YES))
        for text in said:
            yield "decisions", label, text, steps["agreement_choice"], False, right
    for item in answers["choices"]:
        text, exercise = (part.strip() for part in item.rsplit("|", 1))
        yield ("choices", "exercise", text, steps["menu"], False,
               _is(intents.CHOOSE_INTENT, choice=exercise))


def score(matcher: Matcher, steps: dict[str, Step], files: list[Path]
          ) -> tuple[dict[tuple[str, str], list[int]], list[str]]:
    """Per (section, label): [answers, read as meant]; and the misses, described."""
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for path in files:
        answers = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section, label, text, step, paused, right in cases(answers, steps):
            heard = hear(matcher, text, step, paused)
            total = totals[(section, label)]
            total[0] += 1
            total[1] += right(heard)
            if not right(heard):
                misses.append(f"{path.stem} {section}/{label}: {text!r} -> {heard[0]} "
                              f"{heard[1] or ''}")
    return totals, misses


def share(totals: dict[tuple[str, str], list[int]], section: str | None = None) -> float:
    rows = [t for (s, _), t in totals.items() if section in (None, s)]
    return sum(t[1] for t in rows) / max(sum(t[0] for t in rows), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("files", nargs="*", type=Path,
                        help="answer files to read (default: tests/answers/round-*.yaml)")
    args = parser.parse_args()
    book = load_book()
    steps = dict(book.welcome.steps)
    files = args.files or sorted(ANSWERS_DIR.glob("round-*.yaml"))
    shipped = Matcher(book.vocabulary)
    baseline = Matcher(without_cues(book.vocabulary))
    print(f"{'answers':34} {'n':>5} {'shipped':>8} {'baseline':>9}")
    overall: dict[str, float] = {}
    for path in [*files, None]:
        chosen = files if path is None else [path]
        now, misses = score(shipped, steps, chosen)
        before, _ = score(baseline, steps, chosen)
        name = "all rounds" if path is None else path.stem
        sections = sorted({s for s, _ in now})
        n = sum(t[0] for t in now.values())
        print(f"{name:34} {n:5d} {share(now):8.3f} {share(before):9.3f}")
        if path is None:
            for section in sections:
                count = sum(t[0] for (s, _), t in now.items() if s == section)
                print(f"  {section:32} {count:5d} {share(now, section):8.3f} "
                      f"{share(before, section):9.3f}")
            overall = {"shipped": share(now), "baseline": share(before)}
            if args.show_misses:
                print(*misses, sep="\n")
    print(f"overall={overall['shipped']:.3f}")
    print(f"ratio={overall['shipped'] / max(overall['baseline'], 1e-9):.2f} (answers read as "
          f"meant, over samples and slot values alone)")


if __name__ == "__main__":
    main()
