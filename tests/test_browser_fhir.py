"""The FHIR Questionnaire in a real outside renderer: NLM's LHC-Forms (npm package `lforms`, pinned),
in Debian's Chromium. The test loads `GET /fhir/Questionnaire/triage` into it, answers as a person
would (clicking the options; follow-ups appear only when their enableWhen says), takes the
QuestionnaireResponse LHC-Forms makes, posts it to `$assess`, and gets the JSON API's level for the
same answers: for every level, for someone already diagnosed, and through a follow-up."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_fhir import ALL_QUIET, TO_LEVEL, outcome, response_for

pytestmark = pytest.mark.browser

LFORMS = "40.1.3"
TOOLS = Path(__file__).parents[1] / ".tools"
DIST = TOOLS / f"lforms-{LFORMS}" / "package" / "dist"
# As LHC-Forms documents its use: the scripts at the end of the body.
FORM_PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LHC-Forms</title>
<link rel="stylesheet" href="/lforms/webcomponent/styles.css"></head>
<body><div id="formContainer"></div>
<script src="/lforms/webcomponent/assets/lib/zone.min.js"></script>
<script src="/lforms/webcomponent/lhc-forms.js"></script>
<script src="/lforms/fhir/R4/lformsFHIR.min.js"></script>
</body></html>"""


def lforms_dist() -> Path:
    """LHC-Forms' built files, fetched once with `npm pack` into .tools/ (no network at run time)."""
    if (DIST / "lforms" / "webcomponent" / "lhc-forms.js").exists():
        return DIST
    npm = shutil.which("npm")
    if npm is None:
        message = "npm not found: it fetches LHC-Forms for the FHIR round trip"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    TOOLS.mkdir(exist_ok=True)
    packed = subprocess.run(
        [npm, "pack", "--silent", f"lforms@{LFORMS}"], cwd=TOOLS, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    with tarfile.open(TOOLS / packed) as archive:
        archive.extractall(TOOLS / f"lforms-{LFORMS}", filter="data")
    (TOOLS / packed).unlink()
    return DIST


@pytest.fixture(scope="module")
def renderer() -> Iterator[str]:
    """A local server for LHC-Forms' files and the page that shows a form with it."""
    dist = lforms_dist()

    class Files(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/form.html":
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(FORM_PAGE)))
                self.end_headers()
                self.wfile.write(FORM_PAGE)
                return
            super().do_GET()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Files, directory=str(dist)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/form.html"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def option(page: Any, link: str, code: str) -> Any:
    """The option `code` of the item `link`, as LHC-Forms shows it."""
    return page.locator(f'label[id^="{link}/"][id$="|{code}"]')


def fill_in(page: Any, answers: dict[str, Any], respondent: str) -> None:
    """Click each answer as a person would, item by item in the form's order; each item must be
    on screen (a follow-up shows only once its trigger is answered)."""
    wanted = response_for(answers, respondent)
    for section in wanted["item"]:
        for item in section["item"]:
            for answer in item["answer"]:
                target = option(page, item["linkId"], answer["valueCoding"]["code"])
                target.scroll_into_view_if_needed()
                target.click()


def open_form(browser: Any, renderer: str, base_url: str, respondent: str = "self") -> Any:
    """A new page showing `GET /fhir/Questionnaire/triage` (in `respondent`'s voice) in LHC-Forms."""
    page = browser.new_context().new_page()
    questionnaire = page.request.get(f"{base_url}/fhir/Questionnaire/triage?respondent={respondent}").json()
    page.goto(renderer)
    page.wait_for_function("() => window.LForms && window.LForms.Util")
    page.evaluate("q => LForms.Util.addFormToPage(q, 'formContainer', {fhirVersion: 'R4'})", questionnaire)
    page.locator("label.lhc-answer").first.wait_for()
    return page


def round_trip(
    browser: Any, renderer: str, base_url: str, answers: dict[str, Any], respondent: str = "self"
) -> tuple[tuple[str, list[str], bool], Any]:
    """The outcome of `$assess` for the QuestionnaireResponse LHC-Forms made, and the page."""
    page = open_form(browser, renderer, base_url, respondent)
    fill_in(page, answers, respondent)
    response = page.evaluate(
        "() => LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', document.getElementById('formContainer'))"
    )
    assessed = page.request.post(
        f"{base_url}/fhir/Questionnaire/triage/$assess?respondent={respondent}",
        data=response,
        headers={"Content-Type": "application/fhir+json"},
    )
    assert assessed.status == 200, assessed.text()
    return outcome(assessed.json()), page


def json_api(base_url: str, page: Any, answers: dict[str, Any], respondent: str) -> tuple[str, list[str], bool]:
    body = {"answers": {**answers, "respondent": respondent}}
    found = page.request.post(f"{base_url}/api/v1/assessments", data=body).json()
    return found["level"], [r["rule"] for r in found["reasons"]], found["complete"]


@pytest.mark.parametrize("level", TO_LEVEL)
def test_lhc_forms_answers_reach_each_level(browser: Any, renderer: str, base_url: str, level: str) -> None:
    answers = {**ALL_QUIET, **TO_LEVEL[level]}
    found, page = round_trip(browser, renderer, base_url, answers)
    assert found == json_api(base_url, page, answers, "self")
    assert found[0] == level
    page.context.close()


def test_lhc_forms_shows_the_care_page_only_to_someone_diagnosed(browser: Any, renderer: str, base_url: str) -> None:
    answers = {**ALL_QUIET, "known_diagnosis": "yes", "breathing_machine_problem": "yes"}
    answers |= {"feeding_tube_problem": "no", "bowel_blocked": "no", "carer_coping": "no"}
    found, page = round_trip(browser, renderer, base_url, answers, "someone_else")
    assert found == json_api(base_url, page, answers, "someone_else")
    assert found[0] == "urgent"
    page.context.close()


def test_lhc_forms_reveals_a_follow_up_when_its_trigger_is_answered(browser: Any, renderer: str, base_url: str) -> None:
    answers = {**ALL_QUIET, "weakness": "yes", "weakness_where": ["arms", "legs"], "weakness_side": "one_side"}
    answers |= {"symptom_course": "worse_over_weeks_months", "worse_with_tiredness": "no"}
    page = open_form(browser, renderer, base_url)
    assert option(page, "weakness_where", "arms").count() == 0  # hidden until "weak" is answered yes
    option(page, "weakness", "yes").click()
    option(page, "weakness_where", "arms").wait_for()
    page.context.close()
    found, page = round_trip(browser, renderer, base_url, answers)
    assert found == json_api(base_url, page, answers, "self")
    assert found[0] == "urgent"
    page.context.close()
