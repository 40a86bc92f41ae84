"""What `$assess` answers: the outcome as FHIR resources an EMR can file, or the problems with the
response; and the service's CapabilityStatement.

The outcome is a `collection` Bundle of:

- the QuestionnaireResponse, completed;
- an Observation (category `survey`) whose value is the urgency, coded from `Systems.levels`, with
  a component for each reason (coded by rule) and one saying whether every question was asked,
  derived from the response, the advice and the disclaimer in its notes;
- where the level asks for a visit (every level between the most urgent, which is a call to 911,
  and the least, which asks for nothing new), a ServiceRequest: intent `proposal` (a suggestion to
  the person, which no clinician has ordered), status `draft`, its priority `urgent` for a visit
  today and `routine` otherwise, where to go as the patient's instruction.

No resource names a patient: `subject` is a reference by description only, for the EMR that
files the Bundle to point at its own patient. Nothing is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from triage.engine import Assessment
from triage.fhir.codes import FHIR_JSON, OBSERVATION_CATEGORY, Systems
from triage.fhir.response import ItemError
from triage.rulebook import Rulebook

Json = dict[str, Any]


@dataclass(frozen=True)
class Words:
    """The Bundle's own words (the rule book gives the rest), in the language of the request:
    the web routes pass them through gettext."""

    subject: str = "The person the answers are about"
    urgency: str = "How soon to get medical help"
    complete: str = "Every question asked"
    why: str = "Why"
    when: str = "When: %(timeframe)s"
    draft: str = "Draft: not yet reviewed by a clinician (rule book %(version)s)."


ENGLISH = Words()
# FHIR's issue types for the service's error codes (any other: "invalid").
ISSUE_TYPES = {
    "required": "required",
    "invalid_choice": "value",
    "not_a_whole_number": "value",
    "out_of_range": "value",
    "structure": "structure",
    "not_a_questionnaire_response": "structure",
    "duplicate_item": "duplicate",
    "duplicate_key": "duplicate",
    "wrong_questionnaire": "not-supported",
    "unknown_question": "not-found",
}


def result_bundle(
    book: Rulebook,
    systems: Systems,
    response: Json,
    assessment: Assessment,
    now: str,
    new_id: Callable[[], str] = lambda: f"urn:uuid:{uuid.uuid4()}",
    words: Words = ENGLISH,
) -> Json:
    """The Bundle for `assessment`, made from `response` at `now` (an ISO 8601 instant)."""
    level = assessment.level
    response_url, observation_url = new_id(), new_id()
    filed = {
        **response,
        "status": "completed",
        "questionnaire": f"{systems.questionnaire}|{book.meta.version}",
        "authored": response.get("authored") or now,
    }
    notes = [f"{level.action} {level.where}", assessment.disclaimer]
    if assessment.sign_off.notice:
        notes.append(words.draft % {"version": book.meta.version})
    observation: Json = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
        "code": {
            "coding": [{"system": systems.observations, "code": "urgency", "display": words.urgency}],
            "text": words.urgency,
        },
        "subject": {"display": words.subject},
        "effectiveDateTime": now,
        "issued": now,
        "valueCodeableConcept": {
            "coding": [{"system": systems.levels, "code": level.id, "display": level.title}],
            "text": level.title,
        },
        "derivedFrom": [{"reference": response_url}],
        "note": [{"text": text} for text in notes],
        "component": [
            {
                "code": {
                    "coding": [{"system": systems.observations, "code": "complete"}],
                    "text": words.complete,
                },
                "valueBoolean": assessment.complete,
            },
            *(
                {
                    "code": {"coding": [{"system": systems.observations, "code": "reason"}], "text": words.why},
                    "valueCodeableConcept": {
                        "coding": [{"system": systems.rules, "code": reason.rule}],
                        "text": reason.text,
                    },
                }
                for reason in assessment.reasons
            ),
        ],
    }
    entries = [(response_url, filed), (observation_url, observation)]
    ranks = sorted(lv.rank for lv in book.levels)
    if ranks[0] < level.rank < ranks[-1]:  # a visit: not a 911 call, and not nothing new
        today = level.rank == ranks[-2]
        entries.append(
            (
                new_id(),
                {
                    "resourceType": "ServiceRequest",
                    "status": "draft",
                    "intent": "proposal",
                    "priority": "urgent" if today else "routine",
                    "code": {"coding": [{"system": systems.levels, "code": level.id}], "text": level.action},
                    "subject": {"display": words.subject},
                    "authoredOn": now,
                    "reasonReference": [{"reference": observation_url}],
                    "supportingInfo": [{"reference": response_url}],
                    "patientInstruction": level.where,
                    "note": [{"text": words.when % {"timeframe": level.timeframe}}, {"text": assessment.disclaimer}],
                },
            )
        )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now,
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }


def operation_outcome(systems: Systems, errors: list[ItemError]) -> Json:
    """The problems, each on its item (by `linkId`, in a FHIRPath `expression`)."""
    issues = []
    for error in errors:
        issue: Json = {
            "severity": "error",
            "code": ISSUE_TYPES.get(error.code, "invalid"),
            "details": {
                "coding": [{"system": f"{systems.base}fhir/CodeSystem/triage-errors", "code": error.code}],
                "text": error.message,
            },
        }
        if error.link_id is not None:
            quoted = error.link_id.replace("\\", "\\\\").replace("'", "\\'")
            issue["expression"] = [f"QuestionnaireResponse.descendants().where(linkId = '{quoted}')"]
        issues.append(issue)
    return {"resourceType": "OperationOutcome", "issue": issues}


def capability_statement(book: Rulebook, systems: Systems) -> Json:
    """What this service's FHIR routes do: read the Questionnaire, and `$assess` a response to it."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": book.meta.reviewed_on,
        "kind": "instance",
        "implementation": {"description": book.meta.title, "url": f"{systems.base}fhir"},
        "fhirVersion": "4.0.1",
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": book.meta.disclaimer,
                "resource": [
                    {
                        "type": "Questionnaire",
                        "interaction": [{"code": "read"}],
                        "operation": [
                            {
                                "name": "assess",
                                "definition": f"{systems.base}fhir/OperationDefinition/Questionnaire-assess",
                                "documentation": "POST a QuestionnaireResponse to Questionnaire/triage/$assess: "
                                "the outcome as a Bundle, or an OperationOutcome. Nothing is stored.",
                            }
                        ],
                    }
                ],
            }
        ],
    }
