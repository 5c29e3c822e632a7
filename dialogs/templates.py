"""Sample templates: one line for many ways of saying a thing.

`(yes|yeah|yep) [please]` lists alternatives in brackets and optional words in square
brackets; `{slot}` stays as it is. Home Assistant's `hassil` parses and expands them, so the
same list of sentences feeds the matcher, the Alexa samples and the recogniser's grammar.
"""

from __future__ import annotations

from functools import cache

TEMPLATE_MARKS = frozenset("()[]|;<>")
"""Characters that make a sample a template; a sample without them is said as written."""


class TemplateError(ValueError):
    """A sample template that cannot be read, with the reason."""


@cache
def expand(template: str) -> tuple[str, ...]:
    """Every sentence a template makes, in order, each once, single-spaced."""
    if not TEMPLATE_MARKS & set(template):
        return (" ".join(template.split()),)
    from hassil import parse_sentence, sample_expression  # only needed to check new content

    try:
        sentence = parse_sentence(template)
        said = sample_expression(sentence.expression, expand_lists=False)
        return tuple(dict.fromkeys(" ".join(s.split()) for s in said if s.strip()))
    except Exception as error:  # hassil raises several kinds for a malformed template
        raise TemplateError(f"cannot read the template {template!r}: {error}") from error
