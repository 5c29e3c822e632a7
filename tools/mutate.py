"""Mutation testing of the modules where a silent bug hurts most, one module at a time.

mutmut changes one small thing in the code at a time (a comparison, a constant, a call)
and runs only the tests that reach the changed function; a change that no test notices
"survives". Each module runs in its own copy of the project, so the working tree is never
touched. Prints the share of mutants killed per module; survivors judged equivalent (no
behaviour can tell them apart) are listed in tools/mutation_equivalent.txt with a reason
and counted apart.

    ./dev mutate                 every module
    ./dev mutate verify effects  some of them
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "tools" / "mutation_equivalent.txt"
PACKAGES = ("couplecare", "dialogs", "local_voice", "progress", "rehearsal", "skill")


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    tests: tuple[str, ...]


TARGETS = (
    Target("verify", "skill/verify.py", ("tests/test_skill_verification.py",
                                         "tests/test_skill_verification_order.py")),
    Target("effects", "dialogs/engine/effects.py",
           ("tests/test_engine.py", "tests/test_engine_tables.py", "tests/test_store.py",
            "tests/test_skill_lambda_dynamodb.py")),
    Target("store", "progress/sql.py", ("tests/test_store.py", "tests/test_store_postgres.py",
                                        "tests/test_agreements.py")),
    Target("sqlite", "progress/sqlite.py", ("tests/test_store.py",)),
    Target("rules", "progress/rules.py", ("tests/test_store.py", "tests/test_agreements.py")),
    Target("postgres", "progress/postgres.py", ("tests/test_store_postgres.py",)),
    Target("detector", "dialogs/safety/detector.py", ("tests/test_safety.py",)),
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
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-q", "-x"],
    }
    lines = ["", "[tool.mutmut]"] + [f"{key} = {json.dumps(value)}"
                                      for key, value in settings.items()]
    with open(into / "pyproject.toml", "a") as pyproject:
        pyproject.write("\n".join(lines) + "\n")


def mutate(target: Target, children: int) -> dict[str, str]:
    """Every mutant of the module with its status (killed, survived, timeout, ...)."""
    with tempfile.TemporaryDirectory(prefix="mutate-") as folder:
        work = Path(folder)
        project_copy(target, work)
        env = {**os.environ, "PYTHONPATH": str(work)}
        mutmut = [sys.executable, "-m", "mutmut"]
        subprocess.run([*mutmut, "run", "--max-children", str(children)], cwd=work, env=env,
                       stdout=subprocess.DEVNULL, check=False)
        listed = subprocess.run([*mutmut, "results", "--all", "true"], cwd=work, env=env,
                                capture_output=True, text=True, check=False).stdout
        if os.environ.get("MUTATE_KEEP"):
            shutil.copytree(work / "mutants", Path(os.environ["MUTATE_KEEP"]) / target.name,
                            dirs_exist_ok=True)
    return {name: status for name, status in re.findall(r"^\s*(\S+): (\S+.*)$", listed, re.M)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="names: " + ", ".join(t.name for t in TARGETS))
    parser.add_argument("--children", type=int, default=1, help="mutants run at once")
    args = parser.parse_args(argv)
    chosen = [t for t in TARGETS if not args.modules or t.name in args.modules]
    known = equivalent()
    print(f"{'module':<30} {'mutants':>8} {'killed':>7} {'equiv.':>7} {'survived':>9} "
          f"{'killed %':>9}", flush=True)
    short = 0
    for target in chosen:
        statuses = mutate(target, args.children)
        killed = sum(s.startswith(("killed", "timeout", "caught")) for s in statuses.values())
        equal = [n for n, s in statuses.items() if s.startswith("survived") and n in known]
        alive = [n for n, s in statuses.items()
                 if not s.startswith(("killed", "timeout", "caught")) and n not in known]
        judged = len(statuses) - len(equal)
        share = 100 * killed / judged if judged else 0.0
        short += share < 90
        print(f"{target.path:<30} {len(statuses):>8} {killed:>7} {len(equal):>7} "
              f"{len(alive):>9} {share:>8.1f}%", flush=True)
        for name in alive:
            print(f"    not killed: {name} ({statuses[name]})", flush=True)
    print(f"\nEquivalent survivors and why: {EQUIVALENT.relative_to(ROOT)}")
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
