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

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from babel.support import NullTranslations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from triage.analysis import Check, Report, verify
from triage.cases import CaseFileError, load_cases
from triage.conditions import OneOf
from triage.engine import AnswerError, assess
from triage.in_words import Gettext, as_written, example_in_words, in_words, policy_changes, voice_names
from triage.readability import FRENCH_EACH, GRADE, LONG_ENOUGH, Score, is_french, score
from triage.rulebook import VOICES, Rulebook

if TYPE_CHECKING:
    from triage.diffing import Diff


def statement(check: Check, book: Rulebook, gettext: Gettext = as_written) -> str:
    """What a proved statement says, in the report's language (the policy's own rows say it in
    the rule book's words)."""
    if check.kind == "emergency_alone":
        alone = OneOf(check.name.removesuffix("_alone"), frozenset({"yes"}))
        return gettext("%(condition)s, alone, reaches %(level)s") % {
            "condition": in_words(alone, book, gettext),
            "level": book.top_level.id,
        }
    if check.kind == "monotonic":
        return gettext("Adding a problem, or making one worse, never lowers the level")
    return check.says


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


def grades(book: Rulebook, gettext: Gettext = as_written) -> list[tuple[str, str, str, Score]]:
    """(voice, where, text, score) of every text a person reads, scored by the measure of the
    rule book's language (`triage.readability`)."""
    names = voice_names(gettext)
    found = []
    for voice in VOICES:
        voiced = book.in_voice(voice)
        texts: list[tuple[str, str]] = [(gettext("disclaimer"), voiced.meta.disclaimer)]
        for q in voiced.questions:
            texts += [
                (gettext("question %(id)s") % {"id": q.id}, q.text),
                (gettext("message if missing, %(id)s") % {"id": q.id}, q.error + "."),
            ]
            if q.hint:
                texts.append((gettext("hint %(id)s") % {"id": q.id}, q.hint))
            if q.item:
                texts.append((gettext("list item %(id)s") % {"id": q.id}, q.item + "."))
        for group in voiced.groups:
            texts.append((gettext("list %(id)s") % {"id": group.id}, f"{group.text} {group.none}. {group.error}."))
        for level in voiced.levels:
            for index, words in enumerate((level, *(variant for _, variant in level.variants))):
                where = gettext("level %(id)s") % {"id": level.id}
                if index:
                    where = gettext("level %(id)s (variant %(number)s)") % {"id": level.id, "number": index}
                texts += [
                    (gettext("%(where)s: what to do") % {"where": where}, words.action),
                    (gettext("%(where)s: message") % {"where": where}, words.visitor),
                    (gettext("%(where)s: safety net") % {"where": where}, words.safety_net),
                    (gettext("%(where)s: where to go") % {"where": where}, words.where),
                ]
        for rule in voiced.rules:
            reason = rule.reason + (f" {rule.advice}" if rule.advice else "")
            texts.append((gettext("reason %(id)s") % {"id": rule.id}, reason))
            if rule.say:
                texts.append((gettext("what to say, %(id)s") % {"id": rule.id}, rule.say))
        found += [(names[voice], where, text, score(text, book.language)) for where, text in texts]
    return found


def render_report(
    book: Rulebook,
    proof: Report,
    cases: Iterable[CaseResult],
    now: datetime.datetime,
    since: Diff | None = None,
    appendix: bool = True,
    translations: Mapping[str, Rulebook] | None = None,
    words: NullTranslations | None = None,
) -> str:
    """The report, in the language of `book` with the report's own words from `words` (the
    catalog of that language; None: English). `translations` (the rule book in each other language
    its signature covers) adds their texts to the appendix, voice by voice, beside the book's."""
    words = words or NullTranslations()
    gettext = words.gettext
    env = Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates") if _packaged() else _templates()),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(words, newstyle=True)  # type: ignore[attr-defined]
    where = Locale.parse(_LOCALES.get(book.language, book.language))
    env.filters["number"] = lambda value, pattern="#,##0": format_decimal(value, pattern, locale=where)
    checks = {check.name: check for check in proof.checks}
    cases = list(cases)
    graded = grades(book, gettext)
    names = voice_names(gettext)
    return env.get_template("report.html").render(
        book=book,
        html_lang=book.language.replace("_", "-"),
        voices=[(voice, names[voice], book.in_voice(voice)) for voice in VOICES]
        + [
            (voice, f"{names[voice]}, {language}", translated.in_voice(voice))
            for language, translated in (translations or {}).items()
            for voice in VOICES
        ],
        proof=proof,
        checks=checks,
        cases=cases,
        mismatched=[case for case in cases if case.expected != case.got],
        grades=graded,
        over_limit=[g for g in graded if not g[3].ok],
        french=is_french(book.language),
        grade_limit=GRADE,
        french_each=FRENCH_EACH,
        long_enough=LONG_ENOUGH,
        in_words=lambda condition: in_words(condition, book, gettext),
        statement=lambda check: statement(check, book, gettext),
        rules_by_id={rule.id: rule for rule in book.rules},
        made=f"{format_date(now, 'long', locale=where)}, {format_time(now, 'short', locale=where)} {now:%Z}".strip(),
        appendix=appendix,
        **_since(book, since, gettext),
    )


_LOCALES = {"en": "en_CA"}  # the rule book's own English is Canadian


def _since(book: Rulebook, since: Diff | None, gettext: Gettext) -> dict[str, Any]:
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
        "example_in_words": lambda answers: example_in_words(answers, (since.old, book), gettext),
        # (compared in the language both were written in, shown in the report's)
        "policy_changes": policy_changes(since.old, since.new, gettext, shown=book),
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
    words: NullTranslations | None = None,
    compared: Rulebook | None = None,
) -> Report:
    """Write the report; with `since` (the rule book last signed), it opens with what changed
    (between `since` and `compared`, the same rule book in the language `since` is in, when
    `book` is in another)."""
    from triage.diffing import changes as changes_in_words
    from triage.diffing import diff  # the decision-diagram library, only for a report since a version

    proof = verify(book)
    cases = read_cases(cases_folder, book)
    changes = diff(since, compared or book) if since is not None else None
    if changes is not None:
        found = changes.changes
        if compared is not None and compared.language != book.language:  # in the report's language
            gettext = (words or NullTranslations()).gettext
            found = tuple(changes_in_words(changes.old, changes.new, gettext, book))
        changes = dataclasses.replace(changes, changes=found + translated_changes)
    when = now or datetime.datetime.now().astimezone()
    out.write_text(render_report(book, proof, cases, when, changes, appendix, translations, words), encoding="utf-8")
    return proof


def _packaged() -> bool:
    return Path(__file__).with_name("templates").is_dir()


def _templates() -> Path:
    return Path(__file__).resolve().parent.parent / "templates"
