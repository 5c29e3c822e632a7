"""AWS Lambda with DynamoDB. No DynamoDB server exists here: ask-sdk's own DynamoDB adapter
runs against moto's in-process stand-in for the AWS API, which checks the selection, the
configuration and the calls, not DynamoDB itself. The document rules are checked against
the SQL store, which is real."""

import sys
from datetime import date, timedelta

import boto3
import pytest
from moto import mock_aws

from dialogs.engine import (
    AddAgreement,
    AgreementKind,
    ClearPosition,
    CompleteExercise,
    Decision,
    DisclaimerSeen,
    FollowUpAgreement,
    Outcome,
    SaveNames,
    SavePosition,
    profile_from_json,
)
from progress.document import apply_effects
from progress.sqlite import SqliteStore
from rehearsal.alexa_requests import envelope, intent_request, launch_request, slot
from tests.stores import kept_and_done, promise

DAY = date(2026, 11, 29)


def test_a_document_from_before_agreements_keeps_its_promises_as_agreements():
    old = {"names": ["Sam", "Alex"], "disclaimer_seen": True, "saved": {}, "completions": [],
           "open_promises": [{"id": 2, "partner": "Alex", "text": "cook", "made_on": "2026-11-02"}],
           "resolved_promises": [{"id": 1, "partner": "Sam", "text": "call",
                                  "made_on": "2026-11-01", "outcome": "kept",
                                  "resolved_on": "2026-11-03"}]}
    document = apply_effects(old, [FollowUpAgreement(2, Outcome.KEPT, Decision.KEEP),
                                   promise("Sam", "I'll call again.")], DAY)
    assert "open_promises" not in document and "resolved_promises" not in document
    assert [(a["id"], a["status"]) for a in document["agreements"]] == [
        (1, "let go"), (2, "keeping"), (3, "open")]


def test_a_profile_document_follows_the_same_rules_as_the_sql_store(tmp_path):
    turns = [
        [SaveNames(("Sam", "Alex")), DisclaimerSeen(), SavePosition("promises", {"step": "a"})],
        [promise("Sam", "call at lunch"), promise("Sam", "call at noon"),
         promise("Alex", "cook")],
        [SavePosition("repair", {"step": "b"}), ClearPosition("promises"),
         CompleteExercise("promises")],
        [kept_and_done(1), CompleteExercise("repair")],
        [AddAgreement(AgreementKind.GENTLE_START, "", "I feel tired.", "walk-gentle-start"),
         AddAgreement(AgreementKind.KINDNESS, "Sam", "I'll hug you.", "daily-gestures")],
        [FollowUpAgreement(2, Outcome.PARTLY, Decision.CHANGE),
         AddAgreement(AgreementKind.PROMISE, "Alex", "I'll cook on Sunday.", "welcome"),
         FollowUpAgreement(3, None, Decision.KEEP), FollowUpAgreement(4, Outcome.KEPT,
                                                                      Decision.LET_GO)],
    ]
    store = SqliteStore(tmp_path / "p.sqlite3")
    document: dict = {}
    for day, effects in enumerate(turns):
        store.apply("c1", effects, DAY + timedelta(days=day))
        document = apply_effects(document, effects, DAY + timedelta(days=day))
    assert profile_from_json(document) == store.profile("c1")
    assert len(document["agreements"]) == 5
    retried = apply_effects(document, [CompleteExercise("x")], DAY, request_id="r1")
    assert apply_effects(retried, [CompleteExercise("x")], DAY, request_id="r1") == retried


@pytest.fixture
def dynamodb(monkeypatch):
    for name, value in {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing",
                        "COUPLECARE_DYNAMODB_TABLE": "couplecare-test"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        boto3.resource("dynamodb").create_table(
            TableName="couplecare-test", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        sys.modules.pop("ask_sdk_dynamodb.adapter", None)
        import skill

        monkeypatch.setattr(skill, "_lambda", None)
        yield boto3.resource("dynamodb").Table("couplecare-test")
        monkeypatch.setattr(skill, "_lambda", None)


def test_the_lambda_handler_keeps_progress_in_dynamodb(dynamodb):
    import skill
    from skill.persistence import DynamoProfileAdapter

    assert isinstance(skill.lambda_persistence(), DynamoProfileAdapter)
    body = skill.lambda_handler(envelope(launch_request(), new=True), None)
    for request in [intent_request("AMAZON.YesIntent"), intent_request("AMAZON.YesIntent"),
                    intent_request("NameIntent", {"name": slot("sam")}),
                    intent_request("NameIntent", {"name": slot("alex")})]:
        body = skill.lambda_handler(envelope(request, body["sessionAttributes"]), None)
    assert body["sessionAttributes"]["couplecare"]["step"] == "menu"
    item = dynamodb.get_item(Key={"id": "user:amzn1.ask.account.TESTUSER"})["Item"]
    assert item["attributes"]["names"] == ["Sam", "Alex"]
    assert item["attributes"]["disclaimer_seen"] is True
    again = skill.lambda_handler(envelope(launch_request(), new=True), None)
    again = skill.lambda_handler(envelope(intent_request("AMAZON.YesIntent"),
                                          again["sessionAttributes"]), None)
    again = skill.lambda_handler(envelope(intent_request("AMAZON.YesIntent"),
                                          again["sessionAttributes"]), None)
    assert "Sam and Alex" in again["response"]["outputSpeech"]["ssml"]


def test_without_a_table_the_lambda_uses_the_progress_store(monkeypatch, tmp_path):
    import skill
    from skill.persistence import StorePersistenceAdapter

    monkeypatch.delenv("COUPLECARE_DYNAMODB_TABLE", raising=False)
    monkeypatch.setenv("COUPLECARE_DATA_DIR", str(tmp_path))
    assert isinstance(skill.lambda_persistence(), StorePersistenceAdapter)
