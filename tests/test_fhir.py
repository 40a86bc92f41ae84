"""FHIR R4: the Questionnaire, `$assess` and the Bundle, checked against outside parts (the
`fhir.resources` models, and the Questionnaire's invariants in FHIRPath by `fhirpathpy`), and the
same levels, reasons and completeness as the JSON API for the same answers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhirpathpy import evaluate
from hypothesis import HealthCheck, given, settings
from test_properties import answer_sets
from webpages import ALL_QUIET, TO_LEVEL

from triage import create_app
from triage.engine import check_answers
from triage.fhir import Systems, response_from_answers

APP = create_app({"SECRET_KEY": "f" * 32, "RATE_LIMIT": "off"})
BOOK = APP.extensions["triage"]["rulebook"]
BASE = "http://localhost/"
SYSTEMS = Systems(BASE)
ASSESS = "/fhir/Questionnaire/triage/$assess"
VOICES = {"self": "self", "someone_else": "other"}

# The Questionnaire invariants (R4 and SDC) that the models do not check, in FHIRPath: each names
# the items that break it, so a passing check finds none.
INVARIANTS = {
    "que-2 linkIds are unique": "Questionnaire.repeat(item).linkId.isDistinct().not()",
    "que-12 enableBehavior wherever there is more than one enableWhen": (
        "Questionnaire.repeat(item).where(enableWhen.count() > 1 and enableBehavior.empty())"
    ),
    "que-1 a group holds items": "Questionnaire.repeat(item).where(type = 'group' and item.empty())",
    "que-1 a display item holds no items": "Questionnaire.repeat(item).where(type = 'display' and item.exists())",
    "que-6 display items are neither required nor repeat": (
        "Questionnaire.repeat(item).where(type = 'display' and (required.exists() or repeats.exists()))"
    ),
    "que-5 only choice items have answer options": (
        "Questionnaire.repeat(item).where(answerOption.exists() and type != 'choice' and type != 'open-choice')"
    ),
    "que-7 'exists' tests take a boolean": (
        "Questionnaire.repeat(item).enableWhen.where(operator = 'exists' and answer.ofType(boolean).empty())"
    ),
}


def validate(resource: dict[str, Any]) -> None:
    """Raises if `resource` is not a valid FHIR resource of its type (R4B models)."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def questionnaire(respondent: str = "self") -> dict[str, Any]:
    response = APP.test_client().get(f"/fhir/Questionnaire/triage?respondent={respondent}")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    return response.get_json()  # type: ignore[no-any-return]


