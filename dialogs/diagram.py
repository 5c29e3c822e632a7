"""Flow diagrams drawn from the same definitions the engine runs (Mermaid flowcharts)."""

from __future__ import annotations

import re

from dialogs.model import Action, Flow, ListenMode

_SHAPES = {
    ListenMode.ANSWER: ('["', '"]'),
    ListenMode.ANY_WORDS: ('(["', '"])'),
    ListenMode.TIMED: ('[/"', '"/]'),
    ListenMode.NOTHING: ('("', '")'),
}


def _leaving(actions: tuple[Action, ...]) -> list[Action]:
    return [action for action in actions if action.leaves_flow]


def _node(step_id: str) -> str:
    return "s_" + re.sub(r"\W", "_", step_id)


def _label(text: str) -> str:
    return text.replace('"', "'").replace("|", "/")


def mermaid(flow: Flow, title: str) -> str:
    """A flowchart: boxes answer, stadiums listen freely, slants are timed, rounds pass on."""
    lines = ["---", f"title: {_label(title)}", "---", "flowchart TD"]
    for step_id, step in flow.steps.items():
        opening, closing = _SHAPES[step.listen]
        suffix = " (end)" if step.end else ""
        lines.append(f"    {_node(step_id)}{opening}{_label(step_id)}{suffix}{closing}")
    exits: set[str] = set()
    for step_id, step in flow.steps.items():
        for action in _leaving(step.do):
            exits.add(action.value)
            lines.append(f"    {_node(step_id)} --> x_{action.value}")
        for path, transition in step.transitions():
            label = str(path[1]) if path[0] == "on" else str(path[0])
            if transition.when:
                label += " if " + ", ".join(f"{k}={v}" for k, v in transition.when.items())
            if transition.slots:
                label += " " + ", ".join(f"{k}={v}" for k, v in transition.slots.items())
            targets = [_node(transition.goto)] if transition.goto else []
            for action in _leaving(transition.do):
                exits.add(action.value)
                targets.append(f"x_{action.value}")
            for target in targets:
                lines.append(f"    {_node(step_id)} -->|{_label(label)}| {target}")
    for name in sorted(exits):
        lines.append(f"    x_{name}{{{{{name}}}}}")
    return "\n".join(lines) + "\n"
