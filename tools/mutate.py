"""Mutation testing of the modules where a silent bug hurts most, one module at a time.

mutmut changes one small thing in the code at a time (a comparison, a constant, a call)
and runs only the tests that reach the changed function; a change that no test notices
"survives". Each module runs in its own copy of the project, so the working tree is never
touched, at a low priority (nice 10). Prints the share of mutants killed per module;
survivors judged equivalent (no behaviour can tell them apart) are listed in
tools/mutation_equivalent.txt with a reason and counted apart; survivors that differ only in
how long something takes are listed there too ("time only: ..."), in their own column, and
still count as not killed.

A module whose every mutant would take too long is run on a sample: every k-th mutant in
mutmut's order (the same mutants each time), and the table says so with the sample's size.

    ./dev mutate                      every module
    ./dev mutate verify effects       some of them
    ./dev mutate --every 3 detector   one mutant in three
    ./dev mutate --every 1 detector   all of them, however long it takes
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "tools" / "mutation_equivalent.txt"
PACKAGES = ("couplecare", "dialogs", "local_voice", "progress", "rehearsal", "skill", "tools")
"""Copied into mutmut's own tree, so tests can import from each (tools: the safety trainer)."""


@dataclass(frozen=True)
class Target:
    """A module and the tests that cover it. `skip` deselects tests too slow to run for
    each mutant (the others must cover what they check); `every` samples one mutant in
    that many by default; `needs` names what must be installed for the tests to mean
    anything (a check returning why not, or None)."""

    name: str
    path: str
    tests: tuple[str, ...]
    skip: tuple[str, ...] = ()
    every: int = 1
    needs: Callable[[], str | None] | None = None


def postgres_server() -> str | None:
    """Why the PostgreSQL tests cannot run here, or None when they can."""
    if glob.glob("/usr/lib/postgresql/*/bin/initdb") or shutil.which("initdb"):
        return None
    return "no PostgreSQL server installed (its tests would skip, every mutant survive)"


SAFETY_TESTS = ("tests/test_safety.py", "tests/test_safety_language.py",
                "tests/test_safety_phrases.py")
CORPUS_TEST = "tests/test_safety.py::test_the_corpus_meets_the_goal"
"""Two minutes a run: thousands of sentences. The safety tests must kill without it."""
LEAD_IN_TESTS = (
    "tests/test_safety.py::test_carried_words_behind_every_lead_in_get_the_answer_of_each_"
    "sentence_read_alone",
    "tests/test_safety.py::test_several_texts_are_danger_when_any_of_them_is_and_the_same_"
    "words_are_read_once",
)
"""Over a minute together: hundreds of corpus sentences read behind every lead-in and alone.
For the phrase language and the reading of words, tests/test_safety_phrases.py kills the
same mutants in a second (the detector's own run keeps these two)."""

TARGETS = (
    Target("verify", "skill/verify.py", ("tests/test_skill_verification.py",
                                         "tests/test_skill_verification_order.py",
                                         "tests/test_skill_certificate_download.py")),
    Target("effects", "dialogs/engine/effects.py",
           ("tests/test_engine.py", "tests/test_engine_tables.py", "tests/test_store.py",
            "tests/test_skill_lambda_dynamodb.py")),
    # The statements are shared: SQLite's tests judge them; PostgreSQL's own code has its row.
    Target("store", "progress/sql.py", ("tests/test_store.py", "tests/test_agreements.py")),
    Target("sqlite", "progress/sqlite.py", ("tests/test_store.py",)),
    Target("rules", "progress/rules.py", ("tests/test_store.py", "tests/test_agreements.py")),
    Target("postgres", "progress/postgres.py", ("tests/test_store_postgres.py",),
           needs=postgres_server),
    Target("detector", "dialogs/safety/detector.py",
           (*SAFETY_TESTS, "tests/test_safety_learned.py"), skip=(CORPUS_TEST,)),
    Target("phrases", "dialogs/safety/phrases.py", SAFETY_TESTS,
           skip=(CORPUS_TEST, *LEAD_IN_TESTS)),
    Target("words", "dialogs/safety/words.py", SAFETY_TESTS, skip=(CORPUS_TEST, *LEAD_IN_TESTS)),
    Target("learned", "dialogs/safety/learned.py",
           ("tests/test_safety_learned.py", "tests/test_safety_meaning.py")),
    Target("meaning", "dialogs/safety/meaning.py", ("tests/test_safety_meaning.py",)),
)


def equivalent() -> dict[str, str]:
    """Mutant name -> why no behaviour can tell it from the original."""
    if not EQUIVALENT.exists():
        return {}
    found = {}
    for line in EQUIVALENT.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(":")
            found[name.strip()] = reason.strip()
    return found


def project_copy(target: Target, into: Path) -> None:
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    for name in files:
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    settings = {
        "source_paths": list(PACKAGES), "only_mutate": [target.path],
        "pytest_add_cli_args_test_selection": list(target.tests),
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-q", "-x",
                                *(f"--deselect={test}" for test in target.skip)],
    }
    lines = ["", "[tool.mutmut]"] + [f"{key} = {json.dumps(value)}"
                                      for key, value in settings.items()]
    with open(into / "pyproject.toml", "a") as pyproject:
        pyproject.write("\n".join(lines) + "\n")


