"""The ways the skill is deployed: gunicorn on the WSGI entry, AWS Lambda, the skill package."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from couplecare.cli import main
from dialogs.book import load_book
from rehearsal.alexa_requests import envelope, intent_request, launch_request
from skill.package import check_model, interaction_model

ROOT = Path(__file__).parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_serves_the_wsgi_entry(tmp_path):
    port = free_port()
    env = {**os.environ, "COUPLECARE_DATA_DIR": str(tmp_path),
           "COUPLECARE_VERIFY_REQUESTS": "false"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "skill.wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:
                    assert json.load(answer) == {"status": "ok"}
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start: " + server.stderr.read1().decode())
        request = urllib.request.Request(
            f"{base}/alexa", data=json.dumps(envelope(launch_request(), new=True)).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = json.load(answer)
        assert body["response"]["outputSpeech"]["ssml"].startswith("<speak>")
        assert (tmp_path / "progress.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_lambda_handler_answers_an_alexa_event(tmp_path, monkeypatch):
    monkeypatch.setenv("COUPLECARE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COUPLECARE_SKILL_ID", "amzn1.ask.skill.test-couple-care")
    import skill

    monkeypatch.setattr(skill, "_lambda", None)
    first = skill.lambda_handler(envelope(launch_request(), new=True), None)
    assert first["response"]["shouldEndSession"] is False
    second = skill.lambda_handler(envelope(intent_request("AMAZON.YesIntent"),
                                           first["sessionAttributes"]), None)
    assert second["sessionAttributes"]["couplecare"]["step"] == "safe_check"
    monkeypatch.setattr(skill, "_lambda", None)


def test_export_skill_writes_an_ask_cli_project(tmp_path, capsys):
    target = tmp_path / "project"
    assert main(["export-skill", str(target), "--endpoint", "https://care.example.org/alexa",
                 "--privacy-url", "https://care.example.org/privacy",
                 "--terms-url", "https://care.example.org/terms"]) == 0
    manifest = json.loads((target / "skill-package" / "skill.json").read_text())
    model = json.loads((target / "skill-package" / "interactionModels" / "custom" /
                        "en-US.json").read_text())
    assert json.loads((target / "ask-resources.json").read_text())["profiles"]["default"]
    locale = manifest["manifest"]["publishingInformation"]["locales"]["en-US"]
    assert "not a substitute for professional help" in locale["description"]
    assert "988" in locale["description"] and "1-800-799-7233" in locale["description"]
    privacy = manifest["manifest"]["privacyAndCompliance"]["locales"]["en-US"]
    assert privacy == {"privacyPolicyUrl": "https://care.example.org/privacy",
                       "termsOfUseUrl": "https://care.example.org/terms"}
    language = model["interactionModel"]["languageModel"]
    assert language["invocationName"] == "couple care"
    names = {i["name"] for i in language["intents"]}
    assert {"AMAZON.YesIntent", "AMAZON.PauseIntent", "AMAZON.FallbackIntent", "DoneIntent",
            "SafetyIntent"} <= names
    exercise_type = next(t for t in language["types"] if t["name"] == "Exercise")
    assert {v["id"] for v in exercise_type["values"]} == set(load_book().exercises)
    assert check_model(model) == []


def test_export_skill_asks_for_what_it_needs(tmp_path, capsys, monkeypatch):
    for variable in ("COUPLECARE_ENDPOINT", "COUPLECARE_PRIVACY_URL", "COUPLECARE_TERMS_URL"):
        monkeypatch.delenv(variable, raising=False)
    assert main(["export-skill", str(tmp_path)]) == 2
    assert "needs the endpoint" in capsys.readouterr().err
    assert main(["export-skill", str(tmp_path), "--endpoint", "http://insecure",
                 "--privacy-url", "https://p", "--terms-url", "https://t"]) == 2
    assert "must be an https URL" in capsys.readouterr().err


def broken(change) -> list[str]:
    model = interaction_model(load_book())
    change(model["interactionModel"]["languageModel"])
    return check_model(model)


def intent(language, name):
    return next(i for i in language["intents"] if i["name"] == name)


def outcome(language, value_id):
    values = next(t for t in language["types"] if t["name"] == "Outcome")["values"]
    return next(v for v in values if v["id"] == value_id)


def test_the_shipped_model_asks_for_names_and_keeps_free_words_behind_carriers():
    model = interaction_model(load_book())["interactionModel"]
    language = model["languageModel"]
    assert check_model({"interactionModel": model}) == []
    name = intent(language, "NameIntent")
    assert "{name}" not in name["samples"] and "{name}" in name["slots"][0]["samples"]
    assert "i'm {name}" in name["slots"][0]["samples"]
    dialog = {i["name"]: i for i in model["dialog"]["intents"]}
    assert dialog["NameIntent"]["slots"][0]["elicitationRequired"] is True
    assert model["dialog"]["delegationStrategy"] == "SKILL_RESPONSE"
    exercise = next(t for t in language["types"] if t["name"] == "Exercise")
    spoken = [w for v in exercise["values"] for w in (v["name"]["value"],
                                                       *v["name"]["synonyms"])]
    assert "honest check in" in spoken and not any("-" in w for w in spoken)
    safety = intent(language, "SafetyIntent")["samples"]
    for sample in ["i don't feel safe", "he hits me", "i want to die", "i want to kill myself",
                   "i'm scared of my partner"]:
        assert sample in safety


@pytest.mark.parametrize("change, expected", [
    (lambda m: intent(m, "DoneIntent")["samples"].append("yes"), "is in both"),
    (lambda m: intent(m, "DoneIntent")["samples"].append("we're done 2 times"),
     "may only use letters"),
    (lambda m: intent(m, "AMAZON.FallbackIntent")["samples"].append("huh"), "cannot have samples"),
    (lambda m: intent(m, "ShareIntent")["samples"].append("{text}"), "needs a carrier phrase"),
    (lambda m: intent(m, "NameIntent")["samples"].append("call me {nickname}"),
     "undeclared slot nickname"),
    (lambda m: intent(m, "NameIntent")["slots"].append({"name": "x", "type": "Nope"}),
     "undefined type Nope"),
    (lambda m: m["intents"].remove(intent(m, "AMAZON.StopIntent")), "must include AMAZON.Stop"),
    (lambda m: m.update(invocationName="alexa skill"), "reserved word"),
    (lambda m: m.update(invocationName="care"), "two or more words"),
    (lambda m: m["types"][0]["values"].append(m["types"][0]["values"][0]), "used twice"),
    (lambda m: intent(m, "NameIntent")["samples"].append("{name}"), "is only a slot"),
    (lambda m: intent(m, "ChooseExerciseIntent")["samples"].append("{choice}"),
     "is only a slot"),
    (lambda m: outcome(m, "kept")["name"]["synonyms"].append("yes"), "is also a yes or a no"),
    (lambda m: outcome(m, "not_kept")["name"]["synonyms"].append("not really"),
     "is also a yes or a no"),
    (lambda m: outcome(m, "kept")["name"]["synonyms"].append("check-in"), "has a hyphen"),
    (lambda m: intent(m, "DoneIntent")["samples"].append("we're all checked-in"),
     "has a hyphen"),
    (lambda m: intent(m, "NameIntent")["samples"].append("i'm {name}"), "also fits NameIntent"),
    (lambda m: intent(m, "SafetyIntent")["samples"].append("i feel unsafe"),
     "also fits ShareIntent"),
    (lambda m: intent(m, "NameIntent")["slots"][0]["samples"].append("hello"),
     "must use {name}"),
])
def test_the_model_check_catches_what_the_console_would_refuse(change, expected):
    problems = broken(change)
    assert any(expected in p for p in problems), problems


def test_couplecare_serve_answers_on_its_port(tmp_path):
    port = free_port()
    env = {**os.environ, "COUPLECARE_DATA_DIR": str(tmp_path)}
    server = subprocess.Popen([sys.executable, "-m", "couplecare", "serve", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                            timeout=1) as answer:
                    assert json.load(answer) == {"status": "ok"}
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("couplecare serve did not start")
        unsigned = urllib.request.Request(
            f"http://127.0.0.1:{port}/alexa",
            data=json.dumps(envelope(launch_request(), new=True)).encode(),
            headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(unsigned, timeout=10)
        assert refused.value.code == 400
    finally:
        server.terminate()
        server.wait(timeout=10)
