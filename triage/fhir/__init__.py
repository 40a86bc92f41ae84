"""HL7 FHIR R4 for the questionnaire and its outcome: the rule book as a Questionnaire, a
QuestionnaireResponse read into answers (and written from them), and the outcome as a Bundle.
Pure: no web (the routes are in `triage.fhir_api`)."""

from __future__ import annotations

from triage.fhir.codes import FHIR_JSON, NONE_OF_THESE, Systems
from triage.fhir.outcome import Words, capability_statement, operation_outcome, result_bundle
from triage.fhir.questionnaire import enable_when, iter_items, link_id, questionnaire
from triage.fhir.response import (
    ItemError,
    ResponseError,
    check_structure,
    engine_errors_as_items,
    read_answers,
    response_from_answers,
)

__all__ = [
    "FHIR_JSON",
    "NONE_OF_THESE",
    "ItemError",
    "ResponseError",
    "Systems",
    "Words",
    "capability_statement",
    "check_structure",
    "enable_when",
    "engine_errors_as_items",
    "iter_items",
    "link_id",
    "operation_outcome",
    "questionnaire",
    "read_answers",
    "response_from_answers",
    "result_bundle",
]
