"""The JSON API's bodies as JSON Schema, for its OpenAPI document (`triage.openapi`): the answers
(each question's own), an assessment, the questionnaire and errors, built from the rule book."""

from __future__ import annotations

from typing import Any

from triage.rulebook import RESPONDENT, RESPONDENT_VOICES, RETIRED_ANSWERS, Question, Rulebook

__all__ = ["api_schemas"]


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


def api_schemas(rulebook: Rulebook) -> dict[str, Any]:
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
