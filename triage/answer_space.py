"""Every answer set one rule book's questionnaire can produce, as z3 terms (for `triage.analysis`).

Each question is a variable, with "not answered" as a value of its own; a follow-up is answered
only when its `ask_when` holds (a question asked in some voices only, such as one for carers, may
also go unasked); a valid answer set either answers every question that is asked, or reaches the
most urgent level (the emergency short-cut, where the rest may be missing). The level is the most
urgent level of any rule that fires.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import z3

from triage.conditions import All, Answered, AnyOf, Compare, Condition, Includes, Not, OneOf
from triage.rulebook import VOICES, Question, Rulebook

Answers = dict[str, Any]

__all__ = ["AnswerSpace", "Answers", "equal"]


class AnswerSpace:
    """Every answer set of one rule book, as z3 terms. `copy` names a second, independent set."""

    def __init__(self, rulebook: Rulebook, copy: str = "a") -> None:
        self.book = rulebook
        self.copy = copy
        self.vars: dict[str, Any] = {}
        self.answered: dict[str, Any] = {}
        self.options: dict[str, dict[str, Any]] = {}
        for q in rulebook.questions:
            name = f"{copy}.{q.id}"
            if q.kind == "multi":
                self.options[q.id] = {v: z3.Bool(f"{name}={v}") for v in q.values}
                self.answered[q.id] = z3.Or(*self.options[q.id].values())
            elif q.kind == "number":
                self.vars[q.id] = z3.Int(name)
                self.answered[q.id] = z3.Bool(f"{name}?")
            else:  # yes_no, choice: the option's index, or -1 when not answered
                self.vars[q.id] = z3.Int(name)
                self.answered[q.id] = self.vars[q.id] >= 0
        ranks = sorted({rule.level.rank for rule in rulebook.rules} | {level.rank for level in rulebook.levels})
        self.level = z3.IntVal(rulebook.lowest_level.rank)
        for rank in ranks:  # the most urgent rank that any rule reaches wins, so it is wrapped last
            fired = [self.condition(r.when) for r in rulebook.rules if r.level.rank == rank]
            if fired:
                self.level = z3.If(z3.Or(*fired), rank, self.level)
        self.valid = z3.And(*self._validity())

    def _validity(self) -> Iterable[Any]:
        complete = []
        for q in self.book.questions:
            asked = self.condition(q.ask_when) if q.ask_when is not None else z3.BoolVal(True)
            if q.voices != VOICES:  # asked in some voices only: asked or not, as the voice decides
                asked = z3.And(asked, z3.Bool(f"{self.copy}.{q.id}@voice"))
            if q.kind in ("yes_no", "choice"):
                yield z3.And(self.vars[q.id] >= -1, self.vars[q.id] < len(q.values))
            if q.kind == "number":
                low, high = q.minimum or 0, q.maximum or 0
                yield z3.Implies(self.answered[q.id], z3.And(self.vars[q.id] >= low, self.vars[q.id] <= high))
            yield z3.Implies(self.answered[q.id], asked)  # an answer to a follow-up that does not apply is dropped
            if q.required:
                complete.append(z3.Implies(asked, self.answered[q.id]))
        # Every question asked is answered, or the answers already reach the most urgent level.
        yield z3.Or(z3.And(*complete), self.level == self.book.top_level.rank)

    def condition(self, condition: Condition) -> Any:
        if isinstance(condition, All):
            return z3.And(*(self.condition(part) for part in condition.parts))
        if isinstance(condition, AnyOf):
            return z3.Or(*(self.condition(part) for part in condition.parts))
        if isinstance(condition, Not):
            return z3.Not(self.condition(condition.part))
        if isinstance(condition, OneOf):
            values = self.book.question_by_id[condition.question].values
            return z3.Or(*(self.vars[condition.question] == values.index(v) for v in sorted(condition.values)))
        if isinstance(condition, Includes):
            return self.options[condition.question][condition.value]
        if isinstance(condition, Compare):
            var = self.vars[condition.question]
            test: Callable[[Any, int], Any] = {
                "less_than": lambda x, b: x < b,
                "at_most": lambda x, b: x <= b,
                "more_than": lambda x, b: x > b,
                "at_least": lambda x, b: x >= b,
            }[condition.test]
            return z3.And(self.answered[condition.question], test(var, condition.bound))
        if isinstance(condition, Answered):
            answered = self.answered[condition.question]
            return answered if condition.expected else z3.Not(answered)
        raise TypeError(f"a condition the prover does not know: {condition!r}")

    def rank_of(self, question: Question) -> Any | None:
        """The rank of the answer to `question` in the policy's problem order (-1: not answered),
        or None for a question whose answers have no order."""
        var = self.vars.get(question.id)
        order = self.book.policy.problem_order.get(question.id)
        if question.kind == "yes_no" and order is None:
            order = (frozenset({"no"}), frozenset({"yes"}))
        if var is None or order is None:
            return None
        rank: Any = z3.IntVal(-1)
        for index, values in enumerate(order):
            for value in values:
                rank = z3.If(var == question.values.index(value), index, rank)
        return rank

    def quiet(self) -> Iterable[Any]:
        """For each question: it is not answered, or answered with its plainest answer ("no" or
        "none" where it has one, else its least concerning, else its first)."""
        for q in self.book.questions:
            if q.kind == "multi" or q.kind == "number":
                yield z3.Not(self.answered[q.id])
            else:
                order = self.book.policy.problem_order.get(q.id)
                least = order[0] if order else frozenset(q.values)
                fallback = sorted(least, key=q.values.index)[0] if order else q.values[0]
                plain: str = next((v for v in ("no", "none") if v in least), fallback)
                yield z3.Or(z3.Not(self.answered[q.id]), self.vars[q.id] == q.values.index(plain))

    def answers(self, model: Any) -> Answers:
        """The answer set of a model, as the engine takes it."""
        found: Answers = {}
        for q in self.book.questions:
            if q.kind == "multi":
                chosen = [v for v, var in self.options[q.id].items() if z3.is_true(model.eval(var, True))]
                if chosen:
                    found[q.id] = chosen
            elif z3.is_true(model.eval(self.answered[q.id], True)):
                value = model.eval(self.vars[q.id], True).as_long()
                found[q.id] = value if q.kind == "number" else q.values[value]
        return found


def equal(a: AnswerSpace, b: AnswerSpace, q: Question) -> Any:
    """The same answer to `q` in both answer sets (or no answer in both)."""
    if q.kind == "multi":
        return z3.And(*(a.options[q.id][v] == b.options[q.id][v] for v in q.values))
    parts = [a.vars[q.id] == b.vars[q.id]]
    if q.kind == "number":
        parts.append(a.answered[q.id] == b.answered[q.id])
    return z3.And(*parts)
