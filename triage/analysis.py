"""Proofs about a rule book over every answer set the questionnaire can produce, by an SMT solver.

The answer space is encoded once (`AnswerSpace`): each question is a variable, with "not answered"
as a value of its own; a follow-up is answered only when its `ask_when` holds (a question asked in
some voices only, such as one for carers, may also go unasked); a valid answer set
either answers every question that is asked, or reaches the most urgent level (the emergency
short-cut, where the rest may be missing). The level is the most urgent level of any rule that fires.
Each statement of the rule book's `policy` is then proved by asking z3 for a counterexample: an
answer set that is valid, meets the statement's condition, and gets a lower level. "No such answer
set" (unsat) is a proof over the whole space, not a sample. A counterexample is checked against the
engine itself before it is reported, so the encoding and the engine cannot silently disagree.

Nothing here knows of the web. `verify(rulebook)` returns a `Report`; `triage verify` prints it and
the app refuses to start when it has a failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import z3

from triage.conditions import All, Answered, AnyOf, Compare, Condition, Includes, Not, OneOf
from triage.engine import AnswerError, assess
from triage.rulebook import VOICES, Question, Rule, Rulebook
from triage.yamlsource import Problem

Answers = dict[str, Any]


@dataclass(frozen=True)
class Check:
    """One statement and whether it was proved; if not, a counterexample and the lines involved."""

    kind: str  # minimum_level | never_lower | emergency_alone | monotonic | rule_fires | level_reached
    name: str
    says: str
    proved: bool
    counterexample: Answers | None = None
    other: Answers | None = None  # the second answer set, for statements about two
    got: str | None = None  # the level the counterexample got (and, with `other`, the other's)
    lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class Report:
    file: str
    checks: tuple[Check, ...]
    seconds: float
    questions: int = 0
    variables: int = 0

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.proved)

    @property
    def ok(self) -> bool:
        return not self.failures

    def problems(self) -> list[Problem]:
        """Each failure as a rule book problem on its first line, for refusing the rule book."""
        found = []
        for check in self.failures:
            example = f"; for example {_show(check.counterexample)} gets {check.got}" if check.counterexample else ""
            found.append(Problem(check.lines[0] if check.lines else 1, f"not proved: {check.says}{example}"))
        return found

    def lines(self) -> list[str]:
        """The report as a clinician reads it in a terminal."""
        out = [
            f"{self.file}: {len(self.checks) - len(self.failures)} of {len(self.checks)} statements proved over every "
            f"answer set ({self.questions} questions) in {self.seconds:.1f} s"
        ]
        for check in self.checks:
            out.append(f"  {'proved' if check.proved else 'FAILED'}  {check.name}: {check.says}")
            if check.proved:
                continue
            if check.counterexample is not None:
                out.append(f"    counterexample (level {check.got}): {_show(check.counterexample)}")
            if check.other is not None:
                out.append(f"    compared with: {_show(check.other)}")
            if check.lines:
                out.append("    rule book lines: " + ", ".join(f"{self.file}:{line}" for line in check.lines))
        return out


def _show(answers: Answers) -> str:
    """The answers that report something; the rest, which say no or none, are summed up."""
    shown = [f"{k}={v}" for k, v in answers.items() if v not in ("no", "none")]
    quiet = len(answers) - len(shown)
    return (
        ", ".join(shown) + (f" (and {quiet} answers of no or none)" if quiet else "") if shown else "(all no or none)"
    )


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


def verify(rulebook: Rulebook) -> Report:
    """Prove every statement of the rule book's policy, and the checks every rule book must pass."""
    started = time.perf_counter()
    a, b = AnswerSpace(rulebook, "a"), AnswerSpace(rulebook, "b")
    top = rulebook.top_level
    checks: list[Check] = []

    quiet = [*a.quiet(), *b.quiet()]  # the plainest answers, preferred in a counterexample

    # One solver holds the answer space once; each statement is checked in a scope of its own, so
    # what the solver learns about the space serves every statement.
    solver = z3.Solver()
    solver.add(a.valid, b.valid)

    def satisfiable(*constraints: Any) -> Any | None:
        """A model of the constraints (on valid answer sets), or None when there is none."""
        solver.push()
        try:
            solver.add(*constraints)
            result = solver.check()
            if result == z3.unknown:
                raise RuntimeError("the solver could not decide; the rule book cannot be verified")
            return solver.model() if result == z3.sat else None
        finally:
            solver.pop()

    def counterexample(*constraints: Any) -> Any | None:
        """None when the statement holds; else the plainest answer set that breaks it, with as few
        problems as it takes, to show a clinician."""
        if satisfiable(*constraints) is None:
            return None
        plain = z3.Optimize()
        plain.add(a.valid, b.valid, *constraints)
        for term in quiet:
            plain.add_soft(term)
        if plain.check() != z3.sat:
            raise RuntimeError("the solver found a counterexample, then could not find it again")
        return plain.model()

    def level_of(answers: Answers) -> tuple[str, tuple[Rule, ...]]:
        # In a voice that asks every question answered (a question for carers: the carer's voice).
        voices = [q.voices for q in rulebook.questions if q.id in answers and q.voices != VOICES]
        voice = next((v for v in VOICES if all(v in vs for vs in voices)), rulebook.voice)
        try:
            assessment = assess(rulebook if voice == rulebook.voice else rulebook.in_voice(voice), answers)
        except AnswerError as error:  # the encoding allowed answers the engine refuses: a bug here
            raise RuntimeError(f"the prover's answer set is not valid for the engine: {error}") from None
        fired = tuple(r for r in rulebook.rules if r.id in {reason.rule for reason in assessment.reasons})
        return assessment.level.id, fired

    for row in rulebook.policy.minimum_levels:
        model = counterexample(a.condition(row.when), a.level < row.at_least.rank)
        if model is None:
            checks.append(Check("minimum_level", row.id, f"{row.says} → at least {row.at_least.id}", True))
            continue
        answers = a.answers(model)
        got, fired = level_of(answers)
        if rulebook.level_by_id[got].rank >= row.at_least.rank:  # the solver found what the engine does not
            raise RuntimeError(f"{rulebook.file}: the prover and the engine disagree on {row.id} (engine: {got})")
        lines = (row.line, *(r.line for r in fired))
        checks.append(
            Check("minimum_level", row.id, f"{row.says} → at least {row.at_least.id}", False, answers, None, got, lines)
        )

    for question in rulebook.sections[0].questions:
        says = f"'{question.id}: yes' alone reaches {top.id}"
        yes = a.condition(OneOf(question.id, frozenset({"yes"})))
        model = counterexample(yes, a.level < top.rank)
        if model is None:
            checks.append(Check("emergency_alone", f"{question.id}_alone", says, True))
        else:
            answers = a.answers(model)
            got, fired = level_of(answers)
            checks.append(
                Check(
                    "emergency_alone",
                    f"{question.id}_alone",
                    says,
                    False,
                    answers,
                    None,
                    got,
                    tuple(r.line for r in fired),
                )
            )

    for never in rulebook.policy.never_lower:
        says = never.says
        question = rulebook.question_by_id[never.question]
        same = [_equal(a, b, q) for q in rulebook.questions if q.id != question.id]
        chosen = b.vars[question.id] == question.values.index(never.answer)
        model = counterexample(a.answered[question.id], chosen, *same, b.level < a.level)
        checks.append(_two_sets("never_lower", never.id, says, model, a, b, level_of, (never.line,)))

    # Adding a problem (or making one worse) never lowers the level, the context held fixed.
    more = []
    for q in rulebook.questions:
        if q.id in rulebook.policy.context:
            more.append(_equal(a, b, q))
        elif q.kind == "multi":
            more += [z3.Implies(a.options[q.id][v], b.options[q.id][v]) for v in q.values]
        elif (rank_a := a.rank_of(q)) is not None:
            more.append(rank_a <= b.rank_of(q))
        else:  # answers without an order: the same answer, or none before
            more.append(z3.Or(z3.Not(a.answered[q.id]), _equal(a, b, q)))
    model = counterexample(*more, b.level < a.level)
    says = "adding a problem, or making one worse, never lowers the level"
    checks.append(_two_sets("monotonic", "adding_a_problem", says, model, a, b, level_of, (rulebook.policy.line,)))

    for rule in rulebook.rules:
        model = satisfiable(a.condition(rule.when))
        checks.append(Check("rule_fires", f"rule {rule.id}", "can fire", model is not None, lines=(rule.line,)))
    for level in rulebook.levels:
        model = satisfiable(a.level == level.rank)
        checks.append(Check("level_reached", f"level {level.id}", "is reachable", model is not None))

    variables = len(a.vars) + sum(len(o) for o in a.options.values())
    return Report(rulebook.file, tuple(checks), time.perf_counter() - started, len(rulebook.questions), variables)


def _equal(a: AnswerSpace, b: AnswerSpace, q: Question) -> Any:
    if q.kind == "multi":
        return z3.And(*(a.options[q.id][v] == b.options[q.id][v] for v in q.values))
    parts = [a.vars[q.id] == b.vars[q.id]]
    if q.kind == "number":
        parts.append(a.answered[q.id] == b.answered[q.id])
    return z3.And(*parts)


def _two_sets(
    kind: str,
    name: str,
    says: str,
    model: Any | None,
    a: AnswerSpace,
    b: AnswerSpace,
    level_of: Callable[[Answers], tuple[str, tuple[Rule, ...]]],
    lines: tuple[int, ...],
) -> Check:
    if model is None:
        return Check(kind, name, says, True)
    before, after = a.answers(model), b.answers(model)
    (got_before, _), (got_after, fired) = level_of(before), level_of(after)
    return Check(
        kind, name, says, False, after, before, f"{got_after}, against {got_before}", (*lines, *(r.line for r in fired))
    )


__all__ = ["AnswerSpace", "Check", "Report", "verify"]
