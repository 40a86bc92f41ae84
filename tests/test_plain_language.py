"""Plain language: what a person reads is at reading grade 8 or below (Flesch-Kincaid)."""

from __future__ import annotations

import pytest
import textstat

from triage.rulebook import Rulebook, load_rulebook

GRADE = 8


def texts(rulebook: Rulebook) -> dict[str, str]:
    found = {"disclaimer": rulebook.meta.disclaimer}
    for section in rulebook.sections:  # a heading alone is too short to grade
        if section.intro:
            found[f"section {section.id}"] = f"{section.title} {section.intro}"
    for question in rulebook.questions:
        found[f"question {question.id}"] = question.text
        if question.hint:
            found[f"hint {question.id}"] = question.hint
        found[f"error {question.id}"] = question.error + "."
    for level in rulebook.levels:
        for name in ("title", "action", "visitor", "safety_net"):
            found[f"level {level.id} {name}"] = getattr(level, name)
    for rule in rulebook.rules:
        found[f"reason {rule.id}"] = rule.reason + (f" {rule.advice}" if rule.advice else "")
    return found


@pytest.mark.parametrize(("where", "text"), sorted(texts(load_rulebook()).items()))
def test_each_text_reads_at_grade_8_or_below(where: str, text: str) -> None:
    assert textstat.flesch_kincaid_grade(text) <= GRADE, f"{where}: {text}"


def test_questions_and_results_together_read_at_grade_6_or_below(rulebook: Rulebook) -> None:
    questions = " ".join(t for k, t in texts(rulebook).items() if k.startswith(("question", "hint")))
    results = " ".join(t for k, t in texts(rulebook).items() if k.startswith(("level", "reason", "disclaimer")))
    assert textstat.flesch_kincaid_grade(questions) <= 6
    assert textstat.flesch_kincaid_grade(results) <= 6


def test_the_grade_check_can_fail() -> None:
    dense = (
        "Progressive neuromuscular deterioration characteristically necessitates comprehensive multidisciplinary "
        "evaluation incorporating electrophysiological investigations."
    )
    assert textstat.flesch_kincaid_grade(dense) > GRADE
