"""Whether what someone says tells of a betrayal (an affair, cheating, a big lie), so the
guide can say once that such a hurt is best worked through with a couples therapist, and
not ask the hurt partner to own a part of it.

It reads words the way the safety check does (dialogs/safety/phrases.py: any form of a
word, choices, gaps), from a list in `content/betrayal.yaml` a therapist can edit. It is
never a safety check: danger is read first, by dialogs/safety, on every utterance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dialogs.safety.phrases import Positions, Sequence, find, parse
from dialogs.safety.words import words

BETRAYAL_FILE = Path(__file__).parent / "content" / "betrayal.yaml"

NEGATIONS = frozenset({"not", "never", "didnt", "didn't", "wasnt", "wasn't", "no"})
"""A word just before the phrase that says it did not happen ("he never cheated")."""


@dataclass(frozen=True)
class BetrayalPhrases:
    telling: tuple[Sequence, ...]
    harmless: tuple[Sequence, ...] = ()
    """Everyday phrases with the same words ("cheated out of"): a match inside one is not
    a betrayal."""


def phrases_from(data: Mapping[str, list[str]]) -> BetrayalPhrases:
    return BetrayalPhrases(tuple(parse(text, {}) for text in data["phrases"]),
                           tuple(parse(text, {}) for text in data.get("harmless", ())))


@cache
def shipped_phrases() -> BetrayalPhrases:
    import yaml  # read at the first sentence heard, not at start-up

    return phrases_from(yaml.safe_load(BETRAYAL_FILE.read_text(encoding="utf-8")))


def tells_of_betrayal(text: str, phrases: BetrayalPhrases | None = None) -> bool:
    """Whether `text` tells of an affair, cheating or a big lie, not denied just before."""
    rules = phrases or shipped_phrases()
    said = Positions(words(text))
    starts = range(len(said.words))
    everyday = [(f.start, f.end) for p in rules.harmless for f in find(p, said, starts, False)]
    for phrase in rules.telling:
        for found in find(phrase, said, starts, False):
            before = {w.text for w in said.words[max(0, found.start - 2):found.start]}
            inside_everyday = any(s <= found.start < e for s, e in everyday)
            if not before & NEGATIONS and not inside_everyday:
                return True
    return False
