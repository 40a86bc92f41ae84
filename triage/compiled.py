"""A rule book's conditions compiled into Python functions, as Jinja compiles templates: the
engine's three walks over a rule book (checking the answers, firing the rules, finding what is
still to be asked) as straight-line code, made once per rule book (and voice).

The conditions' own `holds` methods stay the meaning of the rule book (the proofs, the journey and
the answers' list use them); this is the same meaning, faster. `tests/test_compiled.py` checks
the two agree on every rule case and on random answers.

The code is safe to make from any rule book: its source holds only names made here (`_q0`,
`_v3`...) and Python's own syntax. Every question id, value and number is passed in as a value,
never written into the source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from typing import Any

from triage.conditions import All, Answer, Answered, AnyOf, Compare, Condition, Includes, Not, OneOf
from triage.rulebook import Question, Rule

# What the slow path of checking one answer does: its normalised value, or None (blank, or wrong:
# then the error is added to the list).
Parse = Callable[[Question, object, list[Any]], Answer | None]
Checker = Callable[[Mapping[str, object]], tuple[dict[str, Answer], list[Any]]]
Fired = tuple[Rule, Any]  # a rule, and what the engine keeps with it (its reason)
Firer = Callable[[Mapping[str, Answer]], list[Fired]]
Finder = Callable[[Mapping[str, Answer], Set[str]], list[Question]]

_COMPARE = {"less_than": "<", "at_most": "<=", "more_than": ">", "at_least": ">="}


@dataclass(frozen=True)
class Compiled:
    """The three walks: `check(answers) -> (clean, errors)`, `fire(clean) -> [(rule, reason)]`
    (most urgent first, rule-book order within a level) and `missing(clean, refused) -> [question]`
    (required, asked in this voice and on these answers, not answered, not refused)."""

    check: Checker
    fire: Firer
    missing: Finder


class _Source:
    """Python source being written, with the values it refers to by name."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.values: dict[str, object] = {}
        self._names: dict[tuple[type, object], str] = {}
        self._temporaries = 0

    def value(self, kind: str, value: object) -> str:
        """A name for `value` in the code (one name per distinct value)."""
        key = (type(value), value if isinstance(value, str | int | frozenset) else id(value))
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = f"_{kind}{len(self.values)}"
            self.values[name] = value
        return name

    def temporary(self) -> str:
        self._temporaries += 1
        return f"_t{self._temporaries}"

    def add(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)


def _expression(condition: Condition, source: _Source, answers: str) -> str:
    """`condition.holds(answers)` as a Python expression over `answers` (a dict) and `get` (its get)."""
    if isinstance(condition, OneOf):
        return f"(get({source.value('q', condition.question)}) in {source.value('v', condition.values)})"
    if isinstance(condition, Includes):
        t = source.temporary()
        question, value = source.value("q", condition.question), source.value("v", condition.value)
        return f"(({t} := get({question})).__class__ is frozenset and {value} in {t})"
    if isinstance(condition, Compare):
        t = source.temporary()
        question, bound = source.value("q", condition.question), source.value("n", condition.bound)
        return f"(isinstance({t} := get({question}), int) and {t} {_COMPARE[condition.test]} {bound})"
    if isinstance(condition, Answered):
        question = source.value("q", condition.question)
        return f"({question} {'in' if condition.expected else 'not in'} {answers})"
    if isinstance(condition, All | AnyOf):
        joiner = " and " if isinstance(condition, All) else " or "
        return "(" + joiner.join(_expression(part, source, answers) for part in condition.parts) + ")"
    if isinstance(condition, Not):
        return f"(not {_expression(condition.part, source, answers)})"
    raise TypeError(f"not a condition: {condition!r}")


def _asked(question: Question, source: _Source) -> str:
    """When `question` is asked on the answers so far (`clean`), in this rule book's voice."""
    if not question.in_voice:
        return "False"
    return "True" if question.ask_when is None else _expression(question.ask_when, source, "clean")


def compile_walks(questions: tuple[Question, ...], rules: tuple[Fired, ...], parse: Parse) -> Compiled:
    """The walks for a rule book's questions (in order) and rules (each with what `fire` gives
    with it). `parse` checks one answer that is not simply one of its question's options (a
    number, a list, a wrong value)."""
    source = _Source()
    source.values["_parse"] = parse
    source.add(0, "def check(answers):")
    source.add(1, "given = answers.get")
    source.add(1, "clean = {}")
    source.add(1, "get = clean.get")
    source.add(1, "errors = []")
    for question in questions:
        qid, asked = source.value("q", question.id), _asked(question, source)
        me = source.value("question", question)
        source.add(1, f"value = given({qid})")
        source.add(1, "if value is not None:")
        if question.choices:  # the common case, one of the options, without the checks of `parse`
            source.add(2, f"if value.__class__ is not str or value not in {source.value('v', question.choices)}:")
            source.add(3, f"value = _parse({me}, value, errors)")
        else:
            source.add(2, f"value = _parse({me}, value, errors)")
        source.add(2, f"if value is not None and {asked}:")
        source.add(3, f"clean[{qid}] = value")
    source.add(1, "return clean, errors")

    # Most urgent first: the rules sorted by level once here (stably, so rule-book order within a
    # level), and fired in that order.
    source.add(0, "def fire(clean):")
    source.add(1, "get = clean.get")
    source.add(1, "fired = []")
    for pair in sorted(rules, key=lambda pair: -pair[0].level.rank):
        source.add(1, f"if {_expression(pair[0].when, source, 'clean')}:")
        source.add(2, f"fired.append({source.value('rule', pair)})")
    source.add(1, "return fired")

    source.add(0, "def missing(clean, refused):")
    source.add(1, "get = clean.get")
    source.add(1, "found = []")
    for question in questions:
        if question.required and question.in_voice:
            qid = source.value("q", question.id)
            source.add(1, f"if {qid} not in clean and {qid} not in refused and {_asked(question, source)}:")
            source.add(2, f"found.append({source.value('question', question)})")
    source.add(1, "return found")

    namespace: dict[str, Any] = dict(source.values)
    exec(compile("\n".join(source.lines), "<rule book>", "exec"), namespace)  # safe: see the module's note
    return Compiled(namespace["check"], namespace["fire"], namespace["missing"])
