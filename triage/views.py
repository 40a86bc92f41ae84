"""The visitor's pages. Thin: build the form, validate, store the answers, redirect or render.

Answers live only in the person's own signed session cookie, which expires after a short idle
time and is cleared by "start again". They never go into a URL or a log line. The HTML of each
page comes from `triage.pages`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

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
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response
from wtforms import RadioField

from triage import api, clock, fhir_api, journey, languages, limits, pages
from triage.conditions import Answer
from triage.engine import AnswerError, assess, check_answers, rulebook_info
from triage.forms import SectionForm, refuse_other_bodies, stored_values
from triage.pages import step_url
from triage.rulebook import RESPONDENT, RESPONDENT_VOICES, Rulebook

bp = Blueprint("visitor", __name__)
bp.before_request(refuse_other_bodies)  # a form post's body is a plain form, or refused


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    pages.init_app(app, app.extensions["triage"]["rulebooks"])
    app.context_processor(lambda: {"book": rulebook()})  # pages that pass no `book` of their own
    app.jinja_env.globals["cookie_missing"] = cookie_missing
    for code in (400, 404, 405, 413, 415, 429, 500):
        app.register_error_handler(code, error_page)


def cookie_missing() -> bool:
    """The browser sent no session cookie with this request: cookies are blocked (often in a frame
    on another site) or were cleared, rather than a page left open too long."""
    return current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def retry_after() -> int | None:
    """Seconds until the rate limit that was hit lets this client in again."""
    current = current_app.extensions["triage"]["limiter"].current_limit
    return max(1, math.ceil(current.reset_at - time.time())) if current else None


def respondent() -> str:
    """Who is answering, as chosen on the start page: "self" (the default) or "someone_else"."""
    return _respondent(session.get(RESPONDENT))


def _respondent(chosen: object) -> str:
    return chosen if isinstance(chosen, str) and chosen in RESPONDENT_VOICES else "self"


def rulebook(who: str | None = None) -> Rulebook:
    """The rule book in the voice of whoever is answering (`who`, or the one in the session)."""
    book = languages.rulebook()
    return book.in_voice(RESPONDENT_VOICES[who or respondent()])


def session_answers() -> dict[str, object]:
    """The answers as the session holds them. A session of another layout (signed with this key by
    an earlier version, say) is treated as expired: its answers are dropped, never half read."""
    stored = session.get("answers", {})
    if not isinstance(stored, dict):  # (the cookie is JSON: an object's keys are strings)
        session.pop("answers", None)
        return {}
    return stored


def answers_and_respondent() -> dict[str, object]:
    """The answers as the session holds them, with who is answering (the session read once)."""
    get = session.get  # (looked up once: `session` is a proxy, and each use of one looks it up)
    stored = get("answers", {})
    return {**(stored if isinstance(stored, dict) else session_answers()), RESPONDENT: _respondent(get(RESPONDENT))}


def load_answers(book: Rulebook | None = None) -> dict[str, Answer]:
    """The answers in the visitor's session, checked (against `book`, when the view has it)."""
    clean, _ = check_answers(book or rulebook(), session_answers())
    return clean


def save_answers(answers: Mapping[str, Answer]) -> None:
    session.permanent = True  # expires after the idle time, which restarts each time answers are saved
    session["answers"] = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in answers.items()}


class StartAgainForm(FlaskForm):
    pass


CONTINUE = "continue"  # the start page's "Continue the earlier answers"


class StartForm(FlaskForm):
    """The two start buttons, for myself or for someone else, each starting new answers; and, when
    answers from earlier are in the browser, "Continue the earlier answers"."""

    respondent = RadioField(choices=[*RESPONDENT_VOICES, CONTINUE], validate_choice=True)


