"""The same concurrent workload for every store: threads writing turns for one couple."""

import contextlib
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
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers)
    assert errors == []


def assert_nothing_lost(store: ProgressStore, threads: int, rounds: int = 5) -> None:
    profile = store.profile("c1")
    assert len(profile.completions) == threads * rounds
    assert sorted(p.partner for p in open_agreements(profile)) == sorted(
        f"p{n}" for n in range(threads))
    assert all(p.text == f"promise {rounds - 1}" for p in open_agreements(profile))
    assert {k: v["step"] for k, v in profile.saved.items()} == {
        f"e{n}": rounds - 1 for n in range(threads)}


def agree_at_the_same_moment(store: ProgressStore, monkeypatch, wait: float = 1.0) -> None:
    """Two turns for one couple each finish the promises exercise and make Sam's promise of
    the day at once: both touch the same agreement row.

    Each turn, once it has looked for the day's agreement to reword, waits (at most `wait`
    seconds) for the other to look too. A store that writes one couple's turns one after the
    other keeps the second turn waiting until the first is written, so it finds and rewords
    that agreement; one that lets them overlap has both find nothing and both add one."""
    from progress.sql import _SqlRecord

    both_looked = threading.Barrier(2, timeout=wait)
    look = _SqlRecord.reword_agreement

    def look_then_wait(record, kind, exercise, partner, made_on, text):
        found = look(record, kind, exercise, partner, made_on, text)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_looked.wait()
        return found

    store.apply("c1", [promise("Alex", "cook Friday")], DAY)
    monkeypatch.setattr(_SqlRecord, "reword_agreement", look_then_wait)
    errors: list[BaseException] = []

    def agree(text: str) -> None:
        try:
            store.apply("c1", [CompleteExercise("promises"), promise("Sam", text)], DAY)
        except BaseException as error:  # collected, so the assertion shows it
            errors.append(error)

    workers = [threading.Thread(target=agree, args=(text,))
               for text in ("call at lunch", "call at noon")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not any(worker.is_alive() for worker in workers)
    assert errors == []
    monkeypatch.undo()
    profile = store.profile("c1")
    assert len(profile.completions) == 2
    sams = [a.text for a in open_agreements(profile) if a.partner == "Sam"]
    assert len(sams) == 1 and sams[0] in ("call at lunch", "call at noon")