TIME_ONLY = "time only:"
"""A listed survivor whose reason starts so differs only in how long something takes: the
tests hold no timed assertions, so it stays a survivor (counted as not killed), named with
its reason instead of as a missing test."""

MEMORY = 6 * 1024**3
"""Bytes of address space a mutation run may take. A mutant that loops forever growing a
list (`positions` never clearing its bits) would otherwise take every byte of the machine in
minutes; with the cap it fails with MemoryError, and the test that ran it kills it."""


def _run_limits() -> None:
    """In the mutation run's process, before it starts: low priority, bounded memory."""
    os.nice(10)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


NOT_A_MUTANT = "not-a-mutant-name"
"""Asked for by name, it makes mutmut write every mutant and stop before running any."""


def mutant_names(work: Path, target: Target) -> list[str]:
    """Every mutant of the module, in mutmut's order, from the files it writes."""
    meta = work / "mutants" / (target.path + ".meta")
    return list(json.loads(meta.read_text())["exit_code_by_key"])


def mutate(target: Target, children: int, every: int) -> tuple[dict[str, str], int]:
    """The status (killed, survived, timeout, ...) of every mutant run (every `every`-th
    when sampling), and how many mutants the module has."""
    with tempfile.TemporaryDirectory(prefix="mutate-") as folder:
        work = Path(folder)
        project_copy(target, work)
        env = {**os.environ, "PYTHONPATH": str(work)}
        mutmut = [sys.executable, "-m", "mutmut"]

        said: list[str] = []

        def run(*names: str) -> None:
            done = subprocess.run([*mutmut, "run", "--max-children", str(children), *names],
                                  cwd=work, env=env, capture_output=True, text=True,
                                  check=False, preexec_fn=_run_limits)
            said[:] = (done.stdout + done.stderr).splitlines()[-12:]

        if every > 1:
            run(NOT_A_MUTANT)
            everyone = mutant_names(work, target)
            chosen = everyone[::every]
            run(*chosen)
        else:
            run()
            everyone = chosen = mutant_names(work, target)
        listed = subprocess.run([*mutmut, "results", "--all", "true"], cwd=work, env=env,
                                capture_output=True, text=True, check=False).stdout
        if os.environ.get("MUTATE_KEEP"):
            shutil.copytree(work / "mutants", Path(os.environ["MUTATE_KEEP"]) / target.name,
                            dirs_exist_ok=True)
    statuses = dict(re.findall(r"^\s*(\S+): (\S+.*)$", listed, re.M))
    if all(statuses.get(name, "not checked") == "not checked" for name in chosen):
        raise RuntimeError("mutmut ran no mutant; the end of what it said:\n" + "\n".join(said))
    return {name: statuses.get(name, "not run") for name in chosen}, len(everyone)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="names: " + ", ".join(t.name for t in TARGETS))
    parser.add_argument("--children", type=int, default=1, help="mutants run at once")
    parser.add_argument("--every", type=int, help="run every k-th mutant only (a sample); "
                                                  "1 runs them all")
    args = parser.parse_args(argv)
    chosen = [t for t in TARGETS if not args.modules or t.name in args.modules]
    known = equivalent()
    print(f"{'module':<30} {'mutants':>8} {'killed':>7} {'equiv.':>7} {'time':>5} "
          f"{'survived':>9} {'killed %':>9}", flush=True)
    short = 0
    for target in chosen:
        missing = target.needs() if target.needs else None
        if missing:
            print(f"{target.path:<30} not run: {missing}", flush=True)
            continue
        every = args.every or target.every
        try:
            statuses, total = mutate(target, args.children, every)
        except RuntimeError as error:
            print(f"{target.path:<30} not run: {error}", flush=True)
            short += 1
            continue
        killed = sum(s.startswith(("killed", "timeout", "caught")) for s in statuses.values())
        listed = [n for n, s in statuses.items() if s.startswith("survived") and n in known]
        timed = [n for n in listed if known[n].startswith(TIME_ONLY)]
        alive = [n for n, s in statuses.items()
                 if not s.startswith(("killed", "timeout", "caught")) and n not in known]
        judged = len(statuses) - len(listed) + len(timed)
        share = 100 * killed / judged if judged else 0.0
        short += share < 90
        sample = (f"  (a sample: 1 in {every} of {total} mutants)"
                  if len(statuses) < total else "")
        print(f"{target.path:<30} {len(statuses):>8} {killed:>7} {len(listed) - len(timed):>7} "
              f"{len(timed):>5} {len(alive):>9} {share:>8.1f}%{sample}", flush=True)
        for name in alive:
            print(f"    not killed: {name} ({statuses[name]})", flush=True)
    print(f"\nEquivalent survivors and why: {EQUIVALENT.relative_to(ROOT)}")
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
