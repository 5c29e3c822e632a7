"""A blame check for words a person prepares for the partner: always and never, labels
("you're so"), name-calling and orders ("you should") are found, so the guide can reflect
them back with a gentle suggestion and let the person try again or keep their words.

The phrases and suggestions live in `content/blame.yaml` for a therapist to edit. The check
is a plain phrase search on normalised words (the matcher's normaliser, so "youre" from a
recogniser is "you're"): no library reads blame, and a word list keeps it explainable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from dialogs.matcher import normalise

BLAME_FILE = Path(__file__).parent / "content" / "blame.yaml"


class BlameKind(StrEnum):
    """Kinds in the order their suggestion is preferred when several are heard."""

    NAME_CALLING = "name_calling"
    LABEL = "label"
    ABSOLUTE = "absolute"
    DEMAND = "demand"


@dataclass(frozen=True)
class BlameRule:
    kind: BlameKind
    phrases: Mapping[str, str]
    """Normalised phrase -> the phrase as written (the first spelling listed)."""
    unless_after: frozenset[str]
    suggestion: str


@dataclass(frozen=True)
class Blame:
    """Blame heard in some words: its kind and the phrases, as written in the list."""

    kind: BlameKind
    words: tuple[str, ...]
    suggestion: str

    @property
    def said(self) -> str:
        return " and ".join(self.words)


def rules_from(data: Mapping[str, Any]) -> tuple[BlameRule, ...]:
    rules = []
    for kind in BlameKind:
        entry = data.get(kind.value)
        if not entry:
            continue
        phrases: dict[str, str] = {}
        for phrase in entry["phrases"]:
            phrases.setdefault(normalise(phrase), phrase)
        rules.append(BlameRule(kind, phrases, frozenset(entry.get("unless_after", ())),
                               " ".join(entry["suggestion"].split())))
    return tuple(rules)


@cache
def shipped_rules() -> tuple[BlameRule, ...]:
    import yaml  # read at the first words checked for blame, not at start-up

    return rules_from(yaml.safe_load(BLAME_FILE.read_text(encoding="utf-8")))


def _found(words: list[str], rule: BlameRule) -> list[str]:
    """The phrases of `rule` in `words`, longest first at each place, each listed once."""
    found: list[str] = []
    longest = max((len(p.split()) for p in rule.phrases), default=0)
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + size])
            if phrase in rule.phrases:
                if not (i and words[i - 1] in rule.unless_after):
                    written = rule.phrases[phrase]
                    if written not in found:
                        found.append(written)
                i += size - 1
                break
        i += 1
    return found


def find_blame(text: str, rules: tuple[BlameRule, ...] | None = None) -> tuple[Blame, ...]:
    """Every kind of blame in `text`, the preferred kind first; empty when there is none."""
    words = normalise(text).split()
    heard = []
    for rule in rules if rules is not None else shipped_rules():
        found = _found(words, rule)
        if found:
            heard.append(Blame(rule.kind, tuple(found), rule.suggestion))
    return tuple(heard)
