"""The OpenAPI 3.1 description of the JSON API, built from the rule book so it always matches it."""

from __future__ import annotations

from typing import Any

from triage.fhir.openapi import fhir_paths, fhir_schemas
from triage.rulebook import RESPONDENT, RESPONDENT_VOICES, RETIRED_ANSWERS, Question, Rulebook

JSON = "application/json"


def _answer_schema(question: Question) -> dict[str, Any]:
    """An answer as the engine accepts it. null (and an empty list or blank number) means not answered."""
    described = {"description": question.text}
    if question.kind == "multi":
        items = {"type": "string", "enum": list(question.values)}
        return {**described, "type": ["array", "null"], "items": items, "uniqueItems": True}
    if question.kind == "number":
        return {
            **described,
            "oneOf": [
                {"type": "integer", "minimum": question.minimum, "maximum": question.maximum},
                {"type": "string", "pattern": r"^\s*([0-9]{1,4})?\s*$", "description": "digits, as a form sends them"},
                {"type": "null"},
            ],
        }
    return {**described, "enum": [*question.values, None]}


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
        "components": {"schemas": {**_schemas(rulebook), **fhir_schemas()}},
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


def _schemas(rulebook: Rulebook) -> dict[str, Any]:
    """The JSON API's bodies: answers, assessments, the questionnaire and errors."""
    levels = [level.id for level in rulebook.levels]
    text = {"type": "string"}
    return {
        "Answers": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                RESPONDENT: {
                    "description": "Who is answering: the person themselves, or someone for them. "
                    "Chooses the voice of the texts; never changes the level.",
                    "enum": [*RESPONDENT_VOICES, None],
                    "default": "self",
                },
                **{q.id: _answer_schema(q) for q in rulebook.questions},
                **{
                    retired: {
                        "description": "Asked by contract version 1: accepted and ignored.",
                        "deprecated": True,
                    }
                    for retired in sorted(RETIRED_ANSWERS)
                },
            },
        },
        "AssessmentRequest": {
            "type": "object",
            "required": ["answers"],
            "additionalProperties": False,
            "properties": {"answers": {"$ref": "#/components/schemas/Answers"}},
        },
        "Assessment": _assessment_schema(levels),
        "RulebookInfo": {
            "type": "object",
            "required": ["title", "version", "status", "signed_by", "signed_on", "notice"],
            "properties": {
                "title": text,
                "version": text,
                "status": {
                    "type": "string",
                    "enum": ["signed", "draft", "changed"],
                    "description": "signed by a clinician; a draft; or changed since it was signed",
                },
                "signed_by": {"type": ["string", "null"]},
                "signed_on": {"type": ["string", "null"], "description": "ISO 8601 date and time"},
                "notice": {
                    "type": ["string", "null"],
                    "description": "Shown with every result while the rule book is not signed",
                },
            },
        },
        "Questionnaire": _questionnaire_schema(levels, _question_schema()),
        "Errors": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["field", "code", "message"],
                        "properties": {"field": {"type": ["string", "null"]}, "code": text, "message": text},
                    },
                }
            },
        },
    }


LEVEL_TEXTS = ["title", "action", "timeframe", "message", "staff_script", "safety_net", "where"]


def _question_schema() -> dict[str, Any]:
    """A question, as the questionnaire lists it."""
    text = {"type": "string"}
    return {
        "type": "object",
        "required": ["id", "type", "text", "staff", "required", "ask_when"],
        "properties": {
            "id": text,
            "type": {"type": "string", "enum": ["yes_no", "choice", "multi", "number"]},
            "text": text,
            "hint": {"type": ["string", "null"]},
            "staff": text,
            "required": {"type": "boolean"},
            "ask_when": {
                "type": ["object", "null"],
                "description": "When the question is asked, in the rule book's condition language (see README).",
            },
            "options": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["value", "label"],
                    "properties": {"value": text, "label": text},
                },
            },
            "minimum": {"type": "integer"},
            "maximum": {"type": "integer"},
        },
    }


def _assessment_schema(levels: list[str]) -> dict[str, Any]:
    """An assessment, as `Assessment.to_dict` makes it."""
    text = {"type": "string"}
    level_texts = LEVEL_TEXTS
    return {
        "type": "object",
        "required": [
            "respondent",
            "level",
            *level_texts,
            "reasons",
            "complete",
            "clinic_closed",
            "answers",
            "disclaimer",
            "rulebook",
        ],
        "properties": {
            "respondent": {"type": "string", "enum": list(RESPONDENT_VOICES)},
            "level": {"type": "string", "enum": levels},
            **dict.fromkeys(level_texts, text),
            "reasons": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["rule", "level", "text", "advice", "say", "source"],
                    "properties": {
                        "rule": text,
                        "level": {"type": "string", "enum": levels},
                        "text": text,
                        "advice": {"type": ["string", "null"]},
                        "say": {"type": "string", "description": "What the person can say when they call"},
                        "source": {"type": "array", "items": text},
                    },
                },
            },
            "complete": {"type": "boolean"},
            "clinic_closed": {
                "type": "boolean",
                "description": "Assessed outside the clinic's opening hours (in its time zone): the "
                "level's words are then those for when the clinic is closed, where it has some. "
                "The level never depends on the time.",
            },
            "answers": {"type": "object"},
            "disclaimer": text,
            "rulebook": {"$ref": "#/components/schemas/RulebookInfo"},
        },
    }


def _questionnaire_schema(levels: list[str], question: dict[str, Any]) -> dict[str, Any]:
    """The questionnaire: the rule book, its levels and its sections of questions."""
    text = {"type": "string"}
    level_texts = LEVEL_TEXTS
    return {
        "type": "object",
        "required": ["rulebook", "levels", "sections"],
        "properties": {
            "rulebook": {
                "allOf": [{"$ref": "#/components/schemas/RulebookInfo"}],
                "type": "object",
                "required": ["emergency_number", "disclaimer"],
                "properties": {"emergency_number": text, "disclaimer": text},
            },
            "levels": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", *level_texts],
                    "properties": {
                        "id": {"type": "string", "enum": levels},
                        **dict.fromkeys(level_texts, text),
                    },
                },
            },
            "sections": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "questions", "together"],
                    "properties": {
                        "id": text,
                        "title": text,
                        "intro": {"type": ["string", "null"]},
                        "questions": {"type": "array", "items": question},
                        "together": {
                            "type": "array",
                            "description": "Yes/no questions asked as one list: a ticked item "
                            "answers its question yes, the others no.",
                            "items": {
                                "type": "object",
                                "required": ["id", "text", "hint", "none", "items"],
                                "properties": {
                                    "id": text,
                                    "text": text,
                                    "hint": {"type": ["string", "null"]},
                                    "none": text,
                                    "items": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["question", "label"],
                                            "properties": {"question": text, "label": text},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    }
