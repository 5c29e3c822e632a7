"""Start-up benchmark: time to the first prompt of `couplecare talk --text`, and the Alexa
skill's cold start (import, build, first request), each against a baseline in the same run.

Baselines: for the text front end, `python -c "import ask_sdk_core, flask"` (the goal is at
most half of it); for the skill, the same Flask code serving a bare ask-sdk "hello" skill.

    python bench/startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
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


def environment(folder: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "COUPLECARE_DATA_DIR": folder}


def run_code(code: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                       env=environment(folder), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return time.perf_counter() - start


def first_prompt() -> float:
    """From start to the first question the text front end prints."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        talk = subprocess.Popen([sys.executable, "-m", "couplecare.cli", "talk", "--text"],
                                cwd=ROOT, env=environment(folder), stdin=subprocess.PIPE,
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
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {name: [] for name in ("prompt", "imports", "skill",
                                                              "hello")}
    for _ in range(args.repeat):
        samples["prompt"].append(first_prompt())
        samples["imports"].append(run_code(IMPORTS))
        samples["skill"].append(run_code(SKILL))
        samples["hello"].append(run_code(HELLO))
    median = {name: statistics.median(values) for name, values in samples.items()}
    print(f"median of {args.repeat}, alternating")
    print(f"{'measure':44} {'ours':>10} {'baseline':>10} {'ratio':>7} {'goal':>6}")
    rows = [("text front end: first prompt / ask+flask import", median["prompt"],
             median["imports"], 0.5),
            ("skill cold start: first response / hello", median["skill"], median["hello"], 1.3)]
    for name, ours, base, goal in rows:
        print(f"{name:44} {ours * 1e3:8.0f}ms {base * 1e3:8.0f}ms {ours / base:7.2f} {goal:6.2f}")
    print(f"ratio={median['prompt'] / median['imports']:.2f} (first prompt of the text front "
          "end over importing ask-sdk-core and Flask)")


if __name__ == "__main__":
    main()
