"""Start-up benchmark: time to the first prompt of `couplecare talk --text`, and the Alexa
skill's cold start (import, build, first request), each against a baseline in the same run.

Baselines: for the text front end, `python -c "import ask_sdk_core, flask"` (the goal is at
most half of it); for the skill, the same Flask code serving a bare ask-sdk "hello" skill.

Both start with the checked book already kept in the cache folder (a run fills it first), as
every start after the first does; the rows marked "cache empty" start without it, as the
first start after a change to a definition file does (shown for information, no goal).

Each figure is given twice: wall time, and the CPU time the started program used (user and
system), which a machine busy with other work disturbs far less.

    python bench/startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FIRST_REQUEST = ("import json, tempfile; from rehearsal.alexa_requests import envelope, "
                 "launch_request; {build}; "
                 "answer = app.test_client().post('/alexa', json=envelope(launch_request(), "
                 "new=True)); assert answer.status_code == 200 and "
                 "answer.get_json()['response']['outputSpeech']['ssml'], answer.data")
SKILL = FIRST_REQUEST.format(build="from skill import create_app; app = create_app("
                             "{'VERIFY_REQUESTS': False, 'DATA_DIR': tempfile.mkdtemp()})")
HELLO = FIRST_REQUEST.format(build="import sys; sys.path.insert(0, 'bench'); import hello_skill; "
                             "from skill.app import create_app; app = create_app("
                             "{'VERIFY_REQUESTS': False, 'SKILL': hello_skill.hello_skill()})")
IMPORTS = "import ask_sdk_core, flask"


Sample = tuple[float, float]
"""Wall seconds and CPU seconds of one start."""


def environment(folder: str, cache: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "COUPLECARE_DATA_DIR": folder,
            "COUPLECARE_CACHE_DIR": cache}


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_code(code: str, cache: str) -> Sample:
    with tempfile.TemporaryDirectory() as folder:
        cpu, start = children_cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                       env=environment(folder, cache), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return time.perf_counter() - start, children_cpu() - cpu


def first_prompt(cache: str) -> Sample:
    """From start to the first question the text front end prints (its CPU time counts up
    to then: it waits for an answer after it, and is stopped)."""
    with tempfile.TemporaryDirectory() as folder:
        cpu, start = children_cpu(), time.perf_counter()
        talk = subprocess.Popen([sys.executable, "-m", "couplecare.cli", "talk", "--text"],
                                cwd=ROOT, env=environment(folder, cache), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert talk.stdout is not None
        seen = b""
        while b"?" not in seen:
            chunk = talk.stdout.read1(4096)
            if not chunk:
                raise SystemExit(f"the text front end ended before a prompt: {seen!r}")
            seen += chunk
        elapsed = time.perf_counter() - start
        talk.kill()
        talk.wait()
        return elapsed, children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="startup-bench-cache-")
    try:
        samples = measure(args.repeat, cache)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    median = {name: (statistics.median(w for w, _ in values),
                     statistics.median(c for _, c in values))
              for name, values in samples.items()}
    print(f"median of {args.repeat}, alternating; wall time, then CPU time")
    print(f"{'measure':48} {'ours':>7} {'base':>7} {'ratio':>6}  {'ours':>7} {'base':>7} "
          f"{'ratio':>6} {'goal':>5}")
    rows = [("text front end: first prompt / ask+flask import", "prompt", "imports", 0.5),
            ("skill cold start: first response / hello", "skill", "hello", 1.3),
            ("text front end, cache empty / ask+flask import", "prompt, cache empty",
             "imports", None),
            ("skill cold start, cache empty / hello", "skill, cache empty", "hello", None)]
    for name, ours, base, goal in rows:
        (ours_wall, ours_cpu), (base_wall, base_cpu) = median[ours], median[base]
        print(f"{name:48} {ours_wall * 1e3:5.0f}ms {base_wall * 1e3:5.0f}ms "
              f"{ours_wall / base_wall:6.2f}  {ours_cpu * 1e3:5.0f}ms {base_cpu * 1e3:5.0f}ms "
              f"{ours_cpu / base_cpu:6.2f} {'-' if goal is None else f'{goal:.2f}':>5}")
    for name, ours, base, goal in rows:
        if goal is not None:
            ratio = median[ours][1] / median[base][1]
            verdict = "met" if ratio <= goal else f"missed by {ratio / goal:.1f} times"
            print(f"goal: {name} at most {goal} (CPU time): {ratio:.2f}, {verdict}")
    prompt, imports = median["prompt"], median["imports"]
    print(f"cpu ratio={prompt[1] / imports[1]:.2f} (first prompt of the text front end over "
          "importing ask-sdk-core and Flask, CPU time)")
    print(f"ratio={prompt[0] / imports[0]:.2f} (first prompt of the text front end over "
          "importing ask-sdk-core and Flask)")


def measure(repeat: int, cache: str) -> dict[str, list[Sample]]:
    """Each kind of start in turn, `repeat` times, so that the machine's load falls on all."""
    samples: dict[str, list[Sample]] = {name: [] for name in (
        "prompt", "imports", "skill", "hello", "prompt, cache empty", "skill, cache empty")}
    run_code(SKILL, cache)  # fills the cache folder
    for _ in range(repeat):
        samples["prompt"].append(first_prompt(cache))
        samples["imports"].append(run_code(IMPORTS, cache))
        samples["skill"].append(run_code(SKILL, cache))
        samples["hello"].append(run_code(HELLO, cache))
        with tempfile.TemporaryDirectory() as empty:
            samples["prompt, cache empty"].append(first_prompt(empty))
        with tempfile.TemporaryDirectory() as empty:
            samples["skill, cache empty"].append(run_code(SKILL, empty))
    return samples


if __name__ == "__main__":
    main()
