"""The OpenAPI 3.1 description of the JSON API, built from the rule book so it always matches it."""

from __future__ import annotations

from typing import Any

from triage.fhir.openapi import fhir_paths, fhir_schemas
from triage.openapi_schemas import api_schemas
from triage.rulebook import RESPONDENT, RESPONDENT_VOICES, Rulebook

JSON = "application/json"


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": {"$ref": "#/components/schemas/Errors"}}}}


def openapi_document(rulebook: Rulebook, languages: tuple[str, ...] = ("en",)) -> dict[str, Any]:
    """The document, for a deployment offering `languages` (TRIAGE_LANGUAGES)."""
    meta = rulebook.meta
    parameters = [RESPONDENT_PARAMETER, language_parameter(languages)]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{meta.title} API",
            "version": "2.0.0",
            "description": (
                "How urgently to get medical evaluation, from answers about breathing, swallowing, speech, "
                f"weakness and weight loss. Never a diagnosis. Rule book {meta.version}. {meta.disclaimer}"
            ),
        },
        "paths": with_languages({**_api_paths(), **fhir_paths(RESPONDENT_PARAMETER)}, parameters[1]),
        "components": {"schemas": {**api_schemas(rulebook), **fhir_schemas()}},
    }


RESPONDENT_PARAMETER = {
    "name": RESPONDENT,
    "in": "query",
    "required": False,
    "description": "Whose voice the texts are in: the person themselves (self, the default) "
    "or someone answering for them (someone_else). Staff texts are always in `staff`.",
    "schema": {"type": "string", "enum": list(RESPONDENT_VOICES), "default": "self"},
}


def language_parameter(languages: tuple[str, ...]) -> dict[str, Any]:
    names = [form for code in languages for form in dict.fromkeys((code, code.replace("_", "-"), code[:2]))]
    return {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "The language of the texts, among those this deployment offers; without it, the first of "
        "the request's Accept-Language offered, else English. The response says which in Content-Language. "
        "A language not offered is a 400.",
        "schema": {"type": "string", "enum": names},
    }


CONTENT_LANGUAGE = {
    "Content-Language": {
        "description": "The language of the texts (en, fr-CA)",
        "schema": {"type": "string"},
    }
}
TEXTS = ("/api/v1/questionnaire", "/api/v1/assessments", "/fhir/Questionnaire/triage")


def with_languages(paths: dict[str, Any], parameter: dict[str, Any]) -> dict[str, Any]:
    """Every route with texts takes `lang`, and its answer says its language in Content-Language."""
    for path, operations in paths.items():
        if not path.startswith(TEXTS):
            continue
        for operation in operations.values():
            operation["parameters"] = [*operation.get("parameters", []), parameter]
            operation["responses"]["200"]["headers"] = CONTENT_LANGUAGE
    return paths


def _api_paths() -> dict[str, Any]:
    """The JSON API's routes."""
    return {
        "/api/v1/questionnaire": {
            "get": {
                "operationId": "getQuestionnaire",
                "summary": "The questions, options, follow-up conditions, sections and levels",
                "parameters": [RESPONDENT_PARAMETER],
                "responses": {
                    "200": {
                        "description": "The questionnaire",
                        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Questionnaire"}}},
                    },
                    "400": _error("respondent is neither self nor someone_else, or lang is not a language offered"),
                    "429": _error("Too many requests"),
                },
            }
        },
        "/api/v1/assessments": {
            "post": {
                "operationId": "createAssessment",
                "summary": "Assess a set of answers",
                "description": (
                    "Every question that is asked is required. Follow-ups are asked only when their ask_when "
                    "holds, and ignored otherwise. When the answers given already reach the emergency level, "
                    "missing answers are not an error (complete is false). `respondent` (optional, default "
                    "self) says who is answering; the texts of the assessment are in that person's voice, and "
                    "it never changes the level. `age`, asked by contract version 1, is accepted and ignored. "
                    "Contract 3: the care questions (`breathing_machine_problem`, `feeding_tube_problem`, "
                    "`bowel_blocked`) are asked only when `known_diagnosis` is yes, and `carer_coping` only "
                    "when `respondent` is someone_else; a valid answer to one that does not apply is ignored, "
                    "like a follow-up's. The questionnaire for a respondent lists only the questions asked "
                    "of them."
                ),
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": {"$ref": "#/components/schemas/AssessmentRequest"}}},
                },
                "responses": {
                    "200": {
                        "description": "The assessment",
                        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Assessment"}}},
                    },
                    "400": _error("The body is not valid JSON, or lang is not a language offered"),
                    "413": _error("The body is too large"),
                    "415": _error("The body is not JSON"),
                    "422": _error("The answers are not valid: one error per field"),
                    "429": _error("Too many requests"),
                },
            }
        },
    }
