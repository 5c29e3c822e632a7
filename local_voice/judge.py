"""Whether to act on a phrase a grammar heard: accept it, confirm it first, or ask again.

A grammar forces every sound onto one of its phrases, and Vosk's word confidence is often
1.0 on the wrong one. Two likelihood ratios say more (scores are Vosk's log-likelihoods of
the best path, from `SetMaxAlternatives`):

- the margin: the heard phrase against its best rival, the same audio decoded with every
  phrase of another intent but none of its own. A small margin is a near tie.
- the fit: the heard phrase against filler syllables (or the model's unknown-word entry),
  per second. Speech that fits free syllables better than the phrase was something else.

In a noisy room or through a telephone band, neither ratio tells a right phrase from a
wrong one: wrong phrases came with margins of 6 to 30 and word confidence 1.0, as right
ones did ("몰라요" heard as "계속", "계속" as "취소"). There, measured on the utterance itself
(`quality`), a phrase that would be acted on is confirmed first, and a near tie is asked
again.

The thresholds were set on espeak-ng Korean speech with other voices and rates than the
benchmark uses (bench/voice.py measures them): on those, a margin of 5 kept wrong answers
to about 2% clean and in white noise at 10 dB, against 8% and 25% acted on wrongly with a
0.5 word-confidence floor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dialogs.matcher import normalise
from local_voice.quality import SignalQuality
from local_voice.recognize import Transcript


@dataclass(frozen=True)
class Thresholds:
    accept_margin: float = 5.0
    """Log-likelihood over the best rival intent above which a phrase is acted on."""
    confirm_margin: float = 2.5
    """Above this (and below `accept_margin`) the guide asks "did you say ...?" first."""
    fit_floor: float = -10.0
    """Log-likelihood per second over fillers below which the speech was something else."""
    noisy_snr_db: float = 18.0
    """Speech less than this far above the room's sound is heard in noise."""
    narrow_band_db: float = -50.0
    """Less energy than this above 4 kHz (against all of it) is a telephone band."""
    word_floor: float = 0.5
    """Word confidence below which an answer is asked again, for a recogniser that gives
    no scores (with scores it adds nothing: wrong phrases come at 1.0)."""


@dataclass(frozen=True)
class Accept:
    text: str


@dataclass(frozen=True)
class Confirm:
    text: str


@dataclass(frozen=True)
class AskAgain:
    reason: str


Verdict = Accept | Confirm | AskAgain


def one_phrase(heard: Transcript, phrases: list[str], alone: bool = False) -> str | None:
    """The one grammar phrase heard. `alone`: only when nothing else was said with it (in
    free speech "stop" may be part of a sentence). Otherwise the best path through the
    phrases alone, when the recogniser gives it; the fit to fillers then weighs the rest."""
    if alone and heard.other_speech:
        return None
    said = normalise(heard.phrases_only if heard.phrases_only and not alone else heard.text)
    if not said:
        return None
    return next((p for p in phrases if normalise(p) == said), None)


def degraded(quality: SignalQuality | None, thresholds: Thresholds = Thresholds()) -> str:
    """Why the sound is too poor to act on a phrase unasked ("" when it is not)."""
    if quality is None:
        return ""
    if quality.snr_db < thresholds.noisy_snr_db:
        return f"noise (speech {quality.snr_db:.0f} dB over it)"
    if quality.high_band_db < thresholds.narrow_band_db:
        return "telephone band"
    return ""


def judge(heard: Transcript, phrases: list[str], rival_score: float | None,
          thresholds: Thresholds = Thresholds(), alone: bool = False,
          quality: SignalQuality | None = None) -> Verdict:
    """What to do with a grammar result; `rival_score` is the best score of the phrases of
    other intents (None when there are none, NaN when their decoding found nothing);
    `quality`, when given, of the sound it was heard in."""
    verdict = _judge(heard, phrases, rival_score, thresholds, alone)
    poor = degraded(quality, thresholds)
    if not poor:
        return verdict
    if isinstance(verdict, Accept):
        return Confirm(verdict.text)
    if isinstance(verdict, Confirm):
        return AskAgain(f"close to another phrase, in {poor}")
    return verdict


def _judge(heard: Transcript, phrases: list[str], rival_score: float | None,
           thresholds: Thresholds, alone: bool) -> Verdict:
    phrase = one_phrase(heard, phrases, alone)
    if phrase is None:
        return AskAgain("not one phrase of the grammar")
    if heard.score is None:
        if heard.confidence < thresholds.word_floor:
            return AskAgain(f"word confidence {heard.confidence:.2f}")
        return Accept(phrase)
    if heard.filler_score is not None and heard.seconds > 0:
        fit = (heard.score - heard.filler_score) / heard.seconds
        if fit < thresholds.fit_floor:
            return AskAgain(f"other speech fits better ({fit:.1f}/s)")
    margin = math.inf if rival_score is None else heard.score - rival_score
    if math.isnan(margin):
        return AskAgain("no rival to measure the answer against")
    if margin >= thresholds.accept_margin:
        return Accept(phrase)
    if margin >= thresholds.confirm_margin:
        return Confirm(phrase)
    return AskAgain(f"close to another phrase (margin {margin:.1f})")
