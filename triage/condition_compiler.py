"""The condition language read from the rule book's YAML (see `triage.conditions`): each mapping
compiled once into a condition, every name and value checked against the questions, every problem
added with its line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from triage.conditions import COMPARISONS, All, Answered, AnyOf, Compare, Condition, Includes, Not, OneOf
from triage.yamlsource import MappingNode, Node, Problems, ScalarNode, SequenceNode, did_you_mean, scalar_value

COMBINATORS = ("all", "any", "not")
CHOICE_TESTS = ("equals", "one_of")
TESTS = (*CHOICE_TESTS, "includes", *COMPARISONS, "answered")

__all__ = ["COMBINATORS", "TESTS", "QuestionShape", "compile_condition"]


class QuestionShape(Protocol):
    """What the compiler needs to know of a question."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def values(self) -> tuple[str, ...]: ...


def compile_condition(node: Node, questions: Mapping[str, QuestionShape], problems: Problems) -> Condition | None:
    """Compile a condition node; report every problem and return None if there was one."""
    before = len(problems.found)
    condition = _compile(node, questions, problems)
    return condition if len(problems.found) == before else None


def _compile(node: Node, questions: Mapping[str, QuestionShape], problems: Problems) -> Condition | None:
    if not isinstance(node, MappingNode):
        problems.add(node, 'a condition must be a mapping, like {question: speech, equals: "yes"}')
        return None
    entries: dict[str, tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        if not isinstance(key, str) or key not in (*COMBINATORS, "question", *TESTS):
            keys = (*COMBINATORS, "question", *TESTS)
            problems.add(
                key_node, f"unknown condition key '{key}'{did_you_mean(key, keys)}; use one of: {', '.join(keys)}"
            )
            continue
        if key in entries:
            problems.add(key_node, f"duplicate key '{key}'")
            continue
        entries[key] = (key_node, value_node)

    combinators = [key for key in entries if key in COMBINATORS]
    tests = [key for key in entries if key in TESTS]
    if combinators:
        if len(entries) != 1:
            problems.add(node, f"'{combinators[0]}' must be the only key of its condition")
            return None
        return _compile_combinator(combinators[0], entries[combinators[0]][1], questions, problems)
    if "question" not in entries or len(tests) != 1:
        problems.add(
            node,
            "a condition needs 'question' and exactly one test "
            f"({', '.join(TESTS)}), or one of {', '.join(COMBINATORS)}",
        )
        return None
    return _compile_test(tests[0], entries["question"][1], entries[tests[0]][1], questions, problems)


def _compile_combinator(
    key: str, value: Node, questions: Mapping[str, QuestionShape], problems: Problems
) -> Condition | None:
    if key == "not":
        part = _compile(value, questions, problems)
        return Not(part) if part else None
    if not isinstance(value, SequenceNode) or not value.value:
        problems.add(value, f"'{key}' needs a list of one or more conditions")
        return None
    parts = [_compile(item, questions, problems) for item in value.value]
    if any(part is None for part in parts):
        return None
    compiled = tuple(part for part in parts if part is not None)
    return All(compiled) if key == "all" else AnyOf(compiled)


def _compile_test(
    test: str,
    question_node: Node,
    value_node: Node,
    questions: Mapping[str, QuestionShape],
    problems: Problems,
) -> Condition | None:
    qid = scalar_value(question_node) if isinstance(question_node, ScalarNode) else None
    if not isinstance(qid, str) or qid not in questions:
        problems.add(question_node, f"unknown question '{qid}'{did_you_mean(qid, questions)}")
        return None
    question = questions[qid]

    if test == "answered":
        flag = scalar_value(value_node) if isinstance(value_node, ScalarNode) else None
        if not isinstance(flag, bool):
            problems.add(value_node, "'answered' must be true or false")
            return None
        return Answered(qid, flag)

    if test in COMPARISONS:
        bound = scalar_value(value_node) if isinstance(value_node, ScalarNode) else None
        if question.kind != "number":
            problems.add(value_node, f"'{test}' needs a number question; '{qid}' is a {question.kind} question")
            return None
        if not isinstance(bound, int) or isinstance(bound, bool):
            problems.add(value_node, f"'{test}' needs a whole number")
            return None
        return Compare(qid, test, bound)

    if test == "includes":
        if question.kind != "multi":
            problems.add(
                value_node, f"'includes' needs a multiple-choice question; '{qid}' is a {question.kind} question"
            )
            return None
        value = _option(value_node, question, problems)
        return Includes(qid, value) if value is not None else None

    if question.kind not in ("yes_no", "choice"):
        hint = "use includes" if question.kind == "multi" else "use less_than, at_most, more_than or at_least"
        problems.add(
            value_node,
            f"'{test}' needs a yes/no or single-choice question; '{qid}' is a {question.kind} question: {hint}",
        )
        return None
    if test == "equals":
        value = _option(value_node, question, problems)
        return OneOf(qid, frozenset({value})) if value is not None else None
    if not isinstance(value_node, SequenceNode) or not value_node.value:
        problems.add(value_node, "'one_of' needs a list of one or more options")
        return None
    values = [_option(item, question, problems) for item in value_node.value]
    if any(value is None for value in values):
        return None
    return OneOf(qid, frozenset(value for value in values if value is not None))


def _option(node: Node, question: QuestionShape, problems: Problems) -> str | None:
    value = scalar_value(node) if isinstance(node, ScalarNode) else None
    if not isinstance(value, str) or value not in question.values:
        shown = str(value).lower() if isinstance(value, bool) else value
        problems.add(
            node,
            f"'{shown}' is not an option of '{question.id}'{did_you_mean(shown, question.values)}; "
            f"options: {', '.join(question.values)}",
        )
        return None
    return value
