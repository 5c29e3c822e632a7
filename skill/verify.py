"""Checks that a request really comes from Alexa, as a skill hosted as a web service must.

Built on `cryptography`: its `x509.verification` module validates the certificate chain,
validity period and the subject alternative name in one step. The SDK's own verifier
depends on a library that does not load against current OpenSSL releases.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
import threading
import urllib.request
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import certifi
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import DNSName, PolicyBuilder, Store, VerificationError

SIGNATURE_HEADER = "Signature-256"
CERT_URL_HEADER = "SignatureCertChainUrl"
ALEXA_CERT_NAME = "echo-api.amazon.com"
MAX_CLOCK_SKEW = timedelta(seconds=150)
DOWNLOAD_TIMEOUT = 5.0
MAX_CHAIN_BYTES = 64 * 1024


class VerificationFailed(Exception):
    """The request did not pass a check; the message says which, for the log."""


def download(url: str) -> bytes:
    """Fetch a certificate chain (the one network call verification makes)."""
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
        return response.read(MAX_CHAIN_BYTES + 1)


def system_roots() -> list[x509.Certificate]:
    """Mozilla's roots, one by one: a root that `cryptography` finds malformed is skipped
    rather than failing the whole bundle."""
    with open(certifi.where(), "rb") as bundle:
        blocks = re.findall(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----",
                            bundle.read(), flags=re.DOTALL)
    roots = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for block in blocks:
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    return roots


def check_cert_url(url: str) -> None:
    """The URL rules: https, host s3.amazonaws.com, port 443, path under /echo.api/."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise VerificationFailed(f"certificate URL has a bad port: {url!r}") from None
    if parts.scheme.lower() != "https":
        raise VerificationFailed(f"certificate URL is not https: {url!r}")
    if (parts.hostname or "").lower() != "s3.amazonaws.com":
        raise VerificationFailed(f"certificate URL host is not s3.amazonaws.com: {url!r}")
    if port not in (None, 443):
        raise VerificationFailed(f"certificate URL port is not 443: {url!r}")
    if not posixpath.normpath(parts.path).startswith("/echo.api/"):
        raise VerificationFailed(f"certificate URL path is not under /echo.api/: {url!r}")


@dataclass(frozen=True)
class _Chain:
    leaf: x509.Certificate
    expires: datetime


class RequestVerifier:
    """Signature, certificate URL, chain, validity, name and timestamp checks.

    Certificates are cached by URL until they expire. `fetch` and `roots` exist so that
    tests can use a certificate authority of their own instead of Amazon's.
    """

    def __init__(self, fetch: Callable[[str], bytes] = download,
                 roots: Sequence[x509.Certificate] | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.fetch = fetch
        self.store = Store(list(roots) if roots is not None else system_roots())
        self.now = now
        self._cache: dict[str, _Chain] = {}
        self._lock = threading.Lock()

    def verify_signature(self, headers: dict[str, str] | object, body: bytes) -> None:
        get = headers.get  # type: ignore[attr-defined]
        url = get(CERT_URL_HEADER)
        signature = get(SIGNATURE_HEADER)
        if not url:
            raise VerificationFailed(f"no {CERT_URL_HEADER} header")
        if not signature:
            raise VerificationFailed(f"no {SIGNATURE_HEADER} header")
        check_cert_url(url)
        leaf = self._certificate(url)
        try:
            raw = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            raise VerificationFailed("signature is not base64") from None
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationFailed("certificate key is not RSA")
        try:
            key.verify(raw, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise VerificationFailed("signature does not match the body") from None

    def verify_timestamp(self, timestamp: datetime | str | None) -> None:
        if timestamp is None:
            raise VerificationFailed("request has no timestamp")
        if isinstance(timestamp, str):
            try:
                timestamp = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
            except ValueError:
                raise VerificationFailed(f"timestamp {timestamp!r} is not a date") from None
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=UTC)
        if abs(self.now() - timestamp) > MAX_CLOCK_SKEW:
            raise VerificationFailed(f"timestamp {timestamp.isoformat()} is more than "
                                     f"{MAX_CLOCK_SKEW.seconds} s away from now")

    def _certificate(self, url: str) -> x509.Certificate:
        now = self.now()
        with self._lock:
            cached = self._cache.get(url)
        if cached is not None and cached.expires > now:
            return cached.leaf
        try:
            pem = self.fetch(url)
        except Exception as error:  # any failure to fetch is a failed check, not a crash
            raise VerificationFailed(f"cannot download the certificate chain: {error}") from None
        if len(pem) > MAX_CHAIN_BYTES:
            raise VerificationFailed("certificate chain is too large")
        try:
            certificates = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise VerificationFailed("certificate chain is not PEM") from None
        leaf, intermediates = certificates[0], certificates[1:]
        verifier = (PolicyBuilder().store(self.store).time(now.replace(tzinfo=None))
                    .build_server_verifier(DNSName(ALEXA_CERT_NAME)))
        try:
            verifier.verify(leaf, intermediates)
        except VerificationError as error:
            raise VerificationFailed(f"certificate chain is not valid: {error}") from None
        with self._lock:
            self._cache[url] = _Chain(leaf, leaf.not_valid_after_utc)
        return leaf
