"""Results people can act on: where to go and by when, who to call (with the clinic's own
services), what to say when they call, when the result was made, and the answers it came from."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from webpages import TO_LEVEL, Visitor, check_page, parse

from triage import create_app
from triage.config import ConfigError, settings_from_env
from triage.rulebook import RulebookError, default_rules_path

CLINIC = {
    "SERVICES": (
        ("clinic", "name", "Bow Valley Physio and Wellness"),
        ("clinic", "phone", "+1 403 555 0100"),
        ("clinic", "booking_url", "https://book.example.org/bow-valley"),
        ("family_doctor", "phone", "403 555 0111"),
        ("care_team", "phone", "403 555 0122"),
    ),
    "TIMEZONE": "America/Edmonton",
}


def clinic_visitor(**config: Any) -> Visitor:
    app = create_app({"SECRET_KEY": "test-secret", "TESTING": True, **CLINIC, **config})
    return Visitor(app.test_client())


def result(visitor: Visitor, answers: dict[str, Any], rulebook: Any) -> Any:
    visitor.answer_all(answers)
    return check_page(visitor.client.get("/result"), rulebook)


def words(node: Any) -> str:
    return " ".join(node.get_text(" ").split())


@pytest.mark.slow
@pytest.mark.parametrize("respondent", ["self", "someone_else"])
@pytest.mark.parametrize("diagnosed", ["no", "yes"])
@pytest.mark.parametrize("level", ["emergency", "urgent", "soon", "routine"])
def test_each_card_says_where_to_go_and_says_by_when_once(
    rulebook: Any, level: str, diagnosed: str, respondent: str
) -> None:
    visitor = Visitor(create_app({"SECRET_KEY": "w" * 32, "RATE_LIMIT": "off"}).test_client())
    visitor.start(respondent)
    book = rulebook.in_voice("other" if respondent != "self" else "self")
    soup = result(visitor, {**TO_LEVEL[level], "known_diagnosis": diagnosed}, book)
    card = soup.select_one(".card")
    shown = next(c.removeprefix("card--") for c in card["class"] if c.startswith("card--"))  # diagnosed: may differ
    timeframe = {lv.id: lv for lv in book.levels}[shown].for_answers({"known_diagnosis": diagnosed}).timeframe
    said = " ".join(words(node) for node in card.select(".card__title, .card__when, .card__where"))
    assert len(re.findall(rf"\b{re.escape(timeframe.lower())}\b", said.lower())) == 1, said
    assert len(words(card.select_one(".card__where"))) > 20  # where to go, in a sentence


def test_the_clinics_services_are_listed_with_tap_to_call_and_booking_links(rulebook: Any) -> None:
    soup = result(clinic_visitor(), TO_LEVEL["routine"], rulebook)
    links = {a.get_text(" ", strip=True): a["href"] for a in soup.select(".contacts a")}
    assert links["call 403 555 0111"] == "tel:4035550111"  # the family doctor
    assert links["call +1 403 555 0100"] == "tel:+14035550100"  # the clinic
    assert links["book online with Bow Valley Physio and Wellness"] == "https://book.example.org/bow-valley"
    assert "Bow Valley Physio and Wellness:" in words(soup.select_one(".contacts"))


def test_people_already_diagnosed_are_pointed_to_their_care_team(rulebook: Any) -> None:
    soup = result(clinic_visitor(), {"breathlessness": "lying_flat", "known_diagnosis": "yes"}, rulebook)
    assert words(soup.select_one(".card__where")).startswith("Call your ALS care team.")
    first = soup.select_one(".contacts li")
    assert words(first).startswith("ALS care team: call 403 555 0122")


@pytest.mark.parametrize("respondent", ["self", "someone_else"])
def test_a_routine_result_is_honest_about_what_the_questions_looked_for(
    visitor: Visitor, rulebook: Any, respondent: str
) -> None:
    visitor.start(respondent)
    visitor.answer_all({"carer_coping": "no"})
    soup = check_page(visitor.client.get("/result"), rulebook.in_voice("other" if respondent != "self" else "self"))
    card = soup.select_one(".card")
    assert "card--routine" in card["class"]
    title = words(soup.select_one(".card__title"))
    assert title == "None of the warning signs these questions look for"
    first = words(soup.select_one(".card__where")).split(". ")
    assert first[0].startswith("These questions look for warning signs")
    assert first[1].startswith("None of those signs were in your answers")
    assert first[2] == "The questions cannot rule out other problems"
    text = words(soup).lower()
    assert "do not need" not in text and "no need" not in text and "you are fine" not in text
    assert soup.select_one(".card svg") is None or "tick" not in str(soup.select_one(".card svg"))
    css = (Path(__file__).parents[1] / "static" / "app.css").read_text()
    routine = re.search(r"\.card--routine \.card__head \{ background: (#[0-9a-f]{6}); \}", css)
    assert routine is not None
    red, green, blue = (int(routine[1][i : i + 2], 16) for i in (1, 3, 5))
    assert not (green > red + 40 and green > blue + 40), "the routine card is not green (not an all-clear)"


def test_mood_answers_name_the_crisis_line_with_its_number(visitor: Visitor, rulebook: Any) -> None:
    soup = result(visitor, {"low_mood": "yes"}, rulebook)
    links = {a["href"] for a in soup.select(".contacts a")}
    assert "tel:988" in links
    assert "Suicide Crisis Helpline (call or text): call 9-8-8" in words(soup.select_one(".contacts"))


def test_the_crisis_line_is_not_listed_when_no_mood_answer_fired(visitor: Visitor, rulebook: Any) -> None:
    soup = result(visitor, TO_LEVEL["soon"], rulebook)
    assert "tel:988" not in {a["href"] for a in soup.select(".contacts a")}
    assert "call or text 9-8-8 at any time" in words(soup)  # the safety net still names it, in one sentence


def test_without_settings_only_the_nurse_line_has_a_number(visitor: Visitor, rulebook: Any) -> None:
    soup = result(visitor, TO_LEVEL["urgent"], rulebook)
    assert [a["href"] for a in soup.select(".contacts a")] == ["tel:811"]


def test_what_to_say_when_you_call_is_in_the_first_person(visitor: Visitor, rulebook: Any) -> None:
    soup = result(
        visitor,
        {
            "weakness": "yes",
            "weakness_where": ["hands"],
            "weakness_side": "one_side",
            "symptom_course": "worse_over_weeks_months",
            "worse_with_tiredness": "no",
        },
        rulebook,
    )
    say = soup.select_one(".say")
    assert say.h2.get_text(strip=True) == "What to say when you call"
    said = [li.get_text(strip=True) for li in say.select("li")]
    assert "“My problems have been getting worse over weeks or months.”" in said
    assert "“My weakness is mostly on one side of my body.”" in said
    assert not any(line.startswith("“You") for line in said)


def test_someone_answering_for_another_person_gets_words_about_them(visitor: Visitor, rulebook: Any) -> None:
    visitor.start("someone_else")
    soup = result(visitor, TO_LEVEL["soon"], rulebook.in_voice("other"))
    said = words(soup.select_one(".say"))
    assert "Say who you are calling about" in said and "“Their muscles twitch.”" in said


def test_the_emergency_result_gives_the_call_button_and_words_for_the_call_handler(
    visitor: Visitor, rulebook: Any
) -> None:
    soup = result(visitor, {"choking_now": "yes"}, rulebook)
    assert soup.select_one(".emergency-banner") is None  # nothing above the answer
    button = soup.select_one(".card .button--call")
    assert button["href"] == "tel:911" and button.get_text(strip=True) == "Call 911"
    say = soup.select_one(".say")
    assert say.h2.get_text(strip=True) == "What to tell the 911 operator"
    assert [li.get_text(strip=True) for li in say.select("li")] == ["“I am choking and it will not clear.”"]
    headings = [h2.get_text(strip=True) for h2 in soup.select("main h2")]
    assert headings.index("What to tell the 911 operator") < headings.index("While you wait for help")
    assert soup.find(id="answers") is None  # no list of answers between the person and the phone


def test_the_result_says_when_it_was_made_in_the_clinics_time_zone(rulebook: Any) -> None:
    soup = result(clinic_visitor(), TO_LEVEL["soon"], rulebook)
    made = words(soup.select_one(".meta"))
    # As people write dates (Babel, en_CA), in Mountain time: "Made on Wednesday, November 25, 2026, 9:45 a.m. MST."
    assert re.search(r"Made on \w+day, \w+ \d{1,2}, \d{4}, \d{1,2}:\d\d [ap]\.m\. M[SD]T\.", made), made


def test_the_disclaimer_appears_once_on_the_result(visitor: Visitor, rulebook: Any) -> None:
    soup = result(visitor, TO_LEVEL["soon"], rulebook)
    assert words(soup).count(words_of(rulebook.meta.disclaimer)) == 1


def words_of(text: str) -> str:
    return " ".join(text.split())


def test_no_page_calls_itself_a_red_flag_check_for_als(visitor: Visitor, client: Any, rulebook: Any) -> None:
    pages = [client.get("/"), client.get("/staff")]
    visitor.answer_all(TO_LEVEL["routine"])
    pages.append(client.get("/result"))
    for page in pages:
        text = page.get_data(as_text=True)
        assert not re.search(r"ALS red.flag", text, re.IGNORECASE)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TRIAGE_CLINIC_PHONE", "call us", "the setting TRIAGE_CLINIC_PHONE must be a phone number"),
        (
            "TRIAGE_CLINIC_BOOKING_URL",
            "javascript:alert(1)",
            "the setting TRIAGE_CLINIC_BOOKING_URL must be a web address",
        ),
    ],
)
def test_a_bad_service_setting_stops_start_up_with_a_clear_message(variable: str, value: str, message: str) -> None:
    settings = settings_from_env({variable: value})
    with pytest.raises(RulebookError, match=re.escape(message)):
        create_app({"SECRET_KEY": "x", **settings})


def test_a_bad_service_in_the_rule_book_is_refused_with_its_line(tmp_path: Path) -> None:
    text = default_rules_path().read_text()
    rules = tmp_path / "rules.yaml"
    rules.write_text(text.replace('      phone: "811"', '      phone: "eight one one"', 1))
    line = text[: text.index('      phone: "811"')].count("\n") + 1
    with pytest.raises(RulebookError, match=rf"rules.yaml:{line}: the phone of service 'nurse_line' must be a phone"):
        create_app({"SECRET_KEY": "x", "RULES_PATH": str(rules)})


def test_an_unknown_contact_is_refused_with_its_line(tmp_path: Path) -> None:
    text = default_rules_path().read_text()
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        text.replace(
            "contacts: [family_doctor, clinic, nurse_line]", "contacts: [family_docter, clinic, nurse_line]", 1
        )
    )
    with pytest.raises(RulebookError, match=r"unknown service 'family_docter' .*did you mean 'family_doctor'"):
        create_app({"SECRET_KEY": "x", "RULES_PATH": str(rules)})


@pytest.mark.parametrize(("variable", "value"), [("TRIAGE_TIMEZONE", "Mars/Olympus"), ("TRIAGE_LOCALE", "xx_YY")])
def test_a_bad_time_zone_or_locale_is_refused(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        create_app({"SECRET_KEY": "x", **settings_from_env({variable: value})})


def test_a_service_without_a_number_gets_a_clear_word(visitor: Visitor, rulebook: Any) -> None:
    soup = result(visitor, TO_LEVEL["urgent"], rulebook)
    contacts = words(soup.select_one(".contacts"))
    assert "Family doctor's office: Use the number you have for this office." in contacts
    assert "Urgent care or after-hours clinic: Call the nurse line to find the nearest one that is open." in contacts
    assert "Nurse line: call 811" in contacts


def test_the_clinics_own_number_is_on_the_one_to_two_week_result(rulebook: Any) -> None:
    soup = result(clinic_visitor(), TO_LEVEL["soon"], rulebook)
    links = {a.get_text(" ", strip=True): a["href"] for a in soup.select(".contacts a")}
    assert links["call +1 403 555 0100"] == "tel:+14035550100"


def test_the_staff_script_offers_what_the_front_desk_can_do(client: Any) -> None:
    from webpages import ALL_QUIET

    token = parse(client.get("/staff")).find("input", attrs={"name": "csrf_token"})["value"]
    response = client.post("/staff", data={**ALL_QUIET, "choking_episodes": "yes", "csrf_token": token})
    script = " ".join(parse(response).select_one("ol.script").get_text(" ").split())
    assert "I can give you the numbers to call." in script and "cannot do that" not in script


@pytest.mark.slow
def test_an_optional_follow_up_shows_in_the_answers_only_when_it_was_asked(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    text = default_rules_path().read_text(encoding="utf-8")
    asked_on = '        ask_when: {question: weakness, equals: "yes"}\n'
    assert text.count(asked_on) == 2  # weakness_where, then weakness_side
    at = text.index(asked_on, text.index("id: weakness_side"))
    rules.write_text(text[:at] + "        required: false\n" + text[at:], encoding="utf-8")
    app = create_app({"SECRET_KEY": "o" * 32, "RATE_LIMIT": "off", "RULES_PATH": str(rules)})

    def answers_shown(overrides: dict[str, Any]) -> dict[str, str]:
        visitor = Visitor(app.test_client())
        visitor.answer_all(overrides)
        soup = parse(visitor.client.get("/result"))
        return {
            " ".join(row.dt.get_text(" ").split()): " ".join(row.dd.get_text(" ").split())
            for row in soup.select("#answers .summary__row")
        }

    side = "Is the weakness on one side of your body or both?"
    weak = {
        "weakness": "yes",
        "weakness_where": ["legs"],
        "symptom_course": "same_for_years",
        "worse_with_tiredness": "no",
    }
    assert side not in answers_shown({"weakness": "no"})  # not asked
    assert answers_shown(weak)[side] == "Not answered"
    assert answers_shown({**weak, "weakness_side": "both_sides"})[side] == "On both sides"
