"""Requests an attacker (or a broken client) sends get a 4xx page, never a 500.

Each test is one reproducer from the attack on the running server (issue 13), sent through the
app's own WSGI interface, as gunicorn hands requests to it.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from webpages import QUIET, check_page
from werkzeug.test import EnvironBuilder, run_wsgi_app

from triage import create_app
from triage.rulebook import Rulebook

FORM_POSTS = ["/questions/emergency", "/start-again", "/staff"]


def status_with_cookie(app: Flask, path: str, cookie: str) -> str:
    """The status of a GET with this Cookie header, sent as a WSGI server sends it (the test client
    would replace the header with its own cookie jar)."""
    environ = EnvironBuilder(path=path).get_environ()
    environ["HTTP_COOKIE"] = cookie  # WSGI carries headers as Latin-1 text: "\xe9" is the byte 0xE9
    body, status, _ = run_wsgi_app(app, environ)
    getattr(body, "close", lambda: None)()
    return status


@pytest.mark.parametrize("path", ["/", "/healthz", "/static/app.css", "/questions/emergency", "/staff"])
def test_a_cookie_with_a_byte_that_is_not_utf8_is_ignored_not_a_500(path: str) -> None:
    app = create_app({"SECRET_KEY": "test", "PROPAGATE_EXCEPTIONS": False})
    assert status_with_cookie(app, path, "pref=caf\xe9; other=\xff\xfe") == "200 OK"


def test_a_session_cookie_of_random_bytes_is_an_empty_session() -> None:
    app = create_app({"SECRET_KEY": "test", "PROPAGATE_EXCEPTIONS": False})
    # No answers in it: the "start from the beginning" page.
    assert status_with_cookie(app, "/result", "triage_session=\xe9\x00\xff.abc") == "409 CONFLICT"


@pytest.mark.parametrize("path", FORM_POSTS)
@pytest.mark.parametrize("body", ["[1,2]", '{"breathing_now": "yes"}', "null", '"text"'])
def test_a_json_body_on_a_form_post_is_a_400_page(client: Any, rulebook: Rulebook, path: str, body: str) -> None:
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    soup = check_page(response, rulebook)
    assert soup.h1 is not None and soup.h1.get_text(strip=True) == "Something went wrong with that request"
    assert "were not saved" in soup.get_text()


@pytest.mark.parametrize("path", FORM_POSTS)
def test_a_multipart_body_on_a_form_post_is_a_400_and_nothing_is_stored(
    visitor: Any, client: Any, rulebook: Rulebook, path: str
) -> None:
    data: dict[str, Any] = {**QUIET["emergency"], "extra": (b"file contents", "notes.txt")}
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    check_page(response, rulebook)
    assert visitor.stored() == {}


def test_a_multipart_body_without_files_is_refused_too(visitor: Any, client: Any, rulebook: Rulebook) -> None:
    response = client.post("/questions/emergency", data=QUIET["emergency"], content_type="multipart/form-data")
    assert response.status_code == 400
    assert visitor.stored() == {}


def test_a_body_with_no_type_is_refused(client: Any, rulebook: Rulebook) -> None:
    response = client.post(
        "/questions/emergency", data=b"breathing_now=yes", headers={"Content-Type": ""}, content_type=""
    )
    assert response.status_code == 400


def test_a_plain_form_post_still_works(visitor: Any) -> None:
    response = visitor.answer("emergency", QUIET["emergency"])
    assert response.status_code == 303
    assert visitor.stored() == QUIET["emergency"]
