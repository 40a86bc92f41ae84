"""Advice that fits the clock: outside the clinic's opening hours (in its time zone, daylight saving
included), the 'today' advice leads with what can be done now; the level never changes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from test_rulebook import broken, line
from webpages import ALL_QUIET, TO_LEVEL, Visitor, parse

from triage import create_app, dates
from triage.config import ConfigError, settings_from_env
from triage.hours import HoursError, parse_hours

UTC = datetime.UTC
EDMONTON = "America/Edmonton"  # MDT (UTC-6) until 1 November 2026, then MST (UTC-7)


def urgent_result(monkeypatch: pytest.MonkeyPatch, moment: datetime.datetime, **config: Any) -> Any:
    monkeypatch.setattr(dates, "utc_now", lambda: moment)
    app = create_app(
        {"SECRET_KEY": "h" * 32, "RATE_LIMIT": "off", **settings_from_env({"TRIAGE_TIMEZONE": EDMONTON}), **config}
    )
    visitor = Visitor(app.test_client())
    visitor.answer_all(TO_LEVEL["urgent"])
    return parse(visitor.client.get("/result"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("moment", "closed"),
    [
        # Friday 30 October 2026, daylight time (UTC-6): 08:00 local is 14:00 UTC.
        (datetime.datetime(2026, 10, 30, 13, 59, tzinfo=UTC), True),
        (datetime.datetime(2026, 10, 30, 14, 0, tzinfo=UTC), False),
        (datetime.datetime(2026, 10, 30, 22, 59, tzinfo=UTC), False),  # 16:59
        (datetime.datetime(2026, 10, 30, 23, 0, tzinfo=UTC), True),  # 17:00
        # Monday 2 November 2026, after the change to standard time (UTC-7): 08:00 local is 15:00 UTC.
        (datetime.datetime(2026, 11, 2, 14, 59, tzinfo=UTC), True),  # 07:59, though 14:59 UTC was open in October
        (datetime.datetime(2026, 11, 2, 15, 0, tzinfo=UTC), False),
        # Saturday: closed all day; 9:19 p.m. on a weekday too.
        (datetime.datetime(2026, 10, 31, 18, 0, tzinfo=UTC), True),
        (datetime.datetime(2026, 11, 3, 4, 19, tzinfo=UTC), True),  # Monday 21:19 MST
    ],
)
def test_todays_advice_fits_the_clinics_clock(
    monkeypatch: pytest.MonkeyPatch, moment: datetime.datetime, closed: bool
) -> None:
    soup = urgent_result(monkeypatch, moment)
    assert soup.h1.get_text(strip=True) == "Contact a doctor today"  # the level never changes
    where = " ".join(soup.select_one(".card__where").get_text(" ").split())
    said = " ".join(node.get_text(" ") for node in soup.select(".card__title, .card__when, .card__where"))
    assert said.lower().count("today") == 1  # the card says by when once
    if closed:
        assert where.startswith("Offices are closed now, so go to an urgent care")
        assert "call the nurse line at 811 at any time" in where
        first = soup.select_one(".contacts li").get_text(" ", strip=True)
        assert first.startswith("Urgent care or after-hours clinic")  # what can be done now, first
    else:
        assert where.startswith("Call your family doctor's office or nurse practitioner.")
        assert "closed" not in where


@pytest.mark.parametrize(
    ("moment", "closed"),
    [
        (datetime.datetime(2026, 11, 2, 14, 59, tzinfo=UTC), True),  # Monday 07:59 MST
        (datetime.datetime(2026, 11, 2, 15, 0, tzinfo=UTC), False),  # 08:00
        (datetime.datetime(2026, 11, 3, 4, 19, tzinfo=UTC), True),  # Monday 21:19
    ],
)
def test_the_api_gives_the_words_for_the_clinics_clock(
    monkeypatch: pytest.MonkeyPatch, moment: datetime.datetime, closed: bool
) -> None:
    monkeypatch.setattr(dates, "utc_now", lambda: moment)
    app = create_app({"SECRET_KEY": "h" * 32, "RATE_LIMIT": "off", **settings_from_env({"TRIAGE_TIMEZONE": EDMONTON})})
    answers = {**ALL_QUIET, **TO_LEVEL["urgent"]}
    body = app.test_client().post("/api/v1/assessments", json={"answers": answers}).get_json()
    assert body["level"] == "urgent"  # the level never changes
    assert body["clinic_closed"] is closed
    if closed:
        assert body["where"].startswith("Offices are closed now, so go to an urgent care")
    else:
        assert body["where"].startswith("Call your family doctor's office")


def test_the_opening_hours_setting_overrides_the_rule_books(monkeypatch: pytest.MonkeyPatch) -> None:
    saturday_noon = datetime.datetime(2026, 10, 31, 18, 0, tzinfo=UTC)  # 12:00 MDT
    hours = settings_from_env({"TRIAGE_OPENING_HOURS": "Mon-Fri 08:00-20:00, Sat 09:00-13:00"})
    soup = urgent_result(monkeypatch, saturday_noon, **hours)
    assert "closed" not in soup.select_one(".card__where").get_text()


@pytest.mark.parametrize(
    "value", ["always", "Mon-Fri 17:00-08:00", "Fri-Mon 08:00-17:00", "Mon 25:00-26:00", "x" * 300]
)
def test_opening_hours_that_cannot_be_read_are_refused_by_name(value: str) -> None:
    with pytest.raises(HoursError):
        parse_hours(value)
    with pytest.raises(ConfigError, match="TRIAGE_OPENING_HOURS"):
        settings_from_env({"TRIAGE_OPENING_HOURS": value})


def test_opening_hours_in_the_rule_book_are_checked_with_their_line(tmp_path: Any) -> None:
    old = "opening_hours: Mon-Fri 08:00-17:00"
    path, lines = broken(tmp_path, old, "opening_hours: weekdays")
    assert lines[0].startswith(f"{path}:{line(old)}: opening_hours: write opening hours like")


def test_the_call_screen_gets_the_after_hours_words_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from webpages import ALL_QUIET

    monkeypatch.setattr(dates, "utc_now", lambda: datetime.datetime(2026, 11, 3, 4, 19, tzinfo=UTC))
    app = create_app({"SECRET_KEY": "h" * 32, "RATE_LIMIT": "off", **settings_from_env({"TRIAGE_TIMEZONE": EDMONTON})})
    client = app.test_client()
    token = parse(client.get("/staff")).find("input", attrs={"name": "csrf_token"})["value"]
    response = client.post("/staff", data={**ALL_QUIET, "choking_episodes": "yes", "csrf_token": token})
    assert "Offices are closed now" in parse(response).select_one("ol.script").get_text()


def test_one_app_follows_the_clock_from_one_minute_to_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    # Friday 30 October 2026 in Edmonton (UTC-6): open until 17:00. The same app, the clock moved on:
    # the advice and the time the result says it was made both follow (they are kept for a minute).
    now = [datetime.datetime(2026, 10, 30, 22, 59, 59, tzinfo=UTC)]
    monkeypatch.setattr(dates, "utc_now", lambda: now[0])
    app = create_app({"SECRET_KEY": "h" * 32, "RATE_LIMIT": "off", **settings_from_env({"TRIAGE_TIMEZONE": EDMONTON})})
    visitor = Visitor(app.test_client())
    visitor.answer_all(TO_LEVEL["urgent"])

    def result() -> tuple[str, str]:
        soup = parse(visitor.client.get("/result"))
        made = " ".join(soup.select_one("p.meta").get_text(" ").split())
        return " ".join(soup.select_one(".card__where").get_text(" ").split()), made

    where, made = result()
    assert not where.startswith("Offices are closed now") and "4:59" in made
    now[0] = datetime.datetime(2026, 10, 30, 23, 0, tzinfo=UTC)
    where, made = result()
    assert where.startswith("Offices are closed now") and "5:00" in made
