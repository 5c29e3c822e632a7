"""Alexa endpoint benchmark: a full exercise session through the Flask app, against a bare
ask-sdk-core "hello" skill served by the same Flask code, measured in the same run.

Verification is off on both, to measure our code. Each of our requests runs the engine
and writes its turn to a real SQLite file; the hello skill only says hello.

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


def post_to(client: Any, latencies: list[float]) -> Any:
    def post(payload: dict[str, Any]) -> dict[str, Any]:
        start = time.perf_counter()
        answer = client.post("/alexa", json=payload)
        latencies.append(time.perf_counter() - start)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()
    return post


def run_sessions(client: Any, sessions: int, tag: str) -> list[float]:
    """Full honest check-ins as Alexa sends them, each for a couple of its own."""
    latencies: list[float] = []
    for number in range(sessions):
        full_session(post_to(client, latencies), f"amzn1.ask.account.{tag}{number}")
    return latencies


def run_hello(client: Any, requests: int) -> list[float]:
    latencies: list[float] = []
    post = post_to(client, latencies)
    for _ in range(requests):
        post(envelope(launch_request(), new=True, user_id="amzn1.ask.account.hello"))
    return latencies


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
        run_sessions(ours, 2, "warm")
        run_hello(hello, 20)
        start = time.perf_counter()
        ours_times = run_sessions(ours, args.sessions, "timed")
        ours_wall = time.perf_counter() - start
        start = time.perf_counter()
        hello_times = run_hello(hello, len(ours_times))
        hello_wall = time.perf_counter() - start

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
          f"against as many to a bare hello skill")
    print(f"{'measure':30} {'couple care':>14} {'hello skill':>14} {'ratio':>8}")
    for name, value, base, unit in rows:
        print(f"{name:30} {value:12.2f}{unit:>2} {base:12.2f}{unit:>2} {value / base:8.2f}")
    per_request = statistics.mean(ours_times) / statistics.mean(hello_times)
    print(f"ratio={per_request:.2f} (mean time per request of full exercise sessions over a "
          "bare hello skill, same Flask code)")


if __name__ == "__main__":
    main()
