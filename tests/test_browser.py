"""The questionnaire in a real browser (Debian's Chromium, driven by Playwright), checked with axe.

Set TRIAGE_CHROMIUM to use another browser binary. Without one these tests skip, except under CI
(CI=true), where a missing browser fails the run.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from browser_support import Keyboard, axe_violations
from casefiles import measured
from pypdf import PdfReader

pytestmark = pytest.mark.browser

QUIET = {
    "breathing_now": "No",
    "choking_now": "No",
    "sudden_symptoms": "No",
    "drowsy_confused": "No",
    "bladder_bowel": "No",
    "known_diagnosis": "No",
    "sudden_symptoms_gone": "No",
    "breathlessness": "No",
    "morning_headaches": "No",
    "swallowing": "No",
    "choking_episodes": "No",
    "speech": "No",
    "weakness": "No",
    "trouble_walking": "No",
    "dropping_objects": "No",
    "twitching": "No",
    "cramps": "No",
    "symptom_course": "They are not getting worse",
    "worse_with_tiredness": "No",
    "numbness": "No",
    "double_vision": "No",
    "weight_loss": "No",
    "family_history": "No",
    "carer_coping": "No",
    "other_worry": "No",
}
TO_LEVEL = {
    "emergency": {"breathlessness": "Even when I am sitting still"},
    "urgent": {"speech": "Yes"},
    "soon": {"dropping_objects": "Yes"},
    "routine": {"cramps": "Yes"},
}
TITLES = {
    "emergency": "Call 911 now",
    "urgent": "Contact a doctor today",
    "soon": "Book an appointment with a doctor",
    "routine": "None of the warning signs these questions look for",
}
START = {"self": "Start: I am answering for myself", "someone_else": "Start: I am answering for someone else"}
NEXT = re.compile("^(Continue|See what to do)$")  # the last question page's button says where it goes


def choose(page: Any, question: str, label: str) -> None:
    field = page.locator(f"#{question}-group")
    if field.count():
        field.get_by_label(label, exact=True).check()
    else:  # an item of a "do any of these apply?" list: ticked for yes
        page.locator(f"#{question}").set_checked(label == "Yes")


def fill_in_page(page: Any, answers: dict[str, str], extra: Callable[[Any], None] | None = None) -> None:
    """Answer every question shown on the current page from `answers`, then press Continue.
    In a "do any of these apply?" list, tick the items answered Yes, or else "none of these"."""
    for name in page.eval_on_selector_all(".field[id$='-group']", "els => els.map(e => e.id.slice(0, -6))"):
        items = page.eval_on_selector_all(f"#{name}-group input:not([data-none])", "els => els.map(e => e.name)")
        if page.locator(f"#{name}-group[data-together]").count():
            ticked = [item for item in items if answers.get(item) == "Yes"]
            for item in ticked:
                choose(page, item, "Yes")
            if not ticked:
                page.locator(f"#{name}").check()  # "none of these"
        elif name in answers:
            choose(page, name, answers[name])
    if extra:
        extra(page)
    with page.expect_navigation():  # a form post always loads a page: wait for it before going on
        page.get_by_role("button", name=NEXT).click()


def go_through(
    page: Any,
    answers: dict[str, str],
    extra: dict[str, Callable[[Any], None]] | None = None,
    respondent: str = "self",
) -> None:
    page.goto("/")
    with page.expect_navigation():  # read the first page only once it has loaded (a race seen in CI)
        page.get_by_role("button", name=START[respondent]).click()
    while "/questions/" in page.url:
        section = page.url.rsplit("/", 1)[1]
        before = page.url
        fill_in_page(page, answers, (extra or {}).get(section))
        page.wait_for_load_state()
        assert page.url != before or page.locator(".error-summary").count() == 0, f"stuck on {section}"
    page.wait_for_url("**/result")


@pytest.mark.parametrize("level", ["emergency", "urgent", "soon", "routine"])
def test_complete_the_questionnaire_to_each_level(page: Any, level: str) -> None:
    go_through(page, {**QUIET, **TO_LEVEL[level]})
    card = page.locator(f".card--{level}")
    assert card.is_visible()
    assert card.locator("h1").inner_text() == TITLES[level]
    assert page.get_by_text("This tool gives general information only.").first.is_visible()
    assert axe_violations(page) == []


def test_an_emergency_answer_shows_the_emergency_advice_at_once(page: Any) -> None:
    page.goto("/questions/emergency")
    choose(page, "breathing_now", "Yes")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/result")
    assert page.locator("h1").inner_text() == "Call 911 now"
    assert page.get_by_role("heading", name="What to tell the 911 operator").is_visible()
    assert page.get_by_role("heading", name="While you wait for help").is_visible()


def reach_muscles(page: Any) -> None:
    page.goto("/questions/emergency")
    for _ in range(3):
        fill_in_page(page, QUIET)
    page.wait_for_url("**/questions/muscles")


def test_follow_ups_appear_only_after_yes_with_javascript(page: Any) -> None:
    reach_muscles(page)
    follow_up = page.locator("#weakness_side-group")
    assert not follow_up.is_visible()
    choose(page, "weakness", "Yes")
    assert follow_up.is_visible()
    assert page.locator("#weakness").get_attribute("aria-controls") == "weakness_where-group weakness_side-group"
    choose(page, "weakness", "No")
    assert not follow_up.is_visible()
    choose(page, "weakness", "Yes")
    assert axe_violations(page) == []


def test_follow_ups_work_with_javascript_off(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        reach_muscles(page)
        assert page.locator("#weakness_side-group").is_visible()
        assert page.get_by_text("Only answer this if you chose “Yes”").first.is_visible()

        def weak_hands(page: Any) -> None:
            choose(page, "weakness", "Yes")
            page.locator("#weakness_where-group").get_by_label("Hands").check()
            choose(page, "weakness_side", "Mostly on one side")

        fill_in_page(page, QUIET, weak_hands)
        page.wait_for_url("**/questions/changes")
        fill_in_page(page, {**QUIET, "symptom_course": "They are getting worse over weeks or months"})
        assert page.locator("h1").inner_text() == "Contact a doctor today"
        assert page.get_by_text("You said your problems are getting worse over weeks or months.").is_visible()
        assert page.get_by_text("To keep a copy, use your browser's Print option").is_visible()
    finally:
        context.close()


def test_keyboard_only_from_start_page_to_result(page: Any, request: pytest.FixtureRequest) -> None:
    """No mouse: Tab to each question, arrow keys or Space to answer, Enter to go on."""
    keyboard = Keyboard(page)
    page.goto("/")
    keyboard.tab_to(lambda e: e["text"] == START["self"])
    style = page.evaluate("() => getComputedStyle(document.activeElement)")
    assert style["outlineStyle"] != "none" or style["boxShadow"] != "none", "focus must be visible"
    keyboard.press("Enter")
    page.wait_for_url("**/questions/emergency")
    keyboard.answer_every_page(("Continue", "See what to do"))
    page.wait_for_url("**/result")
    assert page.locator("h1").inner_text() == TITLES["routine"]
    measured(request, f"keyboard only: start page to result in {keyboard.keys} key presses")


def test_no_horizontal_scrolling_on_a_phone(browser: Any, base_url: str) -> None:
    for width in (360, 320):
        context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 740}, is_mobile=True)
        page = context.new_page()
        try:
            page.goto("/")
            pages = [page.url]
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            with page.expect_navigation():  # a race seen once in CI: measured while the next page loaded
                page.get_by_role("button", name=START["self"]).click()
            while "/questions/" in page.url:
                page.wait_for_load_state()
                if page.url.endswith("/muscles"):
                    choose(page, "weakness", "Yes")  # the widest page, with its follow-ups open
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    assert scroll <= width, f"{page.url} is {scroll}px wide at {width}px"
                    choose(page, "weakness", "No")
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"{page.url} is {scroll}px wide at {width}px"
                pages.append(page.url)
                fill_in_page(page, QUIET)
                page.wait_for_load_state()
            page.wait_for_url("**/result")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, "/result"
            assert len(pages) == 6  # the start page and 5 sections
        finally:
            context.close()


def test_on_a_phone_the_first_emergency_sign_is_on_the_first_screen(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto("/questions/emergency")
        header = page.locator("header").bounding_box()
        assert header["height"] <= 0.2 * 740, f"the header and banner take {header['height']} px of 740"
        first = page.locator("#breathing_now").bounding_box()
        assert first["y"] + first["height"] <= 740, f"the first emergency sign is at {first['y']} px"
        call = page.locator(".emergency-banner a")
        assert call.get_attribute("href") == "tel:911" and call.is_visible()
    finally:
        context.close()


# A typical visitor: weak hands, mostly on one side, slowly getting worse.
TYPICAL = {
    **QUIET,
    "weakness": "Yes",
    "weakness_side": "Mostly on one side",
    "dropping_objects": "Yes",
    "breathlessness": "Only when I am active, like climbing stairs",
    "symptom_course": "They are getting worse over weeks or months",
}


def weak_hands(page: Any) -> None:
    page.locator("#weakness_where-group").get_by_label("Hands").check()


def test_the_printout_is_one_a4_page_with_what_a_doctor_needs(page: Any, request: pytest.FixtureRequest) -> None:
    go_through(page, TYPICAL, {"muscles": weak_hands})
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    sheet = pdf.pages[0].mediabox
    assert (round(float(sheet.width)), round(float(sheet.height))) == (595, 842)  # A4, in points
    text = " ".join(unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in pdf.pages)).split())
    measured(request, f"printout of a typical result: {len(pdf.pages)} A4 page(s)")
    assert len(pdf.pages) == 1, text
    for expected in (
        "When to get help for muscle, speech, swallowing or breathing problems",  # the service
        "Contact a doctor today",  # the level
        "Call your family doctor's office",  # where to go
        "Nurse line: call 811",
        "You said your problems are getting worse over weeks or months.",  # a reason
        "Where do you feel weak? Hands",  # an answer, in plain words
        "Made on",
        "Questions version 3.0.1",
    ):
        assert expected in text, expected
    assert re.search(r"Made on \w+day, \w+ \d{1,2}, \d{4}, \d{1,2}:\d\d", text)
    assert text.count("This tool gives general information only.") == 1  # the disclaimer, once
    assert "Start again" not in text and not re.search(r"\bChange\b", text)  # nothing to press on paper


def test_a_typical_visitor_reaches_a_result_in_7_pages_and_under_28_clicks(
    page: Any, request: pytest.FixtureRequest
) -> None:
    """Counted as a person would: every page seen from the start page to the result, and every
    click (a start button, each answer ticked, each Continue)."""
    clicks = 0
    seen = []
    page.on("framenavigated", lambda frame: seen.append(frame.url) if frame == page.main_frame else None)

    def click(locator: Any) -> None:
        nonlocal clicks
        clicks += 1
        locator.click()

    page.goto("/")
    with page.expect_navigation():
        click(page.get_by_role("button", name=START["self"]))
    while "/questions/" in page.url:
        for name in page.eval_on_selector_all(".field[id$='-group']", "els => els.map(e => e.id.slice(0, -6))"):
            field = page.locator(f"#{name}-group")
            if field.get_attribute("data-reveal-hidden") is not None:
                continue
            if field.get_attribute("data-together") is not None:
                items = page.eval_on_selector_all(f"#{name}-group input:not([data-none])", "els => els.map(e => e.id)")
                ticked = [item for item in items if TYPICAL.get(item) == "Yes"]
                for item in ticked or [name]:  # the items that apply, or "none of these"
                    click(page.locator(f"label[for='{item}']"))
            elif name == "weakness_where":
                click(field.get_by_label("Hands"))
            else:
                click(field.get_by_label(TYPICAL[name], exact=True))
        before = page.url
        click(page.get_by_role("button", name=NEXT))
        page.wait_for_function(f"() => location.href !== {before!r}")
    page.wait_for_url("**/result")
    assert page.locator("h1").inner_text() == TITLES["urgent"]
    pages = len(seen)
    measured(
        request,
        f"a typical visitor, start page to result: {pages} pages and {clicks} clicks (was 9 pages and 28 clicks)",
    )
    assert pages <= 7 and clicks <= 22  # issue 17: ten more questions, still at most 7 pages and 22 clicks


DIAGNOSED = {
    **QUIET,
    "known_diagnosis": "Yes",
    "feeding_tube_problem": "Yes",  # the care list, only for people already diagnosed
    "low_mood": "Yes",
}


def test_a_person_already_diagnosed_sees_one_more_page_and_every_page_is_axe_clean(
    page: Any, request: pytest.FixtureRequest
) -> None:
    """The care page is asked only of people already diagnosed: one page more than anyone else's
    walk. Every page on the way, and the result with the crisis line, passes axe."""
    seen = []
    page.on("framenavigated", lambda frame: seen.append(frame.url) if frame == page.main_frame else None)
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("button", name=START["self"]).click()
    while "/questions/" in page.url:
        assert axe_violations(page) == [], page.url
        fill_in_page(page, DIAGNOSED)
    page.wait_for_url("**/result")
    assert any(url.endswith("/questions/care") for url in seen)
    assert page.locator("h1").inner_text() == "Contact the ALS care team today"
    assert page.get_by_text("Act within a few hours: the opening can close.").is_visible()
    crisis = page.locator(".contacts a[href='tel:988']")
    assert crisis.count() == 1 and crisis.inner_text() == "call 9-8-8"
    assert axe_violations(page) == []
    measured(request, f"a person already diagnosed, start page to result: {len(seen)} pages (everyone else: at most 7)")
    assert len(seen) <= 8


def test_print_button_appears_with_javascript(page: Any) -> None:
    go_through(page, {**QUIET, **TO_LEVEL["routine"]})
    assert page.get_by_role("button", name="Print or save as PDF").is_visible()
    assert not page.get_by_text("To keep a copy, use your browser's Print option").is_visible()


def _start(page: Any) -> None:
    page.goto("/")


def _section(index: int) -> Callable[[Any], None]:
    def visit(page: Any) -> None:
        page.goto("/questions/emergency")
        for _ in range(index):
            fill_in_page(page, QUIET)
        page.wait_for_load_state()

    return visit


def _errors(page: Any) -> None:
    page.goto("/questions/emergency")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector(".error-summary")


def _result_with_answers(page: Any) -> None:
    go_through(page, {**QUIET, **TO_LEVEL["soon"]})


def _out_of_order(page: Any) -> None:
    page.goto("/result")


def _not_found(page: Any) -> None:
    page.goto("/no-such-page")


PAGES = {
    "start": _start,
    **{f"section {i + 1}": _section(i) for i in range(5)},
    "errors": _errors,
    "result with answers": _result_with_answers,
    "result before answering": _out_of_order,
    "404": _not_found,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations(page: Any, name: str) -> None:
    PAGES[name](page)
    assert axe_violations(page) == []


def test_axe_finds_violations_on_a_broken_page(page: Any) -> None:
    page.set_content("<html><body><img src='x.png'><input type='text'><button></button></body></html>")
    assert len(axe_violations(page)) >= 3


def test_no_request_leaves_this_server(page: Any, base_url: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    go_through(page, {**QUIET, **TO_LEVEL["urgent"]})
    assert requested and all(url.startswith(base_url) for url in requested), requested


# "you" or "your" about the person answered for. Allowed on a page: words to the one answering
# ("You said", "you told us", "If you answer yes"), which are outside the fields and reasons checked.
YOU = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)
ANSWERING_FOR = {  # every follow-up opened, every kind of reason given
    **QUIET,
    "weakness": "Yes",
    "weakness_side": "Mostly on one side",
    "speech": "Yes",
    "breathlessness": "Only when they are active, like climbing stairs",
    "symptom_course": "They are getting worse over weeks or months",
    "worse_with_tiredness": "Yes",
    "numbness": "Yes",
    "family_history": "Yes",
    "weight_loss": "Yes, a little",
}


def about_the_person(page: Any, selector: str) -> list[str]:
    """The texts under `selector` that say "you" about the person answered for."""
    texts = page.eval_on_selector_all(selector, "els => els.map(e => e.innerText)")
    return [text for text in texts if YOU.search(YOU_SAID.sub("", text))]


YOU_SAID = re.compile(r"\bYou said\b|\bYou also told us\b|\byou told us\b")


def test_answering_for_someone_else_no_question_or_reason_says_you_about_them(page: Any) -> None:
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("button", name=START["someone_else"]).click()
    pages = 0
    while "/questions/" in page.url:
        pages += 1
        page.get_by_role("button", name=NEXT).click()  # nothing answered: every error message shows
        page.wait_for_selector(".error-summary")
        if page.locator("#weakness-group").count():
            choose(page, "weakness", "Yes")  # the follow-ups, with their own texts
            page.locator("#weakness_where-group").get_by_label("Hands").check()
        # The carer's own question speaks to the one answering, about themselves: it is left out.
        about = (
            "main .field:not(#carer_coping-group), main h1, main .error-summary li:not(:has(a[href='#carer_coping']))"
        )
        assert about_the_person(page, about) == [], page.url
        assert axe_violations(page) == [], page.url
        before = page.url
        fill_in_page(page, ANSWERING_FOR)
        page.wait_for_function(f"() => location.href !== {before!r}")
    assert pages == 5
    page.wait_for_url("**/result")
    assert page.locator("h1").inner_text() == "Contact a doctor today"
    assert page.get_by_text("You said the person's problems are getting worse over weeks or months.").is_visible()
    assert about_the_person(page, "main .reasons li") == []  # (the advice itself speaks to the one answering)
    assert axe_violations(page) == []


def test_the_you_check_can_fail(page: Any) -> None:
    page.set_content(
        "<main><div class='field'>Is the person short of breath?</div><div class='field'>Do you choke?</div></main>"
    )
    assert about_the_person(page, "main .field") == ["Do you choke?"]


def test_the_daughters_story_one_person_per_journey_on_a_shared_browser(page: Any) -> None:
    """A daughter answers for her father, then taps "I am answering for myself": she starts fresh.
    His answers are never shown to her, in her voice or his, unless she chooses to continue them."""
    go_through(page, {**QUIET, "swallowing": "Yes", "symptom_course": "They are getting worse over weeks or months"},
               respondent="someone_else")  # fmt: skip
    assert page.locator("h1").inner_text() == "Contact a doctor today"
    page.goto("/")
    box = page.get_by_role("region", name="Answers from earlier are in this browser")
    assert box.is_visible() and "chew" not in page.locator("main").inner_text().lower()
    assert box.get_by_role("button", name="Continue the earlier answers").is_visible()
    assert box.get_by_role("button", name="Start again").is_visible()
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name=START["self"]).click()
    assert page.url.endswith("/questions/emergency")
    assert page.locator("legend").first.inner_text() == "Is any of these happening to you right now?"
    page.goto("/result")
    assert page.locator("h1").inner_text() == "We could not find your answers"


def test_the_start_buttons_are_on_the_first_screen_of_a_phone(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto("/")
        for name in START.values():
            box = page.get_by_role("button", name=name).bounding_box()
            assert box is not None and box["y"] + box["height"] <= 740, (name, box)
    finally:
        context.close()


LEVEL_ANSWERS = {
    "emergency": {**QUIET, "breathing_now": "Yes"},  # an item of the emergency list, in either voice
    "urgent": {**QUIET, "swallowing": "Yes", "symptom_course": "They are getting worse over weeks or months"},
    "soon": {**QUIET, **TO_LEVEL["soon"]},
    "routine": {**QUIET, **TO_LEVEL["routine"]},
}


@pytest.mark.parametrize("respondent", ["self", "someone_else"])
@pytest.mark.parametrize("level", ["emergency", "urgent", "soon", "routine"])
def test_each_result_is_short_on_a_phone_and_prints_on_one_page(
    browser: Any, base_url: str, request: pytest.FixtureRequest, level: str, respondent: str
) -> None:
    """At 360 px the card, what to do, where to go and what to say are within the first two
    screens, "Your answers" is folded; printed, the result is one A4 page with the disclaimer once."""
    context = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        go_through(page, LEVEL_ANSWERS[level], respondent=respondent)
        assert page.locator("h1").inner_text() == TITLES[level]
        boxes = [
            page.locator(selector).bounding_box() for selector in (".card", ".say") if page.locator(selector).count()
        ]
        bottom = max(box["y"] + box["height"] for box in boxes if box is not None)
        height = page.evaluate("document.documentElement.scrollHeight")
        answers = page.locator("details.answers-fold")
        assert answers.count() == (0 if level == "emergency" else 1)
        if answers.count():
            assert not answers.evaluate("el => el.open")  # folded on screen
        pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
        text = " ".join(unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in pdf.pages)).split())
        measured(
            request,
            f"result {level} ({respondent}) at 360 px: {height} px tall, advice ends at {bottom:.0f} px; "
            f"printed on {len(pdf.pages)} A4 page(s)",
        )
        assert bottom <= 2 * 740, f"the advice ends {bottom:.0f} px down"
        assert len(pdf.pages) == 1, text
        assert text.count("This tool gives general information only.") == 1
    finally:
        context.close()
