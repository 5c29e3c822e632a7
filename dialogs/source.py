"""Reading YAML so that every value remembers the line it came from.

Authors are not programmers: every problem found in a file is reported as
``file:line: what is wrong, and how to fix it``. PyYAML's composed node tree
carries the marks; we turn it into plain Python data plus a map from each
value's path (keys and list indexes) to its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml


@cache
def _loader() -> type:
    """PyYAML's safe loader with YAML 1.2 booleans: only true and false (authors write
    `on:`, `yes` and `no` as words). libyaml's parser when PyYAML was built with it: the
    same nodes and marks, forty times faster than the pure-Python one on the safety
    concepts. Made on first use: a book from the cache needs no YAML at all."""
    import yaml

    loader = type("Loader", (getattr(yaml, "CSafeLoader", yaml.SafeLoader),), {})
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(
        r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    return loader

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a definition file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DefinitionError(Exception):
    """Raised when definition files cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class SourceMap:
    """Where each value of one file was written."""

    file: str
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int:
        """The line of the deepest part of ``path`` that the file has."""
        for cut in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:cut]))
            if found is not None:
                return found
        return 1

    def problem(self, path: Path_, message: str) -> Problem:
        return Problem(self.file, self.line(path), message)


def _to_python(node: yaml.Node, path: Path_, lines: dict[Path_, int], file: str,
               scalars: yaml.constructor.SafeConstructor) -> Any:
    import yaml

    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = (scalars.construct_object(key_node, deep=True)
                   if isinstance(key_node, yaml.ScalarNode) else None)
            if not isinstance(key, str):
                raise DefinitionError([Problem(file, key_node.start_mark.line + 1,
                                               "a key must be a plain word, like `say:`")])
            if key in result:
                raise DefinitionError([Problem(
                    file, key_node.start_mark.line + 1,
                    f"`{key}` appears twice here; keep one of them (each name must be unique)")])
            lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _to_python(value_node, (*path, key), lines, file, scalars)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines, file, scalars)
                for i, item in enumerate(node.value)]
    return scalars.construct_object(node, deep=True)


def read_yaml(path: Path | str, *, display_name: str | None = None) -> tuple[Any, SourceMap]:
    """Parse one YAML file into plain data and a map of lines.

    Raises DefinitionError (never a parser traceback) for unreadable or malformed files.
    """
    import yaml

    file = display_name or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError([Problem(file, 1, f"cannot read this file ({error})")]) from None
    try:
        node = yaml.compose(text, Loader=_loader())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        what = error.problem or "the file is not valid YAML"
        raise DefinitionError([Problem(
            file, line,
            f"this is not valid YAML ({what}); check the indentation and that text "
            "containing a colon is in quotes")]) from None
    lines: dict[Path_, int] = {}
    if node is None:
        return None, SourceMap(file, {(): 1})
    return _to_python(node, (), lines, file, yaml.constructor.SafeConstructor()), SourceMap(
        file, lines)
