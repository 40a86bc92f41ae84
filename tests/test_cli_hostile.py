"""The command line on hostile or broken input: a clean message and exit 2, never a traceback, and
`triage diff` scales to rule books ten times today's size."""

from __future__ import annotations

import contextlib
import io
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from casefiles import measured
from test_cli import TRIAGE

from triage.cli import main
from triage.rulebook import default_rules_path

RULES = default_rules_path().read_text(encoding="utf-8")


def triage(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    """The command, run in this process (as `triage` would run it, without starting Python again):
    an exception that escaped it would fail the test, as a traceback would."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        sys.stdin = saved
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def triage_process(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command in a process of its own (to measure its time and memory)."""
    done = subprocess.run([TRIAGE, *args], capture_output=True, timeout=120, check=False)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def clean(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == code, (result.returncode, result.stderr[-500:])
    return result.stderr


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"meta: [", "cannot read this rule book"),
        (b"\xff\xfe\x00meta", "cannot read this rule book"),
        (b'meta: {version: "1.0"}\nlevels: 3\n', "not a rule book of the first contract"),
        (b"a: " + b"[" * 5000, "nested more than"),
    ],
)
def test_diff_of_a_file_that_is_not_a_rule_book_is_refused_by_name(tmp_path: Path, content: bytes, words: str) -> None:
    old = tmp_path / "old.yaml"
    old.write_bytes(content)
    assert words in clean(triage("diff", str(old)))
    assert words in clean(triage("report", "--since", str(old), "-o", str(tmp_path / "r.html")))


def test_diff_of_a_missing_file_is_refused_by_name(tmp_path: Path) -> None:
    assert "No such file" in clean(triage("diff", str(tmp_path / "nowhere.yaml")))


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"[" * 100_000, "not_json"),
        (b'{"answers": {"breathing_now": 1' + b"0" * 5000 + b"}}", "not_json"),
        (b'{"answers": {"speech": "no", "speech": "yes"}}', "duplicate_key"),
        (b'{"answers": {}}' + b" " * (2 * 1024 * 1024), "too_large"),
    ],
)
def test_assess_refuses_hostile_answers_quickly(tmp_path: Path, content: bytes, code: str) -> None:
    answers = tmp_path / "answers.json"
    answers.write_bytes(content)
    started = time.monotonic()
    for result in (triage("assess", str(answers)), triage("assess", "-", stdin=content)):
        assert f'"code": "{code}"' in clean(result)
    assert time.monotonic() - started < 20


def test_assess_shows_at_most_100_errors(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text("{" + ",".join(f'"unknown_{i}": 1' for i in range(5000)) + "}")
    errors = clean(triage("assess", str(answers)))
    assert errors.count('"code"') == 100 and '"more_errors":' in errors


@pytest.mark.slow
def test_report_into_a_missing_folder_says_so(tmp_path: Path) -> None:
    assert "No such file or directory" in clean(triage("report", "-o", str(tmp_path / "missing" / "r.html")))


def test_a_case_file_nested_too_deeply_is_passed_over_in_the_report(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "deep.yaml").write_text("cases: " + "[" * 5000)
    result = triage("report", "--cases", str(cases), "-o", str(tmp_path / "r.html"))
    assert result.returncode == 0 and "Traceback" not in result.stderr


def test_sign_refuses_a_name_with_control_characters_and_check_escapes_one(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    assert "without control characters" in clean(triage("sign", "--by", "Dr \x1b[31mRed", str(rules)))
    assert rules.read_text() == RULES  # not signed
    # A signature written by hand with an escape sequence in it: shown, not obeyed.
    rules.write_text(
        RULES + '\nsignature:\n  by: "Dr \\e[31mRed"\n  on: "2026-12-01T09:00:00-07:00"\n  sha256: "' + "0" * 64 + '"\n'
    )
    result = triage("check", str(rules))
    assert "\x1b" not in result.stdout + result.stderr
    assert "Dr \\x1b[31mRed" in result.stdout


@pytest.mark.slow
def test_diff_scales_to_rule_books_ten_times_todays_size(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    books = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    extra = 10 * len([line for line in RULES.splitlines() if line.startswith("      - id: ")]) - 10
    for shift, path in enumerate(books):
        path.write_text(_with_extra_questions(extra, shift))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    result = triage_process("diff", *map(str, books))
    seconds = time.monotonic() - started
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-1000:]
    assert "soon → urgent" in result.stdout and "urgent → soon" in result.stdout
    measured(
        request, f"triage diff of two rule books of {extra + 39} questions: {seconds:.1f} s, {peak_mb:.0f} MB at most"
    )
    assert seconds < 30 and peak_mb < 1024


def _with_extra_questions(n: int, shift: int) -> str:
    """The rule book with `n` more yes/no questions, each with a rule (every third one today)."""
    questions = "".join(
        f"      - id: extra_{i}\n        type: yes_no\n        text:\n          every_voice: Is extra thing {i} true?\n"
        f"        error:\n          every_voice: Select whether extra thing {i} is true\n"
        for i in range(n)
    )
    rules = "".join(
        f"  - id: extra_{i}\n    level: {'urgent' if (i + shift) % 3 == 0 else 'soon'}\n"
        f'    when: {{question: extra_{i}, equals: "yes"}}\n    reason:\n      every_voice: You said extra thing {i}.\n'
        f"    say:\n      every_voice: Extra thing {i}.\n    source: [DOC]\n"
        for i in range(n)
    )
    section = f"\n  - id: extras\n    title:\n      every_voice: More things\n    questions:\n{questions}"
    text = RULES.replace("\n# The rules. Each fires", section + "\n# The rules. Each fires", 1)
    return text.replace("  # Emergency: any one of these alone", rules + "  # Emergency: any one of these alone", 1)
