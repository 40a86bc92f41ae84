"""`triage report`: one self-contained HTML document for the clinical lead who signs the rule book.

It says whether the rule book is signed; shows every level's texts and every question in every
voice, with when it is asked, in words; every rule as a sentence with its source; the policy table
with whether each row is proved; the red-flag inventory traced to the source document and to the
rules; every rule case of the test suite; and the reading grade of every text. Nothing is loaded
from anywhere else: the styles are in the page, and it prints cleanly to PDF.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import textstat
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from triage.analysis import Report, verify
from triage.cases import CaseFileError, load_cases
from triage.conditions import All, Answered, AnyOf, Compare, Condition, Includes, Not, OneOf
from triage.engine import AnswerError, assess
from triage.rulebook import VOICES, Rulebook

VOICE_NAMES = {"self": "To the person", "other": "To someone answering for them", "staff": "Staff on the phone"}
GRADE_LIMIT = 8


def in_words(condition: Condition, book: Rulebook) -> str:
    """A condition as a sentence, with the questions and answers as staff read them."""
    staff = book.in_voice("staff")
    if isinstance(condition, All | AnyOf):
        joiner = " and " if isinstance(condition, All) else " or "
        parts = [in_words(part, book) for part in condition.parts]
        return joiner.join(
            f"({p})" if isinstance(q, All | AnyOf) else p for p, q in zip(parts, condition.parts, strict=True)
        )
    if isinstance(condition, Not):
        return f"not ({in_words(condition.part, book)})"
    question = staff.question_by_id[getattr(condition, "question", "")]
    if isinstance(condition, OneOf):
        answers = " or ".join(f"“{question.label(v)}”" for v in question.values if v in condition.values)
        return f"“{question.text}” is {answers}"
    if isinstance(condition, Includes):
        return f"“{question.text}” includes “{question.label(condition.value)}”"
    if isinstance(condition, Compare):
        return f"“{question.text}” is {condition.test.replace('_', ' ')} {condition.bound}"
    if isinstance(condition, Answered):
        return f"“{question.text}” is {'answered' if condition.expected else 'not answered'}"
    raise TypeError(f"not a condition: {condition!r}")


@dataclass(frozen=True)
class CaseResult:
    file: str
    name: str
    answers: Mapping[str, Any]
    expected: str
    got: str


def read_cases(folder: Path | None, book: Rulebook) -> list[CaseResult]:
    """The rule cases of the test suite (tests/cases/*.yaml), each with what the engine gives now."""
    if folder is None or not folder.is_dir():
        return []
    results = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            cases = load_cases(path)
        except CaseFileError:
            continue  # not a case file: the test suite says what is wrong with it
        for case in cases:
            refused = ", ".join(f"{k} {v}" for k, v in (case.errors or {}).items())
            try:
                got = assess(book, case.answers).level.id
            except AnswerError as error:
                got = "refused: " + ", ".join(f"{e.field} {e.code}" for e in error.errors)
            expected = case.level or f"refused: {refused}"
            results.append(CaseResult(path.name, case.name, case.given, expected, got))
    return results


def grades(book: Rulebook) -> list[tuple[str, str, str, float]]:
    """(voice, where, text, Flesch-Kincaid grade) of every text a person reads."""
    found = []
    for voice in VOICES:
        voiced = book.in_voice(voice)
        texts: list[tuple[str, str]] = [("disclaimer", voiced.meta.disclaimer)]
        for q in voiced.questions:
            texts += [(f"question {q.id}", q.text), (f"error {q.id}", q.error + ".")]
            if q.hint:
                texts.append((f"hint {q.id}", q.hint))
            if q.item:
                texts.append((f"list item {q.id}", q.item + "."))
        for group in voiced.groups:
            texts.append((f"list {group.id}", f"{group.text} {group.none}. {group.error}."))
        for level in voiced.levels:
            for index, words in enumerate((level, *(variant for _, variant in level.variants))):
                where = f"level {level.id}" + (f" (variant {index})" if index else "")
                texts += [(f"{where} action", words.action), (f"{where} message", words.visitor)]
                texts += [(f"{where} safety net", words.safety_net), (f"{where} where to go", words.where)]
        for rule in voiced.rules:
            texts.append((f"reason {rule.id}", rule.reason + (f" {rule.advice}" if rule.advice else "")))
            if rule.say:
                texts.append((f"what to say {rule.id}", rule.say))
        found += [(VOICE_NAMES[voice], where, text, textstat.flesch_kincaid_grade(text)) for where, text in texts]
    return found


def render_report(book: Rulebook, proof: Report, cases: Iterable[CaseResult], now: datetime.datetime) -> str:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates") if _packaged() else _templates()),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    checks = {check.name: check for check in proof.checks}
    cases = list(cases)
    graded = grades(book)
    return env.get_template("report.html").render(
        book=book,
        voices=[(voice, VOICE_NAMES[voice], book.in_voice(voice)) for voice in VOICES],
        proof=proof,
        checks=checks,
        cases=cases,
        mismatched=[case for case in cases if case.expected != case.got],
        grades=graded,
        over_limit=[g for g in graded if g[3] > GRADE_LIMIT],
        grade_limit=GRADE_LIMIT,
        in_words=lambda condition: in_words(condition, book),
        rules_by_id={rule.id: rule for rule in book.rules},
        now=now,
    )


def write_report(book: Rulebook, out: Path, cases_folder: Path | None, now: datetime.datetime | None = None) -> Report:
    proof = verify(book)
    cases = read_cases(cases_folder, book)
    out.write_text(render_report(book, proof, cases, now or datetime.datetime.now().astimezone()), encoding="utf-8")
    return proof


def _packaged() -> bool:
    return Path(__file__).with_name("templates").is_dir()


def _templates() -> Path:
    return Path(__file__).resolve().parent.parent / "templates"
