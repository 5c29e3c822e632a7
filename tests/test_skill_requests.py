"""The Alexa endpoint with bad, odd and hostile requests: a valid response or a 4xx, never 500."""

import json
import logging

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import ResponseEnvelope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from progress.sqlite import SqliteStore
from rehearsal.alexa_requests import (
    APP_ID,
    default_user_key,
    envelope,
    intent_request,
    launch_request,
    session_ended_request,
    slot,
)
from skill import create_app
from skill.handlers import STATE


@pytest.fixture
def client(tmp_path):
    app = create_app({"VERIFY_REQUESTS": False, "DATA_DIR": str(tmp_path), "SKILL_ID": APP_ID})
    return app.test_client()


def post(client, payload, **kwargs):
    data = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post("/alexa", data=data, content_type="application/json", **kwargs)


def valid(answer) -> dict:
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert isinstance(DefaultSerializer().deserialize(json.dumps(body), ResponseEnvelope),
                      ResponseEnvelope)
    return body


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


@pytest.mark.parametrize("payload", [
    b"{not json", b"", b"\xff\xfe", "[]", "42", json.dumps({"hello": "world"}),
    json.dumps({"version": "1.0", "request": {}}),
    json.dumps({"version": "1.0", "request": {"type": 7}}),
    json.dumps({**envelope(launch_request()), "context": {}}),
    json.dumps({**envelope(launch_request()), "context": {"System": {"application": {}}}}),
    json.dumps({**envelope(launch_request()), "session": "yes"}),
])
def test_what_is_not_an_alexa_envelope_is_a_400(client, payload):
    assert post(client, payload).status_code == 400


def test_an_unknown_request_type_is_a_400(client):
    payload = envelope({"type": "Made.Up.Request"})
    assert post(client, payload).status_code == 400


def test_a_request_type_the_skill_has_no_use_for_is_acknowledged(client):
    payload = envelope({"type": "System.ExceptionEncountered", "error": {
        "type": "INVALID_RESPONSE", "message": "x"}, "cause": {"requestId": "r"}})
    body = valid(post(client, payload))
    assert "outputSpeech" not in body["response"]


def test_a_request_for_another_skill_is_a_400(client):
    assert post(client, envelope(launch_request(), app_id="amzn1.ask.skill.other")
                ).status_code == 400


def test_an_oversized_body_is_refused(client):
    huge = json.dumps({**envelope(launch_request()), "padding": "x" * 300_000})
    assert post(client, huge).status_code == 413


def test_an_unknown_intent_is_not_understood_not_an_error(client):
    first = valid(post(client, envelope(launch_request(), new=True)))
    answer = valid(post(client, envelope(intent_request("NoSuchIntent"),
                                         first["sessionAttributes"])))
    assert "catch that" in speech_of(answer)
    assert answer["response"]["shouldEndSession"] is False


def test_slots_missing_or_unexpected_are_not_understood(client):
    first = valid(post(client, envelope(launch_request(), new=True)))
    attributes = first["sessionAttributes"]
    for request in [intent_request("OutcomeIntent"),
                    intent_request("OutcomeIntent", {"outcome": slot("purple")}),
                    intent_request("ChooseExerciseIntent", {"choice": slot("juggling")}),
                    intent_request("NameIntent", {"name": {"value": None}})]:
        answer = valid(post(client, envelope(request, attributes)))
        assert answer["response"]["shouldEndSession"] is False


@pytest.mark.parametrize("attributes", [
    None, {}, {STATE: "garbage"}, {STATE: {"v": 0, "flow": "welcome", "step": "menu"}},
    {STATE: {"flow": "honest-check-in", "step": "nope"}}, {STATE: [1, 2, 3]},
    {"other": {"thing": True}},
])
def test_missing_tampered_or_old_session_attributes_start_cleanly(client, attributes):
    answer = valid(post(client, envelope(intent_request("AMAZON.YesIntent"), attributes)))
    assert answer["sessionAttributes"][STATE]["step"] in ("good_time", "safe_check")


