"""Loading every definition file into one checked, immutable `Book`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from dialogs.intents import GLOBAL_INTENTS, SAFETY, WELCOME_FLOW
from dialogs.matcher import Matcher
from dialogs.model import Exercise, Flow, Messages, Platform, SlotType, Step, Vocabulary, Welcome
from dialogs.safety import (
    CONCEPTS_DIR,
    SafetyDetector,
    concepts_files,
    default_detector,
    load_detector,
)
from dialogs.safety.learned import LEARNED_FILE, shipped_learned
from dialogs.source import DefinitionError, Problem, SourceMap, read_yaml
from dialogs.templates import TemplateError, expand

CONTENT_DIR = Path(__file__).parent / "content"

BUILTIN_VARIABLES = frozenset({
    "speaker", "listener", "first", "second", "exercise", "menu", "times_this_month",
    "saved_exercise", "minutes", "agreement", "agreed_by", "agreed_with", "agreement_kind",
    "progress", "new_words", "agreed",
    "betrayal", "has_blame", "blame_words", "blame_suggestion",
})
"""Variables any prompt may use; flows add their own with `set:` and `capture:`."""

WELCOME_ENTRY_STEPS = ("start", "menu", "after_exercise", "agreed_offer", "after_safety",
                       "resume_offer", "safety_first")
"""Steps of the welcome flow that the engine enters by name."""

VARIABLE = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Book:
    """Everything the engine needs: vocabulary, global wording, welcome flow, exercises."""

    vocabulary: Vocabulary
    messages: Messages
    welcome: Welcome
    exercises: dict[str, Exercise]
    sources: dict[str, SourceMap]
    safety: SafetyDetector
    """The safety check, run on every utterance before anything else reads the words."""

    @cached_property
    def matcher(self) -> Matcher:
        """The utterance matcher for this vocabulary, built once."""
        return Matcher(self.vocabulary)

    @cached_property
    def exercise_titles(self) -> dict[str, str]:
        """Each exercise's title by its id."""
        return {e.id: e.title for e in self.exercises.values()}

    def flow(self, flow_id: str) -> Flow:
        return self.welcome if flow_id == WELCOME_FLOW else self.exercises[flow_id]

    def step(self, flow_id: str, step_id: str) -> Step:
        return self.flow(flow_id).steps[step_id]


def _friendly(error: dict[str, Any]) -> str:
    kind = error["type"]
    names = [part for part in error["loc"] if isinstance(part, str)]
    where = names[-1] if names else "file"
    if kind == "missing":
        return f"`{where}` is missing; add it here"
    if kind == "extra_forbidden":
        return (f"`{where}` is not a setting this part understands; "
                "check its spelling and indentation")
    if kind == "enum":
        return f"`{error['input']}` is not allowed here; use one of {error['ctx']['expected']}"
    if kind == "string_pattern_mismatch":
        return (f"`{error['input']}` must be lower-case words joined by hyphens, "
                "like `honest-check-in`")
    return f"`{where}`: {error['msg'][0].lower()}{error['msg'][1:]}"


def validate(model: type[BaseModel], data: Any, source: SourceMap) -> Any:
    if not isinstance(data, dict):
        raise DefinitionError([source.problem((), "this file should hold named settings "
                                                   "(`name: value` lines), but it does not")])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [source.problem(tuple(e["loc"]), _friendly(e)) for e in error.errors()]
        raise DefinitionError(problems) from None


def _load(model: type[BaseModel], path: Path, problems: list[Problem]) -> tuple[Any, SourceMap]:
    try:
        data, source = read_yaml(path)
        return validate(model, data, source), source
    except DefinitionError as error:
        problems.extend(error.problems)
        return None, SourceMap(str(path))


def variables_in(text: str) -> list[str]:
    return VARIABLE.findall(text)


def step_texts(step: Step) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for kind in ("say", "reprompt", "help", "no_match", "no_input", "cannot_skip"):
        for i, text in enumerate(getattr(step, kind)):
            yield (kind, i), text
    for platform, override in step.overrides.items():
        for kind in ("say", "reprompt", "help"):
            for i, text in enumerate(getattr(override, kind)):
                yield ("overrides", platform.value, kind, i), text
    if step.timed:
        for i, text in enumerate(step.timed.check_in):
            yield ("timed", "check_in", i), text
    for base, transition in step.transitions():
        for i, text in enumerate(transition.say):
            yield (*base, "say", i), text


def flow_variables(flow: Flow, vocabulary: Vocabulary) -> set[str]:
    """Every variable a prompt in this flow may use."""
    names = set(BUILTIN_VARIABLES)
    for intent in vocabulary.intents.values():
        names.update(intent.slots)
    for step in flow.steps.values():
        names.update(step.set)
        if step.capture:
            names.add(step.capture)
        for _, transition in step.transitions():
            names.update(transition.set)
    return names


