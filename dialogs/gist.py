"""The gist of a short answer that matches no sample: yes, no, unsure, or a command.

People rarely answer with a bare "yes" or "pause": they say "yeah we both do", "not really,
no", "sorry, what was the question?", "hang on, my phone's ringing", "nah, skip that one".
Listing every such answer as a sample cannot keep up, so intents also have `cues` in the
vocabulary: words and short phrases that carry the answer wherever they stand. An answer is
read left to right; at each word the longest cue wins ("not sure" over "not", "go back" over
"go"). Then:

- a command cue (pause, skip, go back, stop, ...) gives the command, the one said in the
  most words ("I don't understand what you want" is help, not "what?"), the last among
  equals, unless a negation stands just before it ("don't stop"); beside a yes cue it counts only
  when the other words add nothing (`frame` words: "ok, we can keep going now", but not
  "yes, stop worrying"); beside a no or unsure cue never, so that "not really, let's move
  on" to "do you feel safe?" is a no; a repeat or done cue ("huh", "that's it") never
  beside an answer;
- a yes cue just after a negation word is a no ("not ready", "don't think so");
- any unsure cue makes the whole answer unsure ("yes, kind of");
- yes and no together: after "but" the last one counts ("ok, but not now"); otherwise the
  first, if the answer starts with it and goes on before the other ("no, we're fine", but not
  "yeah, no"); else the gist is not guessed.

While someone speaks freely (`bare`), an answer counts only when it is nothing but cues and
frame words: "sorry, can you repeat the question" or "um I don't know what to say" is not an
answer to keep, "I don't know why I get so defensive" is. A request still counts when it
ends the words and starts like one ("...what hurt was, oh, can we pause"), and `request`
reads one that follows a break ("...um, hang on, the baby's crying"; the matcher finds the
break). "Not sure" is unsure however the not is said ("I am not sure", "we're really not
sure").

The safety check has read the words before this runs; the gist never sees danger first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

from dialogs.intents import ANSWER_INTENTS, DONE, NO, REPEAT, UNSURE, YES
from dialogs.model import SlotType, Vocabulary

T = TypeVar("T")

GIST_INTENTS = (YES, NO, UNSURE, REPEAT)
ANSWER_GISTS = (YES, NO, UNSURE)
QUIET_COMMANDS = (REPEAT, *ANSWER_INTENTS)
"""Commands whose cues say nothing beside a yes or a no: "uh huh, go on", "yes, that's it"."""
REQUEST_OPENERS = frozenset({"can", "could", "would", "let", "lets", "please", "sorry", "actually",
                             "ok", "okay", "oh", "wait", "anyway"})
"""Words that start a request breaking into someone's answer ("...oh, can we pause")."""
MAX_REQUEST_WORDS = 10
"""A request after someone breaks off is short."""
MAX_WORDS = 14
"""Longer answers are someone talking, not answering; their gist is not guessed."""
NEGATION_REACH = 2
"""A negation turns a following yes cue into a no when at most this many words come between."""
NEGATION_AFTER = 1
"""...and a yes cue just before it ("we are not", "both of us don't")."""
_NEGATION = "negation"


@dataclass(frozen=True)
class Cue:
    intent: str
    start: int
    end: int
    negation: bool = False


