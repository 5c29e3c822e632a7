"""Alexa understanding through the signed endpoint: the skill asks Alexa for a first name
rather than taking any sentence as one, and every word Alexa heard reaches the engine."""

import json
from datetime import date

import pytest

from dialogs.book import load_book
from dialogs.engine import IntentEvent
from progress.sqlite import SqliteStore
from rehearsal.alexa_driver import AlexaDriver, Clock
from rehearsal.alexa_requests import envelope, intent_request, launch_request, slot
from skill import create_app, handlers
from skill.verify import RequestVerifier
from tests.alexa_support import make_authority


@pytest.fixture(scope="module")
def authority():
    return make_authority()


class Alexa:
    """Sends signed requests as Alexa does, carrying the session from one to the next."""

    def __init__(self, client, authority):
        self.client = client
        self.authority = authority
        self.attributes = None

    def send(self, request, new=False) -> dict:
        data = json.dumps(envelope(request, self.attributes, new=new)).encode()
        answer = self.client.post("/alexa", data=data, headers=self.authority.headers(data))
        assert answer.status_code == 200, answer.get_data(as_text=True)
        body = answer.get_json()
        self.attributes = body.get("sessionAttributes")
        return body


@pytest.fixture
def alexa(tmp_path, authority):
    verifier = RequestVerifier(fetch=lambda url: authority.chain_pem, roots=[authority.root])
    app = create_app({"DATA_DIR": str(tmp_path), "VERIFIER": verifier})
    return Alexa(app.test_client(), authority)


def speech(body: dict) -> str:
    return body["response"].get("outputSpeech", {}).get("ssml", "")


def at_first_name(alexa: Alexa) -> dict:
    alexa.send(launch_request(), new=True)
    alexa.send(intent_request("AMAZON.YesIntent"))
    return alexa.send(intent_request("AMAZON.YesIntent"))


def test_asking_for_a_first_name_asks_alexa_for_the_slot(alexa):
    body = at_first_name(alexa)
    assert "first name" in speech(body)
    directive, = body["response"]["directives"]
    assert directive["type"] == "Dialog.ElicitSlot"
    assert directive["slotToElicit"] == "name"
    assert directive["updatedIntent"]["name"] == "NameIntent"
    body = alexa.send(intent_request("NameIntent", {"name": slot("jo")}))
    assert "Thanks, Jo" in speech(body)


def test_a_yes_or_no_question_asks_for_no_slot(alexa):
    body = alexa.send(launch_request(), new=True)
    assert not body["response"].get("directives")


def test_every_raw_slot_value_reaches_the_engine(alexa, monkeypatch):
    seen = []
    step = handlers.engine.step

    def spy(book, state, event, context):
        seen.append(event)
        return step(book, state, event, context)

    monkeypatch.setattr(handlers.engine, "step", spy)
    at_first_name(alexa)
    alexa.send(intent_request("NameIntent", {"name": slot("i don't want to live anymore")}))
    alexa.send(intent_request("ChooseExerciseIntent", {"choice": slot("he hurts me")}))
    name_event, choice_event = seen[-2:]
    assert isinstance(name_event, IntentEvent) and name_event.slots == {}
    assert name_event.heard == ("i don't want to live anymore",)
    assert choice_event.heard == ("he hurts me",)


def test_danger_in_a_name_or_an_unknown_slot_value_brings_the_crisis_script(alexa):
    at_first_name(alexa)
    body = alexa.send(intent_request("NameIntent", {"name": slot("i don't want to live anymore")}))
    assert "988" in speech(body)
    at_first_name(alexa)
    body = alexa.send(intent_request("ChooseExerciseIntent", {"choice": slot("he hurts me")}))
    assert "988" in speech(body)


@pytest.fixture
def driver(tmp_path):
    book = load_book()
    clock = Clock(date(2025, 3, 3))
    app = create_app({"VERIFY_REQUESTS": False, "DATA_DIR": str(tmp_path), "TODAY": clock})
    store = SqliteStore(tmp_path / "progress.sqlite3")
    yield AlexaDriver(app.test_client(), book, store, clock)
    store.close()


