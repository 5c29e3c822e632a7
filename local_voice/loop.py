"""The offline voice loop: speak a turn, listen (half duplex), recognise, match, repeat.

The loop holds no exercise logic: the engine decides what is said; the loop renders it
as sound, times timed phases, and turns what it hears into engine events.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Protocol

from dialogs import intents, turns
from dialogs.book import Book
from dialogs.engine import Event as EngineEvent
from dialogs.engine import (
    IntentEvent,
    Launch,
    NoInput,
    SessionEnd,
    TimerElapsed,
    Turn,
    Utterance,
)
from dialogs.intents import FALLBACK
from dialogs.markup import to_plain
from dialogs.matcher import spoken
from dialogs.model import ListenMode, Platform
from dialogs.session import Session, Watcher
from dialogs.store import ProgressStore
from local_voice import endpoint, quality
from local_voice.activity import VoiceActivity
from local_voice.audio import VAD_RATE, Audio, AudioError, earcon, read_wav, silence
from local_voice.devices import DeviceError
from local_voice.endpoint import QUIET_ROOM_DB, Cue, Ending, EndpointConfig, Segmenter
from local_voice.judge import Accept, AskAgain, Confirm, Thresholds, Verdict, judge, one_phrase
from local_voice.recognize import Transcript

# ---------------------------------------------------------------- audio in and out


class AudioInput(Protocol):
    rate: int

    def frame(self) -> bytes | None: ...
    def mute(self) -> None: ...
    def unmute(self, guard_seconds: float = 0.0) -> None: ...


class AudioOutput(Protocol):
    def play(self, audio: Audio) -> None: ...


class WavInput:
    """WAV files played in turn as if spoken into a microphone: each file is the next
    thing someone says, followed by enough quiet to end it. A file of silence is a
    pause. When the files run out, input has ended."""

    def __init__(self, paths: Iterable[Path], trailing_silence: float = 2.0,
                 rate: int = VAD_RATE):
        self.rate = rate
        self.frame_bytes = 2 * round(rate * 0.03)
        self.pending = [read_wav(p).at_rate(rate) for p in paths]
        self.trailing = silence(trailing_silence, rate).pcm
        self.buffer = b""

    @classmethod
    def from_path(cls, path: Path | str) -> WavInput:
        path = Path(path)
        if not path.is_dir():
            return cls([path])
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".wav" and p.is_file())
        if not files:
            raise AudioError(f"The folder {path} holds no WAV files (*.wav), so there is "
                             "nothing to hear. Put the recordings of what people say there, "
                             "named in the order they are said (01.wav, 02.wav, ...).")
        return cls(files)

    def frame(self) -> bytes | None:
        while len(self.buffer) < self.frame_bytes:
            if not self.pending:
                return None
            self.buffer += self.pending.pop(0).pcm + self.trailing
        chunk, self.buffer = self.buffer[:self.frame_bytes], self.buffer[self.frame_bytes:]
        return chunk

    def mute(self) -> None:
        pass

    def unmute(self, guard_seconds: float = 0.0) -> None:
        pass


class FolderOutput:
    """Every spoken turn as a numbered WAV file instead of sound; numbering goes on after
    the files already there, so an earlier run's are kept."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise AudioError(f"{self.folder} is a file, but the spoken turns are written into "
                             "a folder (001.wav, 002.wav, ...). Name a folder instead; it is "
                             "made if it does not exist.")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise AudioError(f"The folder {self.folder} could not be made "
                             f"({error.strerror or error}).") from None
        numbers = [int(p.stem) for p in self.folder.glob("*.wav") if p.stem.isdigit()]
        self.count = max(numbers, default=0)

    def play(self, audio: Audio) -> None:
        self.count += 1
        target = self.folder / f"{self.count:03d}.wav"
        try:
            target.write_bytes(audio.to_wav())
        except OSError as error:
            raise DeviceError(f"The guide's words could not be written to {target} "
                              f"({error.strerror or error}).") from None


class Transcriber(Protocol):
    def transcribe(self, audio: Audio, phrases: list[str] | None = None) -> Transcript: ...


class Stream(Protocol):
    def feed(self, pcm: bytes) -> None: ...
    def finish(self) -> Transcript: ...

    @property
    def audio(self) -> Audio:
        """All it was fed: scores of other decodings compare only on the same audio."""


