"""Probes a certification reviewer or a stranger might send: control characters in a slot,
a request outside any session, and a body shorter than its Content-Length."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from rehearsal.alexa_requests import (
    APP_ID,
    envelope,
    full_session,
    intent_request,
    launch_request,
    slot,
)
from skill import create_app
from skill.handlers import APOLOGY

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def client(tmp_path):
    app = create_app({"VERIFY_REQUESTS": False, "DATA_DIR": str(tmp_path), "SKILL_ID": APP_ID})
    return app.test_client()


def post(client, payload) -> dict:
    answer = client.post("/alexa", data=json.dumps(payload), content_type="application/json")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def ssml_parts(body: dict) -> list[str]:
    response = body["response"]
    parts = [response.get("outputSpeech", {}).get("ssml", "")]
    parts.append(((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml", ""))
    return [part for part in parts if part]


@pytest.mark.parametrize("name", ["Sam\x00", "\x00Alex", "Ki\x07m\x1b", "Jo\x7f\x85",
                                  "\x00\x00\x00"])
def test_control_characters_in_a_name_never_break_the_ssml(client, name):
    body = post(client, envelope(intent_request(
        "ChooseExerciseIntent", {"choice": slot("honest check-in", "honest-check-in")}),
        new=True))
    for request in [intent_request("AMAZON.YesIntent"), intent_request("AMAZON.YesIntent"),
                    intent_request("NameIntent", {"name": slot(name)}),
                    intent_request("NameIntent", {"name": slot("alex")})]:
        body = post(client, envelope(request, body["sessionAttributes"]))
        for ssml in ssml_parts(body):
            ElementTree.fromstring(ssml)
            assert "\x00" not in ssml
        assert "\x00" not in json.dumps(body["sessionAttributes"])
    cleaned = "".join(ch for ch in name if ch.isalpha())
    if cleaned:
        spoken = " ".join(ssml_parts(body))
        assert cleaned.lower() in spoken.lower(), spoken


def test_a_request_outside_a_session_is_answered_not_apologised_for(client):
    for request in (launch_request(), intent_request("AMAZON.HelpIntent")):
        payload = envelope(request, new=True)
        del payload["session"]
        body = post(client, payload)
        speech = body["response"]["outputSpeech"]["ssml"]
        assert "place is saved" not in speech
        assert APOLOGY.split(".")[0] not in speech
        ElementTree.fromstring(speech)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def production_server(tmp_path):
    """The README's production command, as is, on a local port."""
    port = _free_port()
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "COUPLECARE_DATA_DIR": str(tmp_path),
                   "COUPLECARE_VERIFY_REQUESTS": "false"}
    command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "skill" /
               "gunicorn_conf.py"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
               "skill.wsgi:app"]
    server = subprocess.Popen(command, cwd=tmp_path, env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                break
        except OSError:
            if server.poll() is not None:
                pytest.fail(server.stderr.read().decode())
            time.sleep(0.2)
    yield port
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def test_a_truncated_body_does_not_hold_the_only_worker(production_server):
    port = production_server
    data = json.dumps(envelope(launch_request(), new=True)).encode()
    stalled = []
    for _ in range(3):
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"POST /alexa HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     + f"Content-Length: {len(data)}\r\n\r\n".encode() + data[: len(data) // 2])
        stalled.append(slow)
    time.sleep(0.3)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("POST", "/alexa", body=data,
                       headers={"Content-Type": "application/json"})
    answer = connection.getresponse()
    assert answer.status == 200
    assert json.loads(answer.read())["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    for slow in stalled:
        slow.close()


def test_the_variant_memory_stays_small_however_long_the_session(client):
    from dialogs.engine.wording import VARIANT_MEMORY

    def send(payload: dict) -> dict:
        return post(client, payload)

    counts = [len(body["sessionAttributes"]["couplecare"].get("variants", {}))
              for _ in range(3) for body in full_session(send, "amzn1.ask.account.long")
              if body.get("sessionAttributes")]
    assert len(counts) > 30
    assert max(counts) <= VARIANT_MEMORY
