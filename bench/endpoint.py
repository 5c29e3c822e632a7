"""Endpointing benchmark: answers found, held open, invented and cut in two, in noise and breath.

Speech is espeak-ng Korean, generated at run time, mixed with white and brown noise at
20, 10 and 5 dB SNR, breath-like bursts (band-limited noise swelling over 0.6 s every
2.5 s) 20 dB below the speech, breath alone, and a 1.3 s thinking pause in the middle of
an answer. The baseline, measured in the same run, is webrtcvad's verdict alone driving
the same segmenter (no noise floor, no voicing check), the way the loop listened before.
Goals: every answer found once, none held open to the cap, no phantom answer from breath,
no answer cut in two by a pause where the step allows a reflective end-silence. Columns:
right (answers heard exactly as often as said), capped (held open to the length cap),
phantom (answers nobody gave), split (an answer cut in two), and the time from the last
word to the end of the answer being decided (the end-silence, plus any noise holding it).

    python bench/endpoint.py [--phrases N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local_voice.activity import VoiceActivity  # noqa: E402
from local_voice.audio import Audio, read_wav  # noqa: E402
from local_voice.endpoint import Ending, EndpointConfig  # noqa: E402
from local_voice.loop import WALK_SETTINGS, Heard, InputEnded, Listener  # noqa: E402
from tests.sounds import RATE, SoundInput, at_snr, breaths, mix, white  # noqa: E402

PHRASES = ["오늘 우리가 서로에게 고마웠던 일을 이야기해 볼까요", "네 좋아요", "아니요",
           "잠깐 멈춰 주세요", "다시 말해 주세요", "우리는 산책을 했어요",
           "고마워요 정말 고마워요", "내일 커피를 만들어 줄게요", "도와주세요", "다음"]
LEAD, TAIL, CAP = 2.0, 16.0, 20.0


def speak(text: str, folder: Path, index: int) -> Audio:
    path = folder / f"{index}.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(path), text], check=True)
    return read_wav(path).at_rate(RATE)


def brown(seconds: float, rms: float, seed: int = 3) -> np.ndarray:
    steps = np.random.default_rng(seed).standard_normal(round(seconds * RATE))
    walk = np.cumsum(steps)
    walk -= np.convolve(walk, np.ones(801) / 801, mode="same")  # no drift below 20 Hz
    return walk * rms / float(np.sqrt(np.mean(walk ** 2)))


@dataclass(frozen=True)
class Condition:
    name: str
    sound: Callable[[Audio], Audio]
    config: EndpointConfig
    end_silence: float
    before: float
    """The end-silence the loop used here before steps had their own (1.2 s; 1.5 on a walk)."""
    answers: int
    """Answers a good endpointer hears in it: 1, or 0 for breath alone."""


def noisy(noise: Callable[[float, float], np.ndarray], snr: float) -> Callable[[Audio], Audio]:
    return lambda speech: mix((0.0, noise(LEAD + speech.seconds + TAIL, at_snr(speech, snr))),
                              (LEAD, speech))


def paused(speech: Audio) -> Audio:
    return mix((0.0, white(LEAD + 2 * speech.seconds + 1.3 + TAIL, 30.0)), (LEAD, speech),
               (LEAD + speech.seconds + 1.3, speech))


def conditions() -> list[Condition]:
    room = replace(EndpointConfig(), max_utterance_seconds=CAP)
    walk = replace(WALK_SETTINGS.endpoint, max_utterance_seconds=CAP)
    answer, reflective = room.end_silence_seconds, room.reflective_end_silence_seconds
    rows = [Condition("clean", noisy(white, 60), room, answer, answer, 1)]
    for snr in (20, 10, 5):
        rows.append(Condition(f"white {snr} dB", noisy(white, snr), room, answer, answer, 1))
    for snr in (20, 10, 5):
        rows.append(Condition(f"brown {snr} dB", noisy(brown, snr), room, answer, answer, 1))
    rows += [
        Condition("breath 20 dB, walk", noisy(breaths, 20), walk,
                  walk.reflective_end_silence_seconds, walk.end_silence_seconds, 1),
        Condition("breath alone, walk", lambda s: mix(
            (0.0, breaths(LEAD + s.seconds + TAIL, at_snr(s, 0))), (0.0, white(30.0, 3.0))),
            walk, walk.reflective_end_silence_seconds, walk.end_silence_seconds, 0),
        Condition("1.3 s pause, open question", paused, room, reflective, answer, 1),
    ]
    return rows


@dataclass
class Tally:
    right: int = 0
    capped: int = 0
    phantom: int = 0
    split: int = 0
    held: list[float] | None = None


def run(condition: Condition, speech: list[Audio], cues: Callable[[], Callable]) -> Tally:
    tally = Tally(held=[])
    for said in speech:
        sound = condition.sound(said)
        listener = Listener(SoundInput(sound), condition.config, cues())
        clock, heard = 0.0, []
        while True:
            listening, seconds = listener.listen(30.0, end_silence_seconds=condition.end_silence)
            clock += seconds
            if isinstance(listening, InputEnded):
                break
            if isinstance(listening, Heard):
                heard.append((listening, clock))
        tally.right += len(heard) == condition.answers
        tally.capped += sum(h.ending is Ending.MAX_LENGTH for h, _ in heard)
        extra = max(0, len(heard) - condition.answers)
        if condition.sound is paused:
            tally.split += extra
        else:
            tally.phantom += extra
        if condition.answers and heard:
            tally.held.append(heard[-1][1] - (sound.seconds - TAIL - trailing_quiet(said)))
    return tally


def trailing_quiet(speech: Audio) -> float:
    """The quiet espeak-ng leaves after the last word."""
    loud = np.flatnonzero(np.abs(speech.samples().astype(np.int32)) > 300)
    return (len(speech.samples()) - (loud[-1] + 1 if loud.size else 0)) / speech.rate


def webrtcvad_alone() -> Callable[[bytes], bool]:
    vad = VoiceActivity(RATE)
    return vad.is_speech


def per_frame_seconds(make: Callable[[], Callable], sound: Audio, passes: int = 5) -> float:
    """The best of several passes over the same sound."""
    frame = 2 * round(RATE * 0.03)
    chunks = [sound.pcm[i:i + frame] for i in range(0, len(sound.pcm) - frame + 1, frame)]
    best = float("inf")
    for _ in range(passes):
        cue = make()
        start = time.perf_counter()
        for chunk in chunks:
            cue(chunk)
        best = min(best, (time.perf_counter() - start) / len(chunks))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrases", type=int, default=len(PHRASES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        speech = [speak(p, Path(folder), i) for i, p in enumerate(PHRASES[:args.phrases])]
    print(f"{len(speech)} phrases of espeak-ng Korean speech, {LEAD:.0f} s of sound before "
          f"each and {TAIL:.0f} s after; length cap {CAP:.0f} s\n")
    print(f"{'condition':28} {'endpointer':10} {'right':>6} {'capped':>6} {'phantom':>7} "
          f"{'split':>5} {'last word to end (p50)':>23}")
    for condition in conditions():
        for who, cues, config in (
                ("baseline", webrtcvad_alone,
                 replace(condition.config, floor_margin_db=-1e9, start_voiced_seconds=0.0)),
                ("new", lambda: VoiceActivity(RATE), condition.config)):
            end_silence = condition.end_silence if who == "new" else condition.before
            tally = run(replace(condition, config=config, end_silence=end_silence), speech,
                        cues)
            held = f"{statistics.median(tally.held):.2f} s" if tally.held else "-"
            print(f"{condition.name:28} {who:10} {tally.right:>3}/{len(speech):<2} "
                  f"{tally.capped:>6} {tally.phantom:>7} {tally.split:>5} {held:>23}")
    sample = mix((0.0, white(10.0, 300.0)), (1.0, speech[0]))
    bare = per_frame_seconds(webrtcvad_alone, sample)
    full = per_frame_seconds(lambda: VoiceActivity(RATE), sample)
    print(f"\nper 30 ms frame: webrtcvad alone {bare * 1e6:.0f} µs, with loudness and voicing "
          f"{full * 1e6:.0f} µs")
    print(f"ratio={full / bare:.2f} (time per frame of the endpointer's cues over webrtcvad "
          "alone)")


if __name__ == "__main__":
    main()