@bp.get("/healthz")
def healthz() -> Response:
    """For load balancers and monitors: the app is up (200 while it answers questions), with the
    rule book it runs, and "degraded" when a helper is down but the questions still work (the shared
    rate-limit store: counts are then kept per worker). A load balancer keeps sending visitors; a
    monitor alerts on "degraded"."""
    book = rulebook()
    store = limits.store_state(current_app)
    return jsonify(
        {
            "status": "ok" if store == "ok" else "degraded",
            "rate_limit_store": store,
            "rulebook": rulebook_info(book.meta.title, book.meta.version, book.sign_off),
        }
    )


@bp.get("/")
def start() -> bytes:
    return pages.start_page(rulebook(), has_answers=bool(session_answers()))


@bp.post("/start")
def begin() -> Response | tuple[str, int]:
    """Start the questions, for oneself or for someone else: always new answers, so that one
    person's answers are never shown to the next on a shared browser. "Continue the earlier answers"
    is the only way back to them, and it keeps who was answering."""
    form = StartForm()
    if not form.validate_on_submit():
        return render_template("problem.html", kind="start", step_url=url_for("visitor.start")), 400
    if form.respondent.data == CONTINUE:
        return redirect(step_url(journey.next_step(rulebook(), load_answers())), code=303)
    session.pop("answers", None)
    session[RESPONDENT] = form.respondent.data
    return redirect(step_url(journey.next_step(rulebook(), {})), code=303)


@bp.route("/questions/<section_id>", methods=["GET", "POST"])
def section(section_id: str) -> Response | tuple[str, int] | tuple[bytes, int] | bytes:
    stored = answers_and_respondent()
    book = rulebook(str(stored[RESPONDENT]))
    if section_id not in book.section_by_id:
        abort(404)
    page = book.section_by_id[section_id]
    answers, _ = check_answers(book, stored)
    if not journey.can_visit(book, page.id, answers):
        return out_of_order(answers)
    on_page = {q.id for q in page.questions}
    others = {k: v for k, v in answers.items() if k not in on_page}
    if not journey.has_questions(page, others):
        # A page that asks this person nothing (questions for people already diagnosed, reached by
        # a Back link): the page before it.
        before = journey.previous_step(book, page.id, others)
        return redirect(step_url(before), code=303)
    layout = journey.page_layout(book, page, others)

    if request.method == "POST":
        form_class: type[SectionForm] = current_app.extensions["triage"]["forms"][book.language][book.voice][page.id]
        form = form_class(earlier=others)
        if form.accepted(book):
            clean, _ = check_answers(book, {**others, **form.answers})
            save_answers(clean)
            return redirect(step_url(journey.next_step(book, clean)), code=303)
        html = pages.section_page(
            book, page, layout, form.values, form.messages, form.csrf_failed, form.unknown, earlier=others
        )
        return html, form.error_status
    values = {q.id: stored_values(q, answers) for q in page.questions}
    return pages.section_page(book, page, layout, values, earlier=others)


@bp.get("/check")
def check() -> Response:
    """Where "check your answers" was: the answers are now listed on the result."""
    return redirect(url_for("visitor.result", _anchor="answers"), code=303)


@bp.get("/result")
def result() -> bytes | tuple[str, int]:
    answers = answers_and_respondent()
    book = rulebook(str(answers[RESPONDENT]))
    minute = clock.this_minute(book)
    try:
        assessment = assess(book, answers, after_hours=minute.closed)  # assess checks them
    except AnswerError:
        return out_of_order(load_answers(book))
    return pages.result_page(book, assessment, minute)


@bp.post("/start-again")
def start_again() -> Response | tuple[str, int]:
    form = StartAgainForm()
    if not form.validate_on_submit() and session_answers():
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
    if fhir_api.is_fhir_request():
        response = fhir_api.error_outcome(code, f"Too many requests. Try again in {wait} seconds." if wait else None)
    elif api.is_api_request():
        message = f"Too many requests. Try again in {wait} seconds." if wait else None
        response = api.error_response(code, message=message)
    else:
        back = request.path if code in (400, 413, 429) and request.path.startswith(("/questions/", "/staff")) else None
        response = make_response(render_template("error.html", code=code, back_url=back, wait=wait), code)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))  # required with 405 (RFC 9110)
    return response
