"""Pages served from skeletons are exactly the pages the templates render in full.

Question pages, results and the start page are served by filling a skeleton (triage.pages); pages
with an error are rendered in full. Any difference between the two would show one visitor a
different page from another with the same answers, so it is checked over many answer sets, against
an app with skeletons turned off (`PAGE_SKELETONS`). The CSRF token, random for each session, is
the one part left out of the comparison.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
from casefiles import default_rulebook
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import answer_sets
from webpages import QUIET

from triage import create_app, journey, languages, pages
from triage.engine import AnswerError, Assessment, assess, check_answers
from triage.forms import stored_values
from triage.rulebook import Rulebook
from triage.skeleton import Skeleton, hole

CONFIG = {"SECRET_KEY": "test", "RATE_LIMIT": "off"}


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(CONFIG)


@pytest.fixture(scope="module")
def full_app() -> Flask:
    return create_app({**CONFIG, "PAGE_SKELETONS": False})


TOKEN = re.compile(r'name="csrf_token" type="hidden" value="[^"]*"')


def page(app: Flask, make: Callable[[], bytes], script_root: str = "", language: str = "en", path: str = "/") -> str:
    """The page `make` gives at `path`, in `language` (its pages under the language's own path)."""
    root = script_root + languages.path_prefix(language)
    with languages.rendering(app, path, f"http://localhost{root}/", language):
        html = make().decode()
    assert len(TOKEN.findall(html)) <= 3  # the start page with earlier answers has three forms
    return TOKEN.sub('name="csrf_token" type="hidden" value="TOKEN"', html)


def rulebook(app: Flask) -> Rulebook:
    return app.extensions["triage"]["rulebook"]  # type: ignore[no-any-return]


@st.composite
def partial_answers(draw: st.DrawFn) -> dict[str, Any]:
    """A valid set of answers with some left out, as a visitor part-way through has."""
    answers = draw(answer_sets())
    kept = draw(st.sets(st.sampled_from(sorted(answers))))
    return {k: v for k, v in answers.items() if k in kept}


def section_pages(
    app: Flask,
    full_app: Flask,
    answers: dict[str, Any],
    script_root: str = "",
    voice: str = "self",
    language: str = "en",
) -> list[tuple[str, str, str]]:
    """(section id, page from its skeleton, page rendered in full) for every section, each at its
    own path, in `language`."""
    book = app.extensions["triage"]["rulebooks"][language].in_voice(voice)
    clean, _ = check_answers(book, answers)
    found = []
    for section in book.sections:
        on_page = {q.id for q in section.questions}
        layout = journey.page_layout(book, section, {k: v for k, v in clean.items() if k not in on_page})
        values = {q.id: stored_values(q, clean) for q in section.questions}

        def make(section: Any = section, layout: Any = layout, values: Any = values) -> bytes:
            return pages.section_page(book, section, layout, values)

        at = f"/questions/{section.id}"
        fast, full = (page(each, make, script_root, language, at) for each in (app, full_app))
        found.append((section.id, fast, full))
    return found


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=partial_answers(), voice=st.sampled_from(["self", "other"]))
def test_every_section_page_from_its_skeleton_is_the_page_rendered_in_full(
    app: Flask, full_app: Flask, answers: dict, voice: str
) -> None:
    for section_id, fast, full in section_pages(app, full_app, answers, voice=voice):
        assert fast == full, section_id


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    """The assessment of complete answers, or of part of them ended early by an emergency answer,
    by the person or by someone answering for them."""
    book = default_rulebook()
    answers = draw(st.one_of(answer_sets(), partial_answers()))
    answers["respondent"] = draw(st.sampled_from(["self", "someone_else"]))
    try:
        return assess(book, answers)
    except AnswerError:
        emergency = draw(st.sampled_from([q.id for q in book.sections[0].questions]))
        return assess(book, {**answers, emergency: "yes"})


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(assessment=assessments())
def test_every_result_from_its_skeleton_is_the_result_rendered_in_full(
    app: Flask, full_app: Flask, assessment: Assessment
) -> None:
    def make() -> bytes:
        voice = "other" if assessment.respondent == "someone_else" else "self"
        return pages.result_page(default_rulebook().in_voice(voice), assessment)

    assert page(app, make) == page(full_app, make)


def test_the_start_page_from_its_skeleton_is_the_page_rendered_in_full(app: Flask, full_app: Flask) -> None:
    for has_answers in (False, True):

        def make(has_answers: bool = has_answers) -> bytes:
            return pages.start_page(default_rulebook(), has_answers)

        assert page(app, make) == page(full_app, make)
    assert app.extensions["triage"]["skeletons"]["en"]._built is not None, "the skeletons were used"


def test_pages_under_a_path_prefix_link_under_it_and_match_full_rendering(app: Flask, full_app: Flask) -> None:
    answers = {"breathing_now": "no", "choking_now": "no", "sudden_symptoms": "no", "weakness": "yes"}
    for section_id, fast, full in section_pages(app, full_app, answers, script_root="/clinic/triage"):
        assert fast == full, section_id
        assert 'href="/clinic/triage/static/app.css"' in fast
    # A path never configured does not change the pages served at the root.
    section_id, fast, _ = section_pages(app, full_app, answers)[0]
    assert 'href="/static/app.css"' in fast and "/clinic" not in fast


