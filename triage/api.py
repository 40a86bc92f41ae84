"""The JSON API (`/api/v1`): the questionnaire and assessments, for widgets and call-centre systems.

No cookies and no CSRF token: requests carry JSON only and nothing is stored. Every error has the
same shape as the command line's: {"errors": [{"field", "code", "message"}]}.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from triage import clock, languages
from triage.conditions import describe
from triage.engine import AnswerError, assess, level_words, rulebook_info
from triage.openapi import openapi_document
from triage.rulebook import RESPONDENT, RESPONDENT_VOICES, Question, Rulebook
from triage.strictjson import DuplicateKeyError, read_json
from triage.webapp import json_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# What each HTTP error means to an API client; the texts are part of the documented API.
MESSAGES = {
    400: ("bad_request", "The request body is not valid JSON."),
    404: ("not_found", "There is no such API endpoint."),
    405: ("method_not_allowed", "This endpoint does not accept that method."),
    413: ("too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the request body as JSON, with Content-Type: application/json."),
    429: ("too_many_requests", "Too many requests. Try again later."),
    500: ("server_error", "Something went wrong on our side. Try again later."),
}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    if app.config["CORS_ORIGINS"]:  # none by default, and then there is nothing to add
        app.after_request(add_cors_headers)


def rulebook() -> Rulebook:
    return languages.asked_rulebook()


def wrong_language() -> Response | None:
    """A 400 for a `lang` this deployment does not offer."""
    return refused_language() if languages.asked() is None else None


def refused_language() -> Response:
    offered = ", ".join(current_app.config["LANGUAGES"])
    return error_response(400, "lang", "invalid_choice", f"lang must be one of: {offered}.")


def error_response(
    status: int, field: str | None = None, code: str | None = None, message: str | None = None
) -> Response:
    default_code, default_message = MESSAGES.get(status, MESSAGES[500])
    body = {"errors": [{"field": field, "code": code or default_code, "message": message or default_message}]}
    response = jsonify(body)
    response.status_code = status
    return response


def is_api_request() -> bool:
    return request.path.startswith(bp.url_prefix or "/api/")


def is_cors_request() -> bool:
    """The JSON and FHIR APIs answer other sites' scripts, when the settings name them."""
    return request.path.startswith((bp.url_prefix or "/api/", "/fhir/"))


@bp.get("/questionnaire")
def questionnaire() -> Response:
    respondent = request.args.get(RESPONDENT, "self")
    if respondent not in RESPONDENT_VOICES:
        return error_response(400, RESPONDENT, "invalid_choice", "respondent must be self or someone_else.")
    refused = wrong_language()
    if refused is not None:
        return refused
    book = rulebook().in_voice(RESPONDENT_VOICES[respondent])
    meta = book.meta
    return languages.with_content_language(
        jsonify(
            {
                "rulebook": {
                    **rulebook_info(meta.title, meta.version, book.sign_off),
                    "emergency_number": meta.emergency_number,
                    "disclaimer": meta.disclaimer,
                },
                "levels": [{"id": level.id, **level_words(level)} for level in book.levels],
                "sections": [
                    {
                        "id": section.id,
                        "title": section.title,
                        "intro": section.intro,
                        # Only the questions asked in this voice (a question for carers is asked only of
                        # someone answering for another person).
                        "questions": [question_json(q) for q in section.questions if q.in_voice],
                        # Yes/no questions a page asks as one "do any of these apply?" list: each
                        # ticked item is a yes, the others no, once one (or "none") is ticked.
                        "together": [
                            {
                                "id": group.id,
                                "text": group.text,
                                "hint": group.hint,
                                "none": group.none,
                                "items": [
                                    {"question": qid, "label": book.question_by_id[qid].item} for qid in group.questions
                                ],
                            }
                            for group in section.groups
                        ],
                    }
                    for section in book.sections
                ],
            }
        )
    )


def question_json(question: Question) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": question.id,
        "type": question.kind,
        "text": question.text,
        "hint": question.hint,
        "staff": question.staff,
        "required": question.required,
        "ask_when": describe(question.ask_when) if question.ask_when else None,
    }
    if question.kind == "number":
        data |= {"minimum": question.minimum, "maximum": question.maximum}
    else:
        data["options"] = [{"value": o.value, "label": o.label} for o in question.options]
    return data


@bp.post("/assessments")
def assessments() -> Response:
    if request.mimetype != "application/json":
        return error_response(415)
    language = languages.asked()
    if language is None:
        return refused_language()
    try:
        body = read_json(request.get_data(cache=False))
    except DuplicateKeyError as twice:
        return error_response(
            400, twice.key, "duplicate_key", f"The key {twice.key!r} is given twice: the answer is ambiguous."
        )
    except (ValueError, RecursionError):
        return error_response(400)
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        return error_response(
            422, "answers", "not_an_object", 'Send {"answers": {...}}: an object of answers by question id.'
        )
    if len(body) > 1:
        unknown = sorted(set(body) - {"answers"})
        return error_response(422, unknown[0], "unknown_field", 'The body may only hold "answers".')
    try:
        book = languages.book(language)
        assessment = assess(book, body["answers"], after_hours=clock.after_hours(book))
    except AnswerError as invalid:
        response = jsonify(invalid.to_dict())
        response.status_code = 422
        return response
    return languages.with_content_language(json_response(assessment.to_dict()), language)


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(current_app.extensions["triage"]["rulebook"], current_app.config["LANGUAGES"]))


def add_cors_headers(response: Response) -> Response:
    """CORS for the API only, and only for the configured origins (none by default)."""
    origin = request.headers.get("Origin")
    allowed = current_app.config["CORS_ORIGINS"]
    if is_cors_request() and origin and origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
        response.vary.add("Origin")
    return response
