"""`triage report`: one self-contained HTML document for the clinical lead who signs the rule book.

It says whether the rule book is signed; shows every level's texts and every question in every
voice, with when it is asked, in words; every rule as a sentence with its source; the policy table
with whether each row is proved; the red-flag inventory traced to the source document and to the
rules; every rule case of the test suite; and the reading grade of every text. Nothing is loaded
from anywhere else: the styles are in the page, and it prints cleanly to PDF.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import textstat
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from triage.analysis import Report, verify
from triage.cases import CaseFileError, load_cases
from triage.conditions import All, Answered, AnyOf, Compare, Condition, Includes, Not, OneOf
from triage.engine import AnswerError, assess
from triage.rulebook import VOICES, Rulebook

if TYPE_CHECKING:
    from triage.diffing import Diff

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


def example_in_words(answers: Mapping[str, Any], books: Iterable[Rulebook]) -> str:
    """The answers of an example that report something, as staff read the questions and answers.
    A new answer that replaces an old one says which (the old rule book was given that one)."""
    staff = [book.in_voice("staff") for book in books]
    said = []
    for qid, value in answers.items():
        if value in ("no", "none"):
            continue
        question = next((b.question_by_id[qid] for b in reversed(staff) if qid in b.question_by_id), None)
        if question is None:
            continue
        earlier = staff[0].question_by_id.get(qid) if len(staff) > 1 else None
        labels = []
        for v in value if isinstance(value, list) else [value]:
            label = f"“{question.label(v)}”" if v in question.values else f"“{v}”"
            option = next((o for o in question.options if o.value == v), None)
            if earlier is not None and option is not None and v not in earlier.values and option.replaces:
                was = " or ".join(f"“{earlier.label(r)}”" for r in option.replaces if r in earlier.values)
                label += f" (before: {was})" if was else ""
            labels.append(label)
        said.append(f"“{question.text}” {', '.join(labels)}")
    return "; ".join(said) or "every answer no or none"


def policy_changes(old: Rulebook, new: Rulebook) -> list[tuple[str, str]]:
    """The rows of the clinical policy added, changed or removed since `old`, in words."""
    before = {row.id: row for row in old.policy.minimum_levels}
    after = {row.id: row for row in new.policy.minimum_levels}
    found = []
    for row_id, row in after.items():
        was = before.get(row_id)
        now = f"{row.says} → at least {row.at_least.id} (when {in_words(row.when, new)})"
        if was is None:
            found.append(("Added", now))
        elif (was.says, was.at_least.id, was.when) != (row.says, row.at_least.id, row.when):
            found.append(("Changed", f"{now}; was: {was.says} → at least {was.at_least.id}"))
    found += [("Removed", f"{row.says} → at least {row.at_least.id}") for i, row in before.items() if i not in after]
    return found


def render_report(
    book: Rulebook,
    proof: Report,
    cases: Iterable[CaseResult],
    now: datetime.datetime,
    since: Diff | None = None,
    appendix: bool = True,
    translations: Mapping[str, Rulebook] | None = None,
) -> str:
    """The report; `translations` (the rule book in each other language its signature covers) adds
    their texts to the appendix, voice by voice, beside the English."""
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
        voices=[(voice, VOICE_NAMES[voice], book.in_voice(voice)) for voice in VOICES]
        + [
            (voice, f"{VOICE_NAMES[voice]}, {language}", translated.in_voice(voice))
            for language, translated in (translations or {}).items()
            for voice in VOICES
        ],
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
        appendix=appendix,
        **_since(book, since),
    )


def _since(book: Rulebook, since: Diff | None) -> dict[str, Any]:
    """What the report shows of the changes since an earlier rule book (nothing without one)."""
    if since is None:
        return {"since": None}
    rank = {level.id: level.rank for level in book.levels}
    moves = sorted(since.moved, key=lambda m: (-rank.get(m.old, 0), -rank.get(m.new, 0)))
    groups: dict[str, list[str]] = {}
    for heading, line in since.changes:
        groups.setdefault(heading, []).append(line.replace("`", ""))
    return {
        "since": since,
        "since_file": since.old.file,
        "moves": moves,
        "moved_total": sum(m.count for m in since.moved),
        "rank": rank,
        "example_in_words": lambda answers: example_in_words(answers, (since.old, book)),
        "policy_changes": policy_changes(since.old, book),
        "change_groups": list(groups.items()),
    }


def write_report(
    book: Rulebook,
    out: Path,
    cases_folder: Path | None,
    now: datetime.datetime | None = None,
    since: Rulebook | None = None,
    appendix: bool = True,
    translations: Mapping[str, Rulebook] | None = None,
    translated_changes: tuple[tuple[str, str], ...] = (),
) -> Report:
    """Write the report; with `since` (the rule book last signed), it opens with what changed."""
    from triage.diffing import diff  # the decision-diagram library, only for a report since a version

    proof = verify(book)
    cases = read_cases(cases_folder, book)
    changes = diff(since, book) if since is not None else None
    if changes is not None:
        changes = dataclasses.replace(changes, changes=changes.changes + translated_changes)
    when = now or datetime.datetime.now().astimezone()
    out.write_text(render_report(book, proof, cases, when, changes, appendix, translations), encoding="utf-8")
    return proof


def _packaged() -> bool:
    return Path(__file__).with_name("templates").is_dir()


def _templates() -> Path:
    return Path(__file__).resolve().parent.parent / "templates"
