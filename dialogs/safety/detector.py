"""The safety check: does what someone said suggest danger, and of which kind?

It reads the concepts files (`concepts/*.yaml`, written for clinicians) and runs on
every utterance before anything else reads the words. It works on words and
their dictionary forms, never on fuzzy matches: "unseen" is not "unsafe".
A phrase does not count when it is said as harmless (an idiom listed under
`harmless:`; in the file of one kind of danger, for that kind only) or when a
negation the phrase does not name comes shortly before it in the same clause
("he has never hit me", and "or choked me" after it); "not sure if" is not a negation.
A harmless saying right after a negation excuses nothing ("he was not joking, he said
he would kill me"). Nor does a phrase count when the
sentence says the danger is over and the person safe ("my ex was violent, that was fifteen
years ago and I feel safe now"): a `past:` phrase and a `resolved:` phrase, and no
`recurring:` phrase ("again", "still", "last week") outside the words of a `resolved:` phrase
("it never happened again" is resolved, not recurring).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
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
    begins,
    find,
    first_words,
    parse,
    positions,
    required_words,
    side_by_side,
)
from dialogs.safety.words import Word, joined, marked, tokens, words_of_tokens
from dialogs.source import DefinitionError, Problem, SourceMap, read_yaml

CONCEPTS_DIR = Path(__file__).parent / "concepts"
COMMON_FILE = "common.yaml"
"""Read first: the word lists and negations every other file may use."""
NEGATION_REACH = 5
"""How many words before a phrase a negation still applies to it."""

_NAME = re.compile(r"^[a-z][a-z_]*$")
LEARNED = "learned"
"""The kind of a concern only the learned second opinion heard (no rule names its kind)."""
WARM_UP_SAYING = "um i guess we argued about money again and i felt a bit hurt"
"""Read once at start: it loads word forms, the rules a common answer touches and the
learned opinion's sentence encoder."""

log = logging.getLogger(__name__)


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
        starts = self.starts(said, said.every_end)
        if not starts:
            return iter(())
        return find(self.phrase, said, positions(starts), every_way)

    def starts(self, said: Positions, ends: int) -> int:
        """Where a match that ends at one of `ends` may start (a bit set, as `Positions`):
        `found` tries no other start."""
        firsts = (said.every_start if self.firsts is None else said.of_any(self.firsts))
        return begins(self.phrase, said, ends) & firsts if firsts else 0


def _rule(category: str, text: str, phrase: Sequence) -> _Rule:
    return _Rule(category, text, phrase, first_words(phrase), required_words(phrase))


@dataclass(frozen=True)
class RuleIndex:
    """One section's rules as plain data: each rule's kind and phrase, in file order, and
    the rules to try for each word said (by one set of words each rule needs: the set the
    fewest other rules need too), so a sentence tries only the rules it may say."""

    rules: tuple[tuple[str, str], ...]
    always: tuple[int, ...]
    by_word: dict[str, tuple[int, ...]]

    @classmethod
    def of(cls, rules: list[_Rule]) -> RuleIndex:
        needed_by = Counter(word for rule in rules for words in rule.required
                            for word in words)
        always: list[int] = []
        by_word: dict[str, list[int]] = defaultdict(list)
        for number, rule in enumerate(rules):
            if not rule.required:
                always.append(number)
                continue
            key = min(rule.required, key=lambda words: sum(needed_by[w] for w in words))
            for word in sorted(key):
                by_word[word].append(number)
        return cls(tuple((rule.category, rule.text) for rule in rules), tuple(always),
                   {word: tuple(numbers) for word, numbers in by_word.items()})


@dataclass(frozen=True)
class CompiledConcepts:
    """Checked concepts files as plain data, to keep between runs: the word lists' phrases
    in file order, each section's `RuleIndex`, and the kinds of danger. A detector built
    from it reads each phrase only when a sentence first gives it a chance to match."""

    lists: tuple[tuple[str, tuple[str, ...]], ...]
    sections: dict[str, RuleIndex]
    categories: tuple[str, ...]


