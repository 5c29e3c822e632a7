"""Plays conversation files through drivers: the one runner for pytest and `couplecare rehearse`.

Each file is played once for each platform it lists that a driver is given for, with a
fresh driver and a fresh store: a `Case`.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from dialogs.book import Book
from dialogs.engine import AgreementKind, AgreementStatus, Profile
from dialogs.model import Platform
from dialogs.session import LOCAL_USER
from dialogs.turn_length import crisis_numbers, reply_limit, reply_problem
from progress.sqlite import SqliteStore
from rehearsal.script import Driver, Outcome, Reply, Script, Stored, load_script, prepare_store

STRAY_STOPS = re.compile(r"\.\.|\s\.")
"""Full stops doubled or after a space: words read back were joined badly."""


@dataclass(frozen=True)
class Case:
    """One conversation file, played on one platform."""

    path: Path
    script: Script
    platform: Platform

    @property
    def name(self) -> str:
        return f"{self.path.stem}-{self.platform.value}"


class DriverStarter(Protocol):
    """Makes a driver for a case, its store in `folder` holding the script's setup."""

    def __call__(self, case: Case, folder: Path) -> Driver: ...


def local_store(case: Case, folder: Path, today: date) -> SqliteStore:
    """The SQLite store a local driver starts on, holding what the script's `setup` says
    earlier sessions left."""
    store = SqliteStore(folder / "progress.sqlite3")
    prepare_store(store, case.script.setup, LOCAL_USER, today)
    return store


def cases(files: Iterable[Path], platforms: Iterable[Platform], *,
          recognises: bool = True) -> Iterator[Case]:
    """Each file on each of its platforms that is among `platforms`, read one file at a time;
    with `recognises=False` (drivers that hear no speech) none about speech recognition."""
    wanted = set(platforms)
    for path in files:
        script, _ = load_script(path)
        if script.about_recognition and not recognises:
            continue
        for platform in script.platforms:
            if platform in wanted:
                yield Case(path, script, platform)


def play(case: Case, driver: Driver) -> Outcome:
    """Plays one case through a driver made for it, then closes the driver."""
    try:
        return run_script(case.script, driver, str(case.path), case.platform)
    finally:
        driver.close()


def rehearse(files: Iterable[Path], starters: Mapping[Platform, DriverStarter], *,
             recognises: bool = True) -> Iterator[tuple[Case, Outcome]]:
    """Plays every case the starters cover, each in a temporary folder of its own."""
    for case in cases(files, starters, recognises=recognises):
        with tempfile.TemporaryDirectory() as folder:
            outcome = play(case, starters[case.platform](case, Path(folder)))
        yield case, outcome


def breathless(book: Book, platform: Platform, reply: Reply) -> str | None:
    """Why a reply heard is too long to hold in mind or leaves no room to breathe, or None:
    the measure lint uses for authored turns (`dialogs.turn_length`), applied to the words
    really spoken, joins, filled-in words and all."""
    flow = reply.at.split("/")[0]
    limit = reply_limit(book.exercises.get(flow, book.welcome), platform)
    return reply_problem(reply.heard, limit, crisis_numbers(book.messages.safety))


def run_script(script: Script, driver: Driver, file: str = "",
               platform: Platform = Platform.TEXT) -> Outcome:
    """Plays `script` on `platform`; every reply must say and show what the line expects, and
    be breath-sized (`breathless`)."""
    outcome = Outcome(script.title, file)
    for number, line in enumerate(script.script, start=1):
        where = f"line {number} ({line.action})"
        if line.stored is not None:
            for problem in _check_stored(line.stored, driver.profile()):
                outcome.failures.append(f"{where}: {problem}")
            continue
        if line.new_session is not None:
            driver.new_session(line.days_later)
            outcome.transcript.append(f"--- new session, {line.days_later} day(s) later ---")
            continue
        if line.launch is not None:
            reply = driver.launch(line.launch.get("exercise"))
            outcome.transcript.append("(launch)")
        elif line.user is not None:
            outcome.transcript.append(f"user: {line.user}" + (" (heard unsurely)" if line.unsure
                                                                else ""))
            reply = driver.user(line.user, unsure=True) if line.unsure else \
                driver.user(line.user)
        elif line.silence:
            outcome.transcript.append("(silence)")
            reply = driver.silence()
        elif line.timer:
            outcome.transcript.append("(timer)")
            reply = driver.timer()
        else:
            outcome.transcript.append("(end)")
            reply = driver.end()
        outcome.transcript.append(f"guide [{reply.at}]: {reply.speech}")
        spoken = " ".join(reply.speech.lower().replace("’", "'").split())
        if line.at is not None and reply.at != line.at:
            outcome.failures.append(f"{where}: at {reply.at}, expected {line.at}")
        for words in line.says:
            if " ".join(words.lower().split()) not in spoken:
                outcome.failures.append(f"{where}: the guide did not say {words!r}: "
                                        f"{reply.speech!r}")
        for words in line.not_says:
            if " ".join(words.lower().split()) in spoken:
                outcome.failures.append(f"{where}: the guide said {words!r}, which it should not")
        too_long = breathless(driver.book, platform, reply)
        if too_long:
            outcome.failures.append(f"{Path(file).name} {where}: the reply heard at {reply.at} on "
                                    f"{platform.value} has {too_long}: {reply.speech!r}")
        for text in (reply.speech, reply.card):
            if STRAY_STOPS.search(text):
                outcome.failures.append(f"{where}: stray full stops in {text!r}")
        shown = " ".join(reply.card.lower().replace("’", "'").split())
        for words in line.shows:
            if " ".join(words.lower().split()) not in shown:
                outcome.failures.append(f"{where}: the card did not show {words!r}: "
                                        f"{reply.card!r}")
        if line.ends is not None and reply.ended != line.ends:
            happened = "did not end" if line.ends else "ended"
            outcome.failures.append(f"{where}: the session {happened}")
    return outcome


def _check_stored(expected: Stored, profile: Profile) -> list[str]:
    problems = []
    if expected.saved is not None and sorted(expected.saved) != sorted(profile.saved):
        problems.append(f"saved positions are {sorted(profile.saved)}, "
                        f"expected {sorted(expected.saved)}")
    open_promises = [a for a in profile.agreements
                     if a.kind is AgreementKind.PROMISE and a.status is AgreementStatus.OPEN]
    if expected.open_promises is not None and expected.open_promises != len(open_promises):
        problems.append(f"{len(open_promises)} open promises, "
                        f"expected {expected.open_promises}")
    agreements = tuple(" ".join(filter(None, (a.partner, a.kind, a.status,
                                              a.outcome and a.outcome.value)))
                       for a in profile.agreements)
    if expected.agreements is not None and tuple(expected.agreements) != agreements:
        problems.append(f"agreements are {list(agreements)}, "
                        f"expected {list(expected.agreements)}")
    completed = [e for e, _ in profile.completions]
    if expected.completed is not None and sorted(expected.completed) != sorted(completed):
        problems.append(f"completed {completed}, expected {list(expected.completed)}")
    if expected.names is not None and tuple(expected.names) != profile.names:
        problems.append(f"names are {profile.names}, expected {expected.names}")
    return problems
