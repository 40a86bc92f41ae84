"""The FHIR routes (`/fhir`): the questionnaire as an HL7 FHIR R4 Questionnaire, and `$assess`,
which takes a QuestionnaireResponse and answers with the outcome as a Bundle, checked and assessed
exactly as the JSON API's answers are. No cookie, nothing stored; errors are OperationOutcomes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from flask_babel import force_locale

from triage import clock, dates, languages
from triage.engine import AnswerError, assess
from triage.fhir import (
    FHIR_JSON,
    ItemError,
    ResponseError,
    Systems,
    capability_statement,
    check_structure,
    engine_errors_as_items,
    operation_outcome,
    questionnaire,
    read_answers,
    result_bundle,
)
from triage.i18n import bundle_words
from triage.rulebook import RESPONDENT, RESPONDENT_VOICES, Rulebook
from triage.strictjson import DuplicateKeyError, read_json

bp = Blueprint("fhir", __name__, url_prefix="/fhir")
READABLE = ("application/fhir+json", "application/json")
MESSAGES = {
    400: "The request body is not valid JSON.",
    404: "There is no such FHIR resource or operation here.",
    405: "This route does not accept that method.",
    413: "The request body is too large.",
    415: "Send a QuestionnaireResponse as application/fhir+json.",
    429: "Too many requests. Try again later.",
    500: "Something went wrong on our side. Try again later.",
}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def is_fhir_request() -> bool:
    return request.path.startswith(f"{bp.url_prefix}/")


def fhir_response(resource: dict[str, Any], status: int = 200) -> Response:
    return Response(current_app.json.dumps(resource), status=status, mimetype=FHIR_JSON)


def error_outcome(status: int, message: str | None = None) -> Response:
    """An HTTP error on a FHIR route, as an OperationOutcome."""
    code = {404: "not-found", 405: "not-supported", 413: "too-costly", 429: "throttled", 500: "exception"}
    text = message or MESSAGES.get(status, MESSAGES[500])
    issue = {"severity": "error", "code": code.get(status, "invalid"), "details": {"text": text}}
    return fhir_response({"resourceType": "OperationOutcome", "issue": [issue]}, status)


def systems() -> Systems:
    """The code systems of this deployment, under the address it was reached at."""
    return Systems(request.url_root)


def voice_book() -> Rulebook | None:
    """The rule book in the voice the `respondent` parameter asks for, in the language asked for
    (as in the JSON API); None if either is not offered."""
    respondent = request.args.get(RESPONDENT, "self")
    if respondent not in RESPONDENT_VOICES or languages.asked() is None:
        return None
    book: Rulebook = languages.asked_rulebook()
    return book.in_voice(RESPONDENT_VOICES[respondent])


@bp.get("/metadata")
def metadata() -> Response:
    return fhir_response(capability_statement(current_app.extensions["triage"]["rulebook"], systems()))


@bp.get("/Questionnaire/triage")
def read_questionnaire() -> Response:
    book = voice_book()
    if book is None:
        return error_outcome(400, "respondent must be self or someone_else, and lang a language offered.")
    return languages.with_content_language(fhir_response(questionnaire(book, systems())))


@bp.post("/Questionnaire/triage/$assess")
def assess_response() -> Response:
    book = voice_book()
    if book is None:
        return error_outcome(400, "respondent must be self or someone_else, and lang a language offered.")
    if request.mimetype not in READABLE:
        return error_outcome(415)
    found = systems()
    try:
        body = read_json(request.get_data(cache=False))
    except DuplicateKeyError as twice:
        message = f"The key {twice.key!r} is given twice: which value is meant cannot be told."
        return fhir_response(operation_outcome(found, [ItemError(None, "duplicate_key", message)]), 400)
    except (ValueError, RecursionError):
        return error_outcome(400)
    try:
        response = check_structure(body)
        answers = read_answers(book, found, response)
    except ResponseError as unreadable:
        return fhir_response(operation_outcome(found, unreadable.errors), 422)
    closed = clock.after_hours(book)
    respondent = request.args.get(RESPONDENT, "self")
    base: Rulebook = languages.asked_rulebook()
    try:
        assessment = assess(base, {**answers, RESPONDENT: respondent}, after_hours=closed)
    except AnswerError as invalid:
        return fhir_response(operation_outcome(found, engine_errors_as_items(book, invalid.errors)), 422)
    now = dates.utc_now().isoformat(timespec="seconds")
    with force_locale(languages.asked() or languages.SOURCE):  # the language asked, not the path's
        words = bundle_words()
    return languages.with_content_language(
        fhir_response(result_bundle(book, found, response, assessment, now, words=words))
    )
