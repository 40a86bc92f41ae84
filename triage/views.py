"""The visitor's pages. Thin: build the form, validate, store the answers, redirect or render.

Answers live only in the person's own signed session cookie, which expires after a short idle
time and is cleared by "start again". They never go into a URL or a log line.

Pages without an error are served from skeletons (triage.pages): each is rendered here once, by
the same function that renders it in full, with holes for the answers and the CSRF token.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Mapping
from typing import Any, cast

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SessionMixin
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response

from triage import api, journey, pages
from triage.conditions import Answer
from triage.engine import AnswerError, Assessment, assess, check_answers
from triage.forms import SectionForm, csrf_input, stored_values
from triage.pages import Fields, Skeleton, Skeletons, hole
from triage.rulebook import Level, Question, Rulebook, Section
from triage.webapp import this_request

bp = Blueprint("visitor", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions["triage"]["fields"] = Fields(app.jinja_env, app.extensions["triage"]["rulebook"])
    app.extensions["triage"]["skeletons"] = Skeletons(app, build_skeletons)
    app.context_processor(lambda: {"book": rulebook()})
    for code in (400, 404, 405, 413, 429, 500):
        app.register_error_handler(code, error_page)


def retry_after() -> int | None:
    """Seconds until the rate limit that was hit lets this client in again."""
    current = current_app.extensions["triage"]["limiter"].current_limit
    return max(1, math.ceil(current.reset_at - time.time())) if current else None


def kept() -> dict[str, Any]:
    """What the app keeps for its pages: the rule book, forms, fields and skeletons. (The app
    itself, found once: each attribute used through Flask's `current_app` finds it again.)"""
    return cast(Any, current_app)._get_current_object().extensions["triage"]  # type: ignore[no-any-return]


def rulebook() -> Rulebook:
    return kept()["rulebook"]  # type: ignore[no-any-return]


def fields() -> Fields:
    return kept()["fields"]  # type: ignore[no-any-return]


def skeletons() -> Skeletons:
    return kept()["skeletons"]  # type: ignore[no-any-return]


def load_answers(visitor: SessionMixin | None = None) -> dict[str, Answer]:
    """The answers in the visitor's session (this request's, unless given), checked."""
    visitor = this_request().session if visitor is None else visitor
    clean, _ = check_answers(rulebook(), visitor.get("answers", {}))
    return clean


def save_answers(answers: Mapping[str, Answer]) -> None:
    session.permanent = True  # expires after the idle time, which restarts each time answers are saved
    session["answers"] = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in answers.items()}


def step_url(step: str) -> str:
    if step == journey.RESULT:
        return url_for("visitor.result")
    if step == journey.CHECK:
        return url_for("visitor.check")
    return url_for("visitor.section", section_id=step)


class StartAgainForm(FlaskForm):
    pass


@bp.get("/healthz")
def healthz() -> Response:
    """For load balancers and monitors: the app is up, with the rule book it runs."""
    meta = rulebook().meta
    return jsonify({"status": "ok", "rulebook": {"version": meta.version, "reviewed_on": meta.reviewed_on}})


@bp.get("/")
def start() -> str:
    has_answers = bool(session.get("answers"))
    skeleton = skeletons().get(("start", has_answers))
    return skeleton.fill({}) if skeleton else render_start(has_answers)


def render_start(has_answers: bool) -> str:
    return render_template("start.html", first_url=step_url(rulebook().sections[0].id), has_answers=has_answers)


@bp.route("/questions/<section_id>", methods=["GET", "POST"])
def section(section_id: str) -> Response | tuple[str, int] | str:
    ctx = this_request()
    book = rulebook()
    if section_id not in book.section_by_id:
        abort(404)
    page = book.section_by_id[section_id]
    answers = load_answers(ctx.session)
    if not journey.can_visit(book, page.id, answers):
        return out_of_order(answers)
    on_page = {q.id for q in page.questions}
    others = {k: v for k, v in answers.items() if k not in on_page}
    layout = journey.page_layout(book, page, others)

    if ctx.request.method == "POST":
        form_class: type[SectionForm] = kept()["forms"][page.id]
        form = form_class(earlier=others)
        if form.accepted(book, ctx.request.form):
            clean, _ = check_answers(book, {**others, **form.answers})
            save_answers(clean)
            return redirect(step_url(journey.next_step(book, clean)), code=303)
        page_html = render_section(page, layout, form.values, form.messages, form.csrf_failed, form.unknown)
        return page_html, form.error_status
    return section_page(page, layout, {q.id: stored_values(q, answers) for q in page.questions})


def section_page(page: Section, layout: journey.Layout, values: Mapping[str, Any], fast: bool = True) -> str:
    """A section page without errors: its skeleton filled in; or, with `fast` false (or no skeleton
    for it), rendered in full, fields and all."""
    skeleton = skeletons().get(("section", page.id, layout_key(layout))) if fast else None
    if skeleton is None:
        return render_section(page, layout, values, fresh=not fast)
    show = fields().html
    filled = {f"q:{q.id}": show(q, values.get(q.id), None, r, pages.shown(r, values)) for q, r in layout}
    return skeleton.fill({"csrf": csrf_input(), **filled})


