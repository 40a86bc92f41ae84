"""Where an API assessment's time goes, inside whole requests: the API's route replaced, in one app,
by views that stop at each step, each measured as `bench/inprocess.py` measures (fastest batch,
taking turns), against the bare Flask JSON endpoint it is compared with.

    .venv/bin/python bench/api_parts.py [--batches 20] [--size 200]

A step's cost in a loop of its own says little: inside a request, after Flask's own work, the same
code costs up to twice as much (the processor's caches hold Flask's data then, not the rule
book's). So each step is measured as what it adds to a whole request.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from flask import Response, request
from flask.typing import RouteCallable

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from inprocess import SECRET, environ, fastest_mean  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args()

    import baseline

    from triage import clock, create_app, languages
    from triage.engine import assess
    from triage.strictjson import read_json
    from triage.webapp import json_response

    app = create_app({"SECRET_KEY": SECRET, "RATE_LIMIT": "off"})
    answers = json.loads((HERE.parent / "examples" / "answers.json").read_text())
    with app.app_context():
        prepared = json_response(assess(languages.book("en"), answers).to_dict())

    def read() -> tuple[dict[str, object], bool, object]:
        """What the route does before assessing: the content type, the language, the body, the clock."""
        assert request.mimetype == "application/json"
        book = languages.book(languages.asked() or "en")
        return read_json(request.get_data(cache=False))["answers"], clock.after_hours(book), book

    def nothing() -> Response:
        return prepared

    def reading() -> Response:
        read()
        return prepared

    def assessing() -> Response:
        given, closed, book = read()
        assess(book, given, after_hours=closed)  # type: ignore[arg-type]
        return prepared

    def answering() -> Response:
        given, closed, book = read()
        return json_response(assess(book, given, after_hours=closed).to_dict())  # type: ignore[arg-type]

    steps: dict[str, RouteCallable] = {
        "a prepared answer, nothing read": nothing,
        "+ type, language, body (strict JSON), clock": reading,
        "+ assess": assessing,
        "+ the answer (to_dict, orjson, Response)": answering,
        "the route as it is": app.view_functions["api.assessments"],
    }
    env = environ("/api/v1/assessments", method="POST", json_body={"answers": answers})
    bare_env = environ("/json", method="POST", json_body={"answers": answers})
    best = dict.fromkeys(steps, float("inf"))
    bare = float("inf")
    for _ in range(args.batches):
        for name, view in steps.items():
            app.view_functions["api.assessments"] = view
            best[name] = min(best[name], fastest_mean(app, env, args.size))
        bare = min(bare, fastest_mean(baseline.app, bare_env, args.size))
    print(f"in-process, fastest of {args.batches} batches of {args.size}; bare Flask JSON endpoint {bare * 1e6:.0f} µs")
    print(f"{'the API route, stopped after':<46} {'µs':>5} {'step':>5}  bare / this")
    before = None
    for name, cost in best.items():
        step = f"{(cost - before) * 1e6:5.0f}" if before is not None and name != "the route as it is" else "     "
        print(f"{name:<46} {cost * 1e6:5.0f} {step}  {bare / cost:.2f}")
        before = cost
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
