"""Who speaks first: the answer to "Who would like to go first?" read against the names.

A name decides ("Sam", "Sam will", "let Alex start"); "not Sam" means the other partner.
"Either", "doesn't matter" or "you choose" leave it to the guide. "Me", "I will", "you go"
or "she will" cannot be placed on a shared speaker, which does not know who spoke, so the
guide asks for a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dialogs.matcher import normalise, spoken


class TurnAnswer(StrEnum):
    NAMED = "named"
    """A partner was named: `partner` says which."""
    EITHER = "either"
    """Either of them may start."""
    NEEDS_NAME = "needs_name"
    """Someone offered ("me", "she will"), but who is not known without a name."""
    UNCLEAR = "unclear"
    """Nothing in the words answers the question."""


@dataclass(frozen=True)
class FirstTurn:
    answer: TurnAnswer
    partner: int | None = None
    """0 for the first-named partner, 1 for the second, when `answer` is NAMED."""


EITHER_PHRASES = ("either", "either one", "either of us", "either is fine", "doesn't matter",
                  "it doesn't matter", "does not matter", "don't mind", "i don't mind",
                  "we don't mind", "do not mind", "don't care", "you choose", "you pick",
                  "you decide", "anyone", "anybody", "whoever", "both", "no preference",
                  "up to you", "all the same", "you say")
OFFER_PHRASES = ("me", "i will", "i'll go", "i'll go first", "i'll start", "i can", "i go",
                 "i do", "i want", "i would", "i'd like", "let me", "you go", "you start",
                 "you first", "she will", "he will", "they will", "she can", "he can",
                 "they can", "her", "him", "them", "my partner", "my wife", "my husband",
                 "the other one")
NAMED_PHRASES = ("{name}", "{name} will", "{name} can", "{name} first", "{name} please",
                 "{name} will start", "{name} can start", "{name} starts", "{name} goes first",
                 "{name} will go first", "{name} can go first", "let {name} start",
                 "let {name} go first", "not {name}")
"""Ways of naming who starts that a recogniser's grammar lists; written out, any sentence
with a name in it is understood."""
NEGATIONS = frozenset({"not", "no"})


def _positions(words: list[str], phrase: str) -> list[int]:
    """Where `phrase` starts in `words`, both normalised."""
    wanted = normalise(phrase).split()
    if not wanted:
        return []
    return [i for i in range(len(words)) if words[i:i + len(wanted)] == wanted]


def who_goes_first(text: str, names: tuple[str, str]) -> FirstTurn:
    """Which partner the answer puts first, if it says."""
    words = normalise(text).split()
    mentions: list[tuple[int, int]] = []
    for partner, name in enumerate(names):
        if normalise(names[0]) == normalise(names[1]) and partner == 1:
            break
        for at in _positions(words, name):
            negated = at > 0 and words[at - 1] in NEGATIONS
            mentions.append((at, 1 - partner if negated else partner))
    if mentions:
        chosen = {partner for _, partner in mentions}
        if len(chosen) == 1:
            return FirstTurn(TurnAnswer.NAMED, chosen.pop())
        return FirstTurn(TurnAnswer.NAMED, min(mentions)[1])
    if any(_positions(words, phrase) for phrase in EITHER_PHRASES):
        return FirstTurn(TurnAnswer.EITHER)
    if any(_positions(words, phrase) for phrase in OFFER_PHRASES):
        return FirstTurn(TurnAnswer.NEEDS_NAME)
    return FirstTurn(TurnAnswer.UNCLEAR)


def answers(names: tuple[str, ...]) -> list[str]:
    """Every answer of the lists above, the names filled in, as they are spoken: the phrases
    a recogniser listens for at a step where the couple says who goes first."""
    named = [spoken(template.replace("{name}", name)) for name in dict.fromkeys(names)
             for template in NAMED_PHRASES]
    return list(dict.fromkeys([*named, *EITHER_PHRASES, *OFFER_PHRASES]))
