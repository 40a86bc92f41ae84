"""HTTP benchmark: the app as the README runs it, against a bare Flask baseline, in the same run.

    .venv/bin/python bench/throughput.py [--seconds 10] [--rounds 3] [--connections 32] [--workers 2]

Both run under gunicorn with the same worker count on 127.0.0.1 and are driven by wrk, app and
baseline alternating, each run bounded by --seconds. For each request it prints requests per
second, median and 99th-percentile latency, and the ratio of the app's throughput to the baseline's
(the median, over the rounds, of each round's ratio between its back-to-back app and baseline runs).
The baseline gets the same request (the same cookie, the same JSON body) and answers with a page of
exactly the same size, or from a bare JSON endpoint, without reading the cookie. For the pages that
read the visitor's session cookie it also measures the floor: stock Flask doing nothing but reading
that cookie and serving a page of the same size (bench/floor.py), the least any such page can cost;
for the start page, which carries a form for a first-time visitor, stock Flask making Flask-WTF's
CSRF token (which starts the session and sets its cookie). Baseline, floor and app run under the
same gunicorn settings as `triage serve` (threaded workers). It also prints each app worker's
resident memory. Targets: every page at least 0.9 of its floor; the API at least 0.8 of the bare
baseline; memory at most 80 MB per worker. Needs wrk (Debian: apt-get install wrk). Rate limits
are off: the load comes from one address.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from serving import BIN, SECRET, free_port, running, triage_server, worker_memory_mb

HERE = Path(__file__).parent

# The API is sent the example answers (a complete set, as the README shows).
ANSWERS = json.loads((HERE.parent / "examples" / "answers.json").read_text())
TARGET_RATIO, TARGET_FLOOR_RATIO, TARGET_MB = 0.8, 0.9, 80


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def session_cookie() -> str:
    """A session cookie as a visitor's browser holds it after answering every page (a `soon` result,
    every answer listed, as bench/inprocess.py uses): the answers and the CSRF token, signed with
    the server's key."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from webpages import Visitor

    from triage import create_app

    visitor = Visitor(create_app({"SECRET_KEY": SECRET, "RATE_LIMIT": "off"}).test_client())
    visitor.start()
    visitor.answer_all({"twitching": "yes"})
    cookie = visitor.client.get_cookie("triage_session")
    assert cookie is not None
    return f"triage_session={cookie.value}"


def size_of(url: str, cookie: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request) as response:
        return len(response.read())


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk(url: str, seconds: int, connections: int, script: Path | None = None, cookie: str | None = None) -> Run:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.M))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Run(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        errors=errors + (int(non_2xx.group(1)) if non_2xx else 0),
    )


