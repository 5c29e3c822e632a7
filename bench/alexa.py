"""Alexa endpoint benchmark: a full exercise session through the Flask app, against a bare
ask-sdk-core "hello" skill served by the same Flask code, measured in the same run.

Verification is off on both, to measure our code. Each of our requests runs the engine
and writes its turn to a real SQLite file; the hello skill only says hello. Ours and hello
alternate request by request, so load on the machine weighs on both alike, and every
response is checked: ours must not be the apology, hello must say hello. The sentence
encoder forgets what it read before each session: a couple's own words are new to it.

A second interleaved run times the parts of a request (SDK deserialisation, the engine,
the safety check, the state, the store, rendering, serialisation...), each against hello's
whole request in that run. Its timers cost a little, so the ratio comes from the first run.

    python bench/alexa.py [--sessions N]
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from ask_sdk_core.attributes_manager import AttributesManager  # noqa: E402
from ask_sdk_core.serialize import DefaultSerializer  # noqa: E402
from ask_sdk_core.skill import CustomSkill  # noqa: E402
from hello_skill import hello_skill  # noqa: E402

import dialogs.engine  # noqa: E402
import skill.handlers  # noqa: E402
from dialogs.engine import run as engine_run  # noqa: E402
from dialogs.engine.state import ConversationState  # noqa: E402
from dialogs.safety.detector import SafetyDetector  # noqa: E402
from dialogs.safety.meaning import SentenceEncoder  # noqa: E402
from rehearsal.alexa_requests import envelope, full_session, launch_request  # noqa: E402
from skill import create_app  # noqa: E402
from skill.handlers import APOLOGY  # noqa: E402
from skill.persistence import StorePersistenceAdapter  # noqa: E402

HELLO_REQUEST = envelope(launch_request(), new=True, user_id="amzn1.ask.account.hello")


PER_REQUEST_GOAL = 1.5
COLD_START_GOAL = 1.3


class WrongAnswer(Exception):
    """A response that is not the expected speech: the run does not count."""


def speech(body: dict[str, Any]) -> str:
    return (body.get("response", {}).get("outputSpeech") or {}).get("ssml", "")


class PartTimes:
    """Time spent in named functions, each without the named functions it calls, per side
    (ours or hello), while `timing` wraps them."""

    def __init__(self) -> None:
        self.spent: dict[tuple[str, str], float] = defaultdict(float)
        self.side = ""
        self._inner: list[float] = []

    def wrap(self, part: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._inner.append(0.0)
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                inner = self._inner.pop()
                self.spent[self.side, part] += elapsed - inner
                if self._inner:
                    self._inner[-1] += elapsed
        return timed

    @contextmanager
    def timing(self) -> Iterator[None]:
        present = [(part, owner, name) for part, owner, name in PARTS if name in owner.__dict__]
        originals = [(owner, name, owner.__dict__[name]) for _, owner, name in present]
        try:
            for part, owner, name in present:
                setattr(owner, name, self.wrap(part, owner.__dict__[name]))
            yield
        finally:
            for owner, name, original in originals:
                setattr(owner, name, original)


PARTS: list[tuple[str, Any, str]] = [
    ("SDK: request deserialisation", DefaultSerializer, "deserialize"),
    ("SDK: session attributes copy", AttributesManager, "__init__"),
    ("SDK: dispatch", CustomSkill, "invoke"),
    ("our handler (profile, effects)", skill.handlers.AlexaTurn, "__call__"),
    ("progress store: read", StorePersistenceAdapter, "get_attributes"),
    ("engine step", dialogs.engine, "step"),
    ("safety check", SafetyDetector, "check"),
    ("safety check", SafetyDetector, "check_any"),
    ("state decode", engine_run, "load_state"),
    ("state encode", ConversationState, "to_json"),
    ("progress store: write", StorePersistenceAdapter, "save_attributes"),
    ("rendering (SSML, card)", skill.handlers, "render"),
    ("SDK: response serialisation", DefaultSerializer, "serialize"),
]
"""Parts of a request, each timed without the parts it calls; the rest of a request's time
is Flask, the WSGI test client and the view's own JSON checks."""


CPU_TIMES: dict[str, list[float]] = {"ours": [], "hello": []}
"""Processor time of each timed request: on a loaded machine wall time also counts the
moments the process waited for a core, and a longer request is more often made to wait."""


def timed_post(client: Any, payload: dict[str, Any], latencies: list[float],
               parts: PartTimes | None = None, side: str = "") -> dict[str, Any]:
    if parts is not None:
        parts.side = side
    start, start_cpu = time.perf_counter(), time.process_time()
    answer = client.post("/alexa", json=payload)
    latencies.append(time.perf_counter() - start)
    CPU_TIMES[side].append(time.process_time() - start_cpu)
    if answer.status_code != 200:
        raise WrongAnswer(f"HTTP {answer.status_code}: {answer.get_data(as_text=True)[:200]}")
    return answer.get_json()


