"""Someone's own words, read back in the right voice.

What a partner promised or planned is kept as they said it ("I'll cook dinner on Friday")
and read back either as a quotation to them (`own_words`), or turned to the second person
for them (`second_person`: "you'll cook dinner on Friday") or to the third person for the
couple (`third_person`: "Priya will cook dinner on Friday"). "You" in their words meant the
partner, so it becomes the partner's name. Speech recognisers drop apostrophes ("ill",
"im", "id"); those are read as the contractions they stand for.

Pure functions over words: no state, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"^([^\w']*)([\w']*)(.*)$")
_END = re.compile(r"[\s.,;:!?]+$")

_SPOKEN_CONTRACTIONS = {
    "i": "I", "im": "I'm", "ive": "I've", "id": "I'd", "ill": "I'll", "i'm": "I'm",
    "i've": "I've", "i'd": "I'd", "i'll": "I'll", "dont": "don't", "cant": "can't",
    "wont": "won't", "didnt": "didn't", "doesnt": "doesn't", "isnt": "isn't", "wasnt": "wasn't",
    "youre": "you're", "youll": "you'll", "youve": "you've", "lets": "let's", "thats": "that's",
    "theyre": "they're", "shouldnt": "shouldn't", "couldnt": "couldn't", "wouldnt": "wouldn't",
    "arent": "aren't", "havent": "haven't", "weve": "we've",
}
"""Words a recogniser writes without their apostrophe, as they were said."""
_PROPER = {day: day.capitalize() for day in (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "april", "june", "july", "september", "october", "november", "december")}
"""Days and months a recogniser writes in lower case ("may" and "march" are words too)."""
_ILL_AS_SICK_AFTER = frozenset({
    "feel", "feels", "felt", "feeling", "am", "is", "was", "were", "be", "been", "being", "get",
    "got", "gets", "getting", "fall", "fell", "look", "looks", "looked", "seem", "seems", "very",
    "so", "too", "really", "quite", "fallen", "become", "became", "'m", "i'm", "im", "are",
})
"""After these, "ill" means unwell, not "I'll"."""

_SUBJECTS = frozenset({"i", "i'm", "i'll", "i'd", "i've", "we", "we'll", "we're", "we'd",
                       "we've", "let's"})
"""A sentence that starts with one of these already says who does it."""
_SCENE_SETTERS = frozenset({"on", "every", "each", "tomorrow", "tonight", "today", "this", "next",
                            "from", "starting", "at", "by", "before", "after", "when", "if",
                            "whenever", "once", "for", "in", "during", "twice", "most"})
"""Words a sentence may start with before saying who does it ("On Friday, I'll cook")."""
_DROPPED_LEAD = ("to", "will", "'ll", "ll")
_MODALS = frozenset({"will", "would", "can", "could", "should", "shall", "may", "might", "must",
                     "won't", "wouldn't", "can't", "couldn't", "shouldn't", "'ll", "'d"})
_ADVERBS = frozenset({"also", "always", "never", "just", "still", "really", "actually",
                      "definitely", "usually", "often", "sometimes", "honestly", "truly", "only",
                      "even", "totally", "absolutely", "probably", "certainly", "then", "now",
                      "already", "finally", "genuinely", "simply"})
_CONJUNCTIONS = frozenset({"when", "if", "before", "after", "while", "until", "till",
                           "whenever", "because", "since", "as", "once", "unless", "that",
                           "so", "and", "or", "but", "where", "how", "what", "whether"})
"""After these, "you" starts a clause: it is a subject, and its verb agrees with it."""
_THIRD_PERSON_VERB = {
    "am": "is", "are": "is", "'m": "is", "'re": "is", "was": "was", "were": "was", "have": "has",
    "'ve": "has", "do": "does", "don't": "doesn't", "haven't": "hasn't", "aren't": "isn't",
    "weren't": "wasn't", "'ll": "will", "'d": "would",
}


def tidy(words: str) -> str:
    """One space between words, none before punctuation, no stray dots or duplicate stops."""
    text = _SPACE.sub(" ", words.replace("\u2019", "'").replace("\u2018", "'")).strip()
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    text = re.sub(r"([.!?])[.!?]*\.", r"\1", text)
    text = re.sub(r"\.{2,}", ".", text)
    return re.sub(r",([.!?])", r"\1", text)


def as_sentence(words: str) -> str:
    """`words` as one sentence: a capital first letter and exactly one closing mark."""
    text = tidy(words)
    closing = "?" if text.endswith("?") else "!" if text.endswith("!") else "."
    text = _END.sub("", text)
    if not text:
        return ""
    return text[0].upper() + text[1:] + closing


@dataclass
class _Word:
    """One word of a sentence, with the punctuation around it kept apart."""

    before: str
    core: str
    after: str

    @property
    def low(self) -> str:
        return self.core.lower()

    def __str__(self) -> str:
        return f"{self.before}{self.core}{self.after}"


def _words(text: str) -> list[_Word]:
    words = []
    for token in tidy(text).split(" "):
        if not token:
            continue
        found = _TOKEN.match(token)
        before, core, after = found.groups() if found else ("", token, "")
        words.append(_Word(before, core, after))
    return words


def _join(words: list[_Word]) -> str:
    return tidy(" ".join(str(w) for w in words if str(w)))


def _spelled_out(words: list[_Word]) -> list[_Word]:
    """Apostrophes back where a recogniser dropped them, and "I" in capitals."""
    for index, word in enumerate(words):
        low = word.low
        if low == "ill":
            previous = words[index - 1].low if index else ""
            if previous in _ILL_AS_SICK_AFTER:
                continue
        if low == "id" and index + 1 < len(words) and words[index + 1].low in ("number", "card"):
            continue
        if low in _PROPER:
            word.core = _PROPER[low]
            continue
        replacement = _SPOKEN_CONTRACTIONS.get(low)
        if replacement is not None and (replacement[0] == "I" or low != replacement.lower()):
            word.core = replacement if replacement[0] == "I" or word.core.islower() else (
                replacement[0].upper() + replacement[1:])
    return words


def _named(words: list[_Word], names: tuple[str, ...]) -> list[_Word]:
    """The partners' names as they spell them ("alex" from a recogniser is Alex)."""
    spelled = {name.lower(): name for name in names if name}
    for word in words:
        if word.low in spelled:
            word.core = spelled[word.low]
    return words