class GistReader:
    """Reads the gist of answers with a vocabulary's cues (normalised, as `plain` writes)."""

    def __init__(self, vocabulary: Vocabulary, normalise: Callable[[str], str]):
        self.cues: dict[tuple[str, ...], tuple[str, ...]] = {}
        """Each cue's intents, first the one it means where several are listened for: "go on"
        is yes to a question, and resume while paused."""
        for name, intent in vocabulary.intents.items():
            for cue in intent.cues:
                words = tuple(normalise(cue).split())
                self.cues[words] = (*self.cues.get(words, ()), name)
        negation = {tuple(normalise(word).split()) for word in vocabulary.negation}
        for words in negation:
            self.cues.setdefault(words, (_NEGATION,))
        for words, meanings in self.cues.items():
            if meanings[0] == NO and any(words[-len(n):] == n for n in negation):
                self.cues[words] = (_NEGATION,)
        self.frame = frozenset(w for f in vocabulary.frame for w in normalise(f).split())
        self.negation_words = frozenset(w for n in negation if len(n) == 1 for w in n)

    def find(self, words: list[str], allowed: Iterable[str] = ()) -> list[Cue]:
        """The cues in `words`, the longest at each word among those `allowed` listens for
        ("we're ready again" is back from a pause, not yes, while paused)."""
        allowed = set(allowed)

        def listened_for(meanings: tuple[str, ...]) -> bool:
            return not allowed or meanings == (_NEGATION,) or any(m in allowed for m in meanings)

        def cue(start: int, end: int, meanings: tuple[str, ...]) -> Cue:
            return Cue(next((m for m in meanings if m in allowed), meanings[0]), start, end)

        found = [cue(*at) for at in longest_cues(words, self.cues, listened_for)]
        for unsure in (cue(*at) for at in longest_cues(
                words, self.cues, lambda meanings: UNSURE in meanings and listened_for(meanings))):
            split = [c for c in found if c.start < unsure.end and unsure.start < c.end]
            if {c.intent for c in split} == {_NEGATION, YES}:  # "i am not | sure"
                found = sorted([unsure, *(c for c in found if c not in split)],
                               key=lambda c: c.start)
        return found

    def _nothing_else(self, words: list[str], cues: list[Cue]) -> bool:
        """Whether every word outside the cues is a frame word ("can we", "please", "now")."""
        covered = {i for c in cues for i in range(c.start, c.end)}
        return all(w in self.frame for i, w in enumerate(words) if i not in covered)

    def _closing_request(self, words: list[str], cues: list[Cue]
                         ) -> tuple[list[str], list[Cue]]:
        """A request that ends someone's words, made of nothing but cues and frame words, with
        a command among them: "...and oh the delivery guy is here, can we pause"."""
        covered = {i for c in cues for i in range(c.start, c.end)}
        start = len(words)
        while start > 0 and (start - 1 in covered or words[start - 1] in self.frame):
            start -= 1
        while start < len(words) and words[start] not in REQUEST_OPENERS:
            start += 1  # "...sitting next to me" is not a request; "...so can we pause" is
        tail = [Cue(c.intent, c.start - start, c.end - start) for c in cues if c.start >= start]
        commands = [c for c in tail if c.intent not in (*ANSWER_GISTS, _NEGATION, DONE)]
        if len(words) - start < 2 or not commands:
            return words, []
        return words[start:], tail

    def request(self, said: str, allowed: Iterable[str], *, opening: str | None = None
                ) -> str | None:
        """A command asked for first thing after someone breaks off, with a reason after it
        ("um, hang on, the baby's crying"); nothing but frame words may come before it, and
        what follows starts anew with a frame word ("give me a second chance" asks no pause).
        `opening`: the intent the request must open with."""
        words = said.split()
        if len(words) > MAX_REQUEST_WORDS:
            return None
        found = self.find(words, allowed)
        if not found or not self._nothing_else(words[:found[0].start], []):
            return None
        follows = words[found[0].end:found[0].end + 1]
        if follows and follows[0] not in self.frame:
            return None
        if found[0].intent in (*ANSWER_GISTS, DONE, _NEGATION) or \
                opening not in (None, found[0].intent):
            return None
        commands = [c for c in _commands(found)[0] if c.intent not in (*ANSWER_GISTS, DONE)]
        meant = _said_in_most_words(commands)
        return meant.intent if meant.intent in allowed else None

    def read(self, said: str, allowed: Iterable[str], *, bare: bool = False) -> str | None:
        """The intent `said` (normalised, fillers dropped) means among `allowed`, or None.
        `bare`: only an answer made of nothing but cues and frame words counts."""
        words = said.split()
        if not words or len(words) > MAX_WORDS:
            return None
        allowed = set(allowed)
        found = self.find(words, allowed)
        if found and bare and not self._nothing_else(words, found):
            words, found = self._closing_request(words, found)
        if not found or (bare and not self._nothing_else(words, found)):
            return None
        commands, denials = _commands(found)
        cues = [c for c in _negated([f for f in found if f not in denials])
                if c.intent in ANSWER_GISTS]
        commands = [c for c in commands if not (cues and c.intent in QUIET_COMMANDS)]
        if commands and (not cues or (self._nothing_else(words, found)
                                      and all(c.intent == YES for c in cues))):
            meant = _said_in_most_words(commands)
            return meant.intent if meant.intent in allowed else None
        kinds = {c.intent for c in cues}
        if not kinds:
            return None
        if UNSURE in kinds:
            gist = UNSURE
        elif len(kinds) == 1:
            gist = kinds.pop()
        elif "but" in words:
            gist = cues[-1].intent
        else:
            first, second = cues[0], cues[1]
            gist = first.intent if first.start == 0 and second.start > first.end else None
        return gist if gist in allowed else None