class Recording:
    def __init__(self, client):
        self.client = client
        self.requests: list[dict] = []

    def post(self, url, data, content_type):
        self.requests.append(json.loads(data)["request"])
        return self.client.post(url, data=data, content_type=content_type)


def test_the_driver_fills_an_asked_for_slot_with_a_bare_name(driver):
    recording = driver.client = Recording(driver.client)
    driver.launch(None)
    driver.user("yes")
    assert driver.user("yes").at == "welcome/ask_first"
    assert driver.user("Jo").at == "welcome/ask_second"
    assert recording.requests[-1]["intent"]["name"] == "NameIntent"
    assert recording.requests[-1]["intent"]["slots"]["name"]["value"] == "Jo"
    assert driver.user("um, call me Sam").at == "welcome/menu"
    assert recording.requests[-1]["intent"]["slots"]["name"]["value"] == "Sam"


def test_the_driver_hands_over_words_nothing_else_takes_as_the_asked_for_slot(driver):
    recording = driver.client = Recording(driver.client)
    driver.launch(None)
    driver.user("yes")
    driver.user("yes")
    driver.user("it's never enough for him")
    request = recording.requests[-1]
    assert request["intent"]["name"] == "NameIntent"
    assert request["intent"]["slots"]["name"]["value"] == "it's never enough for him"
    assert "resolutions" not in request["intent"]["slots"]["name"]


def test_the_driver_sends_a_bare_name_nowhere_when_nothing_asks_for_it(driver):
    recording = driver.client = Recording(driver.client)
    driver.launch(None)
    driver.user("Jo")
    assert recording.requests[-1]["intent"]["name"] != "NameIntent"


def in_an_exercise(alexa: Alexa) -> dict:
    """A one-shot start of the honest check-in, through the names, into the exercise."""
    body = alexa.send(intent_request(
        "ChooseExerciseIntent", {"choice": slot("honest check-in", "honest-check-in")}),
        new=True)
    for name in ("AMAZON.YesIntent", "AMAZON.YesIntent", "NameIntent", "NameIntent"):
        slots = {"name": slot("Sam" if "first name of one" in speech(body) else "Alex")} \
            if name == "NameIntent" else None
        body = alexa.send(intent_request(name, slots))
    assert body["sessionAttributes"][handlers.STATE]["flow"] == "honest-check-in"
    return body


def stopped_for_safety(body: dict) -> bool:
    state = body["sessionAttributes"][handlers.STATE]
    return ("988" in speech(body) and "your safety matters more" in speech(body)
            and state.get("flow") != "honest-check-in" and state.get("unsafe"))


def test_danger_in_shared_words_stops_the_exercise(alexa):
    in_an_exercise(alexa)
    body = alexa.send(intent_request("ShareIntent", {"text": slot("he hits me when he drinks")}))
    assert stopped_for_safety(body)


@pytest.mark.parametrize("carried", ["threatened by my husband", "to bleed"])
def test_danger_heard_only_with_the_lead_in_alexa_dropped_stops_the_exercise(alexa, carried):
    """"I feel threatened by my husband" reaches the skill as ShareIntent with only
    "threatened by my husband" (and "I need to bleed" as "to bleed"): alone they are not
    danger, put back behind their lead-in they are."""
    assert load_book().safety.check(carried) is None
    in_an_exercise(alexa)
    body = alexa.send(intent_request("ShareIntent", {"text": slot(carried)}))
    assert stopped_for_safety(body)


def test_harmless_shared_words_do_not_stop_the_exercise(alexa):
    in_an_exercise(alexa)
    body = alexa.send(intent_request("ShareIntent", {"text": slot("i felt left out at dinner")}))
    assert "988" not in speech(body)


@pytest.mark.parametrize("request_", [
    intent_request("ChooseExerciseIntent", {"choice": slot("i want to kill myself")}),
    intent_request("ShareIntent", {"text": slot("he hits me when he drinks")}),
], ids=["exercise choice", "shared words"])
def test_danger_in_a_one_shot_launch_brings_the_crisis_script(alexa, request_):
    body = alexa.send(request_, new=True)
    assert "988" in speech(body)
    assert body["sessionAttributes"][handlers.STATE]["unsafe"]
