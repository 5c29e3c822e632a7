"""Alexa endpoint benchmark: a full exercise session through the Flask app, against a bare
ask-sdk-core "hello" skill served by the same Flask code, measured in the same run.

Verification is off on both, to measure our code. Each of our requests runs the engine
and writes its turn to a real SQLite file; the hello skill only says hello.

    python bench/alexa.py [--sessions N]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ask_sdk_core.skill_builder import SkillBuilder

from skill import create_app

ROOT = Path(__file__).parent.parent

APP_ID = "amzn1.ask.skill.bench"


def envelope(request: dict[str, Any], attributes: dict[str, Any] | None, user: str,
             new: bool) -> str:
    return json.dumps({
        "version": "1.0",
        "session": {"new": new, "sessionId": "s", "application": {"applicationId": APP_ID},
                    "user": {"userId": user}, "attributes": attributes or {}},
        "context": {"System": {"application": {"applicationId": APP_ID},
                               "user": {"userId": user}, "device": {"deviceId": "d"}}},
        "request": {"requestId": "r", "timestamp": "2026-11-29T12:00:00Z", "locale": "en-US",
                    **request}})


def intent(intent_name: str, **slots: str) -> dict[str, Any]:
    return {"type": "IntentRequest", "intent": {"name": intent_name, "confirmationStatus": "NONE",
            "slots": {k: {"name": k, "value": v} for k, v in slots.items()}}}


# The honest check-in, start to finish, as Alexa sends it: the timed phases close the
# session, and "tell couple care we're done" opens a new one.
SESSION = [
    ({"type": "LaunchRequest"}, True), (intent("AMAZON.YesIntent"), False),
    (intent("AMAZON.YesIntent"), False), (intent("NameIntent", name="sam"), False),
    (intent("NameIntent", name="alex"), False),
    (intent("ChooseExerciseIntent", choice="honest check-in"), False),
    (intent("AMAZON.YesIntent"), False), (intent("DoneIntent"), True),
    (intent("ShareIntent", text="you feel tired"), False), (intent("AMAZON.YesIntent"), False),
    (intent("AMAZON.NoIntent"), False), (intent("DoneIntent"), True),
    (intent("ShareIntent", text="you miss our walks"), False),
    (intent("AMAZON.YesIntent"), False), (intent("AMAZON.NoIntent"), False),
    (intent("AMAZON.NoIntent"), False),
]


def hello_skill() -> Any:
    builder = SkillBuilder()

    @builder.request_handler(can_handle_func=lambda handler_input: True)
    def hello(handler_input: Any) -> Any:
        return handler_input.response_builder.speak("Hello.").ask("Hello?").response

    return builder.create()


def run_sessions(client: Any, sessions: int) -> list[float]:
    latencies = []
    for number in range(sessions):
        user = f"amzn1.ask.account.bench{number}"
        attributes: dict[str, Any] | None = None
        for request, new in SESSION:
            data = envelope(request, None if new else attributes, user, new)
            start = time.perf_counter()
            answer = client.post("/alexa", data=data, content_type="application/json")
            latencies.append(time.perf_counter() - start)
            assert answer.status_code == 200, answer.get_data(as_text=True)
            attributes = answer.get_json().get("sessionAttributes")
    return latencies


def run_hello(client: Any, requests: int) -> list[float]:
    latencies = []
    data = envelope({"type": "LaunchRequest"}, None, "amzn1.ask.account.hello", True)
    for _ in range(requests):
        start = time.perf_counter()
        answer = client.post("/alexa", data=data, content_type="application/json")
        latencies.append(time.perf_counter() - start)
        assert answer.status_code == 200
    return latencies


COLD_OURS = ("import tempfile; from skill import create_app; "
             "create_app({'VERIFY_REQUESTS': False, 'DATA_DIR': tempfile.mkdtemp()})")
COLD_HELLO = ("import sys; sys.path.insert(0, 'bench'); import alexa; from skill.app import "
              "create_app; create_app({'VERIFY_REQUESTS': False, 'SKILL': alexa.hello_skill()})")


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
        run_sessions(ours, 2)
        run_hello(hello, 20)
        start = time.perf_counter()
        ours_times = run_sessions(ours, args.sessions)
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
