"""The skill package (an ASK CLI project) generated from the vocabulary and the exercises."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialogs.book import Book
from dialogs.intents import SAFETY
from skill.handlers import alexa_intent_names
from skill.icons import ICON_SIZES, icon_path, png_size

INVOCATION_NAME = "couple care"
LOCALE = "en-US"
BUILTIN_YES_NO = ("yes", "yeah", "yep", "yup", "sure", "okay", "ok", "no", "nope", "nah")
"""Words Alexa's own YesIntent and NoIntent take, besides the samples the model adds."""
REQUIRED_BUILTINS = ("AMAZON.CancelIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent",
                     "AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent")

DESCRIPTION = """\
Couple Care guides the two of you, by voice, through short exercises for building and \
repairing trust: an honest check-in where you take turns to speak and listen, small promises \
and how they went, repairing after a hurt, feeling understood, small daily gestures, and \
knowing when to look for professional support. There is also a short exercise to do alone.

Couple Care is a guide for practising together. It is not therapy, it is not professional \
medical or mental-health advice, and it is not a substitute for professional help.

If you or someone else is in danger, call your local emergency number. In the US, call or text \
988 for the Suicide and Crisis Lifeline, or call the National Domestic Violence Hotline at \
1-800-799-7233 (text START to 88788). Couples exercises are not suitable where there is abuse \
or violence.

Couple Care keeps only what the exercises ask for: your first names, the promises and \
agreements you make, and where you are in each exercise. It does not keep anything else you \
say."""

MEDICAL_DISCLAIMER = "professional medical or mental-health advice"
"""What the description and the first launch say the skill is not, as health skills are asked."""

REVIEWER_SAFETY_PHRASES = ("I'm scared of my partner", "I want to hurt myself")
"""What the testing instructions ask a reviewer to say; each must be a SafetyIntent sample."""

TESTING_INSTRUCTIONS = """\
No account linking, purchases or device permissions are needed. The skill stores first names, \
spoken promises and agreements, and exercise progress for the Alexa account (or recognised \
voice), which is why it declares personal information.

1. First launch and the disclaimer: say "Alexa, open couple care". The first launch says it is \
not therapy and not professional medical or mental-health advice. Answer "yes" (a good time) \
and "yes" (you feel safe at home), then give two first names, for example "Sam" and "Alex".
2. Safety path: at any point say "{}" or "{}". The \
skill stops the exercise at once, gives the emergency number and the US hotlines (988; \
1-800-799-7233, or text START to 88788), and offers ways to find support or to stop; it does \
not go back to an exercise with the partner in that session. Answering "no" to "do you feel \
safe at home" at launch takes the same path.
3. Timed hand-off: say "honest check-in" at the menu and follow it. When a timed phase starts, \
the skill says how to come back and closes the session on purpose, because Alexa cannot keep \
listening for minutes. Then say "Alexa, tell couple care we're done": the skill asks the \
safety question again and carries on where you were.
4. "Alexa, stop" or "cancel" at any point saves the place; "Alexa, open couple care" offers to \
carry on. "Help" explains what to say at every step.""".format(*REVIEWER_SAFETY_PHRASES)


@dataclass(frozen=True)
class PackageSettings:
    endpoint: str
    privacy_url: str
    terms_url: str


def _types(book: Book) -> list[dict[str, Any]]:
    types = []
    for name, slot_type in book.vocabulary.slot_types.items():
        values = []
        for value_id, spoken in slot_type.values.items():
            spoken = [s for s in dict.fromkeys(spoken) if s]
            main = spoken[0] if spoken else value_id.replace("_", " ")
            values.append({"id": value_id,
                           "name": {"value": main, "synonyms": spoken[1:]}})
        types.append({"name": name, "values": values})
    return types


def elicitation_prompt(intent: str, slot: str) -> str:
    """The id of the prompt with which Alexa would ask for a slot (the skill speaks its own)."""
    return f"Elicit.Slot.{intent}.{slot}"


