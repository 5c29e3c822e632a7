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
import time
import urllib.request
import warnings
from collections.abc import Callable, Mapping, Sequence
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
DOWNLOAD_TIMEOUT = 2.0
"""Name lookup, connect, TLS and reading together; a request waits no longer than this."""
MAX_DOWNLOADS = 4
"""Downloads under way at once; past this a request is refused rather than queued."""
FAILURE_MEMORY = timedelta(seconds=30)
"""How long a URL whose chain could not be fetched or trusted is refused without a fetch."""
MAX_REMEMBERED = 256
MAX_CHAIN_BYTES = 64 * 1024
SIGNATURE_BYTES = range(128, 1025)
"""An RSA signature is as long as its key: 1024 to 8192 bits."""

_downloads = threading.BoundedSemaphore(MAX_DOWNLOADS)


class VerificationFailed(Exception):
    """The request did not pass a check; the message says which, for the log."""


def _read_chain(url: str, deadline: float, result: dict[str, object]) -> None:
    try:
        with urllib.request.urlopen(url, timeout=max(0.05, deadline - time.monotonic())) as answer:
            chunks: list[bytes] = []
            size = 0
            while size <= MAX_CHAIN_BYTES and time.monotonic() < deadline:
                chunk = answer.read1(16 * 1024)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            else:
                if size <= MAX_CHAIN_BYTES:
                    raise TimeoutError("the certificate host sends too slowly")
            result["pem"] = b"".join(chunks)
    except BaseException as error:  # handed to the waiting request, which reports it
        result["error"] = error
    finally:
        _downloads.release()


def download(url: str, timeout: float = DOWNLOAD_TIMEOUT) -> bytes:
    """Fetch a certificate chain, the one network call verification makes, in at most
    `timeout` seconds from name lookup to the last byte.

    The socket timeout bounds each connect and read but not the name lookup, so the fetch
    runs on its own thread and the request stops waiting at the deadline; a lookup that
    hangs keeps only that thread, and at most MAX_DOWNLOADS of them exist.
    """
    if not _downloads.acquire(blocking=False):
        raise TimeoutError("too many certificate downloads under way")
    deadline = time.monotonic() + timeout
    result: dict[str, object] = {}
    worker = threading.Thread(target=_read_chain, args=(url, deadline, result),
                              name="certificate-download", daemon=True)
    try:
        worker.start()
    except BaseException:
        _downloads.release()
        raise
    worker.join(timeout)
    if "pem" in result:
        return result["pem"]  # type: ignore[return-value]
    error = result.get("error")
    if isinstance(error, BaseException):
        raise error
    raise TimeoutError(f"no certificate chain within {timeout:g} s")


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
class SignedRequest:
    """What the headers claim, checked without the network: a certificate URL that obeys
    the rules and a signature that decodes to a plausible length."""

    cert_url: str
    signature: bytes


def check_headers(headers: Mapping[str, str] | object) -> SignedRequest:
    get = headers.get  # type: ignore[attr-defined]
    url = get(CERT_URL_HEADER)
    signature = get(SIGNATURE_HEADER)
    if not url:
        raise VerificationFailed(f"no {CERT_URL_HEADER} header")
    if not signature:
        raise VerificationFailed(f"no {SIGNATURE_HEADER} header")
    check_cert_url(url)
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationFailed("signature is not base64") from None
    if len(raw) not in SIGNATURE_BYTES:
        raise VerificationFailed(f"signature of {len(raw)} bytes cannot be RSA")
    return SignedRequest(url, raw)


@dataclass(frozen=True)
class _Chain:
    leaf: x509.Certificate
    expires: datetime


class RequestVerifier:
    """Signature, certificate URL, chain, validity, name and timestamp checks.

    Certificates are cached by URL until they expire; a URL that failed is refused without
    a fetch for FAILURE_MEMORY. `fetch` and `roots` exist so that tests can use a
    certificate authority of their own instead of Amazon's.
    """

    def __init__(self, fetch: Callable[[str], bytes] = download,
                 roots: Sequence[x509.Certificate] | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.fetch = fetch
        self.store = Store(list(roots) if roots is not None else system_roots())
        self.now = now
        self._cache: dict[str, _Chain] = {}
        self._failed: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def verify_signature(self, headers: Mapping[str, str] | object, body: bytes) -> None:
        """Headers and body in one call; the app calls `check_headers` early instead and
        `verify_signed` after its other local checks."""
        self.verify_signed(check_headers(headers), body)

    def verify_signed(self, signed: SignedRequest, body: bytes) -> None:
        """The one check that may use the network: the chain (cached) and the signature."""
        leaf = self._certificate(signed.cert_url)
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationFailed("certificate key is not RSA")
        try:
            key.verify(signed.signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise VerificationFailed("signature does not match the body") from None

    def verify_timestamp(self, timestamp: datetime | str | None) -> None:
        if timestamp is None:
            raise VerificationFailed("request has no timestamp")
        if isinstance(timestamp, str):
            try:
                timestamp = datetime.fromisoformat(timestamp)
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
            failed_until = self._failed.get(url)
        if cached is not None and cached.expires > now:
            return cached.leaf
        if failed_until is not None and failed_until > now:
            raise VerificationFailed("certificate chain failed a moment ago; not fetched again")
        try:
            leaf = self._fetch_and_check(url, now)
        except VerificationFailed:
            with self._lock:
                if len(self._failed) >= MAX_REMEMBERED:
                    self._failed = {key: until for key, until in self._failed.items()
                                    if until > now}
                    if len(self._failed) >= MAX_REMEMBERED:
                        self._failed.pop(next(iter(self._failed)))
                self._failed[url] = now + FAILURE_MEMORY
            raise
        with self._lock:
            if len(self._cache) >= MAX_REMEMBERED:
                self._cache.pop(next(iter(self._cache)))
            self._cache[url] = _Chain(leaf, leaf.not_valid_after_utc)
            self._failed.pop(url, None)
        return leaf

    def _fetch_and_check(self, url: str, now: datetime) -> x509.Certificate:
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
        return leaf
