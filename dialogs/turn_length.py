"""How long a turn a person hears: the words said in one go, joined across the steps that
follow each other without waiting, per platform.

A turn is what the guide says between one answer and the next: the words on the way (a
transition's `say`), the step arrived at, every step after it that waits for nothing, and a
timed phase's closing words for the platform. The longest variant is counted each time.
A variable counts as one word ({menu} as the words of a typical menu).

The same measure (`Spoken`, `reply_problem`) judges every reply heard when conversation
files are played, where the words filled in and the sayings the engine joins are real.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dialogs.book import VARIABLE
from dialogs.markup import BREATH_WORDS, MarkupError, Pause, longest_breath, parse, to_plain
from dialogs.model import Exercise, Flow, ListenMode, Platform, Prompts, Step, Transition

TURN_WORDS = {Platform.TEXT: 45, Platform.VOICE: 45, Platform.ALEXA: 45, Platform.WALK: 25}
"""About the most words a person can hold in mind from one turn, per platform."""
PAUSE_EVERY = BREATH_WORDS
"""A [pause] at least this often, across joined sayings too."""
SAFETY_WORDS_BEFORE_NUMBERS = 45
"""A reply giving the crisis numbers may be longer than a turn, since the resources are never
cut, but no more than this many words come before the first number, a pause comes before the
numbers, and a pause at least every PAUSE_EVERY words, so that the numbers are heard without
having to answer anything first."""
LONG_VARIABLES = {"menu": "daily gestures, getting support, honest check-in, feeling "
                          "understood, small promises, repair after a hurt, or a walk"}


@dataclass(frozen=True)
class Spoken:
    """How long one stretch of speech (markup) is to hold in mind."""

    words: int
    breath: int
    """The most words between two pauses."""
    before_numbers: int | None = None
    """Words before the first crisis number, when the speech gives one."""
    paused_before_numbers: bool = False

    @classmethod
    def of(cls, text: str, numbers: frozenset[str] = frozenset()) -> Spoken:
        """`numbers`: the crisis numbers (see `crisis_numbers`), whose first mention makes
        the speech a safety reply."""
        before = 0
        paused = False
        for part in parse(text):
            if isinstance(part, Pause):
                paused = True
                continue
            for word in part.text.split():
                if word.strip(".,;:!?") in numbers:
                    return cls(len(to_plain(text).split()), longest_breath(text), before, paused)
                before += 1
        return cls(len(to_plain(text).split()), longest_breath(text))


def crisis_numbers(safety: Prompts) -> frozenset[str]:
    """The numbers the safety message gives (988, the hotline, the text line)."""
    return frozenset(word.strip(".,;:!?") for text in safety for word in to_plain(text).split()
                     if any(c.isdigit() for c in word))


def reply_problem(text: str, limit: int, numbers: frozenset[str] = frozenset()) -> str | None:
    """Why a reply heard is not breath-sized, or None: more than `limit` words (a reply giving
    the crisis numbers: more than SAFETY_WORDS_BEFORE_NUMBERS before the first of them, or
    no pause before them), or more than PAUSE_EVERY words without a pause."""
    spoken = Spoken.of(text, numbers)
    if spoken.before_numbers is not None:
        if spoken.before_numbers > SAFETY_WORDS_BEFORE_NUMBERS:
            return (f"{spoken.before_numbers} words before the first crisis number, more than "
                    f"{SAFETY_WORDS_BEFORE_NUMBERS}")
        if not spoken.paused_before_numbers:
            return "no pause before the crisis numbers"
    elif spoken.words > limit:
        return f"{spoken.words} words, more than the {limit} a person can hold in mind"
    if spoken.breath > PAUSE_EVERY:
        return f"{spoken.breath} words without a pause, more than {PAUSE_EVERY}"
    return None


def reply_limit(flow: Flow, platform: Platform) -> int:
    """The most words a turn heard in `flow` may have on `platform`. The walk's shorter limit
    is for exercises for one person, as lint checks them; anything else heard on a walk is
    held to the voice limit."""
    return TURN_WORDS[platform if platform in platforms_for(flow) else Platform.VOICE]


@dataclass(frozen=True)
class HeardTurn:
    """One turn as heard: where it starts (step, and the answer or transition), the steps
    whose words it joins, and its text."""

    step_id: str
    path: tuple[str | int, ...]
    steps: tuple[str, ...]
    sayings: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.sayings)

    @property
    def words(self) -> int:
        return Spoken.of(self.text).words

    @property
    def breath(self) -> int:
        return Spoken.of(self.text).breath

    @property
    def breathless_join(self) -> bool:
        """More than PAUSE_EVERY words without a pause, only because sayings that each
        pause often enough are joined (a single saying too long for a breath is reported
        where it is written)."""
        return self.breath > PAUSE_EVERY and all(longest_breath(s) <= PAUSE_EVERY
                                                 for s in self.sayings)


@dataclass(frozen=True)
class _Heard:
    steps: tuple[str, ...]
    sayings: tuple[str, ...]

    def then(self, other: _Heard) -> _Heard:
        return _Heard(self.steps + other.steps, self.sayings + other.sayings)


def _said(steps: tuple[str, ...], text: str) -> _Heard:
    return _Heard(steps, (text,) if text.strip() else ())


def _sample(text: str) -> str:
    return VARIABLE.sub(lambda m: LONG_VARIABLES.get(m.group(1), "Name"), text)


def _word_count(text: str) -> int:
    try:
        return len(to_plain(text).split())
    except MarkupError:
        return len(text.split())


def _longest(prompts: Prompts) -> str:
    return max((_sample(p) for p in prompts), key=_word_count, default="")


def _arrive(flow: Flow, step_id: str, platform: Platform, timed: Prompts,
            seen: frozenset[str] = frozenset()) -> Iterator[_Heard]:
    """Every text heard on arriving at `step_id`, through each path of steps that wait for
    nothing after it."""
    step = flow.steps.get(step_id)
    if step is None or step_id in seen:
        yield _Heard((), ())
        return
    own = _said((step_id,), _longest(step.prompts("say", platform)))
    if step.timed:
        own = own.then(_said((), _longest(timed)))
    if step.listen is not ListenMode.NOTHING or not step.next:
        yield own
        return
    for transition in step.next:
        for rest in _along(flow, transition, platform, timed, seen | {step_id}):
            yield own.then(rest)


def _along(flow: Flow, transition: Transition, platform: Platform, timed: Prompts,
           seen: frozenset[str] = frozenset()) -> Iterator[_Heard]:
    said = _said((), _longest(transition.say))
    if not transition.goto:
        yield said
        return
    for rest in _arrive(flow, transition.goto, platform, timed, seen):
        yield said.then(rest)


def _answers(step: Step) -> Iterator[tuple[tuple[str | int, ...], Transition]]:
    if step.listen is ListenMode.NOTHING:
        return
    yield from step.transitions()


def heard_turns(flow: Flow, platform: Platform, timed: Prompts,
                starts: tuple[str, ...]) -> Iterator[HeardTurn]:
    """Every turn a person may hear in `flow` on `platform`."""
    for start in starts:
        for heard in _arrive(flow, start, platform, timed):
            yield HeardTurn(start, ("start",), heard.steps, heard.sayings)
    for step_id, step in flow.steps.items():
        for path, transition in _answers(step):
            for heard in _along(flow, transition, platform, timed):
                yield HeardTurn(step_id, path, heard.steps, heard.sayings)


def heard_after(flow: Flow, transition: Transition, platform: Platform,
                timed: Prompts) -> Iterator[str]:
    """Every text heard once `transition` is taken, up to the next step that waits."""
    for heard in _along(flow, transition, platform, timed):
        yield " ".join(heard.sayings)


def platforms_for(flow: Flow) -> tuple[Platform, ...]:
    """A walk is for one person alone: only exercises for one person are checked for it."""
    if isinstance(flow, Exercise) and not flow.joint:
        return tuple(Platform)
    return (Platform.TEXT, Platform.VOICE, Platform.ALEXA)