def test_every_open_response_has_a_reprompt_and_a_card(client):
    body = valid(post(client, envelope(launch_request(), new=True)))
    response = body["response"]
    assert response["shouldEndSession"] is False
    assert response["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert response["card"]["type"] == "Simple"
    assert "therapy" in response["card"]["content"]


def test_session_ended_with_an_error_is_logged_and_saves(client, tmp_path, caplog):
    body = valid(post(client, envelope(intent_request(
        "ChooseExerciseIntent", {"choice": slot("honest check-in", "honest-check-in")}),
        new=True)))
    for request in [intent_request("AMAZON.YesIntent"), intent_request("AMAZON.YesIntent"),
                    intent_request("NameIntent", {"name": slot("sam")}),
                    intent_request("NameIntent", {"name": slot("alex")})]:
        body = valid(post(client, envelope(request, body["sessionAttributes"])))
    assert body["sessionAttributes"][STATE]["step"] == "intro"
    with caplog.at_level(logging.INFO, logger="couplecare.skill"):
        ended = valid(post(client, envelope(session_ended_request(
            "ERROR", {"type": "INVALID_RESPONSE", "message": "bad ssml"}),
            body["sessionAttributes"])))
    assert "outputSpeech" not in ended["response"]
    assert "ERROR: INVALID_RESPONSE: bad ssml" in caplog.text
    store = SqliteStore(tmp_path / "progress.sqlite3")
    profile = store.profile(default_user_key())
    assert profile.names == ("Sam", "Alex")
    assert profile.saved["honest-check-in"]["step"] == "intro"


@pytest.mark.parametrize("reason", ["USER_INITIATED", "EXCEEDED_MAX_REPROMPTS"])
def test_session_ended_reasons(client, reason, caplog):
    with caplog.at_level(logging.INFO, logger="couplecare.skill"):
        body = valid(post(client, envelope(session_ended_request(reason))))
    assert body["response"] == {} or "outputSpeech" not in body["response"]
    assert f"session ended: {reason}" in caplog.text


def test_a_recognised_voice_keeps_its_own_progress(client, tmp_path):
    for person in ("amzn1.ask.person.A", "amzn1.ask.person.B"):
        body = valid(post(client, envelope(launch_request(), new=True, person_id=person)))
        body = valid(post(client, envelope(intent_request("AMAZON.YesIntent"),
                                           body["sessionAttributes"], person_id=person)))
        body = valid(post(client, envelope(intent_request("AMAZON.YesIntent"),
                                           body["sessionAttributes"], person_id=person)))
        valid(post(client, envelope(intent_request("NameIntent", {"name": slot("kim")}),
                                    body["sessionAttributes"], person_id=person)))
    store = SqliteStore(tmp_path / "progress.sqlite3")
    assert store.profile("person:amzn1.ask.person.A").disclaimer_seen
    assert store.profile("person:amzn1.ask.person.B").disclaimer_seen
    assert not store.profile("user:amzn1.ask.account.TESTUSER").disclaimer_seen


def test_a_timed_phase_ends_the_session_and_a_one_shot_comes_back(client):
    body = valid(post(client, envelope(intent_request(
        "ChooseExerciseIntent", {"choice": slot("honest check-in", "honest-check-in")}),
        new=True)))
    for name in ("AMAZON.YesIntent", "AMAZON.YesIntent", "NameIntent", "NameIntent",
                 "AMAZON.YesIntent", "NameIntent"):
        slots = {"name": slot("Sam" if "first name of one" in speech_of(body)
                              or "go first" in speech_of(body) else "Alex")} \
            if name == "NameIntent" else None
        body = valid(post(client, envelope(intent_request(name, slots),
                                           body["sessionAttributes"])))
    assert body["response"]["shouldEndSession"] is True
    assert "tell couple care we're done" in speech_of(body)
    back = valid(post(client, envelope(intent_request("DoneIntent"), new=True)))
    assert back["response"]["shouldEndSession"] is False
    assert back["sessionAttributes"][STATE]["step"] == "safe_check"
    safe = valid(post(client, envelope(intent_request("AMAZON.YesIntent"),
                                       back["sessionAttributes"])))
    assert safe["sessionAttributes"][STATE]["step"] == "paraphrase"


def speech_of(body) -> str:
    return body["response"].get("outputSpeech", {}).get("ssml", "")


def test_a_failure_inside_the_skill_is_an_apology_not_a_500(tmp_path, monkeypatch):
    app = create_app({"VERIFY_REQUESTS": False, "DATA_DIR": str(tmp_path)})

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("dialogs.engine.step", broken)
    body = valid(post(app.test_client(), envelope(launch_request(), new=True)))
    assert "went wrong on my side" in speech_of(body)
    assert body["response"]["shouldEndSession"] is True


INTENT_NAMES = ["AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent",
                "AMAZON.RepeatIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent",
                "AMAZON.FallbackIntent", "DoneIntent", "NameIntent", "ChooseExerciseIntent",
                "OutcomeIntent", "ShareIntent", "SafetyIntent", "Unknown", ""]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.text(max_size=8), children, max_size=3), max_leaves=8)
requests = st.one_of(
    st.builds(lambda: launch_request()),
    st.builds(intent_request, st.sampled_from(INTENT_NAMES), st.dictionaries(
        st.sampled_from(["name", "choice", "outcome", "text", "x"]),
        st.builds(lambda v: {"value": v}, st.none() | st.text(max_size=30)), max_size=3)),
    st.builds(session_ended_request, st.sampled_from(["USER_INITIATED", "ERROR", "BOGUS"])),
    st.dictionaries(st.sampled_from(["type", "intent", "reason", "timestamp"]), json_values,
                    max_size=4),
)
attributes = st.one_of(st.none(), st.dictionaries(st.sampled_from([STATE, "x"]), json_values,
                                                   max_size=2),
                       st.fixed_dictionaries({STATE: st.fixed_dictionaries({
                           "flow": st.sampled_from(["welcome", "honest-check-in", "nope"]),
                           "step": st.sampled_from(["menu", "floor", "check", "x"]),
                           "speaker": st.integers(-1, 2), "paused": st.booleans()})}))


@settings(max_examples=1500, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(request=requests, attributes=attributes, new=st.booleans(),
       mutate=st.sampled_from(["none", "drop_context", "drop_session", "version"]))
def test_generated_envelopes_get_a_response_or_a_400(client, request, attributes, new, mutate):
    payload = envelope(request, attributes, new=new)
    if mutate == "drop_context":
        payload.pop("context")
    elif mutate == "drop_session":
        payload.pop("session")
    elif mutate == "version":
        payload["version"] = None
    answer = post(client, payload)
    assert answer.status_code in (200, 400), answer.get_data(as_text=True)
    if answer.status_code == 200:
        valid(answer)