def items(resource: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            found.append(node)
            walk(node.get("item", []))

    walk(resource.get("item", []))
    return found


def response_for(answers: dict[str, Any], respondent: str = "self") -> dict[str, Any]:
    book = BOOK.in_voice(VOICES[respondent])
    clean, errors = check_answers(book, answers)
    assert not errors
    return response_from_answers(book, SYSTEMS, clean, "2026-11-25T16:00:00+00:00")


def fhir_assess(response: dict[str, Any], respondent: str = "self") -> Any:
    return APP.test_client().post(
        f"{ASSESS}?respondent={respondent}", json=response, headers={"Content-Type": "application/fhir+json"}
    )


def json_assess(answers: dict[str, Any], respondent: str = "self") -> dict[str, Any]:
    body = {"answers": {**answers, "respondent": respondent}}
    return APP.test_client().post("/api/v1/assessments", json=body).get_json()  # type: ignore[no-any-return]


def outcome(bundle: dict[str, Any]) -> tuple[str, list[str], bool]:
    """The level, the reasons' rules and completeness, as the Bundle's Observation gives them."""
    (observation,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    level = observation["valueCodeableConcept"]["coding"][0]["code"]
    parts = observation["component"]
    reasons = [
        c["valueCodeableConcept"]["coding"][0]["code"] for c in parts if c["code"]["coding"][0]["code"] == "reason"
    ]
    (complete,) = [c["valueBoolean"] for c in parts if c["code"]["coding"][0]["code"] == "complete"]
    return level, reasons, complete


@pytest.mark.parametrize("respondent", VOICES)
def test_the_questionnaire_is_valid_fhir_and_keeps_its_invariants(respondent: str) -> None:
    resource = questionnaire(respondent)
    validate(resource)
    for name, expression in INVARIANTS.items():
        assert evaluate(resource, expression) in ([], [False]), name
    seen: dict[str, dict[str, Any]] = {}
    for item in items(resource):
        for test in item.get("enableWhen", []):
            trigger = seen.get(test["question"])
            assert trigger is not None, f"{item['linkId']} depends on an item that does not come before it"
            if "answerCoding" in test:
                options = [o["valueCoding"] for o in trigger["answerOption"]]
                assert test["answerCoding"]["code"] in [o["code"] for o in options]
                assert test["answerCoding"]["system"] in [o["system"] for o in options]
        seen[item["linkId"]] = item


def test_the_invariant_checks_can_fail() -> None:
    broken = questionnaire()
    section = broken["item"][1]
    section["item"].append(copy.deepcopy(section["item"][-1]))  # a linkId twice
    section["item"].append({"linkId": "x", "type": "display", "text": "x", "required": True})
    found = [name for name, expression in INVARIANTS.items() if evaluate(broken, expression) not in ([], [False])]
    assert found == ["que-2 linkIds are unique", "que-6 display items are neither required nor repeat"]


def test_the_questionnaire_is_the_rule_books() -> None:
    resource = questionnaire()
    assert resource["url"] == f"{BASE}fhir/Questionnaire/triage"
    assert resource["version"] == BOOK.meta.version
    assert resource["status"] == "draft"  # not signed
    assert resource["item"][0] == {"linkId": "disclaimer", "type": "display", "text": BOOK.meta.disclaimer}
    assert [section["linkId"] for section in resource["item"][1:]] == [s.id for s in BOOK.sections]
    links = {item["linkId"] for item in items(resource)}
    for question in BOOK.questions:
        asked_in_list = any(question.id in g.questions for g in BOOK.groups)
        assert question.id in links or (asked_in_list and question.id not in links) or not question.in_voice
    emergency = next(i for i in items(resource) if i["linkId"] == "emergency_signs")
    codes = [o["valueCoding"]["code"] for o in emergency["answerOption"]]
    assert codes == [*BOOK.groups[0].questions, "none"]
    exclusive = emergency["answerOption"][-1]["extension"][0]
    assert exclusive == {
        "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive",
        "valueBoolean": True,
    }
    follow_up = next(i for i in items(resource) if i["linkId"] == "weakness_where")
    assert follow_up["enableWhen"] == [
        {"question": "weakness", "operator": "=", "answerCoding": {"system": SYSTEMS.answers, "code": "yes"}}
    ]
    assert follow_up["repeats"] is True
    course = next(i for i in items(resource) if i["linkId"] == "symptom_course")
    assert course["enableBehavior"] == "any" and len(course["enableWhen"]) == 5
    ticked = {"system": SYSTEMS.questions, "code": "trouble_walking"}  # a yes in a list: its code ticked
    assert {"question": "movement_signs", "operator": "=", "answerCoding": ticked} in course["enableWhen"]
    care = next(i for i in resource["item"] if i["linkId"] == "care")
    assert care["enableWhen"][0]["question"] == "known_diagnosis"  # the page asked of people diagnosed
    carers = [i for i in items(questionnaire("someone_else")) if i["linkId"] == "carer_coping"]
    assert carers and "carer_coping" not in links  # asked only of someone answering for another person


def test_metadata_is_a_valid_capability_statement() -> None:
    response = APP.test_client().get("/fhir/metadata")
    assert response.mimetype == "application/fhir+json"
    validate(response.get_json())
    assert response.get_json()["rest"][0]["resource"][0]["operation"][0]["name"] == "assess"


@pytest.mark.parametrize("level", TO_LEVEL)
@pytest.mark.parametrize("respondent", VOICES)
def test_assess_gives_the_json_apis_level_as_a_valid_bundle(level: str, respondent: str) -> None:
    answers = {**ALL_QUIET, **TO_LEVEL[level]}
    if respondent == "someone_else":
        answers["carer_coping"] = "no"
    response = fhir_assess(response_for(answers, respondent), respondent)
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    assert response.headers["Content-Language"] == "en"
    bundle = response.get_json()
    validate(bundle)
    for entry in bundle["entry"]:
        validate(entry["resource"])
    expected = json_assess(answers, respondent)
    assert outcome(bundle) == (expected["level"], [r["rule"] for r in expected["reasons"]], expected["complete"])
    assert outcome(bundle)[0] == level
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    visit = level in ("urgent", "soon")
    assert kinds == ["QuestionnaireResponse", "Observation", *(["ServiceRequest"] if visit else [])]
    notes = " ".join(n["text"] for n in bundle["entry"][1]["resource"]["note"])
    assert BOOK.in_voice(VOICES[respondent]).meta.disclaimer in notes
    if visit:
        request = bundle["entry"][2]["resource"]
        assert request["intent"] == "proposal"
        assert request["priority"] == ("urgent" if level == "urgent" else "routine")


def test_an_emergency_alone_is_enough_and_says_it_is_incomplete() -> None:
    response = response_for({"choking_now": "yes"})
    bundle = fhir_assess(response).get_json()
    assert outcome(bundle) == ("emergency", ["choking_now"], False)


def errors_of(response: Any) -> list[tuple[str, str | None]]:
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome", body
    validate(body)
    found = []
    for issue in body["issue"]:
        expression = issue.get("expression", [None])[0]
        link = expression.split("linkId = '")[1].rstrip("')") if expression else None
        found.append((issue["details"]["coding"][0]["code"] if "coding" in issue["details"] else issue["code"], link))
    return found


def test_missing_and_invalid_answers_are_an_operation_outcome_with_the_items_link_id() -> None:
    response = response_for({**ALL_QUIET})
    section = next(i for i in response["item"] if i["linkId"] == "muscles")
    section["item"] = [i for i in section["item"] if i["linkId"] != "movement_signs"]  # the list left out
    course = next(i for i in response["item"] if i["linkId"] == "breathing_swallowing_speech")
    course["item"][0]["answer"] = [{"valueCoding": {"system": SYSTEMS.answers, "code": "sometimes"}}]
    result = fhir_assess(response)
    assert result.status_code == 422
    assert errors_of(result) == [("invalid_choice", "breathlessness"), ("required", "movement_signs")]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("twice", [("duplicate_item", "emergency_signs")]),
        ("none_and_one", [("invalid_choice", "emergency_signs")]),
        ("two_answers", [("invalid_choice", "known_diagnosis")]),
        ("unknown", [("unknown_question", "age")]),
        ("old_version", [("wrong_questionnaire", None)]),
        ("other_system", [("invalid_choice", "known_diagnosis")]),
        ("not_fhir", [("structure", None)]),
        ("bad_status", [("structure", None)]),
        ("not_a_response", [("not_a_questionnaire_response", None)]),
    ],
)
def test_ambiguous_or_foreign_responses_are_refused_not_guessed(change: str, expected: list[Any]) -> None:
    response = response_for({**ALL_QUIET})
    emergency = response["item"][0]["item"][0]
    background = next(i for i in response["item"] if i["linkId"] == "background")
    known = next(i for i in background["item"] if i["linkId"] == "known_diagnosis")
    if change == "twice":
        response["item"][0]["item"].append(copy.deepcopy(emergency))
    elif change == "none_and_one":
        emergency["answer"].append({"valueCoding": {"system": SYSTEMS.questions, "code": "chest_pain"}})
    elif change == "two_answers":
        known["answer"].append({"valueCoding": {"system": SYSTEMS.answers, "code": "yes"}})
    elif change == "unknown":
        background["item"].append({"linkId": "age", "answer": [{"valueInteger": 70}]})
    elif change == "old_version":
        response["questionnaire"] = f"{SYSTEMS.questionnaire}|2.1.0"
    elif change == "other_system":
        known["answer"][0]["valueCoding"]["system"] = "http://snomed.info/sct"
    elif change == "not_fhir":
        response["authored"] = "last Tuesday"
    elif change == "bad_status":
        response["status"] = "finished-ish"
    elif change == "not_a_response":
        response["resourceType"] = "Questionnaire"
    result = fhir_assess(response)
    assert result.status_code == 422
    assert errors_of(result) == expected


