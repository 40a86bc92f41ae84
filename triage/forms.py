"""WTForms classes built from the rule book: one class per section, built once and never changed.

Each answer is checked by the engine's own `parse_answer`, so the web form and the engine can never
disagree on what a valid answer is, and the messages come from the rule book.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar

from flask import abort, current_app, request, session
from flask.sessions import SessionMixin
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import Field, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from triage.conditions import Answer
from triage.engine import is_blank, parse_answer
from triage.journey import emergency, is_asked
from triage.rulebook import RESPONDENT_VOICES, Question, Rulebook, Section


class AnswerCheck:
    """Validator: the answer is present when required, and valid for its question."""

    def __init__(self, question: Question) -> None:
        self.question = question

    def __call__(self, form: SectionForm, field: Field) -> None:
        raw = field.data
        if is_blank(self.question, raw):
            if self.question.required:
                form.missing.add(self.question.id)
                raise StopValidation(self.question.error)
            return
        value, error = parse_answer(self.question, raw)
        if error is not None:
            if error.code == "invalid_choice":
                form.tampered = True  # the page only offers valid options
            raise StopValidation(error.message)
        form.answers[self.question.id] = value  # type: ignore[assignment]


class SectionForm(FlaskForm):
    """A section page. Only the questions that apply, given the answers so far, are validated."""

    section: ClassVar[Section]

    def __init__(self, *args: Any, earlier: Mapping[str, Answer] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.earlier: Mapping[str, Answer] = earlier or {}
        self.answers: dict[str, Answer] = {}
        self.missing: set[str] = set()
        self.conflicts: set[str] = set()  # lists with "none of these" and an item both ticked
        self.tampered = False
        self.unknown = False

    @property
    def csrf_failed(self) -> bool:
        return bool(self.meta.csrf and self[self.meta.csrf_field_name].errors)

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        self.answers, self.missing, self.tampered, self.conflicts = {}, set(), False, set()
        valid = True
        if self.meta.csrf:
            valid = self[self.meta.csrf_field_name].validate(self)
        group_errors = self.read_groups()
        for question in self.section.questions:
            field = self[question.id]
            if question.id in group_errors:
                message = group_errors[question.id]
                field.errors = [message] if message else []
                if self.section.group_of[question.id].id not in self.conflicts:
                    self.missing.add(question.id)
                valid = False
            elif is_asked(question, {**self.earlier, **self.answers}):
                valid = field.validate(self) and valid
            else:
                field.errors = []
        return valid

    def read_groups(self) -> dict[str, str | None]:
        """Turn each "do any of these apply?" list into its questions' answers: a ticked item is
        yes, the others no, once anything (or "none of these") is ticked. A list left blank gets
        its message on its first question (where the page shows it) and none on the others; one
        with "none of these" and an item both ticked is asked again."""
        problems: dict[str, str | None] = {}
        given = {**self.earlier, **self.given_choices()}
        for group in self.section.groups:
            if group.ask_when is not None and not group.ask_when.holds(given):
                continue  # not asked (on the call screen: a list only for people already diagnosed)
            members = [self[qid] for qid in group.questions]
            none = self[group.id].data == NONE
            ticked = any(field.data == "yes" for field in members)
            if none and ticked:
                conflict = f"Check “{group.none}”, or the ones that apply, but not both"
                problems |= {qid: None for qid in group.questions} | {group.questions[0]: conflict}
                self.conflicts.add(group.id)
                continue
            if none or ticked:
                for field in members:
                    if field.data in (None, ""):
                        field.data = "no"
            elif any(field.data in (None, "") for field in members):  # (a post may answer each, as the API does)
                problems |= {qid: None for qid in group.questions} | {group.questions[0]: group.error}
        return problems

    def given_choices(self) -> dict[str, Answer]:
        """The single-choice answers posted on this page, as they are (what a list's ask_when reads)."""
        found: dict[str, Answer] = {}
        for question in self.section.questions:
            data = self[question.id].data
            if isinstance(data, str) and data in question.choices:
                found[question.id] = data
        return found

    def accepted(self, rulebook: Rulebook) -> bool:
        """Validate a posted page. An emergency answer is accepted even with questions unanswered:
        it ends the questionnaire, so nothing else needs asking. Unknown fields are refused (the
        body is a plain form: `refuse_other_bodies` has turned anything else away)."""
        self.unknown = bool(set(request.form) - set(self._fields)) or self.repeated()
        valid = self.validate()
        if not valid and self.only_missing and emergency(rulebook, {**self.earlier, **self.answers}):
            valid = True
        return valid and not self.unknown

    def repeated(self) -> bool:
        """A field sent twice where it takes one answer (or one option twice): which was meant cannot
        be told, so the page is asked again rather than one of them kept."""
        multi = {q.id for q in self.section.questions if q.kind == "multi"}
        for name in request.form:
            values = request.form.getlist(name)
            if len(values) > 1 and (name not in multi or len(set(values)) != len(values)):
                return True
        return False

    @property
    def error_status(self) -> int:
        """400 when the page was tampered with or expired; 200 when something is just unanswered."""
        return 400 if (self.tampered or self.unknown or self.csrf_failed) else 200

    @property
    def values(self) -> dict[str, Any]:
        """Each answer as the page shows it again."""
        return {q.id: self[q.id].data for q in self.section.questions}

    @property
    def messages(self) -> dict[str, str]:
        """The message to show next to each question with a problem."""
        return {q.id: str(self[q.id].errors[0]) for q in self.section.questions if self[q.id].errors}

    @property
    def only_missing(self) -> bool:
        """The only problems are unanswered questions (nothing invalid, no expired page)."""
        failed = {q.id for q in self.section.questions if self[q.id].errors}
        return not self.csrf_failed and failed <= self.missing


def build_forms(rulebook: Rulebook) -> Mapping[str, Mapping[str, type[SectionForm]]]:
    """A form class for each section, by voice (its messages are in that voice) and section id."""
    return {
        voice: {section.id: build_form(section) for section in rulebook.in_voice(voice).sections}
        for voice in RESPONDENT_VOICES.values()
    }


NONE = "none"  # the value of a "none of these" box


def build_form(section: Section) -> type[SectionForm]:
    fields: dict[str, Field] = {question.id: _field(question) for question in section.questions}
    fields |= {group.id: StringField(group.none) for group in section.groups}  # "none of these"
    name = "".join(part.title() for part in section.id.split("_")) + "Form"
    return type(name, (SectionForm,), {"section": section, **fields})


def _field(question: Question) -> Field:
    choices = [SelectChoice(option.value, option.label) for option in question.options]
    check = [AnswerCheck(question)]
    if question.kind == "multi":
        return SelectMultipleField(question.text, choices=choices, validators=check, validate_choice=False)
    if question.kind == "number":
        return StringField(question.text, validators=check)
    return RadioField(question.text, choices=choices, validators=check, validate_choice=False)


def stored_values(question: Question, answers: Mapping[str, Answer]) -> Any:
    """A stored answer as the form field holds it."""
    value = answers.get(question.id)
    if isinstance(value, frozenset):
        return [v for v in question.values if v in value]
    return value


FORM_BODY = "application/x-www-form-urlencoded"


def refuse_other_bodies() -> None:
    """Before a form post: the pages only ever send a plain form, so a body of any other kind (JSON,
    multipart with files, or text with no type) is refused with 400 before a form reads it."""
    if request.method != "POST":
        return
    if request.mimetype == FORM_BODY or (not request.mimetype and not request.content_length):
        return
    abort(400)


def csrf_input() -> Markup:
    """The hidden CSRF field every form on the pages posts (what `form.hidden_tag()` writes, without
    building a form for it). Empty when CSRF checks are off, as in some tests."""
    config = current_app.config
    if not config.get("WTF_CSRF_ENABLED", True):
        return Markup("")
    token = page_csrf_token(session, config.get("WTF_CSRF_TIME_LIMIT", 3600))
    return Markup("".join((_BEFORE_TOKEN, escape(token), _AFTER_TOKEN)))


_BEFORE_TOKEN = '<input id="csrf_token" name="csrf_token" type="hidden" value="'
_AFTER_TOKEN = '">'
KEPT_TOKEN = "csrf_signed"


def page_csrf_token(session: SessionMixin, limit: int | None) -> str:
    """Flask-WTF's signed CSRF token for this visitor's forms.

    Signing a token costs more than the rest of a question page, and a signed token stays valid for
    WTF_CSRF_TIME_LIMIT (`limit`), so the one made is kept in the session (the visitor's own cookie,
    which already holds the raw token it signs) and reused until half that time has passed: every
    page still carries a token with at least half the time limit left.
    """
    get = session.get  # (looked up once: `session` is a proxy, and each use of one looks it up)
    kept = get(KEPT_TOKEN)
    now = int(time.time())
    if (
        get("csrf_token") is not None
        and isinstance(kept, list)
        and len(kept) == 2
        and isinstance(kept[0], int)
        and (limit is None or 0 <= now - kept[0] < limit // 2)
    ):
        return str(kept[1])
    token: str = generate_csrf()
    session[KEPT_TOKEN] = [now, token]
    return token
