"""The questionnaire embedded in a clinic's own page on another site, in a real browser with its
ordinary defaults: the snippet from the README, framed cross-site, walked to a result, with and
without JavaScript. And what a visitor is told when their browser does not send the cookie back."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import axe_violations
from test_browser import NEXT, QUIET, START, TITLES, TO_LEVEL, fill_in_page
from werkzeug.serving import make_server

from triage import create_app
from triage.config import DEFAULTS, finish

pytestmark = pytest.mark.browser

SECRET = "embed-test-secret-" + "0" * 32


def serve(app: Any) -> tuple[Any, threading.Thread]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="module")
def clinic_and_questionnaire() -> Iterator[tuple[str, str]]:
    """The clinic's page on http://localhost:A framing the questionnaire on http://127.0.0.1:B:
    two sites. (Chromium treats both as secure contexts, so the questionnaire's Secure cookie is
    set as it would be over HTTPS.)"""
    page: dict[str, bytes] = {}

    class Clinic(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page["html"])))
            self.end_headers()
            self.wfile.write(page["html"])

        def log_message(self, *args: Any) -> None:
            pass

    clinic = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Clinic)
    clinic_port = clinic.server_address[1]
    config = {
        "SECRET_KEY": SECRET,
        "RATE_LIMIT": "off",
        "HTTPS": True,
        "FRAME_ANCESTORS": f"http://localhost:{clinic_port}",
    }
    questionnaire, thread = serve(create_app(config))
    base = f"http://127.0.0.1:{questionnaire.server_port}"
    page["html"] = CLINIC_PAGE.replace(
        "{snippet}", README_SNIPPET.replace("https://triage.clinic.example", base)
    ).encode()
    clinic_thread = threading.Thread(target=clinic.serve_forever, daemon=True)
    clinic_thread.start()
    yield f"http://localhost:{clinic_port}", base
    for server, running in ((clinic, clinic_thread), (questionnaire, thread)):
        server.shutdown()
        server.server_close()
        running.join(timeout=5)


# The snippet a clinic pastes into its page, as the README gives it.
README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
README_SNIPPET = README.split("<!-- embed snippet -->\n```html\n", 1)[1].split("\n```", 1)[0]
CLINIC_PAGE = (
    "<!doctype html><html lang='en'><head><title>Clinic</title></head>"
    "<body><main><h1>ALS</h1>{snippet}</main></body></html>"
)


@pytest.mark.parametrize("javascript", [True, False])
def test_the_questionnaire_framed_on_the_clinics_site_reaches_a_result(
    browser: Any, clinic_and_questionnaire: tuple[str, str], javascript: bool
) -> None:
    clinic, base = clinic_and_questionnaire
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(clinic)
        frame = page.frame_locator("iframe")
        with page.expect_event("framenavigated"):
            frame.get_by_role("button", name=START["self"]).click()
        inner = next(f for f in page.frames if f.url.startswith(base))
        seen = 0
        while "/questions/" in inner.url:
            seen += 1
            assert inner.locator(".error-summary").count() == 0, inner.url
            fill_in_page(inner, {**QUIET, **TO_LEVEL["soon"]})
            inner = next(f for f in page.frames if f.url.startswith(base))
        assert inner.url.endswith("/result")
        assert inner.locator("h1").inner_text() == TITLES["soon"]
        assert seen == 5
        cookie = next(c for c in context.cookies(base) if c["name"] == "triage_session")
        assert cookie["sameSite"] == "None" and cookie["secure"]
    finally:
        context.close()


def test_without_its_cookie_a_post_says_why_and_how_to_go_on(browser: Any, base_url: str) -> None:
    """A browser that blocks the cookie (as some do in a frame on another site): the page says what
    happened and offers the questions in a tab of their own; the answers on the page are kept."""
    context = browser.new_context(base_url=base_url)
    try:
        page = context.new_page()
        page.goto("/questions/emergency")
        context.clear_cookies()
        page.locator("#breathing_now").check()  # an answer given before the post
        page.locator("#breathing_now").uncheck()
        page.locator("#emergency_signs").check()
        with page.expect_navigation():
            page.get_by_role("button", name=NEXT).click()
        summary = page.locator(".error-summary").inner_text()
        assert "did not send back this site's cookie" in summary and "long time" not in summary
        assert page.get_by_role("link", name="Open the questions in a new tab").get_attribute("target") == "_blank"
        assert page.locator("#emergency_signs").is_checked()  # nothing entered is lost
        assert axe_violations(page) == []
    finally:
        context.close()


def test_embedding_settings_make_a_partitioned_cross_site_cookie(tmp_path: Any) -> None:
    config = {**DEFAULTS, "SECRET_KEY": SECRET, "HTTPS": True, "FRAME_ANCESTORS": "https://clinic.example"}
    finish(config, tmp_path)
    assert config["SESSION_COOKIE_SAMESITE"] == "None" and config["SESSION_COOKIE_PARTITIONED"] is True
    app = create_app({"SECRET_KEY": SECRET, "HTTPS": True, "FRAME_ANCESTORS": "https://clinic.example"})
    cookie = app.test_client().get("/questions/emergency").headers["Set-Cookie"]
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie
    plain = create_app({"SECRET_KEY": SECRET}).test_client().get("/questions/emergency").headers["Set-Cookie"]
    assert "SameSite=Lax" in plain and "Partitioned" not in plain
