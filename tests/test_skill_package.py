"""The exported skill package passes its own certification checks offline, and each check
catches what it is there for."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from dialogs.book import load_book
from rehearsal.alexa_requests import APP_ID, envelope, intent_request, launch_request
from skill import create_app
from skill.icons import ICON_SIZES, draw_icon, icon_path, png_bytes, png_size
from skill.package import (
    MEDICAL_DISCLAIMER,
    REVIEWER_SAFETY_PHRASES,
    PackageSettings,
    check_package,
    export_skill,
    first_launch_speech,
)

SETTINGS = PackageSettings("https://care.example.org/alexa", "https://care.example.org/privacy",
                           "https://care.example.org/terms")


@pytest.fixture(scope="module")
def book():
    return load_book()


@pytest.fixture(scope="module")
def exported(book):
    folder = Path(tempfile.mkdtemp())
    export_skill(book, folder, SETTINGS)
    yield folder
    shutil.rmtree(folder)


@pytest.fixture
def copy(exported, tmp_path):
    target = tmp_path / "project"
    shutil.copytree(exported, target)
    return target


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "skill-package" / "skill.json").read_text())


def rewrite(folder: Path, change) -> None:
    manifest = manifest_of(folder)
    change(manifest["manifest"])
    (folder / "skill-package" / "skill.json").write_text(json.dumps(manifest))


def test_the_export_passes_its_own_checks_and_ships_both_icons(exported):
    assert check_package(exported) == []
    manifest = manifest_of(exported)["manifest"]
    locale = manifest["publishingInformation"]["locales"]["en-US"]
    for name, size in ICON_SIZES.items():
        path = exported / "skill-package" / locale[name].removeprefix("file://")
        assert png_size(path.read_bytes()) == (size, size)
    assert manifest["privacyAndCompliance"]["usesPersonalInfo"] is True
    assert MEDICAL_DISCLAIMER in " ".join(locale["description"].split())
    instructions = manifest["publishingInformation"]["testingInstructions"]
    assert "we're done" in instructions and "Safety path" in instructions


@pytest.mark.parametrize("name, change, complaint", [
    ("personal info", lambda m: m["privacyAndCompliance"].update(usesPersonalInfo=False),
     "usesPersonalInfo"),
    ("disclaimer", lambda m: m["publishingInformation"]["locales"]["en-US"].update(
        description="A nice skill. It is not a substitute for professional help."),
     "medical"),
    ("hand-off", lambda m: m["publishingInformation"].update(
        testingInstructions="Say open couple care."), "we're done"),
    ("icon entry", lambda m: m["publishingInformation"]["locales"]["en-US"].pop("largeIconUri"),
     "largeIconUri"),
])
def test_each_manifest_check_catches_its_problem(copy, name, change, complaint):
    rewrite(copy, change)
    problems = "\n".join(check_package(copy))
    assert complaint in problems, name


def test_a_missing_or_wrongly_sized_icon_is_caught(copy):
    images = copy / "skill-package" / "assets" / "images"
    small = next(images.glob("*small*"))
    small.write_bytes(png_bytes(draw_icon(20)))
    assert "not 108x108" in "\n".join(check_package(copy))
    small.write_bytes(b"GIF89a")
    assert "smallIconUri: no PNG icon" in check_package(copy)
    small.unlink()
    assert "smallIconUri: no PNG icon" in check_package(copy)


def test_the_committed_icons_are_what_the_code_draws():
    for size in ICON_SIZES.values():
        assert icon_path(size).read_bytes() == png_bytes(draw_icon(size)), size


def test_first_launch_says_it_is_not_medical_advice_and_only_once(book, tmp_path):
    assert MEDICAL_DISCLAIMER in " ".join(first_launch_speech(book).lower().split())
    client = create_app({"VERIFY_REQUESTS": False, "DATA_DIR": str(tmp_path),
                         "SKILL_ID": APP_ID}).test_client()

    def launch() -> str:
        answer = client.post("/alexa", data=json.dumps(envelope(launch_request(), new=True)),
                             content_type="application/json")
        return answer.get_json()["response"]["outputSpeech"]["ssml"]

    assert "mental-health advice" in launch()
    assert "mental-health advice" not in launch()


@pytest.mark.parametrize("phrase", REVIEWER_SAFETY_PHRASES)
def test_what_the_reviewer_is_told_to_say_reaches_the_safety_path(tmp_path, phrase, exported):
    model = json.loads((exported / "skill-package" / "interactionModels" / "custom" /
                        "en-US.json").read_text())
    intent = next(i["name"] for i in model["interactionModel"]["languageModel"]["intents"]
                  if phrase.lower() in i.get("samples", []))
    client = create_app({"VERIFY_REQUESTS": False, "DATA_DIR": str(tmp_path),
                         "SKILL_ID": APP_ID}).test_client()
    answer = client.post("/alexa", data=json.dumps(envelope(intent_request(intent), new=True)),
                         content_type="application/json").get_json()
    speech = answer["response"]["outputSpeech"]["ssml"]
    assert "988" in speech and "1-800-799-7233" in speech
