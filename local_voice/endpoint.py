"""Endpointing: when someone starts speaking and when they have finished.

Vosk has no endpointer, so this decides, frame by frame, from what each frame sounds
like (a `Cue`): the voice-activity verdict, its loudness, and whether it is voiced.
It is a pure function of (state, chunk, cue): tests drive it without a device.

Three things keep real rooms and walks from holding an answer open or inventing one:
- an adaptive noise floor: a frame counts as speech only when it stands out from the
  recent quiet, so steady hiss, traffic or wind that the voice-activity detector calls
  speech does not;
- voicing: speech has vowels, which are periodic; breath, rustle and hiss are not, so a
  burst without a vowel's worth of voiced frames never starts an answer, and only voiced
  speech keeps one open;
- a length cap, reported as such, so the guide can say it lost the thread.
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


QUIET_ROOM_DB = -60.0
"""Where the noise floor starts (dB full scale): a quiet room, until the room says otherwise."""


@dataclass(frozen=True)
class Cue:
    """What one frame sounds like."""

    speech: bool
    """The voice-activity detector's verdict."""
    level_db: float = QUIET_ROOM_DB + 40.0
    """Loudness in dB full scale."""
    voiced: bool = True
    """Periodic, as vowels are (breath and hiss are not)."""


@dataclass(frozen=True)
class EndpointConfig:
    """Times in seconds, levels in dB. Reflective answers need a relaxed end-of-utterance
    silence: people pause to think in the middle of them."""

    frame_seconds: float = 0.03
    start_seconds: float = 0.12
    start_voiced_seconds: float = 0.09
    """Voiced sound an answer needs before it starts: a word has a vowel that long; a breath,
    a rustle or a cough does not."""
    end_silence_seconds: float = 1.2
    """Quiet that ends a short answer."""
    reflective_end_silence_seconds: float = 2.0
    """Quiet that ends an answer to an open, reflective question."""
    max_utterance_seconds: float = 45.0
    no_input_seconds: float = 10.0
    pre_roll_seconds: float = 0.5
    tail_seconds: float = 0.2
    """Quiet kept after the last voiced frame: a final unvoiced sound ("s", "t") stays in."""
    floor_margin_db: float = 4.0
    """How far above the noise floor a frame must be to count as speech."""
    floor_rise_waiting_db: float = 15.0
    """How fast, in dB a second, the floor follows louder noise while nobody speaks."""
    floor_rise_speaking_db: float = 3.0
    """The same while someone speaks: slowly, so a long answer is not mistaken for noise."""

    def frames(self, seconds: float) -> int:
        return max(1, round(seconds / self.frame_seconds))


@dataclass(frozen=True)
class Segmenter:
    """Where one listening turn stands; advance it with `step`."""

    config: EndpointConfig = field(default_factory=EndpointConfig)
    stage: Stage = Stage.WAITING
    waited: int = 0
    voiced_run: int = 0
    """Speech frames in a row while waiting (the name of old: they need not all be voiced)."""
    run_voicing: int = 0
    """Voiced frames in that run: a run with none is breath or rustle, not a word."""
    silent_run: int = 0
    pre_roll: tuple[bytes, ...] = ()
    audio: tuple[bytes, ...] = ()
    floor_db: float = QUIET_ROOM_DB


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


def next_floor(state: Segmenter, level_db: float) -> float:
    """The noise floor follows quiet at once and louder noise at a limited pace."""
    config = state.config
    rise = (config.floor_rise_waiting_db if state.stage is Stage.WAITING
            else config.floor_rise_speaking_db) * config.frame_seconds
    return min(level_db, state.floor_db + rise)


def step(state: Segmenter, chunk: bytes, cue: Cue | bool) -> tuple[Segmenter, Event | None]:
    """Take one frame. Returns the next state and what happened, if anything."""
    if isinstance(cue, bool):
        cue = Cue(cue)
    config = state.config
    speech = cue.speech and cue.level_db >= state.floor_db + config.floor_margin_db
    floor = next_floor(state, cue.level_db)
    if state.stage is Stage.WAITING:
        keep = config.frames(config.pre_roll_seconds) + config.frames(config.start_seconds)
        pre_roll = (*state.pre_roll, chunk)[-keep:]
        run = state.voiced_run + 1 if speech else 0
        voicing = state.run_voicing + int(cue.voiced) if speech else 0
        if run >= config.frames(config.start_seconds) and \
                voicing >= config.frames(config.start_voiced_seconds):
            return replace(state, stage=Stage.SPEAKING, voiced_run=0, run_voicing=0,
                           silent_run=0, pre_roll=(), audio=pre_roll,
                           floor_db=floor), SpeechStarted()
        waited = state.waited + 1
        if waited >= config.frames(config.no_input_seconds):
            return replace(state, waited=0, voiced_run=0, run_voicing=0, pre_roll=(),
                           floor_db=floor), NoInput()
        return replace(state, waited=waited, voiced_run=run, run_voicing=voicing,
                       pre_roll=pre_roll, floor_db=floor), None

    audio = (*state.audio, chunk)
    silent = 0 if speech and cue.voiced else state.silent_run + 1
    if silent >= config.frames(config.end_silence_seconds):
        kept = max(0, silent - round(config.tail_seconds / config.frame_seconds))
        spoken = audio[:len(audio) - kept] or audio
        return _after(state, floor), UtteranceEnded(b"".join(spoken), Ending.SILENCE)
    if len(audio) >= config.frames(config.max_utterance_seconds):
        return _after(state, floor), UtteranceEnded(b"".join(audio), Ending.MAX_LENGTH)
    return replace(state, audio=audio, silent_run=silent, floor_db=floor), None


def _after(state: Segmenter, floor_db: float) -> Segmenter:
    """Ready for the next utterance, remembering how noisy the room is."""
    return Segmenter(state.config, floor_db=floor_db)
