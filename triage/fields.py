"""Question fields, reasons, what to say and the answers' list as HTML, from the macros in
macros.html, rendered once where they can be (see `triage.pages`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from itertools import combinations
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from triage import journey
from triage.engine import Reason
from triage.rulebook import Question, Rulebook
from triage.skeleton import around

MULTI_KEPT_UP_TO = 8  # options in a "choose all that apply" question: 2**8 variants at most


class Fields:
    """Question fields, reasons and what to say as HTML, from the macros in macros.html.

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
        self._group: Callable[..., Markup] = macros.group_field  # type: ignore[attr-defined]
        self._say_section: Callable[..., Markup] = macros.say_section  # type: ignore[attr-defined]
        self._voice = rulebook.voice
        self._number = rulebook.meta.emergency_number
        self._questions = rulebook.question_by_id
        self._group_of = {qid: group for group in rulebook.groups for qid in group.questions}
        self._groups: dict[Hashable, Markup] = {}  # lists of questions asked together, kept as first shown
        self._kept: dict[Hashable, Markup] = {}
        self._reasons: dict[str, Markup] = {}
        self._says: dict[str, Markup] = {}
        self._keep = keep
        # Call-screen fields with nothing answered, kept as first rendered: one per question (or
        # list) and fold, whatever anyone sends (a value or an error is never kept).
        self._blank_staff: dict[Hashable, Markup] = {}
        self._wrappers: dict[Hashable, tuple[str, str]] = {}  # the section around what is said
        if not keep:
            return
        for section in rulebook.sections:
            reveals = {q.id: r for q, r in journey.page_layout(rulebook, section, {})}
            for question in section.questions:
                reveal = reveals.get(question.id)
                folds = (True, False) if reveal is not None and reveal.values else (True,)
                for shown in folds:
                    for value in _answers_shown(question):
                        key = (question.id, reveal is not None, shown, field_key(question, value))
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
            kept = self._kept.get((question.id, reveal is not None, shown, field_key(question, value)))
            if kept is not None:
                return kept
        if staff and value is None and error in (None, question.error) and not autofocus:
            # A question not yet answered on the call screen, or left unanswered (its own message,
            # from the rule book): the same for every call, kept once asked for.
            blank = (question.id, reveal is not None, shown, error is not None)
            found = self._blank_staff.get(blank)
            if found is None:
                found = self._blank_staff[blank] = self._field(question, None, error, reveal, True, False, shown)
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
        answers = tuple([values.get(qid) for qid in group.questions])
        error = next((errors[qid] for qid in group.questions if errors.get(qid)), None) if errors else None
        plain = error is None and not staff and not autofocus
        if plain:
            for answer in answers:
                if answer is not None and answer != "yes" and answer != "no":
                    plain = False
                    break
        unfolded = shown(reveal, values)
        key = (group.id, answers, reveal is not None, unfolded)
        kept = self._groups.get(key) if plain else None
        if kept is not None:
            return kept
        blank = staff and error in (None, group.error) and not autofocus and all(a is None for a in answers)
        if blank and (key, error is not None) in self._blank_staff:
            return self._blank_staff[key, error is not None]
        members = [self._questions[qid] for qid in group.questions]
        ticked = {qid for qid, answer in zip(group.questions, answers, strict=True) if answer == "yes"}
        none = all(answer == "no" for answer in answers)
        html = self._group(group, members, ticked, none, error, staff, autofocus, reveal, unfolded)
        if plain and self._keep:
            self._groups[key] = html
        if blank:
            self._blank_staff[key, error is not None] = html
        return html

    def reason_items(self, reasons: Iterable[Reason]) -> Markup:
        """The list items for these reasons, from those rendered at start-up."""
        return Markup("".join([self._reasons.get(r.rule) or self._reason(r) for r in reasons]))

    def say_section(self, reasons: Iterable[Reason], urgent_now: bool) -> Markup:
        """What to say when calling, an item for each reason that has words for it (or nothing)."""
        items = "".join([self._says.get(r.rule) or self._say(r) for r in reasons if r.say])
        if not items:
            return Markup("")
        before, after = self._around(("say", urgent_now), self._say_section, urgent_now, self._voice, self._number)
        return Markup(before + items + after)

    def _around(self, key: Hashable, macro: Callable[..., Markup], *args: Any) -> tuple[str, str]:
        return around(self._wrappers, key, macro, *args)


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


def field_key(question: Question, value: Any) -> Hashable:
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
