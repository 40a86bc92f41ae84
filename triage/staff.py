"""Front-desk call mode (`/staff`): every question on one screen in the staff's words, in the rule
book's order, for screening a caller quickly. The result is a script to read back and a call summary
in plain text. Nothing is stored: the answers live only in the page.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template, request
from markupsafe import Markup

from triage import journey
from triage.engine import assess
from triage.forms import SectionForm, build_form, refuse_other_bodies
from triage.journey import Reveal
from triage.pages import Fields, made_now
from triage.rulebook import Question, Rulebook, Section

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(refuse_other_bodies)  # a form post's body is a plain form, or refused


STAFF = "staff"  # the voice of every text on the call screen


def init_app(app: Flask) -> None:
    book: Rulebook = app.extensions["triage"]["rulebook"].in_voice(STAFF)
    whole_call = Section("call", "Call screen", book.questions, groups=book.groups)
    app.extensions["triage"]["staff_form"] = build_form(whole_call)
    app.register_blueprint(bp)


@bp.route("", methods=["GET", "POST"])
def call() -> tuple[str, int] | str:
    book: Rulebook = current_app.extensions["triage"]["rulebook"].in_voice(STAFF)
    form: SectionForm = current_app.extensions["triage"]["staff_form"]()
    fields: Fields = current_app.extensions["triage"]["fields"][STAFF]
    status = 200
    if request.method == "POST":
        if form.accepted(book):
            assessment = assess(book, form.answers)
            summary = render_template(
                "staff_summary.txt",
                book=book,
                assessment=assessment,
                made=made_now(),
                questions=book.questions,
            )
            items = fields.reason_items(assessment.reasons)
            return render_template(
                "staff_result.html", book=book, assessment=assessment, summary=summary, reason_items=items
            )
        status = form.error_status
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
        errors=errors,
        csrf_failed=form.csrf_failed,
        unknown_fields=form.unknown,
    ), status