class _Lists(Mapping[str, Choice]):
    """The `words:` lists, each read when a phrase first uses it."""

    def __init__(self, phrases: Mapping[str, tuple[str, ...]]):
        self._phrases = phrases
        self._read: dict[str, Choice] = {}

    def __getitem__(self, name: str) -> Choice:
        if name not in self._read:
            self._read[name] = Choice(tuple(parse(text, self) for text in self._phrases[name]))
        return self._read[name]

    def __contains__(self, name: object) -> bool:
        return name in self._phrases

    def __iter__(self) -> Iterator[str]:
        return iter(self._phrases)

    def __len__(self) -> int:
        return len(self._phrases)


class _Rules:
    """One section's rules, found through its `RuleIndex`; `rule(number)` gives a rule."""

    def __init__(self, index: RuleIndex, rule: Callable[[int], _Rule]):
        self.index = index
        self.rule = rule

    def found(self, said: Positions, every_way: bool = False
              ) -> Iterator[tuple[int, _Rule, Found]]:
        """Each match as (the rule's number in its section, the rule, where it is said)."""
        for number, rule in self.candidates(said):
            yield from ((number, rule, found) for found in rule.found(said, every_way))

    def candidates(self, said: Positions) -> Iterator[tuple[int, _Rule]]:
        """The rules that may be said in `said`: the others lack a word they need."""
        by_word = self.index.by_word
        numbers = dict.fromkeys(self.index.always)
        for form in said.forms:
            numbers.update(dict.fromkeys(by_word.get(form, ())))
        for number in numbers:
            rule = self.rule(number)
            if rule.may_be_in(said.forms):
                yield number, rule

    def may_start(self, said: Positions, ends: int, spans: list[int],
                  forms: list[frozenset[str]]) -> list[int]:
        """Those of `spans` (bit sets of positions, each the words of one sentence, with
        `forms`) where one of the rules may start a match that ends at one of `ends`."""
        left = spans
        sentences_with: dict[str, int] = defaultdict(int)  # a bit for each sentence
        for number, said_forms in enumerate(forms):
            for form in said_forms:
                sentences_with[form] |= 1 << number
        for _, rule in self.candidates(said):
            if not _in_one(rule.required, said.forms, sentences_with):
                continue
            starts = rule.starts(said, ends)
            if starts:
                left = [span for span in left if not starts & span]
                if not left:
                    break
        return [span for span in spans if span not in left]


def _in_one(required: tuple[frozenset[str], ...], forms: frozenset[str],
            sentences_with: dict[str, int]) -> bool:
    """Whether one sentence says a word of each of `required`, by the sentences (bits)
    each of `forms` is said in."""
    sentences = -1
    for words in required:
        said_in = 0
        for form in words & forms:
            said_in |= sentences_with[form]
        sentences &= said_in
        if not sentences:
            return False
    return True


