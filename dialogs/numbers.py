"""Numbers said as words ("three", "third"): num2words, imported when a number is first said
(its import is a fiftieth of a second that most starts never need)."""

from __future__ import annotations


def num2words(number: int, **options: str) -> str:
    """`num2words.num2words`, the same arguments and the same words."""
    from num2words import num2words as spelled

    return spelled(number, **options)
