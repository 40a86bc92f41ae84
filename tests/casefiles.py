"""Rule cases for the test suite: the files of tests/cases/ (the format is in triage.cases), each
checked against the engine."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from triage.cases import Case, CaseFileError, load_cases
from triage.engine import AnswerError, assess
from triage.rulebook import Rulebook, load_rulebook

__all__ = [
    "MEASUREMENT",
    "Case",
    "CaseFileError",
    "all_cases",
    "check_case",
    "default_rulebook",
    "load_cases",
    "measured",
]

CASES_DIR = Path(__file__).parent / "cases"
MEASUREMENT = "measurement"  # a line for the run's summary, kept with a test's report


def measured(request: pytest.FixtureRequest, *lines: str) -> None:
    """Lines for the run's summary ("measurements"): kept with the test's report, so that they reach
    the summary from a worker process too (pytest-xdist sends each report back)."""
    request.node.user_properties.extend((MEASUREMENT, line) for line in lines)


@cache
def default_rulebook() -> Rulebook:
    return load_rulebook()


@cache
def all_cases() -> tuple[Case, ...]:
    """Every case of tests/cases, read once per run (the mutation check goes through them all for
    every rule)."""
    return tuple(case for path in sorted(CASES_DIR.glob("*.yaml")) for case in load_cases(path))


def check_case(rulebook: Rulebook, case: Case) -> list[str]:
    """What differs between the case's expectation and the engine's answer (empty when it passes)."""
    try:
        assessment = assess(rulebook, case.answers)
    except AnswerError as invalid:
        got = {e.field: e.code for e in invalid.errors}
        if case.errors is None:
            return [f"expected level {case.level}, but the answers were refused: {got}"]
        return [] if got == case.errors else [f"expected errors {case.errors}, got {got}"]
    if case.errors is not None:
        return [f"expected errors {case.errors}, but got level {assessment.level.id}"]
    problems = []
    if assessment.level.id != case.level:
        problems.append(f"expected level {case.level}, got {assessment.level.id}")
    fired = {reason.rule: reason.level for reason in assessment.reasons}
    if fired != case.fired:
        missing = {k: v for k, v in case.fired.items() if fired.get(k) != v}
        extra = {k: v for k, v in fired.items() if case.fired.get(k) != v}
        problems.append(f"fired rules differ: expected but not fired {missing}; fired but not expected {extra}")
    return problems
