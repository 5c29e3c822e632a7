"""The speech engine's own process: reads JSON requests on stdin, answers on stdout.

Run by `local_voice.speech.Synthesizer` as `python -m local_voice.speech_worker [voice]`.
The first line out is {"voices": [[id, name], ...]} or {"error": "no_engine" or
"no_voice", "detail": ...}; then each
request {"text", "rate", "path"} is answered {"done": true} once the WAV file is written.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time

EMPTY_RUNS = 5
"""The driver hears the end of a run from espeak's own thread. A run started while that
thread is still in the last run's callback can end on the stale event and write a file
with no samples, 160 ms late (measured: one run in two, back to back). Yielding once
before each run made that vanish (0 of 120); a run that still comes out empty is
synthesised again here, where it costs no round trip."""
WAV_HEADER = 44


class _Discard(io.TextIOBase):
    """Where the driver's prints go, so that only replies reach the real stdout."""

    def write(self, text: str) -> int:
        return len(text)


def main(argv: list[str]) -> int:
    answers, sys.stdout = sys.stdout, _Discard()

    def answer(message: dict) -> None:
        answers.write(json.dumps(message) + "\n")
        answers.flush()

    try:
        import pyttsx3

        engine = pyttsx3.init()
        voices = [(v.id, v.name) for v in engine.getProperty("voices")]
    except Exception as error:  # pyttsx3 raises many kinds when no speech engine loads
        answer({"error": "no_engine", "detail": str(error)})
        return 1
    wanted = argv[0] if argv else None
    if wanted:
        chosen = next((id_ for id_, _ in voices if id_ == wanted), None) or next(
            (id_ for id_, name in voices if wanted.lower() in (name or "").lower()), None)
        if chosen is None:
            answer({"error": "no_voice", "detail": wanted})
            return 1
        engine.setProperty("voice", chosen)
    answer({"voices": voices})
    for line in sys.stdin:
        request = json.loads(line)
        engine.setProperty("rate", request["rate"])
        time.sleep(0)  # lets espeak's thread finish the last run's callback (EMPTY_RUNS)
        for _ in range(EMPTY_RUNS):
            engine.save_to_file(request["text"], request["path"])
            engine.runAndWait()
            if os.path.getsize(request["path"]) > WAV_HEADER:
                break
        answer({"done": True})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
