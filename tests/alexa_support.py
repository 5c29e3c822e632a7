"""A certificate authority made for the tests, to sign requests as Alexa does, and a
certificate host on loopback that serves its chain the way a real host may (whole, in
part, not at all)."""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class TestAuthority:
    """A root, an intermediate and a leaf for echo-api.amazon.com, made for the tests."""

    root: x509.Certificate
    chain_pem: bytes
    leaf_key: rsa.RSAPrivateKey

    def sign(self, body: bytes) -> str:
        signature = self.leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()

    def headers(self, body: bytes, url: str = CERT_URL) -> dict[str, str]:
        return {"Signature-256": self.sign(body), "SignatureCertChainUrl": url,
                "Content-Type": "application/json"}


def _certificate(subject: str, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, issuer: str,
                 issuer_key: rsa.RSAPrivateKey, *, ca: bool, san: str | None = None,
                 not_before: datetime, not_after: datetime,
                 issuer_public: Any = None) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer_public or issuer_key.public_key()), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = (builder
                   .add_extension(x509.KeyUsage(
                       digital_signature=True, content_commitment=False,
                       key_encipherment=True, data_encipherment=False, key_agreement=False,
                       key_cert_sign=False, crl_sign=False, encipher_only=False,
                       decipher_only=False), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                                  critical=False)
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(san or subject)]),
                                  critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


def make_authority(*, san: str = "echo-api.amazon.com", expired: bool = False,
                   elliptic: bool = False) -> TestAuthority:
    """`elliptic`: the leaf holds an elliptic-curve key, which Alexa never uses."""
    now = datetime.now(UTC)
    root_key, middle_key, leaf_key = _key(), _key(), _key()
    subject_key = ec.generate_private_key(ec.SECP256R1()) if elliptic else leaf_key
    years = timedelta(days=3650)
    root = _certificate("Test Root", root_key, "Test Root", root_key, ca=True,
                        not_before=now - timedelta(days=1), not_after=now + years)
    middle = _certificate("Test Intermediate", middle_key, "Test Root", root_key, ca=True,
                          not_before=now - timedelta(days=1), not_after=now + years)
    leaf_window = ((now - timedelta(days=30), now - timedelta(days=1)) if expired
                   else (now - timedelta(days=1), now + timedelta(days=365)))
    leaf = _certificate(san, subject_key, "Test Intermediate", middle_key, ca=False, san=san,
                        not_before=leaf_window[0], not_after=leaf_window[1])
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, middle))
    return TestAuthority(root, pem, leaf_key)


class Fetcher:
    """The certificate host, serving the test authority's chain and counting the fetches."""

    def __init__(self, pem: bytes):
        self.pem = pem
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        return self.pem


class CertificateHost:
    """An HTTP server on loopback standing in for the certificate host: it sends `body`,
    announcing `announced` bytes (the body's length unless set), and when it has sent less
    than it announced it stalls, as a host that stops part-way does, until closed."""

    def __init__(self, body: bytes = b"", *, announced: int | None = None,
                 status: int = 200):
        self.body, self.announced, self.status = body, announced, status
        self._closing = threading.Event()
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(host.status)
                length = len(host.body) if host.announced is None else host.announced
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(host.body)
                self.wfile.flush()
                if length > len(host.body):
                    host._closing.wait(30)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/echo.api/cert.pem"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()