class SafetyDetector:
    """Built once from concepts files; `check(text)` is the whole public job.

    Made either from rules just read (`load_detector`) or from `CompiledConcepts` kept
    from an earlier run, when a rule's phrase is read on its first use: the same rules,
    the same answers."""

    def __init__(self, compiled: CompiledConcepts,
                 rules: Mapping[str, list[_Rule]] | None = None,
                 learned: LearnedModel | None = None):
        self.compiled = compiled
        self.categories = compiled.categories
        self.learned = learned
        phrases: dict[str, Sequence] = {}
        lists = _Lists(dict(compiled.lists))

        def reader(index: RuleIndex) -> Callable[[int], _Rule]:
            made: dict[int, _Rule] = {}

            def rule(number: int) -> _Rule:
                if number not in made:
                    category, text = index.rules[number]
                    if text not in phrases:
                        phrases[text] = parse(text, lists)
                    made[number] = _rule(category, text, phrases[text])
                return made[number]
            return rule

        sections = {name: _Rules(index, rules[name].__getitem__ if rules else reader(index))
                    for name, index in compiled.sections.items()}
        self._danger, self._harmless = sections["danger"], sections["harmless"]
        self._negations, self._not_negations = sections["negation"], sections["not_negation"]
        self._over = {section: sections[section] for section in OVER}
        self._beyond_harmless = sections[BEYOND_HARMLESS]
        self._lead_ins: dict[str, list[str]] = {}
        self._warming: threading.Thread | None = None

    def warm_up(self, background: bool = False) -> None:
        """Load what a first check needs (about a second), so the first person heard does
        not wait for it: now, or in a thread that every check waits for before it reads."""
        if not background:
            self._warm()
            return
        self._warming = threading.Thread(target=self._warm, name="safety-warm-up", daemon=True)
        self._warming.start()

    def _warm(self) -> None:
        try:
            self._concern(tokens(WARM_UP_SAYING))
        except Exception as error:  # the first real check says what is wrong, clearly
            log.debug("safety warm-up: %s", error)

    def _wait_for_warm_up(self) -> None:
        warming = self._warming
        if warming is not None:
            warming.join()
            self._warming = None

    def check(self, text: str) -> Concern | None:
        """The first danger heard in `text`, or None."""
        self._wait_for_warm_up()
        return self._concern(tokens(text))

    def check_any(self, texts: Iterable[str], carried: str = "",
                  around: Iterable[tuple[str, str]] = ()) -> Concern | None:
        """The first danger heard in any of `texts`, or None. Texts that come to the same
        words ("Sam" and "sam", "I'll" and "I will") are read once.

        Then the `carried` words (what Alexa kept of a sentence without its lead-in) are
        read put back between each (before, after) of `around` ("i feel ", ""), in order,
        by the rules only: the learned second opinion judges what was said, and one try per
        lead-in would multiply its false alarms. All of them are first looked over at
        once for where a danger phrase may start; only a sentence with such a place is
        read one by one, so the answer is the one reading each alone would give."""
        self._wait_for_warm_up()
        read: set[tuple[str, ...]] = set()
        for text in texts:
            said_tokens = tokens(text)
            if tuple(said_tokens) in read:
                continue
            read.add(tuple(said_tokens))
            concern = self._concern(said_tokens)
            if concern is not None:
                return concern
        if not carried:
            return None
        rebuilt: list[list[str]] = []
        for before, after in around:
            said_tokens = self._put_back(before, carried, after)
            if tuple(said_tokens) not in read:
                read.add(tuple(said_tokens))
                rebuilt.append(said_tokens)
        for said_tokens in self._may_be_danger(rebuilt):
            concern = self._concern(said_tokens, ask_learned=False)
            if concern is not None:
                return concern
        return None

    def _put_back(self, before: str, carried: str, after: str) -> list[str]:
        """The `tokens` of `before + carried + after`, from the lead-in's words read once."""
        if (before and not before[-1].isspace()) or (after and not after[0].isspace()):
            return tokens(before + carried + after)
        return joined((self._marked(before), marked(carried), self._marked(after)))

    def _marked(self, lead_in: str) -> list[str]:
        if lead_in not in self._lead_ins:
            self._lead_ins[lead_in] = marked(lead_in)
        return self._lead_ins[lead_in]

    def _may_be_danger(self, sentences: list[list[str]]) -> Iterator[list[str]]:
        """Those of `sentences` (as `tokens`) in which a danger phrase may start, in order:
        all read side by side at once (see `side_by_side`), so no other can hold one."""
        if not sentences:
            return iter(())
        lanes = [words_of_tokens(said_tokens) for said_tokens in sentences]
        said, ends, spans = side_by_side(lanes)
        forms = [frozenset().union(*(word.forms for word in lane)) for lane in lanes]
        may = set(self._danger.may_start(said, ends, spans, forms))
        return (said_tokens for said_tokens, span in zip(sentences, spans, strict=True)
                if span in may)

    def _concern(self, said_tokens: list[str], ask_learned: bool = True) -> Concern | None:
        """The check of what was said, read as `said_tokens` (all either reading uses)."""
        words_said = words_of_tokens(said_tokens)
        if not words_said:
            return None
        said = Positions(words_said)
        dangers = list(self._danger.found(said, every_way=True))
        if not dangers:  # most of what people say: no sayings or negations need be read
            return self._learned_concern(said_tokens, words_said, said) if ask_learned else None
        negations = _named_positions(self._negations, said)
        negators = negations - _named_positions(self._not_negations, said)
        sayings = _sayings_by_category(self._harmless, said, negations, words_said)
        everywhere = sayings.get(_EVERY_CATEGORY, [])
        strong = _named_positions(self._beyond_harmless, said)
        best: tuple[tuple[int, int], _Rule, Found] | None = None
        for number, rule, found in dangers:
            said_harmlessly = _excused(found, everywhere + sayings.get(rule.category, []))
            if found.named & said_harmlessly and not (found.named - said_harmlessly) & strong:
                continue
            if _negated(found, negators, words_said):
                continue
            rank = (found.start, number)  # the earliest words, then file order
            if best is None or rank < best[0]:
                best = (rank, rule, found)
        if best is None:
            return self._learned_concern(said_tokens, words_said, said) if ask_learned else None
        if self._said_to_be_over(said):
            return None
        _, rule, found = best
        spoken = " ".join(w.text for w in words_said[found.start:found.end])
        return Concern(rule.category, rule.text, spoken)


    def _learned_concern(self, said_tokens: list[str], words_said: list[Word],
                         said: Positions) -> Concern | None:
        """The second opinion, asked only when no rule heard danger."""
        if self.learned is None:
            return None
        sure = self.learned.judge_tokens(said_tokens)
        if sure is None or self._said_to_be_over(said):
            return None
        return Concern(LEARNED, f"learned from corpus.yaml ({sure:.2f})",
                       " ".join(w.text for w in words_said))

    def _said_to_be_over(self, said: Positions) -> bool:
        """Danger told as past and resolved, with nothing saying it is back."""
        past, resolved, recurring = (self._over[section] for section in OVER)
        if not any(True for _ in past.found(said)):
            return False
        held = [found.named for _, _, found in resolved.found(said)]
        # A word that may say it is back ("now she", "anymore", "since") counts, unless a
        # `resolved:` phrase holds it ("now she is happily married", "no urges anymore",
        # "it never happened since").
        return bool(held) and all(any(found.named <= words for words in held)
                                  for _, _, found in recurring.found(said))


