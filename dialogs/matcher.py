"""From what someone said (text) to an intent with slots, using the shared vocabulary.

The same vocabulary generates the Alexa model; here we match typed or recognised
text. Fillers ("um", "well,") and closing thanks are dropped first. Recognition makes small
mistakes, so long words of a phrase and slot values are matched with rapidfuzz's
edit-distance ratios; short words must be heard exactly. `SafetyIntent`'s phrases are for
Alexa's model only: the safety check reads every utterance before this matcher does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz, process

from dialogs.gist import GistReader, ValueCues
from dialogs.intents import CHOICE_SLOT, CHOOSE_INTENT, NAME, NAME_SLOT, PAUSE, SAFETY, UNSURE
from dialogs.model import Vocabulary

PHRASE_CUTOFF = 80.0
WORD_CUTOFF = 80.0
SHORT_WORD = 4
"""Words this short (yes, no, say, what) must be heard exactly: one letter changes them."""
SLOT_VALUE_CUTOFF = 80.0
OPEN_SLOT_TYPES = frozenset({"AMAZON.FirstName", "AMAZON.SearchQuery"})
NAME_SLOT_TYPE = "AMAZON.FirstName"
_SLOT = re.compile(r"\{(\w+)\}")

FILLERS = frozenset({"um", "umm", "uh", "uhm", "er", "erm", "hmm", "hm", "mm", "ah"})
"""Sounds that carry no meaning anywhere in an answer: "um yes" is yes."""
BREAKS = frozenset({"oh", "wait", "sorry", "actually", "anyway", "ugh", "oops", "shoot"})
"""Words with which someone breaks off what they were saying (as fillers do)."""
OPENERS = ("well", "so", "like", "oh", "ok so", "okay so")
"""Words that open an answer without changing it ("well, yes"), dropped at the start only."""
POLITENESS = ("please", "thanks", "thank you", "thank you very much", "thanks a lot")
"""Said at the end of an answer without changing it ("no thank you" is no)."""
COMMON_WORDS = frozenset(" ".join((
    "a an the and or but if of to in on at for with about from by as is am are was were be been",
    "i im me my mine you your we us our he she him her his they them their it its this that",
    "these those here there what who how why when where which not no yes nothing anything",
    "something very really just too quite still also only now then today tonight again",
    "feel feeling felt scared afraid frightened terrified unsafe safe fine okay ok good bad sad",
    "upset angry hurt tired sure unsure ready done back sorry well sick lost alone stuck",
    "confused worried nervous anxious happy glad busy free home gone going trying thinking",
    "hi hello hey hiya there called names name",
)).split())
"""Everyday words that are not first names, besides the words of the vocabulary's own
phrases: "I'm not safe" and "I'm scared" are not someone called Not Safe or Scared."""
NAME_FRAME = frozenset(" ".join((
    "i im me my mine its it is this thats that thatll thatd be hes he shes she the other one ones",
    "and better half husbands wifes partners boyfriends girlfriends",
    "just everyone everybody calls call called they name names first names speaking here",
    "you can put write down wife husband partner partners boyfriend girlfriend fiance fiancee",
    "yes yeah ya yep oh um uh well so ok okay sorry lol haha hi hello hey there mines",
    "with a an spelled spelt like", "s",
)).split())
"""Words around a first name that are not part of it: "oh that'll be me, Tom", "he's called
Tomasz", "kat with a k"."""
QUESTION_WORDS = frozenset({"what", "why", "how", "who", "where", "when", "which"})


