"""The same concurrent workload for every store: threads writing turns for one couple."""

import threading
from datetime import date

from dialogs.engine import CompleteExercise, SavePosition
from dialogs.store import ProgressStore
from tests.stores import open_agreements, promise

DAY = date(2026, 11, 29)


def write_concurrently(store: ProgressStore, threads: int, rounds: int = 5) -> None:
    """Each thread completes its own exercise, makes its partner's promise again (the day's
    promise is replaced) and moves its saved place, `rounds` times, all at once."""
    errors: list[BaseException] = []

    def turns(number: int) -> None:
        try:
            for round_ in range(rounds):
                store.apply("c1", [CompleteExercise(f"e{number}"),
                                   promise(f"p{number}", f"promise {round_}"),
                                   SavePosition(f"e{number}", {"step": round_})], DAY)
        except BaseException as error:  # collected, so the assertion shows it
            errors.append(error)

    workers = [threading.Thread(target=turns, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []


def assert_nothing_lost(store: ProgressStore, threads: int, rounds: int = 5) -> None:
    profile = store.profile("c1")
    assert len(profile.completions) == threads * rounds
    assert sorted(p.partner for p in open_agreements(profile)) == sorted(
        f"p{n}" for n in range(threads))
    assert all(p.text == f"promise {rounds - 1}" for p in open_agreements(profile))
    assert {k: v["step"] for k, v in profile.saved.items()} == {
        f"e{n}": rounds - 1 for n in range(threads)}