def render_section(
    page: Section,
    layout: journey.Layout,
    values: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
    csrf_failed: bool = False,
    unknown_fields: bool = False,
    holes: bool = False,
    fresh: bool = False,
) -> str:
    """The section page rendered in full (`fresh`: every field rendered now, none of those kept);
    with `holes`, the skeleton that the answers and the CSRF token fill."""
    book = rulebook()
    messages = errors or {}

    def field(question: Question, reveal: journey.Reveal | None) -> Markup:
        if holes:
            return hole(f"q:{question.id}")
        error = messages.get(question.id)
        return fields().html(question, values.get(question.id), error, reveal, pages.shown(reveal, values), fresh=fresh)

    previous = journey.previous_step(book, page.id)
    return render_template(
        "section.html",
        section=page,
        layout=layout,
        field=field,
        errors=messages,
        csrf_failed=csrf_failed,
        unknown_fields=unknown_fields,
        back_url=step_url(previous) if previous else url_for("visitor.start"),
        number=[s.id for s in book.sections].index(page.id) + 1,
        **({"csrf_input": lambda: hole("csrf")} if holes else {}),
    )


def layout_key(layout: journey.Layout) -> tuple[str, ...]:
    return tuple(question.id for question, _ in layout)


@bp.get("/check")
def check() -> str | tuple[str, int]:
    book = rulebook()
    answers = load_answers()
    if journey.next_step(book, answers) != journey.CHECK:
        return out_of_order(answers)
    rows = [
        (section, [(q, answers.get(q.id)) for q in section.questions if journey.is_asked(q, answers)])
        for section in book.sections
    ]
    return render_template(
        "check.html", rows=rows, back_url=step_url(book.sections[-1].id), result_url=url_for("visitor.result")
    )


@bp.get("/result")
def result() -> str | tuple[str, int]:
    ctx = this_request()
    answers = ctx.session.get("answers", {})  # assess checks them
    try:
        assessment = assess(rulebook(), answers)
    except AnswerError:
        return out_of_order(load_answers(ctx.session))
    return result_page(assessment)


def result_page(assessment: Assessment, fast: bool = True) -> str:
    """The result: its skeleton filled in; or, with `fast` false (or no skeleton for it), rendered in
    full, reasons and all."""
    key = ("result", assessment.level.id, assessment.complete, bool(assessment.reasons))
    skeleton = skeletons().get(key) if fast else None
    if skeleton is None:
        return render_result(assessment, fields().reason_items(assessment.reasons, fresh=not fast))
    return skeleton.fill({"csrf": csrf_input(), "reasons": fields().reason_items(assessment.reasons)})


def render_result(assessment: Assessment, reason_items: Markup, holes: bool = False) -> str:
    extra = {"csrf_input": lambda: hole("csrf")} if holes else {}
    return render_template("result.html", assessment=assessment, reason_items=reason_items, **extra)


def build_skeletons() -> dict[Hashable, Skeleton]:
    """Every visitor page that shows no error, rendered with holes: the start page (with or without
    earlier answers), each section in each layout it can have, and each kind of result."""
    book = rulebook()
    built: dict[Hashable, Skeleton] = {("start", has): Skeleton.of(render_start(has)) for has in (False, True)}
    for page in book.sections:
        for layout in journey.possible_layouts(book, page):
            built["section", page.id, layout_key(layout)] = Skeleton.of(render_section(page, layout, {}, holes=True))
    for level in book.levels:
        for complete in (True, False):
            for has_reasons in (True, False):
                items = hole("reasons") if has_reasons else Markup("")
                page_html = render_result(blank_assessment(book, level, complete), items, holes=True)
                built["result", level.id, complete, has_reasons] = Skeleton.of(page_html)
    return built


def blank_assessment(book: Rulebook, level: Level, complete: bool) -> Assessment:
    meta = book.meta
    return Assessment(level, (), {}, complete, meta.disclaimer, meta.title, meta.version, meta.reviewed_on)


@bp.post("/start-again")
def start_again() -> Response | tuple[str, int]:
    form = StartAgainForm()
    if not form.validate_on_submit() and session.get("answers"):
        # Someone else's page may not clear these answers; an expired page cannot tell, so ask again.
        return render_template("problem.html", kind="restart", step_url=url_for("visitor.result")), 400
    session.clear()
    return redirect(url_for("visitor.start"), code=303)


def out_of_order(answers: Mapping[str, Answer]) -> tuple[str, int]:
    """A page reached too early (a bookmark, a skipped step, an expired session): say so, and where to go."""
    step = journey.next_step(rulebook(), answers)
    kind = "no_answers" if not answers else "skipped"
    return render_template("problem.html", kind=kind, step_url=step_url(step)), 409


def error_page(error: Exception) -> Response:
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    wait = retry_after() if code == 429 else None
    if api.is_api_request():
        message = f"Too many requests. Try again in {wait} seconds." if wait else None
        response = api.error_response(code, message=message)
    else:
        back = request.path if code in (413, 429) and request.path.startswith(("/questions/", "/staff")) else None
        response = make_response(render_template("error.html", code=code, back_url=back, wait=wait), code)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))  # required with 405 (RFC 9110)
    return response