class StreamingTranscriber(Transcriber, Protocol):
    """A recogniser fed while the person speaks, which also scores rivals (Recognizer)."""

    def listen(self, rate: int, phrases: list[str] | None,
               guard: list[str] | None = None) -> Stream: ...
    def best_score(self, audio: Audio, phrases: list[str]) -> float | None: ...


class Voice(Protocol):
    def render(self, markup: str) -> Audio | None: ...


# ---------------------------------------------------------------- what listening gives


@dataclass(frozen=True)
class Heard:
    audio: Audio
    ending: Ending = Ending.SILENCE
    """`Ending.MAX_LENGTH` when the answer ran to the length cap and was cut there."""
    stream: Stream | None = None
    """Recognition fed while it was spoken, ready to finish."""


@dataclass(frozen=True)
class Quiet:
    """Nobody spoke before the no-input timeout."""


@dataclass(frozen=True)
class TimeUp:
    """A timed phase ran its course."""


@dataclass(frozen=True)
class InputEnded:
    pass


@dataclass(frozen=True)
class Pressed:
    """A button on the companion screen, pressed while the loop listened."""

    event: EngineEvent


Listening = Heard | Quiet | TimeUp | InputEnded | Pressed


class Listener:
    """Frames in, one utterance (or silence, or the end of a phase) out."""

    def __init__(self, source: AudioInput, config: EndpointConfig,
                 is_speech: Callable[[bytes], Cue | bool] | None = None,
                 pressed: Callable[[], EngineEvent | None] = lambda: None):
        self.source = source
        self.config = config
        self.pressed = pressed
        """A button's event, if one was pressed since the last frame."""
        self.is_speech = is_speech or VoiceActivity(source.rate)
        self.floor_db = QUIET_ROOM_DB
        """How noisy the room was when the last listen ended: the next one starts there."""

    def listen(self, no_input_seconds: float, limit_seconds: float | None = None,
               end_silence_seconds: float | None = None,
               stream: Callable[[int], Stream] | None = None) -> tuple[Listening, float]:
        """Wait for one utterance. Also returns the seconds of audio that went by. With
        `stream`, a recognition stream opened when speech starts is fed as it comes."""
        config = replace(self.config, no_input_seconds=no_input_seconds)
        if end_silence_seconds is not None:
            config = replace(config, end_silence_seconds=end_silence_seconds)
        state = Segmenter(config, floor_db=self.floor_db)
        frames = 0
        limit = config.frames(limit_seconds) if limit_seconds is not None else None
        feeding: Stream | None = None
        while True:
            chunk = self.source.frame()
            if chunk is None:
                return InputEnded(), frames * config.frame_seconds
            frames += 1
            button = self.pressed()
            if button is not None:
                return Pressed(button), frames * config.frame_seconds
            state, event = endpoint.step(state, chunk, self.is_speech(chunk))
            self.floor_db = state.floor_db
            if isinstance(event, endpoint.SpeechStarted) and stream is not None:
                feeding = stream(self.source.rate)
                feeding.feed(b"".join(state.audio))
            elif feeding is not None and state.stage is endpoint.Stage.SPEAKING:
                feeding.feed(chunk)
            if isinstance(event, endpoint.UtteranceEnded):
                return (Heard(Audio(event.audio, self.source.rate), event.ending, feeding),
                        frames * config.frame_seconds)
            if isinstance(event, endpoint.NoInput):
                return Quiet(), frames * config.frame_seconds
            if limit is not None and frames >= limit and state.stage is endpoint.Stage.WAITING:
                return TimeUp(), frames * config.frame_seconds


# ---------------------------------------------------------------- the loop


LONGER_THAN_A_PHRASE = 1.5
WORD_SECONDS = 0.6
"""Speech longer than 1.5 s plus 0.6 s a word of what a grammar heard is more than it heard."""

SPOKEN = "…"
"""What a free answer whose words are not kept, and were not heard openly, is passed on
as: something was said, and none of it was a command or a danger (the engine moves on;
nothing is stored)."""

CONFIRM_INTENTS = (intents.YES, intents.NO, intents.STOP, intents.CANCEL, intents.SAFETY)


@dataclass(frozen=True)
class LoopSettings:
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)
    thresholds: Thresholds = field(default_factory=Thresholds)
    name_confidence_floor: float = 0.7
    """Below this word confidence a name is asked again rather than confirmed."""
    guard_seconds: float = 0.25
    check_in_seconds: float = 60.0
    earcons: bool = True


