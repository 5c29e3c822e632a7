"""The Flask app that serves the skill: `POST /alexa`, `GET /healthz`."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from ask_sdk_runtime.exceptions import AskSdkException
from flask import Flask, Response, g, jsonify, request

from skill.verify import RequestVerifier, SignedRequest, VerificationFailed, check_headers

log = logging.getLogger("couplecare.skill")
requests_log = logging.getLogger("couplecare.requests")

MAX_BODY = 128 * 1024
"""Alexa's requests are a few kilobytes; anything far larger is refused before parsing."""

FALSE_WORDS = {"0", "false", "no", "off"}
DATABASE_VARIABLE = "COUPLECARE_DATABASE_URL"
"""progress.DATABASE_VARIABLE, named here so that reading the settings loads no store."""


def _env_config() -> dict[str, Any]:
    config: dict[str, Any] = {}
    if os.environ.get(DATABASE_VARIABLE):
        config["DATABASE_URL"] = os.environ[DATABASE_VARIABLE]
    if os.environ.get("COUPLECARE_SKILL_ID"):
        config["SKILL_ID"] = os.environ["COUPLECARE_SKILL_ID"]
    if "COUPLECARE_VERIFY_REQUESTS" in os.environ:
        config["VERIFY_REQUESTS"] = (
            os.environ["COUPLECARE_VERIFY_REQUESTS"].strip().lower() not in FALSE_WORDS)
    return config


def configure_logging() -> None:
    """Plain lines for the skill's own messages; one bare JSON line per request."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not requests_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        requests_log.addHandler(handler)
        requests_log.setLevel(logging.INFO)
        requests_log.propagate = False


def _bad_request(reason: str) -> tuple[Response, int]:
    log.warning("refused request: %s", reason)
    return jsonify(error="bad request"), 400


def _envelope_problem(payload: Any) -> str | None:
    """What makes a parsed body not an Alexa request envelope, if anything."""
    if not isinstance(payload, dict):
        return "body is not a JSON object"
    request_part = payload.get("request")
    if not isinstance(request_part, dict) or not isinstance(request_part.get("type"), str):
        return "no request type"
    system = (payload.get("context") or {}).get("System") if isinstance(
        payload.get("context"), dict) else None
    if not isinstance(system, dict):
        return "no context.System"
    application = system.get("application")
    if not isinstance(application, dict) or not isinstance(
            application.get("applicationId"), str):
        return "no application id"
    user = system.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("userId"), str):
        return "no user id"
    session = payload.get("session")
    if session is not None and not isinstance(session, dict):
        return "session is not an object"
    if isinstance(session, dict) and session.get("attributes") is not None and not isinstance(
            session["attributes"], dict):
        return "session attributes are not an object"
    return None


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The skill as a WSGI app.

    Settings: SKILL_ID, VERIFY_REQUESTS (default true), DATABASE_URL (PostgreSQL; SQLite
    by default), DATA_DIR, CONTENT_DIR; for tests and benchmarks VERIFIER (a
    RequestVerifier), TODAY, and SKILL (another ask-sdk skill served the same way).
    """
    app = Flask("couplecare")
    app.config.update(SKILL_ID=None, VERIFY_REQUESTS=True, DATA_DIR=None, DATABASE_URL=None,
                      CONTENT_DIR=None, VERIFIER=None, TODAY=None, SKILL=None,
                      MAX_CONTENT_LENGTH=MAX_BODY)
    app.config.update(_env_config())
    app.config.update(config or {})

    skill = app.config["SKILL"]
    store = None
    if skill is None:
        # The definitions, the engine and the store are imported here, not with this
        # module: they are this skill's own start-up cost, not the web service's.
        from dialogs.book_cache import cached_book
        from dialogs.store import StoreError
        from progress import open_store
        from skill.handlers import build_skill
        from skill.persistence import StorePersistenceAdapter

        book = cached_book(app.config["CONTENT_DIR"])
        store = open_store(app.config["DATABASE_URL"] or "", folder=app.config["DATA_DIR"])
        today = app.config["TODAY"] or date.today
        skill = build_skill(book, StorePersistenceAdapter(store, today), app.config["SKILL_ID"],
                            today).create()
        book.safety.warm_up()  # paid by the worker's start, not by the first person heard
    serializer = DefaultSerializer()

    verifier: RequestVerifier | None = None
    if app.config["VERIFY_REQUESTS"]:
        verifier = app.config["VERIFIER"] or RequestVerifier()
    else:
        log.warning("Alexa request verification is OFF: anyone can call this endpoint. "
                    "Use this only for local testing.")
    if not app.config["SKILL_ID"]:
        log.warning("no SKILL_ID is set, so requests for any skill are accepted")

    @app.get("/healthz")
    def healthz() -> Any:
        if store is not None:
            try:
                store.check()
            except StoreError as error:
                log.error("health check: %s", error)
                return jsonify(status="unavailable", reason="progress store"), 503
        return jsonify(status="ok")

    @app.before_request
    def start_clock() -> None:
        g.started = time.perf_counter()
        g.facts = {}

    @app.after_request
    def log_request(response: Response) -> Response:
        """One line per request: who, what kind, how long; never what anyone said."""
        if request.path == "/alexa":
            requests_log.info(json.dumps({
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "request_id": g.facts.get("request_id"), "type": g.facts.get("type"),
                "intent": g.facts.get("intent"), "status": response.status_code,
                "latency_ms": round((time.perf_counter() - g.started) * 1000, 2)}))
        return response

    @app.post("/alexa")
    def alexa() -> Any:
        """Every check that needs no network comes first (headers, certificate URL,
        signature form, envelope, skill id, timestamp); only then the certificate chain,
        which is fetched at most once per URL and remembered."""
        signed: SignedRequest | None = None
        if verifier is not None:
            try:
                signed = check_headers(request.headers)
            except VerificationFailed as failure:
                return _bad_request(str(failure))
        body = request.get_data(cache=False)
        try:
            text = body.decode("utf-8")
            payload = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            return _bad_request("body is not JSON")
        problem = _envelope_problem(payload)
        if problem:
            return _bad_request(problem)
        skill_id = app.config["SKILL_ID"]
        if skill_id and payload["context"]["System"]["application"][
                "applicationId"] != skill_id:
            return _bad_request("request is for another skill")
        try:
            envelope = serializer.deserialize(text, RequestEnvelope)
        except Exception as error:  # the SDK's deserializer raises many kinds
            return _bad_request(f"not an Alexa request envelope ({type(error).__name__})")
        if envelope.request is None:
            return _bad_request(f"unknown request type {payload['request']['type']!r}")
        g.facts.update(request_id=getattr(envelope.request, "request_id", None),
                       type=payload["request"]["type"],
                       intent=getattr(getattr(envelope.request, "intent", None), "name", None))
        if verifier is not None and signed is not None:
            try:
                verifier.verify_timestamp(getattr(envelope.request, "timestamp", None))
                verifier.verify_signed(signed, body)
            except VerificationFailed as failure:
                return _bad_request(str(failure))
        try:
            response = skill.invoke(envelope, None)
        except AskSdkException as error:
            if "Skill ID" in str(error):
                return _bad_request("request is for another skill")
            raise
        return jsonify(serializer.serialize(response))

    @app.errorhandler(413)
    def too_large(_: Exception) -> tuple[Response, int]:
        log.warning("refused request: body larger than %d bytes", MAX_BODY)
        return jsonify(error="request too large"), 413

    return app
