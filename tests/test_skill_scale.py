"""The skill beyond one process: real gunicorn workers on a real PostgreSQL server, many
couples at once, the database failing mid-session, and one log line per request."""

import json
import logging
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from progress import open_store
from progress.local_postgres import free_port, postgres
from rehearsal.alexa_requests import (
    FULL_SESSION,
    default_user_key,
    envelope,
    full_session,
    intent_request,
    launch_request,
    slot,
)
from skill import create_app

ROOT = Path(__file__).parent.parent

@pytest.fixture(scope="module")
def server():
    with postgres() as running:
        yield running


def http_post(base: str):
    def post(payload: dict) -> dict:
        request = urllib.request.Request(f"{base}/alexa", data=json.dumps(payload).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
            return json.load(answer)
    return post


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                pytest.fail("gunicorn stopped")
            time.sleep(0.1)
    pytest.fail("gunicorn did not start")


def test_many_couples_at_once_on_four_workers(server, tmp_path):
    url = server.new_database()
    port = free_port()
    env = {**os.environ, "COUPLECARE_DATABASE_URL": url, "COUPLECARE_VERIFY_REQUESTS": "false"}
    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "skill.wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=log.open("w"))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        errors: list[BaseException] = []
        couples = [f"amzn1.ask.account.couple{n}" for n in range(16)]

        def run(user_id: str) -> None:
            try:
                bodies = full_session(http_post(base), user_id)
                assert "Goodbye" in bodies[-1]["response"]["outputSpeech"]["ssml"]
            except BaseException as error:  # collected, so the assertion shows it
                errors.append(error)

        threads = [threading.Thread(target=run, args=(c,)) for c in couples]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads)
        assert errors == []
    finally:
        process.terminate()
        process.wait(timeout=20)
    lines = [json.loads(line) for line in log.read_text().splitlines()
             if line.startswith('{"time"')]
    assert len(lines) == len(couples) * len(FULL_SESSION)
    assert {line["type"] for line in lines} == {"LaunchRequest", "IntentRequest"}
    assert all(line["status"] == 200 for line in lines)
    store = open_store(url)
    for user_id in couples:
        profile = store.profile(f"user:{user_id}")
        assert profile.names == ("Sam", "Alex")
        assert profile.disclaimer_seen
        assert [e for e, _ in profile.completions] == ["honest-check-in"]
        assert profile.saved == {}
    store.close()


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_retried_request_at_the_same_moment_counts_once(server, tmp_path, backend):
    url = server.new_database() if backend == "postgresql" else ""
    client = create_app({"VERIFY_REQUESTS": False, "DATABASE_URL": url,
                         "DATA_DIR": str(tmp_path)}).test_client()
    user = "amzn1.ask.account.retry"
    bodies, attributes = [], None
    for request, new in FULL_SESSION[:-2]:
        payload = envelope(request, None if new else attributes, new=new, user_id=user)
        attributes = client.post("/alexa", json=payload).get_json().get("sessionAttributes")
    finishing = envelope(FULL_SESSION[-2][0], attributes, user_id=user)  # completes the exercise

    def send() -> None:
        bodies.append(client.post("/alexa", json=finishing))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert [b.status_code for b in bodies] == [200, 200, 200]
    store = open_store(url, folder=tmp_path)
    assert [e for e, _ in store.profile(f"user:{user}").completions] == ["honest-check-in"]


def test_the_database_going_down_mid_session(server, caplog):
    url = server.new_database()
    app = create_app({"VERIFY_REQUESTS": False, "DATABASE_URL": url})
    client = app.test_client()
    first = client.post("/alexa", json=envelope(launch_request(), new=True)).get_json()
    assert client.get("/healthz").status_code == 200
    server.stop()
    try:
        with caplog.at_level(logging.ERROR, logger="couplecare.skill"):
            answer = client.post("/alexa", json=envelope(intent_request("AMAZON.YesIntent"),
                                                         first["sessionAttributes"]))
        assert answer.status_code == 200
        assert "went wrong on my side" in answer.get_json()["response"]["outputSpeech"]["ssml"]
        assert "stopped answering" in caplog.text or "can't reach" in caplog.text or \
            "database" in caplog.text
        assert client.get("/healthz").status_code == 503
    finally:
        server.start()
    assert client.get("/healthz").status_code == 200
    store = open_store(url)
    assert store.profile(default_user_key()).disclaimer_seen
    store.close()


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_one_log_line_per_request_without_anyones_words(tmp_path, caplog):
    client = create_app({"VERIFY_REQUESTS": False, "DATA_DIR": str(tmp_path)}).test_client()
    requests_log = logging.getLogger("couplecare.requests")
    captured = Lines()
    requests_log.addHandler(captured)
    level = requests_log.level
    requests_log.setLevel(logging.INFO)
    try:
        with caplog.at_level(logging.DEBUG):
            body = client.post("/alexa", json=envelope(launch_request(), new=True)).get_json()
            client.post("/alexa", json=envelope(intent_request(
                "ShareIntent", {"text": slot("my secret feelings")}),
                body["sessionAttributes"]))
            client.post("/alexa", data=b"{broken")
    finally:
        requests_log.removeHandler(captured)
        requests_log.setLevel(level)
    lines = [json.loads(line) for line in captured.lines]
    assert [(line["type"], line["intent"], line["status"]) for line in lines] == [
        ("LaunchRequest", None, 200), ("IntentRequest", "ShareIntent", 200), (None, None, 400)]
    assert all(line["latency_ms"] >= 0 for line in lines)
    assert lines[0]["request_id"].startswith("amzn1.echo-api.request.")
    assert "secret" not in caplog.text and "secret" not in " ".join(captured.lines)


def test_serve_refuses_to_start_without_its_database(tmp_path):
    env = {**os.environ, "COUPLECARE_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x"}
    result = subprocess.run([sys.executable, "-m", "couplecare", "serve", "--port",
                             str(free_port())], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "can't reach the progress database at 127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr


def test_shutting_down_keeps_every_answered_turn_and_nothing_else(server, tmp_path):
    """SIGTERM while requests are in flight: each request that was answered was written,
    and each that was not answered left nothing behind."""
    import signal

    url = server.new_database()
    port = free_port()
    env = {**os.environ, "COUPLECARE_DATABASE_URL": url, "COUPLECARE_VERIFY_REQUESTS": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "2", "--bind",
         f"127.0.0.1:{port}", "--graceful-timeout", "20", "skill.wsgi:app"], cwd=ROOT,
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base, process)
    answered: dict[str, bool] = {}
    finished: list[float] = []
    five_answered = threading.Event()
    couples = [f"amzn1.ask.account.shutdown{n}" for n in range(200)]

    def launch(user_id: str) -> None:
        try:
            http_post(base)(envelope(launch_request(), new=True, user_id=user_id))
            answered[user_id] = True
            finished.append(time.monotonic())
            if len(finished) >= 5:
                five_answered.set()
        except OSError:
            answered[user_id] = False

    threads = [threading.Thread(target=launch, args=(c,), daemon=True) for c in couples]
    try:
        for thread in threads:
            thread.start()
        assert five_answered.wait(timeout=60), "the server answered fewer than 5 requests"
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    store = open_store(url)
    for user_id in couples:
        assert store.profile(f"user:{user_id}").disclaimer_seen is answered[user_id], user_id
    assert any(at > signalled for at in finished), "no request was in flight at the signal"
    store.close()
