"""Proofs about a rule book over every answer set the questionnaire can produce, by an SMT solver.

The answer space is encoded once (`triage.answer_space`): each question is a variable, with "not
answered" as a value of its own, and the level the most urgent of any rule that fires. Each
statement of the rule book's `policy` is then proved by asking z3 for a counterexample: an answer
set that is valid, meets the statement's condition, and gets a lower level. "No such answer
set" (unsat) is a proof over the whole space, not a sample. A counterexample is checked against the
engine itself before it is reported, so the encoding and the engine cannot silently disagree.

Nothing here knows of the web. `verify(rulebook)` returns a `Report`; `triage verify` prints it and
the app refuses to start when it has a failure.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import z3

from triage.answer_space import Answers, AnswerSpace, equal
from triage.conditions import OneOf
from triage.engine import AnswerError, assess
from triage.rulebook import VOICES, Rule, Rulebook
from triage.yamlsource import Problem


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


def verify(rulebook: Rulebook) -> Report:
    """Prove every statement of the rule book's policy, and the checks every rule book must pass."""
    started = time.perf_counter()
    prover = _Prover(rulebook)
    checks = [
        *prover.minimum_levels(),
        *prover.emergencies_alone(),
        *prover.never_lower(),
        prover.monotonic(),
        *prover.reachable(),
    ]
    a = prover.a
    variables = len(a.vars) + sum(len(o) for o in a.options.values())
    return Report(rulebook.file, tuple(checks), time.perf_counter() - started, len(rulebook.questions), variables)


