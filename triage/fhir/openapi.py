"""The FHIR routes in the OpenAPI document: their paths, and their bodies by resource type (FHIR
R4 itself defines the rest)."""

from __future__ import annotations

from typing import Any

from triage.fhir.codes import FHIR_JSON


def _fhir(resource: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {FHIR_JSON: {"schema": {"$ref": f"#/components/schemas/Fhir{resource}"}}},
    }


def fhir_paths(respondent: dict[str, Any]) -> dict[str, Any]:
    """The FHIR routes (HL7 FHIR R4): their bodies are FHIR resources, described by FHIR itself."""
    problem = "OperationOutcome"
    return {
        "/fhir/metadata": {
            "get": {
                "operationId": "getFhirCapabilityStatement",
                "summary": "What the FHIR routes do (a CapabilityStatement)",
                "responses": {"200": _fhir("CapabilityStatement", "The CapabilityStatement")},
            }
        },
        "/fhir/Questionnaire/triage": {
            "get": {
                "operationId": "getFhirQuestionnaire",
                "summary": "The questions as an HL7 FHIR R4 Questionnaire, made from the rule book",
                "parameters": [respondent],
                "responses": {
                    "200": _fhir("Questionnaire", "The Questionnaire"),
                    "400": _fhir(
                        problem, "respondent is neither self nor someone_else, or lang is not a language offered"
                    ),
                    "429": _fhir(problem, "Too many requests"),
                },
            }
        },
        "/fhir/Questionnaire/triage/$assess": {
            "post": {
                "operationId": "assessFhirQuestionnaireResponse",
                "summary": "Assess a QuestionnaireResponse to the Questionnaire: the outcome as a Bundle",
                "description": (
                    "Checked and assessed exactly as /api/v1/assessments checks and assesses answers. The Bundle "
                    "(type collection) holds the QuestionnaireResponse (completed), an Observation whose value is "
                    "the level, with the reasons and completeness as components, and, for a visit today or within "
                    "1 to 2 weeks, a ServiceRequest (intent proposal). Nothing is stored."
                ),
                "parameters": [respondent],
                "requestBody": {
                    "required": True,
                    "content": {
                        media: {"schema": {"$ref": "#/components/schemas/FhirQuestionnaireResponse"}}
                        for media in (FHIR_JSON, "application/json")
                    },
                },
                "responses": {
                    "200": _fhir("Bundle", "The outcome"),
                    "400": _fhir(
                        problem, "The body is not valid JSON or gives a key twice, or lang is not a language offered"
                    ),
                    "413": _fhir(problem, "The body is too large"),
                    "415": _fhir(problem, "The body is not FHIR JSON"),
                    "422": _fhir(problem, "The response cannot be read or its answers are not valid: one issue each"),
                    "429": _fhir(problem, "Too many requests"),
                },
            }
        },
    }


def fhir_schemas() -> dict[str, Any]:
    """FHIR resources, by their type only: FHIR R4 defines the rest (https://hl7.org/fhir/R4/)."""
    return {
        f"Fhir{name}": {
            "type": "object",
            "required": ["resourceType"],
            "properties": {"resourceType": {"const": name}},
            "externalDocs": {"url": f"https://hl7.org/fhir/R4/{name.lower()}.html"},
        }
        for name in ("CapabilityStatement", "Questionnaire", "QuestionnaireResponse", "Bundle", "OperationOutcome")
    }
