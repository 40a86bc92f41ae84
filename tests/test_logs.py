"""No answer ever reaches a log: a full run against the real server, then its whole output is searched."""

from __future__ import annotations

import http.cookiejar
import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from triage.server import AccessLog, EscapingFormatter

TRIAGE = str(Path(sys.executable).with_name("triage"))
# Values distinctive enough that finding one in the log can only mean an answer leaked.
ANSWERS = {
    "emergency": {
        "breathing_now": "no", "choking_now": "no", "chest_pain": "no", "sudden_symptoms": "no",
        "sudden_headache": "no", "drowsy_confused": "no", "fever_stiff_neck": "no", "fall_injury": "no",
        "bladder_bowel": "no", "self_harm_now": "no",
    },
    "background": {"known_diagnosis": "no", "sudden_symptoms_gone": "last_7_days"},
    "breathing_swallowing_speech": {
        "breathlessness": "lying_flat", "morning_headaches": "no", "swallowing": "no", "choking_episodes": "no",
        "speech": "no", "chest_infection": "no",
    },
    "muscles": {
        "weakness": "yes", "weakness_where": "face_neck", "weakness_side": "one_side", "trouble_walking": "no",
        "dropping_objects": "no", "twitching": "no", "cramps": "no", "calf_swelling": "no",
    },
    "changes": {
        "symptom_course": "worse_over_weeks_months", "worse_with_tiredness": "no", "numbness": "no",
        "double_vision": "no", "weight_loss": "significant", "family_history": "unsure", "low_mood": "yes",
        "self_harm_thoughts": "yes", "carer_coping": "no", "other_worry": "no",
    },
}  # fmt: skip
SECRET_VALUES = [
    "lying_flat", "face_neck", "one_side", "worse_over_weeks_months", "significant", "unsure", "last_7_days",
    "someone_else", "self_harm_thoughts", "low_mood",
]  # fmt: skip


@pytest.mark.slow
def test_a_full_run_leaves_no_answer_in_the_logs(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "server.log").open("w+")
    env = {**os.environ, "TRIAGE_SECRET_KEY": "log-test-" + "0" * 32}
    server = subprocess.Popen([TRIAGE, "serve", "--port", str(port), "--workers", "1"], env=env, stdout=log, stderr=log)
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        for _ in range(100):
            try:
                opener.open(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)

        def token(path: str) -> str:
            page = opener.open(base + path).read().decode()
            return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

        start = urllib.parse.urlencode({"respondent": "someone_else", "csrf_token": token("/")}).encode()
        opener.open(f"{base}/start", data=start)
        for section, answers in ANSWERS.items():
            data = urllib.parse.urlencode({**answers, "csrf_token": token(f"/questions/{section}")}).encode()
            opener.open(f"{base}/questions/{section}", data=data)
        result = opener.open(f"{base}/result").read().decode()
        assert "Contact a doctor today" in result
        call = {k: v for answers in ANSWERS.values() for k, v in answers.items()}
        staff = urllib.parse.urlencode({**call, "csrf_token": token("/staff")}).encode()
        assert "Call summary" in opener.open(f"{base}/staff", data=staff).read().decode()
        request = urllib.request.Request(
            f"{base}/api/v1/assessments",
            data=json.dumps(
                {"answers": {**call, "weakness_where": ["face_neck"], "respondent": "someone_else"}}
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert json.loads(opener.open(request).read())["level"] == "urgent"
        # Someone tries to write a line of their own into the log, and to colour the terminal.
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(b"GET /x%0d%0aFORGED%20LINE%1b[31m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert raw.recv(100).startswith(b"HTTP/1.1 404")
    finally:
        server.terminate()
        server.wait(timeout=10)
    log.seek(0)
    logged = log.read()
    log.close()
    assert "POST /questions/muscles 303" in logged and "POST /api/v1/assessments 200" in logged  # it did log
    for value in SECRET_VALUES:
        assert value not in logged, f"answer value {value!r} found in the log"
    assert "127.0.0.1" not in logged.replace(f"127.0.0.1:{port}", "")  # no client addresses either
    forged = [line for line in logged.splitlines() if "FORGED" in line]
    assert len(forged) == 1 and re.fullmatch(r"GET /x\\x0d\\x0aFORGED LINE\\x1b\[31m 404 \d+ \d+ms", forged[0])
    assert "\x1b" not in logged and "\r" not in logged


def test_every_handler_gets_the_access_line_with_control_characters_escaped() -> None:
    """Gunicorn's own stream and a handler someone adds both get one line, with what a client sent
    escaped, and nothing from the query string."""
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = AccessLog(cfg)
    (own,) = logger.access_log.handlers
    plain, formatted = io.StringIO(), io.StringIO()
    own.setStream(plain)  # type: ignore[attr-defined]
    other = logging.StreamHandler(formatted)
    other.setFormatter(EscapingFormatter("[%(levelname)s] %(name)s: %(message)s"))
    logger.access_log.addHandler(other)
    response = SimpleNamespace(status="404 NOT FOUND", sent=189)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/a\r\nFAKE\x1b[0m\\", "QUERY_STRING": "breathing_now=yes"}
    logger.access(response, None, environ, timedelta(milliseconds=4))
    assert plain.getvalue() == "GET /a\\x0d\\x0aFAKE\\x1b[0m\\\\ 404 189 4ms\n"
    assert formatted.getvalue() == "[INFO] gunicorn.access: GET /a\\x0d\\x0aFAKE\\x1b[0m\\\\ 404 189 4ms\n"
    # A French page is logged at the path asked for (the app moves /fr from the path to the root).
    logger.access(response, None, {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/fr", "PATH_INFO": "/result"}, timedelta())
    assert plain.getvalue().endswith("GET /fr/result 404 189 0ms\n")