WALK_SETTINGS = LoopSettings(
    endpoint=EndpointConfig(end_silence_seconds=1.5, reflective_end_silence_seconds=2.5,
                            no_input_seconds=25.0),
    check_in_seconds=90.0)
"""On a walk: more patience, and earcons to mark whose turn it is."""


@dataclass(frozen=True)
class Hearing:
    """How the next utterance is listened to: among `phrases`, or openly when None."""

    phrases: list[str] | None
    guard: list[str] | None = None
    """Listened for beside: with open recognition, the commands and safety phrases of the
    step; in free speech heard with a grammar, the safety phrases alone. With fewer phrases
    to choose from than the step's grammar, a safety phrase inside a sentence is less often
    taken for fillers or for a command."""
    alone: bool = False
    """In speech longer than a phrase, only a phrase said on its own counts (free speech,
    where a command word may be part of a sentence); otherwise, and in short speech, the
    best phrase is judged as an answer is."""
    reads: bool = False
    """Free speech whose words are read (for a betrayal note), so heard openly before the
    reply; otherwise only commands and danger matter, and the reply does not wait."""


@dataclass(frozen=True)
class Question:
    """A doubtful answer to confirm before the engine acts on it."""

    markup: str
    event: EngineEvent


def written(phrase: str, names: tuple[str, ...]) -> str:
    """A grammar phrase with the partners' names spelled as they are: "let Sam start"."""
    for name in names:
        phrase = re.sub(rf"\b{re.escape(spoken(name))}\b", name, phrase)
    return phrase


