"""The small phrase language of the safety rules, written by clinicians.

    hit me              words in this order; any form of each word ("hitting me")
    (hit|slap|punch)    one of these words or phrases
    [really]            may be left out (also written `(really)?`)
    ...                 up to four other words may come between
    ~                   up to fourteen other words may come between (across commas too)
    @partner            one of the phrases listed under that name in `words:`
    suicid*             any word that starts this way
    =hurt               this form only (not "hurting")
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property

from dialogs.safety.words import Word, spell_out, without_accents

GAP_WORDS = 4
SENTENCE_WORDS = 14


class PhraseError(ValueError):
    """A phrase that cannot be read; the message says why in plain words."""


@dataclass(frozen=True)
class Literal:
    word: str
    prefix: bool = False
    exact: bool = False

    def matches(self, word: Word) -> bool:
        if self.exact:
            return word.text == self.word
        if self.prefix:
            return word.text.startswith(self.word)
        return word.is_(self.word)


@dataclass(frozen=True)
class Sequence:
    parts: tuple[Element, ...]


@dataclass(frozen=True)
class Choice:
    options: tuple[Sequence, ...]
    optional: bool = False

    @cached_property
    def option_words(self) -> tuple[str | None, ...]:
        """For each option, its word when it is one plain word (the common case, tested
        without the general matcher), else None. Worked out when first needed."""
        words: list[str | None] = []
        for option in self.options:
            head = option.parts[0] if len(option.parts) == 1 else None
            plain = isinstance(head, Literal) and not (head.prefix or head.exact)
            words.append(head.word if plain else None)  # type: ignore[union-attr]
        return tuple(words)

    @cached_property
    def single_words(self) -> frozenset[str]:
        return frozenset(word for word in self.option_words if word is not None)

    @cached_property
    def other_options(self) -> tuple[Sequence, ...]:
        return tuple(option for option, word in zip(self.options, self.option_words,
                                                    strict=True) if word is None)


@dataclass(frozen=True)
class Gap:
    most: int = GAP_WORDS


Element = Literal | Sequence | Choice | Gap

_TOKEN = re.compile(r"\.\.\.|~|[()\[\]|?]|@[\w-]+|[^\s()\[\]|~?]+")


@cache
def _spelled(word: str) -> tuple[Literal, ...]:
    """A word written the way people say it ("won't", "dont"), read the way words are; one
    `Literal` for each word wherever it is written."""
    return tuple(Literal(w) for w in spell_out(word).split())


def parse(phrase: str, lists: Mapping[str, Choice]) -> Sequence:
    """Read one phrase; `lists` holds the named word lists it may use."""
    tokens = _TOKEN.findall(without_accents(phrase.lower()))
    position = 0

    def sequence(closing: str | None) -> tuple[Sequence, str | None]:
        nonlocal position
        parts: list[Element] = []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token in (")", "]", "|"):
                if closing is None:
                    raise PhraseError(f"`{token}` has no opening bracket before it")
                return Sequence(tuple(parts)), token
            if token in ("(", "["):
                parts.append(group(")" if token == "(" else "]"))
            elif token in ("...", "~"):
                if not parts:
                    raise PhraseError(f"`{token}` cannot start a phrase or a group")
                parts.append(Gap() if token == "..." else Gap(SENTENCE_WORDS))
            elif token == "?":
                if not parts or not isinstance(parts[-1], Choice):
                    raise PhraseError("`?` can only follow a bracket, as in `(really|so)?`")
                parts[-1] = Choice(parts[-1].options, optional=True)
            elif token.startswith("@"):
                name = token[1:]
                if name not in lists:
                    raise PhraseError(f"`{token}` is not a list under `words:`")
                parts.append(lists[name])
            else:
                word = token.strip("'\".,!?")
                if not word:
                    continue
                if word.endswith("*"):
                    parts.append(Literal(word.rstrip("*"), prefix=True))
                    continue
                if word.startswith("=") and len(word) > 1:
                    parts.append(Literal(word[1:], exact=True))
                    continue
                parts.extend(_spelled(word))
        if closing is not None:
            raise PhraseError(f"a bracket is opened but not closed with `{closing}`")
        return Sequence(tuple(parts)), None

    def group(closing: str) -> Choice:
        options: list[Sequence] = []
        while True:
            option, ended_by = sequence(closing)
            if ended_by not in ("|", closing):
                raise PhraseError(f"a bracket is opened but not closed with `{closing}`")
            if not option.parts:
                raise PhraseError("a bracket holds an empty choice")
            options.append(option)
            if ended_by == closing:
                return Choice(tuple(options), optional=closing == "]")

    result, _ = sequence(None)
    if not result.parts:
        raise PhraseError("the phrase is empty")
    if isinstance(result.parts[-1], Gap):
        raise PhraseError("`...` or `~` cannot end a phrase")
    return result


Hit = tuple[int, frozenset[int]]
"""Where a match ends, and the positions of the words the phrase itself named."""


def _match(element: Element, said: Positions, at: int, named: frozenset[int]
           ) -> Iterator[Hit]:
    if isinstance(element, Literal):
        if at < len(said.words) and element.matches(said.words[at]):
            yield at + 1, named | {at}
    elif isinstance(element, Sequence):
        yield from _sequence(element.parts, 0, said, at, named)
    elif isinstance(element, Choice):
        if element.optional:
            yield at, named
        forms_here = said.words[at].forms if at < len(said.words) else frozenset()
        for option, word in zip(element.options, element.option_words, strict=True):
            if word is None:
                yield from _match(option, said, at, named)
            elif word in forms_here:
                yield at + 1, named | {at}


def _sequence(parts: tuple[Element, ...], index: int, said: Positions, at: int,
              named: frozenset[int]) -> Iterator[Hit]:
    if index == len(parts):
        yield at, named
        return
    part = parts[index]
    if isinstance(part, Gap):
        way_on = begins(Sequence(parts[index + 1:]), said, said.every_end)
        for skip in range(part.most + 1):
            if at + skip > len(said.words):
                return
            if way_on >> (at + skip) & 1:
                yield from _sequence(parts, index + 1, said, at + skip, named)
        return
    for end, now_named in _match(part, said, at, named):
        yield from _sequence(parts, index + 1, said, end, now_named)


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    named: frozenset[int]


MAX_WAYS = 32
"""How many different ways of matching at one start are tried at most."""


def find(phrase: Sequence, said: Positions, starts: Iterable[int],
         every_way: bool) -> Iterator[Found]:
    """Where `phrase` is said, from each of `starts`: the first way at each start, or with
    `every_way` each different way (other gaps name other words)."""
    for start in starts:
        seen: set[tuple[int, frozenset[int]]] = set()
        for end, named in _match(phrase, said, start, frozenset()):
            if end <= start or (end, named) in seen:
                continue
            seen.add((end, named))
            yield Found(start, end, named)
            if not every_way or len(seen) >= MAX_WAYS:
                break


class Positions:
    """Where each form is said in `words`, as bit sets (bit i stands for the i-th word):
    what `begins` reads to tell, with a few integer operations, whether a phrase is said."""

    def __init__(self, words: list[Word]):
        self.words = words
        self.by_form: dict[str, int] = {}
        self.by_text: dict[str, int] = {}
        for position, word in enumerate(words):
            bit = 1 << position
            self.by_text[word.text] = self.by_text.get(word.text, 0) | bit
            for form in word.forms:
                self.by_form[form] = self.by_form.get(form, 0) | bit
        self.forms = frozenset(self.by_form)
        self.every_start = (1 << len(words)) - 1
        self.every_end = (1 << (len(words) + 1)) - 1
        self._other: dict[tuple[str, bool], int] = {}
        self.seen: dict[tuple[int, int], int] = {}
        """What `begins` found for a choice of several words and the ends it was given."""

    def of(self, literal: Literal) -> int:
        """The words `literal` matches."""
        if not (literal.prefix or literal.exact):
            return self.by_form.get(literal.word, 0)
        key = (literal.word, literal.prefix)
        if key not in self._other:  # as `Literal.matches`, for each word said once
            self._other[key] = (
                sum(bits for text, bits in self.by_text.items() if text.startswith(literal.word))
                if literal.prefix else self.by_text.get(literal.word, 0))
        return self._other[key]

    def of_any(self, forms: frozenset[str]) -> int:
        """The words said in any of `forms`."""
        found = 0
        for form in forms & self.forms:
            found |= self.by_form[form]
        return found


def begins(element: Sequence | Choice | Gap, said: Positions, ends: int) -> int:
    """Every position where a match of `element` that ends at one of `ends` can begin, all
    ways at once (bit sets, as `Positions`): `find` reaches no other. A sequence reads its
    words itself, so a word is never an `element` here."""
    if isinstance(element, Sequence):
        for part in reversed(element.parts):
            if isinstance(part, Literal):
                ends = (ends >> 1) & said.of(part)
            else:
                ends = begins(part, said, ends)
            if not ends:
                return 0
        return ends
    if isinstance(element, Gap):
        spread = ends
        for skip in range(1, element.most + 1):
            spread |= ends >> skip
        return spread
    if not element.other_options:
        found = (ends >> 1) & said.of_any(element.single_words)
        return found | ends if element.optional else found
    key = (id(element), ends)  # word lists are shared by many rules: each is read once
    if key not in said.seen:
        found = (ends >> 1) & said.of_any(element.single_words)
        for option in element.other_options:
            found |= begins(option, said, ends)
        said.seen[key] = found
    return said.seen[key] | ends if element.optional else said.seen[key]


def positions(bits: int) -> list[int]:
    """The positions in a bit set, in order."""
    found = []
    while bits:
        lowest = bits & -bits
        found.append(lowest.bit_length() - 1)
        bits ^= lowest
    return found


APART = SENTENCE_WORDS + GAP_WORDS
"""Empty places between sentences read side by side: more than a phrase usually spans."""


def side_by_side(sentences: list[list[Word]]) -> tuple[Positions, int, list[int]]:
    """Several sentences read as one, `APART` empty places between them: the `Positions`,
    the ends a match may have (as each sentence alone has them), and each sentence's words.

    `begins` over them with those ends finds every start each sentence has alone, and maybe
    more (never fewer: a bit operation only adds what the sentences around give), so a
    sentence with no start there has none alone."""
    gap = Word("", frozenset())
    words: list[Word] = []
    ends = 0
    spans: list[int] = []
    for sentence in sentences:
        at = len(words)
        spans.append(((1 << len(sentence)) - 1) << at)
        ends |= ((1 << (len(sentence) + 1)) - 1) << at
        words += sentence
        words += [gap] * APART
    said = Positions(words)
    said.every_start = sum(spans)
    return said, ends, spans


def required_words(phrase: Sequence) -> tuple[frozenset[str], ...]:
    """For each part a match cannot do without, words one of which must be said: a sentence
    that lacks any of them cannot match, whatever else it says (a fast first test)."""
    found: list[frozenset[str]] = []
    for part in phrase.parts:  # words, choices and gaps: `parse` nests sequences only in choices
        if isinstance(part, Gap) or (isinstance(part, Choice) and part.optional):
            continue
        firsts = _firsts((part,))
        if firsts is not None:
            found.append(firsts)
    return tuple(found)


def first_words(phrase: Sequence) -> frozenset[str] | None:
    """Words one of which must start any match (lemma forms), or None when any word could."""
    return _firsts(phrase.parts)


def _firsts(parts: tuple[Element, ...]) -> frozenset[str] | None:
    if not parts:
        return None
    head = parts[0]
    if isinstance(head, Literal):
        return None if head.prefix else frozenset({head.word})  # an exact form is a form too
    if isinstance(head, Gap):
        return None
    assert isinstance(head, Choice)  # `parse` nests sequences only in choices
    found: set[str] = set()
    for option in head.options:
        option_firsts = _firsts(option.parts + parts[1:])
        if option_firsts is None:
            return None
        found |= option_firsts
    if head.optional:
        rest = _firsts(parts[1:])
        if rest is None:
            return None
        found |= rest
    return frozenset(found)

