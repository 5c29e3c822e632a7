"""Alexa as the tests play it: request envelopes, a certificate authority, a driver."""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from dialogs import engine
from dialogs.book import Book
from dialogs.conversations import Reply
from dialogs.engine import Context, Profile
from dialogs.model import ListenMode, Platform
from skill.handlers import STATE, alexa_intent_names
from skill.persistence import user_key

APP_ID = "amzn1.ask.skill.test-couple-care"
USER_ID = "amzn1.ask.account.TESTUSER"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
_ids = itertools.count()


def now_iso(offset: float = 0) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=offset)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(request: dict[str, Any], attributes: dict[str, Any] | None = None, *,
             new: bool = False, app_id: str = APP_ID, user_id: str = USER_ID,
             person_id: str | None = None) -> dict[str, Any]:
    request = {"requestId": f"amzn1.echo-api.request.{next(_ids)}", "timestamp": now_iso(),
               "locale": "en-US", **request}
    system: dict[str, Any] = {
        "application": {"applicationId": app_id}, "user": {"userId": user_id},
        "device": {"deviceId": "amzn1.ask.device.TEST", "supportedInterfaces": {}},
        "apiEndpoint": "https://api.amazonalexa.com", "apiAccessToken": "token"}
    if person_id:
        system["person"] = {"personId": person_id}
    return {
        "version": "1.0",
        "session": {"new": new, "sessionId": "amzn1.echo-api.session.TEST",
                    "application": {"applicationId": app_id}, "user": {"userId": user_id},
                    "attributes": attributes or {}},
        "context": {"System": system},
        "request": request,
    }


def launch_request() -> dict[str, Any]:
    return {"type": "LaunchRequest"}


def intent_request(name: str, slots: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "IntentRequest", "dialogState": "STARTED", "intent": {
        "name": name, "confirmationStatus": "NONE",
        "slots": {k: {"name": k, "confirmationStatus": "NONE", **v}
                  for k, v in (slots or {}).items()}}}


def session_ended_request(reason: str = "USER_INITIATED",
                          error: dict[str, str] | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"type": "SessionEndedRequest", "reason": reason}
    if error:
        request["error"] = error
    return request


def slot(value: str, resolved_id: str | None = None) -> dict[str, Any]:
    """A slot as Alexa fills it, with entity resolution when the value is a known one."""
    filled: dict[str, Any] = {"value": value}
    if resolved_id is not None:
        filled["resolutions"] = {"resolutionsPerAuthority": [{
            "authority": "amzn1.er-authority.echo-sdk.test",
            "status": {"code": "ER_SUCCESS_MATCH"},
            "values": [{"value": {"name": value, "id": resolved_id}}]}]}
    return filled


# ---------------------------------------------------------------- a certificate authority


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


def _certificate(subject: str, key: rsa.RSAPrivateKey, issuer: str,
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


def make_authority(*, san: str = "echo-api.amazon.com", expired: bool = False) -> TestAuthority:
    now = datetime.now(UTC)
    root_key, middle_key, leaf_key = _key(), _key(), _key()
    years = timedelta(days=3650)
    root = _certificate("Test Root", root_key, "Test Root", root_key, ca=True,
                        not_before=now - timedelta(days=1), not_after=now + years)
    middle = _certificate("Test Intermediate", middle_key, "Test Root", root_key, ca=True,
                          not_before=now - timedelta(days=1), not_after=now + years)
    leaf_window = ((now - timedelta(days=30), now - timedelta(days=1)) if expired
                   else (now - timedelta(days=1), now + timedelta(days=365)))
    leaf = _certificate(san, leaf_key, "Test Intermediate", middle_key, ca=False, san=san,
                        not_before=leaf_window[0], not_after=leaf_window[1])
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, middle))
    return TestAuthority(root, pem, leaf_key)


# ---------------------------------------------------------------- the conversation driver


class AlexaDriver:
    """Plays a conversation file through `POST /alexa` as Alexa would send it.

    What Alexa's language understanding would do is simulated with the same vocabulary:
    a phrase becomes its intent (built-ins under their AMAZON. names) with resolved slots;
    free words become the free-speech intent when they start with one of its lead-ins,
    and the fallback intent otherwise. Session attributes go from each response into the
    next request; a closed session makes the next utterance a one-shot request.
    """

    def __init__(self, client: Any, book: Book, store: Any, today: date):
        self.client = client
        self.book = book
        self.store = store
        self.today = today
        self.alexa_names = alexa_intent_names(book)
        self.matcher = book.matcher
        self.attributes: dict[str, Any] | None = None
        self.responses: list[dict[str, Any]] = []

    def post(self, request: dict[str, Any], *, new: bool) -> Reply:
        payload = envelope(request, self.attributes, new=new)
        answer = self.client.post("/alexa", data=json.dumps(payload),
                                  content_type="application/json")
        assert answer.status_code == 200, answer.get_data(as_text=True)
        body = answer.get_json()
        self.responses.append(body)
        response = body["response"]
        ended = bool(response.get("shouldEndSession", True))
        self.attributes = None if ended else body.get("sessionAttributes")
        speech = response.get("outputSpeech", {}).get("ssml", "")
        at = (body.get("sessionAttributes") or {}).get(STATE, {})
        where = f"{at.get('flow')}/{at.get('step')}" if at else ""
        return Reply(_ssml_to_plain(speech), where, ended)

    def launch(self, exercise: str | None) -> Reply:
        if exercise:
            spoken = self.book.exercises[exercise].title.lower()
            return self.post(intent_request(self.alexa_names["ChooseExerciseIntent"],
                                            {"choice": slot(spoken, exercise)}), new=True)
        return self.post(launch_request(), new=True)

    def user(self, text: str) -> Reply:
        new = self.attributes is None
        listen = engine.listen_for(self.book, (self.attributes or {}).get(STATE),
                                   Context(Platform.ALEXA, Profile(), self.today))
        intents = listen.intents or tuple(self.alexa_names)
        strict = listen.mode in (ListenMode.FREE, ListenMode.TIMED)
        if self.matcher.is_safety(text):
            return self.post(intent_request(self.alexa_names["SafetyIntent"]), new=new)
        found = self.matcher.match(text, intents, strict=strict)
        if found:
            slots = {}
            for name, value in found.slots.items():
                slot_type = self.book.vocabulary.intents[found.intent].slots[name]
                slots[name] = slot(value, None if slot_type.startswith("AMAZON.") else value)
            return self.post(intent_request(self.alexa_names[found.intent], slots), new=new)
        if listen.mode is ListenMode.FREE:
            content = self.matcher.content(text)
            if content != text.strip():
                return self.post(intent_request("ShareIntent", {"text": slot(content)}),
                                 new=new)
        return self.post(intent_request("AMAZON.FallbackIntent"), new=new)

    def silence(self) -> Reply:
        raise AssertionError("Alexa does not send silence")

    def timer(self) -> Reply:
        raise AssertionError("Alexa does not send timers")

    def end(self) -> Reply:
        reply = self.post(session_ended_request("USER_INITIATED"), new=False)
        self.attributes = None
        return Reply(reply.speech, reply.at, True)

    def new_session(self, days_later: int = 0) -> None:
        self.today += timedelta(days=days_later)
        self.attributes = None

    def profile(self) -> Profile:
        return self.store.profile(user_key_for_tests())


def user_key_for_tests() -> str:
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    payload = json.dumps(envelope(launch_request()))
    return user_key(DefaultSerializer().deserialize(payload, RequestEnvelope))


def _ssml_to_plain(ssml: str) -> str:
    import re
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", ssml)).split())


