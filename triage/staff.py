"""Front-desk call mode (`/staff`): every question on one screen in the staff's words, in the rule
book's order, for screening a caller quickly. The result is a script to read back and a call summary
in plain text. Nothing is stored: the answers live only in the page.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from flask import Blueprint, Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import Length, Optional

from triage import dates, journey, languages
from triage.clock import after_hours, this_minute
from triage.engine import Assessment, assess
from triage.fhir import Systems, response_from_answers, result_bundle
from triage.fields import Fields
from triage.forms import SectionForm, build_form, csrf_input, refuse_other_bodies
from triage.i18n import bundle_words
from triage.journey import Reveal
from triage.rulebook import Question, Rulebook, Section
from triage.skeleton import Skeleton, hole

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(refuse_other_bodies)  # a form post's body is a plain form, or refused


STAFF = "staff"  # the voice of every text on the call screen


# About the call, for the booking or record system: optional, typed into the page, put into the
# call summary and nowhere else (never stored, never logged). Name, label, longest length.
# (The labels are gettext's lazy strings: in the language of the request that shows them.)
CALLER_FIELDS = (
    ("caller_name", _l("Caller's name"), 100),
    ("caller_phone", _l("Callback number"), 40),
    ("caller_relationship", _l("Who they are to the person (for example: the person, partner, daughter)"), 60),
    ("caller_words", _l("The caller's own words about the problem"), 1000),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class CallForm(SectionForm):
    """The whole call: every question, and the optional fields about the call (their text only
    checked for length; control characters are dropped)."""

    def caller_errors(self) -> dict[str, str]:
        """A field about the call that is too long (the questions' own errors are the form's)."""
        found = {}
        for name, _label, _most in CALLER_FIELDS:
            field = self[name]
            if not field.validate(self):
                found[name] = str(field.errors[0])
        return found

    def caller(self) -> dict[str, str]:
        """What was typed about the call, by field: control characters dropped, and on one line
        but for the caller's own words."""
        found = {}
        for name, _label, _most in CALLER_FIELDS:
            value = self[name].data if isinstance(self[name].data, str) else ""
            text = _CONTROL.sub("", value)
            text = text.strip() if name == "caller_words" else " ".join(text.split())
            if text:
                found[name] = text
        return found


def call_bundle(book: Rulebook, assessment: Assessment) -> dict[str, Any]:
    """The call as the FHIR Bundle `$assess` gives for the same answers (for a record system)."""
    systems = Systems(request.url_root)
    now = dates.utc_now().isoformat(timespec="seconds")
    response = response_from_answers(book, systems, assessment.answers, now)
    return result_bundle(book, systems, response, assessment, now, words=bundle_words())


def init_app(app: Flask) -> None:
    fields = {
        name: StringField(
            label,
            validators=[
                Optional(),
                Length(max=most, message=_l("%(label)s: at most %(most)d characters", label=label, most=most)),
            ],
        )
        for name, label, most in CALLER_FIELDS
    }
    forms = {}
    for language, rulebook in app.extensions["triage"]["rulebooks"].items():
        book: Rulebook = rulebook.in_voice(STAFF)
        questions = build_form(Section("call", "Call screen", book.questions, groups=book.groups))
        forms[language] = type("CallForm", (CallForm, questions), fields)
    app.extensions["triage"]["staff_form"] = forms
    app.register_blueprint(bp)


@bp.route("", methods=["GET", "POST"])
def call() -> tuple[str, int] | str | bytes:
    book: Rulebook = languages.rulebook().in_voice(STAFF)
    new_form: type[SectionForm] = current_app.extensions["triage"]["staff_form"][book.language]
    fields: Fields = current_app.extensions["triage"]["fields"][book.language, STAFF]
    if request.method == "POST":
        form = new_form()
        if form.accepted(book) and not form.caller_errors():
            assessment = assess(book, form.answers, after_hours=after_hours(book))
            summary = render_template(
                "staff_summary.txt",
                book=book,
                assessment=assessment,
                made=this_minute(book).made,
                questions=book.questions,
                caller=form.caller(),
                caller_labels={name: label for name, label, _ in CALLER_FIELDS},
            )
            items = fields.reason_items(assessment.reasons)
            bundle = call_bundle(book, assessment)
            return render_template(
                "staff_result.html",
                book=book,
                assessment=assessment,
                summary=summary,
                reason_items=items,
                bundle=orjson.dumps(bundle, option=orjson.OPT_INDENT_2).decode(),
                bundle_has_request=any(e["resource"]["resourceType"] == "ServiceRequest" for e in bundle["entry"]),
            )
        return call_screen(book, form, fields), form.error_status
    if request.script_root == languages.own_root(current_app.config["APPLICATION_ROOT"], book.language) and (
        not request.args
    ):
        # A new call: the same screen for everyone but the CSRF token, rendered once per language
        # (at that language's own path) and filled in. It holds nothing of anyone's answers.
        kept: dict[str, Skeleton] = current_app.extensions["triage"].setdefault("staff_screens", {})
        screen = kept.get(book.language)
        if screen is None:
            screen = kept[book.language] = Skeleton.of(new_call_screen(book, new_form(), fields))
        return screen.fill({"csrf": csrf_input()})  # (the form, 40 fields, is not even built)
    return call_screen(book, new_form(), fields), 200


def new_call_screen(book: Rulebook, form: SectionForm, fields: Fields) -> str:
    """The call screen with nothing answered, a hole where its CSRF token goes."""
    return call_screen(book, form, fields, csrf_input=lambda: hole("csrf"))


def call_screen(book: Rulebook, form: SectionForm, fields: Fields, **extra: Any) -> str:
    """The call screen, showing the form's answers and the messages for them."""
    # The call is one page: every follow-up is under its trigger, wherever in the call that is.
    whole_call = Section("call", "Call screen", book.questions, groups=book.groups)
    reveals = {q.id: reveal for q, reveal in journey.page_layout(book, whole_call, {})}
    layouts = [
        (section, [(q, reveals[q.id]) for q in section.questions if q.id in reveals]) for section in book.sections
    ]
    values, errors = form.values, form.messages

    def field(question: Question, reveal: Reveal | None, autofocus: bool = False) -> Markup:
        return fields.field(question, reveal, values, errors, staff=True, autofocus=autofocus)

    return render_template(
        "staff.html",
        book=book,
        field=field,
        layouts=layouts,
        caller_fields=[form[name] for name, _, _ in CALLER_FIELDS],
        errors={**errors, **form.caller_errors()},
        csrf_failed=form.csrf_failed,
        unknown_fields=form.unknown,
        **extra,
    )
