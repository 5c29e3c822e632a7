"""From what someone said (text) to an intent with slots, using the shared vocabulary.

The same vocabulary generates the Alexa model; here we match typed or recognised
text. Recognition makes small mistakes, so slot values and whole phrases are
matched with rapidfuzz's edit-distance ratios rather than exact comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz, process

from dialogs.intents import SAFETY
from dialogs.model import Vocabulary

PHRASE_CUTOFF = 80.0
SHORT_PHRASE = 3
"""Phrases this short (yes, no, ok) must be heard exactly: one letter changes their meaning."""
SLOT_VALUE_CUTOFF = 80.0
OPEN_SLOT_TYPES = frozenset({"AMAZON.FirstName", "AMAZON.SearchQuery"})
_SLOT = re.compile(r"\{(\w+)\}")


def normalise(text: str) -> str:
    """Lower case, no apostrophes or punctuation, single spaces: "We're done!" -> "were done"."""
    text = re.sub(r"['’‘]", "", text.lower())
    text = re.sub(r"[^\w ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _original_tail(text: str, normalised_tail: str) -> str:
    """The end of `text` whose normalised form is `normalised_tail`, keeping its own spelling."""
    words = text.split()
    wanted = len(normalised_tail.split())
    for start in range(len(words)):
        if normalise(" ".join(words[start:])) == normalised_tail:
            return " ".join(words[start:])
    return " ".join(words[-wanted:]) if wanted else text.strip()


def _spoken(phrase: str) -> str:
    """A phrase as a recogniser's lexicon spells it: lower case, words only ("check in")."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w' ]+", " ", phrase.lower())).strip()


@dataclass(frozen=True)
class Match:
    intent: str
    slots: dict[str, str] = field(default_factory=dict)
    score: float = 100.0


@dataclass(frozen=True)
class _Pattern:
    intent: str
    regex: re.Pattern[str]
    slots: tuple[tuple[str, str], ...]
    has_carrier: bool


class Matcher:
    """Matches text against the intents a step expects."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.phrases: dict[str, str] = {}
        self.patterns: list[_Pattern] = []
        for name, intent in vocabulary.intents.items():
            for sample in intent.samples:
                if _SLOT.search(sample):
                    self.patterns.append(self._compile(name, sample))
                else:
                    self.phrases.setdefault(normalise(sample), name)

    def _compile(self, intent: str, sample: str) -> _Pattern:
        parts, slots, position = [], [], 0
        normal = sample.lower()
        for found in _SLOT.finditer(normal):
            parts.append(re.escape(normalise(normal[position:found.start()])))
            slots.append((found.group(1), self.vocabulary.intents[intent].slots[found.group(1)]))
            parts.append(f"(?P<{found.group(1)}>.+?)")
            position = found.end()
        parts.append(re.escape(normalise(normal[position:])))
        body = r"\s*".join(p for p in parts if p)
        carrier = bool(normalise(_SLOT.sub("", sample)))
        return _Pattern(intent, re.compile(rf"^{body}$"), tuple(slots), carrier)

    @cached_property
    def _safety(self) -> list[re.Pattern[str]]:
        phrases = self.vocabulary.intents[SAFETY].samples
        return [re.compile(rf"\b{re.escape(normalise(p))}\b") for p in phrases]

    def is_safety(self, text: str) -> bool:
        """Whether an utterance suggests danger; checked on every utterance, in any step."""
        said = normalise(text)
        return any(pattern.search(said) for pattern in self._safety)

    def slot_value(self, slot_type: str, raw: str) -> str | None:
        raw = raw.strip()
        if slot_type in OPEN_SLOT_TYPES:
            if slot_type == "AMAZON.FirstName":
                words = raw.split()
                if not 1 <= len(words) <= 2:
                    return None
                return " ".join(w.capitalize() for w in words)
            return raw or None
        values = self.vocabulary.slot_types[slot_type].values
        choices = {normalise(s): v for v, synonyms in values.items() for s in (v, *synonyms)}
        best = process.extractOne(raw, list(choices), scorer=fuzz.ratio,
                                  score_cutoff=SLOT_VALUE_CUTOFF)
        return choices[best[0]] if best else None

    def _pattern_match(self, said: str, allowed: set[str], carrier: bool) -> Match | None:
        for pattern in self.patterns:
            if pattern.intent not in allowed or pattern.has_carrier != carrier:
                continue
            found = pattern.regex.match(said)
            if not found:
                continue
            slots = {}
            for slot, slot_type in pattern.slots:
                value = self.slot_value(slot_type, found.group(slot))
                if value is None:
                    break
                slots[slot] = value
            else:
                return Match(pattern.intent, slots)
        return None

    def match(self, text: str, intents: Iterable[str], *, strict: bool = False) -> Match | None:
        """The best intent among `intents` for `text`, or None.

        Strict matching (used while someone speaks freely) accepts only a whole
        phrase of the vocabulary, so "I want to stop arguing" is not "stop".
        """
        said = normalise(text)
        if not said:
            return None
        allowed = set(intents)
        exact = self.phrases.get(said)
        if exact in allowed:
            return Match(exact)
        candidates = {p: i for p, i in self.phrases.items() if i in allowed}
        best = process.extractOne(said, list(candidates), scorer=fuzz.ratio,
                                  score_cutoff=PHRASE_CUTOFF)
        if best and len(best[0]) <= SHORT_PHRASE:
            best = None
        if strict:
            return Match(candidates[best[0]], score=best[1]) if best else None
        found = self._pattern_match(said, allowed, carrier=True)
        if found:
            return found
        if best:
            return Match(candidates[best[0]], score=best[1])
        return self._pattern_match(said, allowed, carrier=False)

    def content(self, text: str) -> str:
        """What someone said freely, without a lead-in like "I feel" that Alexa would not send.

        Keeps the front ends alike: Alexa's free-speech intent fills its slot with the words
        after the lead-in, so typed or recognised text is trimmed the same way.
        """
        said = normalise(text)
        for pattern in self.patterns:
            if not self.vocabulary.intents[pattern.intent].carries_words or not pattern.has_carrier:
                continue
            found = pattern.regex.match(said)
            if found:
                value = found.group(pattern.slots[0][0])
                return _original_tail(text, value)
        return text.strip()

    def grammar(self, intents: Iterable[str]) -> list[str] | None:
        """Every phrase these intents can be said with, slot values spelled out, for a
        recogniser grammar; None when one of them takes open words (a name), which only
        open recognition can hear."""
        phrases: list[str] = []
        for name in dict.fromkeys(intents):
            intent = self.vocabulary.intents.get(name)
            if intent is None:
                continue
            for sample in intent.samples:
                slots = _SLOT.findall(sample)
                if not slots:
                    phrases.append(_spoken(sample))
                    continue
                if any(intent.slots[s] in OPEN_SLOT_TYPES for s in slots):
                    return None
                expanded = [sample.lower()]
                for slot in slots:
                    values = self.vocabulary.slot_types[intent.slots[slot]].values
                    words = [w for v, synonyms in values.items() for w in (*synonyms, v)
                             if "_" not in w]
                    expanded = [e.replace(f"{{{slot}}}", w) for e in expanded for w in words]
                phrases.extend(_spoken(e) for e in expanded)
        return list(dict.fromkeys(phrases))
