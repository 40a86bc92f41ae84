"""The answers a result came from, section by section, as HTML: a row per answer (or per list
asked together), each section with a link to its page, kept per row for the app's own path."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from triage.fields import field_key
from triage.rulebook import Question, Rulebook, Section
from triage.skeleton import around, once


@dataclass(frozen=True)
class _ListAnswered:
    """A list of questions asked together, as the answers show it: one row, the items answered yes."""

    id: str
    group: Any
    items: tuple[tuple[str, str], ...]  # (question id, its words as an item)


# What the answers' list looks at, section by section: each question asked in the voice (its id;
# for an optional one, the condition it is asked on; its list, when it is the first of one asked
# together; its rows kept by answer), and a list asked together where its first question stands.
_Entry = tuple[str, bool, Any, "_ListAnswered | None", dict[str, Markup], Question]
_Summary = tuple[tuple[Section, tuple[_Entry, ...]], ...]


def _summary_plan(book: Rulebook) -> _Summary:
    plan = []
    for section in book.sections:
        entries: list[_Entry] = []
        for question in section.questions:
            group = section.group_of.get(question.id)
            if not question.in_voice or (group is not None and question.id != group.questions[0]):
                continue  # not asked in this voice, or shown with the first of its list
            listed = None
            if group is not None:
                items = tuple((q, book.question_by_id[q].item or "") for q in group.questions)
                listed = _ListAnswered(group.id, group, items)
            entries.append((question.id, question.required, question.ask_when, listed, {}, question))
        plan.append((section, tuple(entries)))
    return tuple(plan)


class AnswersList:
    """The answers' list of one rule book (language and voice), from the macros in macros.html."""

    def __init__(self, env: Environment, rulebook: Rulebook, keep: bool = True) -> None:
        macros = env.get_template("macros.html").module
        self._row: Callable[[Question, Any], Markup] = macros.answer_row  # type: ignore[attr-defined]
        self._group_row: Callable[..., Markup] = macros.group_answer_row  # type: ignore[attr-defined]
        self._heading: Callable[[Section], Markup] = macros.answers_heading  # type: ignore[attr-defined]
        self._answers_section: Callable[[Markup], Markup] = macros.answers_section  # type: ignore[attr-defined]
        self._rows: dict[Hashable, Markup] = {}  # answer rows, kept as first asked for
        self._headings: dict[Hashable, Markup] = {}  # the answers' section headings (they hold links)
        self._wrappers: dict[Hashable, tuple[str, str]] = {}  # the section around the rows
        self._keep = keep
        self._summary = _summary_plan(rulebook)

    def render(self, answers: Mapping[str, Any], root: str | None) -> Markup:
        """The answers of a result that was not cut short by an emergency (checked: only questions
        asked, and every required one asked answered), section by section, each section with a link
        to its page to change them. Rows and headings are kept for the one path the app is mounted
        at (`root`; None: keep none)."""
        keep = root is not None and self._keep
        get = answers.get
        parts: list[str] = []
        for section, entries in self._summary:
            rows = []
            for qid, required, ask_when, group, kept, question in entries:
                value = get(qid)
                # No answer: a required question was not asked; an optional one may have been.
                if value is None and (required or (ask_when is not None and not ask_when.holds(answers))):
                    continue
                if group is not None:  # a list asked together: one row, where its first question stands
                    ticked = tuple([item for qid, item in group.items if get(qid) == "yes"])
                    rows.append(once(self._rows, (group.id, ticked), keep, self._group_row, group.group, ticked))
                elif keep and value.__class__ is str:  # the common case: a choice, its row kept
                    html = kept.get(value)
                    if html is None:
                        html = kept[value] = self._row(question, value)
                    rows.append(html)
                else:
                    key = field_key(question, value)
                    shown = sorted(value) if isinstance(value, frozenset) else value
                    rows.append(once(self._rows, (qid, key), keep and key is not None, self._row, question, shown))
            if rows:
                heading = once(self._headings, section.id, keep, self._heading, section)
                parts.extend((heading, '<dl class="summary">', *rows, "</dl>\n"))
        if not parts:
            return Markup("")
        before, after = around(self._wrappers, "answers", self._answers_section)
        return Markup(before + "".join(parts) + after)
