"""Plain language: what a person reads is at reading grade 8 or below (Flesch-Kincaid)."""

from __future__ import annotations

import pytest
import textstat

from triage.readability import FRENCH_EACH, FRENCH_TOGETHER, GRADE, LONG_ENOUGH, french_ease, score
from triage.rulebook import Rulebook

VOICES = ("self", "other", "staff")


def texts(rulebook: Rulebook) -> dict[str, str]:
    """Every text of the rule book in its voice (a level's variants included), by where it is."""
    found = {"disclaimer": rulebook.meta.disclaimer}
    for section in rulebook.sections:  # a heading alone is too short to grade
        if section.intro:
            found[f"section {section.id}"] = f"{section.title} {section.intro}"
    for question in rulebook.questions:
        found[f"question {question.id}"] = question.text
        if question.hint:
            found[f"hint {question.id}"] = question.hint
        found[f"error {question.id}"] = question.error + "."
        if question.kind in ("choice", "multi"):
            found[f"options {question.id}"] = ". ".join(option.label for option in question.options) + "."
        if question.item:
            found[f"item {question.id}"] = question.item + "."
    for group in rulebook.groups:
        found[f"question list {group.id}"] = f"{group.text} {group.hint or ''} {group.none}. {group.error}."
    for level in rulebook.levels:
        daytime = (level, *(variant for _, variant in level.variants))
        every = (*daytime, *(words.after_hours for words in daytime if words.after_hours is not None))
        for index, words in enumerate(every):
            for name in ("title", "action", "visitor", "staff_script", "safety_net", "where"):
                found[f"level {level.id}{f' variant {index}' if index else ''} {name}"] = getattr(words, name)
    for rule in rulebook.rules:
        found[f"reason {rule.id}"] = rule.reason + (f" {rule.advice}" if rule.advice else "")
        found[f"what to say for {rule.id}"] = rule.say
    return found


@pytest.mark.parametrize("voice", VOICES)
def test_each_text_reads_at_grade_8_or_below(rulebook: Rulebook, voice: str) -> None:
    found = texts(rulebook.in_voice(voice))
    too_hard = [
        f"{where} (grade {s.value}): {text}" for where, text in found.items() if not (s := score(text, "en")).ok
    ]
    assert too_hard == []
    assert len(found) > 200  # every question, option, item, level, reason and what to say


@pytest.mark.parametrize("voice", VOICES)
def test_questions_and_results_together_read_at_grade_6_or_below(rulebook: Rulebook, voice: str) -> None:
    found = texts(rulebook.in_voice(voice))
    questions = " ".join(t for k, t in found.items() if k.startswith(("question", "hint")))
    results = " ".join(t for k, t in found.items() if k.startswith(("level", "reason", "disclaimer")))
    assert textstat.flesch_kincaid_grade(questions) <= 6
    assert textstat.flesch_kincaid_grade(results) <= 6


def test_the_grade_check_can_fail() -> None:
    dense = (
        "Progressive neuromuscular deterioration characteristically necessitates comprehensive multidisciplinary "
        "evaluation incorporating electrophysiological investigations."
    )
    assert textstat.flesch_kincaid_grade(dense) > GRADE


# French: Kandel & Moles' reading ease (see triage/readability.py for the limits and why).


@pytest.fixture(scope="module")
def french() -> Rulebook:
    from triage.rulebook import load_rulebook

    return load_rulebook(language="fr_CA")


@pytest.mark.parametrize("voice", VOICES)
def test_the_french_reads_easily(french: Rulebook, voice: str) -> None:
    found = texts(french.in_voice(voice))
    too_hard = [
        f"{where} ({s.value:.0f}): {text}" for where, text in found.items() if not (s := score(text, "fr_CA")).ok
    ]
    together = french_ease(" ".join(found.values()))
    assert too_hard == []
    assert together >= FRENCH_TOGETHER
    assert sum(len(text.split()) >= LONG_ENOUGH for text in found.values()) > 100


def test_the_french_readability_check_can_fail() -> None:
    hard = (
        "L'administration concomitante d'anticoagulants oraux nécessite une surveillance "
        "hématologique rigoureuse et individualisée."
    )
    assert french_ease(hard) < FRENCH_EACH