def interaction_model(book: Book) -> dict[str, Any]:
    """The en-US interaction model: every vocabulary intent, built-ins under their own names.

    An intent's `answers` (a bare `{name}`) are not intent samples: they become its slot's
    samples, which Alexa listens for while the skill asks for that slot (`Dialog.ElicitSlot`).
    """
    intents, dialog, prompts = [], [], []
    for name, alexa_name in alexa_intent_names(book).items():
        intent = book.vocabulary.intents[name]
        entry: dict[str, Any] = {"name": alexa_name, "samples": [] if alexa_name ==
                                 "AMAZON.FallbackIntent" else list(intent.samples)}
        if intent.slots:
            entry["slots"] = [{"name": slot, "type": slot_type}
                              for slot, slot_type in intent.slots.items()]
        if intent.answers:
            dialog_slots = []
            for slot in entry["slots"]:
                said = [s for s in (*intent.answers, *intent.samples)
                        if _SLOT_REF.findall(s) == [slot["name"]]]
                slot["samples"] = said
                prompt = elicitation_prompt(alexa_name, slot["name"])
                dialog_slots.append({"name": slot["name"], "type": slot["type"],
                                     "confirmationRequired": False,
                                     "elicitationRequired": True,
                                     "prompts": {"elicitation": prompt}})
                prompts.append({"id": prompt, "variations": [
                    {"type": "PlainText", "value": f"What is the {slot['name']}?"}]})
            dialog.append({"name": alexa_name, "confirmationRequired": False, "prompts": {},
                           "slots": dialog_slots})
        intents.append(entry)
    model: dict[str, Any] = {"languageModel": {
        "invocationName": INVOCATION_NAME, "intents": intents, "types": _types(book)}}
    if dialog:
        model["dialog"] = {"delegationStrategy": "SKILL_RESPONSE", "intents": dialog}
        model["prompts"] = prompts
    return {"interactionModel": model}


ICON_FOLDER = "assets/images"


def icon_uri(name: str) -> str:
    """Where the ASK CLI finds a local icon: a file:// path inside skill-package."""
    return f"file://{ICON_FOLDER}/{LOCALE}_{name}.png"


def skill_manifest(book: Book, settings: PackageSettings) -> dict[str, Any]:
    if settings.endpoint.startswith("arn:"):
        endpoint: dict[str, Any] = {"uri": settings.endpoint}
    else:
        endpoint = {"uri": settings.endpoint, "sslCertificateType": "Wildcard"}
    return {"manifest": {
        "manifestVersion": "1.0",
        "publishingInformation": {
            "locales": {LOCALE: {
                "name": "Couple Care",
                "summary": "Short spoken exercises that help couples build and repair trust.",
                "description": DESCRIPTION,
                "examplePhrases": [
                    f"Alexa, open {INVOCATION_NAME}",
                    f"Alexa, tell {INVOCATION_NAME} we're done",
                    f"Alexa, ask {INVOCATION_NAME} to start over",
                ],
                "keywords": ["couples", "relationship", "trust", "communication"],
                **{name: icon_uri(name) for name in ICON_SIZES},
            }},
            "isAvailableWorldwide": False,
            "distributionCountries": ["US"],
            "category": "HEALTH_AND_FITNESS",
            "testingInstructions": TESTING_INSTRUCTIONS,
        },
        "apis": {"custom": {"endpoint": endpoint}},
        "privacyAndCompliance": {
            "allowsPurchases": False,
            "usesPersonalInfo": True,
            "isChildDirected": False,
            "isExportCompliant": True,
            "containsAds": False,
            "locales": {LOCALE: {"privacyPolicyUrl": settings.privacy_url,
                                 "termsOfUseUrl": settings.terms_url}},
        },
    }}


def first_launch_speech(book: Book) -> str:
    """What a couple hears the very first time they open the skill (no stored profile)."""
    from dialogs import engine
    from dialogs.engine import Context, Launch
    from dialogs.markup import to_plain
    from dialogs.model import Platform

    turn = engine.step(book, None, Launch(), Context(Platform.ALEXA))
    return to_plain(turn.speech)


def check_first_launch(book: Book) -> list[str]:
    spoken = " ".join(first_launch_speech(book).lower().split())
    if MEDICAL_DISCLAIMER not in spoken:
        return [f"the first launch must say it is not {MEDICAL_DISCLAIMER!r}; it says {spoken!r}"]
    return []


