"""The questionnaire in French, in a real browser: a deployment offering en and fr_CA, walked from
/fr/ to each level in both voices (answers chosen by their values, not their words), every page
checked with axe and marked lang="fr-CA", and each French result printed on one A4 page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import Keyboard, axe_violations, serving
from pypdf import PdfReader

from triage import create_app

pytestmark = pytest.mark.browser

FR = "fr_CA"
QUIET_VALUES = {
    "known_diagnosis": "no",
    "sudden_symptoms_gone": "no",
    "breathlessness": "none",
    "weakness": "no",
    "symptom_course": "not_getting_worse",
    "worse_with_tiredness": "no",
    "weight_loss": "none",
    "family_history": "no",
    "carer_coping": "no",
    "other_worry": "no",
}
TO_LEVEL = {
    "emergency": {"breathing_now": "yes"},
    "urgent": {"speech": "yes"},
    "soon": {"dropping_objects": "yes"},
    "routine": {"cramps": "yes"},
}


@pytest.fixture(scope="module")
def french_url() -> Iterator[str]:
    app = create_app({"SECRET_KEY": "french-browser-secret", "RATE_LIMIT": "off", "LANGUAGES": ("en", FR)})
    with serving(app) as url:
        yield url


def answer_page(page: Any, answers: dict[str, str]) -> None:
    """Answer the questions on this page by their values (the words are French), then go on."""
    for name in page.eval_on_selector_all(".field[id$='-group']", "els => els.map(e => e.id.slice(0, -6))"):
        if page.locator(f"#{name}-group[data-together]").count():
            items = page.eval_on_selector_all(f"#{name}-group input:not([data-none])", "els => els.map(e => e.name)")
            ticked = [item for item in items if answers.get(item) == "yes"]
            for item in ticked:
                page.locator(f"label[for='{item}']").click()
            if not ticked:
                page.locator(f"label[for='{name}']").click()  # "none of these"
        else:
            value = answers.get(name, QUIET_VALUES.get(name))
            if value is not None and page.locator(f"#{name}-group:visible").count():
                box = page.locator(f"#{name}-group input[value='{value}']")
                page.locator(f"label[for='{box.get_attribute('id')}']").click()
    with page.expect_navigation():
        page.locator("form[novalidate] button[type=submit]").click()


@pytest.mark.parametrize("respondent", ["self", "someone_else"])
@pytest.mark.parametrize("level", TO_LEVEL)
def test_a_french_visitor_reaches_each_level_and_every_page_is_axe_clean(
    browser: Any, french_url: str, level: str, respondent: str
) -> None:
    context = browser.new_context(base_url=french_url)
    page = context.new_page()
    page.goto("/fr/")
    assert page.locator("html").get_attribute("lang") == "fr-CA"
    assert axe_violations(page) == []
    with page.expect_navigation():  # the first question page read only once loaded
        page.locator(f"button[name=respondent][value={respondent}]").click()
    visited = 0
    while "/questions/" in page.url:
        assert page.locator("html").get_attribute("lang") == "fr-CA", page.url
        assert axe_violations(page) == [], page.url
        before = page.url
        answer_page(page, TO_LEVEL[level])
        assert page.url != before, f"stuck on {before}"
        visited += 1
    assert page.url.endswith("/fr/result")
    book = create_app({"SECRET_KEY": "x" * 32, "LANGUAGES": ("en", FR)}).extensions["triage"]["rulebooks"][FR]
    assert page.locator("h1").inner_text() == book.level_by_id[level].title
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    pages = len(PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages)
    print(f"French result {level} ({respondent}): {visited} question pages, printed on {pages} A4 page(s)")
    assert pages == 1
    context.close()


def test_the_language_link_switches_a_page_and_keeps_the_answers(browser: Any, french_url: str) -> None:
    context = browser.new_context(base_url=french_url)
    page = context.new_page()
    page.goto("/fr/")
    with page.expect_navigation():
        page.locator("button[name=respondent][value=self]").click()
    answer_page(page, {})  # the emergency page: none of these
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "/fr/" not in page.url and "/questions/" in page.url  # the same page, in English
    page.get_by_role("link", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr-CA" and "/fr/questions/" in page.url
    context.close()


def test_keyboard_only_from_the_french_start_page_to_a_result(browser: Any, french_url: str) -> None:
    """No mouse, in French: Tab to each question, arrow keys or Space to answer, Enter to go on."""
    context = browser.new_context(base_url=french_url)
    page = context.new_page()
    keyboard = Keyboard(page)
    page.goto("/fr/")
    keyboard.tab_to(lambda e: e["name"] == "respondent" and e["value"] == "self")
    keyboard.press("Enter")
    page.wait_for_url("**/fr/questions/emergency")
    keyboard.answer_every_page(("Continuer", "Voir quoi faire"))
    page.wait_for_url("**/fr/result")
    assert page.locator("h1").inner_text() == "Aucun des signes d’alerte que ces questions cherchent"  # noqa: RUF001
    print(f"French, keyboard only: start page to result in {keyboard.keys} key presses")
    context.close()
