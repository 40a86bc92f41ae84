"""Properties that hold for every valid set of answers, checked with Hypothesis."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import pytest
from casefiles import default_rulebook
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.conditions import OneOf, walk
from triage.engine import assess
from triage.rulebook import Question, Rulebook, load_rulebook

RULEBOOK = default_rulebook()

# How concerning each answer is, from CLINICAL.md, kept here as an oracle independent of the rules:
# moving an answer up this order is "adding a symptom". Options of equal rank are not compared.
WORSE: dict[str, dict[str, int]] = {
    "breathlessness": {"none": 0, "exertion": 1, "lying_flat": 2, "at_rest": 3},
    "weight_loss": {"none": 0, "some": 1, "significant": 2},
    "family_history": {"no": 0, "unsure": 0, "yes": 1},
    "sudden_symptoms_gone": {"no": 0, "earlier": 1, "last_7_days": 2},
    "symptom_course": dict(
        same_for_years=0,
        not_getting_worse=1,
        worse_over_weeks_months=2,
        sudden_earlier=3,
        worse_over_days=4,
        sudden_recent=5,
    ),
}
YES_NO = {"no": 0, "yes": 1}
# Answers that say who the person is, not how they are: a diagnosis already made changes who to
# contact and how soon (docs/clinical-policy.md), so it is held fixed when a symptom is added.
CONTEXT = {"known_diagnosis"}

# CLINICAL.md, "Words": what no output may say.
DIAGNOSTIC = re.compile(
    r"\byou have\b|\byou may have\b|\blikely\b|\bprobably\b|\bconsistent with\b|\bsigns? of als\b"
    r"|\byou are fine\b|\brisk score\b|\d\s*%|\bper ?cent\b",
    re.IGNORECASE,
)


# The same in Canadian French ("vous avez du mal à respirer" asks; "vous avez la SLA" tells).
DIAGNOSTIQUE = re.compile(
    r"\b(?:vous|il|elle) (?:avez|a|pourriez avoir|pourrait avoir) (?:la |une |un )?(?:SLA|maladie|sclérose)"
    r"|\bprobablement\b|\bprobables?\b|\bvraisemblablement\b|\bcompatibles? avec\b|\bsignes? de (?:la )?SLA\b"
    r"|\bvous allez bien\b|\btout va bien\b|\bce n.est rien\b|\bscore de risque\b|\d\s*%|\bpour cent\b",
    re.IGNORECASE,
)


def diagnostic_wording(text: str) -> list[str]:
    return DIAGNOSTIC.findall(text) + DIAGNOSTIQUE.findall(text)


def _asked(question: Question, answers: Mapping[str, Any]) -> bool:
    return question.in_voice and (question.ask_when is None or question.ask_when.holds(answers))


# The carer's own question, asked only of someone answering for another person: "no" reports nothing.
FOR_CARERS = {"carer_coping": "no"}


def _value(question: Question) -> st.SearchStrategy[Any]:
    if question.kind == "number":
        value = st.integers(question.minimum, question.maximum)
        return value if question.required else st.none() | value
    if question.kind == "multi":
        return st.lists(st.sampled_from(question.values), min_size=1, unique=True)
    return st.sampled_from(question.values)


@st.composite
def answer_sets(draw: st.DrawFn, rulebook: Rulebook = RULEBOOK, keep: Mapping[str, Any] | None = None) -> dict:
    """A complete, valid set of answers; `keep` answers are kept where their question is asked.

    Mostly a few symptoms among quiet answers: with every answer random, nearly every set holds an
    emergency answer, which would hide what the other rules do.
    """
    ids = [q.id for q in rulebook.questions if q.ask_when is None]
    ids += sorted(CONTEXT & set(ids))  # the context drawn as often as a symptom: both values matter
    symptoms = draw(st.one_of(st.sets(st.sampled_from(ids), max_size=5), st.just(set(ids))))
    answers: dict[str, Any] = {}
    for question in rulebook.questions:
        if not _asked(question, {k: frozenset(v) if isinstance(v, list) else v for k, v in answers.items()}):
            continue
        if keep and question.id in keep:
            value = keep[question.id]
        elif question.ask_when is None and question.id not in symptoms and question.kind != "number":
            value = _quiet(question)
        else:
            value = draw(_value(question))
        if value is not None:
            answers[question.id] = value
    return answers


def _quiet(question: Question) -> str:
    """The least concerning answer to a question."""
    order = YES_NO if question.kind == "yes_no" else WORSE.get(question.id, {})
    return min(question.values, key=lambda value: order.get(value, 0))


def _rank(rulebook: Rulebook, answers: Mapping[str, Any]) -> int:
    return assess(rulebook, answers).level.rank


def _order(question: Question) -> dict[str, int] | None:
    return YES_NO if question.kind == "yes_no" else WORSE.get(question.id)


WORSENABLE = [q for q in RULEBOOK.questions if (_order(q) or q.kind == "multi") and q.id not in CONTEXT]


@st.composite
def worsened(draw: st.DrawFn) -> tuple[dict, dict, str]:
    """Answers, the same answers with one symptom added or made worse, and which question changed."""
    question = draw(st.sampled_from(WORSENABLE))
    order = _order(question)
    if order is None:  # multiple choice: add one more
        before_value: Any = draw(
            st.lists(st.sampled_from(question.values), min_size=1, max_size=len(question.values) - 1, unique=True)
        )
        after_value: Any = [*before_value, draw(st.sampled_from([v for v in question.values if v not in before_value]))]
    else:
        before_value = draw(st.sampled_from([v for v, rank in order.items() if rank < max(order.values())]))
        after_value = draw(st.sampled_from([v for v, rank in order.items() if rank > order[before_value]]))
    # A follow-up is only asked when its condition holds: give the answers that make it hold.
    enabling = (
        {n.question: min(n.values) for n in walk(question.ask_when) if isinstance(n, OneOf)}
        if question.ask_when
        else {}
    )
    before = draw(answer_sets(keep={**enabling, question.id: before_value}))
    # Follow-ups that the change reveals (weakness: no -> yes) get answers of their own.
    after = draw(answer_sets(keep={**before, question.id: after_value}))
    return before, after, question.id


@settings(max_examples=300, deadline=None)
@given(answer_sets())
def test_every_assessment_has_a_level_and_the_disclaimer(answers: dict) -> None:
    result = assess(RULEBOOK, answers).to_dict()
    assert result["level"] in {level.id for level in RULEBOOK.levels}
    assert result["action"] and result["timeframe"] and result["safety_net"]
    assert result["disclaimer"] == RULEBOOK.meta.disclaimer != ""


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(worsened())
def test_adding_a_symptom_never_lowers_the_level(change: tuple[dict, dict, str]) -> None:
    before, after, question = change
    assert _rank(RULEBOOK, after) >= _rank(RULEBOOK, before), f"{question}: {before[question]} -> {after[question]}"


@settings(max_examples=200, deadline=None)
@given(answer_sets(), st.one_of(st.none(), st.integers(0, 130), st.text(max_size=5)))
def test_an_age_from_version_1_is_ignored(answers: dict, age: Any) -> None:
    assert assess(RULEBOOK, {**answers, "age": age}).to_dict() == assess(RULEBOOK, answers).to_dict()


@settings(max_examples=300, deadline=None)
@given(answer_sets(), st.sampled_from(["self", "someone_else"]))
def test_who_is_answering_never_changes_the_level_or_the_reasons(answers: dict, respondent: str) -> None:
    first = assess(RULEBOOK, answers)
    voiced = assess(RULEBOOK, {**answers, **FOR_CARERS, "respondent": respondent})
    assert voiced.level.id == first.level.id
    assert [r.rule for r in voiced.reasons] == [r.rule for r in first.reasons]
    assert voiced.respondent == respondent


@settings(max_examples=300, deadline=None)
@given(answer_sets(), st.sampled_from(["worse_with_tiredness", "numbness"]))
def test_tiredness_and_numbness_never_lower_the_level(answers: dict, question: str) -> None:
    if question not in answers:
        return  # not asked here (worse_with_tiredness is a follow-up)
    with_yes, with_no = {**answers, question: "yes"}, {**answers, question: "no"}
    assert _rank(RULEBOOK, with_yes) >= _rank(RULEBOOK, with_no)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(answer_sets(), st.randoms(use_true_random=False))
def test_the_same_answers_always_give_the_same_result(answers: dict, random: Any) -> None:
    shuffled = list(answers.items())
    random.shuffle(shuffled)
    first = assess(RULEBOOK, answers).to_dict()
    assert assess(RULEBOOK, dict(shuffled)).to_dict() == first
    assert assess(RULEBOOK, answers).to_dict() == first


@settings(max_examples=300, deadline=None)
@given(answer_sets(), st.sampled_from(["self", "someone_else"]))
def test_no_output_uses_diagnostic_wording(answers: dict, respondent: str) -> None:
    result = assess(RULEBOOK, {**answers, **FOR_CARERS, "respondent": respondent}).to_dict()
    result.pop("answers")
    text = json.dumps(result, ensure_ascii=False)
    assert diagnostic_wording(text) == []


@pytest.mark.parametrize("language", ["en", "fr_CA"])
def test_no_level_or_rule_text_uses_diagnostic_wording_in_any_voice(language: str) -> None:
    rulebook = load_rulebook(language=language)
    texts = []
    for voice in ("self", "other", "staff"):
        book = rulebook.in_voice(voice)
        texts.append(book.meta.disclaimer)
        levels = [words for level in book.levels for words in (level, *(v for _, v in level.variants))]
        levels += [words.after_hours for words in levels if words.after_hours is not None]
        texts += [text for level in levels for text in vars(level).values() if isinstance(text, str)]
        texts += [text for rule in book.rules for text in (rule.reason, rule.advice) if text]
    found = {text: diagnostic_wording(text) for text in texts if diagnostic_wording(text)}
    assert found == {}


@pytest.mark.parametrize(
    "sentence",
    [
        "You have ALS.",
        "You may have a motor neurone problem.",
        "This is likely nothing.",
        "These are signs of ALS.",
        "Your risk is 12 %.",
        "You are fine.",
        "Vous avez la SLA.",
        "Elle pourrait avoir une maladie du motoneurone.",
        "Ce n'est probablement rien.",
        "Ce sont des signes de SLA.",
        "Votre risque est de 12 %.",
        "Vous allez bien.",
    ],
)
def test_the_wording_check_catches_diagnostic_sentences(sentence: str) -> None:
    assert diagnostic_wording(sentence)
