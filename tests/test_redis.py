"""A shared rate-limit store (a real redis-server) for two app instances, and what happens when it
goes down, was never started, or accepts connections and never answers: the questions keep working,
the health check says "degraded", and nothing is a 500."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from serving import free_port, triage_server

REDIS = shutil.which("redis-server")
if REDIS is None and os.environ.get("CI"):
    raise RuntimeError("redis-server is needed for the shared rate-limit tests (CI installs it: .ci/run)")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(REDIS is None, reason="redis-server is not installed (apt-get install redis-server)"),
]

EXAMPLE = json.loads((Path(__file__).parents[1] / "examples" / "answers.json").read_text())


@contextmanager
def redis_server() -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    process = subprocess.Popen(
        [str(REDIS), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                time.sleep(0.1)
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def silent_server() -> Iterator[int]:
    """A server that accepts connections and never answers (a hung store)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


def assess(base: str) -> int:
    request = urllib.request.Request(
        f"{base}/api/v1/assessments",
        data=json.dumps({"answers": EXAMPLE}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def health(base: str) -> tuple[int, dict[str, str]]:
    with urllib.request.urlopen(f"{base}/healthz", timeout=15) as response:
        return int(response.status), json.loads(response.read())


def answer_the_emergency_page(base: str) -> int:
    """A visitor's first form post: the page, its CSRF token, the post (the redirect not followed)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{base}/questions/emergency", timeout=15).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    data = urllib.parse.urlencode({"emergency_signs": "none", "csrf_token": token[1]}).encode()
    try:
        return int(opener.open(f"{base}/questions/emergency", data=data, timeout=15).status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_two_instances_share_one_count_and_keep_working_when_redis_stops() -> None:
    with redis_server() as (port, redis):
        store = {"TRIAGE_RATE_LIMIT": "4 per minute", "TRIAGE_RATE_LIMIT_STORAGE": f"redis://127.0.0.1:{port}"}
        with triage_server(workers=1, **store) as (one, _), triage_server(workers=1, **store) as (two, _):
            assert health(one) == (200, health(one)[1]) and health(one)[1]["status"] == "ok"
            statuses = [assess(base) for base in (one, two, one, two, one)]
            assert statuses == [200, 200, 200, 200, 429], "one count, shared by both instances"
            redis.terminate()
            redis.wait(timeout=10)
            started = time.monotonic()
            # The store is gone: every visitor still gets their pages and answers (counted per worker).
            assert assess(one) == 200 and assess(two) == 200
            assert answer_the_emergency_page(one) == 303
            with urllib.request.urlopen(f"{two}/", timeout=15) as start:
                assert start.status == 200
            code, body = health(one)
            assert code == 200 and body["status"] == "degraded" and body["rate_limit_store"] == "degraded"
            assert time.monotonic() - started < 15


@pytest.mark.parametrize("kind", ["never started", "accepts and never answers"])
def test_a_store_that_is_not_there_never_takes_the_questions_down(kind: str) -> None:
    with silent_server() as hung:
        port = free_port() if kind == "never started" else hung
        store = {"TRIAGE_RATE_LIMIT": "100 per minute", "TRIAGE_RATE_LIMIT_STORAGE": f"redis://127.0.0.1:{port}"}
        with triage_server(workers=1, **store) as (base, _):
            started = time.monotonic()
            assert assess(base) == 200
            assert answer_the_emergency_page(base) == 303
            code, body = health(base)
            assert code == 200 and body["status"] == "degraded"
            assert time.monotonic() - started < 15, "each wait on the store is bounded"
