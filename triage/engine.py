"""Turn answers into advice: `assess(rulebook, answers) -> Assessment`. Pure: no I/O, no web.

Answers arrive as plain JSON-like values (strings, lists of strings, whole numbers). They are
checked against the rule book first; every problem becomes a `FieldError` and `assess` raises
`AnswerError` carrying them all, for the caller to show next to the fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from triage.compiled import Compiled, compile_walks
from triage.conditions import Answer
from triage.memo import once_per_object
from triage.rulebook import RESPONDENT, RESPONDENT_VOICES, RETIRED_ANSWERS, Level, Question, Rulebook, SignOff

__all__ = [
    "AnswerError",
    "Assessment",
    "FieldError",
    "Reason",
    "assess",
    "check_answers",
    "is_blank",
    "parse_answer",
    "unanswered",
]

_WHOLE_NUMBER = re.compile(r"^\s*[0-9]{1,4}\s*$")
# Answers that are not questions of the rule book: who is answering, and answers of earlier
# contract versions, which are accepted and ignored.
NOT_QUESTIONS = frozenset({RESPONDENT, *RETIRED_ANSWERS})
RESPONDENT_MESSAGE = f"Say who is answering: {' or '.join(RESPONDENT_VOICES)}."


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str  # required | invalid_choice | not_a_whole_number | out_of_range | unknown_question
    message: str


class AnswerError(ValueError):
    def __init__(self, errors: tuple[FieldError, ...]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))

    def to_dict(self) -> dict[str, Any]:
        return {"errors": [{"field": e.field, "code": e.code, "message": e.message} for e in self.errors]}


class Reason(NamedTuple):
    """Why the level was reached: one rule that fired. (A named tuple: made for each rule that fires
    on every assessment, several times faster than a frozen dataclass.)"""

    rule: str
    level: str
    text: str
    advice: str | None
    source: tuple[str, ...]
    say: str = ""  # what the person can say when they call, in their own words
    contacts: tuple[str, ...] = ()  # services to list because this rule fired (such as a crisis line)


class Assessment(NamedTuple):
    """What the answers call for. (A named tuple, as `Reason`: made on every assessment, and
    several times quicker to make than a frozen dataclass.)"""

    level: Level
    reasons: tuple[Reason, ...]  # most urgent first
    answers: Mapping[str, Answer]  # only the questions that were asked, checked and normalised
    complete: bool  # False when an emergency answer ended the questionnaire early
    disclaimer: str
    rulebook_title: str
    rulebook_version: str
    sign_off: SignOff  # whether a clinician signed the rule book; results say so while it is a draft
    respondent: str = "self"  # who answered: the words above are in their voice
    extra_contacts: tuple[str, ...] = ()  # services the reasons add to the level's (see `contacts`)
    clinic_closed: bool = False  # assessed outside the clinic's hours: the level's after-hours words

    @property
    def contacts(self) -> tuple[str, ...]:
        """The services to list with the result: the level's, then those the reasons add."""
        return self.level.contacts + tuple(c for c in self.extra_contacts if c not in self.level.contacts)

    @property
    def action(self) -> str:
        return self.level.action

    @property
    def timeframe(self) -> str:
        return self.level.timeframe

    @property
    def safety_net(self) -> str:
        return self.level.safety_net

    def to_dict(self) -> dict[str, Any]:
        """The assessment as JSON-ready data: the shape the command line and the API print."""
        return {
            "respondent": self.respondent,
            "level": self.level.id,
            **level_words(self.level),
            "clinic_closed": self.clinic_closed,
            "reasons": [
                {"rule": rule, "level": at, "text": text, "advice": advice, "say": say, "source": list(source)}
                for rule, at, text, advice, source, say, _ in self.reasons
            ],
            "complete": self.complete,
            "answers": {qid: sorted(v) if v.__class__ is frozenset else v for qid, v in self.answers.items()},
            "disclaimer": self.disclaimer,
            "rulebook": rulebook_info(self.rulebook_title, self.rulebook_version, self.sign_off),
        }


@dataclass(frozen=True)
class _Plan:
    """A rule book as `assess` walks it, worked out once per rule book (and voice): its walks
    compiled (`triage.compiled`), each rule with the reason it gives."""

    walks: Compiled
    names: frozenset[str]  # what answers may name: the questions, and what is accepted and ignored


@once_per_object
def _plan(rulebook: Rulebook) -> _Plan:
    reasons = tuple(
        (rule, Reason(rule.id, rule.level.id, rule.reason, rule.advice, rule.source, rule.say, rule.contacts))
        for rule in rulebook.rules
    )
    return _Plan(
        walks=compile_walks(rulebook.questions, reasons, _parse_given),
        names=frozenset(rulebook.question_by_id) | NOT_QUESTIONS,
    )


def _parse_given(question: Question, raw: object, errors: list[FieldError]) -> Answer | None:
    """One answer given (not None), normalised; None when it is blank, or wrong (its error added)."""
    if is_blank(question, raw):
        return None
    value, error = parse_answer(question, raw)
    if error is not None:
        errors.append(error)
    return value


