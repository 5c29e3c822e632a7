"""Downloading the certificate chain with the real download code, from a certificate host on
loopback: a chain in many pieces arrives whole, the size bound stops an oversized chain
without waiting for the rest, a host that stops part-way or answers with an error page is
a failure, and the bound on downloads under way refuses the next one at once and comes
back when they end."""

from __future__ import annotations

import base64
import contextlib
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from skill.verify import (
    MAX_CHAIN_BYTES,
    MAX_DOWNLOADS,
    RequestVerifier,
    SignedRequest,
    VerificationFailed,
    download,
)
from tests.alexa_support import CertificateHost, make_authority

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def authority():
    return make_authority()


@pytest.fixture
def hosts() -> Iterator[Callable[..., CertificateHost]]:
    started: list[CertificateHost] = []

    def start(body: bytes = b"", **options) -> CertificateHost:
        started.append(CertificateHost(body, **options))
        return started[-1]

    yield start
    for host in started:
        host.close()


def pattern(size: int) -> bytes:
    return bytes(range(251)) * (size // 251) + bytes(range(size % 251))


@pytest.mark.parametrize("size", [40_000, MAX_CHAIN_BYTES])
def test_a_chain_sent_in_many_pieces_arrives_whole(hosts, size):
    body = pattern(size)
    assert download(hosts(body).url) == body


def test_a_host_that_stops_part_way_is_a_timeout_whatever_it_sent(hosts):
    for sent in (1000, MAX_CHAIN_BYTES):
        host = hosts(pattern(sent), announced=sent + 1000)
        with pytest.raises(TimeoutError):
            download(host.url, timeout=0.5)


def test_an_oversized_chain_is_cut_off_without_waiting_for_the_rest(hosts):
    """The host announces far more than the bound and stalls after 128 KiB: the download
    returns what it read as soon as it passes the bound, and the check refuses it."""
    host = hosts(pattern(2 * MAX_CHAIN_BYTES), announced=100 * MAX_CHAIN_BYTES)
    received = download(host.url, timeout=5)
    assert MAX_CHAIN_BYTES < len(received) <= 2 * MAX_CHAIN_BYTES


def test_an_error_page_is_reported_as_what_it_is(hosts):
    host = hosts(b"not here", status=404)
    with pytest.raises(urllib.error.HTTPError) as raised:
        download(host.url)
    assert raised.value.code == 404


def test_a_real_download_feeds_the_whole_check(hosts, authority):
    verifier = RequestVerifier(fetch=download, roots=[authority.root])
    body = b'{"request": "signed"}'
    signature = base64.b64decode(authority.sign(body))
    verifier.verify_signed(SignedRequest(hosts(authority.chain_pem).url, signature), body)
    too_large = authority.chain_pem + b"\n" * (MAX_CHAIN_BYTES + 1 - len(authority.chain_pem))
    refused = SignedRequest(hosts(too_large).url, signature)
    with pytest.raises(VerificationFailed, match=r"^certificate chain is too large$"):
        verifier.verify_signed(refused, body)


def test_the_largest_chain_allowed_is_accepted(authority):
    """Exactly MAX_CHAIN_BYTES passes; a chain's length is judged, not its padding."""
    chain = authority.chain_pem + b"\n" * (MAX_CHAIN_BYTES - len(authority.chain_pem))
    verifier = RequestVerifier(fetch=lambda url: chain, roots=[authority.root])
    body = b"{}"
    verifier.verify_signed(SignedRequest("any", base64.b64decode(authority.sign(body))), body)


def in_flight(silent: CertificateHost, count: int, timeout: float) -> list[threading.Thread]:
    """`count` downloads from a host that never sends its chain, under way at once."""
    def give_up() -> None:
        with contextlib.suppress(TimeoutError):
            download(silent.url, timeout=timeout)

    threads = [threading.Thread(target=give_up) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


def downloads_again(url: str, within: float = 5) -> bool:
    """Whether a download from `url` succeeds within `within` seconds, tried again while
    every slot is taken."""
    deadline = time.monotonic() + within
    while True:
        try:
            return download(url) == b"chain"
        except TimeoutError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def test_past_the_bound_a_download_is_refused_at_once_and_the_slots_come_back(hosts):
    silent = hosts(b"", announced=1000)
    busy = in_flight(silent, MAX_DOWNLOADS, timeout=1.5)
    time.sleep(0.3)
    good = hosts(b"chain")
    with pytest.raises(TimeoutError, match=r"^too many certificate downloads under way$"):
        download(good.url)
    for thread in busy:
        thread.join(10)
    assert all(downloads_again(good.url) for _ in range(MAX_DOWNLOADS + 1))


def test_a_silent_host_keeps_no_download_slot_after_the_deadline(hosts):
    """Each read is bounded by what is left of the deadline, so a download that gave up
    ends soon after and frees its slot, even though the host keeps the connection open."""
    silent = hosts(b"", announced=1000)
    for thread in in_flight(silent, MAX_DOWNLOADS, timeout=0.3):
        thread.join(10)
    assert downloads_again(hosts(b"chain").url)


HANGS = 30
"""Seconds a hung name lookup takes in the tests below: far past every bound."""


def test_a_name_lookup_that_hangs_neither_holds_the_request_nor_keeps_the_program_running(
        monkeypatch):
    lookups = threading.Event()

    def hanging_lookup(*args, **kwargs):
        lookups.set()
        time.sleep(HANGS)

    monkeypatch.setattr(socket, "getaddrinfo", hanging_lookup)
    with pytest.raises(TimeoutError, match=r"^no certificate chain within 0\.2 s$"):
        download("https://s3.amazonaws.com/echo.api/cert.pem", timeout=0.2)
    assert lookups.is_set()
    program = textwrap.dedent(f"""
        import socket, time
        from skill.verify import download

        def hanging_lookup(*args, **kwargs):
            time.sleep({HANGS})

        socket.getaddrinfo = hanging_lookup
        try:
            download("https://s3.amazonaws.com/echo.api/cert.pem", timeout=0.2)
        except TimeoutError as error:
            print("gave up:", error)
    """)
    ended = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True,
                           text=True, timeout=HANGS - 10)
    assert ended.stdout == "gave up: no certificate chain within 0.2 s\n", ended
