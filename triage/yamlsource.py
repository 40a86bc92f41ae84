"""Read YAML as nodes that know their line, and collect every problem before failing.

The rule book is validated from PyYAML's node tree rather than from plain dicts, so that each
problem can name the line it is on. Nothing here knows what a rule book is.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "MappingNode",
    "Node",
    "Problem",
    "Problems",
    "RulebookError",
    "ScalarNode",
    "SequenceNode",
    "Unreadable",
    "compose",
    "did_you_mean",
    "line_of",
    "load_plain",
]

_BOOL = "tag:yaml.org,2002:bool"
MAX_BYTES = 1_000_000  # a rule book is about 25 KB; anything near this is a mistake or an attack
MAX_DEPTH = 50  # mappings and lists inside each other; the rule book's own deepest is about 10


class _TooDeepError(yaml.MarkedYAMLError):
    pass


_RESOLVERS: dict[Any, Any] = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _RESOLVERS.setdefault(_first, []).append((_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")))


class _RuleChecks:
    """What a rule book's reader adds to PyYAML's composer: only true/false are booleans, and what a
    rule book never needs is refused.

    YAML 1.1 reads a bare yes, no, on or off as a boolean, so a clinician writing `equals: yes`
    would silently compare against True. Here those words stay words.

    An alias (`*name`) repeats an earlier part of the file: a few nested aliases can stand for
    millions of conditions, so they are refused, and each stands for nothing. An explicit tag
    (`!!int`, `!custom`, `!!python/name:...`) is refused, and the value read as if it had none.
    Nesting deeper than MAX_DEPTH stops the reading at once.
    """

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = _RESOLVERS
    refused: list[tuple[int, str]]
    depth: int
    peek_event: Callable[[], Any]  # PyYAML's parser (in Python or libyaml) gives these
    get_event: Callable[[], Any]

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event: Any = self.peek_event()
        line = event.start_mark.line + 1
        is_alias = isinstance(event, yaml.AliasEvent)
        if is_alias:
            self.get_event()
            self.refused.append(
                (line, f"'*{event.anchor}' is an alias, which a rule book may not use: write the part out in full")
            )
            return ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        tag = getattr(event, "tag", None)
        if tag is not None:
            self.refused.append((line, f"the tag '{tag}' is not allowed in a rule book: remove it"))
            event.tag = None
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooDeepError(
                    problem=f"this is nested more than {MAX_DEPTH} levels deep: split it up",
                    problem_mark=event.start_mark,
                )
            return super().compose_node(parent, index)  # type: ignore[misc, no-any-return]
        finally:
            self.depth -= 1


class _RuleLoader(_RuleChecks, yaml.SafeLoader):
    """The rule book's reader, all in Python: its messages about text that is not YAML are the ones
    the rule book's problems show."""

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self.refused, self.depth = [], 0


class _FastRuleLoader(_RuleChecks, Composer, yaml.CSafeLoader):
    """The same reader over libyaml's parser (about ten times faster), with PyYAML's own composer,
    so that every node passes the checks above. Used where PyYAML was built with libyaml."""

    def __init__(self, stream: str) -> None:
        yaml.CSafeLoader.__init__(self, stream)
        Composer.__init__(self)
        self.refused, self.depth = [], 0


@dataclass(frozen=True, order=True)
class Problem:
    line: int
    message: str
    file: str = ""  # another file than the rule book's own (a translation catalog); "": the rule book


class RulebookError(Exception):
    """A rule book that must not be used. `problems` holds every problem found, by line."""

    def __init__(self, file: str, problems: Iterable[Problem]) -> None:
        self.file = file
        self.problems = tuple(sorted(set(problems)))
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{p.file or self.file}:{p.line}: {p.message}" for p in self.problems]


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
    """Parse text into a node tree; a syntax error, an alias, a tag or nesting too deep becomes a
    problem on its line. Text over MAX_BYTES is refused before it is read."""
    if len(text) > MAX_BYTES:
        problems.add(1, f"the file is larger than {MAX_BYTES // 1_000_000} MB: a rule book is far smaller")
        return None
    return _compose(_FastRuleLoader if yaml.__with_libyaml__ else _RuleLoader, text, problems)


def _compose(reader: type[_RuleLoader | _FastRuleLoader], text: str, problems: Problems) -> Node | None:
    try:
        loader = reader(text)  # PyYAML's own reader checks the characters here
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        problems.add(line, f"this is not valid YAML: character #x{error.character:04x} is not allowed in a rule book")
        return None
    try:
        node = loader.get_single_node()
    except _TooDeepError as error:
        problems.add(error.problem_mark.line + 1 if error.problem_mark else 1, str(error.problem))
        return None
    except yaml.YAMLError as error:
        if reader is not _RuleLoader:  # not YAML: read again, to say so in PyYAML's own words
            return _compose(_RuleLoader, text, problems)
        if not isinstance(error, yaml.MarkedYAMLError):
            raise
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problems.add(line, f"this is not valid YAML: {error.problem or error.context}")
        return None
    finally:
        loader.dispose()
    for line, message in loader.refused:
        problems.add(line, message)
    if node is None:
        problems.add(1, "the file is empty")
    return node


def load_plain(text: str) -> object:
    """Load YAML into plain Python values with the rule book's reading of yes and no."""
    return yaml.load(text, Loader=_RuleLoader)  # _RuleLoader is a SafeLoader


@dataclass(frozen=True)
class Unreadable:
    """A scalar that looks like a value of some type but is not one, such as the date 2026-02-30."""

    text: str
    reason: str


def scalar_value(node: ScalarNode) -> object:
    """The Python value of a scalar node, using the same safe resolver as the parse; `Unreadable`
    when it cannot be made (callers report it as not being what they expect)."""
    # (PyYAML's safe constructor alone, as the loader uses it: a whole loader, made for each of a
    # rule book's 13,000 scalars, took half the time of reading it.)
    try:
        return SafeConstructor().construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError) as error:
        return Unreadable(str(node.value), str(error))