_EVERY_CATEGORY = ""
"""The scope of a harmless phrase in a file without `danger:` (harmless.yaml): every kind."""


def _named_positions_by_category(rules: _Rules, said: Positions) -> dict[str, frozenset[int]]:
    positions: dict[str, set[int]] = defaultdict(set)
    for _, rule, found in rules.found(said):
        positions[rule.category] |= found.named
    return {category: frozenset(named) for category, named in positions.items()}


def _named_positions(rules: _Rules, said: Positions) -> frozenset[int]:
    return frozenset().union(*_named_positions_by_category(rules, said).values())


def _negated(found: Found, negators: frozenset[int], said: list[Word]) -> bool:
    """A negation the phrase does not name, early inside it ("he has never hit me") or
    shortly before it in its clause ("I would never hurt myself").

    A phrase that starts with a verb added to a list by "or" shares the "not" or "never"
    shortly before that "or" ("he has never taken my phone or read my messages"); only
    those two, which deny a deed, and not "nobody" or "nothing", which may be the danger
    itself ("nobody loves me or cares if I die")."""
    inside = range(found.start, min(found.end, found.start + NEGATION_REACH))
    if any(i in negators for i in inside if i not in found.named):
        return True
    position, reach, carried = found.start, NEGATION_REACH, False
    while position > 0 and reach > 0:
        if said[position].starts_clause:
            if not (said[position].joins_a_list and (carried or position == found.start - 1)):
                return False
            reach, carried = NEGATION_REACH, True
        position, reach = position - 1, reach - 1
        if position in negators and (not carried or said[position].text in DEED_NEGATIONS):
            return True
    return False