def run_interleaved(ours: Any, hello: Any, sessions: int, tag: str,
                    parts: PartTimes | None = None,
                    state_sizes: list[int] | None = None) -> tuple[list[float], list[float]]:
    """Full honest check-ins as Alexa sends them, each for a couple of its own; after each
    of our requests, one to the hello skill."""
    ours_times: list[float] = []
    hello_times: list[float] = []

    def post(payload: dict[str, Any]) -> dict[str, Any]:
        body = timed_post(ours, payload, ours_times, parts, "ours")
        if state_sizes is not None and body.get("sessionAttributes"):
            state_sizes.append(len(json.dumps(body["sessionAttributes"],
                                              separators=(",", ":"))))
        said = speech(body)
        if APOLOGY.split(".")[0] in said:
            raise WrongAnswer(f"our skill apologised: {said[:200]}")
        if body["response"].get("shouldEndSession") is False and not said:
            raise WrongAnswer("our skill kept the session open without speech")
        if "Hello." not in speech(timed_post(hello, HELLO_REQUEST, hello_times, parts,
                                             "hello")):
            raise WrongAnswer("the hello skill did not say hello")
        return body

    for number in range(sessions):
        SentenceEncoder.encode_one.cache_clear()  # each couple's own words are new to it
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


def print_parts(parts: PartTimes, ours: list[float], hello: list[float]) -> None:
    """Milliseconds per request in each part, and each as a share of hello's whole request."""
    hello_request = sum(hello) / len(hello) * 1e3
    print(f"\nwhere a request's time goes (ms per request; second run, with timers; "
          f"hello's whole request {hello_request:.3f} ms = 1.00)")
    print(f"{'part':34} {'couple care':>11} {'hello skill':>11} {'ours/hello req':>14}")
    totals = {"ours": sum(ours) / len(ours) * 1e3, "hello": hello_request}
    counts = {"ours": len(ours), "hello": len(hello)}
    rest = dict(totals)
    for part in dict.fromkeys(part for part, _, _ in PARTS):
        each = {side: parts.spent[side, part] / counts[side] * 1e3 for side in counts}
        for side in counts:
            rest[side] -= each[side]
        print(f"{part:34} {each['ours']:11.3f} {each['hello']:11.3f} "
              f"{each['ours'] / hello_request:14.2f}")
    print(f"{'Flask, WSGI, view (the rest)':34} {rest['ours']:11.3f} {rest['hello']:11.3f} "
          f"{rest['ours'] / hello_request:14.2f}")
    print(f"{'whole request':34} {totals['ours']:11.3f} {totals['hello']:11.3f} "
          f"{totals['ours'] / hello_request:14.2f}\n")


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
        for times in CPU_TIMES.values():
            times.clear()
        state_sizes: list[int] = []
        ours_times, hello_times = run_interleaved(ours, hello, args.sessions, "timed",
                                                  state_sizes=state_sizes)
        ours_wall, hello_wall = sum(ours_times), sum(hello_times)
        ours_cpu, hello_cpu = (statistics.mean(CPU_TIMES[side]) for side in ("ours", "hello"))
        parts = PartTimes()
        with parts.timing():
            parted_ours, parted_hello = run_interleaved(ours, hello, args.sessions, "parts",
                                                        parts)

    cold_ours = cold_start(COLD_OURS, args.cold)
    cold_hello = cold_start(COLD_HELLO, args.cold)

    rows = [
        ("requests per second", len(ours_times) / ours_wall, len(hello_times) / hello_wall, ""),
        ("p50 latency", percentile(ours_times, 0.5) * 1e3, percentile(hello_times, 0.5) * 1e3,
         "ms"),
        ("p99 latency", percentile(ours_times, 0.99) * 1e3,
         percentile(hello_times, 0.99) * 1e3, "ms"),
        ("processor time per request", ours_cpu * 1e3, hello_cpu * 1e3, "ms"),
        ("cold start (import + build)", cold_ours * 1e3, cold_hello * 1e3, "ms"),
    ]
    print(f"{len(ours_times)} requests ({args.sessions} full honest check-in sessions) "
          f"interleaved with as many to a bare hello skill; every response checked")
    print(f"{'measure':30} {'couple care':>14} {'hello skill':>14} {'ratio':>8}")
    for name, value, base, unit in rows:
        print(f"{name:30} {value:12.2f}{unit:>2} {base:12.2f}{unit:>2} {value / base:8.2f}")
    print(f"{'session state (JSON, largest)':30} {max(state_sizes):12d} B"
          f" {'':>14} {max(state_sizes) / 1024:8.2f}  (of the 1 KB goal)")
    print_parts(parts, parted_ours, parted_hello)
    per_request = statistics.mean(ours_times) / statistics.mean(hello_times)
    for name, ratio, goal in (("per request", per_request, PER_REQUEST_GOAL),
                              ("cold start", cold_ours / cold_hello, COLD_START_GOAL)):
        verdict = "met" if ratio <= goal else f"missed by {ratio / goal:.1f} times"
        print(f"goal: {name} at most {goal} times hello's: {ratio:.2f}, {verdict}")
    print(f"ratio={per_request:.2f} (mean time per request of full exercise sessions over a "
          "bare hello skill, same Flask code)")


if __name__ == "__main__":
    main()
