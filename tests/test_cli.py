"""The `triage` command, run as a person would run it: a real process, real exit codes."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from triage.rulebook import default_rules_path

NOTHING = json.loads((Path(__file__).parents[1] / "examples" / "answers.json").read_text()) | {
    "respondent": "self", "breathlessness": "none", "weakness": "no", "dropping_objects": "no", "twitching": "no",
    "cramps": "no", "family_history": "no", "carer_coping": None,
}  # fmt: skip


# The installed command: on PATH, or beside the interpreter running the tests (a virtual environment).
TRIAGE = shutil.which("triage") or str(Path(sys.executable).with_name("triage"))


def triage(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    argv = [TRIAGE, *args]
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60, check=False)


def test_check_prints_counts_and_the_inventory_with_its_rules() -> None:
    result = triage("check")
    assert result.returncode == 0, result.stderr
    title = "When to get help for muscle, speech, swallowing or breathing problems"
    assert f"rules.yaml: OK. {title} 3.0.1" in result.stdout
    assert "54 rules (emergency 15, urgent 19, soon 15, routine 5)" in result.stdout
    assert "17 inventory items (14 with rules, 3 not asked)" in result.stdout
    assert "        rules: worse_with_tiredness (soon)" in result.stdout
    assert "        not asked: EMG is a clinic test." in result.stdout


def test_check_of_a_broken_rule_book_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    text = default_rules_path().read_text().replace("level: urgent", "level: urgnet", 1)
    path.write_text(text.replace("  version: 3.0.1", "  version: one"))
    result = triage("check", str(path))
    assert result.returncode == 1
    problems = result.stderr.splitlines()
    assert problems[0].startswith(f"{path}:29: version must be a semantic version")
    assert problems[1].startswith(f"{path}:") and "unknown level 'urgnet'" in problems[1]
    assert problems[2] == "2 problem(s): the rule book cannot be used."
    assert result.stdout == ""


def test_assess_prints_the_assessment_as_json(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(NOTHING | {"choking_episodes": "yes", "age": 61}))
    result = triage("assess", str(answers))
    assert result.returncode == 0, result.stderr
    assessment = json.loads(result.stdout)
    assert assessment["level"] == "urgent"
    assert assessment["reasons"] == [
        {
            "rule": "choking_episodes",
            "level": "urgent",
            "text": "You said you cough or choke when you eat or drink, or on your own spit.",
            "advice": None,
            "say": "I cough or choke when I eat or drink, or on my own spit.",
            "source": ["RF2", "FAQ3", "NG12", "NG42"],
        }
    ]
    assert assessment["action"] == "Contact a doctor today."
    assert assessment["where"].startswith("Call your family doctor's office")
    assert assessment["timeframe"] == "Today" and "age" not in assessment["answers"]
    assert "911" in assessment["safety_net"]
    assert assessment["disclaimer"].startswith("This tool gives general information only.")
    assert assessment["rulebook"]["version"] == "3.0.1"


def test_assess_reads_standard_input_and_accepts_an_answers_wrapper() -> None:
    result = triage("assess", "-", stdin=json.dumps({"answers": {"choking_now": "yes"}}))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["level"] == "emergency"


def test_assess_uses_another_rule_book(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(default_rules_path().read_text().replace('emergency_number: "911"', 'emergency_number: "112"'))
    result = triage("assess", "--rules", str(rules), "-", stdin=json.dumps({"breathing_now": "yes"}))
    assert json.loads(result.stdout)["action"] == "Call 112 now. Do not drive yourself to hospital."


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stdin", "errors"),
    [
        (
            json.dumps(NOTHING | {"speech": "maybe", "age": "old", "colour": "blue"}),  # age is ignored
            [
                {
                    "field": "speech",
                    "code": "invalid_choice",
                    "message": "Select whether your speech is newly slurred or getting worse",
                },
                {
                    "field": "colour",
                    "code": "unknown_question",
                    "message": "This is not one of the questions in this questionnaire.",
                },
            ],
        ),
        ("{not json", None),
        ("[1, 2]", None),
    ],
)
def test_invalid_answers_give_field_errors_on_stderr_and_exit_2(stdin: str, errors: list | None) -> None:
    result = triage("assess", "-", stdin=stdin)
    assert result.returncode == 2
    assert result.stdout == ""
    reported = json.loads(result.stderr)["errors"]
    if errors is not None:
        assert reported == errors
    else:
        assert len(reported) == 1 and reported[0]["message"]
    assert "Traceback" not in result.stderr


def test_a_missing_answers_file_is_a_clear_error(tmp_path: Path) -> None:
    result = triage("assess", str(tmp_path / "missing.json"))
    assert result.returncode == 2
    assert json.loads(result.stderr)["errors"][0]["code"] == "unreadable"


def test_serve_refuses_to_start_with_a_broken_rule_book(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(default_rules_path().read_text().replace("level: urgent", "level: urgnet", 1))
    env = {**os.environ, "TRIAGE_RULES": str(rules), "TRIAGE_SECRET_KEY": "x" * 32}
    result = subprocess.run(
        [TRIAGE, "serve", "--port", "0"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert f"{rules}:" in result.stderr and "unknown level 'urgnet'" in result.stderr
    assert "the app did not start" in result.stderr


@pytest.mark.slow
def test_serve_runs_the_app_under_gunicorn_and_says_where(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "TRIAGE_SECRET_KEY": "x" * 32}
    server = subprocess.Popen(
        [TRIAGE, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.strip() == f"ALS red-flag triage is running at http://127.0.0.1:{port}/ (press Ctrl+C to stop)"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/questions/emergency", timeout=10) as response:
            assert response.status == 200 and b"Is any of these happening to you right now?" in response.read()
        assert server.stdout.readline().strip().startswith("GET /questions/emergency 200 ")
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()


def test_check_piped_into_head_ends_quietly() -> None:
    result = subprocess.run(
        f"'{TRIAGE}' check | head -n 1", shell=True, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.startswith("rules.yaml: OK.")
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_assess_piped_into_a_reader_that_stops_early_ends_quietly() -> None:
    # `head -c 0` exits at once, long before the assessment is written: the pipe is closed.
    result = subprocess.run(
        f"echo '{{\"breathing_now\": \"yes\"}}' | '{TRIAGE}' assess - | head -c 0",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stderr == ""


def test_errors_about_the_whole_file_name_no_field() -> None:
    result = triage("assess", "-", stdin="{not json")
    assert json.loads(result.stderr)["errors"][0]["field"] is None


def test_serve_help_describes_every_option() -> None:
    result = subprocess.run([TRIAGE, "serve", "--help"], capture_output=True, text=True, timeout=60, check=True)
    for option, words in (("--host", "TRIAGE_HOST"), ("--port", "TRIAGE_PORT"), ("--workers", "TRIAGE_WORKERS")):
        assert option in result.stdout and words in result.stdout
    assert "TRIAGE_THREADS" in result.stdout and "slow clients" in result.stdout
