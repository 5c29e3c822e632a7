"""Alexa endpoint benchmark: a full exercise session through the Flask app, against a bare
ask-sdk-core "hello" skill served by the same Flask code, measured in the same run.

Verification is off on both, to measure our code. Each of our requests runs the engine
and writes its turn to a real SQLite file; the hello skill only says hello. Ours and hello
alternate request by request, so load on the machine weighs on both alike, and every
response is checked: ours must not be the apology, hello must say hello.

    python bench/alexa.py [--sessions N]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from hello_skill import hello_skill  # noqa: E402

from rehearsal.alexa_requests import envelope, full_session, launch_request  # noqa: E402
from skill import create_app  # noqa: E402
from skill.handlers import APOLOGY  # noqa: E402

HELLO_REQUEST = envelope(launch_request(), new=True, user_id="amzn1.ask.account.hello")


class WrongAnswer(Exception):
    """A response that is not the expected speech: the run does not count."""


def speech(body: dict[str, Any]) -> str:
    return (body.get("response", {}).get("outputSpeech") or {}).get("ssml", "")


def timed_post(client: Any, payload: dict[str, Any], latencies: list[float]) -> dict[str, Any]:
    start = time.perf_counter()
    answer = client.post("/alexa", json=payload)
    latencies.append(time.perf_counter() - start)
    if answer.status_code != 200:
        raise WrongAnswer(f"HTTP {answer.status_code}: {answer.get_data(as_text=True)[:200]}")
    return answer.get_json()


def run_interleaved(ours: Any, hello: Any, sessions: int,
                    tag: str) -> tuple[list[float], list[float]]:
    """Full honest check-ins as Alexa sends them, each for a couple of its own; after each
    of our requests, one to the hello skill."""
    ours_times: list[float] = []
    hello_times: list[float] = []

    def post(payload: dict[str, Any]) -> dict[str, Any]:
        body = timed_post(ours, payload, ours_times)
        said = speech(body)
        if APOLOGY.split(".")[0] in said:
            raise WrongAnswer(f"our skill apologised: {said[:200]}")
        if body["response"].get("shouldEndSession") is False and not said:
            raise WrongAnswer("our skill kept the session open without speech")
        if "Hello." not in speech(timed_post(hello, HELLO_REQUEST, hello_times)):
            raise WrongAnswer("the hello skill did not say hello")
        return body

    for number in range(sessions):
        full_session(post, f"amzn1.ask.account.{tag}{number}")
    return ours_times, hello_times


COLD_OURS = ("import tempfile; from skill import create_app; "
             "create_app({'VERIFY_REQUESTS': False, 'DATA_DIR': tempfile.mkdtemp()})")
COLD_HELLO = ("import sys; sys.path.insert(0, 'bench'); import hello_skill; from skill.app "
              "import create_app; create_app({'VERIFY_REQUESTS': False, "
              "'SKILL': hello_skill.hello_skill()})")


def cold_start(code: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--cold", type=int, default=3, help="cold starts to time")
    args = parser.parse_args()
    logging.getLogger("couplecare.skill").setLevel(logging.ERROR)

    with tempfile.TemporaryDirectory() as folder:
        ours = create_app({"VERIFY_REQUESTS": False, "DATA_DIR": folder}).test_client()
        hello = create_app({"VERIFY_REQUESTS": False, "SKILL": hello_skill()}).test_client()
        run_interleaved(ours, hello, 2, "warm")
        ours_times, hello_times = run_interleaved(ours, hello, args.sessions, "timed")
        ours_wall, hello_wall = sum(ours_times), sum(hello_times)

    cold_ours = cold_start(COLD_OURS, args.cold)
    cold_hello = cold_start(COLD_HELLO, args.cold)

    rows = [
        ("requests per second", len(ours_times) / ours_wall, len(hello_times) / hello_wall, ""),
        ("p50 latency", percentile(ours_times, 0.5) * 1e3, percentile(hello_times, 0.5) * 1e3,
         "ms"),
        ("p99 latency", percentile(ours_times, 0.99) * 1e3,
         percentile(hello_times, 0.99) * 1e3, "ms"),
        ("cold start (import + build)", cold_ours * 1e3, cold_hello * 1e3, "ms"),
    ]
    print(f"{len(ours_times)} requests ({args.sessions} full honest check-in sessions) "
          f"interleaved with as many to a bare hello skill; every response checked")
    print(f"{'measure':30} {'couple care':>14} {'hello skill':>14} {'ratio':>8}")
    for name, value, base, unit in rows:
        print(f"{name:30} {value:12.2f}{unit:>2} {base:12.2f}{unit:>2} {value / base:8.2f}")
    per_request = statistics.mean(ours_times) / statistics.mean(hello_times)
    print(f"ratio={per_request:.2f} (mean time per request of full exercise sessions over a "
          "bare hello skill, same Flask code)")


if __name__ == "__main__":
    main()
