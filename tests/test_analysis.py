"""The clinical policy, proved over every answer set by an SMT solver (triage.analysis).

The proofs are only worth something if they fail when the rules break the policy: each rule lowered
by one level is planted as a fault, and each must be caught with a counterexample that the engine
itself confirms, except where the policy still holds without it (listed, with why).
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest
from casefiles import measured
from test_cli import TRIAGE

from triage import create_app
from triage.analysis import verify
from triage.engine import assess
from triage.rulebook import Rulebook, RulebookError, default_rules_path, load_rulebook

RULES = default_rules_path().read_text(encoding="utf-8")
# Rules that can be lowered without breaking any statement of the policy, and why: each is a reason
# shown to the person, but another rule already reaches its level for every answer set it fires on.
REDUNDANT = {
    "weakness_one_side": "weakness always brings 'how is it changing', and every answer reaches 'soon'",
    "trouble_walking": "the same: tripping brings 'how is it changing'",
    "dropping_objects": "the same: dropping things brings 'how is it changing'",
}


def lowered(book: Rulebook, rule_id: str) -> Rulebook:
    """The rule book with one rule a level lower, in every voice (a counterexample may be answered
    for someone else, and is then checked in that voice)."""
    lower = {high.id: low for high, low in zip(book.levels, book.levels[1:], strict=False)}
    voices: dict[str, Rulebook] = {}
    for voice, each in book.voices.items():
        rules = tuple(
            dataclasses.replace(rule, level=lower[rule.level.id]) if rule.id == rule_id else rule for rule in each.rules
        )
        voices[voice] = dataclasses.replace(each, rules=rules, voices=voices)
    return voices[book.voice]


def test_the_shipped_rule_book_is_proved(rulebook: Rulebook, request: pytest.FixtureRequest) -> None:
    report = verify(rulebook)
    assert report.failures == ()
    kinds = {check.kind for check in report.checks}
    assert kinds == {"minimum_level", "emergency_alone", "never_lower", "monotonic", "rule_fires", "level_reached"}
    assert len([c for c in report.checks if c.kind == "minimum_level"]) == len(rulebook.policy.minimum_levels) >= 28
    measured(
        request,
        f"triage verify: {len(report.checks)} statements proved over every answer set in {report.seconds:.1f} s",
    )


@pytest.mark.slow
def test_lowering_any_rule_by_one_level_is_caught_with_a_counterexample(rulebook: Rulebook) -> None:
    missed = []
    for rule in rulebook.rules:
        if rule.level == rulebook.lowest_level:
            continue
        faulty = lowered(rulebook, rule.id)
        report = verify(faulty)
        if report.ok:
            missed.append(rule.id)
            continue
        for check in report.failures:
            if check.kind == "minimum_level":
                # The counterexample is real: the faulty rule book's engine gives it a lower level.
                row = next(r for r in rulebook.policy.minimum_levels if r.id == check.name)
                got = assess(faulty, check.counterexample or {}).level
                assert got.rank < row.at_least.rank, (rule.id, check.name)
                assert check.lines[0] == row.line
    assert set(missed) == set(REDUNDANT)


def test_a_failure_names_the_policy_row_and_the_rules_that_fired(rulebook: Rulebook) -> None:
    report = verify(lowered(rulebook, "drowsy_confused"))
    failed = {check.name: check for check in report.failures}
    # Drowsiness is also an emergency with a failing breathing machine (a row of its own).
    assert set(failed) == {
        "drowsy_or_confused",
        "drowsy_confused_alone",
        "breathing_machine_problem_with_breathlessness_or_drowsiness",
    }
    check = failed["drowsy_or_confused"]
    assert check.counterexample is not None and check.counterexample["drowsy_confused"] == "yes"
    assert check.got == "urgent"
    rule = next(r for r in rulebook.rules if r.id == "drowsy_confused")
    row = next(r for r in rulebook.policy.minimum_levels if r.id == "drowsy_or_confused")
    assert check.lines == (row.line, rule.line)
    text = "\n".join(report.lines())
    assert "FAILED  drowsy_or_confused: Very drowsy or hard to wake, or newly confused → at least emergency" in text
    assert "counterexample (level urgent): drowsy_confused=yes (and 30 answers of no or none)" in text


@pytest.mark.slow
def test_a_rule_that_makes_adding_a_problem_lower_the_level_is_caught(tmp_path: Path) -> None:
    old = '  - id: twitching\n    level: soon\n    when: {question: twitching, equals: "yes"}'
    new = old.replace('{question: twitching, equals: "yes"}', '{all: [{question: twitching, equals: "yes"}, '
                      '{question: cramps, equals: "no"}]}')  # fmt: skip
    assert RULES.count(old) == 1
    book = load_path(tmp_path, RULES.replace(old, new))
    failed = {check.name: check for check in verify(book).failures}
    assert {"adding_a_problem", "cramps_never_lower", "twitching"} <= set(failed)
    check = failed["adding_a_problem"]
    assert check.other is not None and check.counterexample is not None
    assert assess(book, check.counterexample).level.rank < assess(book, check.other).level.rank


def load_path(tmp_path: Path, text: str) -> Rulebook:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rulebook(path)


def faulty_file(tmp_path: Path) -> Path:
    rule = "  - id: breathless_at_rest\n    level: emergency\n"
    assert rule in RULES
    path = tmp_path / "rules.yaml"
    path.write_text(RULES.replace(rule, rule.replace("emergency", "urgent")), encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_app_refuses_to_start_on_a_rule_book_that_breaks_the_policy(tmp_path: Path) -> None:
    path = faulty_file(tmp_path)
    with pytest.raises(RulebookError) as refused:
        create_app({"SECRET_KEY": "x", "RULES_PATH": str(path)})
    row_line = RULES[: RULES.index("    - id: breathless_at_rest")].count("\n") + 1
    assert (
        f"{path}:{row_line}: not proved: Short of breath at rest → at least emergency; "
        "for example breathlessness=at_rest (and 30 answers of no or none) gets urgent"
    ) in refused.value.lines()


@pytest.mark.slow
def test_triage_verify_prints_the_proof_and_exits_1_on_a_failure(tmp_path: Path) -> None:
    ok = subprocess.run([TRIAGE, "verify"], capture_output=True, text=True, timeout=120, check=False)
    assert ok.returncode == 0, ok.stderr
    assert "121 of 121 statements proved over every answer set (39 questions)" in ok.stdout
    path = faulty_file(tmp_path)
    failed = subprocess.run([TRIAGE, "verify", str(path)], capture_output=True, text=True, timeout=120, check=False)
    assert failed.returncode == 1
    assert "FAILED  breathless_at_rest: Short of breath at rest → at least emergency" in failed.stdout
    # Short of breath at rest is also an emergency with a swollen calf (a row of its own).
    assert "FAILED  calf_swelling_with_chest_pain_or_breathless_at_rest" in failed.stdout
    assert "2 statement(s) not proved: the rule book cannot be used." in failed.stderr
    check = subprocess.run([TRIAGE, "check", str(path)], capture_output=True, text=True, timeout=120, check=False)
    assert check.returncode == 1 and "policy: 119 of 121 statements proved (2 NOT PROVED" in check.stdout


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("      at_least: urgent\n", "      at_least: urgnet\n", "unknown level 'urgnet' (did you mean 'urgent'?)"),
        ("      question: numbness\n", "      question: numbnes\n", "unknown question 'numbnes'"),
        (
            "    weight_loss: [none, some, significant]\n",
            "    weight_loss: [none, significant]\n",
            "the problem order of 'weight_loss' must list each of its answers once",
        ),
        ("  context: [known_diagnosis]\n", "  context: [known_diagnoses]\n", "unknown question 'known_diagnoses'"),
    ],
)
def test_a_broken_policy_is_refused_with_its_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in RULES
    with pytest.raises(RulebookError) as refused:
        load_path(tmp_path, RULES.replace(old, new, 1))
    assert any(line.endswith(message) or message in line for line in refused.value.lines()), refused.value.lines()


@pytest.mark.slow
def test_the_app_proves_the_policy_even_where_no_python_process_can_be_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage import proof

    monkeypatch.setattr(proof.sys, "executable", str(tmp_path / "no-python-here"))
    monkeypatch.setattr(proof, "_PROVED", set())
    with pytest.raises(RulebookError, match="not proved: Short of breath at rest"):
        create_app({"SECRET_KEY": "x", "RULES_PATH": str(faulty_file(tmp_path))})
    assert create_app({"SECRET_KEY": "x"}).extensions["triage"]["rulebook"].meta.version == "3.0.1"