class _Prover:
    """One rule book's statements, each proved by asking for a counterexample over two copies of
    its answer space (`a`, and `b` for statements that compare two answer sets)."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.book = rulebook
        self.a, self.b = AnswerSpace(rulebook, "a"), AnswerSpace(rulebook, "b")
        self.quiet = [*self.a.quiet(), *self.b.quiet()]  # the plainest answers, preferred in a counterexample
        # One solver holds the answer space once; each statement is checked in a scope of its own,
        # so what the solver learns about the space serves every statement.
        self.solver = z3.Solver()
        self.solver.add(self.a.valid, self.b.valid)

    def satisfiable(self, *constraints: Any) -> Any | None:
        """A model of the constraints (on valid answer sets), or None when there is none."""
        self.solver.push()
        try:
            self.solver.add(*constraints)
            result = self.solver.check()
            if result == z3.unknown:
                raise RuntimeError("the solver could not decide; the rule book cannot be verified")
            return self.solver.model() if result == z3.sat else None
        finally:
            self.solver.pop()

    def counterexample(self, *constraints: Any) -> Any | None:
        """None when the statement holds; else the plainest answer set that breaks it, with as few
        problems as it takes, to show a clinician."""
        if self.satisfiable(*constraints) is None:
            return None
        plain = z3.Optimize()
        plain.add(self.a.valid, self.b.valid, *constraints)
        for term in self.quiet:
            plain.add_soft(term)
        if plain.check() != z3.sat:
            raise RuntimeError("the solver found a counterexample, then could not find it again")
        return plain.model()

    def level_of(self, answers: Answers) -> tuple[str, tuple[Rule, ...]]:
        """The level the engine itself gives `answers`, and the rules that fired."""
        rulebook = self.book
        # In a voice that asks every question answered (a question for carers: the carer's voice).
        voices = [q.voices for q in rulebook.questions if q.id in answers and q.voices != VOICES]
        voice = next((v for v in VOICES if all(v in vs for vs in voices)), rulebook.voice)
        try:
            assessment = assess(rulebook if voice == rulebook.voice else rulebook.in_voice(voice), answers)
        except AnswerError as error:  # the encoding allowed answers the engine refuses: a bug here
            raise RuntimeError(f"the prover's answer set is not valid for the engine: {error}") from None
        fired = tuple(r for r in rulebook.rules if r.id in {reason.rule for reason in assessment.reasons})
        return assessment.level.id, fired

    def minimum_levels(self) -> Iterator[Check]:
        """Each pattern of answers reaches at least its level (the policy's `minimum_levels`)."""
        a, rulebook = self.a, self.book
        for row in rulebook.policy.minimum_levels:
            says = f"{row.says} → at least {row.at_least.id}"
            model = self.counterexample(a.condition(row.when), a.level < row.at_least.rank)
            if model is None:
                yield Check("minimum_level", row.id, says, True)
                continue
            answers = a.answers(model)
            got, fired = self.level_of(answers)
            if rulebook.level_by_id[got].rank >= row.at_least.rank:  # the solver found what the engine does not
                raise RuntimeError(f"{rulebook.file}: the prover and the engine disagree on {row.id} (engine: {got})")
            yield Check("minimum_level", row.id, says, False, answers, None, got, (row.line, *(r.line for r in fired)))

    def emergencies_alone(self) -> Iterator[Check]:
        """A yes to any question of the first page (the emergencies) reaches the top level alone."""
        a, top = self.a, self.book.top_level
        for question in self.book.sections[0].questions:
            name, says = f"{question.id}_alone", f"'{question.id}: yes' alone reaches {top.id}"
            model = self.counterexample(a.condition(OneOf(question.id, frozenset({"yes"}))), a.level < top.rank)
            if model is None:
                yield Check("emergency_alone", name, says, True)
                continue
            answers = a.answers(model)
            got, fired = self.level_of(answers)
            yield Check("emergency_alone", name, says, False, answers, None, got, tuple(r.line for r in fired))

    def never_lower(self) -> Iterator[Check]:
        """An answer the policy names never lowers the level, everything else the same."""
        a, b, rulebook = self.a, self.b, self.book
        for never in rulebook.policy.never_lower:
            question = rulebook.question_by_id[never.question]
            same = [equal(a, b, q) for q in rulebook.questions if q.id != question.id]
            chosen = b.vars[question.id] == question.values.index(never.answer)
            model = self.counterexample(a.answered[question.id], chosen, *same, b.level < a.level)
            yield self.two_sets("never_lower", never.id, never.says, model, (never.line,))

    def monotonic(self) -> Check:
        """Adding a problem (or making one worse) never lowers the level, the context held fixed."""
        a, b, rulebook = self.a, self.b, self.book
        more = []
        for q in rulebook.questions:
            if q.id in rulebook.policy.context:
                more.append(equal(a, b, q))
            elif q.kind == "multi":
                more += [z3.Implies(a.options[q.id][v], b.options[q.id][v]) for v in q.values]
            elif (rank_a := a.rank_of(q)) is not None:
                more.append(rank_a <= b.rank_of(q))
            else:  # answers without an order: the same answer, or none before
                more.append(z3.Or(z3.Not(a.answered[q.id]), equal(a, b, q)))
        model = self.counterexample(*more, b.level < a.level)
        says = "adding a problem, or making one worse, never lowers the level"
        return self.two_sets("monotonic", "adding_a_problem", says, model, (rulebook.policy.line,))

    def reachable(self) -> Iterator[Check]:
        """Every rule can fire, and every level can be reached."""
        for rule in self.book.rules:
            model = self.satisfiable(self.a.condition(rule.when))
            yield Check("rule_fires", f"rule {rule.id}", "can fire", model is not None, lines=(rule.line,))
        for level in self.book.levels:
            model = self.satisfiable(self.a.level == level.rank)
            yield Check("level_reached", f"level {level.id}", "is reachable", model is not None)

    def two_sets(self, kind: str, name: str, says: str, model: Any | None, lines: tuple[int, ...]) -> Check:
        """A statement about two answer sets (`a` before, `b` after): held, or the pair that breaks it."""
        if model is None:
            return Check(kind, name, says, True)
        before, after = self.a.answers(model), self.b.answers(model)
        (got_before, _), (got_after, fired) = self.level_of(before), self.level_of(after)
        moved = f"{got_after}, against {got_before}"
        return Check(kind, name, says, False, after, before, moved, (*lines, *(r.line for r in fired)))


__all__ = ["AnswerSpace", "Check", "Report", "verify"]
