"""The plainest answer set among many (a decision diagram's), to show as an example: the one with
the fewest answers that report a problem."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dd.autoref import Function

from triage.diffing.space import JointSpace
from triage.rulebook import Rulebook

__all__ = ["plainest"]


def plainest(space: JointSpace, f: Function, books: Iterable[Rulebook]) -> dict[str, Any]:
    """The answer set in `f` with the fewest answers that report a problem."""
    quiet = _quiet_values(books)
    noisy = [
        (space.any_of(space.var(qid, v) for v in values) if qid in space.multi else
         space.any_of(space.var(qid, v) for v in values if v not in quiet.get(qid, set())))
        for qid, values in space.values.items()
    ]  # fmt: skip
    for most in range(len(noisy) + 1):
        found = f & _at_most(space, noisy, most)
        if found != space.bdd.false:
            return _decode(space, space.bdd.pick(found, care_vars=set(space.bdd.vars)) or {})
    return {}


def _at_most(space: JointSpace, indicators: list[Function], k: int) -> Function:
    """At most k of the indicators hold (a counting function, built from the last one back)."""
    bounds = [space.bdd.true] * (k + 1)
    for x in reversed(indicators):
        bounds = [(~x & bounds[0]) if j == 0 else space.bdd.ite(x, bounds[j - 1], bounds[j]) for j in
                  range(k + 1)]  # fmt: skip
    return bounds[k]


def _decode(space: JointSpace, assignment: Mapping[str, bool]) -> dict[str, Any]:
    """The answers an assignment of the space's variables stands for, as the engine takes them."""
    answers: dict[str, Any] = {}
    for qid, values in space.values.items():
        if qid in space.multi:
            chosen = [v for v in values if assignment.get(space.name(qid, v))]
            if chosen:
                answers[qid] = chosen
        else:
            value = next((v for v in values if assignment.get(space.name(qid, v))), None)
            if value is not None:
                answers[qid] = value
    return answers


def _quiet_values(books: Iterable[Rulebook]) -> dict[str, set[str]]:
    """Each question's answers that report no problem (no, none, or the first of its problem order)."""
    quiet: dict[str, set[str]] = {}
    for book in books:
        for q in book.questions:
            if q.kind == "number":
                continue
            plain = {v for v in ("no", "none") if v in q.values}
            order = book.policy.problem_order.get(q.id)
            quiet.setdefault(q.id, set()).update(plain or (set(order[0]) if order else {q.values[0]}))
    return quiet
