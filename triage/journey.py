"""Where a person is in the questionnaire, from their answers alone. Pure: no web, no storage.

The questionnaire is a page per section, in the rule book's order, then the result, which lists
the answers with links to change them. An answer that reaches the most urgent level ends it at once: the result is shown
without asking anything more. Answers given to these functions are already checked
(`engine.check_answers`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from triage.conditions import Answer, Condition, OneOf, questions_in
from triage.engine import AnswerError, Assessment, assess, unanswered
from triage.memo import once_per_object
from triage.rulebook import Question, Rulebook, Section

RESULT = "result"


def is_asked(question: Question, answers: Mapping[str, Answer]) -> bool:
    return question.asked(answers)


def has_questions(section: Section, answers: Mapping[str, Answer]) -> bool:
    """Whether the section asks anything, given the answers of the pages before it (a page of
    questions only for people already diagnosed asks nothing of others, and is passed over)."""
    asks, ask_when = _asking(section)
    return asks or any(condition.holds(answers) for condition in ask_when)


@once_per_object
def _asking(section: Section) -> tuple[bool, tuple[Condition, ...]]:
    """Whether the section always asks something (a question asked of everyone in this voice, or
    revealed by its own page's answers); else the conditions, on earlier pages' answers, under
    which it asks something."""
    on_page = _on_page(section)
    in_voice = [q for q in section.questions if q.in_voice]
    asks = any(q.ask_when is None or questions_in(q.ask_when) & on_page for q in in_voice)
    return asks, tuple(q.ask_when for q in in_voice if q.ask_when is not None)


def step_number(rulebook: Rulebook, section: Section) -> tuple[int | None, int]:
    """The page's step number and the number of steps: every section asked of everyone counts; a
    section asked of some people only (given earlier answers) is an extra page without a number."""
    counted = [s.id for s in rulebook.sections if has_questions(s, {})]
    number = counted.index(section.id) + 1 if section.id in counted else None
    return number, len(counted)


def _on_page(section: Section) -> set[str]:
    return {q.id for q in section.questions}


def emergency(rulebook: Rulebook, answers: Mapping[str, Answer]) -> Assessment | None:
    """The assessment, if the answers so far already reach the most urgent level."""
    try:
        result = assess(rulebook, answers)
    except AnswerError:
        return None
    return result if result.level.id == rulebook.top_level.id else None


def next_step(rulebook: Rulebook, answers: Mapping[str, Answer]) -> str:
    """The section id to answer next (the first with a required question asked and not answered),
    or RESULT when all are answered or an emergency was."""
    if emergency(rulebook, answers):
        return RESULT
    missing = unanswered(rulebook, answers)
    return missing[0].section if missing else RESULT


def can_visit(rulebook: Rulebook, step: str, answers: Mapping[str, Answer]) -> bool:
    """A section may be visited once every section before it is complete (each required question
    asked is answered); the result once all are, or once an emergency answer was given."""
    if step == RESULT:
        return next_step(rulebook, answers) == RESULT
    missing = unanswered(rulebook, answers)
    position = _position(rulebook)
    return not missing or position[missing[0].section] >= position.get(step, len(rulebook.sections))


def previous_step(rulebook: Rulebook, step: str, answers: Mapping[str, Answer] | None = None) -> str | None:
    """The section before `step` (the result's is the last section), or None before the first.
    Given the answers, a section that asks nothing of this person is passed over."""
    sections = rulebook.sections
    index = len(sections) if step == RESULT else _position(rulebook)[step]
    for section in reversed(sections[:index]):
        if answers is None or has_questions(section, answers):
            return section.id
    return None


@once_per_object
def _position(rulebook: Rulebook) -> dict[str, int]:
    """Each section's place in the questionnaire."""
    return {section.id: i for i, section in enumerate(rulebook.sections)}


@dataclass(frozen=True)
class Reveal:
    """How a follow-up shows on a page: under which question, and for which of its answers."""

    trigger: Question
    values: frozenset[str] | None  # None: the condition is not a simple "one of", keep it shown


Layout = list[tuple[Question, Reveal | None]]


def page_layout(rulebook: Rulebook, section: Section, earlier: Mapping[str, Answer]) -> Layout:
    """The questions a section page shows, each with how it is revealed.

    A follow-up that depends on this page's own answers is shown under its trigger question and
    revealed by the browser where it can be; one that depends only on earlier pages is shown or
    left out here, from the answers already given.
    """
    return _layout(
        rulebook, section, lambda question: question.ask_when is not None and question.ask_when.holds(earlier)
    )


def possible_layouts(rulebook: Rulebook, section: Section, most: int = 64) -> list[Layout]:
    """Every layout `page_layout` can give for the section, whatever the earlier answers were
    (each follow-up that depends only on earlier pages shown or left out); none past `most`."""
    on_page = {q.id for q in section.questions}
    outside = [
        q.id for q in section.questions if q.in_voice and q.ask_when and not (questions_in(q.ask_when) & on_page)
    ]
    if 2 ** len(outside) > most:
        return []
    layouts = []
    for n in range(2 ** len(outside)):
        chosen = frozenset(q for i, q in enumerate(outside) if n >> i & 1)
        layouts.append(_layout(rulebook, section, partial(_chosen, chosen)))
    return layouts


def _chosen(chosen: frozenset[str], question: Question) -> bool:
    return question.id in chosen


def _layout(rulebook: Rulebook, section: Section, asked_from_earlier: Callable[[Question], bool]) -> Layout:
    on_page = {q.id for q in section.questions}
    layout: Layout = []
    for question in section.questions:
        if not question.in_voice:
            continue
        if question.ask_when is None:
            layout.append((question, None))
            continue
        depends = questions_in(question.ask_when)
        local = [q.id for q in section.questions if q.id in depends & on_page]
        if not local:
            if asked_from_earlier(question):
                layout.append((question, None))
            continue
        condition = question.ask_when
        simple = isinstance(condition, OneOf) and depends == {local[-1]}
        values = condition.values if isinstance(condition, OneOf) and simple else None
        layout.append((question, Reveal(rulebook.question_by_id[local[-1]], values)))
    return layout
