"""The condition language: YAML mappings compiled once into pure predicates.

A condition is a mapping with either one combinator key or a question and one test:

    {all: [cond, ...]}   {any: [cond, ...]}   {not: cond}
    {question: id, equals: value}       yes/no and single-choice questions
    {question: id, one_of: [v, ...]}    yes/no and single-choice questions
    {question: id, includes: value}     multiple-choice questions
    {question: id, less_than | at_most | more_than | at_least: number}   number questions
    {question: id, answered: true | false}

A question that was not answered (or not asked) makes every test on it false except
`answered: false`. Compiling (`triage.condition_compiler`) checks every name and value against the
questions, so a compiled condition can always be evaluated. Nothing here reads YAML.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

Answer = str | int | frozenset[str]
Answers = Mapping[str, Answer]

COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    "less_than": operator.lt,
    "at_most": operator.le,
    "more_than": operator.gt,
    "at_least": operator.ge,
}


class Condition(Protocol):
    def holds(self, answers: Answers) -> bool: ...
    def children(self) -> tuple[Condition, ...]: ...


@dataclass(frozen=True)
class All:
    parts: tuple[Condition, ...]

    def holds(self, answers: Answers) -> bool:
        for part in self.parts:  # noqa: SIM110 - a plain loop is faster, and runs for every rule on every assessment
            if not part.holds(answers):
                return False
        return True

    def children(self) -> tuple[Condition, ...]:
        return self.parts


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def holds(self, answers: Answers) -> bool:
        for part in self.parts:  # noqa: SIM110 - as in All
            if part.holds(answers):
                return True
        return False

    def children(self) -> tuple[Condition, ...]:
        return self.parts


@dataclass(frozen=True)
class Not:
    part: Condition

    def holds(self, answers: Answers) -> bool:
        return not self.part.holds(answers)

    def children(self) -> tuple[Condition, ...]:
        return (self.part,)


@dataclass(frozen=True)
class OneOf:
    """`equals` is a one-element `one_of`."""

    question: str
    values: frozenset[str]

    def holds(self, answers: Answers) -> bool:
        return answers.get(self.question) in self.values

    def children(self) -> tuple[Condition, ...]:
        return ()


@dataclass(frozen=True)
class Includes:
    question: str
    value: str

    def holds(self, answers: Answers) -> bool:
        chosen = answers.get(self.question)
        return isinstance(chosen, frozenset) and self.value in chosen

    def children(self) -> tuple[Condition, ...]:
        return ()


@dataclass(frozen=True)
class Compare:
    question: str
    test: str
    bound: int

    def holds(self, answers: Answers) -> bool:
        value = answers.get(self.question)
        return isinstance(value, int) and COMPARISONS[self.test](value, self.bound)

    def children(self) -> tuple[Condition, ...]:
        return ()


@dataclass(frozen=True)
class Answered:
    question: str
    expected: bool

    def holds(self, answers: Answers) -> bool:
        return (self.question in answers) == self.expected

    def children(self) -> tuple[Condition, ...]:
        return ()


def walk(condition: Condition) -> Iterator[Condition]:
    yield condition
    for child in condition.children():
        yield from walk(child)


def questions_in(condition: Condition) -> frozenset[str]:
    return frozenset(
        node.question for node in walk(condition) if isinstance(node, OneOf | Includes | Compare | Answered)
    )


def describe(condition: Condition) -> dict[str, object]:
    """A compiled condition back in the rule book's own language, as JSON-ready data."""
    if isinstance(condition, All | AnyOf):
        return {"all" if isinstance(condition, All) else "any": [describe(part) for part in condition.parts]}
    if isinstance(condition, Not):
        return {"not": describe(condition.part)}
    if isinstance(condition, OneOf):
        values = sorted(condition.values)
        return {"question": condition.question, **({"equals": values[0]} if len(values) == 1 else {"one_of": values})}
    if isinstance(condition, Includes):
        return {"question": condition.question, "includes": condition.value}
    if isinstance(condition, Compare):
        return {"question": condition.question, condition.test: condition.bound}
    if isinstance(condition, Answered):
        return {"question": condition.question, "answered": condition.expected}
    raise TypeError(f"not a condition: {condition!r}")
