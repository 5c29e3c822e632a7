"""The text front end: lines in, the guide's words out. Works interactively and piped."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date
from typing import TextIO

from dialogs.book import Book
from dialogs.engine import Event, Launch, NoInput, SessionEnd, Turn, Utterance
from dialogs.markup import to_plain
from dialogs.model import Platform
from dialogs.session import Session
from dialogs.store import ProgressStore

WIDTH = 78
SAVED_NOTE = "(Your place is saved. Run `couplecare talk` again to carry on.)"


class TextConversation:
    """Reads what the couple types, one line a turn; an empty line counts as silence."""

    def __init__(self, book: Book, store: ProgressStore, stdin: TextIO, stdout: TextIO,
                 platform: Platform = Platform.TEXT, today: Callable[[], date] = date.today):
        self.session = Session(book, store, platform, today=today)
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = stdin.isatty()

    def handle(self, event: Event) -> Turn:
        turn = self.session.handle(event)
        words = to_plain(turn.speech)
        if words:
            self.stdout.write(textwrap.fill(words, WIDTH) + "\n\n")
            self.stdout.flush()
        return turn

    def answer(self, line: str) -> Turn:
        return self.handle(Utterance(line) if line.strip() else NoInput())

    def read(self) -> str | None:
        if self.interactive:
            self.stdout.write("> ")
            self.stdout.flush()
        line = self.stdin.readline()
        return None if line == "" else line.strip()

    def run(self, exercise: str | None = None) -> None:
        self.handle(Launch(exercise=exercise))
        self.session.book.safety.warm_up(background=True)  # while the couple reads
        try:
            while not self.session.ended:
                line = self.read()
                if line is None:
                    self.stop()
                    return
                self.answer(line)
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
