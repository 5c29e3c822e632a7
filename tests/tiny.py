"""A one-file exercise that tests write step by step."""

import textwrap
from pathlib import Path

from dialogs.book import Book, load_book

HEADER = """\
id: tiny
title: Tiny
topic: honest communication
minutes: 2
summary: A test exercise.
start: one
steps:
"""


def tiny_book(folder: Path, steps: str) -> Book:
    """The shipped welcome flow and vocabulary with one exercise, `tiny`, made of `steps`."""
    path = folder / "tiny.yaml"
    path.write_text(HEADER + textwrap.indent(textwrap.dedent(steps), "  "))
    return load_book(exercise_files=[path])
