"""The call screen in a real browser: keyboard speed, the emergency script, copy and print, axe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browser_support import axe_violations
from casefiles import REPORT

pytestmark = pytest.mark.browser

# A typical call: no emergency, weakness in the hands getting worse over weeks, dropping things,
# twitching, short of breath when active. The keys a member of staff presses for each answer.
TYPICAL_CALL: list[tuple[str, str]] = [
    ("breathing_now", "n"),
    ("choking_now", "n"),
    ("sudden_symptoms", "n"),
    ("drowsy_confused", "n"),
    ("bladder_bowel", "n"),
    ("known_diagnosis", "n"),
    ("sudden_symptoms_gone", "1"),
    ("breathlessness", "2"),
    ("morning_headaches", "n"),
    ("swallowing", "n"),
    ("choking_episodes", "n"),
    ("speech", "n"),
    ("weakness", "y"),
    ("weakness_where", "2"),
    ("weakness_side", "1"),
    ("trouble_walking", "n"),
    ("dropping_objects", "y"),
    ("twitching", "y"),
    ("cramps", "n"),
    ("symptom_course", "3"),
    ("worse_with_tiredness", "n"),
    ("numbness", "n"),
    ("double_vision", "n"),
    ("weight_loss", "1"),
    ("family_history", "2"),
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
    for name, key in TYPICAL_CALL:
        assert keys.focused_name() == name, f"expected focus on {name}"
        keys.press(key)
        if name == "weakness_where":
            keys.press("Enter")  # several places may apply, so moving on is a key of its own
    assert keys.focused_name() == "family_history"  # the last question keeps focus
    keys.press("Enter")
    page.wait_for_selector(".card--urgent")
    summary = page.locator("#call-summary").inner_text()
    assert "weakness_where: hands" in summary and "dropping_objects: yes" in summary
    request.config.stash.setdefault(REPORT, []).append(
        f"call screen: a typical full call with the keyboard shortcuts in {keys.count} key presses"
    )
    assert keys.count <= 40


def test_a_typical_call_with_tab_and_arrow_keys_only(
    browser: Any, base_url: str, request: pytest.FixtureRequest
) -> None:
    """The same call with the keys every form understands (JavaScript off: no shortcuts)."""
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/staff")
        keys = Keyboard(page)
        answers = dict(TYPICAL_CALL)
        names = page.eval_on_selector_all(".field[id$='-group']", "els => els.map(e => e.id.slice(0, -6))")
        first = True
        for name in names:
            if not first:
                keys.press("Tab")
            first = False
            assert keys.focused_name() == name
            inputs = page.locator(f"input[name='{name}']")
            position = [inputs.nth(i).get_attribute("data-key") for i in range(inputs.count())].index(answers[name])
            if inputs.first.get_attribute("type") == "checkbox":
                for _ in range(position):
                    keys.press("Tab")
                keys.press("Space")
                for _ in range(inputs.count() - position - 1):
                    keys.press("Tab")  # out past the other boxes
                continue
            if position == 0:
                keys.press("Space")
            for _ in range(position):
                keys.press("ArrowDown")
        keys.press("Enter")
        page.wait_for_selector(".card--urgent")
        request.config.stash.setdefault(REPORT, []).append(
            f"call screen: the same call with Tab, arrows and Space only (no JavaScript) in {keys.count} key presses"
        )
    finally:
        context.close()


@pytest.mark.parametrize(
    "question", ["breathing_now", "choking_now", "sudden_symptoms", "drowsy_confused", "bladder_bowel"]
)
def test_a_yes_to_any_emergency_question_shows_the_script_at_once(page: Any, question: str) -> None:
    page.goto("/staff")
    script = page.locator("#emergency-script")
    assert not script.is_visible()
    page.locator(f"#{question}").focus()
    page.keyboard.press("y")
    assert script.is_visible(), question
    assert "Please hang up and call 911 now" in script.inner_text()


def test_the_emergency_script_appears_on_the_first_emergency_yes(page: Any) -> None:
    page.goto("/staff")
    script = page.locator("#emergency-script")
    assert not script.is_visible()
    page.keyboard.press("n")
    page.keyboard.press("y")  # choking right now
    assert script.is_visible()
    assert "Please hang up and call 911 now" in script.inner_text()
    assert axe_violations(page) == []
    page.locator("#choking_now-group").get_by_label("No").check()
    assert not script.is_visible()


def test_without_javascript_submitting_shows_the_emergency_script(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/staff")
        page.locator("#sudden_symptoms-group").get_by_label("Yes").check()
        page.get_by_role("button", name="Get the advice").click()
        assert page.locator("h1").inner_text() == "Call 911 now"
        assert "Please hang up and call 911 now" in page.locator("ol.script").inner_text()
    finally:
        context.close()


def finish_call(page: Any, extra: Callable[[Any], None] | None = None) -> None:
    page.goto("/staff")
    for name, key in TYPICAL_CALL:
        page.locator(f"input[name='{name}'][data-key='{key}']").check()
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
        assert "Rule book: 2.0.0" in copied
        assert axe_violations(page) == []
    finally:
        context.close()


def test_call_result_prints_with_the_summary_and_disclaimer(page: Any) -> None:
    finish_call(page)
    page.emulate_media(media="print")
    assert page.locator("#call-summary").is_visible()
    assert page.locator("footer .disclaimer").is_visible()
    assert not page.get_by_role("button", name="Print").is_visible()


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
