"""Question fields, reasons, what to say and the answers' list as HTML, from the macros in
macros.html, rendered once where they can be (see `triage.pages`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from triage import journey
from triage.engine import Reason
from triage.rulebook import Question, Rulebook, Section
from triage.skeleton import Skeleton, hole

MULTI_KEPT_UP_TO = 8  # options in a "choose all that apply" question: 2**8 variants at most


@dataclass(frozen=True)
class _ListAnswered:
    """A list of questions asked together, as the answers show it: one row, the items answered yes."""

    id: str
    group: Any
    items: tuple[tuple[str, str], ...]  # (question id, its words as an item)


# What the answers' list looks at, section by section: each question asked in the voice, with
# the condition it is asked on, and a list asked together where its first question stands.
_Summary = tuple[tuple[Section, tuple[tuple[Question, Any, _ListAnswered | None], ...]], ...]


def _summary_plan(book: Rulebook) -> _Summary:
    plan = []
    for section in book.sections:
        entries = []
        for question in section.questions:
            group = section.group_of.get(question.id)
            if not question.in_voice or (group is not None and question.id != group.questions[0]):
                continue  # not asked in this voice, or shown with the first of its list
            listed = None
            if group is not None:
                items = tuple((q, book.question_by_id[q].item or "") for q in group.questions)
                listed = _ListAnswered(group.id, group, items)
            entries.append((question, question.ask_when, listed))
        plan.append((section, tuple(entries)))
    return tuple(plan)


class Fields:
    """Question fields and reasons as HTML, from the macros in macros.html.

    With `keep` (the default), every field a visitor's page can show without an error is rendered
    at start-up: each question, folded or not under its trigger, with each answer it can hold.
    Staff fields, fields with an error, number fields and answers no page offers are rendered when
    asked for.
    """

    def __init__(self, env: Environment, rulebook: Rulebook, keep: bool = True) -> None:
        macros = env.get_template("macros.html").module
        self._field: Callable[..., Markup] = macros.question_field  # type: ignore[attr-defined]
        self._reason: Callable[[Reason], Markup] = macros.reason_item  # type: ignore[attr-defined]
        self._say: Callable[[Reason], Markup] = macros.say_item  # type: ignore[attr-defined]
        self._row: Callable[[Question, Any], Markup] = macros.answer_row  # type: ignore[attr-defined]
        self._group_row: Callable[..., Markup] = macros.group_answer_row  # type: ignore[attr-defined]
        self._heading: Callable[[Section], Markup] = macros.answers_heading  # type: ignore[attr-defined]
        self._group: Callable[..., Markup] = macros.group_field  # type: ignore[attr-defined]
        self._say_section: Callable[..., Markup] = macros.say_section  # type: ignore[attr-defined]
        self._answers_section: Callable[[Markup], Markup] = macros.answers_section  # type: ignore[attr-defined]
        self._voice = rulebook.voice
        self._number = rulebook.meta.emergency_number
        self._questions = rulebook.question_by_id
        self._group_of = {qid: group for group in rulebook.groups for qid in group.questions}
        self._groups: dict[Hashable, Markup] = {}  # lists of questions asked together, kept as first shown
        self._kept: dict[Hashable, Markup] = {}
        self._reasons: dict[str, Markup] = {}
        self._says: dict[str, Markup] = {}
        self._rows: dict[Hashable, Markup] = {}  # answer rows, kept as first asked for
        self._headings: dict[Hashable, Markup] = {}  # the answers' section headings (they hold links)
        self._keep = keep
        self._summary = _summary_plan(rulebook)
        # Call-screen fields with nothing answered, kept as first rendered: one per question (or
        # list) and fold, whatever anyone sends (a value or an error is never kept).
        self._blank_staff: dict[Hashable, Markup] = {}
        self._wrappers: dict[Hashable, tuple[str, str]] = {}  # the sections around what is said and answered
        if not keep:
            return
        for section in rulebook.sections:
            reveals = {q.id: r for q, r in journey.page_layout(rulebook, section, {})}
            for question in section.questions:
                reveal = reveals.get(question.id)
                folds = (True, False) if reveal is not None and reveal.values else (True,)
                for shown in folds:
                    for value in _answers_shown(question):
                        key = (question.id, reveal is not None, shown, _key(question, value))
                        self._kept[key] = self._field(question, value, None, reveal, False, False, shown)
        reasons = [Reason(r.id, r.level.id, r.reason, r.advice, r.source, r.say, r.contacts) for r in rulebook.rules]
        self._reasons = {reason.rule: self._reason(reason) for reason in reasons}
        self._says = {reason.rule: self._say(reason) for reason in reasons}

    def html(
        self,
        question: Question,
        value: Any,
        error: str | None = None,
        reveal: journey.Reveal | None = None,
        shown: bool = True,
        staff: bool = False,
        autofocus: bool = False,
    ) -> Markup:
        """A question's field, from those rendered at start-up where it is one of them."""
        if error is None and not staff and not autofocus:
            kept = self._kept.get((question.id, reveal is not None, shown, _key(question, value)))
            if kept is not None:
                return kept
        if staff and value is None and error is None and not autofocus:
            # A question not yet answered on the call screen: the same for every call, kept once asked for.
            blank = (question.id, reveal is not None, shown)
            found = self._blank_staff.get(blank)
            if found is None:
                found = self._blank_staff[blank] = self._field(question, None, None, reveal, True, False, shown)
            return found
        return self._field(question, value, error, reveal, staff, autofocus, shown)

    def field(
        self,
        question: Question,
        reveal: journey.Reveal | None,
        values: Mapping[str, Any],
        errors: Mapping[str, str],
        staff: bool = False,
        autofocus: bool = False,
    ) -> Markup:
        """A question as its page shows it: its own field, or, for a question asked together with
        others, the whole list where the first of them stands (and nothing for the others)."""
        group = self._group_of.get(question.id)
        if group is None:
            value = values.get(question.id)
            return self.html(question, value, errors.get(question.id), reveal, shown(reveal, values), staff, autofocus)
        if question.id != group.questions[0]:
            return Markup("")
        answers = tuple(values.get(qid) for qid in group.questions)
        error = next((errors[qid] for qid in group.questions if errors.get(qid)), None)
        plain = error is None and not staff and not autofocus and all(a in (None, "yes", "no") for a in answers)
        unfolded = shown(reveal, values)
        key = (group.id, answers, reveal is not None, unfolded)
        kept = self._groups.get(key) if plain else None
        if kept is not None:
            return kept
        blank = staff and error is None and not autofocus and all(a is None for a in answers)
        if blank and (key, True) in self._blank_staff:
            return self._blank_staff[key, True]
        members = [self._questions[qid] for qid in group.questions]
        ticked = {qid for qid, answer in zip(group.questions, answers, strict=True) if answer == "yes"}
        none = all(answer == "no" for answer in answers)
        html = self._group(group, members, ticked, none, error, staff, autofocus, reveal, unfolded)
        if plain and self._keep:
            self._groups[key] = html
        if blank:
            self._blank_staff[key, True] = html
        return html

    def reason_items(self, reasons: Iterable[Reason]) -> Markup:
        """The list items for these reasons, from those rendered at start-up."""
        return Markup("".join(self._reasons.get(r.rule) or self._reason(r) for r in reasons))

    def say_section(self, reasons: Iterable[Reason], urgent_now: bool) -> Markup:
        """What to say when calling, an item for each reason that has words for it (or nothing)."""
        items = "".join(self._says.get(r.rule) or self._say(r) for r in reasons if r.say)
        if not items:
            return Markup("")
        before, after = self._around(("say", urgent_now), self._say_section, urgent_now, self._voice, self._number)
        return Markup(before + items + after)

    def answers(self, answers: Mapping[str, Any], root: str | None) -> Markup:
        """The answers given, section by section, each section with a link to its page to change
        them. Rows and headings are kept for the one path the app is mounted at (`root`; None:
        keep none)."""
        keep = root is not None and self._keep
        rows_kept = self._rows
        parts: list[str] = []
        for section, entries in self._summary:
            rows = []
            for question, ask_when, group in entries:
                if ask_when is not None and not ask_when.holds(answers):
                    continue
                if group is not None:  # a list asked together: one row, where its first question stands
                    ticked = tuple(item for qid, item in group.items if answers.get(qid) == "yes")
                    key: Hashable = (group.id, ticked)
                    rows.append(self._once(rows_kept, key, keep, self._group_row, group.group, ticked))
                    continue
                value = answers.get(question.id)
                if keep and value.__class__ is str:  # the common case: a choice, its row kept
                    html = rows_kept.get((question.id, ("value", value)))
                    if html is not None:
                        rows.append(html)
                        continue
                key = _key(question, value)
                shown = sorted(value) if isinstance(value, frozenset) else value
                rows.append(
                    self._once(rows_kept, (question.id, key), keep and key is not None, self._row, question, shown)
                )
            if rows:
                heading = self._once(self._headings, section.id, keep, self._heading, section)
                parts.extend((heading, '<dl class="summary">', *rows, "</dl>\n"))
        if not parts:
            return Markup("")
        before, after = self._around(("answers",), self._answers_section)
        return Markup(before + "".join(parts) + after)

    def _around(self, key: Hashable, macro: Callable[..., Markup], *args: Any) -> tuple[str, str]:
        """What `macro` puts before and after its contents (its first argument), rendered the first
        time it is asked for, in the language of that request (these Fields are for one language)."""
        found = self._wrappers.get(key)
        if found is None:
            split = Skeleton.of(macro(hole("contents"), *args))
            found = self._wrappers[key] = (str(split.parts[0]), str(split.parts[2]))  # (Markup + str escapes)
        return found

    @staticmethod
    def _once(
        kept: dict[Hashable, Markup], key: Hashable, keep: bool, render: Callable[..., Markup], *args: Any
    ) -> Markup:
        """`render(*args)`, or what it gave before for `key`; kept for next time when `keep`."""
        html = kept.get(key) if keep else None
        if html is None:
            html = render(*args)
            if keep:
                kept[key] = html
        return html


def shown(reveal: journey.Reveal | None, values: Mapping[str, Any]) -> bool:
    """Whether a follow-up starts unfolded: always, unless its trigger's answer does not reveal it."""
    return reveal is None or not reveal.values or values.get(reveal.trigger.id) in reveal.values


def _answers_shown(question: Question) -> list[Any]:
    """Every answer a page can show for a question that has options, as the page holds it."""
    if question.kind == "number":
        return []
    values = [option.value for option in question.options]
    if question.kind != "multi":
        return [None, *values]
    if len(values) > MULTI_KEPT_UP_TO:
        return []
    return [list(chosen) for size in range(len(values) + 1) for chosen in combinations(values, size)]


def _key(question: Question, value: Any) -> Hashable:
    """What of an answer changes its field's HTML; None when the field is never kept."""
    if question.kind == "multi":
        if value is None:
            return frozenset()
        if isinstance(value, list | tuple | frozenset) and all(isinstance(v, str) for v in value):
            return frozenset(value)
        return None
    if question.kind != "number" and (value is None or isinstance(value, str)):
        return ("value", value)
    return None
