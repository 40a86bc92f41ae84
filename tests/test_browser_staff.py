"""The call screen in a real browser: keyboard speed, the emergency script, copy and print, axe."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from browser_support import axe_violations
from casefiles import measured
from pypdf import PdfReader

pytestmark = pytest.mark.browser

# A typical call: no emergency, weakness in the hands getting worse over weeks, dropping things,
# twitching, short of breath when active. For each field in turn: the answer's input (the one with
# focus when the field is reached) and the keys a member of staff presses. In a "do any of these
# apply?" list, a number ticks an item and N ticks "none of these" and moves on.
TYPICAL_CALL: list[tuple[str, list[str]]] = [
    ("breathing_now", ["n"]),  # the list of emergency signs: none of these
    ("known_diagnosis", ["n"]),
    ("sudden_symptoms_gone", ["1"]),
    ("breathlessness", ["2"]),
    ("morning_headaches", ["n"]),  # swallowing and speech: none of these
    ("weakness", ["y"]),
    ("weakness_where", ["2", "Enter"]),  # several places may apply, so moving on is a key of its own
    ("weakness_side", ["1"]),
    ("trouble_walking", ["2", "3", "Enter"]),  # dropping things, twitching
    ("symptom_course", ["4"]),
    ("worse_with_tiredness", ["n"]),
    ("numbness", ["n"]),  # neither numbness nor double vision
    ("weight_loss", ["1"]),
    ("family_history", ["2"]),
    ("low_mood", ["n"]),  # mood: neither
    ("other_worry", ["n"]),
]
# The same call as the boxes to tick (by name and value) when keys are not the point.
TICKS = [
    ("emergency_signs", "none"),
    ("known_diagnosis", "no"),
    ("sudden_symptoms_gone", "no"),
    ("breathlessness", "exertion"),
    ("swallowing_speech_signs", "none"),
    ("weakness", "yes"),
    ("weakness_where", "hands"),
    ("weakness_side", "one_side"),
    ("dropping_objects", "yes"),
    ("twitching", "yes"),
    ("symptom_course", "worse_over_weeks_months"),
    ("worse_with_tiredness", "no"),
    ("other_signs", "none"),
    ("weight_loss", "none"),
    ("family_history", "no"),
    ("mood_signs", "none"),
    ("other_worry", "no"),
]


class Keyboard:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)

    def focused_name(self) -> str:
        return str(self.page.evaluate("document.activeElement.name || document.activeElement.tagName"))


def test_a_typical_call_with_the_keyboard_shortcuts(page: Any, request: pytest.FixtureRequest) -> None:
    page.goto("/staff")
    keys = Keyboard(page)
    assert keys.focused_name() == "breathing_now"  # the first question has focus: no keys to get there
    for name, pressed in TYPICAL_CALL:
        assert keys.focused_name() == name, f"expected focus on {name}"
        for key in pressed:
            keys.press(key)
    assert keys.focused_name() == "caller_name"  # then the optional fields about the call; Enter asks for advice
    keys.press("Enter")
    page.wait_for_selector(".card--urgent")
    summary = page.locator("#call-summary").inner_text()
    assert "Where is the person weak? Hands" in summary
    assert "Does the person drop things, or find it hard to grip? Yes" in summary
    measured(request, f"call screen: a typical full call with the keyboard shortcuts in {keys.count} key presses")
    assert keys.count <= 25


def test_a_typical_call_with_tab_and_arrow_keys_only(
    browser: Any, base_url: str, request: pytest.FixtureRequest
) -> None:
    """The same call with the keys every form understands (JavaScript off: no shortcuts)."""
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/staff")
        keys = Keyboard(page)
        wanted = {(name, value) for name, value in TICKS}
        # Every input in the order Tab reaches it, with whether this call ticks or chooses it.
        inputs = page.eval_on_selector_all(
            ".staff-form input:not([type=hidden])", "els => els.map(e => [e.name, e.value, e.type])"
        )
        position = 0
        while position < len(inputs):
            name, value, kind = inputs[position]
            if kind == "radio":  # a radio group is one Tab stop: Space on the first, arrows to the rest
                group = [v for n, v, _ in inputs if n == name]
                chosen = next(v for v in group if (name, v) in wanted)
                keys.press("Space") if group.index(chosen) == 0 else None
                for _ in range(group.index(chosen)):
                    keys.press("ArrowDown")
                position += len(group)
            else:
                if (name, value) in wanted:
                    keys.press("Space")
                position += 1
            if position < len(inputs):
                keys.press("Tab")
        keys.press("Enter")
        page.wait_for_selector(".card--urgent")
        measured(
            request,
            f"call screen: the same call with Tab, arrows and Space only (no JavaScript) in {keys.count} key presses",
        )
    finally:
        context.close()


EMERGENCY = [
    "breathing_now", "choking_now", "chest_pain", "sudden_symptoms", "sudden_headache", "drowsy_confused",
    "fever_stiff_neck", "fall_injury", "bladder_bowel", "self_harm_now",
]  # fmt: skip


@pytest.mark.parametrize("question", EMERGENCY)
def test_a_yes_to_any_emergency_question_shows_the_script_at_once(page: Any, question: str) -> None:
    page.goto("/staff")
    script = page.locator("#emergency-script")
    assert not script.is_visible()
    page.locator(f"#{question}").focus()
    page.keyboard.press(str((EMERGENCY.index(question) + 1) % 10))  # its number in the list (the tenth: 0)
    assert script.is_visible(), question
    assert "Please hang up and call 911 now" in script.inner_text()


def test_the_emergency_script_appears_on_the_first_emergency_yes(page: Any) -> None:
    page.goto("/staff")
    script = page.locator("#emergency-script")
    assert not script.is_visible()
    page.keyboard.press("2")  # choking right now
    assert script.is_visible()
    assert "Please hang up and call 911 now" in script.inner_text()
    assert axe_violations(page) == []
    page.keyboard.press("n")  # none of these after all: the item is unticked, and the script goes
    assert not page.locator("#choking_now").is_checked()
    assert not script.is_visible()


def test_without_javascript_submitting_shows_the_emergency_script(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/staff")
        page.locator("#sudden_symptoms").check()
        page.get_by_role("button", name="Get the advice").click()
        assert page.locator("h1").inner_text() == "Call 911 now"
        assert "Please hang up and call 911 now" in page.locator("ol.script").inner_text()
    finally:
        context.close()


def finish_call(page: Any, extra: Callable[[Any], None] | None = None) -> None:
    page.goto("/staff")
    for name, value in TICKS:
        page.locator(f"input[name='{name}'][value='{value}']").check()
    page.get_by_role("button", name="Get the advice").click()
    page.wait_for_selector("#call-summary")


def test_copy_button_copies_the_call_summary(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        finish_call(page)
        page.get_by_role("button", name="Copy the summary").click()
        page.wait_for_selector("text=Copied.")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("#call-summary").text_content()
        assert "Questions: version 3.0.1" in copied
        assert axe_violations(page) == []
    finally:
        context.close()


def test_call_result_prints_with_the_summary_and_disclaimer(page: Any, request: pytest.FixtureRequest) -> None:
    finish_call(page)
    page.emulate_media(media="print")
    assert page.locator("#call-summary").is_visible()
    script = page.locator("ol.script").inner_text()
    assert script.count("This advice is general information only.") == 1  # the disclaimer, once
    assert not page.get_by_role("button", name="Print").is_visible()
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    measured(request, f"call screen: a typical call's advice printed on {len(pdf.pages)} A4 page(s)")
    assert text.count("This advice is general information only.") == 1
    assert len(pdf.pages) == 1, text


def test_call_screen_has_no_axe_violations_and_fits_a_phone(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto("/staff")
        page.locator("#weakness-group").get_by_label("Yes").check()
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="Get the advice").click()
        assert page.locator(".error-summary").is_visible()
        assert axe_violations(page) == []
    finally:
        context.close()


def test_on_a_wide_screen_the_script_panel_sits_beside_the_questions_and_stays_in_view(
    browser: Any, base_url: str, request: pytest.FixtureRequest
) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto("/staff")
        form, panel = page.locator(".staff-form").bounding_box(), page.locator(".call-panel").bounding_box()
        assert panel["x"] >= form["x"] + form["width"]  # side by side
        page.locator("#family_history").scroll_into_view_if_needed()  # the end of the call
        panel = page.locator(".call-panel").bounding_box()
        assert 0 <= panel["y"] < 900, "the script panel scrolled out of view"
        page.locator("#family_history").focus()
        page.locator("#breathing_now").check()  # an emergency sign, ticked late
        assert page.locator("#emergency-script").is_visible()
        height = page.evaluate("document.documentElement.scrollHeight")
        measured(request, f"call screen at 1440 px wide: {height} px long")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_the_care_list_and_its_heading_show_only_for_a_person_already_diagnosed(page: Any) -> None:
    page.goto("/staff")
    heading, care = page.locator("#care-heading"), page.locator("#care_problems-group")
    assert not heading.is_visible() and not care.is_visible()
    page.locator("input[name=known_diagnosis][value=yes]").check()
    assert heading.is_visible() and care.is_visible()
    assert axe_violations(page) == []
    page.locator("input[name=known_diagnosis][value=no]").check()
    assert not heading.is_visible() and not care.is_visible()
