"""The safety check: does what someone said suggest danger, and of which kind?

It reads the concepts files (`concepts/*.yaml`, written for clinicians) and runs on
every utterance before anything else reads the words. It works on words and
their dictionary forms, never on fuzzy matches: "unseen" is not "unsafe".
A phrase does not count when it is said as harmless (an idiom listed under
`harmless:`; in the file of one kind of danger, for that kind only) or when a
negation the phrase does not name comes shortly before it in the same clause
("he has never hit me"); "not sure if" is not a negation. Nor does it count when the
sentence says the danger is over and the person safe ("my ex was violent, that was fifteen
years ago and I feel safe now"): a `past:` phrase and a `resolved:` phrase, and no
`recurring:` phrase ("again", "still", "last week").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from dialogs.safety.learned import LearnedModel, shipped_learned
from dialogs.safety.phrases import (
    Choice,
    Found,
    PhraseError,
    Positions,
    Sequence,
    find,
    first_words,
    parse,
    required_words,
    starts_of,
)
from dialogs.safety.words import Word, words
from dialogs.source import DefinitionError, Problem, SourceMap, read_yaml

CONCEPTS_DIR = Path(__file__).parent / "concepts"
COMMON_FILE = "common.yaml"
"""Read first: the word lists and negations every other file may use."""
NEGATION_REACH = 5
"""How many words before a phrase a negation still applies to it."""

_NAME = re.compile(r"^[a-z][a-z_]*$")
LEARNED = "learned"
"""The kind of a concern only the learned second opinion heard (no rule names its kind)."""


@dataclass(frozen=True)
class Concern:
    """Danger heard in an utterance: its kind, the rule that heard it, and the words."""

    category: str
    rule: str
    words: str


@dataclass(frozen=True, eq=False)
class _Rule:
    category: str
    text: str
    phrase: Sequence
    firsts: frozenset[str] | None
    required: tuple[frozenset[str], ...]

    def may_be_in(self, said_forms: frozenset[str]) -> bool:
        return all(not words.isdisjoint(said_forms) for words in self.required)

    def found(self, said: Positions, every_way: bool) -> Iterator[Found]:
        """Where the phrase is said: `find`, only from the starts where it can succeed."""
        firsts = (said.every_start if self.firsts is None else said.of_any(self.firsts))
        starts = starts_of(self.phrase, said, firsts)
        return find(self.phrase, said, starts, every_way) if starts else iter(())


def _rule(category: str, text: str, phrase: Sequence) -> _Rule:
    return _Rule(category, text, phrase, first_words(phrase), required_words(phrase))


class _Rules:
    """Rules looked up by one set of words each of them needs (the set the fewest other
    rules need too), so a sentence tries only the rules it may say."""

    def __init__(self, rules: list[_Rule]):
        needed_by = Counter(word for rule in rules for words in rule.required
                            for word in words)
        self.always: list[_Rule] = []
        self.by_word: dict[str, list[_Rule]] = defaultdict(list)
        for rule in rules:
            if not rule.required:
                self.always.append(rule)
                continue
            key = min(rule.required, key=lambda words: sum(needed_by[w] for w in words))
            for word in key:
                self.by_word[word].append(rule)

    def found(self, said: Positions, every_way: bool = False) -> Iterator[tuple[_Rule, Found]]:
        candidates = {id(rule): rule for form in said.forms for rule in self.by_word.get(form, ())}
        for rule in (*self.always, *candidates.values()):
            if rule.may_be_in(said.forms):
                yield from ((rule, found) for found in rule.found(said, every_way))


class SafetyDetector:
    """Built once from a concepts file; `check(text)` is the whole public job."""

    def __init__(self, danger: list[_Rule], harmless: list[_Rule], negations: list[_Rule],
                 not_negations: list[_Rule], categories: tuple[str, ...],
                 over: Mapping[str, list[_Rule]] | None = None,
                 learned: LearnedModel | None = None):
        self.categories = categories
        self.learned = learned
        self._over = {section: _Rules((over or {}).get(section, [])) for section in OVER}
        self._order = {id(rule): i for i, rule in enumerate(danger)}
        self._danger = _Rules(danger)
        self._harmless = _Rules(harmless)
        self._negations = _Rules(negations)
        self._not_negations = _Rules(not_negations)
        self._beyond_harmless = _Rules((over or {}).get(BEYOND_HARMLESS, []))

    def check(self, text: str) -> Concern | None:
        """The first danger heard in `text`, or None."""
        words_said = words(text)
        if not words_said:
            return None
        said = Positions(words_said)
        harmless = _named_positions_by_category(self._harmless, said)
        everywhere = harmless.get(_EVERY_CATEGORY, frozenset())
        negators = _named_positions(self._negations, said) - _named_positions(
            self._not_negations, said)
        strong = _named_positions(self._beyond_harmless, said)
        best: tuple[tuple[int, int], _Rule, Found] | None = None
        for rule, found in self._danger.found(said, every_way=True):
            said_harmlessly = everywhere | harmless.get(rule.category, frozenset())
            if found.named & said_harmlessly and not (found.named - said_harmlessly) & strong:
                continue
            if _negated(found, negators, words_said):
                continue
            rank = (found.start, self._order[id(rule)])  # the earliest words, then file order
            if best is None or rank < best[0]:
                best = (rank, rule, found)
        if best is None:
            return self._learned_concern(text, words_said, said)
        if self._said_to_be_over(said):
            return None
        _, rule, found = best
        spoken = " ".join(w.text for w in words_said[found.start:found.end])
        return Concern(rule.category, rule.text, spoken)


    def _learned_concern(self, text: str, words_said: list[Word],
                         said: Positions) -> Concern | None:
        """The second opinion, asked only when no rule heard danger."""
        if self.learned is None or self._said_to_be_over(said):
            return None
        probability = self.learned.probability_of_danger(text)
        if probability < self.learned.threshold:
            return None
        return Concern(LEARNED, f"learned from corpus.yaml ({probability:.2f})",
                       " ".join(w.text for w in words_said))

    def _said_to_be_over(self, said: Positions) -> bool:
        """Danger told as past and resolved, with nothing saying it is back."""
        past, resolved, recurring = (self._over[section] for section in OVER)
        return (any(True for _ in past.found(said)) and any(True for _ in resolved.found(said))
                and not any(True for _ in recurring.found(said)))


_EVERY_CATEGORY = ""
"""The scope of a harmless phrase in a file without `danger:` (harmless.yaml): every kind."""


def _named_positions_by_category(rules: _Rules, said: Positions) -> dict[str, frozenset[int]]:
    positions: dict[str, set[int]] = defaultdict(set)
    for rule, found in rules.found(said):
        positions[rule.category] |= found.named
    return {category: frozenset(named) for category, named in positions.items()}


def _named_positions(rules: _Rules, said: Positions) -> frozenset[int]:
    return frozenset().union(*_named_positions_by_category(rules, said).values())


def _negated(found: Found, negators: frozenset[int], said: list[Word]) -> bool:
    """A negation the phrase does not name, early inside it ("he has never hit me") or
    shortly before it in its clause ("I would never hurt myself")."""
    inside = range(found.start, min(found.end, found.start + NEGATION_REACH))
    if any(i in negators for i in inside if i not in found.named):
        return True
    position, reach = found.start, NEGATION_REACH
    while position > 0 and reach > 0 and not said[position].starts_clause:
        position, reach = position - 1, reach - 1
        if position in negators:
            return True
    return False


OVER = ("past", "resolved", "recurring")
"""The sections that together say a danger is over (see the module's docstring)."""
BEYOND_HARMLESS = "beyond_harmless"
"""Words that keep a danger phrase counting when they are in it but outside the harmless
saying that shares its other words: "he threatened to leave and take the kids and kill me"."""
SECTIONS = ("words", "danger", "harmless", "negation", "not_negation", *OVER, BEYOND_HARMLESS)


def load_detector(folder: Path | str = CONCEPTS_DIR,
                  learned: LearnedModel | None = None) -> SafetyDetector:
    """Read and check every concepts file in `folder` (common.yaml first, then the others
    by name); a problem is reported as file:line and a sentence. With `learned`, a sentence
    no rule hears is also given to that second opinion."""
    paths = sorted(Path(folder).glob("*.yaml"), key=lambda p: (p.name != COMMON_FILE, p.name))
    if not paths:
        raise DefinitionError([Problem(str(folder), 1, "there are no concepts files (*.yaml) "
                                                       "in this folder")])
    problems: list[Problem] = []
    lists: dict[str, Choice] = {}
    rules: dict[str, list[_Rule]] = {section: [] for section in SECTIONS[1:]}
    categories: list[str] = []
    for path in paths:
        try:
            data, source = read_yaml(path)
        except DefinitionError as error:
            problems += error.problems
            continue
        if not isinstance(data, dict):
            problems.append(source.problem((), "this file should hold sections such as "
                                               "`danger:` and `harmless:`"))
            continue
        for key in data:
            if key not in SECTIONS:
                problems.append(source.problem((key,), f"`{key}` is not a section a concepts "
                                                       f"file has; use {', '.join(SECTIONS)}"))
        for name, phrases in _mapping(data, "words", source, problems).items():
            if name in lists:
                problems.append(source.problem(("words", name), f"the list `{name}` is "
                                                                "already defined; use another "
                                                                "name"))
            parsed = _phrases(phrases, ("words", name), lists, source, problems)
            if parsed:
                lists[name] = Choice(tuple(p for _, p in parsed))
        danger = _mapping(data, "danger", source, problems)
        for category, phrases in danger.items():
            if not _NAME.match(category):
                problems.append(source.problem(("danger", category), f"`{category}` should "
                                               "be a lower-case name with underscores, like "
                                               "self_harm"))
            if category not in categories:
                categories.append(category)
            rules["danger"] += [_rule(category, text, phrase) for text, phrase in
                                _phrases(phrases, ("danger", category), lists, source,
                                         problems)]
        own_categories = list(danger) or [_EVERY_CATEGORY]
        for section in SECTIONS[2:]:
            for text, phrase in _phrases(data.get(section, []), (section,), lists, source,
                                         problems):
                scopes = own_categories if section == "harmless" else [section]
                rules[section] += [_rule(scope, text, phrase) for scope in scopes]
    if not rules["danger"] and not problems:
        problems.append(Problem(str(folder), 1, "no file has a `danger:` section with phrases"))
    if problems:
        raise DefinitionError(problems)
    return SafetyDetector(rules["danger"], rules["harmless"], rules["negation"],
                          rules["not_negation"], tuple(categories),
                          {section: rules[section] for section in (*OVER, BEYOND_HARMLESS)},
                          learned)


def _mapping(data: dict[str, Any], key: str, source: SourceMap,
             problems: list[Problem]) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        problems.append(source.problem((key,), f"`{key}:` should hold named lists of phrases"))
        return {}
    return value


def _phrases(value: Any, where: tuple[str, ...], lists: dict[str, Choice], source: SourceMap,
             problems: list[Problem]) -> list[tuple[str, Sequence]]:
    if not isinstance(value, list):
        problems.append(source.problem(where, "this should be a list of phrases, one per line "
                                              "starting with `- `"))
        return []
    parsed = []
    for i, text in enumerate(value):
        if not isinstance(text, str):
            problems.append(source.problem((*where, i), "each phrase should be written as text"))
            continue
        try:
            parsed.append((text, parse(text, lists)))
        except PhraseError as error:
            problems.append(source.problem((*where, i), f"`{text}`: {error}"))
    return parsed


@cache
def default_detector() -> SafetyDetector:
    """The shipped concepts with the shipped learned second opinion."""
    return load_detector(CONCEPTS_DIR, shipped_learned())


def check(text: str) -> Concern | None:
    """Danger heard in `text` by the shipped concepts, or None."""
    return default_detector().check(text)