def longest_cues(words: list[str], cues: Mapping[tuple[str, ...], T],
                 wanted: Callable[[T], bool] = lambda _: True) -> Iterator[tuple[int, int, T]]:
    """Where cues stand in `words`, read left to right: at each word the longest cue that is
    `wanted`, then on after it."""
    longest = max((len(c) for c in cues), default=0)
    at = 0
    while at < len(words):
        for size in range(min(longest, len(words) - at), 0, -1):
            meaning = cues.get(tuple(words[at:at + size]))
            if meaning is not None and wanted(meaning):
                yield at, at + size, meaning
                at += size
                break
        else:
            at += 1


class ValueCues:
    """Reads a slot type's value from its cues in a short answer: cues of one value give it,
    cues of two give the type's `mixed` value ("most days, not friday": partly)."""

    def __init__(self, slot_type: SlotType, normalise: Callable[[str], str]):
        self.cues = {tuple(normalise(c).split()): value
                     for value, cues in slot_type.cues.items() for c in cues}
        self.mixed = slot_type.mixed

    def read(self, words: list[str]) -> str | None:
        found = {value for _, _, value in longest_cues(words, self.cues)}
        if len(found) == 1:
            return found.pop()
        return self.mixed if found else None


def _said_in_most_words(commands: list[Cue]) -> Cue:
    """The command meant among several: the one said in the most words, the last among equals."""
    return max(commands, key=lambda c: (c.end - c.start, c.start))


def _commands(cues: list[Cue]) -> tuple[list[Cue], list[Cue]]:
    """Command cues (repeat among them) not denied by a negation just before them, and the
    negations that deny one ("don't stop" is neither a stop nor a no)."""
    kept, denials, last = [], [], None
    for cue in cues:
        if cue.intent not in ANSWER_GISTS and cue.intent != _NEGATION:
            if last is not None and last.intent == _NEGATION and cue.start - last.end <= 1:
                denials.append(last)
            else:
                kept.append(cue)
        last = cue
    return kept, denials


def _negated(cues: list[Cue]) -> list[Cue]:
    """Negation words become no cues and turn a yes cue next to them into a no: "not ready",
    "don't really think so", "we are not", "both of us don't"."""
    kept: list[Cue] = []
    for cue in cues:
        last = kept[-1] if kept else None
        if cue.intent == _NEGATION:  # "not", or a no cue that ends in one ("we are not")
            if last and last.intent == YES and cue.start - last.end <= NEGATION_AFTER:
                kept.pop()
            kept.append(Cue(NO, cue.start, cue.end, negation=True))
        elif cue.intent == YES and last and last.negation and \
                cue.start - last.end <= NEGATION_REACH:
            continue
        else:
            kept.append(cue)
    return kept
