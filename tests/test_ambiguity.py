"""Ambiguous input is refused, not guessed: a field sent twice, an item with "none of these", a JSON
key given twice, or a session of another layout. Each gets the form's or the API's own 4xx with a
message (or the page that explains an expired session), never a 500 and never one answer kept."""

from __future__ import annotations

from typing import Any

import pytest
from webpages import QUIET, Visitor, parse

from triage import create_app


@pytest.fixture
def app() -> Any:
    return create_app({"SECRET_KEY": "s" * 32, "RATELIMIT_ENABLED": False, "RATE_LIMIT": "off"})


def post_raw(visitor: Visitor, section: str, body: str) -> Any:
    token = visitor.token(f"/questions/{section}")
    return visitor.client.post(
        f"/questions/{section}",
        data=f"{body}&csrf_token={token}",
        content_type="application/x-www-form-urlencoded",
    )


@pytest.mark.parametrize(
    ("section", "before", "body"),
    [
        ("emergency", {}, "breathing_now=no&breathing_now=yes&emergency_signs=none"),
        ("emergency", {}, "breathing_now=yes&breathing_now=yes&emergency_signs=none"),  # item twice, with none
        ("emergency", {}, "emergency_signs=none&emergency_signs=none"),
        (
            "background",
            {"emergency": QUIET["emergency"]},
            "known_diagnosis=no&known_diagnosis=yes&sudden_symptoms_gone=no",
        ),
    ],
)
def test_a_field_sent_twice_is_refused_and_nothing_is_kept(
    app: Any, section: str, before: dict[str, dict[str, str]], body: str
) -> None:
    visitor = Visitor(app.test_client())
    for earlier, answers in before.items():
        assert visitor.answer(earlier, answers).status_code == 303
    kept = visitor.stored()
    response = post_raw(visitor, section, body)
    assert response.status_code == 400
    assert "The page sent something we did not expect" in response.get_data(as_text=True)
    assert visitor.stored() == kept  # the answer was not guessed


def test_one_option_twice_in_a_multiple_choice_is_refused_and_two_options_are_not(app: Any) -> None:
    visitor = Visitor(app.test_client())
    for section in ("emergency", "background", "breathing_swallowing_speech"):
        assert visitor.answer(section, QUIET[section]).status_code == 303
    rest = "weakness=yes&weakness_side=both_sides&movement_signs=none"
    assert post_raw(visitor, "muscles", f"weakness_where=hands&weakness_where=hands&{rest}").status_code == 400
    assert post_raw(visitor, "muscles", f"weakness_where=hands&weakness_where=arms&{rest}").status_code == 303
    assert visitor.stored()["weakness_where"] == ["arms", "hands"]


@pytest.mark.parametrize(
    "body",
    [
        '{"answers": {"speech": "no", "speech": "yes"}}',
        '{"answers": {}, "answers": {"speech": "yes"}}',
        '{"answers": {"weakness_where": ["hands"], "weakness_where": ["arms"]}}',
    ],
)
def test_a_json_key_given_twice_is_refused(app: Any, body: str) -> None:
    response = app.test_client().post("/api/v1/assessments", data=body, content_type="application/json")
    assert response.status_code == 400
    (error,) = response.get_json()["errors"]
    assert error["code"] == "duplicate_key" and "twice" in error["message"]


@pytest.mark.parametrize("body", ["[" * 10_000, '{"answers": {"x": 1' + "0" * 5000 + "}}"])
def test_deeply_nested_or_huge_json_is_a_400(app: Any, body: str) -> None:
    response = app.test_client().post("/api/v1/assessments", data=body, content_type="application/json")
    assert response.status_code in (400, 413)


@pytest.mark.parametrize("stored", [["breathing_now", "no"], "no", 7, {"1": "x", "breathing_now": {"a": 1}}])
def test_a_session_of_another_layout_is_treated_as_expired(app: Any, stored: Any) -> None:
    client = app.test_client()
    with client.session_transaction() as session:
        session["answers"] = stored
        session["respondent"] = ["self"]
    for path in ("/", "/questions/emergency", "/questions/muscles", "/result", "/staff"):
        response = client.get(path)
        assert response.status_code in (200, 303, 409), path
    result = client.get("/result")
    assert result.status_code == 409
    assert parse(result).h1.get_text(strip=True) == "We could not find your answers"
