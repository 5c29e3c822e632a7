"""From what someone said to words the safety rules can read.

Lower case, contractions spelled out (also as speech recognisers write them,
without apostrophes: "dont", "im"), fillers dropped, and every possible
dictionary form of each word (lemminflect: "knives" is also "knife", "left" is
also "leave"), so a rule written as "hit me" also hears "he's been hitting me".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})

_SPELLED_OUT = {
    "can't": "can not", "cannot": "can not", "won't": "will not", "shan't": "shall not",
    "ain't": "is not", "i'm": "i am", "let's": "let us",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "hafta": "have to",
    "tryna": "trying to", "kinda": "kind of", "outta": "out of", "lemme": "let me",
    "gimme": "give me", "dunno": "do not know", "idk": "i do not know", "cuz": "because",
    "cos": "because", "coz": "because", "bc": "because", "w/": "with", "u": "you",
    "ur": "your", "r": "are", "ppl": "people", "pls": "please", "bf": "boyfriend",
    "gf": "girlfriend", "hubby": "husband", "wifey": "wife", "missus": "wife", "mum": "mom",
    "gotten": "got", "ya": "you", "y'all": "you all", "'em": "them", "em": "them",
    "no-one": "no one", "noone": "no one", "thru": "through", "til": "till",
    "tho": "though", "ima": "i am going to", "imma": "i am going to", "meself": "myself",
    "tonite": "tonight", "2nite": "tonight", "tmrw": "tomorrow", "tmr": "tomorrow",
    "2moro": "tomorrow", "rly": "really", "b4": "before", "scard": "scared", "skared": "scared",
    "scaired": "scared", "afriad": "afraid", "affraid": "afraid", "frightend": "frightened",
    "terified": "terrified", "sucide": "suicide", "suicde": "suicide", "kms": "kill myself",
}
"""Whole words people write or recognisers produce, as the rules spell them."""

_NO_APOSTROPHE = {
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not",
    "arent": "are not", "wasnt": "was not", "werent": "were not", "cant": "can not",
    "couldnt": "could not", "wouldnt": "would not", "shouldnt": "should not",
    "hasnt": "has not", "havent": "have not", "hadnt": "had not", "mustnt": "must not",
    "aint": "is not", "im": "i am", "ive": "i have", "youre": "you are", "youve": "you have",
    "youll": "you will", "youd": "you would", "hes": "he is", "shes": "she is",
    "theyre": "they are", "theyve": "they have", "theyll": "they will", "theyd": "they would",
    "thats": "that is", "whats": "what is", "wont": "will not", "itll": "it will",
    "itd": "it would", "weve": "we have", "hed": "he would", "yall": "you all",
    "theres": "there is", "heres": "here is", "wheres": "where is", "whos": "who is",
    "darent": "dare not", "neednt": "need not", "shouldve": "should have",
    "wouldve": "would have", "couldve": "could have", "mustve": "must have",
    "mightve": "might have", "nobodys": "nobody is", "nothings": "nothing is",
    "everyones": "everyone is", "everybodys": "everybody is", "someones": "someone is",
}
"""Contractions as speech recognisers spell them. "ill", "well", "were", "its", "shed",
"shell" are real words too: they stay as they are, or are read with the word after them."""

_PRONOUN_IS = frozenset({"he", "she", "it", "that", "there", "what", "who", "where", "here",
                         "how", "everyone", "everybody", "nobody", "someone", "something",
                         "nothing", "one", "this"})

FILLERS = frozenset({"um", "umm", "uh", "uhh", "uhm", "erm", "er", "hmm", "hm", "mm", "mhm",
                     "ah", "oh", "eh"})

BOUNDARY = "|"
"""Stands for the end of a clause (punctuation, "but", "and"...) while tokenising."""

_CLAUSE_WORDS = frozenset({"but", "and", "or", "so", "because", "when", "whenever", "if",
                           "though", "although", "since", "after", "before", "until", "then",
                           "while", "yet", "except"})


@dataclass(frozen=True)
class Word:
    """One word as said, with every dictionary form it may have, whether a new part of the
    sentence starts with it (after punctuation or a word like "but"), and whether it is an
    "or" that adds one more thing done to the part before ("never took my phone or read my
    messages"), so that what is said of the one may be said of the other."""

    text: str
    forms: frozenset[str]
    starts_clause: bool = False
    joins_a_list: bool = False

    def is_(self, pattern_word: str) -> bool:
        return pattern_word in self.forms  # the forms include the word as said


@cache
def forms_of(word: str) -> frozenset[str]:
    from lemminflect import getAllLemmas  # with numpy, a tenth of a second: not at start-up

    forms = {word}
    for lemmas in getAllLemmas(word).values():
        forms.update(lemmas)
    return frozenset(forms)


def without_accents(text: str) -> str:
    """"fiancé" is "fiance"; letters of other scripts stay whole (Korean syllables too)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept)


def spell_out(token: str) -> str:
    """One word as the rules read it: "won't" is "will not", "im" is "i am"."""
    if token in _SPELLED_OUT:
        return _SPELLED_OUT[token]
    if token in _NO_APOSTROPHE:
        return _NO_APOSTROPHE[token]
    if token.endswith("n't"):
        return token[:-3] + " not"
    for ending, full in (("'re", " are"), ("'ve", " have"), ("'ll", " will"), ("'d", " would"),
                         ("'m", " am")):
        if token.endswith(ending):
            return token[: -len(ending)] + full
    if token.endswith("'s"):
        stem = token[:-2]
        return f"{stem} is" if stem in _PRONOUN_IS else f"{_SPELLED_OUT.get(stem, stem)} {_S}"
    if token.endswith("s'"):
        return token[:-1]
    return token.strip("'")


_TOKEN = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*'?|[.,;:!?()\"]|\S")


_AFTER_I_WILL = frozenset({
    "be", "never", "just", "go", "do", "have", "make", "kill", "hurt", "end", "see", "call",
    "leave", "try", "get", "take", "stop", "tell", "find", "show", "miss", "not", "cut",
    "burn", "jump", "finish", "put", "break", "ruin", "come", "give", "let", "always",
    "glass", "poison", "stab", "shoot", "smash", "beat", "hit", "strangle", "drown", "throw"})
"""Words after which a recogniser's "ill" is "I'll" ("ill be gone"), not "ill" (unwell)."""

_PRONOUN_WILL = {"ill": "i will", "id": "i would", "shed": "she would", "hed": "he would",
                 "wed": "we would", "hell": "he will", "shell": "she will"}
"""Contractions a recogniser writes as other words; read as such only before a verb."""

_PRONOUN_WOULD = {word: full for word, full in _PRONOUN_WILL.items() if full.endswith("would")}
"""Of those, the ones read as such before "rather" too ("id rather die"), unless "rather than"
follows ("show your id rather than your passport")."""


_PARTICIPLES_AFTER_HAD = frozenset({
    "been", "gone", "done", "seen", "taken", "told", "had", "given", "written", "eaten",
    "known", "thought", "said", "tried", "started", "stopped", "found", "left", "got",
    "gotten", "felt", "made", "bought", "hidden", "kept", "broken", "stolen"})
"""After these, a "'d" is "had", not "would": "I'd been cutting" is "I had been cutting"."""

_S = "'s"
"""Kept after a noun until the next word tells "is" from a possessive: "life's not worth it"
but "my wife's phone"."""

_AFTER_IS = frozenset({
    "not", "never", "no", "nothing", "up", "over", "gone", "done", "finished", "dead", "a",
    "an", "the", "so", "too", "always", "just", "really", "still", "very", "all", "going",
    "getting", "coming", "been", "got", "gotten", "had", "fine", "ok", "okay", "better",
    "worse"})
"""Words that follow "is" (or "has") and never a possessive."""

_AFTER_HAS = frozenset({"been", "got", "gotten", "had"})
"""After these, a "'s" is "has": "she's been", "he's had enough"."""

_AFTER_IT_IS = (_AFTER_IS - {"very"}) | frozenset({
    "like", "my", "your", "his", "her", "our", "their", "me", "you", "him", "them", "us",
    "because", "about", "in", "on", "what", "how", "who", "when", "that", "this"})
"""Words after which a recogniser's "its" is "it's" ("its not worth it", "its been weeks"):
none of them follows the possessive "its" ("its very own" may, so "very" is not here)."""

_NOT_A_BITE = frozenset({"a", "little", "quite", "tiny", "wee", "the", "this", "that"})
"""Before "bit", these make it a small amount ("a bit upset"), not the past of "bite"."""


def tokens(text: str) -> list[str]:
    """Plain words and clause boundaries, in order."""
    return _settled(_without_leading_boundary(marked(text)))


def marked(text: str) -> list[str]:
    """The words of `text` as `tokens` first writes them (not yet read together with the
    words around them), with a clause boundary wherever one may be, at the start too: so
    that `joined` can put texts together as if they were said as one."""
    text = without_accents(text.lower().translate(_APOSTROPHES))
    text = text.replace("—", ",").replace("–", ",")
    result: list[str] = []
    for raw in _TOKEN.findall(text):
        if raw in FILLERS:
            continue
        if not raw[0].isalnum():
            if raw in ".,;:!?()\"" and (not result or result[-1] != BOUNDARY):
                result.append(BOUNDARY)
            continue
        for part in _parts(raw):
            if part in _CLAUSE_WORDS and (not result or result[-1] != BOUNDARY):
                result.append(BOUNDARY)
            result.append(part)
    return result


def joined(texts: Iterable[list[str]]) -> list[str]:
    """The `tokens` of texts said one after the other (each ending or starting with a space),
    from what `marked` made of each: without reading the text again."""
    result: list[str] = []
    for text in texts:
        again = result and text and result[-1] == BOUNDARY and text[0] == BOUNDARY
        result.extend(text[1:] if again else text)
    return _settled(_without_leading_boundary(result))


@lru_cache(maxsize=4096)
def _parts(raw: str) -> tuple[str, ...]:
    return tuple(part for part in spell_out(raw).replace("-", " ").split()
                 if part not in FILLERS)


def _without_leading_boundary(result: list[str]) -> list[str]:
    return result[1:] if result and result[0] == BOUNDARY else result


def _settled(result: list[str]) -> list[str]:
    """Words read with the word after them (and "is" with the one before): "'s", "its", "ill",
    "'d".
    Changes `result` itself."""
    for i in range(len(result) - 1, -1, -1):
        following = result[i + 1] if i + 1 < len(result) else ""
        if result[i] == _S:
            if following in _AFTER_IS:
                result[i] = "has" if following in _AFTER_HAS else "is"
            else:
                del result[i]
            continue
        if result[i] == "its" and following in _AFTER_IT_IS:
            result[i:i + 1] = ["it", "has" if following in _AFTER_HAS else "is"]
            continue
        if result[i] == "is" and following in _AFTER_HAS and i > 0 and \
                result[i - 1] in ("he", "she", "it", "that", "who", "there"):
            result[i] = "has"  # "he's got", "she's been", "there's been"
        if _is_contracted(result[i], following, result[i + 2] if i + 2 < len(result) else ""):
            result[i:i + 1] = _PRONOUN_WILL[result[i]].split()
        elif result[i] == "would" and following in _PARTICIPLES_AFTER_HAD:
            result[i] = "had"  # "i'd been", "he'd gone"
        elif result[i] == "my" and following == "self":
            result[i:i + 2] = ["myself"]
        elif result[i].endswith("in") and _dropped_g(result[i]):
            result[i] += "g"
    return result


def _is_contracted(word: str, following: str, after_next: str) -> bool:
    """Whether `word` is one of `_PRONOUN_WILL` for the words after it."""
    if word in _PRONOUN_WOULD and following == "rather":
        return after_next != "than"
    return word in _PRONOUN_WILL and following in _AFTER_I_WILL


@cache
def _dropped_g(word: str) -> bool:
    """"cuttin" for "cutting": not a word itself, and a verb's -ing form with a g."""
    from lemminflect import getAllLemmas

    return not getAllLemmas(word) and "VERB" in getAllLemmas(word + "g")


def words(text: str) -> list[Word]:
    """The words of `text` with their dictionary forms and where each clause starts."""
    return words_of_tokens(tokens(text))


def words_of_tokens(said: list[str]) -> list[Word]:
    """`words` of what `tokens` gave."""
    result: list[Word] = []
    new_clause = True
    for position, token in enumerate(said):
        if token == BOUNDARY:
            new_clause = True
            continue
        small = token == "bit" and bool(result) and result[-1].text in _NOT_A_BITE
        following = said[position + 1] if position + 1 < len(said) else ""
        joins = token == "or" and new_clause and _may_be_a_deed(following)
        new_clause = new_clause or _after_a_bare_denial(result, token)
        result.append(_word(token, new_clause, small, joins))
        new_clause = False
    return result


_HELPERS = frozenset({"do", "did", "does", "would", "will", "could", "can", "was", "were",
                      "is", "am", "are", "have", "had", "has", "should"})
_SUBJECTS = frozenset({"he", "she", "they", "i", "we", "my", "his", "her"})


def _after_a_bare_denial(before: list[Word], token: str) -> bool:
    """Whether `token` starts a new sentence after a "not" whose verb was left unsaid: in
    "last time I did not he dragged me" the "not" denies what I did not do, not what he did."""
    return (token in _SUBJECTS and len(before) >= 2 and before[-1].text == "not"
            and before[-2].text in _HELPERS)


@cache
def _may_be_a_deed(word: str) -> bool:
    """Whether `word` may be a verb that is not a helper ("read", "choked"; not "would",
    "is", "he"): after "or", one more thing done, not a new sentence ("or he will")."""
    from lemminflect import getAllLemmas

    lemmas = getAllLemmas(word)
    return "VERB" in lemmas and "AUX" not in lemmas


@lru_cache(maxsize=8192)
def _word(token: str, new_clause: bool, small: bool, joins_a_list: bool = False) -> Word:
    return Word(token, frozenset({token}) if small else forms_of(token), new_clause,
                joins_a_list)
