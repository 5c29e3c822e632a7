"""Phrases of one step that sound too alike for a recogniser to keep apart.

A step's grammar forces what is heard onto one of its phrases, so two phrases of different
intents that sound alike are where a confident wrong answer comes from. The measure is the
edit distance between the phrases' sound spellings over the longer one (0 same, 1 nothing
in common). Hangul is written by sound, so its letters (jamo, from Unicode decomposition)
stand for phonemes without a pronunciation dictionary for each language; other scripts use
their letters, a rougher stand-in. On the Korean test model with espeak-ng speech, the
pairs the recogniser confused in noise (이전/위험, 계속/취소, 다시/다음) are at 0.6. Phrases of
more than three words are left out: they differ in too many places to be taken whole for
one another.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from dialogs import intents
from dialogs.book import Book
from dialogs.intents import WELCOME_FLOW
from dialogs.model import Flow, ListenMode
from dialogs.source import Problem

TOO_CLOSE = 0.6
"""Normalised distance at or under which two phrases in Hangul are reported."""
TOO_CLOSE_LETTERS = 0.34
"""The same for other scripts, whose letters say less about the sound: about one letter in
three apart ("we're done"/"we're back" is not reported; "i'm done"/"i'm fun" would be)."""
LONGEST_PHRASE = 3
"""Words; longer phrases differ in too many places to be taken for one another whole."""


@dataclass(frozen=True)
class ClosePair:
    first: str
    second: str
    distance: float


def sound_spelling(phrase: str) -> str:
    """Letters as said: Hangul syllables split into their jamo, no spaces or case."""
    return unicodedata.normalize("NFD", phrase.lower()).replace(" ", "")


def distance(first: str, second: str) -> float:
    return Levenshtein.normalized_distance(sound_spelling(first), sound_spelling(second))


def _hangul(text: str) -> bool:
    return any("\uac00" <= c <= "\ud7a3" for c in text)


def close_pairs(meanings: dict[str, str]) -> list[ClosePair]:
    """Pairs of short phrases with different meanings (phrase -> intent) that sound alike,
    closest first."""
    short = [p for p in meanings if len(p.split()) <= LONGEST_PHRASE]
    spelt = [sound_spelling(p) for p in short]
    apart = process.cdist(spelt, spelt, scorer=Levenshtein.normalized_distance, workers=1)
    pairs = []
    for i, j in zip(*np.nonzero(apart <= TOO_CLOSE), strict=True):
        first, second = short[i], short[j]
        if i >= j or meanings[first] == meanings[second]:
            continue
        limit = TOO_CLOSE if _hangul(first) and _hangul(second) else TOO_CLOSE_LETTERS
        if apart[i, j] <= limit:
            pairs.append(ClosePair(first, second, float(apart[i, j])))
    return sorted(pairs, key=lambda p: p.distance)


def _listened_for(flow: Flow) -> Iterator[tuple[str, tuple[str, ...]]]:
    for step_id, step in flow.steps.items():
        if step.listen is ListenMode.NOTHING:
            continue
        own = list(step.on) + ([step.timed.end_intent] if step.timed else [])
        yield step_id, tuple(dict.fromkeys([*own, *intents.GLOBAL_INTENTS]))


def _is_danger(book: Book, phrase: str, known: dict[str, bool]) -> bool:
    if phrase not in known:
        known[phrase] = book.safety.check(phrase) is not None
    return known[phrase]


def warnings(book: Book) -> list[Problem]:
    """One warning a pair of intents with phrases that sound alike, at the first step that
    listens for both, with the closest pair as the example."""
    seen: set[frozenset[str]] = set()
    done: set[tuple[str, ...]] = set()
    danger: dict[str, bool] = {}  # the safety phrases come back in every step's grammar
    found = []
    for name, flow in [(WELCOME_FLOW, book.welcome), *book.exercises.items()]:
        source = book.sources[name]
        for step_id, expected in _listened_for(flow):
            if expected in done:
                continue
            done.add(expected)
            meanings = {}
            for phrase in book.matcher.grammar(expected) or []:
                if len(phrase.split()) > LONGEST_PHRASE:
                    continue
                match = book.matcher.match(phrase, expected, strict=True)
                if match is not None:
                    meanings[phrase] = match.intent + repr(sorted(match.slots.items()))
                elif _is_danger(book, phrase, danger):
                    meanings[phrase] = intents.SAFETY
            pairs: dict[frozenset[str], list[ClosePair]] = {}
            for pair in close_pairs(meanings):
                key = frozenset((meanings[pair.first], meanings[pair.second]))
                if key not in seen:
                    pairs.setdefault(key, []).append(pair)
            for key, alike in pairs.items():
                seen.add(key)
                closest, more = alike[0], len(alike) - 1
                found.append(source.problem(
                    ("steps", step_id),
                    f"\"{closest.first}\" and \"{closest.second}\" sound alike (distance "
                    f"{closest.distance:.2f}{f'; {more} more such pair(s)' if more else ''}): "
                    "a recogniser may hear one for the other; choose words further apart"))
    return found
