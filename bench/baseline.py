"""The baseline for bench/throughput.py: a bare Flask app serving pages of given sizes and a bare JSON endpoint.

Sizes come from the environment so the baseline page weighs what the app's page weighs.
"""

from __future__ import annotations

import json
import os

from flask import Flask, Response, request

app = Flask(__name__)
PAGES = {name: "x" * int(size) for name, size in json.loads(os.environ.get("BASELINE_PAGES", "{}")).items()}
JSON_BODY = "x" * int(os.environ.get("BASELINE_JSON_BYTES", "1000"))


@app.get("/page/<name>")
def page(name: str) -> Response:
    return Response(PAGES[name], mimetype="text/html")


@app.post("/json")
def json_endpoint() -> Response:
    request.get_json()
    return Response(json.dumps({"body": JSON_BODY}), mimetype="application/json")


@app.get("/healthz")
def healthz() -> str:
    return "ok"