def assess(rulebook: Rulebook, answers: Mapping[str, object], *, after_hours: bool = False) -> Assessment:
    """Assess answers against the rule book; raise AnswerError listing every field problem.

    The words are those of the rule book given, or, when the answers say who is answering
    (`respondent`), of that person's voice. Who is answering never changes the level, nor does the
    time (`after_hours` chooses the level's words for when the clinic is closed, where it has some).
    """
    respondent = answers.get(RESPONDENT, "self")
    voice = RESPONDENT_VOICES.get(respondent) if isinstance(respondent, str) else None
    if voice is None:
        bad = FieldError(RESPONDENT, "invalid_choice", RESPONDENT_MESSAGE)
        raise AnswerError(_in_question_order(rulebook, (bad, *check_answers(rulebook, answers)[1])))
    if RESPONDENT in answers:
        rulebook = rulebook.in_voice(voice)
    walks = _plan(rulebook).walks
    clean, errors = check_answers(rulebook, answers)
    fired = walks.fire(clean)  # most urgent first, rule-book order within a level
    missing = walks.missing(clean, {error.field for error in errors})
    # An emergency answer ends the questionnaire: nothing asked later can raise the level further,
    # so unanswered questions are not an error then.
    if not (fired and fired[0][0].level.id == rulebook.top_level.id):
        errors = errors + tuple(FieldError(q.id, "required", q.error) for q in missing)
    if errors:
        raise AnswerError(_in_question_order(rulebook, errors))
    # The words: of the audience's variant, and for outside the clinic's hours when `after_hours`
    # (the caller knows the time; the level never depends on it).
    level = (fired[0][0].level if fired else rulebook.lowest_level).for_answers(clean).at(after_hours)
    meta = rulebook.meta
    extra: list[str] = []
    for rule, _ in fired:
        extra += [c for c in rule.contacts if c not in extra]
    return Assessment(
        level=level,
        reasons=tuple([reason for _, reason in fired]),
        answers=MappingProxyType(clean),
        complete=not missing,
        disclaimer=meta.disclaimer,
        rulebook_title=meta.title,
        rulebook_version=meta.version,
        sign_off=rulebook.sign_off,
        respondent=str(respondent),
        extra_contacts=tuple(extra),
        clinic_closed=after_hours,
    )


def unanswered(rulebook: Rulebook, answers: Mapping[str, Answer]) -> list[Question]:
    """The required questions asked on these (checked) answers, in this voice, that have no answer
    yet: in the rule book's order, which is the order of its sections."""
    return _plan(rulebook).walks.missing(answers, _NONE_REFUSED)


_NONE_REFUSED: frozenset[str] = frozenset()


@once_per_object
def level_words(level: Level) -> dict[str, str]:
    """A level's words as the API and the command line give them (kept: copy it to change it)."""
    return {
        "title": level.title,
        "action": level.action,
        "timeframe": level.timeframe,
        "message": level.visitor,
        "staff_script": level.staff_script,
        "safety_net": level.safety_net,
        "where": level.where,
    }


def rulebook_info(title: str, version: str, sign_off: SignOff) -> dict[str, Any]:
    """The rule book an answer came from, and whether a clinician signed it (the API's shape)."""
    signature = sign_off.signature if sign_off.signed else None
    return {
        "title": title,
        "version": version,
        "status": sign_off.status,
        "signed_by": signature.by if signature else None,
        "signed_on": signature.on if signature else None,
        "notice": sign_off.notice,
    }


def check_answers(
    rulebook: Rulebook, answers: Mapping[str, object]
) -> tuple[dict[str, Answer], tuple[FieldError, ...]]:
    """Normalise the answers to the questions that apply, and list what is wrong with them.

    Every answer given must be valid for its question. A valid answer to a question that is not
    asked (a follow-up whose condition is false, or a question not asked in this voice) is dropped.
    Missing answers are not errors here: whether they are depends on the whole assessment (see
    `assess`).
    """
    plan = _plan(rulebook)
    known = rulebook.question_by_id
    errors: list[FieldError] = []
    if not answers.keys() <= plan.names:
        message = rulebook.meta.messages["unknown_question"]
        errors = [
            FieldError(str(key), "unknown_question", message)
            for key in answers
            if key not in known and key not in NOT_QUESTIONS
        ]
    clean, wrong = plan.walks.check(answers)
    return clean, tuple(errors + wrong)


def is_blank(question: Question, raw: object) -> bool:
    """No answer: null; for a number, an empty or all-space string; for multiple choice, an empty list."""
    if question.kind == "number":
        return raw is None or (isinstance(raw, str) and not raw.strip())
    if question.kind == "multi":
        return raw is None or raw == []
    return raw is None


def parse_answer(question: Question, raw: object) -> tuple[Answer | None, FieldError | None]:
    """One answer, checked and normalised, or the error to show for it. `raw` must not be empty."""
    if question.kind == "number":
        if isinstance(raw, bool) or not (isinstance(raw, int) or (isinstance(raw, str) and _WHOLE_NUMBER.match(raw))):
            return None, FieldError(question.id, "not_a_whole_number", question.error)
        number = int(raw)
        low, high = question.minimum, question.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            return None, FieldError(question.id, "out_of_range", question.range_error or question.error)
        return number, None
    if question.kind == "multi":
        if isinstance(raw, frozenset | set):
            raw = sorted(raw)
        chosen = list(raw) if isinstance(raw, list | tuple) else None
        if chosen is None or not all(isinstance(v, str) and v in question.values for v in chosen):
            return None, FieldError(question.id, "invalid_choice", question.error)
        if len(set(chosen)) != len(chosen):
            return None, FieldError(question.id, "invalid_choice", question.error)
        return frozenset(chosen), None
    if not isinstance(raw, str) or raw not in question.values:
        return None, FieldError(question.id, "invalid_choice", question.error)
    return raw, None


def _in_question_order(rulebook: Rulebook, errors: tuple[FieldError, ...]) -> tuple[FieldError, ...]:
    order = {q.id: i for i, q in enumerate(rulebook.questions)}
    return tuple(sorted(errors, key=lambda e: order.get(e.field, len(order))))
