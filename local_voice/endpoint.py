"""Endpointing: when someone starts speaking and when they have finished.

Vosk has no endpointer, so this decides, frame by frame, from a voice activity flag.
It is a pure function of (state, chunk, is_speech): tests drive it without audio.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum


class Stage(Enum):
    WAITING = "waiting"
    SPEAKING = "speaking"


class Ending(Enum):
    SILENCE = "silence"
    MAX_LENGTH = "max length"


@dataclass(frozen=True)
class EndpointConfig:
    """Times in seconds. Reflective answers need a relaxed end-of-utterance silence."""

    frame_seconds: float = 0.03
    start_seconds: float = 0.12
    end_silence_seconds: float = 1.2
    max_utterance_seconds: float = 45.0
    no_input_seconds: float = 10.0
    pre_roll_seconds: float = 0.5

    def frames(self, seconds: float) -> int:
        return max(1, round(seconds / self.frame_seconds))


@dataclass(frozen=True)
class Segmenter:
    """Where one listening turn stands; advance it with `step`."""

    config: EndpointConfig = field(default_factory=EndpointConfig)
    stage: Stage = Stage.WAITING
    waited: int = 0
    voiced_run: int = 0
    silent_run: int = 0
    pre_roll: tuple[bytes, ...] = ()
    audio: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class SpeechStarted:
    pass


@dataclass(frozen=True)
class UtteranceEnded:
    audio: bytes
    ending: Ending


@dataclass(frozen=True)
class NoInput:
    pass


Event = SpeechStarted | UtteranceEnded | NoInput


def step(state: Segmenter, chunk: bytes, is_speech: bool) -> tuple[Segmenter, Event | None]:
    """Take one frame. Returns the next state and what happened, if anything."""
    config = state.config
    if state.stage is Stage.WAITING:
        keep = config.frames(config.pre_roll_seconds) + config.frames(config.start_seconds)
        pre_roll = (*state.pre_roll, chunk)[-keep:]
        voiced = state.voiced_run + 1 if is_speech else 0
        if voiced >= config.frames(config.start_seconds):
            return replace(state, stage=Stage.SPEAKING, voiced_run=0, silent_run=0,
                           pre_roll=(), audio=pre_roll), SpeechStarted()
        waited = state.waited + 1
        if waited >= config.frames(config.no_input_seconds):
            return replace(state, waited=0, voiced_run=0, pre_roll=()), NoInput()
        return replace(state, waited=waited, voiced_run=voiced, pre_roll=pre_roll), None

    audio = (*state.audio, chunk)
    silent = 0 if is_speech else state.silent_run + 1
    if silent >= config.frames(config.end_silence_seconds):
        spoken = audio[:len(audio) - silent] or audio
        return Segmenter(config), UtteranceEnded(b"".join(spoken), Ending.SILENCE)
    if len(audio) >= config.frames(config.max_utterance_seconds):
        return Segmenter(config), UtteranceEnded(b"".join(audio), Ending.MAX_LENGTH)
    return replace(state, audio=audio, silent_run=silent), None