def export_skill(book: Book, folder: Path, settings: PackageSettings) -> list[Path]:
    """Write an ASK CLI project; refuses to write a package that would fail the checks that
    can be made offline, and checks the written files again."""
    model = interaction_model(book)
    manifest = skill_manifest(book, settings)
    icons = {name: icon_path(size).read_bytes() if icon_path(size).exists() else b""
             for name, size in ICON_SIZES.items()}
    problems = (check_model(model) + check_manifest(manifest, model)
                + check_icons(icons) + check_first_launch(book))
    if problems:
        raise ValueError("the generated skill package is not valid:\n" + "\n".join(problems))
    files = {
        folder / "ask-resources.json": {
            "askcliResourcesVersion": "2020-03-31",
            "profiles": {"default": {"skillMetadata": {"src": "./skill-package"}}}},
        folder / "skill-package" / "skill.json": manifest,
        folder / "skill-package" / "interactionModels" / "custom" / f"{LOCALE}.json": model,
    }
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    written = list(files)
    for name, data in icons.items():
        path = folder / "skill-package" / icon_uri(name).removeprefix("file://")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    problems = check_package(folder)
    if problems:
        raise ValueError("the written skill package is not valid:\n" + "\n".join(problems))
    return written


def check_package(folder: Path) -> list[str]:
    """The written project read back: manifest, model and icon files."""
    package = folder / "skill-package"
    try:
        manifest = json.loads((package / "skill.json").read_text(encoding="utf-8"))
        model = json.loads((package / "interactionModels" / "custom" / f"{LOCALE}.json")
                           .read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"cannot read the skill package: {error}"]
    locale = manifest["manifest"]["publishingInformation"]["locales"][LOCALE]
    icons = {}
    for name in ICON_SIZES:
        uri = locale.get(name, "")
        path = package / uri.removeprefix("file://")
        icons[name] = path.read_bytes() if uri.startswith("file://") and path.is_file() else b""
    return check_model(model) + check_manifest(manifest, model) + check_icons(icons)


def check_icons(icons: dict[str, bytes]) -> list[str]:
    """Both icons present, PNG, square, at the sizes Alexa asks for."""
    problems = []
    for name, size in ICON_SIZES.items():
        found = png_size(icons.get(name, b""))
        if found is None:
            problems.append(f"{name}: no PNG icon")
        elif found != (size, size):
            problems.append(f"{name}: the icon is {found[0]}x{found[1]}, not {size}x{size}")
    return problems


# ---------------------------------------------------------------- offline checks

_SAMPLE_CHARS = re.compile(r"^[a-z' .{}\-]+$")
_SLOT_REF = re.compile(r"\{([^{}]*)\}")
_CUSTOM_NAME = re.compile(r"^[A-Za-z_]+$")
_FORBIDDEN_INVOCATION_WORDS = {"alexa", "amazon", "echo", "skill", "app", "launch", "ask",
                               "open", "tell", "start", "stop", "exit", "quit"}


