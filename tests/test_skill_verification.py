"""Request verification with a certificate authority the tests make; only the download
of the certificate chain and the trusted roots are replaced."""

import base64
import contextlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from rehearsal.alexa_requests import envelope, launch_request
from skill import create_app
from skill.verify import (
    FAILURE_MEMORY,
    MAX_REMEMBERED,
    RequestVerifier,
    VerificationFailed,
    check_cert_url,
    check_headers,
)
from tests.alexa_support import CERT_URL, Fetcher, make_authority


@pytest.fixture(scope="module")
def authority():
    return make_authority()


def app_for(tmp_path, authority, fetch=None):
    fetcher = fetch or Fetcher(authority.chain_pem)
    verifier = RequestVerifier(fetch=fetcher, roots=[authority.root])
    app = create_app({"DATA_DIR": str(tmp_path), "VERIFIER": verifier})
    return app.test_client(), fetcher


def body(offset: float = 0) -> bytes:
    payload = envelope(launch_request(), new=True)
    if offset:
        moment = datetime.now(UTC) + timedelta(seconds=offset)
        payload["request"]["timestamp"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(payload).encode()


def test_a_signed_request_passes_and_the_certificate_is_cached(tmp_path, authority):
    client, fetcher = app_for(tmp_path, authority)
    for _ in range(3):
        data = body()
        answer = client.post("/alexa", data=data, headers=authority.headers(data))
        assert answer.status_code == 200
        assert answer.get_json()["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert fetcher.calls == [CERT_URL]


def test_missing_signature(tmp_path, authority):
    client, _ = app_for(tmp_path, authority)
    data = body()
    headers = authority.headers(data)
    del headers["Signature-256"]
    assert client.post("/alexa", data=data, headers=headers).status_code == 400
    headers = authority.headers(data)
    del headers["SignatureCertChainUrl"]
    assert client.post("/alexa", data=data, headers=headers).status_code == 400


@pytest.mark.parametrize("url", [
    "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://notamazon.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
    "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
    "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
])
def test_bad_certificate_urls(tmp_path, authority, url):
    client, fetcher = app_for(tmp_path, authority)
    data = body()
    assert client.post("/alexa", data=data,
                       headers=authority.headers(data, url)).status_code == 400
    assert fetcher.calls == []


@pytest.mark.parametrize("url", [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
])
def test_good_certificate_urls(url):
    check_cert_url(url)


@pytest.mark.parametrize(("url", "reason"), [
    ("https://s3.amazonaws.com:https/echo.api/c.pem", "has a bad port"),
    ("http://s3.amazonaws.com/echo.api/c.pem", "is not https"),
    ("https:///echo.api/c.pem", "host is not s3.amazonaws.com"),
    ("https://s3.amazonaws.com:563/echo.api/c.pem", "port is not 443"),
    ("https://s3.amazonaws.com/echo.api/../c.pem", "path is not under /echo.api/"),
])
def test_a_bad_certificate_url_is_named_with_what_is_wrong(url, reason):
    with pytest.raises(VerificationFailed) as raised:
        check_cert_url(url)
    assert str(raised.value) == f"certificate URL {reason}: {url!r}"


def test_invalid_signature(tmp_path, authority):
    client, _ = app_for(tmp_path, authority)
    data = body()
    headers = authority.headers(data)
    tampered = data.replace(b"LaunchRequest", b"LaunchRequesT")
    assert client.post("/alexa", data=tampered, headers=headers).status_code == 400
    headers["Signature-256"] = "not base64 at all!"
    assert client.post("/alexa", data=data, headers=headers).status_code == 400


def test_a_changed_body_in_a_valid_envelope_fails_the_signature_check(tmp_path, authority):
    client, _ = app_for(tmp_path, authority)
    data = body()
    tampered = data.replace(b'"en-US"', b'"en-GB"', 1)
    assert tampered != data and len(tampered) == len(data)
    # Signed for what it says, the changed body is a good request: only the signature
    # that was made for the original body can turn it away.
    assert client.post("/alexa", data=tampered,
                       headers=authority.headers(tampered)).status_code == 200
    answer = client.post("/alexa", data=tampered, headers=authority.headers(data))
    assert answer.status_code == 400


def test_a_signature_with_one_byte_changed_is_refused(tmp_path, authority):
    client, _ = app_for(tmp_path, authority)
    data = body()
    headers = authority.headers(data)
    raw = bytearray(base64.b64decode(headers["Signature-256"]))
    raw[len(raw) // 2] ^= 0x01
    headers["Signature-256"] = base64.b64encode(bytes(raw)).decode()
    assert client.post("/alexa", data=data, headers=headers).status_code == 400


def test_the_verifier_names_a_body_that_does_not_match(authority):
    verifier = RequestVerifier(fetch=Fetcher(authority.chain_pem), roots=[authority.root])
    data = body()
    verifier.verify_signature(authority.headers(data), data)
    with pytest.raises(VerificationFailed, match="does not match the body"):
        verifier.verify_signature(authority.headers(data), data.replace(b"en-US", b"en-GB"))


def test_stale_and_future_timestamps(tmp_path, authority):
    client, _ = app_for(tmp_path, authority)
    for offset in (-151, -3600, 151):
        data = body(offset)
        answer = client.post("/alexa", data=data, headers=authority.headers(data))
        assert answer.status_code == 400, offset
    data = body(-140)
    assert client.post("/alexa", data=data, headers=authority.headers(data)).status_code == 200


def test_a_certificate_from_an_unknown_authority(tmp_path, authority):
    stranger = make_authority()
    client, _ = app_for(tmp_path, authority, fetch=Fetcher(stranger.chain_pem))
    data = body()
    assert client.post("/alexa", data=data, headers=stranger.headers(data)).status_code == 400


def test_a_certificate_for_another_name(tmp_path):
    other = make_authority(san="example.com")
    client, _ = app_for(tmp_path, other)
    data = body()
    assert client.post("/alexa", data=data, headers=other.headers(data)).status_code == 400


def test_an_expired_certificate(tmp_path):
    expired = make_authority(expired=True)
    client, _ = app_for(tmp_path, expired)
    data = body()
    assert client.post("/alexa", data=data, headers=expired.headers(data)).status_code == 400


def test_a_failing_download_is_a_400(tmp_path, authority):
    def broken(url):
        raise OSError("no route to host")

    client, _ = app_for(tmp_path, authority, fetch=broken)
    data = body()
    assert client.post("/alexa", data=data, headers=authority.headers(data)).status_code == 400


def test_garbage_instead_of_a_certificate(tmp_path, authority):
    client, _ = app_for(tmp_path, authority, fetch=Fetcher(b"-----BEGIN nonsense"))
    data = body()
    assert client.post("/alexa", data=data, headers=authority.headers(data)).status_code == 400


def test_verification_is_on_by_default_with_the_system_roots(tmp_path):
    client = create_app({"DATA_DIR": str(tmp_path)}).test_client()
    assert client.post("/alexa", data=body()).status_code == 400


def test_turning_verification_off_is_explicit_and_warned(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("COUPLECARE_VERIFY_REQUESTS", "false")
    with caplog.at_level("WARNING", logger="couplecare.skill"):
        client = create_app({"DATA_DIR": str(tmp_path)}).test_client()
    assert "verification is OFF" in caplog.text
    assert client.post("/alexa", data=body()).status_code == 200


def test_the_system_roots_are_loaded():
    from skill.verify import system_roots

    assert len(system_roots()) > 100
    verifier = RequestVerifier()
    with pytest.raises(VerificationFailed, match="no SignatureCertChainUrl"):
        verifier.verify_signature({}, b"{}")



def refusal(check) -> str:
    """The reason a check gives for refusing, as the log shows it."""
    with pytest.raises(VerificationFailed) as raised:
        check()
    return str(raised.value)


def signed_by(signer, *, trusted=None, fetch=None, data=b'{"request": "signed"}'):
    """Checking a body signed by `signer` whose chain the certificate host serves, with
    `trusted`'s root (the signer's own unless given) as the only root."""
    verifier = RequestVerifier(fetch=fetch or Fetcher(signer.chain_pem),
                               roots=[(trusted or signer).root])
    signed = b'{"request": "signed"}'
    return lambda: verifier.verify_signature(signer.headers(signed), data)


def test_each_refusal_names_the_check_that_failed(authority):
    """The log says which check refused a request, so a 400 is never the wrong check's."""
    def no_route(url):
        raise OSError("no route to host")

    invalid = "certificate chain is not valid: "
    assert refusal(signed_by(authority, data=b'{"request": "changed"}')) == (
        "signature does not match the body")
    assert refusal(signed_by(authority, fetch=Fetcher(b"-----BEGIN nonsense"))) == (
        "certificate chain is not PEM")
    assert refusal(signed_by(authority, fetch=no_route)) == (
        "cannot download the certificate chain: no route to host")
    assert refusal(signed_by(make_authority(), trusted=authority)).startswith(invalid)
    assert refusal(signed_by(make_authority(san="example.com"))).startswith(invalid)
    assert refusal(signed_by(make_authority(expired=True))).startswith(invalid)
    assert refusal(signed_by(make_authority(elliptic=True))) == "certificate key is not RSA"


def test_timestamps_in_every_form_the_envelope_may_carry(authority):
    moment = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    verifier = RequestVerifier(fetch=Fetcher(authority.chain_pem), roots=[authority.root],
                               now=lambda: moment)
    verifier.verify_timestamp("2026-11-30T07:57:30Z")  # exactly the skew allowed
    verifier.verify_timestamp("2026-11-30T09:58:00+02:00")
    verifier.verify_timestamp(datetime(2026, 11, 30, 8, 2))  # without a zone: UTC
    far = "timestamp 2026-11-30T07:57:29+00:00 is more than 150 s away from now"
    assert refusal(lambda: verifier.verify_timestamp("2026-11-30T07:57:29Z")) == far
    assert refusal(lambda: verifier.verify_timestamp(datetime(2026, 11, 30, 7, 57, 29))) == far
    assert refusal(lambda: verifier.verify_timestamp(None)) == "request has no timestamp"
    assert refusal(lambda: verifier.verify_timestamp("yesterday")) == (
        "timestamp 'yesterday' is not a date")



def clocked(authority, chain: bytes | None = None):
    """A verifier trusting `authority`, whose host serves `chain`, on a clock the test sets."""
    clock = [datetime.now(UTC)]
    fetcher = Fetcher(chain or authority.chain_pem)
    verifier = RequestVerifier(fetch=fetcher, roots=[authority.root], now=lambda: clock[0])
    return verifier, fetcher, clock


def test_a_cached_chain_is_used_until_it_expires(authority):
    verifier, fetcher, clock = clocked(authority)
    data = b"{}"
    verifier.verify_signature(authority.headers(data), data)
    expires = x509.load_pem_x509_certificates(authority.chain_pem)[0].not_valid_after_utc
    clock[0] = expires - timedelta(seconds=1)
    verifier.verify_signature(authority.headers(data), data)
    assert len(fetcher.calls) == 1
    clock[0] = expires
    verifier.verify_signature(authority.headers(data), data)
    assert len(fetcher.calls) == 2


def test_a_failed_chain_is_refused_without_a_fetch_for_thirty_seconds(authority):
    stranger = make_authority()
    verifier, fetcher, clock = clocked(authority, stranger.chain_pem)
    failed_at = clock[0]

    def check():
        verifier.verify_signature(stranger.headers(b"{}"), b"{}")

    assert refusal(check).startswith("certificate chain is not valid: ")
    clock[0] = failed_at + FAILURE_MEMORY - timedelta(microseconds=1)
    assert refusal(check) == "certificate chain failed a moment ago; not fetched again"
    assert len(fetcher.calls) == 1
    clock[0] = failed_at + FAILURE_MEMORY
    assert refusal(check).startswith("certificate chain is not valid: ")
    assert len(fetcher.calls) == 2


@pytest.mark.parametrize("trusted", [True, False], ids=["good chains", "failed chains"])
def test_the_memory_of_chains_is_bounded_and_forgets_the_oldest_first(authority, trusted):
    signer = authority if trusted else make_authority()
    verifier, fetcher, _ = clocked(authority, signer.chain_pem)
    urls = [f"{CERT_URL}?{i}" for i in range(MAX_REMEMBERED + 1)]

    def check(url):
        with contextlib.suppress(VerificationFailed):
            verifier.verify_signature(signer.headers(b"{}", url), b"{}")

    for url in urls:
        check(url)
    assert len(fetcher.calls) == len(urls)
    check(urls[-1])
    assert len(fetcher.calls) == len(urls)
    check(urls[0])
    assert len(fetcher.calls) == len(urls) + 1


def test_a_root_that_cannot_be_read_is_skipped_and_the_others_kept(tmp_path, monkeypatch):
    from skill import verify

    first, second = make_authority().root, make_authority().root
    unreadable = (b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n"
                  b"-----END CERTIFICATE-----\n")
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(first.public_bytes(serialization.Encoding.PEM) + unreadable
                       + second.public_bytes(serialization.Encoding.PEM))
    monkeypatch.setattr(verify.certifi, "where", lambda: str(bundle))
    assert verify.system_roots() == [first, second]


def test_headers_that_cannot_carry_a_signature_are_named_before_any_download(authority):
    signed = authority.headers(b"{}")
    stray = signed["Signature-256"][:40] + "!" + signed["Signature-256"][40:]
    for headers, reason in [
        ({}, "no SignatureCertChainUrl header"),
        ({"SignatureCertChainUrl": CERT_URL}, "no Signature-256 header"),
        ({**signed, "Signature-256": "%%%"}, "signature is not base64"),
        ({**signed, "Signature-256": stray}, "signature is not base64"),
        ({**signed, "Signature-256": "c2hvcnQ="}, "signature of 5 bytes cannot be RSA"),
    ]:
        with pytest.raises(VerificationFailed) as raised:
            check_headers(headers)
        assert str(raised.value) == reason
    assert check_headers(signed).signature == base64.b64decode(signed["Signature-256"])
