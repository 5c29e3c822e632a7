"""The text front end: lines in, the guide's words out. Works interactively and piped."""

from __future__ import annotations

import queue
import textwrap
import threading
from collections.abc import Callable
from datetime import date
from typing import TextIO

from dialogs.book import Book
from dialogs.engine import Event, Launch, NoInput, SessionEnd, Turn, Utterance
from dialogs.markup import to_plain
from dialogs.model import Platform
from dialogs.session import Session, Watcher
from dialogs.store import ProgressStore

WIDTH = 78
SAVED_NOTE = "(Your place is saved. Run `couplecare talk` again to carry on.)"


class TextConversation:
    """Reads what the couple types, one line a turn; an empty line counts as silence. With
    `pressed` (the companion screen's buttons), a button's event is taken as soon as it
    comes, between lines."""

    def __init__(self, book: Book, store: ProgressStore, stdin: TextIO, stdout: TextIO,
                 platform: Platform = Platform.TEXT, today: Callable[[], date] = date.today,
                 watchers: tuple[Watcher, ...] = (),
                 pressed: Callable[[float], Event | None] | None = None):
        self.session = Session(book, store, platform, today=today, watchers=watchers)
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = stdin.isatty()
        self.pressed = pressed
        self.lines: queue.SimpleQueue[str | None] | None = None

    def handle(self, event: Event) -> Turn:
        turn = self.session.handle(event)
        words = to_plain(turn.speech)
        if words:
            self.stdout.write(textwrap.fill(words, WIDTH) + "\n\n")
            self.stdout.flush()
        return turn

    def answer(self, line: str) -> Turn:
        return self.handle(Utterance(line) if line.strip() else NoInput())

    def read(self) -> str | Event | None:
        """The next line typed (None at the end of input), or a button's event."""
        if self.interactive:
            self.stdout.write("> ")
            self.stdout.flush()
        if self.pressed is None:
            return self.read_line()
        if self.lines is None:
            self.lines = queue.SimpleQueue()
            threading.Thread(target=self.read_lines, daemon=True, name="typed-lines").start()
        while True:
            button = self.pressed(0.05)
            if button is not None:
                if self.interactive:
                    self.stdout.write("\n")
                return button
            try:
                return self.lines.get_nowait()
            except queue.Empty:
                continue

    def read_line(self) -> str | None:
        line = self.stdin.readline()
        return None if line == "" else line.strip()

    def read_lines(self) -> None:
        assert self.lines is not None
        while True:
            line = self.read_line()
            self.lines.put(line)
            if line is None:
                return

    def run(self, exercise: str | None = None) -> None:
        self.handle(Launch(exercise=exercise))
        self.session.book.safety.warm_up(background=True)  # while the couple reads
        try:
            while not self.session.ended:
                line = self.read()
                if line is None:
                    self.stop()
                    return
                if isinstance(line, str):
                    self.answer(line)
                else:
                    self.handle(line)
        except KeyboardInterrupt:
            self.stdout.write("\n")
            self.stop()

    def stop(self) -> Turn:
        """End of input or Ctrl-C mid-conversation: save the place and say so."""
        turn = self.handle(SessionEnd("input closed"))
        if turn.exercise:
            self.stdout.write(SAVED_NOTE + "\n")
            self.stdout.flush()
        return turn
