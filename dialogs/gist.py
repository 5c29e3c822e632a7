"""The gist of a short answer that matches no sample: yes, no, unsure, or "say that again".

People rarely answer a yes/no question with a bare "yes": they say "yeah we both do", "not
really, no", "i think so, maybe", "sorry, what was the question?". Listing every such answer
as a sample cannot keep up, so each of these intents also has `cues` in the vocabulary: words
and short phrases that carry the answer wherever they stand. An answer is read left to right;
at each word the longest cue wins ("not sure" over "not", "no idea" over "no"). Then:

- a yes cue just after a negation word is a no ("not ready", "don't think so");
- any unsure cue makes the whole answer unsure ("yes, kind of");
- yes and no together: after "but" the last one counts ("ok, but not now"); otherwise the
  first, if the answer starts with it and goes on before the other ("no, we're fine", but not
  "yeah, no"); else the gist is not guessed;
- a repeat cue counts only when nothing else was said.

The safety check has read the words before this runs; the gist never sees danger first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dialogs.intents import NO, REPEAT, UNSURE, YES
from dialogs.model import Vocabulary

GIST_INTENTS = (YES, NO, UNSURE, REPEAT)
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
        self.cues: dict[tuple[str, ...], str] = {}
        for intent in GIST_INTENTS:
            for cue in vocabulary.intents[intent].cues if intent in vocabulary.intents else ():
                self.cues.setdefault(tuple(normalise(cue).split()), intent)
        negation = {tuple(normalise(word).split()) for word in vocabulary.negation}
        for words in negation:
            self.cues.setdefault(words, _NEGATION)
        for words, intent in self.cues.items():
            if intent == NO and any(words[-len(n):] == n for n in negation):
                self.cues[words] = _NEGATION
        self.longest = max((len(c) for c in self.cues), default=0)

    def find(self, words: list[str]) -> list[Cue]:
        found, at = [], 0
        while at < len(words):
            for size in range(min(self.longest, len(words) - at), 0, -1):
                intent = self.cues.get(tuple(words[at:at + size]))
                if intent:
                    found.append(Cue(intent, at, at + size))
                    at += size
                    break
            else:
                at += 1
        return found

    def read(self, said: str, allowed: Iterable[str]) -> str | None:
        """The intent `said` (normalised, fillers dropped) means among `allowed`, or None."""
        words = said.split()
        if not words or len(words) > MAX_WORDS:
            return None
        cues = _negated(self.find(words))
        kinds = {c.intent for c in cues}
        allowed = set(allowed)
        if not kinds:
            return None
        if kinds == {REPEAT}:
            return REPEAT if REPEAT in allowed else None
        kinds.discard(REPEAT)
        cues = [c for c in cues if c.intent != REPEAT]
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