def check_model(model: dict[str, Any]) -> list[str]:
    """The rules the Alexa console enforces that can be checked without Amazon's servers."""
    problems: list[str] = []
    language = model["interactionModel"]["languageModel"]
    invocation = language["invocationName"]
    words = invocation.split()
    if not re.fullmatch(r"[a-z][a-z ]*[a-z]", invocation) or "  " in invocation:
        problems.append(f"invocation name {invocation!r}: lower-case letters and single spaces")
    if len(words) < 2 or len(invocation) > 50:
        problems.append(f"invocation name {invocation!r}: two or more words, 50 characters at most")
    if _FORBIDDEN_INVOCATION_WORDS & set(words):
        problems.append(f"invocation name {invocation!r} uses a reserved word")

    types = {t["name"]: t for t in language.get("types", [])}
    for name, slot_type in types.items():
        if not _CUSTOM_NAME.match(name):
            problems.append(f"slot type {name!r}: letters and underscores only")
        spoken: set[str] = set()
        ids: set[str] = set()
        for value in slot_type["values"]:
            if value.get("id") in ids:
                problems.append(f"slot type {name}: id {value['id']!r} is used twice")
            ids.add(value.get("id"))
            for word in [value["name"]["value"], *value["name"].get("synonyms", [])]:
                if word.lower() in spoken:
                    problems.append(f"slot type {name}: {word!r} is listed twice")
                spoken.add(word.lower())
        if not slot_type["values"]:
            problems.append(f"slot type {name} has no values")

    names = [intent["name"] for intent in language["intents"]]
    for required in REQUIRED_BUILTINS:
        if required not in names:
            problems.append(f"the model must include {required}")
    if len(names) != len(set(names)):
        problems.append("an intent name is used twice")
    seen: dict[str, str] = {}
    for intent in language["intents"]:
        name = intent["name"]
        builtin = name.startswith("AMAZON.")
        if not builtin and not _CUSTOM_NAME.match(name):
            problems.append(f"intent {name!r}: letters and underscores only")
        slots = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for slot, slot_type in slots.items():
            if not slot_type.startswith("AMAZON.") and slot_type not in types:
                problems.append(f"intent {name}: slot {slot} has undefined type {slot_type}")
        samples = intent.get("samples", [])
        if name == "AMAZON.FallbackIntent" and samples:
            problems.append("AMAZON.FallbackIntent cannot have samples")
        if not builtin and not samples:
            problems.append(f"intent {name} needs at least one sample")
        used: set[str] = set()
        for sample in samples:
            key = " ".join(sample.lower().split())
            if key in seen:
                problems.append(f"sample {sample!r} is in both {seen[key]} and {name}")
            seen[key] = name
            if not _SAMPLE_CHARS.match(sample.lower()):
                problems.append(f"{name}: sample {sample!r} may only use letters, spaces, "
                                "apostrophes, periods, hyphens and {slots}")
            if len(sample) > 200:
                problems.append(f"{name}: sample {sample!r} is longer than 200 characters")
            refs = _SLOT_REF.findall(sample)
            used.update(refs)
            for ref in refs:
                if ref not in slots:
                    problems.append(f"{name}: sample {sample!r} uses undeclared slot {ref}")
            search = [r for r in refs if slots.get(r) == "AMAZON.SearchQuery"]
            if search and (len(refs) > 1 or not _SLOT_REF.sub("", sample).strip()):
                problems.append(f"{name}: a SearchQuery sample needs a carrier phrase and no "
                                f"other slot: {sample!r}")
        for slot in slots:
            if slot not in used:
                problems.append(f"intent {name}: slot {slot} is in no sample")
    problems += _check_dialog(model["interactionModel"])
    problems += check_spoken_rules(language)
    return problems


def _pattern(sample: str) -> re.Pattern[str]:
    parts = _SLOT_REF.split(_spoken(sample))
    body = "".join(re.escape(p) if i % 2 == 0 else "(.+)" for i, p in enumerate(parts))
    return re.compile(rf"^{body}$")


def _spoken(text: str) -> str:
    return " ".join(text.lower().split())


def check_spoken_rules(language: dict[str, Any]) -> list[str]:
    """This skill's own rules for what Alexa hears, so no words are lost before the app's
    safety check: free words arrive through a carrier phrase, custom slot values are never
    a yes or a no, spoken forms have no hyphens, and no carrier swallows a safety phrase."""
    problems: list[str] = []
    intents = {i["name"]: i for i in language["intents"]}
    yes_no = set(BUILTIN_YES_NO)
    for name in ("AMAZON.YesIntent", "AMAZON.NoIntent"):
        yes_no.update(_spoken(s) for s in intents.get(name, {}).get("samples", []))
    for slot_type in language.get("types", []):
        for value in slot_type["values"]:
            for word in [value["name"]["value"], *value["name"].get("synonyms", [])]:
                if _spoken(word) in yes_no:
                    problems.append(f"slot type {slot_type['name']}: {word!r} is also a yes or "
                                    "a no; Alexa sends it as AMAZON.YesIntent or NoIntent, so "
                                    "remove it from the slot values")
                if "-" in word:
                    problems.append(f"slot type {slot_type['name']}: {word!r} has a hyphen; "
                                    "write it as it is said, without one")
    carriers: list[tuple[str, str, re.Pattern[str]]] = []
    for name, intent in intents.items():
        for sample in intent.get("samples", []):
            if _SLOT_REF.search(sample) and not _SLOT_REF.sub("", sample).strip():
                problems.append(f"{name}: the sample {sample!r} is only a slot, so almost "
                                "anything said would land here; give it words around the "
                                "slot, or make it an answer the skill asks for")
            elif _SLOT_REF.search(sample) and name != SAFETY:
                carriers.append((name, sample, _pattern(sample)))
            if "-" in sample:
                problems.append(f"{name}: the sample {sample!r} has a hyphen; write it as it "
                                "is said, without one")
    for sample in intents.get(SAFETY, {}).get("samples", []):
        for name, carrier, pattern in carriers:
            if pattern.match(_spoken(sample)):
                problems.append(f"{SAFETY}: {sample!r} also fits {name}'s {carrier!r}, so "
                                "Alexa might send it there; reword one of them")
                break
    return problems


