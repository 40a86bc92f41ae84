"""Front-desk call mode through the test client: one screen, staff wording, script and summary."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from webpages import ALL_QUIET, check_page, parse

from triage import create_app
from triage.rulebook import Rulebook

CALL = ALL_QUIET | {
    "breathlessness": "exertion", "weakness": "yes", "weakness_where": ["hands", "arms"], "weakness_side": "one_side",
    "dropping_objects": "yes", "twitching": "yes", "symptom_course": "worse_over_weeks_months",
    "worse_with_tiredness": "no",
}  # fmt: skip


@pytest.fixture
def staff_book(rulebook: Rulebook) -> Rulebook:
    return rulebook.in_voice("staff")


def post_call(client: Any, answers: dict[str, Any], *, token: bool = True) -> Any:
    data = dict(answers)
    if token:
        data["csrf_token"] = parse(client.get("/staff")).find("input", attrs={"name": "csrf_token"})["value"]
    return client.post("/staff", data=data)


def test_call_screen_has_every_question_in_staff_words_in_order(client: Any, staff_book: Rulebook) -> None:
    soup = check_page(client.get("/staff"), staff_book)
    prompts = [tag.get_text(strip=True) for tag in soup.select(".legend, .label")]
    expected = []  # each question, or the "do any of these apply?" list it is asked in, once
    for question in staff_book.questions:
        group = staff_book.section_by_id[question.section].group_of.get(question.id)
        if not question.in_voice:
            continue  # the carer's own question is not asked on the call screen
        if group is None:
            expected.append(question.staff)
        elif group.questions[0] == question.id:
            expected.append(group.text)
    # Then the optional fields about the call, for the summary.
    assert prompts == [*expected, "Caller's name", "Callback number", *prompts[-2:]]
    assert prompts[-1] == "The caller's own words about the problem"
    assert soup.find(id="breathing_now").has_attr("autofocus")
    assert [tag["data-key"] for tag in soup.select("input[name=weakness]")] == ["y", "n"]
    together = soup.select("#swallowing_speech_signs-group input")
    assert [tag["data-key"] for tag in together] == ["1", "2", "3", "4", "5", "n"]  # each item, then "none of these"
    # The care list is asked only when the person is already diagnosed: revealed under that answer.
    care = soup.find(id="care_problems-group")
    assert care["data-reveal-for"] == "known_diagnosis" and care["data-reveal-values"] == "yes"
    assert [tag["data-key"] for tag in soup.select("input[name=breathlessness]")] == ["1", "2", "3", "4"]
    script = soup.find(id="emergency-script")
    assert script.has_attr("hidden") and staff_book.top_level.staff_script in script.get_text()


def test_a_full_call_gives_the_script_and_a_summary_with_every_answer(client: Any, staff_book: Rulebook) -> None:
    response = post_call(client, CALL)
    assert response.status_code == 200
    soup = check_page(response, staff_book)
    assert soup.h1.get_text(strip=True) == "Contact a doctor today"
    script = " ".join(soup.select_one("ol.script").get_text(" ").split())
    level = staff_book.level_by_id["urgent"]
    for text in (level.staff_script, level.where, level.safety_net, staff_book.meta.disclaimer):
        assert text in script
    assert "Nurse line: call 811" in script  # a number to give the caller
    assert "When you call, you can say: “Their problems have been getting worse over weeks or months.”" in script
    summary = soup.find(id="call-summary").get_text()
    assert "Advice: Contact a doctor today. Their family doctor or nurse practitioner is best" in summary
    assert "\n- The caller said the person's problems are getting worse over weeks or months.\n" in summary
    # Plain words, no codes: each question as staff read it, and the answer as they chose it.
    for qid, value in CALL.items():
        question = staff_book.question_by_id[qid]
        values = value if isinstance(value, list) else [value]
        shown = ", ".join(option.label for option in question.options if option.value in values)
        assert f"\n- {question.staff} {shown}\n" in summary
    assert not re.search(r"\[urgent\]|\b(weakness_where|worse_over_weeks_months)\b", summary)
    assert f"Questions: version {staff_book.meta.version}, DRAFT: not signed" in summary
    assert "Draft: not yet reviewed by a clinician." in soup.select_one(".draft-notice").get_text()
    assert staff_book.meta.disclaimer in summary
    with client.session_transaction() as session:
        assert "answers" not in session  # nothing is kept


def test_the_first_emergency_answer_ends_the_call(client: Any, staff_book: Rulebook) -> None:
    response = post_call(client, {"choking_now": "yes"})  # ticked in the list of emergency signs
    soup = check_page(response, staff_book)
    assert soup.h1.get_text(strip=True) == "Call 911 now"
    summary = soup.find(id="call-summary").get_text()
    choking, speech = (staff_book.question_by_id[q].staff for q in ("choking_now", "speech"))
    assert f"- {choking} Yes\n" in summary and f"- {speech} Not asked\n" in summary


def test_a_missing_answer_keeps_the_others(client: Any, staff_book: Rulebook) -> None:
    response = post_call(client, {k: v for k, v in CALL.items() if k != "breathlessness"})
    assert response.status_code == 200
    soup = check_page(response, staff_book)
    assert [a["href"] for a in soup.select(".error-summary a")] == ["#breathlessness"]
    assert soup.find("input", attrs={"name": "symptom_course", "checked": True})["value"] == "worse_over_weeks_months"


def test_tampering_is_a_400(client: Any, staff_book: Rulebook) -> None:
    assert post_call(client, CALL | {"speech": "slurry"}).status_code == 400
    assert post_call(client, CALL | {"notes": "hello"}).status_code == 400
    response = post_call(client, CALL, token=False)
    assert response.status_code == 400
    assert "open for a long time" in check_page(response, staff_book).select_one(".error-summary").get_text()


def test_staff_mode_can_be_turned_off() -> None:
    client = create_app({"SECRET_KEY": "x", "STAFF_MODE": False}).test_client()
    assert client.get("/staff").status_code == 404
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("value", ["true", "false"])
def test_staff_mode_setting_from_the_environment(value: str) -> None:
    from triage.config import settings_from_env

    assert settings_from_env({"TRIAGE_STAFF_MODE": value})["STAFF_MODE"] is (value == "true")


def test_the_call_summary_is_dated_in_the_clinics_time_zone(staff_book: Rulebook) -> None:
    client = create_app({"SECRET_KEY": "x", "TESTING": True, "TIMEZONE": "America/Edmonton"}).test_client()
    summary = check_page(post_call(client, CALL), staff_book).find(id="call-summary").get_text()
    assert re.search(r"Date and time: \w+day, \w+ \d{1,2}, \d{4}, \d{1,2}:\d\d\s[ap]\.m\. M[SD]T\n", summary), summary


CALLER = {
    "caller_name": "Pat Example",
    "caller_phone": "403 555 0199",
    "caller_relationship": "daughter",
    "caller_words": "Dad keeps coughing when he drinks tea.\nHe says it started last month.",
}


def test_what_staff_type_about_the_call_goes_into_the_summary_and_nowhere_else(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = post_call(client, {**CALL, **CALLER, "caller_name": "Pat \x1b[31mExample"})
    assert response.status_code == 200
    summary = parse(response).find(id="call-summary").get_text()
    assert "Caller's name: Pat [31mExample" in summary  # the control character is dropped
    assert "Callback number: 403 555 0199" in summary and "Who they are to the person: daughter" in summary
    assert "The caller's own words about the problem: Dad keeps coughing when he drinks tea." in summary
    # Never stored: no cookie carries them; never logged.
    assert "Set-Cookie" not in response.headers or "Pat" not in response.headers["Set-Cookie"]
    with client.session_transaction() as session:
        assert "Pat" not in str(dict(session))
    assert "Pat" not in caplog.text and "0199" not in caplog.text and "coughing" not in caplog.text


def test_the_fields_about_the_call_are_optional_and_bounded(client: Any) -> None:
    response = post_call(client, CALL)
    assert response.status_code == 200 and "Caller's name" not in parse(response).find(id="call-summary").get_text()
    too_long = post_call(client, {**CALL, "caller_name": "x" * 101})
    assert too_long.status_code == 200
    soup = parse(too_long)
    assert soup.find(id="caller_name-error") is not None and soup.find(id="call-summary") is None
    assert soup.find(id="caller_name")["value"] == "x" * 101  # what was typed is kept


def test_the_call_screen_says_what_to_do_when_the_problem_is_not_on_the_list(client: Any) -> None:
    text = " ".join(parse(client.get("/staff")).get_text(" ").split())
    assert "If the caller's problem is not on this list:" in text
    assert "You can call 811 to talk to a nurse about it, at any time. If it is an emergency, call 911." in text


def test_the_call_is_offered_as_the_fhir_bundle_assess_gives(client: Any) -> None:
    from fhir.resources.R4B import get_fhir_model_class
    from test_fhir import outcome

    response = post_call(client, CALL | {"caller_name": "Ana Lee", "caller_words": "My dad drops his cup"})
    soup = parse(response)
    bundle = json.loads(soup.find(id="call-bundle").get_text())
    get_fhir_model_class("Bundle").model_validate(bundle)
    api = client.post("/api/v1/assessments", json={"answers": CALL}).get_json()
    assert outcome(bundle) == (api["level"], [r["rule"] for r in api["reasons"]], api["complete"])
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds == ["QuestionnaireResponse", "Observation", "ServiceRequest"]
    # The same Bundle, for the same answers, as $assess gives it (but for the ids and the moment made).
    answers = bundle["entry"][0]["resource"]
    assessed = client.post("/fhir/Questionnaire/triage/$assess", json=answers).get_json()
    assert outcome(assessed) == outcome(bundle)
    text = json.dumps(bundle)
    assert "Ana Lee" not in text and "drops his cup" not in text  # about the caller: the summary only
    assert soup.find(attrs={"data-download": "call-bundle"})["data-type"] == "application/fhir+json"


def test_a_call_screen_with_messages_is_the_same_from_kept_fields(client: Any) -> None:
    """Fields left unanswered show their own message from the rule book, kept once rendered (the
    same for every call): the page is the same as one with every field rendered anew."""
    token = re.compile(r'name="csrf_token" type="hidden" value="[^"]*"')

    def post() -> str:
        partly = {k: v for k, v in CALL.items() if k not in ("speech", "weight_loss", "breathlessness")}
        response = post_call(client, partly)
        assert "There is a problem" in response.text  # the advice is not given: answers are missing
        return token.sub("TOKEN", response.text)

    kept = client.application.extensions["triage"]["fields"]["en", "staff"]._blank_staff
    kept.clear()
    client.get("/staff?again=1")  # a call screen rendered in full: every field blank, and kept
    warm = post()  # the unanswered fields with their message: rendered, and kept too
    assert any(with_message for *_, with_message in kept if isinstance(with_message, bool) and with_message)
    assert post() == warm  # from what was kept
    kept.clear()
    assert post() == warm  # the same as every field rendered anew