@pytest.mark.parametrize(
    ("send", "status"),
    [
        ({"data": b"{", "content_type": "application/fhir+json"}, 400),
        (
            {
                "data": b'{"resourceType": "QuestionnaireResponse", "status": "completed", "status": "x"}',
                "content_type": "application/fhir+json",
            },
            400,
        ),
        ({"data": b"resourceType=QuestionnaireResponse", "content_type": "application/x-www-form-urlencoded"}, 415),
    ],
)
def test_bad_requests_are_an_operation_outcome(send: dict[str, Any], status: int) -> None:
    response = APP.test_client().post(ASSESS, **send)
    assert response.status_code == status and response.mimetype == "application/fhir+json"
    validate(response.get_json())


def test_fhir_routes_set_no_cookie_and_their_errors_are_operation_outcomes() -> None:
    client = APP.test_client()
    assert "Set-Cookie" not in client.get("/fhir/Questionnaire/triage").headers
    for response, status in ((client.get("/fhir/Patient/1"), 404), (client.delete("/fhir/metadata"), 405)):
        assert response.status_code == status and response.mimetype == "application/fhir+json"
        validate(response.get_json())
    assert client.get("/fhir/Questionnaire/triage?respondent=robot").status_code == 400


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_sets())
def test_fhir_and_the_json_api_agree_for_any_answers(answers: dict[str, Any]) -> None:
    bundle = fhir_assess(response_for(answers)).get_json()
    expected = json_assess(answers)
    assert outcome(bundle) == (expected["level"], [r["rule"] for r in expected["reasons"]], expected["complete"])


