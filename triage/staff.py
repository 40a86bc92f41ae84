"""Front-desk call mode (`/staff`): every question on one screen in the staff's words, in the rule
book's order, for screening a caller quickly. The result is a script to read back and a call summary
in plain text. Nothing is stored: the answers live only in the page.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, current_app, render_template, request

from triage import journey
from triage.engine import assess
from triage.forms import SectionForm, build_form
from triage.rulebook import Rulebook, Section

bp = Blueprint("staff", __name__, url_prefix="/staff")


def init_app(app: Flask) -> None:
    book: Rulebook = app.extensions["triage"]["rulebook"]
    whole_call = Section("call", "Call screen", book.questions)
    app.extensions["triage"]["staff_form"] = build_form(whole_call)
    app.register_blueprint(bp)


@bp.route("", methods=["GET", "POST"])
def call() -> tuple[str, int] | str:
    book: Rulebook = current_app.extensions["triage"]["rulebook"]
    form: SectionForm = current_app.extensions["triage"]["staff_form"]()
    status = 200
    if request.method == "POST":
        if form.accepted(book, request.form):
            assessment = assess(book, form.answers)
            summary = render_template(
                "staff_summary.txt", assessment=assessment, now=datetime.now().astimezone(), questions=book.questions
            )
            return render_template("staff_result.html", assessment=assessment, summary=summary)
        status = form.error_status
    layouts = [(section, journey.page_layout(book, section, {})) for section in book.sections]
    return render_template("staff.html", form=form, layouts=layouts, unknown_fields=form.unknown), status
