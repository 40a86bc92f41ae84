"""The JSON API: documented shapes, every error case, no cookies, CORS, and fuzzing from its OpenAPI."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import positive_data_acceptance
from webpages import ALL_QUIET

from triage import create_app
from triage.engine import assess
from triage.rulebook import CONTRACT, Rulebook

NOTHING = ALL_QUIET
ERROR_KEYS = {"field", "code", "message"}


def errors_of(response: Any) -> list[dict[str, Any]]:
    body = response.get_json()
    assert set(body) == {"errors"} and body["errors"], body
    assert all(set(error) == ERROR_KEYS for error in body["errors"])
    return body["errors"]  # type: ignore[no-any-return]


def test_questionnaire_carries_the_contract(client: Any, rulebook: Rulebook) -> None:
    response = client.get("/api/v1/questionnaire")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["rulebook"]["version"] == rulebook.meta.version
    assert [level["id"] for level in body["levels"]] == ["emergency", "urgent", "soon", "routine"]
    questions = {q["id"]: q for section in body["sections"] for q in section["questions"]}
    carers = {q["id"]: q for section in client.get("/api/v1/questionnaire?respondent=someone_else").get_json()[
        "sections"] for q in section["questions"]}  # fmt: skip
    for qid, (kind, values) in CONTRACT.items():
        if qid == "carer_coping":
            questions[qid] = carers[qid]
        assert questions[qid]["type"] == kind
        assert [o["value"] for o in questions[qid].get("options", [])] == list(values)
    assert questions["weakness_side"]["ask_when"] == {"question": "weakness", "equals": "yes"}
    assert "age" not in questions and "respondent" not in questions
    assert [q["id"] for q in body["sections"][0]["questions"]] == [
        "breathing_now", "choking_now", "chest_pain", "sudden_symptoms", "sudden_headache", "drowsy_confused",
        "fever_stiff_neck", "fall_injury", "bladder_bowel", "self_harm_now",
    ]  # fmt: skip
    # The care list is asked only of people already diagnosed; the carer's question only of a carer.
    assert questions["feeding_tube_problem"]["ask_when"] == {"question": "known_diagnosis", "equals": "yes"}
    assert "carer_coping" not in {q["id"] for section in body["sections"] for q in section["questions"]}
    assert questions["speech"]["text"] == "Is your speech slurred or changed in a way that is new or getting worse?"
    assert questions["speech"]["staff"].startswith("Is the person's speech")
    # The emergency signs are asked as one list; its items are the questions' own answers.
    (signs,) = body["sections"][0]["together"]
    assert signs["text"] == "Is any of these happening to you right now?" and signs["none"] == "No, none of these"
    assert [item["question"] for item in signs["items"]] == [q["id"] for q in body["sections"][0]["questions"]]
    assert body["levels"][1]["where"].startswith("Call your family doctor's office")


def test_the_questionnaire_speaks_to_someone_answering_for_another_person(client: Any) -> None:
    body = client.get("/api/v1/questionnaire?respondent=someone_else").get_json()
    questions = {q["id"]: q for section in body["sections"] for q in section["questions"]}
    assert questions["speech"]["text"].startswith("Is the person's speech")
    assert body["rulebook"]["disclaimer"].startswith("This tool gives general information only.")
    response = client.get("/api/v1/questionnaire?respondent=doctor")
    assert response.status_code == 400 and errors_of(response)[0]["field"] == "respondent"


def test_an_assessment_answers_in_the_voice_of_who_is_answering(client: Any) -> None:
    answers = NOTHING | {"respondent": "someone_else", "carer_coping": "no", "choking_episodes": "yes"}
    body = client.post("/api/v1/assessments", json={"answers": answers}).get_json()
    assert body["respondent"] == "someone_else" and body["level"] == "urgent"
    assert body["reasons"][0]["text"].startswith("You said the person coughs or chokes")
    assert body["action"] == "Contact the person's doctor today."
    default = client.post("/api/v1/assessments", json={"answers": NOTHING | {"choking_episodes": "yes"}}).get_json()
    assert default["respondent"] == "self" and default["reasons"][0]["text"].startswith("You said you cough")


def test_an_assessment_is_the_same_as_the_engines(client: Any, rulebook: Rulebook) -> None:
    answers = NOTHING | {
        "speech": "yes",
        "symptom_course": "not_getting_worse",
        "worse_with_tiredness": "no",
        "age": 70,
    }
    response = client.post("/api/v1/assessments", json={"answers": answers})
    assert response.status_code == 200
    assert response.get_json() == json.loads(json.dumps(assess(rulebook, answers).to_dict()))
    assert response.headers["Cache-Control"] == "no-store"


def test_an_emergency_answer_alone_is_enough(client: Any) -> None:
    body = client.post("/api/v1/assessments", json={"answers": {"sudden_symptoms": "yes"}}).get_json()
    assert body["level"] == "emergency" and body["complete"] is False
    assert body["reasons"][0]["rule"] == "sudden_symptoms"


def test_invalid_answers_are_a_422_with_an_error_per_field(client: Any) -> None:
    answers = NOTHING | {"speech": "maybe", "respondent": "nurse", "age": 200, "x": 1}
    response = client.post("/api/v1/assessments", json={"answers": answers})
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in errors_of(response)] == [
        ("speech", "invalid_choice"),
        ("respondent", "invalid_choice"),
        ("x", "unknown_question"),
    ]


@pytest.mark.parametrize(
    ("send", "status", "code"),
    [
        ({"data": "answers=1", "content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "bad_request"),
        ({"json": ["not", "an", "object"]}, 422, "not_an_object"),
        ({"json": {"answers": "all fine"}}, 422, "not_an_object"),
        ({"json": {"answers": {}, "extra": 1}}, 422, "unknown_field"),
        ({"json": {"answers": NOTHING, "padding": "x" * 20_000}}, 413, "too_large"),
    ],
)
def test_bad_requests_get_a_stable_json_error(client: Any, send: dict[str, Any], status: int, code: str) -> None:
    response = client.post("/api/v1/assessments", **send)
    assert response.status_code == status and response.mimetype == "application/json"
    assert errors_of(response)[0]["code"] == code


def test_wrong_method_and_unknown_path_are_json(client: Any) -> None:
    response = client.get("/api/v1/assessments")
    assert response.status_code == 405 and errors_of(response)[0]["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "OPTIONS, POST"
    response = client.get("/api/v1/diagnose")
    assert response.status_code == 404 and errors_of(response)[0]["code"] == "not_found"


def test_no_cookie_and_no_csrf_token_needed(client: Any) -> None:
    response = client.post("/api/v1/assessments", json={"answers": NOTHING})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Set-Cookie" not in client.get("/api/v1/questionnaire").headers


def test_cors_is_off_by_default_and_on_for_configured_origins(client: Any) -> None:
    headers = {"Origin": "https://clinic.example"}
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/questionnaire", headers=headers).headers
    app = create_app({"SECRET_KEY": "x", "CORS_ORIGINS": ("https://clinic.example",)})
    allowed = app.test_client()
    response = allowed.get("/api/v1/questionnaire", headers=headers)
    assert response.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert "Origin" in response.headers["Vary"]
    preflight = allowed.options(
        "/api/v1/assessments",
        headers=headers | {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
    other = allowed.get("/api/v1/questionnaire", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Access-Control-Allow-Origin" not in allowed.get("/", headers=headers).headers


def test_the_openapi_document_is_valid_openapi_3_1(client: Any) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    answers = document["components"]["schemas"]["Answers"]["properties"]
    assert answers["symptom_course"]["enum"] == [*CONTRACT["symptom_course"][1], None]
    assert answers["respondent"]["enum"] == ["self", "someone_else", None]
    assert answers["age"]["deprecated"] is True and "ignored" in answers["age"]["description"]


def test_the_openapi_check_can_fail(client: Any) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    document["paths"]["/api/v1/assessments"]["post"]["responses"] = "none"
    with pytest.raises(Exception, match='is not of type "object"'):
        validate(document)


FUZZ_APP = create_app({"SECRET_KEY": "fuzz", "RATE_LIMIT": "off"})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", FUZZ_APP)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzzing_finds_no_server_error_and_every_response_is_documented(case: Any) -> None:
    # Every built-in check runs (status codes, content types, response schemas, negative data refused,
    # undeclared methods) except "schema-valid data is accepted": which answers are required depends
    # on the rules (an emergency answer excuses the rest), which JSON Schema cannot say. Such answers
    # get the documented 422.
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500
