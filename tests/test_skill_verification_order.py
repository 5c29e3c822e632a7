"""Verification does every check it can without the network first, and a certificate host
that never answers cannot hold a request for more than the download bound.

The certificate host is the one fake edge: a local socket that accepts and stays silent,
reached by the real download code."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from rehearsal.alexa_requests import APP_ID, envelope, launch_request
from skill import create_app
from skill.verify import DOWNLOAD_TIMEOUT, RequestVerifier, VerificationFailed, download
from tests.alexa_support import Fetcher, make_authority


@pytest.fixture(scope="module")
def authority():
    return make_authority()


class SilentHost:
    """Accepts connections and never sends a byte."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept, which then ends
        self.listener.close()
        self.thread.join(timeout=5)
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def silent_host() -> Iterator[SilentHost]:
    host = SilentHost()
    yield host
    host.close()


def body(**changes) -> bytes:
    payload = envelope(launch_request(), new=True)
    if "offset" in changes:
        moment = datetime.now(UTC) + timedelta(seconds=changes["offset"])
        payload["request"]["timestamp"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if "application" in changes:
        payload["context"]["System"]["application"]["applicationId"] = changes["application"]
    return json.dumps(payload).encode()


def client_for(tmp_path, authority, fetch):
    verifier = RequestVerifier(fetch=fetch, roots=[authority.root])
    app = create_app({"DATA_DIR": str(tmp_path), "VERIFIER": verifier, "SKILL_ID": APP_ID})
    return app.test_client()


@pytest.mark.parametrize("name, data, headers", [
    ("stale timestamp", body(offset=-3600), None),
    ("another skill", body(application="amzn1.ask.skill.someone-else"), None),
    ("not JSON", b"{not json", None),
    ("not an envelope", json.dumps({"request": {}}).encode(), None),
    ("signature not base64", body(), {"Signature-256": "%%%"}),
    ("signature far too short", body(), {"Signature-256": "c2hvcnQ="}),
    ("no signature", body(), {"Signature-256": ""}),
])
def test_local_checks_fail_before_any_download(tmp_path, authority, name, data, headers):
    fetcher = Fetcher(authority.chain_pem)
    client = client_for(tmp_path, authority, fetcher)
    sent = {**authority.headers(data), **(headers or {})}
    assert client.post("/alexa", data=data, headers=sent).status_code == 400, name
    assert fetcher.calls == [], name


def test_a_good_request_still_downloads_once(tmp_path, authority):
    fetcher = Fetcher(authority.chain_pem)
    client = client_for(tmp_path, authority, fetcher)
    for _ in range(2):
        data = body()
        assert client.post("/alexa", data=data,
                           headers=authority.headers(data)).status_code == 200
    assert len(fetcher.calls) == 1


def test_a_failed_chain_is_remembered_for_a_short_while(tmp_path, authority):
    stranger = make_authority()
    clock = [datetime.now(UTC)]
    fetcher = Fetcher(stranger.chain_pem)
    verifier = RequestVerifier(fetch=fetcher, roots=[authority.root], now=lambda: clock[0])
    data = b"{}"
    for _ in range(3):
        with pytest.raises(VerificationFailed):
            verifier.verify_signature(stranger.headers(data), data)
    assert len(fetcher.calls) == 1
    clock[0] += timedelta(seconds=31)
    fetcher.pem = authority.chain_pem
    verifier.verify_signature(authority.headers(data), data)
    assert len(fetcher.calls) == 2


def test_download_from_a_host_that_never_answers_gives_up_in_time(silent_host):
    started = time.monotonic()
    with pytest.raises(Exception) as raised:
        download(f"https://127.0.0.1:{silent_host.port}/echo.api/cert.pem")
    waited = time.monotonic() - started
    assert silent_host.accepted, "the download never reached the host"
    assert waited < DOWNLOAD_TIMEOUT + 0.5, waited
    assert not isinstance(raised.value, VerificationFailed)


def test_a_slow_name_lookup_is_bounded_too(monkeypatch):
    lookups = threading.Event()

    def hanging_lookup(*args, **kwargs):
        lookups.set()
        time.sleep(DOWNLOAD_TIMEOUT * 3)
        raise OSError("lookup gave up")

    monkeypatch.setattr(socket, "getaddrinfo", hanging_lookup)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        download("https://s3.amazonaws.com/echo.api/cert.pem")
    assert lookups.is_set()
    assert time.monotonic() - started < DOWNLOAD_TIMEOUT + 0.5


def test_a_silent_certificate_host_costs_one_bounded_wait_then_none(
        tmp_path, authority, silent_host):
    local = f"https://127.0.0.1:{silent_host.port}/echo.api/cert.pem"
    client = client_for(tmp_path, authority, lambda url: download(local))
    waits = []
    for _ in range(3):
        data = body()
        started = time.monotonic()
        answer = client.post("/alexa", data=data, headers=authority.headers(data))
        waits.append(time.monotonic() - started)
        assert answer.status_code == 400
    assert waits[0] < DOWNLOAD_TIMEOUT + 0.5, waits
    assert max(waits[1:]) < 0.5, waits
    assert len(silent_host.accepted) == 1
