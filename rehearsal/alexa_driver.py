"""Plays conversation files through the skill's `POST /alexa`, as Alexa would send them."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from typing import Any

from dialogs import engine
from dialogs.book import Book
from dialogs.engine import Context, Profile
from dialogs.intents import SAFETY
from dialogs.matcher import normalise
from dialogs.model import ListenMode, Platform
from dialogs.store import ProgressStore
from progress.sqlite import SqliteStore
from rehearsal.alexa_requests import (
    default_user_key,
    envelope,
    intent_request,
    launch_request,
    session_ended_request,
    slot,
)
from rehearsal.runner import Case, DriverStarter
from rehearsal.script import Reply, prepare_store
from skill import create_app
from skill.handlers import STATE, alexa_intent_names


class Clock:
    """The skill's idea of today, which the driver moves on between sessions."""

    def __init__(self, day: date):
        self.day = day

    def __call__(self) -> date:
        return self.day


class AlexaDriver:
    """Plays a conversation file through `POST /alexa` as Alexa would send it.

    What Alexa's language understanding would do is simulated with the same vocabulary:
    words that say one of `SafetyIntent`'s phrases go to it; a phrase becomes its intent
    (built-ins under their AMAZON. names) with resolved slots; while the last response asks
    for a slot (`Dialog.ElicitSlot`), the intent's `answers` count too, and words nothing
    else takes fill that slot as heard, unresolved; free words become the free-speech intent
    when they start with one of its lead-ins, and the fallback intent otherwise. Session
    attributes go from each response into the next request; a closed session makes the next
    utterance a one-shot request.
    """

    def __init__(self, client: Any, book: Book, store: ProgressStore, clock: Clock):
        self.client = client
        self.book = book
        self.store = store
        self.clock = clock
        self.alexa_names = alexa_intent_names(book)
        self.matcher = book.matcher
        self.attributes: dict[str, Any] | None = None
        self.responses: list[dict[str, Any]] = []
        self.safety_phrases = [re.compile(rf"\b{re.escape(normalise(p))}\b")
                               for p in book.vocabulary.intents[SAFETY].samples]

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
        card = response.get("card") or {}
        return Reply(_ssml_to_plain(speech), where, ended, card.get("content", ""),
                     _ssml_to_markup(speech))

    def launch(self, exercise: str | None) -> Reply:
        if exercise:
            spoken = self.book.exercises[exercise].title.lower()
            return self.post(intent_request(self.alexa_names["ChooseExerciseIntent"],
                                            {"choice": slot(spoken, exercise)}), new=True)
        return self.post(launch_request(), new=True)

    def user(self, text: str, unsure: bool = False) -> Reply:
        new = self.attributes is None
        listen = engine.listen_for(self.book, (self.attributes or {}).get(STATE),
                                   Context(Platform.ALEXA, Profile(), self.clock.day))
        intents = listen.intents or tuple(self.alexa_names)
        strict = listen.mode in (ListenMode.ANY_WORDS, ListenMode.TIMED)
        said = normalise(text)
        if any(phrase.search(said) for phrase in self.safety_phrases):
            return self.post(intent_request(self.alexa_names[SAFETY]), new=new)
        elicited = None if new else self.elicited()
        found = self.matcher.match(text, intents, strict=strict, answers=elicited is not None)
        if found:
            slots = {}
            for name, value in found.slots.items():
                slot_type = self.book.vocabulary.intents[found.intent].slots[name]
                slots[name] = slot(value, None if slot_type.startswith("AMAZON.") else value)
            return self.post(intent_request(self.alexa_names[found.intent], slots), new=new)
        if elicited:
            intent, slot_name = elicited
            return self.post(intent_request(intent, {slot_name: slot(text.strip())}), new=new)
        if listen.mode is ListenMode.ANY_WORDS:
            content = self.matcher.content(text)
            if content != text.strip():
                return self.post(intent_request("ShareIntent", {"text": slot(content)}),
                                 new=new)
        return self.post(intent_request("AMAZON.FallbackIntent"), new=new)

    def elicited(self) -> tuple[str, str] | None:
        """The intent and slot the last response asked Alexa for, if any."""
        directives = (self.responses[-1]["response"].get("directives") or []
                      if self.responses else [])
        for directive in directives:
            if directive.get("type") == "Dialog.ElicitSlot":
                return directive["updatedIntent"]["name"], directive["slotToElicit"]
        return None

    def silence(self) -> Reply:
        raise AssertionError("Alexa does not send silence")

    def timer(self) -> Reply:
        raise AssertionError("Alexa does not send timers")

    def end(self) -> Reply:
        reply = self.post(session_ended_request("USER_INITIATED"), new=False)
        self.attributes = None
        return Reply(reply.speech, reply.at, True, heard=reply.heard)

    def new_session(self, days_later: int = 0) -> None:
        self.clock.day += timedelta(days=days_later)
        self.attributes = None

    def profile(self) -> Profile:
        return self.store.profile(default_user_key())

    def close(self) -> None:
        self.store.close()


def alexa_starter(book: Book, today: date) -> DriverStarter:
    """Drivers of a skill app that keeps its progress in `folder`, without request checks."""

    def start(case: Case, folder: Path) -> AlexaDriver:
        clock = Clock(today)
        app = create_app({"VERIFY_REQUESTS": False, "DATA_DIR": str(folder), "TODAY": clock})
        store = SqliteStore(folder / "progress.sqlite3")
        prepare_store(store, case.script.setup, default_user_key(), today)
        return AlexaDriver(app.test_client(), book, store, clock)

    return start


def _ssml_to_plain(ssml: str) -> str:
    """The words of SSML; a tag between a word and its full stop leaves no space."""
    spaced = " ".join(unescape(re.sub(r"<[^>]+>", " ", ssml)).split())
    return re.sub(r" ([.,;:!?])", r"\1", spaced)


def _ssml_to_markup(ssml: str) -> str:
    """The SSML as heard, in the neutral markup: its words and its breaks as pauses."""
    paused = re.sub(r'<break time="(\d+)ms"/>',
                    lambda m: f" [pause {int(m.group(1)) / 1000:g}] ", ssml)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", paused)).split())