def test_an_app_mounted_under_a_path_serves_its_pages_from_skeletons_there() -> None:
    mounted = create_app({**CONFIG, "APPLICATION_ROOT": "/clinic/triage"})
    html = page(mounted, lambda: pages.start_page(default_rulebook(), False), "/clinic/triage")
    assert 'href="/clinic/triage/static/app.css"' in html
    assert mounted.extensions["triage"]["skeletons"]["en"]._built is not None


def test_no_request_can_make_the_app_keep_or_build_more_pages() -> None:
    """A client that names other paths (a SCRIPT_NAME of its own) gets pages rendered in full, and
    what is kept for everyone else is neither evicted nor grown."""
    app = create_app({**CONFIG, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    assert client.get("/").status_code == 200
    kept = app.extensions["triage"]["skeletons"]["en"]
    before = copy.deepcopy(kept._built)
    for n in range(10):
        response = client.get("/", environ_overrides={"SCRIPT_NAME": f"/fake{n}"})
        assert response.status_code == 200 and f'href="/fake{n}/static/app.css"' in response.text
    assert kept._built == before
    assert 'href="/static/app.css"' in client.get("/").text


def test_what_the_server_keeps_does_not_depend_on_anyones_answers() -> None:
    """Skeletons are built from the rule book alone, all at once: serving people with different
    answers leaves exactly what serving the first page left."""
    app = create_app({**CONFIG, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.get("/")
    kept = app.extensions["triage"]["skeletons"]["en"]._built
    before = copy.deepcopy(kept)
    for emergency, weakness in (("no", "yes"), ("no", "no"), ("yes", "no")):
        other = app.test_client()
        other.post("/start", data={"respondent": "someone_else" if weakness == "yes" else "self"})
        other.post("/questions/emergency", data={**QUIET["emergency"], "breathing_now": emergency})
        other.post("/questions/background", data=QUIET["background"])
        other.post("/questions/breathing_swallowing_speech", data=QUIET["breathing_swallowing_speech"])
        other.get("/questions/muscles")
        other.post("/questions/muscles", data={**QUIET["muscles"], "weakness": weakness})
        assert other.get("/result").status_code in (200, 409)
    assert kept == before


def test_a_skeleton_fills_each_hole_and_refuses_a_missing_value_or_an_unclosed_marker() -> None:
    skeleton = Skeleton.of(f"<p>{hole('a')} \u2013 {hole('b')}</p>")  # (a dash)
    assert skeleton.holes == ("a", "b")
    assert skeleton.fill({"a": "un", "b": "deux, é"}) == "<p>un \u2013 deux, é</p>".encode()  # as sent, in UTF-8
    with pytest.raises(KeyError):
        skeleton.fill({"a": "one"})
    with pytest.raises(ValueError, match="not closed"):
        Skeleton.of("<p>\x00a</p>")


# The same in French: skeletons are kept for each language offered, at its own path (/fr).
BOTH = {**CONFIG, "LANGUAGES": ("en", "fr_CA")}


@pytest.fixture(scope="module")
def bilingual() -> tuple[Flask, Flask]:
    return create_app(BOTH), create_app({**BOTH, "PAGE_SKELETONS": False})


def french(app: Flask, voice: str = "self") -> Rulebook:
    return app.extensions["triage"]["rulebooks"]["fr_CA"].in_voice(voice)  # type: ignore[no-any-return]


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=partial_answers(), voice=st.sampled_from(["self", "other"]))
def test_every_french_section_page_from_its_skeleton_is_the_page_rendered_in_full(
    bilingual: tuple[Flask, Flask], answers: dict, voice: str
) -> None:
    app, full_app = bilingual
    for section_id, fast, full in section_pages(app, full_app, answers, voice=voice, language="fr_CA"):
        assert fast == full, section_id
        assert 'lang="fr-CA"' in fast and f'action="/fr/questions/{section_id}"' in fast


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(assessment=assessments())
def test_every_french_result_from_its_skeleton_is_the_result_rendered_in_full(
    bilingual: tuple[Flask, Flask], assessment: Assessment
) -> None:
    app, full_app = bilingual
    voice = "other" if assessment.respondent == "someone_else" else "self"
    book = french(app, voice)
    answers = {**assessment.answers, "respondent": assessment.respondent}
    answers = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in answers.items()}
    translated = assess(book, answers)  # the same answers, in French words

    def make() -> bytes:
        return pages.result_page(book, translated)

    fast = page(app, make, language="fr_CA", path="/result")
    assert fast == page(full_app, make, language="fr_CA", path="/result")
    assert 'lang="fr-CA"' in fast


def test_the_french_start_page_is_kept_at_its_own_path_and_the_english_untouched(
    bilingual: tuple[Flask, Flask],
) -> None:
    app, full_app = bilingual
    for has_answers in (False, True):

        def make(has_answers: bool = has_answers) -> bytes:
            return pages.start_page(french(app), has_answers)

        fast = page(app, make, language="fr_CA")
        assert fast == page(full_app, make, language="fr_CA")
        assert 'lang="fr-CA"' in fast and 'hreflang="en"' in fast
    kept = app.extensions["triage"]["skeletons"]
    assert kept["fr_CA"]._built is not None and kept["en"]._built is None  # each built when first asked
    # French asked for under another path is rendered in full, and nothing more is kept.
    before = copy.deepcopy(kept["fr_CA"]._built)
    client = app.test_client()
    response = client.get("/fr/", environ_overrides={"SCRIPT_NAME": "/fake"})
    assert response.status_code == 200 and 'href="/fake/fr/static/app.css"' in response.text
    assert kept["fr_CA"]._built == before and kept["en"]._built is None