DEED_NEGATIONS = frozenset({"not", "never"})
"""The negations a list of deeds joined by "or" shares (see `_negated`)."""


Saying = tuple[frozenset[int], frozenset[int]]
"""Where a harmless saying is said: the words it names, and the negations that deny it."""


def _sayings_by_category(rules: _Rules, said: Positions, negations: frozenset[int],
                         words: list[Word]) -> dict[str, list[Saying]]:
    sayings: dict[str, list[Saying]] = defaultdict(list)
    for _, rule, found in rules.found(said):
        sayings[rule.category].append((found.named, _denials(found, negations, words)))
    return sayings


def _denials(found: Found, negations: frozenset[int], said: list[Word]) -> frozenset[int]:
    """The negation right before a harmless saying, in its clause: "he was not joking", "it
    was not a joke", "not even kidding" (any negation: "not even" or "not just" deny a joke
    too). Only before its start: a negation before a later word may be what the saying
    means ("I tiptoe around so I don't wake him")."""
    for before in (found.start - 1, found.start - 2):
        if before < 0 or said[before + 1].starts_clause:
            break
        if before in negations:
            return frozenset({before})
        if said[before].text not in _SMALL_WORDS:
            break
    return frozenset()


_SMALL_WORDS = frozenset({"a", "an", "even", "really", "actually", "just", "only"})
"""Words that may come between a negation and the harmless word it denies ("not a joke")."""


def _excused(danger: Found, sayings: Iterable[Saying]) -> frozenset[int]:
    """The words harmless sayings excuse for `danger`: each saying's, unless a negation denies
    it ("he was not joking, he said he would kill me") that the danger phrase does not name
    itself (in "he will not let me leave the washing up", the "not" of "will not let me
    leave" denies nothing)."""
    return frozenset().union(*(named for named, denials in sayings if denials <= danger.named))


OVER = ("past", "resolved", "recurring")
"""The sections that together say a danger is over (see the module's docstring)."""
BEYOND_HARMLESS = "beyond_harmless"
"""Words that keep a danger phrase counting when they are in it but outside the harmless
saying that shares its other words: "he threatened to leave and take the kids and kill me"."""
SECTIONS = ("words", "danger", "harmless", "negation", "not_negation", *OVER, BEYOND_HARMLESS)


def concepts_files(folder: Path | str) -> list[Path]:
    """The concepts files in `folder`, in the order they are read: common.yaml first."""
    return sorted(Path(folder).glob("*.yaml"), key=lambda p: (p.name != COMMON_FILE, p.name))


def load_detector(folder: Path | str = CONCEPTS_DIR,
                  learned: LearnedModel | None = None) -> SafetyDetector:
    """Read and check every concepts file in `folder` (common.yaml first, then the others
    by name); a problem is reported as file:line and a sentence. With `learned`, a sentence
    no rule hears is also given to that second opinion."""
    paths = concepts_files(folder)
    if not paths:
        raise DefinitionError([Problem(str(folder), 1, "there are no concepts files (*.yaml) "
                                                       "in this folder")])
    problems: list[Problem] = []
    lists: dict[str, Choice] = {}
    list_phrases: dict[str, tuple[str, ...]] = {}
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
                list_phrases[name] = tuple(text for text, _ in parsed)
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
    compiled = CompiledConcepts(tuple(list_phrases.items()),
                                {section: RuleIndex.of(found) for section, found in rules.items()},
                                tuple(categories))
    return SafetyDetector(compiled, rules, learned)


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