def test_the_examples_are_current_and_valid() -> None:
    import importlib.util

    script = Path(__file__).parents[1] / "scripts" / "fhir_examples.py"
    spec = importlib.util.spec_from_file_location("fhir_examples", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, resource in module.examples().items():
        written = (module.OUT / name).read_text(encoding="utf-8")
        assert written == module.text(resource), f"examples/fhir/{name} is out of date: run scripts/fhir_examples.py"
        validate(resource)


def test_a_response_made_at_another_address_of_the_service_is_read() -> None:
    made_elsewhere = json.loads(
        json.dumps(response_for({**ALL_QUIET, **TO_LEVEL["soon"]})).replace(BASE, "https://triage.clinic.example/")
    )
    assert outcome(fhir_assess(made_elsewhere).get_json())[0] == "soon"
    foreign = json.loads(json.dumps(made_elsewhere).replace("fhir/CodeSystem/triage-answers", "fhir/CodeSystem/other"))
    assert fhir_assess(foreign).status_code == 422


@pytest.mark.parametrize("levels", [18, 19, 400])
def test_a_deeply_nested_response_is_refused_quickly_not_a_server_error(levels: int) -> None:
    nested: dict[str, Any] = {"linkId": "a"}
    for _ in range(levels):
        nested = {"linkId": "a", "item": [nested]}
    body = json.dumps({"resourceType": "QuestionnaireResponse", "status": "completed", "item": [nested]})
    response = APP.test_client().post(ASSESS, data=body, content_type="application/fhir+json")
    assert response.status_code in (400, 422)  # 400: deeper than JSON is read at all
    assert response.get_json()["resourceType"] == "OperationOutcome"
