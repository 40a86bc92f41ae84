"""Read YAML as nodes that know their line, and collect every problem before failing.

The rule book is validated from PyYAML's node tree rather than from plain dicts, so that each
problem can name the line it is on. Nothing here knows what a rule book is.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "MappingNode",
    "Node",
    "Problem",
    "Problems",
    "RulebookError",
    "ScalarNode",
    "SequenceNode",
    "compose",
    "did_you_mean",
    "line_of",
    "load_plain",
]

_BOOL = "tag:yaml.org,2002:bool"


class _RuleLoader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans.

    YAML 1.1 reads a bare yes, no, on or off as a boolean, so a clinician writing `equals: yes`
    would silently compare against True. Here those words stay words.
    """

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {  # type: ignore[misc]
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


_RuleLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


@dataclass(frozen=True, order=True)
class Problem:
    line: int
    message: str


class RulebookError(Exception):
    """A rule book that must not be used. `problems` holds every problem found, by line."""

    def __init__(self, file: str, problems: Iterable[Problem]) -> None:
        self.file = file
        self.problems = tuple(sorted(set(problems)))
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.file}:{p.line}: {p.message}" for p in self.problems]


@dataclass
class Problems:
    """Collects problems while a file is checked, then raises them all at once."""

    file: str
    found: list[Problem] = field(default_factory=list)

    def add(self, where: Node | int, message: str) -> None:
        line = where if isinstance(where, int) else line_of(where)
        self.found.append(Problem(line, message))

    def raise_if_any(self) -> None:
        if self.found:
            raise RulebookError(self.file, self.found)


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else ''."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def compose(text: str, problems: Problems) -> Node | None:
    """Parse text into a node tree; a syntax error becomes a problem on its line."""
    try:
        node = yaml.compose(text, Loader=_RuleLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problems.add(line, f"this is not valid YAML: {error.problem or error.context}")
        return None
    if node is None:
        problems.add(1, "the file is empty")
    return node


def load_plain(text: str) -> object:
    """Load YAML into plain Python values with the rule book's reading of yes and no."""
    return yaml.load(text, Loader=_RuleLoader)  # _RuleLoader is a SafeLoader


def scalar_value(node: ScalarNode) -> object:
    """The Python value of a scalar node, using the same safe resolver as the parse."""
    loader = _RuleLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
