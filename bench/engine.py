"""Engine benchmark: definition load time and the cost of one turn, each against a baseline.

Baselines are measured in the same run: loading the same definitions as plain JSON (no
YAML parsing, no validation), and a no-op step that only copies the state the way the
engine must. Prints a table and ends with one `ratio=` line.

    python bench/engine.py [--repeat N]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from dialogs import engine
from dialogs.book import CONTENT_DIR, load_book
from dialogs.engine import Context, Launch, Profile, Utterance
from dialogs.model import Platform
from dialogs.session import LOCAL_USER, take_turn
from dialogs.source import read_yaml
from progress.sqlite import SqliteStore


def timed(action: Callable[[], object], repeat: int, number: int) -> float:
    """Median seconds per call over `repeat` batches of `number` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            action()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    files = [CONTENT_DIR / n for n in ("vocabulary.yaml", "messages.yaml", "welcome.yaml")]
    files += sorted((CONTENT_DIR / "exercises").glob("*.yaml"))
    as_json = [json.dumps(read_yaml(f)[0]) for f in files]

    load = timed(load_book, args.repeat, 3)
    load_json = timed(lambda: [json.loads(text) for text in as_json], args.repeat, 50)

    book = load_book()
    context = Context(Platform.TEXT, Profile(names=("Sam", "Alex"), disclaimer_seen=True),
                      date(2026, 11, 29))
    state = None
    for said in ("yes", "yes", "yes"):
        event = Launch(exercise="honest-check-in") if state is None else Utterance(said)
        state = engine.step(book, state, event, context).state
    state = engine.step(book, state, Utterance("yes"), context).state  # now in a timed phase
    event = Utterance("we're done")

    turn = timed(lambda: engine.step(book, state, event, context), args.repeat, 200)
    noop = timed(lambda: {"state": copy.deepcopy(state), "event": event}, args.repeat, 200)

    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "bench.sqlite3")
        stored = timed(lambda: take_turn(book, store, LOCAL_USER, state, event, Platform.TEXT),
                       args.repeat, 50)
        store.close()

    rows = [
        ("load all definitions", load, "same data as plain JSON", load_json),
        ("one engine turn", turn, "no-op step (state copy)", noop),
        ("one turn with SQLite store", stored, "no-op step (state copy)", noop),
    ]
    print(f"{'measure':30} {'time':>10}  {'baseline':26} {'time':>10}  {'ratio':>8}")
    for name, value, base_name, base in rows:
        print(f"{name:30} {value * 1e3:8.3f}ms  {base_name:26} {base * 1e3:8.3f}ms  "
              f"{value / base:8.1f}")
    print(f"ratio={turn / noop:.2f} (one engine turn over a no-op step)")


if __name__ == "__main__":
    main()
