"""Helpers for web tests: a visitor that answers like a browser, and checks every page must pass."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from triage.rulebook import Rulebook, load_rulebook

SECTION_OF = {q.id: q.section for q in load_rulebook().questions}

# Answers that report nothing, by section: a visitor overrides what a test is about.
QUIET: dict[str, dict[str, Any]] = {
    "emergency": {
        "breathing_now": "no", "choking_now": "no", "chest_pain": "no", "sudden_symptoms": "no",
        "sudden_headache": "no", "drowsy_confused": "no", "fever_stiff_neck": "no", "fall_injury": "no",
        "bladder_bowel": "no", "self_harm_now": "no",
    },
    "background": {"known_diagnosis": "no", "sudden_symptoms_gone": "no"},
    # Asked only of people already diagnosed (the visitor passes the page over for others).
    "care": {"breathing_machine_problem": "no", "feeding_tube_problem": "no", "bowel_blocked": "no"},
    "breathing_swallowing_speech": {
        "breathlessness": "none", "morning_headaches": "no", "swallowing": "no", "choking_episodes": "no",
        "speech": "no", "chest_infection": "no",
    },
    "muscles": {
        "weakness": "no", "trouble_walking": "no", "dropping_objects": "no", "twitching": "no", "cramps": "no",
        "calf_swelling": "no",
    },
    "changes": {
        "numbness": "no", "double_vision": "no", "weight_loss": "none", "family_history": "no", "low_mood": "no",
        "self_harm_thoughts": "no", "carer_coping": "no", "other_worry": "no",
    },
}  # fmt: skip
# Every quiet answer, in one mapping: of someone not diagnosed, answering for themselves.
NOT_ASKED = {"breathing_machine_problem", "feeding_tube_problem", "bowel_blocked", "carer_coping"}
ALL_QUIET: dict[str, Any] = {k: v for answers in QUIET.values() for k, v in answers.items() if k not in NOT_ASKED}
# Answers that reach each level when laid over QUIET.
TO_LEVEL: dict[str, dict[str, Any]] = {
    "emergency": {"breathlessness": "at_rest"},
    "urgent": {"choking_episodes": "yes"},
    "soon": {"twitching": "yes"},
    "routine": {},
}


def parse(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def check_page(response: TestResponse, rulebook: Rulebook) -> BeautifulSoup:
    """What every page must have: one h1, unique ids, working in-page links, the disclaimer, nothing foreign."""
    soup = parse(response)
    assert soup.html is not None and soup.html.get("lang") == "en"
    assert len(soup.find_all("h1")) == 1, "a page has exactly one h1"
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    assert [i for i, n in ids.items() if n > 1] == [], "duplicate ids"
    for link in soup.find_all("a", href=True):
        if link["href"].startswith("#"):
            assert link["href"][1:] in ids, f"link to missing id {link['href']}"
    for tag in soup.find_all(attrs={"aria-describedby": True}):
        for target in tag["aria-describedby"].split():
            assert target in ids, f"aria-describedby names missing id {target}"
    for tag in soup.find_all(["label"]):
        assert tag.get("for") in ids, f"label for missing id {tag.get('for')}"
    text = " ".join(soup.get_text(" ").split())
    assert rulebook.meta.disclaimer in text
    for tag in soup.find_all(["script", "link", "img", "iframe", "form", "a"]):
        if "contact__link" in tag.get("class", ()):
            continue  # a clinic's own booking page: a link the person may follow, not a request the page makes
        for attribute in ("src", "href", "action"):
            url = tag.get(attribute, "")
            assert not url.startswith(("http:", "https:", "//")), f"third-party or absolute URL {url}"
            assert "?" not in url, f"no query strings (answers never go in URLs): {url}"
    return soup


class Visitor:
    """Answers pages as a browser would: reads the CSRF token from the page, posts the form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def token(self, path: str) -> str:
        field = parse(self.client.get(path)).find("input", attrs={"name": "csrf_token"})
        assert field is not None, f"no CSRF token on {path}"
        return str(field["value"])

    def answer(self, section: str, answers: dict[str, Any], *, token: bool = True) -> TestResponse:
        path = f"/questions/{section}"
        data = {k: v for k, v in answers.items() if v is not None}
        if token:
            data["csrf_token"] = self.token(path)
        return self.client.post(path, data=data)

    def start(self, respondent: str = "self") -> TestResponse:
        """Press one of the start page's two buttons."""
        token = self.token("/")
        return self.client.post("/start", data={"respondent": respondent, "csrf_token": token})

    def answer_all(self, overrides: dict[str, Any] | None = None) -> TestResponse:
        """Go through every section (stopping early at an emergency); return the last response.
        Each override goes to the section that asks its question (follow-ups included)."""
        overrides = overrides or {}
        response = None
        for section, quiet in QUIET.items():
            if section == "care" and overrides.get("known_diagnosis") != "yes":
                continue
            answers = {**quiet, **{k: v for k, v in overrides.items() if SECTION_OF[k] == section}}
            response = self.answer(section, answers)
            assert response.status_code == 303, response.get_data(as_text=True)[:2000]
            if response.location.endswith("/result"):
                break
        assert response is not None
        return response

    def stored(self) -> dict[str, Any]:
        with self.client.session_transaction() as session:
            return dict(session.get("answers", {}))