def check_references(flow: Flow, source: SourceMap, vocabulary: Vocabulary,
                     intents_known: Iterable[str]) -> list[Problem]:
    """Names that point nowhere: steps, intents, variables, slots."""
    problems: list[Problem] = []
    known_intents = set(intents_known)
    variables = flow_variables(flow, vocabulary)
    if flow.start not in flow.steps:
        problems.append(source.problem(("start",), f"the start step `{flow.start}` is not one of "
                                                   f"the steps below; add it or fix the name"))
    for step_id, step in flow.steps.items():
        where = ("steps", step_id)
        for intent, transitions in step.on.items():
            if intent not in known_intents:
                problems.append(source.problem(
                    (*where, "on", intent),
                    f"`{intent}` is not an intent in the vocabulary; add it to vocabulary.yaml "
                    "or use one of its intents"))
            slots = vocabulary.intents[intent].slots if intent in vocabulary.intents else {}
            for t_index, transition in enumerate(transitions):
                for slot in transition.slots:
                    if slot not in slots:
                        problems.append(source.problem(
                            (*where, "on", intent, t_index, "slots"),
                            f"`{intent}` has no slot called `{slot}`"))
        if step.timed and step.timed.end_intent not in known_intents:
            problems.append(source.problem((*where, "timed", "end_intent"),
                                           f"`{step.timed.end_intent}` is not an intent in the "
                                           "vocabulary"))
        for path, transition in step.transitions():
            if transition.goto is not None and transition.goto not in flow.steps:
                problems.append(source.problem(
                    (*where, *path),
                    f"there is no step called `{transition.goto}` to go to; "
                    "check the name against the steps of this file"))
        for path, text in step_texts(step):
            for name in variables_in(text):
                if name not in variables:
                    problems.append(source.problem(
                        (*where, *path),
                        f"`{{{name}}}` is not a variable I know; known ones are "
                        f"{', '.join(sorted(BUILTIN_VARIABLES))} and those this file sets"))
    return problems


def _exercise_slot_type(exercises: dict[str, Exercise]) -> SlotType:
    """Each exercise by its id, said as its title and its other names, without hyphens
    ("honest check in"): speech has none, and Alexa's console expects spoken forms."""
    return SlotType(values={e.id: tuple(dict.fromkeys(
        " ".join(n.lower().replace("-", " ").split()) for n in (e.title, *e.names)))
        for e in exercises.values()})


def load_book(root: Path | str | None = None,
              exercise_files: Iterable[Path | str] | None = None) -> Book:
    """Load and check every definition; raise DefinitionError listing all problems found.

    `root` holds exercises/*.yaml and may hold vocabulary.yaml, messages.yaml, welcome.yaml
    and its own safety concepts in safety/ (for content in another language); each of those
    it lacks is the shipped one. `exercise_files`, when given, replaces the exercises found
    under it.
    """
    root = Path(root) if root else CONTENT_DIR
    problems: list[Problem] = []
    safety: SafetyDetector | None = None
    try:
        own_concepts = root / "safety"
        safety = (load_detector(own_concepts, shipped_learned()) if own_concepts.is_dir()
                  else default_detector())
    except DefinitionError as error:
        problems.extend(error.problems)
    vocabulary, vocabulary_source = _load(Vocabulary, _own_or_shipped(root, "vocabulary.yaml"),
                                          problems)
    messages, messages_source = _load(Messages, _own_or_shipped(root, "messages.yaml"), problems)
    welcome, welcome_source = _load(Welcome, _own_or_shipped(root, "welcome.yaml"), problems)
    paths = ([Path(p) for p in exercise_files] if exercise_files is not None
             else sorted((root / "exercises").glob("*.yaml")))
    exercises: dict[str, Exercise] = {}
    sources: dict[str, SourceMap] = {}
    for path in paths:
        exercise, source = _load(Exercise, path, problems)
        if exercise is None:
            continue
        if exercise.id in exercises:
            problems.append(source.problem(
                ("id",), f"the id `{exercise.id}` is already used by "
                         f"{sources[exercise.id].file}; give each exercise its own id"))
            continue
        exercises[exercise.id] = exercise
        sources[exercise.id] = source
    if vocabulary is None or messages is None or welcome is None or safety is None:
        raise DefinitionError(problems)

    slot_types = dict(vocabulary.slot_types)
    for name, slot_type in slot_types.items():
        if slot_type.source == "exercises":
            slot_types[name] = _exercise_slot_type(exercises)
        elif slot_type.source is not None:
            problems.append(vocabulary_source.problem(
                ("slot_types", name, "from"), "the only place values can come `from` is "
                                              "`exercises`"))
    vocabulary = vocabulary.model_copy(update={"slot_types": slot_types})
    problems.extend(_check_vocabulary(vocabulary, vocabulary_source))
    if not problems:
        vocabulary = expand_templates(vocabulary)
    for platform in Platform:
        if platform not in messages.timed:
            problems.append(messages_source.problem(
                ("timed",), f"`timed` needs wording for `{platform.value}` too"))

    intents = set(vocabulary.intents)
    for entry in WELCOME_ENTRY_STEPS:
        if entry not in welcome.steps:
            problems.append(welcome_source.problem(
                ("steps",), f"the welcome flow needs a step called `{entry}`"))
    problems.extend(check_references(welcome, welcome_source, vocabulary, intents))
    for exercise_id, exercise in exercises.items():
        problems.extend(check_references(exercise, sources[exercise_id], vocabulary, intents))
    if problems:
        raise DefinitionError(problems)
    return Book(vocabulary, messages, welcome, exercises,
                {"vocabulary": vocabulary_source, "messages": messages_source,
                 WELCOME_FLOW: welcome_source, **sources}, safety)