class VoiceLoop:
    """One spoken conversation. `start` and `respond` run a turn each; `run` loops."""

    def __init__(self, book: Book, store: ProgressStore, platform: Platform,
                 recognizer: Transcriber, voice: Voice, output: AudioOutput,
                 settings: LoopSettings = LoopSettings(),
                 today: Callable[[], date] = date.today,
                 show: Callable[[str], None] = lambda line: None,
                 watchers: tuple[Watcher, ...] = ()):
        self.session = Session(book, store, platform, today=today, watchers=watchers)
        self.recognizer = recognizer
        self.voice = voice
        self.output = output
        self.matcher = book.matcher
        self.messages = book.messages
        self.safety = book.safety
        self.safety.warm_up(background=True)  # while the guide speaks its first words
        self.settings = settings
        self.show = show
        self.turn: Turn | None = None
        self.timed_left: float | None = None
        self.asides = 0
        self.pending: EngineEvent | None = None
        """The answer waiting for a yes to a confirmation question."""
        self.microphone: AudioInput | None = None
        """Closed while the guide speaks, and only then."""
        self.openly: Future[Transcript] | None = None
        """The last free answer, heard openly for danger while the guide replies and listens
        on: open recognition runs at one to three times real time, too slow to wait for."""
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="open-listening")

    # -- speaking

    def play(self, audio: Audio) -> None:
        if self.microphone is not None:
            self.microphone.mute()
        self.output.play(audio)
        if self.microphone is not None:
            self.microphone.unmute(self.settings.guard_seconds)

    def speak(self, turn: Turn, previous: Turn | None) -> None:
        entering_timed = turn.listen.mode is ListenMode.TIMED and (
            previous is None or previous.at != turn.at or
            previous.listen.mode is not ListenMode.TIMED)
        if entering_timed:
            self.timed_left = float(turn.listen.seconds or 0)
        elif turn.listen.mode is not ListenMode.TIMED:
            self.timed_left = None
        audio = self.voice.render(turn.speech) if turn.speech else None
        if audio is not None:
            self.show(f"guide: {to_plain(turn.speech)}")
        if entering_timed and self.settings.earcons:
            chime = earcon("start", audio.rate if audio else 22050)
            audio = chime if audio is None else audio + silence(0.3, audio.rate) + chime
        elif audio is not None and self.settings.earcons and self.session.platform is \
                Platform.WALK and not turn.end_session:
            audio = audio + silence(0.2, audio.rate) + earcon("turn", audio.rate)
        if audio is not None:
            self.play(audio)

    def ask(self, question: Question) -> None:
        self.pending = question.event
        audio = self.voice.render(question.markup)
        self.shown_aside(question.markup)
        if audio is not None:
            self.play(audio)

    def shown_aside(self, markup: str) -> None:
        """Words of the loop's own, shown as the guide's and to whatever follows the session."""
        self.show(f"guide: {to_plain(markup)}")
        self.session.aside(markup)

    def handle(self, event: EngineEvent) -> Turn:
        previous = self.turn
        self.turn = self.session.handle(event)
        self.speak(self.turn, previous)
        return self.turn

    def start(self, exercise: str | None = None) -> Turn:
        return self.handle(Launch(exercise=exercise))

    # -- hearing

    def hearing(self) -> Hearing:
        """What the next utterance is listened for: the step's phrases for an answer (the
        partners' names among them when one of them is chosen); a command and safety
        grammar with fillers where only those matter in long speech; open recognition only
        where the words themselves are kept (names, promises)."""
        assert self.turn is not None
        listen = self.turn.listen
        if self.pending is not None:
            return Hearing(self.matcher.grammar(CONFIRM_INTENTS))
        guard = self.matcher.grammar(
            [i for i in listen.intents if self.matcher.grammar([i]) is not None])
        if listen.speaker_names:
            phrases = self.matcher.grammar(listen.intents, listen.speaker_names)
            if phrases is None:  # the step takes other open words too: only open recognition
                return Hearing(None, guard)
            return Hearing(list(dict.fromkeys([*phrases, *turns.answers(listen.speaker_names)])))
        if listen.mode is ListenMode.ANSWER:
            phrases = self.matcher.grammar(listen.intents)
            return Hearing(phrases, None if phrases is not None else guard)
        if listen.mode is ListenMode.ANY_WORDS and listen.keeps_words:
            return Hearing(None, guard)
        return Hearing(self.matcher.grammar(listen.intents) or [],
                       self.matcher.grammar([intents.SAFETY]), alone=True,
                       reads=listen.reads_words)

    def stream(self, rate: int) -> Stream:
        """A recognition stream for the next utterance (the Listener feeds it)."""
        hearing = self.hearing()
        return self.recognizer.listen(  # type: ignore[attr-defined]
            rate, hearing.phrases, hearing.guard)

    @property
    def streams(self) -> bool:
        return hasattr(self.recognizer, "listen")

    def transcribe(self, audio: Audio, phrases: list[str] | None,
                   stream: Stream | None = None) -> Transcript:
        try:
            if stream is not None:
                return stream.finish()
            return self.recognizer.transcribe(audio, phrases)
        except Exception as error:  # a recogniser failure costs one reprompt, not the session
            self.show(f"(speech recognition failed: {error})")
            return Transcript("")

    def rival_score(self, audio: Audio, phrases: list[str], heard: str,
                    among: tuple[str, ...], names: tuple[str, ...] = ()) -> float | None:
        """The best score of the phrases that mean something else than `heard`."""
        if not hasattr(self.recognizer, "best_score"):
            return None
        meaning = self.meaning(heard, among, names)
        rivals = [p for p in phrases if p != heard and (
            meaning is None or self.meaning(p, among, names) != meaning)]
        try:
            return self.recognizer.best_score(audio, rivals)  # type: ignore[attr-defined]
        except Exception as error:
            self.show(f"(speech recognition failed: {error})")
            return None

    def meaning(self, phrase: str, among: tuple[str, ...],
                names: tuple[str, ...] = ()) -> str | None:
        """What the engine would make of `phrase`: a command, or else, when the answer
        chooses between `names`, who goes first ("sam" and "let sam start" mean the same)."""
        found = self.matcher.match(phrase, among, strict=True)
        if found:
            return found.intent
        if len(names) == 2:
            first = turns.who_goes_first(phrase, (names[0], names[1]))
            return f"{first.answer}:{first.partner}"
        return None

    def verdict(self, heard: Transcript, audio: Audio, phrases: list[str],
                among: tuple[str, ...], alone: bool = False,
                names: tuple[str, ...] = (), weigh_sound: bool = True) -> Verdict:
        """`weigh_sound`: in noise or a telephone band, confirm what would be acted on. Not
        for the answer to a confirmation: acting then takes two phrases heard alike."""
        phrase = one_phrase(heard, phrases, alone)
        rival = self.rival_score(audio, phrases, phrase, among, names) \
            if phrase is not None and heard.score is not None else None
        verdict = judge(heard, phrases, rival, self.settings.thresholds, alone,
                        quality.measure(audio) if weigh_sound else None)
        self.show(f"judged: {type(verdict).__name__.lower()}"
                  + (f" ({verdict.reason})" if isinstance(verdict, AskAgain) else ""))
        return verdict

    def open_words(self, audio: Audio) -> Transcript:
        """The words a grammar cannot hold, heard openly: a question that expects yes or no
        must still hear "he put his hands round my neck"."""
        return self.transcribe(audio, None)

    def recognise(self, audio: Audio, stream: Stream | None = None) -> EngineEvent | Question:
        """What the person said, as the event the engine should get, or a question to ask
        first. A danger anywhere in what was heard goes to the engine before anything."""
        assert self.turn is not None
        listen = self.turn.listen
        hearing = self.hearing()
        heard = self.transcribe(audio, hearing.phrases, stream)
        fed = stream.audio if stream is not None else audio
        self.show(f"heard: {heard.text} ({heard.confidence:.2f})" if heard.text or not
                  heard.phrases_only else f"heard: {heard.phrases_only} (phrases alone)")
        for words in (heard.text, heard.guarded):
            if words and self.safety.check(words):
                self.pending = None
                return Utterance(words)  # a whole phrase or a part of a longer sentence
        if self.pending is not None:
            return self.confirmed(heard, fed, hearing.phrases or [])
        if hearing.phrases is None:
            if listen.mode is ListenMode.ANSWER:
                return self.name(heard)
            return Utterance(heard.text) if heard.text else NoInput()
        alone = hearing.alone and audio.seconds > LONGER_THAN_A_PHRASE
        verdict = self.verdict(heard, fed, hearing.phrases, listen.intents, alone,
                               listen.speaker_names)
        openly = Transcript("")
        if hearing.alone and not hearing.reads:  # reply now, check for danger meanwhile
            if not isinstance(verdict, Accept):
                self.openly = self._worker.submit(self.open_words, audio)
        elif self.more_than_a_phrase(heard, audio):
            openly = self.open_words(audio)
        if openly.text and self.safety.check(openly.text):
            self.show(f"heard: {openly.text} ({openly.confidence:.2f})")
            return Utterance(openly.text)
        if isinstance(verdict, Accept):
            return Utterance(verdict.text)
        if isinstance(verdict, Confirm):
            said = written(verdict.text, listen.speaker_names)
            return Question(self.wording("confirm_heard", heard=said), Utterance(verdict.text))
        if listen.mode is ListenMode.ANSWER or listen.speaker_names:
            return IntentEvent(FALLBACK)
        if openly.text:  # read as typed words: an affair mentioned brings the betrayal note
            self.show(f"heard: {openly.text} ({openly.confidence:.2f})")
            return Utterance(openly.text)
        return Utterance(SPOKEN)

    def heard_openly(self, wait: bool) -> Utterance | None:
        """Danger that open recognition found in the last free answer, once it has finished
        (`wait`: wait for it). Acted on before anything said after that answer."""
        check = self.openly
        if check is None or not (wait or check.done()):
            return None
        self.openly = None
        heard = check.result()
        if not heard.text or not self.safety.check(heard.text):
            return None
        self.show(f"heard: {heard.text} ({heard.confidence:.2f})")
        self.pending = None
        return Utterance(heard.text)

    def act_on_danger_heard_openly(self, wait: bool) -> Turn | None:
        """The turn for danger `heard_openly` found, if it found any."""
        danger = self.heard_openly(wait)
        return None if danger is None else self.handle(danger)

    @staticmethod
    def more_than_a_phrase(heard: Transcript, audio: Audio) -> bool:
        """Speech a grammar cannot hold: none of its phrases heard at all, or much longer
        than what it heard (a sentence squeezed into "no"). The safety check reads concepts
        that no grammar can list, so such speech is also heard openly: for danger, and where
        free speech is read, for the engine to read as typed words."""
        said = heard.text or heard.phrases_only
        return not said or \
            audio.seconds > LONGER_THAN_A_PHRASE + WORD_SECONDS * len(said.split())

    def name(self, heard: Transcript) -> EngineEvent | Question:
        """A name is kept for good, so it is never taken unsure, and always confirmed."""
        if not heard.text or heard.confidence < self.settings.name_confidence_floor:
            return IntentEvent(FALLBACK)
        return Question(self.wording("confirm_name", name=heard.text), Utterance(heard.text))

    def confirmed(self, heard: Transcript, audio: Audio, phrases: list[str]) -> EngineEvent:
        pending, self.pending = self.pending, None
        assert pending is not None
        verdict = self.verdict(heard, audio, phrases, CONFIRM_INTENTS, weigh_sound=False)
        if not isinstance(verdict, Accept):
            return IntentEvent(FALLBACK)
        meaning = self.meaning(verdict.text, CONFIRM_INTENTS)
        if meaning == intents.YES:
            return pending
        if meaning == intents.NO:
            return IntentEvent(FALLBACK)
        return Utterance(verdict.text)

    def wording(self, message: str, **values: str) -> str:
        prompts = getattr(self.messages, message)
        text = prompts[0] if prompts else "{" + next(iter(values)) + "}?"
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text

    def lost_thread(self, audio: Audio) -> Turn:
        """An answer cut at the length cap: danger in it still stops the exercise; otherwise
        the guide says kindly that it lost the thread and listens again on the same step."""
        assert self.turn is not None
        event = self.recognise(audio)
        event = self.heard_openly(wait=True) or event
        if isinstance(event, Utterance) and self.safety.check(event.text):
            return self.handle(event)
        self.say_aside(self.session.book.messages.lost_thread)
        return self.turn

    def say_aside(self, variants: tuple[str, ...]) -> None:
        """Words of the loop's own between two turns, taking the variants in turn."""
        if not variants:
            return
        markup = variants[self.asides % len(variants)]
        self.asides += 1
        audio = self.voice.render(markup)
        if audio is None:
            return
        self.shown_aside(markup)
        if self.settings.earcons and self.session.platform is Platform.WALK:
            audio = audio + silence(0.2, audio.rate) + earcon("turn", audio.rate)
        self.play(audio)

    def end_silence(self) -> float:
        """Quiet that ends an answer here: longer after an open, reflective question."""
        config = self.settings.endpoint
        if self.turn is not None and self.turn.listen.mode is ListenMode.ANY_WORDS:
            return max(config.reflective_end_silence_seconds, config.end_silence_seconds)
        return config.end_silence_seconds

    def respond(self, listening: Listening, seconds: float = 0.0) -> Turn | None:
        """Turn what listening gave into the next turn; None when input has ended."""
        danger = self.act_on_danger_heard_openly(wait=True)
        if danger is not None:
            return danger
        if isinstance(listening, InputEnded):
            self.stop("input ended")
            return None
        if self.timed_left is not None:
            self.timed_left = max(0.0, self.timed_left - seconds)
        if isinstance(listening, TimeUp):
            self.pending = None
            if self.settings.earcons:
                self.play(earcon("end"))
            return self.handle(TimerElapsed())
        if isinstance(listening, Quiet):
            self.pending = None
            return self.handle(NoInput())
        if isinstance(listening, Pressed):
            self.pending = None
            return self.handle(listening.event)
        if listening.ending is Ending.MAX_LENGTH and self.timed_left is None:
            return self.lost_thread(listening.audio)
        outcome = self.recognise(listening.audio, listening.stream)
        if isinstance(outcome, Question):
            self.ask(outcome)
            return self.turn
        return self.handle(outcome)

    def stop(self, reason: str) -> None:
        if self.turn is not None and not self.session.ended:
            self.session.handle(SessionEnd(reason))

    # -- the whole conversation

    def run(self, listener: Listener, source: AudioInput, exercise: str | None = None) -> None:
        """Half duplex: the microphone is closed while the guide speaks and open the rest of
        the time, thinking included, so nothing said after an answer is lost."""
        self.microphone = source
        self.start(exercise)
        stream = self.stream if self.streams else None
        try:
            while not self.session.ended:
                assert self.turn is not None
                if self.timed_left is not None:
                    no_input = min(self.settings.check_in_seconds, max(self.timed_left, 0.03))
                    listening, seconds = listener.listen(no_input, self.timed_left, stream=stream)
                else:
                    listening, seconds = listener.listen(
                        self.settings.endpoint.no_input_seconds,
                        end_silence_seconds=self.end_silence(), stream=stream)
                if isinstance(listening, Quiet) and self.timed_left is not None and \
                        self.timed_left - seconds <= 0:
                    listening = TimeUp()
                if self.respond(listening, seconds) is None:
                    return
                self.act_on_danger_heard_openly(wait=self.session.ended)
        except KeyboardInterrupt:
            self.stop("interrupted")
            raise
        finally:
            self.microphone = None
