"""`triage diff OLD NEW`: changes in behaviour counted over the whole answer space, and in wording."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_cli import TRIAGE

from triage.diffing import diff, load_any
from triage.engine import AnswerError, assess
from triage.rulebook import Rulebook, default_rules_path

RULES = default_rules_path().read_text(encoding="utf-8")
FIRST = Path(__file__).parent / "data" / "rules-1.0.0.yaml"  # the first rule book, as it was released
SECOND = Path(__file__).parent / "data" / "rules-2.1.0.yaml"  # the last rule book of answer contract 2


def copy_with(tmp_path: Path, old: str, new: str) -> Rulebook:
    assert RULES.count(old) == 1, old
    path = tmp_path / "rules.yaml"
    path.write_text(RULES.replace(old, new), encoding="utf-8")
    return load_any(path)


def test_a_rule_book_against_itself_changes_nothing(rulebook: Rulebook) -> None:
    result = diff(rulebook, rulebook)
    assert result.moved == () and result.changes == ()
    assert {m.old for m in result.moves} == {"emergency", "urgent", "soon", "routine"}


@pytest.mark.slow
def test_a_lowered_rule_moves_answer_sets_and_the_plainest_example_is_one_the_engine_agrees_with(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    rule = "  - id: breathless_lying_flat\n    level: urgent\n"
    changed = copy_with(tmp_path, rule, rule.replace("urgent", "soon"))
    result = diff(rulebook, changed)
    (move,) = [m for m in result.moved if (m.old, m.new) == ("urgent", "soon")]
    assert move.count > 0 and move.example["breathlessness"] == "lying_flat"
    assert assess(rulebook, move.example).level.id == "urgent" and assess(changed, move.example).level.id == "soon"
    assert [m for m in result.moved if (m.old, m.new) != ("urgent", "soon")] == []
    assert ("Rules", "`breathless_lying_flat` level urgent → soon") in result.changes
    # Nothing is lost or counted twice: the answer sets of each old level add up the same either way.
    same = diff(rulebook, rulebook)
    assert result.total == same.total


@pytest.mark.slow
def test_a_reworded_text_is_listed_in_its_voice(tmp_path: Path, rulebook: Rulebook) -> None:
    old = "          other: Is the person struggling to breathe right now?\n"
    changed = copy_with(tmp_path, old, "          other: Is the person fighting for breath right now?\n")
    result = diff(rulebook, changed)
    assert result.moved == ()
    assert result.changes == (
        (
            "Texts changed, other voice",
            "question `breathing_now`: “Is the person struggling to breathe right now?” → "
            "“Is the person fighting for breath right now?”",
        ),
    )


def test_from_the_first_rule_book_to_the_current_one(rulebook: Rulebook) -> None:
    first = load_any(FIRST)
    assert first.meta.version == "1.0.0" and "weakness_course" in first.question_by_id
    result = diff(first, rulebook)
    moved = {(m.old, m.new): m for m in result.moved}
    # The emergencies the review found missing: now called in, each from the plainest answers.
    emergency_alone = [{q.id: "yes"} for q in rulebook.sections[0].questions]
    assert problems(moved["routine", "emergency"].example) in emergency_alone
    assert problems(moved["routine", "urgent"].example) == {"sudden_symptoms_gone": "last_7_days"}
    for (old_level, new_level), move in moved.items():
        assert level_of(first, move.example) == old_level and level_of(rulebook, move.example) == new_level
    text = result.text()
    assert "added `drowsy_confused` (yes_no: yes, no)" in text and "removed `weakness_course`" in text
    assert "`urgent` has 1 variant(s) for an audience (was 0)" in text


@pytest.mark.slow
def test_from_2_0_0_the_words_changed_and_no_level_did() -> None:
    """2.0.0 had no `where` and no `say`: it is still read, to show the clinician what changed."""
    before = load_any(Path(__file__).parent / "data" / "rules-2.0.0.yaml")
    result = diff(before, load_any(SECOND))
    assert before.meta.version == "2.0.0" and result.moved == ()
    assert "0 (0.0000%) get another level" in result.text()


@pytest.mark.slow
def test_from_2_1_0_every_move_down_is_listed_with_its_plainest_example(rulebook: Rulebook) -> None:
    """Rule book 3 lowers three patterns on purpose (CLINICAL.md): a sudden start more than a week
    ago (911 → today), choking on food for people already diagnosed (today → 1 to 2 weeks), and
    problems the same for years with a known cause (1 to 2 weeks → next visit)."""
    before = load_any(SECOND)
    result = diff(before, rulebook)
    rank = {level.id: level.rank for level in rulebook.levels}
    down = {(m.old, m.new): problems(m.example) for m in result.moved if rank[m.new] < rank[m.old]}
    assert set(down) == {("emergency", "urgent"), ("urgent", "soon"), ("soon", "routine")}
    assert down["emergency", "urgent"]["symptom_course"] == "sudden_earlier"
    assert down["urgent", "soon"] == {"known_diagnosis": "yes", "choking_episodes": "yes"}
    assert down["soon", "routine"]["symptom_course"] == "same_for_years"
    # Each example really moves: the old rule book, given the old answer the new one replaces.
    was = {"sudden_earlier": "sudden", "sudden_recent": "sudden", "same_for_years": "not_getting_worse"}
    for move in result.moved:
        old = {k: was.get(v, v) if k == "symptom_course" else v for k, v in move.example.items()}
        assert level_of(before, old) == move.old and level_of(rulebook, move.example) == move.new


def problems(answers: dict) -> dict:
    """The answers that report something (not no, none, or a choice left out)."""
    return {k: v for k, v in answers.items() if v not in ("no", "none")}


def level_of(book: Rulebook, answers: dict) -> str:
    """The level a rule book gives the answers, leaving out those to questions it does not ask."""
    mine = {k: v for k, v in answers.items() if k in book.question_by_id}
    try:
        return assess(book, mine).level.id
    except AnswerError as error:
        raise AssertionError(f"{book.meta.version} refuses {mine}: {error}") from None


@pytest.mark.slow
def test_triage_diff_prints_text_or_markdown() -> None:
    result = subprocess.run([TRIAGE, "diff", str(FIRST)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Rule book 1.0.0 → 3.0.1\n\nBehaviour over every answer set\n")
    assert "  routine → emergency" in result.stdout
    markdown = subprocess.run([TRIAGE, "diff", "--markdown", str(FIRST)], capture_output=True, text=True, timeout=120)
    assert markdown.stdout.startswith("# Rule book 1.0.0 → 3.0.1\n")
    assert "| old level → new level | answer sets | plainest example |" in markdown.stdout
    assert "\n## Texts changed, staff voice\n" in markdown.stdout
