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
    AddPromise,
    ClearPosition,
    CompleteExercise,
    DisclaimerSeen,
    ResolvePromise,
    SaveNames,
    SavePosition,
    profile_from_json,
)
from progress.document import apply_effects
from progress.sqlite import SqliteStore
from rehearsal.alexa_requests import envelope, intent_request, launch_request, slot

DAY = date(2026, 11, 29)


def test_a_profile_document_follows_the_same_rules_as_the_sql_store(tmp_path):
    turns = [
        [SaveNames(("Sam", "Alex")), DisclaimerSeen(), SavePosition("promises", {"step": "a"})],
        [AddPromise("Sam", "call at lunch"), AddPromise("Sam", "call at noon"),
         AddPromise("Alex", "cook")],
        [SavePosition("repair", {"step": "b"}), ClearPosition("promises"),
         CompleteExercise("promises")],
        [ResolvePromise(1, "kept"), CompleteExercise("repair")],
    ]
    store = SqliteStore(tmp_path / "p.sqlite3")
    document: dict = {}
    for day, effects in enumerate(turns):
        store.apply("c1", effects, DAY + timedelta(days=day))
        document = apply_effects(document, effects, DAY + timedelta(days=day))
    assert profile_from_json(document) == store.profile("c1")
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
