"""Canadian plain words everywhere a person reads (CLINICAL.md, "Words"): no British or internal
words on any page, in any voice, on the call screen, in errors or in the API's texts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from webpages import QUIET, TO_LEVEL, Visitor

from triage import create_app

# The words a visitor, a carer or a receptionist should not meet, and what to say instead.
FORBIDDEN = re.compile(
    r"\btick(?:s|ed|ing)?\b"  # "check"
    r"|\bcall handler\b"  # "the 911 operator"
    r"|\bmotor neurone disease\b"  # "ALS" ("also called MND" where it helps)
    r"|\bred flags?\b"  # "warning signs"
    r"|\brule book\b"  # internal: "the questions"
    r"|\blast one that fits\b"  # "the one that fits best" / "the worst one"
    r"|\bselect all that apply\b",  # one instruction for multiple choice: "Check each one that applies"
    re.IGNORECASE,
)


def words_on(html: str) -> str:
    soup = parse_html(html)
    for hidden in soup(["script", "style"]):
        hidden.decompose()
    return " ".join(soup.get_text(" ").split())


def parse_html(html: str) -> Any:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def every_text_a_person_reads() -> dict[str, str]:
    app = create_app({"SECRET_KEY": "w" * 32, "RATE_LIMIT": "off"})
    found: dict[str, str] = {}
    for respondent in ("self", "someone_else"):
        for level, answers in TO_LEVEL.items():
            for diagnosed in ("no", "yes"):
                visitor = Visitor(app.test_client())
                visitor.start(respondent)
                overrides = {**answers, "known_diagnosis": diagnosed, "carer_coping": "no", "low_mood": "yes"}
                for section, quiet in QUIET.items():
                    if section == "care" and diagnosed != "yes":
                        continue
                    page = visitor.client.get(f"/questions/{section}")
                    if page.status_code == 200:
                        found[f"{respondent} page {section}"] = words_on(page.get_data(as_text=True))
                    blank = visitor.client.post(
                        f"/questions/{section}", data={"csrf_token": visitor.token(f"/questions/{section}")}
                    )
                    found[f"{respondent} errors {section}"] = words_on(blank.get_data(as_text=True))
                    mine = {**quiet, **{k: v for k, v in overrides.items() if k in quiet or k.startswith("weakness")}}
                    response = visitor.answer(section, mine)
                    if response.location and response.location.endswith("/result"):
                        break
                found[f"{respondent} result {level} {diagnosed}"] = words_on(
                    visitor.client.get("/result").get_data(as_text=True)
                )
                found[f"{respondent} start page with answers"] = words_on(
                    visitor.client.get("/").get_data(as_text=True)
                )
    client = app.test_client()
    for path in ("/", "/staff", "/nowhere", "/result"):
        found[f"page {path}"] = words_on(client.get(path).get_data(as_text=True))
    for respondent in ("self", "someone_else"):
        found[f"API {respondent}"] = client.get(f"/api/v1/questionnaire?respondent={respondent}").get_data(as_text=True)
    return found


@pytest.mark.slow
def test_no_british_or_internal_words_anywhere_a_person_reads() -> None:
    texts = every_text_a_person_reads()
    assert len(texts) > 40
    found = {where: sorted(set(FORBIDDEN.findall(text))) for where, text in texts.items() if FORBIDDEN.search(text)}
    assert found == {}


@pytest.mark.parametrize(
    "sentence",
    ["Tick each one that applies.", "Tell the call handler.", "MND means motor neurone disease.", "No red flags.",
     "Rule book version 2.1.0", "If more than one fits, choose the last one that fits.", "Select all that apply."],
)  # fmt: skip
def test_the_word_check_can_fail(sentence: str) -> None:
    assert FORBIDDEN.search(sentence)
