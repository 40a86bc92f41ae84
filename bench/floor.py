"""A reference for bench/throughput.py: stock Flask that reads the visitor's session cookie and
serves a page of a given size, doing nothing else.

Flask verifies and decodes the signed session cookie of every request that carries one. A page
that needs the answers so far cannot avoid that cost, so this app shows how close to the bare
baseline any such page can get. Same cookie name and secret as the app, no refresh on each request
(as the app), and otherwise Flask's defaults.

`/form/<name>` is the floor for a page that carries a form for a first-time visitor (the start
page, with its two start buttons): Flask-WTF's own CSRF token, which starts the visitor's session
and so signs and sets the cookie, and nothing else.
"""

from __future__ import annotations

import json
import os

from flask import Flask, Response, session
from flask_wtf.csrf import generate_csrf

app = Flask(__name__)
app.secret_key = os.environ.get("FLOOR_SECRET_KEY", "bench")
app.config.update(SESSION_COOKIE_NAME="triage_session", SESSION_REFRESH_EACH_REQUEST=False)
PAGES = {name: "x" * int(size) for name, size in json.loads(os.environ.get("BASELINE_PAGES", "{}")).items()}


@app.get("/page/<name>")
def page(name: str) -> Response:
    assert session.get("answers"), "the floor must be given the visitor's cookie"
    return Response(PAGES[name], mimetype="text/html")


@app.get("/form/<name>")
def form(name: str) -> Response:
    token = generate_csrf()
    return Response(PAGES[name][: -len(token)] + token, mimetype="text/html")


@app.get("/healthz")
def healthz() -> str:
    return "ok"
