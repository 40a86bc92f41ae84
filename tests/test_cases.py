"""The rule cases pin every rule: each fires in some case, and each mutation of a rule is caught."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from casefiles import CaseFileError, all_cases, check_case, load_cases, measured

from triage.engine import AnswerError, assess
from triage.rulebook import Rule, Rulebook

# Rules whose level can be lowered without any answers reaching a different overall level, and why.
# The cases still catch the change through the rule's own level in the reasons; this list keeps the
# stricter count honest and makes a new redundancy visible.
LEVEL_NEVER_DECIDES = {
    "weakness_one_side": "weakness always brings the 'how is it changing' question, and every answer reaches 'soon'",
    "trouble_walking": "the same: tripping brings the 'how is it changing' question",
    "dropping_objects": "the same: dropping things brings the 'how is it changing' question",
}


def test_every_rule_is_fired_by_at_least_one_case(rulebook: Rulebook) -> None:
    fired = {rule for case in all_cases() if case.errors is None for rule in case.fired}
    never = [rule.id for rule in rulebook.rules if rule.id not in fired]
    assert never == [], f"rules no case fires: {never}"


def test_every_level_is_reached_by_a_case(rulebook: Rulebook) -> None:
    reached = {case.level for case in all_cases()}
    assert reached >= {level.id for level in rulebook.levels}


def _changed(rulebook: Rulebook, rule_id: str, change: Callable[[Rule], Rule | None]) -> Rulebook:
    """The rule book with one rule changed (or removed, when `change` gives None) in every voice, so
    that cases answered for someone else see the change too."""
    voices: dict[str, Rulebook] = {}
    for voice, book in rulebook.voices.items():
        rules = [change(r) if r.id == rule_id else r for r in book.rules]
        voices[voice] = dataclasses.replace(book, rules=tuple(r for r in rules if r is not None), voices=voices)
    return voices[rulebook.voice]


def _failing(rulebook: Rulebook) -> int:
    return sum(1 for case in all_cases() if check_case(rulebook, case))


def _overall_levels(rulebook: Rulebook) -> list[str | None]:
    levels: list[str | None] = []
    for case in all_cases():
        try:
            levels.append(assess(rulebook, case.answers).level.id)
        except AnswerError:
            levels.append(None)
    return levels


def test_removing_or_lowering_any_rule_fails_a_case(rulebook: Rulebook, request: pytest.FixtureRequest) -> None:
    assert _failing(rulebook) == 0
    baseline_levels = _overall_levels(rulebook)
    lower = {high.id: low for high, low in zip(rulebook.levels, rulebook.levels[1:], strict=False)}
    removal_caught, lowering_caught, level_changed, lowerable = [], [], [], []
    for rule in rulebook.rules:
        without = _changed(rulebook, rule.id, lambda r: None)
        if _failing(without):
            removal_caught.append(rule.id)
        if rule.level.id not in lower:
            continue
        lowerable.append(rule.id)
        lowered = _changed(rulebook, rule.id, lambda r: dataclasses.replace(r, level=lower[r.level.id]))
        if _failing(lowered):
            lowering_caught.append(rule.id)
        if _overall_levels(lowered) != baseline_levels:
            level_changed.append(rule.id)

    total = len(rulebook.rules)
    measured(
        request,
        f"rule cases: removing a rule is caught for {len(removal_caught)} of {total} rules",
        f"rule cases: lowering a rule by one level is caught for {len(lowering_caught)} of {len(lowerable)} "
        f"rules that can be lowered; it changes an overall level for {len(level_changed)} of them",
    )
    assert removal_caught == [r.id for r in rulebook.rules]
    assert lowering_caught == lowerable
    assert set(lowerable) - set(level_changed) == set(LEVEL_NEVER_DECIDES)


def test_case_file_with_unknown_key_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text("cases:\n  - name: A case\n    level: routine\n    fired: {}\n    expect: routine\n")
    with pytest.raises(CaseFileError, match=r"cases.yaml: case 1 has unknown key\(s\) \['expect'\]"):
        load_cases(path)


def test_a_wrong_expectation_is_reported_with_file_and_case(tmp_path: Path, pytester: pytest.Pytester) -> None:
    cases = pytester.mkdir("cases")
    (cases / "wrong.yaml").write_text(
        "cases:\n  - name: Struggling to breathe is wrongly expected to be routine\n"
        '    baseline: false\n    answers: {breathing_now: "yes"}\n    level: routine\n    fired: {}\n'
    )
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text())
    pytester.syspathinsert(Path(__file__).parent)
    result = pytester.runpytest("-p", "no:cacheprovider", "cases")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*wrong.yaml: Case 'Struggling to breathe is wrongly expected to be routine'",
            "*expected level routine, got emergency",
        ]
    )
