"""Scale benchmark: full exercise sessions through real gunicorn workers, on PostgreSQL and
on SQLite, with 1, 2 and 4 workers, measured in one run on this machine.

Clients run in this process (threads over loopback HTTP), so on a 2-core machine they
compete with the workers for the CPU: compare the rows with each other, not with
another machine. Ends with one `ratio=` line: throughput on 2 workers over 1 worker.

    python bench/scale.py [--sessions N] [--clients N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from progress.local_postgres import free_port, postgres  # noqa: E402
from rehearsal.alexa_requests import full_session  # noqa: E402


def serve(workers: int, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "skill.wsgi:app"], cwd=ROOT, env={**os.environ, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def load(base: str, sessions: int, clients: int, tag: str) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    numbers = iter(range(sessions))

    def post(payload: dict) -> dict:
        request = urllib.request.Request(f"{base}/alexa", data=json.dumps(payload).encode(),
                                         headers={"Content-Type": "application/json"})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as answer:
            body = json.load(answer)
        with lock:
            latencies.append(time.perf_counter() - start)
        return body

    def client() -> None:
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            full_session(post, f"amzn1.ask.account.{tag}{number}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=24)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    rows = []
    throughput: dict[tuple[str, int], float] = {}
    with postgres() as server, tempfile.TemporaryDirectory() as folder:
        for backend in ("postgresql", "sqlite"):
            for workers in (1, 2, 4):
                env = {"COUPLECARE_VERIFY_REQUESTS": "false"}
                if backend == "postgresql":
                    env["COUPLECARE_DATABASE_URL"] = server.new_database()
                else:
                    env["COUPLECARE_DATA_DIR"] = str(Path(folder) / f"w{workers}")
                process, base = serve(workers, env)
                try:
                    seconds, latencies = load(base, args.sessions, args.clients,
                                              f"{backend}{workers}x")
                finally:
                    process.terminate()
                    process.wait(timeout=30)
                rps = len(latencies) / seconds
                throughput[(backend, workers)] = rps
                p99 = sorted(latencies)[int(0.99 * (len(latencies) - 1))]
                rows.append((backend, workers, rps, statistics.median(latencies), p99))
    base_rps = {b: throughput[(b, 1)] for b in ("postgresql", "sqlite")}
    print(f"{args.sessions} full sessions per row, {args.clients} clients, "
          f"{os.cpu_count()} cores")
    print(f"{'store':11} {'workers':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'vs 1 worker':>11}")
    for backend, workers, rps, p50, p99 in rows:
        print(f"{backend:11} {workers:>7} {rps:8.1f} {p50 * 1e3:8.1f} {p99 * 1e3:8.1f} "
              f"{rps / base_rps[backend]:11.2f}")
    ratio = throughput[("postgresql", 2)] / throughput[("postgresql", 1)]
    print(f"ratio={ratio:.2f} (requests per second on 2 gunicorn workers over 1 worker, "
          "PostgreSQL)")


if __name__ == "__main__":
    main()