_NOT_A_VERB = frozenset({
    "a", "an", "the", "some", "any", "more", "less", "one", "two", "three", "my", "your", "our",
    "his", "her", "their", "this", "that", "these", "those", "no", "lots", "plenty", "extra",
    "another", "with", "for", "of", "about", "just", "only",
})
"""Words a phrase can start with that are not a verb ("a hug when you get home")."""


def _starts_with_a_verb(words: list[_Word]) -> bool:
    """Whether the words start like "text Alex" or "always text Alex", not like "a hug"."""
    for word in words:
        if word.low in _ADVERBS - {"just", "only"}:
            continue
        return word.low not in _NOT_A_VERB
    return False


PROMISE_LEAD_IN = "I'll"


def own_words(words: str, names: tuple[str, ...] = (), lead_in: str = PROMISE_LEAD_IN) -> str:
    """What someone said, as the sentence to quote back to them.

    Apostrophes a recogniser dropped are put back. Where the words do not say who will do it
    (Alexa passes on only what follows a lead-in such as "I'll"), `lead_in` is put in front.
    """
    found = _named(_spelled_out(_words(words)), names)
    if not any(w.core for w in found):
        return ""
    says_who = found[0].low in _SUBJECTS or (
        found[0].low in _SCENE_SETTERS and any(w.low in _SUBJECTS for w in found))
    if not says_who:
        promising = lead_in == PROMISE_LEAD_IN
        while promising and found and found[0].low in _DROPPED_LEAD:
            found = found[1:]
        if not found:
            return ""
        if promising and not _starts_with_a_verb(found):
            return as_sentence(_join(found))  # "a hug when you get home": quoted as it is
        if found[0].core[:1].isupper() and found[0].low not in _PROPER:
            found[0].core = found[0].core[0].lower() + found[0].core[1:]
        found = [_Word("", lead_in, ""), *found]
    return as_sentence(_join(found))


def _split(word: _Word) -> list[_Word]:
    """A contraction as its two words ("I'll" as "I" and "'ll"), punctuation kept."""
    low = word.low
    for pronoun in ("i", "we", "you"):
        if low.startswith(pronoun + "'") and len(low) > len(pronoun) + 1:
            tail = word.core[len(pronoun):]
            return [_Word(word.before, word.core[:len(pronoun)], ""), _Word("", tail, word.after)]
    return [word]


