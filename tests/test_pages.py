"""Pages served from skeletons are exactly the pages the templates render in full.

Question pages, results and the start page are served by filling a skeleton (triage.pages); pages
with an error are rendered in full. Any difference between the two would show one visitor a
different page from another with the same answers, so it is checked over many answer sets.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from casefiles import default_rulebook
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import answer_sets

from triage import create_app, journey, views
from triage.engine import AnswerError, Assessment, assess, check_answers
from triage.forms import stored_values
from triage.pages import Skeleton, hole
from triage.rulebook import Rulebook

CONFIG = {"SECRET_KEY": "test", "RATE_LIMIT": "off"}


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(CONFIG)


def rulebook(app: Flask) -> Rulebook:
    return app.extensions["triage"]["rulebook"]  # type: ignore[no-any-return]


@st.composite
def partial_answers(draw: st.DrawFn) -> dict[str, Any]:
    """A valid set of answers with some left out, as a visitor part-way through has."""
    answers = draw(answer_sets())
    kept = draw(st.sets(st.sampled_from(sorted(answers))))
    return {k: v for k, v in answers.items() if k in kept}


def section_pages(app: Flask, answers: dict[str, Any], script_root: str = "") -> list[tuple[str, str, str]]:
    """(section id, page from its skeleton, page rendered in full) for every section."""
    book = rulebook(app)
    clean, _ = check_answers(book, answers)
    pages = []
    with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
        for page in book.sections:
            on_page = {q.id for q in page.questions}
            layout = journey.page_layout(book, page, {k: v for k, v in clean.items() if k not in on_page})
            values = {q.id: stored_values(q, clean) for q in page.questions}
            fast = views.section_page(page, layout, values)
            pages.append((page.id, fast, views.section_page(page, layout, values, fast=False)))
    return pages


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=partial_answers())
def test_every_section_page_from_its_skeleton_is_the_page_rendered_in_full(app: Flask, answers: dict) -> None:
    for section_id, fast, full in section_pages(app, answers):
        assert fast == full, section_id


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    """The assessment of complete answers, or of part of them ended early by an emergency answer."""
    book = default_rulebook()
    answers = draw(st.one_of(answer_sets(), partial_answers()))
    try:
        return assess(book, answers)
    except AnswerError:
        emergency = draw(st.sampled_from([q.id for q in book.sections[0].questions]))
        return assess(book, {**answers, emergency: "yes"})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(assessment=assessments())
def test_every_result_from_its_skeleton_is_the_result_rendered_in_full(app: Flask, assessment: Assessment) -> None:
    with app.test_request_context("/result"):
        assert views.result_page(assessment) == views.result_page(assessment, fast=False)


def test_the_start_page_from_its_skeleton_is_the_page_rendered_in_full(app: Flask) -> None:
    with app.test_request_context("/"):
        for has_answers in (False, True):
            kept = app.extensions["triage"]["skeletons"].get(("start", has_answers))
            assert kept.fill({}) == views.render_start(has_answers)


def test_pages_under_a_path_prefix_link_under_it_and_match_full_rendering(app: Flask) -> None:
    answers = {"breathing_now": "no", "choking_now": "no", "sudden_symptoms": "no", "weakness": "yes"}
    for section_id, fast, full in section_pages(app, answers, script_root="/clinic/triage"):
        assert fast == full, section_id
        assert 'href="/clinic/triage/static/app.css"' in fast
    # A prefix seen for the first time does not change the pages served at the root.
    section_id, fast, _ = section_pages(app, answers)[0]
    assert 'href="/static/app.css"' in fast and "/clinic" not in fast


def test_what_the_server_keeps_does_not_depend_on_anyones_answers() -> None:
    """Skeletons are built from the rule book alone, all at once: serving people with different
    answers leaves exactly what serving the first page left."""
    app = create_app({**CONFIG, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.get("/")
    kept = app.extensions["triage"]["skeletons"]._by_root
    before = copy.deepcopy(kept)
    for emergency, weakness in (("no", "yes"), ("no", "no"), ("yes", "no")):
        other = app.test_client()
        other.post(
            "/questions/emergency", data={"breathing_now": emergency, "choking_now": "no", "sudden_symptoms": "no"}
        )
        other.post("/questions/breathing", data={"breathlessness": "none", "morning_headaches": "no"})
        other.post("/questions/swallowing_speech", data={"swallowing": "no", "choking_episodes": "no", "speech": "no"})
        other.get("/questions/muscles")
        other.post("/questions/muscles", data={"weakness": weakness, "trouble_walking": "no", "dropping_objects": "no"})
        assert other.get("/result").status_code in (200, 409)
    assert kept == before


def test_a_skeleton_fills_each_hole_and_refuses_a_missing_value_or_an_unclosed_marker() -> None:
    skeleton = Skeleton.of(f"<p>{hole('a')} and {hole('b')}</p>")
    assert skeleton.holes == ("a", "b")
    assert skeleton.fill({"a": "one", "b": "two"}) == "<p>one and two</p>"
    with pytest.raises(KeyError):
        skeleton.fill({"a": "one"})
    with pytest.raises(ValueError, match="not closed"):
        Skeleton.of("<p>\x00a</p>")
