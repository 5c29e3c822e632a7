"""ask-sdk-core handlers: Alexa requests in, engine events through, Alexa responses out.

No exercise logic lives here. Each handler turns one kind of request into one engine
event; `AlexaTurn` runs the engine with the stored profile and renders the turn.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import (
    Intent,
    IntentConfirmationStatus,
    IntentRequest,
    Response,
    SessionEndedRequest,
    Slot,
    SlotConfirmationStatus,
)
from ask_sdk_model.dialog import ElicitSlotDirective
from ask_sdk_model.slu.entityresolution import StatusCode
from ask_sdk_model.ui import SimpleCard

from dialogs import engine
from dialogs.book import Book
from dialogs.engine import (
    Context,
    Event,
    IntentEvent,
    Launch,
    SessionEnd,
    Turn,
    effects_to_json,
    profile_from_json,
)
from dialogs.intents import FALLBACK
from dialogs.markup import to_plain, to_ssml
from dialogs.matcher import Matcher
from dialogs.model import Platform
from skill.persistence import EFFECTS, PROFILE

log = logging.getLogger("couplecare.skill")

STATE = "couplecare"
"""The session attribute that carries the engine's JSON state between requests."""

MAX_SPEECH = 8000
UNSPEAKABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 does not allow (and C1 controls): in SSML they make it unparsable."""
APOLOGY = ("Sorry, something went wrong on my side. Your place is saved, so please try again "
           "in a moment.")


def speakable(text: str) -> str:
    """Words as they can be spoken: control characters dropped, runs of space made one."""
    return " ".join(UNSPEAKABLE.sub("", text).split())


class AlexaTurn:
    """One engine step for one request: stored profile in, effects saved, response out."""

    def __init__(self, book: Book, today: Callable[[], date]):
        self.book = book
        self.today = today

    def __call__(self, handler_input: HandlerInput, event: Event) -> Response:
        attributes = handler_input.attributes_manager
        in_session = handler_input.request_envelope.session is not None
        profile = profile_from_json(attributes.persistent_attributes[PROFILE])
        state = attributes.session_attributes.get(STATE) if in_session else None
        turn = engine.step(self.book, state, event,
                           Context(Platform.ALEXA, profile, self.today()))
        attributes.persistent_attributes = {EFFECTS: effects_to_json(turn.effects)}
        attributes.save_persistent_attributes()
        if in_session:
            attributes.session_attributes = {STATE: turn.state}
        if isinstance(event, SessionEnd):
            return handler_input.response_builder.response
        return render(handler_input, turn, self.book)


def slot_to_elicit(book: Book, turn: Turn) -> tuple[str, str] | None:
    """The intent and slot to ask Alexa for when the turn waits for an answer that may be
    only a slot value (a bare first name): an intent with `answers`, by its Alexa name."""
    if turn.end_session:
        return None
    for name in turn.listen.intents:
        intent = book.vocabulary.intents.get(name)
        if intent is not None and intent.answers and intent.slots:
            return intent.alexa or name, next(iter(intent.slots))
    return None


def render(handler_input: HandlerInput, turn: Turn, book: Book) -> Response:
    """Speech as SSML, a reprompt whenever the session stays open, and a simple card; while
    the turn waits for an answer such as a first name, Alexa is asked for that slot."""
    builder = handler_input.response_builder
    speech = to_ssml(UNSPEAKABLE.sub("", turn.speech)) if turn.speech else ""
    reprompt = to_ssml(UNSPEAKABLE.sub("", turn.reprompt)) if turn.reprompt else ""
    if len(speech) > MAX_SPEECH:
        log.error("speech of %d characters at %s is too long for Alexa; saying the question",
                  len(speech), turn.at)
        speech = reprompt
    if turn.end_session:
        if speech:
            builder.speak(speech)
        builder.set_should_end_session(True)
    else:
        builder.speak(speech or reprompt).ask(reprompt or speech)
        builder.set_should_end_session(False)
    if turn.card:
        builder.set_card(SimpleCard(title=turn.card_title,
                                    content=UNSPEAKABLE.sub("", turn.card)))
    elif turn.speech:
        builder.set_card(SimpleCard(title=turn.card_title,
                                    content=to_plain(UNSPEAKABLE.sub("", turn.speech))))
    elicit = slot_to_elicit(book, turn)
    if elicit:
        intent, slot = elicit
        builder.add_directive(ElicitSlotDirective(slot_to_elicit=slot, updated_intent=Intent(
            name=intent, confirmation_status=IntentConfirmationStatus.NONE,
            slots={slot: Slot(name=slot, confirmation_status=SlotConfirmationStatus.NONE)})))
    return builder.response


class LaunchRequestHandler(AbstractRequestHandler):
    """"Alexa, open couple care"."""

    def __init__(self, turn: AlexaTurn):
        self.turn = turn

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.turn(handler_input, Launch())


class IntentHandler(AbstractRequestHandler):
    """One vocabulary intent, by its Alexa name (built-in or custom)."""

    def __init__(self, turn: AlexaTurn, alexa_name: str, name: str, matcher: Matcher):
        self.turn = turn
        self.alexa_name = alexa_name
        self.name = name
        self.matcher = matcher
        self.slot_types = matcher.vocabulary.intents[name].slots

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return isinstance(request, IntentRequest) and request.intent is not None and \
            request.intent.name == self.alexa_name

    def handle(self, handler_input: HandlerInput) -> Response:
        intent = handler_input.request_envelope.request.intent
        slots = intent.slots or {}
        return self.turn(handler_input, IntentEvent(self.name, self.slots(slots),
                                                    heard=heard(slots)))

    def slots(self, slots: dict[str, Any]) -> dict[str, str]:
        """Slot values the engine understands: resolved ids, or raw words matched to one."""
        values = {}
        for name, slot in slots.items():
            slot_type = self.slot_types.get(name)
            if slot_type is None or slot is None:
                continue
            value = speakable(_resolved_id(slot) or slot.value or "")
            if not value:
                continue
            value = self.matcher.slot_value(slot_type, value)
            if value:
                values[name] = value
        return values


def heard(slots: dict[str, Any]) -> tuple[str, ...]:
    """Every word Alexa heard in a slot, raw, before any matching: the safety check reads
    them, so danger said as a "name" or an unknown value is not lost."""
    words = (speakable(slot.value) for slot in slots.values()
             if slot is not None and slot.value)
    return tuple(word for word in words if word)


def _resolved_id(slot: Any) -> str | None:
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        status = getattr(getattr(authority, "status", None), "code", None)
        if status == StatusCode.ER_SUCCESS_MATCH and authority.values:
            return authority.values[0].value.id or authority.values[0].value.name
    return None


class UnknownIntentHandler(AbstractRequestHandler):
    """An intent the vocabulary does not have: the engine treats it as not understood."""

    def __init__(self, turn: AlexaTurn):
        self.turn = turn

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        intent = handler_input.request_envelope.request.intent
        name = getattr(intent, "name", None) or FALLBACK
        log.info("intent %s is not in the vocabulary", name)
        return self.turn(handler_input, IntentEvent(FALLBACK,
                                                    heard=heard(getattr(intent, "slots", None)
                                                                or {})))


class SessionEndedRequestHandler(AbstractRequestHandler):
    """The session closed (the user, too many reprompts, or an error): save and log why."""

    def __init__(self, turn: AlexaTurn):
        self.turn = turn

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request: SessionEndedRequest = handler_input.request_envelope.request
        reason = getattr(request.reason, "value", None) or "UNKNOWN"
        if request.error is not None:
            error_type = getattr(request.error.object_type, "value", request.error.object_type)
            log.error("session ended: %s: %s: %s", reason, error_type, request.error.message)
        else:
            log.info("session ended: %s", reason)
        return self.turn(handler_input, SessionEnd(reason))


class OtherRequestHandler(AbstractRequestHandler):
    """Request types this skill has no use for (system notices and the like): acknowledged."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info("ignoring request of type %s",
                 getattr(handler_input.request_envelope.request, "object_type", "?"))
        return handler_input.response_builder.response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Last resort: log it, apologise in words Alexa can say, and end the session."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.exception("request failed: %s", exception)
        builder = handler_input.response_builder
        builder.speak(to_ssml(APOLOGY)).set_should_end_session(True)
        return builder.response


def alexa_intent_names(book: Book) -> dict[str, str]:
    """Alexa's intent name for each vocabulary intent (built-ins keep their AMAZON. name)."""
    return {name: intent.alexa or name for name, intent in book.vocabulary.intents.items()}


def build_skill(book: Book, persistence: AbstractPersistenceAdapter, skill_id: str | None = None,
                today: Callable[[], date] = date.today) -> CustomSkillBuilder:
    builder = CustomSkillBuilder(persistence_adapter=persistence)
    builder.skill_id = skill_id
    turn = AlexaTurn(book, today)
    matcher = book.matcher
    builder.add_request_handler(LaunchRequestHandler(turn))
    for name, alexa_name in alexa_intent_names(book).items():
        builder.add_request_handler(IntentHandler(turn, alexa_name, name, matcher))
    builder.add_request_handler(UnknownIntentHandler(turn))
    builder.add_request_handler(SessionEndedRequestHandler(turn))
    builder.add_request_handler(OtherRequestHandler())
    builder.add_exception_handler(CatchAllExceptionHandler())
    return builder