def _third_person_verb(verb: str) -> str:
    low = verb.lower()
    if low in _THIRD_PERSON_VERB:
        return _THIRD_PERSON_VERB[low]
    if low in _MODALS or not low.isalpha():
        return verb
    from lemminflect import getAllLemmas, getInflection  # with numpy: not at start-up

    if low not in getAllLemmas(low).get("VERB", ()):
        return verb  # not a verb's base form ("called", "really"): nothing to agree
    forms = getInflection(low, "VBZ")
    return forms[0] if forms else verb


def _plural_verb(verb: str) -> str:
    low = verb.lower()
    return {"am": "are", "'m": "'re", "was": "were"}.get(low, verb)


def _full_verb(verb: str) -> str:
    """A contracted verb written out, for a subject that is not a pronoun."""
    return {"'ll": "will", "'re": "are", "'ve": "have", "'d": "would"}.get(verb.lower(), verb)


def _agree(words: list[_Word], at: int, change: Callable[[str], str]) -> None:
    """The verb after the subject at `at` (past a few adverbs) agrees with the new subject."""
    index = at + 1
    while index < len(words) and words[index].low in _ADVERBS:
        index += 1
    if index < len(words) and not words[at].after:
        words[index].core = change(words[index].core)


def _is_subject_you(words: list[_Word], at: int) -> bool:
    """Whether "you" at `at` starts a clause ("when you get home"), so a verb follows it."""
    if at == 0:
        return True
    previous = words[at - 1]
    return previous.low in _CONJUNCTIONS or bool(previous.after.strip())


def _contracted(words: list[_Word]) -> list[_Word]:
    """Pronoun and verb joined again where they were one word ("you" + "'ll")."""
    joined: list[_Word] = []
    for word in words:
        if word.core.startswith("'") and joined and not joined[-1].after:
            joined[-1] = _Word(joined[-1].before, joined[-1].core + word.core, word.after)
        else:
            joined.append(word)
    return joined


_TURNED = {
    "me": ("you", "them"), "my": ("your", "their"), "mine": ("yours", "theirs"),
    "myself": ("yourself", "themselves"), "us": ("the two of you", "the two of them"),
    "our": ("your", "their"), "ours": ("yours", "theirs"),
    "ourselves": ("yourselves", "themselves"),
}
"""Words of the speaker's own, said to them (second person) or of them (third person)."""


def _shift(words: str, *, speaker: str | None, partner: str) -> str:
    """The words with "I" as `speaker` (None: "you") and "you" as the partner's name."""
    found: list[_Word] = []
    for word in _spelled_out(_words(words)):
        found.extend(_split(word))
    named = False
    for index, word in enumerate(found):
        low = word.low
        if low == "i":
            if speaker is None:
                word.core = "you"
                _agree(found, index, _plural_verb)
            elif not named:
                word.core, named = speaker, True
                _agree(found, index, _third_person_verb)
            else:
                word.core = "they"
                _agree(found, index, _plural_verb)
        elif low in _TURNED:
            word.core = _TURNED[low][0 if speaker is None else 1]
        elif low == "we":
            word.core = "you" if speaker is None else f"{speaker} and {partner}"
            if speaker is not None:
                _agree(found, index, _full_verb)
        elif low == "you":
            subject = _is_subject_you(found, index)
            word.core = partner
            if subject:
                _agree(found, index, _third_person_verb)
        elif low in ("your", "yours"):
            word.core = f"{partner}'s"
        elif low == "yourself":
            word.core = partner
    return _join(_contracted(found))


def second_person(words: str, partner: str) -> str:
    """Someone's words said back to them: "I'll text you if I'm late" as "you'll text
    Alex if you're late". `partner` is whom "you" meant in their words."""
    shifted = _shift(own_words(words, (partner,)), speaker=None, partner=partner)
    return _lower_first(_END.sub("", shifted))


def third_person(words: str, speaker: str, partner: str) -> str:
    """Someone's words told to the couple: "I'll text you if I'm late" as "Sam will text
    Alex if they're late"."""
    return _lower_first(_END.sub("", _shift(own_words(words, (speaker, partner)),
                                            speaker=speaker, partner=partner)))


def _lower_first(text: str) -> str:
    """A capital that only began the quoted sentence goes ("You'll", "A hug"), names stay."""
    first = text.split(" ", 1)[0].lower()
    if first.startswith("you") or first in _NOT_A_VERB or first in _ADVERBS:
        return text[:1].lower() + text[1:]
    return text