def _check_dialog(model: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    language = model["languageModel"]
    intents = {i["name"]: i for i in language["intents"]}
    prompts = {p["id"] for p in model.get("prompts", [])}
    for intent in model.get("dialog", {}).get("intents", []):
        declared = {s["name"]: s for s in intents.get(intent["name"], {}).get("slots", [])}
        if intent["name"] not in intents:
            problems.append(f"dialog: intent {intent['name']} is not in the model")
        for slot in intent.get("slots", []):
            name = slot["name"]
            if name not in declared:
                problems.append(f"dialog: {intent['name']} has no slot {name}")
                continue
            for sample in declared[name].get("samples", []):
                if _SLOT_REF.findall(sample) != [name]:
                    problems.append(f"{intent['name']}: slot {name}'s sample {sample!r} must "
                                    f"use {{{name}}} and no other slot")
            for prompt in slot.get("prompts", {}).values():
                if prompt not in prompts:
                    problems.append(f"dialog: prompt {prompt} is not defined")
    return problems


def check_manifest(manifest: dict[str, Any], model: dict[str, Any]) -> list[str]:
    problems = []
    body = manifest["manifest"]
    locale = body["publishingInformation"]["locales"][LOCALE]
    invocation = model["interactionModel"]["languageModel"]["invocationName"]
    samples = {" ".join(s.lower().split()) for i in model["interactionModel"]["languageModel"]
               ["intents"] for s in i.get("samples", [])}
    for phrase in locale["examplePhrases"]:
        lowered = phrase.lower().rstrip(".")
        if not lowered.startswith("alexa, ") or invocation not in lowered:
            problems.append(f"example phrase {phrase!r} must start with 'Alexa,' and use "
                            f"{invocation!r}")
            continue
        rest = lowered.split(invocation, 1)[1].strip()
        rest = re.sub(r"^(to|for|that|about) ", "", rest)
        if rest and rest not in samples:
            problems.append(f"example phrase {phrase!r} is not a sample utterance")
    description = " ".join(locale["description"].split())
    for needed in ("not a substitute for professional help", MEDICAL_DISCLAIMER):
        if needed not in description:
            problems.append(f"the description must say it is {needed!r}")
    for name in ICON_SIZES:
        if not locale.get(name):
            problems.append(f"the manifest has no {name}")
    privacy = body["privacyAndCompliance"]
    if privacy.get("usesPersonalInfo") is not True:
        problems.append("usesPersonalInfo must be true: first names and promises are stored")
    instructions = " ".join(body["publishingInformation"].get("testingInstructions", "").split())
    for needed in ("safety path", "we're done", "timed phase", MEDICAL_DISCLAIMER):
        if needed not in instructions.lower():
            problems.append(f"the testing instructions must walk through {needed!r}")
    safety_samples = {_spoken(sample) for intent in model["interactionModel"]["languageModel"][
        "intents"] if intent["name"] == SAFETY for sample in intent.get("samples", [])}
    for phrase in REVIEWER_SAFETY_PHRASES:
        if _spoken(phrase) not in safety_samples:
            problems.append(f"the reviewer is asked to say {phrase!r}, which is not a "
                            f"{SAFETY} sample")
    endpoint = body["apis"]["custom"]["endpoint"]["uri"]
    if not (endpoint.startswith("https://") or endpoint.startswith("arn:aws:lambda:")):
        problems.append(f"endpoint {endpoint!r} must be an https URL or a Lambda ARN")
    for key in ("privacyPolicyUrl", "termsOfUseUrl"):
        url = body["privacyAndCompliance"]["locales"][LOCALE][key]
        if not url.startswith("https://"):
            problems.append(f"{key} {url!r} must be an https URL")
    return problems