def gunicorn(workers: int, url: str, app: str) -> list[str]:
    """The reference apps under the same gunicorn settings as `triage serve` (triage/server.py)."""
    threads = os.environ.get("TRIAGE_THREADS", "64")  # as triage serve reads it
    served = ["-w", str(workers), "-k", "gthread", "--threads", threads, "--keep-alive", "5", "--timeout", "30"]
    return [str(BIN / "gunicorn"), *served, "-b", url.removeprefix("http://"), "--chdir", str(HERE), app]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="measure only the requests whose name contains this, e.g. page")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("bench/throughput.py needs wrk: apt-get install wrk", file=sys.stderr)
        return 2

    cookie = session_cookie()
    with (
        tempfile.TemporaryDirectory() as scratch,
        triage_server(args.workers, TRIAGE_RATE_LIMIT="off") as (app, server),
    ):
        post = Path(scratch) / "post.lua"
        body = json.dumps({"answers": ANSWERS})
        post.write_text(
            f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\nwrk.headers["Content-Type"] = "application/json"\n'
        )
        with urllib.request.urlopen(
            urllib.request.Request(
                f"{app}/api/v1/assessments", data=body.encode(), headers={"Content-Type": "application/json"}
            )
        ) as r:
            json_bytes = len(r.read())
        pages = {
            "start": size_of(f"{app}/"),
            "question": size_of(f"{app}/questions/breathing_swallowing_speech", cookie),
            "result": size_of(f"{app}/result", cookie),
        }
        env = {"BASELINE_PAGES": json.dumps(pages), "BASELINE_JSON_BYTES": str(json_bytes - 12)}
        base, floor = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
        with (
            running(gunicorn(args.workers, base, "baseline:app"), f"{base}/healthz", env) as _baseline,
            running(
                gunicorn(args.workers, floor, "floor:app"), f"{floor}/healthz", {**env, "FLOOR_SECRET_KEY": SECRET}
            ) as _floor,
        ):
            # (name, app URL, cookie, wrk script, baseline URL, floor URL or None)
            cases = [
                ("start page (GET /)", f"{app}/", None, None, f"{base}/page/start", f"{floor}/form/start"),
                (
                    "question page (GET /questions/breathing_swallowing_speech)",
                    f"{app}/questions/breathing_swallowing_speech",
                    cookie,
                    None,
                    f"{base}/page/question",
                    f"{floor}/page/question",
                ),
                (
                    "assessment (POST /api/v1/assessments)",
                    f"{app}/api/v1/assessments",
                    None,
                    post,
                    f"{base}/json",
                    None,
                ),
                (
                    "result page (GET /result)",
                    f"{app}/result",
                    cookie,
                    None,
                    f"{base}/page/result",
                    f"{floor}/page/result",
                ),
            ]
            cases = [case for case in cases if args.only in case[0]]
            results: dict[str, tuple[list[Run], list[Run], list[Run]]] = {name: ([], [], []) for name, *_ in cases}
            for _ in range(args.rounds):
                for name, url, with_cookie, script, baseline_url, floor_url in cases:
                    results[name][0].append(wrk(url, args.seconds, args.connections, script, with_cookie))
                    results[name][1].append(wrk(baseline_url, args.seconds, args.connections, script, with_cookie))
                    if floor_url:
                        results[name][2].append(wrk(floor_url, args.seconds, args.connections, None, with_cookie))
            memory = worker_memory_mb(server.pid)

    print(
        f"HTTP benchmark: gunicorn {args.workers} threaded workers, wrk 2 threads x {args.connections} connections, "
        f"{args.rounds} alternating rounds of {args.seconds:g} s (medians)"
    )
    heading = ("app req/s", 10), ("p50 ms", 8), ("p99 ms", 8), ("bare req/s", 11), ("floor req/s", 12)
    ratios = ("/ bare", 8), ("/ floor", 8)
    print(f"{'request':<60}" + "".join(f"{title:>{width}}" for title, width in (*heading, *ratios)) + "  target")
    passed = True
    spreads = []
    for name, (ours, theirs, floor_runs) in results.items():
        # Each round's app run and reference runs are back to back; the ratio of each such pair is
        # taken before the median, so that a slower or faster spell of the machine, which affects
        # both halves of a pair alike, does not count as a difference between them.
        bare = statistics.median(a.rps / b.rps for a, b in zip(ours, theirs, strict=True))
        errors = sum(r.errors for r in ours + theirs + floor_runs)
        spread = f"  {name}: / bare " + " ".join(f"{a.rps / b.rps:.2f}" for a, b in zip(ours, theirs, strict=True))
        if floor_runs:
            floor = statistics.median(a.rps / f.rps for a, f in zip(ours, floor_runs, strict=True))
            floor_rps = f"{statistics.median(r.rps for r in floor_runs):>12.0f}"
            met = floor >= TARGET_FLOOR_RATIO
            target = f"  floor >= {TARGET_FLOOR_RATIO}: {'met' if met else 'NOT met'}"
            spread += "; / floor " + " ".join(f"{a.rps / f.rps:.2f}" for a, f in zip(ours, floor_runs, strict=True))
            floor_text = f"{floor:>8.2f}"
        else:
            floor_rps, floor_text = f"{'-':>12}", f"{'-':>8}"
            met = bare >= TARGET_RATIO
            target = f"  bare >= {TARGET_RATIO}: {'met' if met else 'NOT met'}"
        passed &= met and errors == 0
        print(
            f"{name:<60}{statistics.median(r.rps for r in ours):>10.0f}"
            f"{statistics.median(r.p50_ms for r in ours):>8.1f}"
            f"{statistics.median(r.p99_ms for r in ours):>8.1f}{statistics.median(r.rps for r in theirs):>11.0f}"
            f"{floor_rps}{bare:>8.2f}{floor_text}{target}" + (f"  ({errors} errors)" if errors else "")
        )
        spreads.append(spread)
    print("ratios in each round:")
    print("\n".join(spreads))
    print(f"app worker memory (MB): {', '.join(f'{m:.0f}' for m in memory)} (target <= {TARGET_MB})")
    passed &= bool(memory) and max(memory) <= TARGET_MB
    print(f"targets: {'met' if passed else 'NOT met'}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
