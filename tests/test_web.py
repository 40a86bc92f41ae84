"""The visitor's pages through Flask's test client: the flow, bad input, privacy and headers."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from webpages import QUIET, TO_LEVEL, Visitor, check_page, parse

from triage import create_app
from triage.config import ConfigError, settings_from_env
from triage.rulebook import EMERGENCY_QUESTIONS, Rulebook, RulebookError, default_rules_path
from triage.security import SecurityHeaders, fixed_headers

# -- the factory --------------------------------------------------------------------------------


def test_the_factory_takes_test_settings(app: Any) -> None:
    assert app.config["TESTING"] and app.config["SECRET_KEY"] == "test-secret"
    assert not app.jinja_env.auto_reload  # templates are compiled once


def test_a_secret_key_is_required(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"No secret key\. Set TRIAGE_SECRET_KEY"):
        create_app({}, instance_path=str(tmp_path))


def test_the_secret_key_can_come_from_the_instance_folder(tmp_path: Path) -> None:
    key = "from-the-file-" + "0" * 32
    (tmp_path / "secret_key").write_text(key + "\n")
    assert create_app({}, instance_path=str(tmp_path)).config["SECRET_KEY"] == key


def test_a_broken_rule_book_stops_start_up_with_its_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(default_rules_path().read_text().replace("level: urgent", "level: urgnet", 1))
    with pytest.raises(RulebookError, match=rf"{rules}:\d+: unknown level 'urgnet'"):
        create_app({"SECRET_KEY": "x", "RULES_PATH": str(rules)})


def test_settings_come_from_the_environment() -> None:
    settings = settings_from_env(
        {
            "TRIAGE_SECRET_KEY": "k" * 32,
            "TRIAGE_EMERGENCY_NUMBER": "999",
            "TRIAGE_FRAME_ANCESTORS": "https://clinic.example",
            "TRIAGE_HTTPS": "true",
            "TRIAGE_SESSION_IDLE_MINUTES": "20",
        }
    )
    assert settings == {
        "SECRET_KEY": "k" * 32,
        "EMERGENCY_NUMBER": "999",
        "FRAME_ANCESTORS": "https://clinic.example",
        "HTTPS": True,
        "SESSION_IDLE_MINUTES": 20,
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [("TRIAGE_HTTPS", "maybe"), ("TRIAGE_SESSION_IDLE_MINUTES", "soon"), ("TRIAGE_MAX_BODY_BYTES", "0")],
)
def test_a_bad_setting_is_refused_with_its_name(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        settings_from_env({name: value})


def test_the_emergency_number_setting_reaches_every_page() -> None:
    app = create_app({"SECRET_KEY": "x", "EMERGENCY_NUMBER": "999"})
    text = app.test_client().get("/").get_data(as_text=True)
    assert "call 999" in text and "911" not in text


# -- the pages ----------------------------------------------------------------------------------


def test_start_page_says_what_the_tool_does_and_does_not(client: Any, rulebook: Rulebook) -> None:
    soup = check_page(client.get("/"), rulebook)
    text = soup.get_text(" ")
    assert "does not tell you what is causing your symptoms" in text
    assert "We do not store your answers" in text
    assert "3 to 5 minutes" in text
    assert "Call 911 now" in text
    form = soup.find("form", action="/start")
    buttons = {b["value"]: b.get_text(strip=True) for b in form.find_all("button")}
    assert buttons == {
        "self": "Start: I am answering for myself",
        "someone_else": "Start: I am answering for someone else",
    }
    assert form.find("input", attrs={"name": "csrf_token"}) is not None


@pytest.mark.parametrize(("respondent", "legend"), [
    ("self", "Is any of these happening to you right now?"),
    ("someone_else", "Is any of these happening to the person right now?"),
])  # fmt: skip
def test_each_start_button_leads_to_the_questions_in_its_voice(
    visitor: Visitor, client: Any, rulebook: Rulebook, respondent: str, legend: str
) -> None:
    response = visitor.start(respondent)
    assert response.status_code == 303 and response.location == "/questions/emergency"
    voice = "other" if respondent == "someone_else" else "self"
    soup = check_page(client.get(response.location), rulebook.in_voice(voice))
    assert soup.find("legend").get_text(strip=True) == legend


def test_a_start_button_pressed_on_an_expired_page_says_so_and_loses_nothing(
    visitor: Visitor, client: Any, rulebook: Rulebook
) -> None:
    visitor.answer("emergency", QUIET["emergency"])
    response = client.post("/start", data={"respondent": "someone_else"})  # no CSRF token
    assert response.status_code == 400
    soup = check_page(response, rulebook)
    assert soup.h1.get_text(strip=True) == "We could not start the questions"
    assert visitor.stored() == QUIET["emergency"]


def test_a_start_button_starts_new_answers_and_continue_keeps_the_earlier_ones(
    visitor: Visitor, client: Any, rulebook: Rulebook
) -> None:
    """The daughter's story: she answers for her father, then a start button for herself starts
    fresh, never showing his answers in her voice; only "Continue the earlier answers" goes back."""
    visitor.start("someone_else")
    visitor.answer_all({"swallowing": "yes", "symptom_course": "worse_over_weeks_months", "worse_with_tiredness": "no"})
    start = parse(client.get("/"))
    box = start.find(id="earlier-title").find_parent("div")
    assert "Continue the earlier answers" in box.get_text() and "Start again" in box.get_text()
    assert "chew" not in start.get_text().lower()  # the earlier answers are not shown here
    # "Continue the earlier answers" goes back to them, in the voice they were given in.
    token = visitor.token("/")
    again = client.post("/start", data={"respondent": "continue", "csrf_token": token})
    assert again.status_code == 303 and again.location == "/result"
    assert "You said it is hard for the person to chew or swallow." in client.get("/result").get_data(as_text=True)
    # A start button starts new answers: his are gone, and nothing is shown in her voice.
    response = visitor.start("self")
    assert response.location == "/questions/emergency"
    assert visitor.stored() == {}
    assert client.get("/result").status_code == 409
    assert parse(client.get("/")).find(id="earlier-title") is None
    soup = check_page(client.get("/questions/emergency"), rulebook)
    assert soup.find("legend").get_text(strip=True) == "Is any of these happening to you right now?"


def test_first_question_page_holds_only_the_emergency_questions(client: Any, rulebook: Rulebook) -> None:
    soup = check_page(client.get("/questions/emergency"), rulebook)
    names = sorted({tag["name"] for tag in soup.find_all("input") if tag["name"] != "csrf_token"})
    # One "is any of these happening?" list: an item for each emergency question, and "none of these".
    assert names == sorted([*EMERGENCY_QUESTIONS, "emergency_signs"])
    legends = [legend.get_text(strip=True) for legend in soup.find_all("legend")]
    assert legends == ["Is any of these happening to you right now?"]
    items = [label.get_text(strip=True) for label in soup.select(".choice__label")]
    assert items == [*(q.item for q in rulebook.sections[0].questions), "No, none of these"]


@pytest.mark.parametrize("question", EMERGENCY_QUESTIONS)
def test_any_emergency_yes_goes_straight_to_the_emergency_result(
    visitor: Visitor, rulebook: Rulebook, question: str
) -> None:
    response = visitor.answer("emergency", {**QUIET["emergency"], question: "yes"})
    assert response.status_code == 303 and response.location == "/result"
    soup = check_page(visitor.client.get("/result"), rulebook)
    assert soup.h1.get_text(strip=True) == "Call 911 now"
    text = " ".join(soup.get_text(" ").split())
    assert "What to tell the 911 operator" in text and "While you wait for help" in text
    assert "We did not ask the other questions, because this needs help now." in text
    assert rulebook.top_level.safety_net in text


def test_one_emergency_yes_is_enough_even_with_the_others_unanswered(visitor: Visitor, rulebook: Rulebook) -> None:
    response = visitor.answer("emergency", {"breathing_now": "yes"})
    assert response.status_code == 303 and response.location == "/result"
    assert check_page(visitor.client.get("/result"), rulebook).h1.get_text(strip=True) == "Call 911 now"
    # ... but nothing ticked, not even "none of these", is asked again.
    response = visitor.answer("emergency", {})
    assert response.status_code == 200
    summary = [a.get_text() for a in parse(response).select(".error-summary a")]
    assert summary == ["Check each one that is happening, or check “No, none of these”"]


def test_none_of_these_answers_each_emergency_question_no(visitor: Visitor) -> None:
    response = visitor.answer("emergency", {"emergency_signs": "none"})
    assert response.status_code == 303 and response.location == "/questions/background"
    assert visitor.stored() == QUIET["emergency"]


def test_none_of_these_and_an_emergency_ticked_together_are_asked_again(visitor: Visitor, rulebook: Rulebook) -> None:
    response = visitor.answer("emergency", {"emergency_signs": "none", "choking_now": "yes"})
    assert response.status_code == 200 and visitor.stored() == {}
    soup = check_page(response, rulebook)
    assert [a.get_text() for a in soup.select(".error-summary a")] == [
        "Check “No, none of these”, or the ones that apply, but not both"
    ]


@pytest.mark.parametrize("level", ["emergency", "urgent", "soon", "routine"])
def test_the_questionnaire_reaches_each_level(visitor: Visitor, rulebook: Rulebook, level: str) -> None:
    last = visitor.answer_all(TO_LEVEL[level])
    assert last.location == "/result"  # no separate "check your answers" page: the result lists them
    soup = check_page(visitor.client.get("/result"), rulebook)
    card = soup.find(class_=f"card--{level}")
    assert card is not None and card.h1.get_text(strip=True) == rulebook.level_by_id[level].title
    assert card.find("svg", attrs={"aria-hidden": "true"}) is not None  # icon, as well as colour and words
    text = " ".join(soup.get_text(" ").split())
    assert rulebook.level_by_id[level].timeframe.lower() in text.lower()  # in the title, or a "When" line
    assert rulebook.level_by_id[level].safety_net in text
    assert f"Questions version {rulebook.meta.version}: a draft, not yet reviewed by a clinician" in text
    assert "Draft: not yet reviewed by a clinician." in soup.select_one(".draft-notice").get_text()
    assert rulebook.meta.reviewed_on not in text  # a date that was never a clinical review is not shown as one


def test_result_gives_reasons_in_the_persons_own_answers(visitor: Visitor, rulebook: Rulebook) -> None:
    visitor.answer_all({"twitching": "yes", "numbness": "yes"})
    soup = check_page(visitor.client.get("/result"), rulebook)
    reasons = [li.get_text(" ", strip=True) for li in soup.select(".reasons li")]
    assert reasons[0] == "You said your muscles twitch."
    assert reasons[1].startswith("You said you feel numbness or tingling. Numbness or tingling also needs a doctor")


def test_weakness_follow_ups_are_on_the_page_for_browsers_without_javascript(
    client: Any, visitor: Visitor, rulebook: Rulebook
) -> None:
    for section in ("emergency", "background", "breathing_swallowing_speech"):
        visitor.answer(section, QUIET[section])
    soup = check_page(client.get("/questions/muscles"), rulebook)
    for follow_up in ("weakness_where", "weakness_side"):
        group = soup.find(id=f"{follow_up}-group")
        assert group["data-reveal-for"] == "weakness" and group["data-reveal-values"] == "yes"
        assert "Only answer this if you chose “Yes” for “Do any of your muscles feel weak?”" in group.get_text()


def test_follow_ups_are_required_only_when_they_apply(visitor: Visitor, rulebook: Rulebook) -> None:
    for section in ("emergency", "background", "breathing_swallowing_speech"):
        visitor.answer(section, QUIET[section])
    response = visitor.answer("muscles", {**QUIET["muscles"], "weakness": "yes"})
    assert response.status_code == 200
    soup = check_page(response, rulebook)
    links = [(a["href"], a.get_text()) for a in soup.select(".error-summary a")]
    assert links == [
        ("#weakness_where", "Select where you feel weak"),
        ("#weakness_side", "Select which side of your body feels weak"),
    ]
    # With "No", answers left in the follow-ups (JavaScript off) are ignored, not stored.
    response = visitor.answer("muscles", {**QUIET["muscles"], "weakness_where": "arms", "weakness_side": "one_side"})
    assert response.status_code == 303
    assert "weakness_side" not in visitor.stored()


def test_how_problems_are_changing_is_asked_after_any_of_them_not_only_weakness(
    visitor: Visitor, client: Any, rulebook: Rulebook
) -> None:
    for section in ("emergency", "background", "breathing_swallowing_speech"):
        visitor.answer(section, QUIET[section])
    visitor.answer("muscles", QUIET["muscles"])
    names = {tag["name"] for tag in parse(client.get("/questions/changes")).find_all("input", attrs={"type": "radio"})}
    assert "symptom_course" not in names  # nothing to ask about
    visitor.answer("muscles", {**QUIET["muscles"], "trouble_walking": "yes"})  # "I trip", not "weak"
    soup = check_page(client.get("/questions/changes"), rulebook)
    legends = [legend.get_text(strip=True) for legend in soup.find_all("legend")]
    assert legends[:2] == [
        "How are the problems with your muscles, movement, speech or swallowing changing?",
        "Are these problems worse when you are tired, and better after rest?",
    ]
    response = visitor.answer("changes", QUIET["changes"])
    assert response.status_code == 200
    errors = [a["href"] for a in parse(response).select(".error-summary a")]
    assert errors == ["#symptom_course", "#worse_with_tiredness"]


def test_back_links_keep_answers(visitor: Visitor, client: Any, rulebook: Rulebook) -> None:
    visitor.answer("emergency", QUIET["emergency"])
    visitor.answer("background", QUIET["background"])
    visitor.answer(
        "breathing_swallowing_speech", {**QUIET["breathing_swallowing_speech"], "breathlessness": "exertion"}
    )
    soup = check_page(client.get("/questions/muscles"), rulebook)
    assert soup.find("a", class_="back-link")["href"] == "/questions/breathing_swallowing_speech"
    soup = check_page(client.get("/questions/breathing_swallowing_speech"), rulebook)
    assert soup.find("input", attrs={"name": "breathlessness", "checked": True})["value"] == "exertion"
    assert soup.find("a", class_="back-link")["href"] == "/questions/background"
    # The care page is asked only of people already diagnosed: visited by its address, it sends
    # everyone else back to the page before it.
    response = client.get("/questions/care")
    assert response.status_code == 303 and response.location == "/questions/background"


def test_someone_already_diagnosed_goes_back_through_the_care_page(visitor: Visitor, client: Any) -> None:
    visitor.answer("emergency", QUIET["emergency"])
    visitor.answer("background", {**QUIET["background"], "known_diagnosis": "yes"})
    soup = parse(client.get("/questions/care"))
    assert soup.h1.get_text(strip=True) == "Your care at home"
    assert soup.find("p", class_="caption") is None  # an extra page: no "Step N of M"
    visitor.answer("care", QUIET["care"])
    soup = parse(client.get("/questions/breathing_swallowing_speech"))
    assert soup.find("a", class_="back-link")["href"] == "/questions/care"
    assert soup.find("p", class_="caption").get_text(strip=True) == "Step 3 of 5"


def test_the_result_lists_every_answer_with_a_change_link(visitor: Visitor, client: Any, rulebook: Rulebook) -> None:
    visitor.answer_all(
        {
            "weakness": "yes",
            "weakness_where": ["arms", "legs"],
            "weakness_side": "both_sides",
            "symptom_course": "not_getting_worse",
            "worse_with_tiredness": "no",
        }
    )
    soup = check_page(client.get("/result"), rulebook)
    rows = soup.select(".answers .summary__row")
    # Every question applies here, but the care list (for people already diagnosed) and the carer's;
    # a list asked together is one row (the items checked, or "none of these").
    asked = [q for q in rulebook.questions if q.in_voice and q.section != "care"]
    grouped = [q for q in asked if q.id in rulebook.section_by_id[q.section].group_of]
    lists = {rulebook.section_by_id[q.section].group_of[q.id].id for q in grouped}
    assert len(rows) == len(asked) - len(grouped) + len(lists)
    values = {row.dt.get_text(strip=True): row.select_one(".summary__value").get_text(strip=True) for row in rows}
    assert values["Where do you feel weak?"] == "Arms, Legs"
    assert values["Is any of these happening to you right now?"] == "No, none of these"
    assert values["How are the problems with your muscles, movement, speech or swallowing changing?"] == (
        "They are not getting worse"
    )
    links = soup.select(".answers .summary-heading a")
    pages = [section for section in rulebook.sections if section.id != "care"]
    assert len(links) == len(pages)  # a link to change the answers of each page
    for link, section in zip(links, pages, strict=True):
        assert link["href"] == f"/questions/{section.id}"
        assert link.get_text(" ", strip=True) == f"Change your answers on: {section.title}"
        page = parse(client.get(link["href"]))
        assert page.h1.get_text(strip=True) == section.title


def test_changing_an_answer_returns_to_the_result(visitor: Visitor, client: Any) -> None:
    visitor.answer_all()
    response = visitor.answer(
        "breathing_swallowing_speech", {**QUIET["breathing_swallowing_speech"], "choking_episodes": "yes"}
    )
    assert response.location == "/result"
    assert "Contact a doctor today" in client.get("/result").text


def test_an_old_check_your_answers_link_leads_to_the_answers_on_the_result(client: Any) -> None:
    response = client.get("/check")
    assert response.status_code == 303 and response.location == "/result#answers"


def test_start_again_clears_everything(visitor: Visitor, client: Any, rulebook: Rulebook) -> None:
    visitor.answer_all(TO_LEVEL["soon"])
    token = visitor.token("/result")
    response = client.post("/start-again", data={"csrf_token": token})
    assert response.status_code == 303 and response.location == "/"
    with client.session_transaction() as session:
        assert dict(session) == {}
    soup = check_page(client.get("/result"), rulebook)
    assert soup.h1.get_text(strip=True) == "We could not find your answers"


@pytest.mark.parametrize("path", ["/result", "/questions/muscles"])
def test_a_page_reached_too_early_explains_and_leads_to_the_first_step(
    client: Any, rulebook: Rulebook, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 409
    soup = check_page(response, rulebook)
    assert soup.h1.get_text(strip=True) == "We could not find your answers"
    assert soup.find("a", string="Start the questions")["href"] == "/questions/emergency"


def test_a_skipped_section_leads_back_to_the_right_step(visitor: Visitor, client: Any, rulebook: Rulebook) -> None:
    visitor.answer("emergency", QUIET["emergency"])
    response = client.get("/questions/changes")
    assert response.status_code == 409
    soup = check_page(response, rulebook)
    assert soup.h1.get_text(strip=True) == "Some questions are not answered yet"
    assert soup.find("a", string="Go to the next question")["href"] == "/questions/background"


@pytest.mark.slow
def test_an_expired_session_explains_what_happened(
    visitor: Visitor, client: Any, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    visitor.answer_all(TO_LEVEL["urgent"])
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    soup = check_page(client.get("/result"), rulebook)
    assert soup.h1.get_text(strip=True) == "We could not find your answers"
    assert "more than 30 minutes passed since your last step" in soup.get_text(" ")


def test_unknown_section_is_a_friendly_404(client: Any, rulebook: Rulebook) -> None:
    response = client.get("/questions/nothing-here")
    assert response.status_code == 404
    assert check_page(response, rulebook).h1.get_text(strip=True) == "Page not found"


# -- bad input ----------------------------------------------------------------------------------


def test_a_missing_answer_gets_the_error_summary_and_keeps_the_others(visitor: Visitor, rulebook: Rulebook) -> None:
    visitor.answer("emergency", QUIET["emergency"])
    visitor.answer("background", QUIET["background"])
    partial = {k: v for k, v in QUIET["breathing_swallowing_speech"].items() if k != "breathlessness"}
    response = visitor.answer("breathing_swallowing_speech", {**partial, "swallowing": "yes"})
    assert response.status_code == 200
    soup = check_page(response, rulebook)
    assert soup.title.get_text().startswith("Error: ")
    message = rulebook.question_by_id["breathlessness"].error
    assert [a.get_text() for a in soup.select(".error-summary a")] == [message]
    assert soup.select_one(".error-summary a")["href"] == "#breathlessness"
    error = soup.find(id="breathlessness-error")
    assert error.get_text(" ", strip=True) == f"Error: {message}"
    assert "breathlessness-error" in soup.find(id="breathlessness").find_parent("fieldset")["aria-describedby"]
    checked = {tag["name"]: tag["value"] for tag in soup.find_all("input", checked=True)}
    assert checked == {"swallowing": "yes"}  # what was ticked is still ticked


def test_a_tampered_option_is_a_400_with_the_fields_own_message(visitor: Visitor, rulebook: Rulebook) -> None:
    response = visitor.answer("emergency", {**QUIET["emergency"], "choking_now": "perhaps"})
    assert response.status_code == 400
    soup = check_page(response, rulebook)
    assert [a.get_text() for a in soup.select(".error-summary a")] == ["Select whether you are choking right now"]
    assert "Select whether you are choking right now" in soup.select_one("#emergency_signs-error").get_text()


def test_an_unknown_field_is_a_400_and_nothing_is_stored(visitor: Visitor, rulebook: Rulebook) -> None:
    response = visitor.answer("emergency", {**QUIET["emergency"], "diagnosis": "please"})
    assert response.status_code == 400
    soup = check_page(response, rulebook)
    assert "The page sent something we did not expect" in soup.select_one(".error-summary").get_text()
    assert visitor.stored() == {}


def test_an_expired_csrf_token_keeps_the_answers_and_says_so(visitor: Visitor, rulebook: Rulebook) -> None:
    visitor.token("/questions/emergency")  # the page was seen: the browser holds the session cookie
    response = visitor.answer("emergency", {**QUIET["emergency"], "choking_now": "no"}, token=False)
    assert response.status_code == 400
    soup = check_page(response, rulebook)
    assert "This page was open for a long time" in soup.select_one(".error-summary").get_text()
    assert [tag["name"] for tag in soup.find_all("input", checked=True)] == ["emergency_signs"]  # "none of these"
    assert visitor.stored() == {}


def test_a_post_without_the_session_cookie_says_why_and_how_to_go_on(visitor: Visitor, rulebook: Rulebook) -> None:
    """As in a frame on another site whose browser blocks the cookie: not "open for a long time"."""
    response = visitor.answer("emergency", {**QUIET["emergency"], "choking_now": "no"}, token=False)
    assert response.status_code == 400
    soup = check_page(response, rulebook)
    summary = soup.select_one(".error-summary").get_text()
    assert "your browser did not send back this site's cookie" in summary and "long time" not in summary
    link = soup.find("a", string="Open the questions in a new tab")
    assert link["href"] == "/" and link["target"] == "_blank"
    assert [tag["name"] for tag in soup.find_all("input", checked=True)] == ["emergency_signs"]  # nothing lost


def test_page_views_reuse_one_signed_token_until_half_its_time_limit(visitor: Visitor, client: Any, app: Any) -> None:
    first = visitor.token("/questions/emergency")
    again = client.get("/questions/emergency")
    assert "Set-Cookie" not in again.headers  # a page view does not rewrite the cookie
    assert parse(again).find("input", attrs={"name": "csrf_token"})["value"] == first
    with client.session_transaction() as session:  # the kept token is now half the time limit old
        issued, token = session["csrf_signed"]
        session["csrf_signed"] = [issued - app.config["WTF_CSRF_TIME_LIMIT"] // 2, token]
    renewed = client.get("/questions/emergency")
    assert "Set-Cookie" in renewed.headers  # a fresh token was signed and kept
    with client.session_transaction() as session:
        assert time.time() - session["csrf_signed"][0] < 60
    response = visitor.answer("emergency", QUIET["emergency"])
    assert response.status_code == 303 and visitor.stored() == QUIET["emergency"]


def test_an_oversized_body_is_a_413_page(visitor: Visitor, client: Any, rulebook: Rulebook) -> None:
    visitor.answer("emergency", QUIET["emergency"])
    response = client.post("/questions/background", data={"known_diagnosis": "no", "padding": "x" * 20_000})
    assert response.status_code == 413
    soup = check_page(response, rulebook)
    assert soup.h1.get_text(strip=True) == "What you sent was too large"
    assert soup.find("a", string="Go back to that page and try again")["href"] == "/questions/background"
    assert visitor.stored() == QUIET["emergency"]


def test_wrong_method_is_a_friendly_405(client: Any, rulebook: Rulebook) -> None:
    response = client.get("/start-again")
    assert response.status_code == 405
    check_page(response, rulebook)


def test_a_server_error_is_a_friendly_500_without_a_traceback(rulebook: Rulebook) -> None:
    app = create_app({"SECRET_KEY": "x", "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    logging.getLogger(app.name).disabled = True
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    soup = check_page(response, rulebook)
    assert soup.h1.get_text(strip=True) == "Sorry, something went wrong"
    assert "secret internals" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(
        as_text=True
    )


# -- privacy and security -------------------------------------------------------------------------


def test_answers_never_appear_in_urls_or_logs(visitor: Visitor, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    answers = {
        "weakness": "yes",
        "weakness_where": ["face_neck"],
        "weakness_side": "one_side",
        "symptom_course": "worse_over_weeks_months",
        "worse_with_tiredness": "no",
        "sudden_symptoms_gone": "last_7_days",
    }
    visitor.answer_all(answers)
    response = visitor.client.get("/result")
    assert response.status_code == 200
    logged = caplog.text
    for value in ("face_neck", "one_side", "worse_over_weeks_months", "last_7_days"):
        assert value not in logged
    for section in QUIET:
        if section != "care":  # asked only of people already diagnosed
            location = visitor.answer(section, QUIET[section]).location or ""
            assert "?" not in location


def test_security_headers_on_every_page(client: Any) -> None:
    for path in ("/", "/questions/emergency", "/result", "/nope", "/static/app.css"):
        with client.get(path) as response:
            headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "frame-ancestors 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in headers
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite_lax(visitor: Visitor) -> None:
    response = visitor.answer("emergency", QUIET["emergency"])
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("triage_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_https_deployments_get_secure_cookies_and_hsts() -> None:
    app = create_app({"SECRET_KEY": "x", "HTTPS": True, "FRAME_ANCESTORS": "https://clinic.example"})
    client = app.test_client()
    visitor = Visitor(client)
    response = visitor.answer("emergency", QUIET["emergency"])
    assert "Secure" in response.headers["Set-Cookie"]
    headers = client.get("/").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert "frame-ancestors https://clinic.example" in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers


def test_question_pages_and_the_result_fit_the_weight_budget(visitor: Visitor, client: Any, rulebook: Rulebook) -> None:
    assets = 0
    for name in ("app.css", "app.js", "favicon.svg"):
        with client.get(f"/static/{name}") as response:
            assets += len(response.data)
    weights = {}
    diagnosed = {"known_diagnosis": "yes"}  # so that every page is asked, the care list included
    for section in rulebook.sections:
        page = client.get(f"/questions/{section.id}")
        assert page.status_code == 200
        weights[section.id] = len(page.data) + assets
        visitor.answer(section.id, {**QUIET[section.id], **(diagnosed if section.id == "background" else {})})
    weights["result, with every answer"] = len(client.get("/result").data) + assets
    assert max(weights.values()) <= 30 * 1024, weights


@pytest.mark.parametrize(
    ("given", "cache_control"),
    [
        ([("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "5")], ["no-store"]),
        ([("Content-Type", "application/json"), ("Cache-Control", "public, max-age=60")], ["no-store"]),
        ([("content-type", "Application/FHIR+JSON"), ("cache-control", "max-age=60")], ["no-store"]),
        ([("Content-Type", "text/css; charset=utf-8"), ("Cache-Control", "no-cache")], ["no-cache"]),
        ([("Content-Type", "image/svg+xml")], []),
    ],
)
def test_pages_and_answers_are_never_stored_and_other_files_keep_their_caching(
    given: list[tuple[str, str]], cache_control: list[str]
) -> None:
    sent: list[list[tuple[str, str]]] = []

    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", list(given))
        return [b""]

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        sent.append(headers)

    SecurityHeaders(app, fixed_headers("'self'", False))({}, start_response)
    assert [value for name, value in sent[0] if name.lower() == "cache-control"] == cache_control
    assert ("X-Content-Type-Options", "nosniff") in sent[0]