def source_files(root: Path | str | None = None) -> list[Path]:
    """Every file `load_book(root)` reads, in the order it reads them."""
    root = Path(root) if root else CONTENT_DIR
    own_concepts = root / "safety"
    concepts = concepts_files(own_concepts if own_concepts.is_dir() else CONCEPTS_DIR)
    return [*concepts, LEARNED_FILE, *(_own_or_shipped(root, name) for name in
                         ("vocabulary.yaml", "messages.yaml", "welcome.yaml")),
            *sorted((root / "exercises").glob("*.yaml"))]


def _own_or_shipped(root: Path, name: str) -> Path:
    """A content folder's own file, or the shipped one when the folder has none."""
    own = root / name
    return own if own.exists() else CONTENT_DIR / name


def _check_vocabulary(vocabulary: Vocabulary, source: SourceMap) -> list[Problem]:
    problems = []
    for name in GLOBAL_INTENTS:
        if name not in vocabulary.intents:
            problems.append(source.problem(("intents",), f"the vocabulary needs the intent "
                                                         f"`{name}`; every step relies on it"))
    for name, intent in vocabulary.intents.items():
        for slot, slot_type in intent.slots.items():
            if not slot_type.startswith("AMAZON.") and slot_type not in vocabulary.slot_types:
                problems.append(source.problem(
                    ("intents", name, "slots", slot),
                    f"the slot type `{slot_type}` is not defined under `slot_types`"))
        for kind in ("samples", "answers", "cues"):
            for i, sample in enumerate(getattr(intent, kind)):
                problems.extend(_check_sample(sample, source, name, intent.slots, (kind, i)))
        if intent.answers and not intent.slots:
            problems.append(source.problem(("intents", name, "answers"),
                                           "`answers` are for an intent with a slot; put these "
                                           "phrases under `samples`"))
        if not intent.samples and not intent.alexa:
            problems.append(source.problem(("intents", name),
                                           f"`{name}` needs some `samples` people might say"))
    for name, slot_type in vocabulary.slot_types.items():
        for value, cues in slot_type.cues.items():
            if value not in slot_type.values:
                problems.append(source.problem(("slot_types", name, "cues", value),
                                               f"`{value}` is not one of `{name}`'s values"))
            for i, cue in enumerate(cues):
                try:
                    expand(cue)
                except TemplateError as error:
                    problems.append(source.problem(("slot_types", name, "cues", value, i),
                                                   f"{error}; use (a|b) for choices and [a] "
                                                   "for optional words"))
        if slot_type.mixed and slot_type.mixed not in slot_type.values:
            problems.append(source.problem(("slot_types", name, "mixed"),
                                           f"`{slot_type.mixed}` is not one of `{name}`'s "
                                           "values"))
    safety = vocabulary.intents.get(SAFETY)
    if safety is not None and not safety.samples:
        problems.append(source.problem(("intents", SAFETY),
                                       f"`{SAFETY}` needs its phrases under `samples`"))
    return problems


def _check_sample(sample: str, source: SourceMap, intent: str, slots: dict[str, str],
                  where: tuple[str, int]) -> list[Problem]:
    location = ("intents", intent, *where)
    try:
        expand(sample)
    except TemplateError as error:
        return [source.problem(location, f"{error}; use (a|b) for choices and [a] for "
                                         "optional words")]
    return [source.problem(location, f"`{{{slot}}}` is used in a sample but `{intent}` has no "
                                     "such slot")
            for slot in variables_in(sample) if slot not in slots]


def expand_templates(vocabulary: Vocabulary) -> Vocabulary:
    """The vocabulary with every sample template written out as the sentences it makes."""
    intents = {}
    for name, intent in vocabulary.intents.items():
        samples = tuple(dict.fromkeys(s for t in intent.samples for s in expand(t)))
        answers = tuple(dict.fromkeys(s for t in intent.answers for s in expand(t)))
        cues = tuple(dict.fromkeys(s for t in intent.cues for s in expand(t)))
        intents[name] = intent.model_copy(update={"samples": samples, "answers": answers,
                                                  "cues": cues})
    slot_types = {
        name: slot_type.model_copy(update={"cues": {
            value: tuple(dict.fromkeys(s for t in cues for s in expand(t)))
            for value, cues in slot_type.cues.items()}})
        for name, slot_type in vocabulary.slot_types.items()}
    return vocabulary.model_copy(update={"intents": intents, "slot_types": slot_types})
