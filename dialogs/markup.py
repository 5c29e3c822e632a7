"""The neutral speech markup authors write, and its renderings.

Markup, chosen to be easy to type and to read aloud in a text editor:

- ``[pause]`` a one-second pause; ``[pause 3]`` a pause of three seconds;
- ``[slow]words[/slow]`` spoken more slowly;
- ``*words*`` spoken with emphasis.

Renderings: SSML for Alexa, segments with silences and rate for local speech,
and plain text for the text front end and cards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from html import escape

DEFAULT_PAUSE = 1.0
MAX_PAUSE = 30.0
ALEXA_MAX_BREAK = 10.0
BREATH_WORDS = 30

_TOKEN = re.compile(r"\[pause(?:\s+(?P<seconds>[0-9]+(?:\.[0-9]+)?)s?)?\]|\[(?P<tag>/?slow)\]|\*"
                    r"|\[(?P<unknown>[^\]]*)\]")
_MARKUP_CHARS = re.compile(r"[\[\]*<>]")
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""Control characters and non-characters: SSML (XML 1.0) cannot hold them."""


class Rate(StrEnum):
    NORMAL = "normal"
    SLOW = "slow"


@dataclass(frozen=True)
class Words:
    text: str
    slow: bool = False
    emphasis: bool = False


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Segment:
    """A piece of local speech: say `text` at `rate`, then stay silent for `pause_after`."""

    text: str
    rate: Rate
    pause_after: float


class MarkupError(ValueError):
    pass


def neutralise(value: str) -> str:
    """Make text that came from a person (a name, a promise) safe to put inside markup."""
    return _NOT_IN_XML.sub("", _MARKUP_CHARS.sub("", value)).strip()


def parse(text: str) -> list[Words | Pause]:
    """Split marked-up text into words and pauses; raise MarkupError on broken markup."""
    parts: list[Words | Pause] = []
    slow = emphasis = False
    position = 0

    def add_words(chunk: str) -> None:
        if chunk.strip():
            parts.append(Words(chunk, slow, emphasis))

    for match in _TOKEN.finditer(text):
        add_words(text[position:match.start()])
        position = match.end()
        if match.group("unknown") is not None:
            raise MarkupError(f"`[{match.group('unknown')}]` is not markup I know; use [pause], "
                              "[pause 2], [slow] ... [/slow] or *emphasis*")
        if match.group(0) == "*":
            emphasis = not emphasis
        elif match.group("tag") == "slow":
            if slow:
                raise MarkupError("[slow] is opened twice; close it with [/slow] first")
            slow = True
        elif match.group("tag") == "/slow":
            if not slow:
                raise MarkupError("[/slow] closes nothing; open it with [slow] first")
            slow = False
        else:
            seconds = float(match.group("seconds") or DEFAULT_PAUSE)
            if not 0 < seconds <= MAX_PAUSE:
                raise MarkupError(f"a pause must be between 0 and {MAX_PAUSE:g} seconds")
            parts.append(Pause(seconds))
    add_words(text[position:])
    if slow:
        raise MarkupError("[slow] is never closed; add [/slow] where slow speech should end")
    if emphasis:
        raise MarkupError("an *emphasis* is never closed; add the second *")
    return parts


def _spaced(chunks: list[str]) -> str:
    """Chunks joined by one space, none before a punctuation mark that closes a chunk
    ("[slow]1-800-799-7233[/slow]." reads "1-800-799-7233.")."""
    joined = re.sub(r"\s+", " ", " ".join(c.strip() for c in chunks if c.strip())).strip()
    return re.sub(r" ([.,;:!?])", r"\1", joined)


def to_plain(text: str) -> str:
    """What the text front end prints and a card shows."""
    return _spaced([p.text for p in parse(text) if isinstance(p, Words)])


def to_ssml(text: str) -> str:
    """Valid SSML for Alexa: escaped text, breaks of at most ten seconds each."""
    out: list[str] = []
    for part in parse(text):
        if isinstance(part, Pause):
            remaining = part.seconds
            while remaining > 0:
                chunk = min(remaining, ALEXA_MAX_BREAK)
                out.append(f'<break time="{round(chunk * 1000)}ms"/>')
                remaining = round(remaining - chunk, 3)
            continue
        body = escape(part.text.strip(), quote=False)
        if part.emphasis:
            body = f'<emphasis level="moderate">{body}</emphasis>'
        if part.slow:
            body = f'<prosody rate="slow">{body}</prosody>'
        out.append(body)
    return f"<speak>{' '.join(out)}</speak>"


def to_segments(text: str) -> list[Segment]:
    """Local speech: runs of words at one rate, each followed by its silence."""
    segments: list[Segment] = []
    for part in parse(text):
        if isinstance(part, Pause):
            if segments:
                last = segments[-1]
                segments[-1] = Segment(last.text, last.rate, last.pause_after + part.seconds)
            else:
                segments.append(Segment("", Rate.NORMAL, part.seconds))
            continue
        rate = Rate.SLOW if part.slow else Rate.NORMAL
        words = part.text.strip()
        if segments and segments[-1].rate is rate and segments[-1].pause_after == 0:
            last = segments[-1]
            segments[-1] = Segment(_spaced([last.text, words]), rate, 0)
        else:
            segments.append(Segment(words, rate, 0))
    return segments


def longest_breath(text: str) -> int:
    """The most words spoken without a pause: a rough measure of breath."""
    longest = current = 0
    for part in parse(text):
        if isinstance(part, Pause):
            current = 0
            continue
        current += len(part.text.split())
        longest = max(longest, current)
    return longest


_DOUBLED_STOP = re.compile(r"(?<![.])([.!?])\s*\.(?!\.)")
_SPACE_BEFORE = re.compile(r"(?<=\w)\s+([.,!?;:])(?=\s|$|\[)")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+(?:\[[^\]]*\]\s*)*|^(?:\[[^\]]*\]\s*)+)"
                             r"(partner (?:one|two))\b")


def tidy(text: str) -> str:
    """Spoken or printed text without the seams of filled-in words: no ".." or "?." where
    someone's own full stop meets the template's, no space before a full stop or comma, and
    "Partner one" with a capital at the start of a sentence."""
    text = _DOUBLED_STOP.sub(r"\1", text)
    text = _SPACE_BEFORE.sub(r"\1", text)
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).capitalize(), text)
