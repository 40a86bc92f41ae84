"""Rate limits: generous by default, a burst beyond them gets a clear 429, and they can be turned off."""

from __future__ import annotations

from typing import Any

import pytest
from webpages import QUIET, Visitor, check_page

from triage import create_app
from triage.config import ConfigError, settings_from_env
from triage.rulebook import Rulebook

ASSESS = {"answers": {"breathing_now": "yes"}}


def limited(rate: str = "3 per minute", **settings: Any) -> Any:
    return create_app({"SECRET_KEY": "x", "RATE_LIMIT": rate, **settings}).test_client()


def test_a_burst_of_api_calls_gets_429_saying_when_to_retry() -> None:
    client = limited()
    responses = [client.post("/api/v1/assessments", json=ASSESS) for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    # An answer is not told to wait; only a refusal is (RFC 9110).
    assert ["Retry-After" in r.headers for r in responses] == [False, False, False, True, True]
    response = client.post("/api/v1/assessments", json=ASSESS)
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    error = response.get_json()["errors"][0]
    assert error["code"] == "too_many_requests"
    assert error["message"].startswith("Too many requests. Try again in ") and error["message"].endswith(" seconds.")


def test_a_burst_of_form_posts_gets_a_429_page(rulebook: Rulebook) -> None:
    client = limited()
    visitor = Visitor(client)
    for _ in range(3):
        visitor.answer("emergency", QUIET["emergency"])
    response = visitor.answer("emergency", QUIET["emergency"])
    assert response.status_code == 429 and "Retry-After" in response.headers
    soup = check_page(response, rulebook)
    assert soup.h1.get_text(strip=True) == "Too many requests"
    assert "Please wait" in soup.get_text() and "seconds, then try again" in soup.get_text()
    # Reading pages is not limited, and the answers already given are kept.
    assert client.get("/questions/background").status_code == 200
    assert visitor.stored() == QUIET["emergency"]


def test_the_default_is_generous(visitor: Visitor) -> None:
    for _ in range(3):
        visitor.answer_all()
    assert visitor.client.post("/api/v1/assessments", json=ASSESS).status_code == 200


def test_limits_can_be_turned_off() -> None:
    client = limited("off")
    assert all(client.post("/api/v1/assessments", json=ASSESS).status_code == 200 for _ in range(20))


def test_health_check_reports_the_rule_book_and_is_never_limited(rulebook: Rulebook) -> None:
    client = limited("1 per minute")
    for _ in range(5):
        response = client.get("/healthz")
        assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "rate_limit_store": "ok",
        "rulebook": {
            "title": rulebook.meta.title,
            "version": rulebook.meta.version,
            "status": "draft",
            "signed_by": None,
            "signed_on": None,
            "notice": "Draft: not yet reviewed by a clinician",
        },
    }
    assert "Set-Cookie" not in response.headers


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_count() -> None:
    client = limited("2 per minute", TRUSTED_PROXIES=1)
    first = {"X-Forwarded-For": "203.0.113.1"}
    second = {"X-Forwarded-For": "203.0.113.2"}
    assert [client.post("/api/v1/assessments", json=ASSESS, headers=first).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert client.post("/api/v1/assessments", json=ASSESS, headers=second).status_code == 200


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_limit() -> None:
    client = limited("2 per minute")
    statuses = [
        client.post("/api/v1/assessments", json=ASSESS, headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("value", ["lots", "12 per fortnight"])
def test_a_bad_rate_limit_setting_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="TRIAGE_RATE_LIMIT"):
        settings_from_env({"TRIAGE_RATE_LIMIT": value})


def test_rate_limit_settings_from_the_environment() -> None:
    settings = settings_from_env(
        {
            "TRIAGE_RATE_LIMIT": "10/second",
            "TRIAGE_RATE_LIMIT_STORAGE": "redis://cache:6379",
            "TRIAGE_TRUSTED_PROXIES": "1",
        }
    )
    assert settings == {"RATE_LIMIT": "10/second", "RATE_LIMIT_STORAGE": "redis://cache:6379", "TRUSTED_PROXIES": 1}


def test_the_api_and_fhir_are_limited_for_every_method_and_pages_only_for_posts() -> None:
    client = limited()
    assert [client.get("/api/v1/questionnaire").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert [client.get("/fhir/metadata").status_code for _ in range(4)] == [200, 200, 200, 429]
    visitor = Visitor(limited())
    # Reading pages, however often, never counts: the form posts still have all three.
    for _ in range(10):
        assert visitor.client.get("/").status_code == 200
        assert visitor.client.get("/questions/emergency").status_code == 200
    assert [visitor.answer("emergency", QUIET["emergency"]).status_code for _ in range(4)] == [303, 303, 303, 429]
