"""In-process benchmark: each page's cost, the WSGI app called directly (no server, no network), set
against its reference measured in the same run, alternating in batches.

    .venv/bin/python bench/inprocess.py [--batches 15] [--size 200]

The app and its reference take turns, a batch of `--size` requests each, `--batches` times; each
side's cost is its fastest batch's mean (the least disturbed by the rest of this shared machine).
The ratio is reference / app: 1.0 means as fast as the reference. References (bench/floor.py and
bench/baseline.py, as bench/throughput.py uses them): a page that needs the visitor's signed cookie
against stock Flask reading the same cookie and serving a page of the same size (the floor); the
start page against stock Flask making Flask-WTF's CSRF token for a first visit; the API against a
bare Flask JSON endpoint.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))
SECRET = "inprocess-bench-secret-" + "0" * 32

Environ = dict[str, Any]


def call(app: Any, environ: Environ) -> int:
    """One request through the WSGI app, its body read to the end; the number of bytes."""
    size = 0
    status: list[str] = []

    def start_response(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        status.append(code)
        return lambda data: None

    body = app(dict(environ), start_response)
    try:
        for chunk in body:
            size += len(chunk)
    finally:
        getattr(body, "close", lambda: None)()
    assert status and status[0][:3] in ("200", "303"), status
    return size


def environ(path: str, *, method: str = "GET", cookie: str | None = None, json_body: Any = None) -> Environ:
    headers = {"Cookie": cookie} if cookie else {}
    builder = EnvironBuilder(path=path, method=method, headers=headers, json=json_body)
    made = builder.get_environ()
    if json_body is not None:
        made["wsgi.input"] = io.BytesIO(json.dumps(json_body).encode())
    return made


def fastest_mean(app: Any, env: Environ, size: int) -> float:
    started = time.perf_counter()
    for _ in range(size):
        body = env.get("wsgi.input")
        if body is not None:
            body.seek(0)
        call(app, env)
    return (time.perf_counter() - started) / size


def compare(app: Any, env: Environ, reference: Any, ref_env: Environ, batches: int, size: int) -> tuple[float, float]:
    app_best = ref_best = float("inf")
    for _ in range(batches):
        app_best = min(app_best, fastest_mean(app, env, size))
        ref_best = min(ref_best, fastest_mean(reference, ref_env, size))
    return app_best, ref_best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=15)
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args()

    from webpages import Visitor

    from triage import create_app

    app = create_app({"SECRET_KEY": SECRET, "RATE_LIMIT": "off"})
    visitor = Visitor(app.test_client())
    visitor.start()
    visitor.answer_all({"twitching": "yes"})  # a 'soon' result, every answer listed
    cookie = f"triage_session={visitor.client.get_cookie('triage_session').value}"  # type: ignore[union-attr]
    answers = json.loads((HERE.parent / "examples" / "answers.json").read_text())
    requests = {
        "start page (first visit)": environ("/"),
        "question page": environ("/questions/breathing_swallowing_speech", cookie=cookie),
        "result page": environ("/result", cookie=cookie),
        "API assessment": environ("/api/v1/assessments", method="POST", json_body={"answers": answers}),
    }
    sizes = {name: call(app, env) for name, env in requests.items()}
    os.environ["BASELINE_PAGES"] = json.dumps({"start": sizes["start page (first visit)"], **{
        "question": sizes["question page"], "result": sizes["result page"]}})  # fmt: skip
    os.environ["BASELINE_JSON_BYTES"] = str(sizes["API assessment"])
    os.environ["FLOOR_SECRET_KEY"] = SECRET
    import baseline
    import floor

    references = {
        "start page (first visit)": (floor.app, environ("/form/start")),
        "question page": (floor.app, environ("/page/question", cookie=cookie)),
        "result page": (floor.app, environ("/page/result", cookie=cookie)),
        "API assessment": (baseline.app, environ("/json", method="POST", json_body={"answers": answers})),
    }
    # The same pages in French, from an app offering both languages (against the same floors: a
    # French page weighs about what the English one does).
    both = create_app({"SECRET_KEY": SECRET, "RATE_LIMIT": "off", "LANGUAGES": ("en", "fr_CA")})
    apps = dict.fromkeys(requests, app)
    for name, path in (("question page", "/fr/questions/breathing_swallowing_speech"), ("result page", "/fr/result")):
        requests[f"{name}, French"] = environ(path, cookie=cookie)
        references[f"{name}, French"] = references[name]
        apps[f"{name}, French"] = both
    # The same pages with rate limits on, as deployed by default (the rows above turn them off, as
    # the other benchmarks do): reading a page is never limited, but Flask-Limiter's hooks run on
    # every request.
    limits_on = create_app({"SECRET_KEY": SECRET})
    for name, path in (("question page", "/questions/breathing_swallowing_speech"), ("result page", "/result")):
        requests[f"{name}, rate limits on"] = environ(path, cookie=cookie)
        references[f"{name}, rate limits on"] = references[name]
        apps[f"{name}, rate limits on"] = limits_on
    print(f"in-process, fastest of {args.batches} batches of {args.size} requests each, app and reference in turn")
    print(f"{'request':<32} {'app µs':>8} {'reference µs':>13} {'reference':>10}  ratio")
    for name, env in requests.items():
        reference, ref_env = references[name]
        kind = "bare" if reference is baseline.app else "floor"
        app_mean, ref_mean = compare(apps[name], env, reference, ref_env, args.batches, args.size)
        print(f"{name:<32} {app_mean * 1e6:8.0f} {ref_mean * 1e6:13.0f} {kind:>10}  {ref_mean / app_mean:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
