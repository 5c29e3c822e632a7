"""Putting the voice loop together from options, and saying plainly what is missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from dialogs.book import Book
from dialogs.engine import Event as EngineEvent
from dialogs.model import Platform
from dialogs.session import Watcher
from dialogs.store import ProgressStore
from local_voice.audio import AudioError
from local_voice.devices import DeviceError, Microphone, Speaker
from local_voice.loop import (
    WALK_SETTINGS,
    AudioInput,
    AudioOutput,
    FolderOutput,
    Listener,
    LoopSettings,
    VoiceLoop,
    WavInput,
)
from local_voice.recognize import ModelError, Recognizer, check_model_folder, model_path
from local_voice.speech import DEFAULT_RATE, SpeechError, Synthesizer

SAVED = "Your place is saved; run `couplecare talk` again to carry on."


class VoiceUnavailable(Exception):
    """Voice cannot start here; the message says what is missing and how to fix it."""


@dataclass(frozen=True)
class VoiceOptions:
    data_dir: Path
    walk: bool = False
    model: str | None = None
    input_device: str | None = None
    output_device: str | None = None
    audio_in: str | None = None
    audio_out: str | None = None
    rate: int = DEFAULT_RATE
    voice: str | None = None
    end_silence: float | None = None


@dataclass
class VoiceSetup:
    loop: VoiceLoop
    listener: Listener
    source: AudioInput


def prepare(book: Book, store: ProgressStore, options: VoiceOptions,
            show: Callable[[str], None], watchers: tuple[Watcher, ...] = (),
            pressed: Callable[[], EngineEvent | None] = lambda: None) -> VoiceSetup:
    """Load the model, open the devices (or files), start the voice; or say what is missing."""
    try:
        model = model_path(options.model, options.data_dir)
        check_model_folder(model)
        source: AudioInput = (WavInput.from_path(options.audio_in) if options.audio_in
                              else Microphone(options.input_device))
        output: AudioOutput = (FolderOutput(options.audio_out) if options.audio_out
                               else Speaker(options.output_device))
        voice = Synthesizer(options.rate, options.voice)
        show("Loading the speech model...")
        recognizer = Recognizer(model)
    except (ModelError, DeviceError, SpeechError, AudioError) as reason:
        raise VoiceUnavailable(str(reason)) from None
    settings = WALK_SETTINGS if options.walk else LoopSettings()
    if options.end_silence:
        settings = replace(settings, endpoint=replace(
            settings.endpoint, end_silence_seconds=options.end_silence,
            reflective_end_silence_seconds=max(
                options.end_silence, settings.endpoint.reflective_end_silence_seconds)))
    loop = VoiceLoop(book, store, Platform.WALK if options.walk else Platform.VOICE,
                     recognizer, voice, output, settings, show=show, watchers=watchers)
    return VoiceSetup(loop, Listener(source, settings.endpoint, pressed=pressed), source)


def run(setup: VoiceSetup, exercise: str | None) -> str | None:
    """Hold the conversation; returns a closing message when it ended early."""
    try:
        setup.loop.run(setup.listener, setup.source, exercise)
    except DeviceError as error:
        setup.loop.stop("device lost")
        return f"{error} {SAVED}"
    except KeyboardInterrupt:
        return SAVED
    if setup.loop.turn is not None and not setup.loop.turn.end_session:
        return SAVED
    return None