def normalise(text: str) -> str:
    """Lower case, no apostrophes or punctuation, single spaces: "We're done!" -> "were done"."""
    text = re.sub(r"['’‘]", "", text.lower())
    text = re.sub(r"[^\w ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def plain(text: str, *, endings: bool = True) -> str:
    """Normalised, without fillers, opening words or closing thanks: "Um, yes please" -> "yes".
    With `endings=False` the end stays as it was said."""
    words = [w for w in normalise(text).split() if w not in FILLERS]
    changed = True
    while changed:
        changed = False
        for opener in OPENERS:
            size = len(opener.split())
            if len(words) > size and " ".join(words[:size]) == opener:
                words, changed = words[size:], True
        for ending in POLITENESS if endings else ():
            size = len(ending.split())
            if len(words) > size and " ".join(words[-size:]) == ending:
                words, changed = words[:-size], True
    return " ".join(words)


def _original_tail(text: str, normalised_tail: str) -> str:
    """The end of `text` whose normalised form is `normalised_tail`, keeping its own spelling."""
    words = text.split()
    wanted = len(normalised_tail.split())
    for start in range(len(words)):
        if normalise(" ".join(words[start:])) == normalised_tail:
            return " ".join(words[start:])
    return " ".join(words[-wanted:]) if wanted else text.strip()


def spoken(phrase: str) -> str:
    """A phrase as a recogniser's lexicon spells it: lower case, words only ("check in")."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w' ]+", " ", phrase.lower())).strip()


def _close(said: str, phrase: str) -> bool:
    """Whether `said` is `phrase` with small mistakes in its longer words only, so "repeet"
    is "repeat" but "say again" is not "start again"."""
    heard, wanted = said.split(), phrase.split()
    if len(heard) != len(wanted):
        return False
    return all(h == w or (len(w) > SHORT_WORD and fuzz.ratio(h, w) >= WORD_CUTOFF)
               for h, w in zip(heard, wanted, strict=True))


MAX_VALUE_WORDS = 20
"""Longer answers are someone talking: a slot value is not read from their cues."""
MAX_NAME_ANSWER_WORDS = 8
"""Longer answers are not someone saying their name, whatever words frame it."""


def _contains(words: list[str], part: list[str]) -> bool:
    size = len(part)
    return bool(part) and any(words[i:i + size] == part for i in range(len(words) - size + 1))


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
    is_answer: bool = False
    literal: int = 0
    """How many words are said as written: "i'm called {name}" is tried before "i'm {name}"."""


class Matcher:
    """Matches text against the intents a step expects."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.phrases: dict[str, str] = {}
        self.patterns: list[_Pattern] = []
        for name, intent in vocabulary.intents.items():
            if name == SAFETY:
                continue
            for sample in intent.samples:
                if _SLOT.search(sample):
                    self.patterns.append(self._compile(name, sample))
                else:
                    self.phrases.setdefault(normalise(sample), name)
            for sample in intent.answers:
                self.patterns.append(self._compile(name, sample, is_answer=True))
        self.patterns.sort(key=lambda p: -p.literal)

    def _compile(self, intent: str, sample: str, *, is_answer: bool = False) -> _Pattern:
        parts, slots, position = [], [], 0
        normal = sample.lower()
        for found in _SLOT.finditer(normal):
            parts.append(re.escape(normalise(normal[position:found.start()])))
            slots.append((found.group(1), self.vocabulary.intents[intent].slots[found.group(1)]))
            parts.append(f"(?P<{found.group(1)}>.+?)")
            position = found.end()
        parts.append(re.escape(normalise(normal[position:])))
        body = r"\s*".join(p for p in parts if p)
        literal = len(normalise(_SLOT.sub(" ", sample)).split())
        return _Pattern(intent, re.compile(rf"^{body}$"), tuple(slots), literal > 0, is_answer,
                        literal)

    @cached_property
    def gist(self) -> GistReader:
        return GistReader(self.vocabulary, normalise)

    @cached_property
    def not_names(self) -> frozenset[str]:
        """Words that are not first names: everyday words, the words around a name, and those
        of the vocabulary's phrases and slot values ("sure", "done", "ready", "safe")."""
        words = set(COMMON_WORDS) | NAME_FRAME
        for intent in self.vocabulary.intents.values():
            for sample in (*intent.samples, *intent.answers):
                if not _SLOT.search(sample):
                    words.update(normalise(sample).split())
        for slot_type in self.vocabulary.slot_types.values():
            for value, synonyms in slot_type.values.items():
                for said in (value, *synonyms):
                    words.update(normalise(said.replace("_", " ")).split())
        return frozenset(words)

    @cached_property
    def known_words(self) -> frozenset[str]:
        """Every word the vocabulary spells, to read "yesss" or "nooo" as the word meant."""
        words = set(self.not_names) | FILLERS | self.gist.frame
        words.update(w for cue in self.gist.cues for w in cue)
        return frozenset(words)

    def respelled(self, said: str) -> str:
        """`said` with each unknown word whose doubled letters make a known word spelled as
        that word: "yesss" is "yes", "noo" is "no", "hmmm" is "hmm"."""
        words = said.split()
        for i, word in enumerate(words):
            if word in self.known_words or not re.search(r"(.)\1", word):
                continue
            for size in ("", r"\1"):
                shorter = re.sub(r"(.)\1+", r"\1" + size, word)
                if shorter in self.known_words:
                    words[i] = shorter
                    break
        return " ".join(words)

    def is_name(self, text: str) -> bool:
        """One or two words, none of them an everyday word or an answer."""
        words = normalise(text).split()
        return 1 <= len(words) <= 2 and not set(words) & self.not_names

    def slot_value(self, slot_type: str, raw: str) -> str | None:
        raw = raw.strip()
        if slot_type in OPEN_SLOT_TYPES:
            if slot_type == NAME_SLOT_TYPE:
                if not self.is_name(raw):
                    return None
                return " ".join(w.capitalize() for w in normalise(raw).split())
            return raw or None
        values = self.vocabulary.slot_types[slot_type].values
        choices = {normalise(s): v for v, synonyms in values.items() for s in (v, *synonyms)}
        best = process.extractOne(plain(raw), list(choices), scorer=fuzz.ratio,
                                  score_cutoff=SLOT_VALUE_CUTOFF)
        return choices[best[0]] if best else None

    def _pattern_match(self, said: str, allowed: set[str], carrier: bool,
                       answers: bool) -> Match | None:
        for pattern in self.patterns:
            if pattern.intent not in allowed or pattern.has_carrier != carrier or \
                    (pattern.is_answer and not answers):
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

    def _phrase_match(self, said: str, allowed: set[str]) -> Match | None:
        candidates = [p for p, i in self.phrases.items() if i in allowed]
        for phrase, score, _ in process.extract(said, candidates, scorer=fuzz.ratio,
                                                score_cutoff=PHRASE_CUTOFF, limit=5):
            if _close(said, phrase):
                return Match(self.phrases[phrase], score=score)
        return None

    def match(self, text: str, intents: Iterable[str], *, strict: bool = False,
              answers: bool = True) -> Match | None:
        """The best intent among `intents` for `text`, or None.

        Strict matching (used while someone speaks freely) accepts only a whole
        phrase of the vocabulary, so "I want to stop arguing" is not "stop".
        `answers=False` leaves out the intents' `answers` (Alexa when it is not asking).
        """
        allowed = set(intents) - {SAFETY}
        said = plain(text)
        respelled = self.respelled(said)
        if answers and not strict:
            found = self._value_by_cues(respelled, allowed)  # "sort of" to "how did it go?"
            if found:
                return found
        for form in (normalise(text), respelled, said):
            exact = self.phrases.get(form)
            if exact in allowed:
                return Match(exact)
        if not said:  # only "um", "erm": a non-answer, not nothing
            return Match(UNSURE, score=PHRASE_CUTOFF) if UNSURE in allowed and \
                normalise(text) else None
        best = self._phrase_match(said, allowed)
        if strict:
            bare = None if best else (self.gist.read(respelled, allowed, bare=True)
                                      or self._after_last_break(text, allowed)
                                      or self.gist.request(respelled, allowed, opening=PAUSE))
            return best or (Match(bare, score=PHRASE_CUTOFF) if bare else None)
        found = (self._pattern_match(said, allowed, True, answers) or best
                 or self._pattern_match(said, allowed, False, answers))
        if found:
            return found
        if answers:
            found = self._exercise_named_in(said, allowed) or self._name_among_words(said, allowed)
            if found:
                return found
        gist = self.gist.read(respelled, allowed) or self._after_last_break(text, allowed)
        return Match(gist, score=PHRASE_CUTOFF) if gist else None

    def _after_last_break(self, text: str, allowed: set[str]) -> str | None:
        """The gist of the words after someone breaks off ("the thing that hurt was, um,
        hang on, the baby's crying"), read as an answer on its own or a request."""
        words = normalise(text).split()
        breaks = [i for i, w in enumerate(words) if w in FILLERS or w in BREAKS]
        if not breaks or breaks[-1] == 0:
            return None
        rest = self.respelled(plain(" ".join(words[breaks[-1]:])))
        if not rest:
            return None
        return self.gist.read(rest, allowed, bare=True) or self.gist.request(rest, allowed)

    def _value_by_cues(self, said: str, allowed: set[str]) -> Match | None:
        """A slot value given by its cues anywhere in a short answer to the slot's own question:
        "nope, totally slipped my mind" is not kept, "tweak it a bit" is change."""
        words = said.split()
        if len(words) > MAX_VALUE_WORDS:
            return None
        for name, slot, reader in self.value_cues:
            value = reader.read(words) if name in allowed else None
            if value:
                return Match(name, {slot: value}, score=PHRASE_CUTOFF)
        return None

    @cached_property
    def value_cues(self) -> list[tuple[str, str, ValueCues]]:
        """Each intent that answers its own question with one slot whose type has cues: the
        intent, the slot, and the reader of its values."""
        found = []
        for name, intent in self.vocabulary.intents.items():
            if not intent.answers or len(intent.slots) != 1:
                continue
            (slot, slot_type), = intent.slots.items()
            values = self.vocabulary.slot_types.get(slot_type)
            if values is not None and values.cues:
                found.append((name, slot, ValueCues(values, normalise)))
        return found

    def _exercise_named_in(self, said: str, allowed: set[str]) -> Match | None:
        """An exercise named inside a longer answer ("the walk one", "can we do the one about
        promises"), when one exercise is named and nothing denies it ("not the walk one")."""
        if CHOOSE_INTENT not in allowed:
            return None
        words = said.split()
        named = {value for value, name in self.exercise_names if _contains(words, name)}
        if len(named) != 1 or set(words) & self.gist.negation_words:
            return None
        return Match(CHOOSE_INTENT, {CHOICE_SLOT: named.pop()}, score=PHRASE_CUTOFF)

    @cached_property
    def exercise_names(self) -> list[tuple[str, list[str]]]:
        """Each exercise with every way of naming it, as words ("check in")."""
        intent = self.vocabulary.intents.get(CHOOSE_INTENT)
        slot_type = intent.slots.get(CHOICE_SLOT, "") if intent else ""
        values = self.vocabulary.slot_types.get(slot_type)
        if values is None:
            return []
        return [(value, normalise(said.replace("-", " ")).split())
                for value, synonyms in values.values.items() for said in (value, *synonyms)]

    def _name_among_words(self, said: str, allowed: set[str]) -> Match | None:
        """A first name said among words that only frame it: "oh that'll be me, Tom", "he's
        called Tomasz", "kat with a k"; never in a question ("what's my name for?")."""
        if NAME not in allowed:
            return None
        words = [w for w in said.split() if w not in FILLERS and len(w) > 1]  # "T H A N D I"
        if set(words) & QUESTION_WORDS or len(words) > MAX_NAME_ANSWER_WORDS:
            return None
        rest = [i for i, w in enumerate(words) if w not in NAME_FRAME]
        if not rest or rest[-1] - rest[0] + 1 != len(rest) or len(rest) > 2:
            return None
        name = " ".join(words[i] for i in rest)
        value = self.slot_value(NAME_SLOT_TYPE, name)
        return Match(NAME, {NAME_SLOT: value}, score=PHRASE_CUTOFF) if value else None

    def content(self, text: str) -> str:
        """What someone said freely, without a lead-in like "I feel" that Alexa would not send.

        Keeps the front ends alike: Alexa's free-speech intent fills its slot with the words
        after the lead-in, so typed or recognised text is trimmed the same way.
        """
        said = plain(text, endings=False)
        for pattern in self.patterns:
            if not self.vocabulary.intents[pattern.intent].carries_words or not pattern.has_carrier:
                continue
            found = pattern.regex.match(said)
            if found:
                value = found.group(pattern.slots[0][0])
                return _original_tail(text, value)
        return text.strip()

    def grammar(self, intents: Iterable[str], names: Sequence[str] = ()) -> list[str] | None:
        """Every phrase these intents can be said with, slot values spelled out, for a
        recogniser grammar; None when one of them takes open words, which only open
        recognition can hear. A first name is open words unless `names` lists the ones
        that can be meant (the couple's, when one of them is chosen)."""
        phrases: list[str] = []
        for name in dict.fromkeys(intents):
            intent = self.vocabulary.intents.get(name)
            if intent is None:
                continue
            for sample in (*intent.samples, *intent.answers):
                slots = _SLOT.findall(sample)
                if not slots:
                    phrases.append(spoken(sample))
                    continue
                if any(intent.slots[s] in OPEN_SLOT_TYPES and not (
                        intent.slots[s] == NAME_SLOT_TYPE and names) for s in slots):
                    return None
                expanded = [sample.lower()]
                for slot in slots:
                    words = list(names) if intent.slots[slot] == NAME_SLOT_TYPE else [
                        w for v, synonyms in self.vocabulary.slot_types[
                            intent.slots[slot]].values.items() for w in (*synonyms, v)
                        if "_" not in w]
                    expanded = [e.replace(f"{{{slot}}}", w) for e in expanded for w in words]
                phrases.extend(spoken(e) for e in expanded)
        return list(dict.fromkeys(phrases))
