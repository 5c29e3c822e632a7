"""Requests as Alexa sends them to the skill, for the Alexa driver, tests and benchmarks."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

APP_ID = "amzn1.ask.skill.test-couple-care"
USER_ID = "amzn1.ask.account.TESTUSER"
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


def default_user_key() -> str:
    """The progress key the skill gives `USER_ID`, the user of every default envelope."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from skill.persistence import user_key  # the engine with it: only for this

    payload = json.dumps(envelope(launch_request()))
    return user_key(DefaultSerializer().deserialize(payload, RequestEnvelope))


FULL_SESSION = [
    (launch_request(), True), (intent_request("AMAZON.YesIntent"), False),
    (intent_request("AMAZON.YesIntent"), False),
    (intent_request("NameIntent", {"name": slot("sam")}), False),
    (intent_request("NameIntent", {"name": slot("alex")}), False),
    (intent_request("ChooseExerciseIntent", {"choice": slot("honest check-in",
                                                            "honest-check-in")}), False),
    (intent_request("AMAZON.YesIntent"), False),
    (intent_request("NameIntent", {"name": slot("sam")}), False),
    (intent_request("DoneIntent"), True),
    (intent_request("AMAZON.YesIntent"), False),
    (intent_request("ShareIntent", {"text": slot("you feel tired")}), False),
    (intent_request("AMAZON.YesIntent"), False), (intent_request("AMAZON.NoIntent"), False),
    (intent_request("DoneIntent"), True), (intent_request("AMAZON.YesIntent"), False),
    (intent_request("ShareIntent", {"text": slot("you miss our walks")}), False),
    (intent_request("AMAZON.YesIntent"), False), (intent_request("AMAZON.NoIntent"), False),
    (intent_request("AMAZON.NoIntent"), False),
]
"""A full honest check-in as Alexa sends it (Sam named to go first), each request with
whether it opens a session; timed phases close the session, and "we're done" comes back
through the safety question."""


def full_session(post: Callable[[dict[str, Any]], dict[str, Any]],
                 user_id: str) -> list[dict[str, Any]]:
    """Sends `FULL_SESSION` for one user through `post`; returns the response bodies."""
    bodies: list[dict[str, Any]] = []
    attributes = None
    for request, new in FULL_SESSION:
        payload = envelope(request, None if new else attributes, new=new, user_id=user_id)
        body = post(payload)
        attributes = body.get("sessionAttributes")
        bodies.append(body)
    return bodies
