"""Signing: a clinician's name, the time and a SHA-256 of the content; the app honours it.

The shipped rule book stays unsigned (nobody here is its clinical lead), so everything it shows
says it is a draft; a copy signed in a test shows the signature instead, until one character of it
changes.
"""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest
from test_cli import TRIAGE
from webpages import ALL_QUIET

from triage import create_app
from triage.config import settings_from_env
from triage.rulebook import RulebookError, default_rules_path, load_rulebook
from triage.signing import sign_file

WHEN = datetime.datetime(2026, 11, 25, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
LEAD = "Dr A. Example, clinical lead"


@pytest.fixture
def signed(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(default_rules_path().read_text(encoding="utf-8"), encoding="utf-8")
    sign_file(path, LEAD, WHEN)
    return path


def one_character_changed(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Do not drive yourself to hospital.", "Do not drive yourself to hospital!"), "utf-8")


def test_the_shipped_rule_book_is_a_draft() -> None:
    sign_off = load_rulebook().sign_off
    assert (sign_off.status, sign_off.signature, sign_off.summary) == ("draft", None, "DRAFT: not signed")
    assert sign_off.notice == "Draft: not yet reviewed by a clinician"


@pytest.mark.slow
def test_a_signed_rule_book_records_who_when_and_what(signed: Path) -> None:
    sign_off = load_rulebook(signed).sign_off
    assert sign_off.status == "signed" and sign_off.notice is None
    assert sign_off.signature is not None and sign_off.signature.by == LEAD
    assert sign_off.signature.on == "2026-11-25T09:30:00-05:00"
    assert sign_off.signature.sha256 == sign_off.content_sha256 and len(sign_off.content_sha256) == 64
    assert sign_off.summary == f"signed by {LEAD} on 2026-11-25T09:30:00-05:00"
    # Signing again replaces the block: still one signature, still valid.
    sign_file(signed, "Dr B. Other, medical director", WHEN)
    assert signed.read_text().count("\nsignature:") == 1 and load_rulebook(signed).sign_off.signed


@pytest.mark.slow
def test_one_character_changed_after_signing_makes_it_a_draft_again(signed: Path) -> None:
    one_character_changed(signed)
    sign_off = load_rulebook(signed).sign_off
    assert sign_off.status == "changed" and sign_off.notice == "Draft: not yet reviewed by a clinician"
    assert sign_off.summary.startswith("DRAFT: changed since it was signed by Dr A. Example")


@pytest.mark.slow
def test_triage_check_reports_signed_or_draft(signed: Path) -> None:
    def first_line(path: Path) -> str:
        result = subprocess.run([TRIAGE, "check", str(path)], capture_output=True, text=True, timeout=120, check=True)
        return result.stdout.splitlines()[0]

    assert first_line(default_rules_path()).endswith("3.0.1, DRAFT: not signed")
    assert first_line(signed).endswith(f"3.0.1, signed by {LEAD} on 2026-11-25T09:30:00-05:00")
    one_character_changed(signed)
    assert ", DRAFT: changed since it was signed by Dr A. Example, clinical lead" in first_line(signed)


@pytest.mark.slow
def test_triage_sign_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(default_rules_path().read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run([TRIAGE, "sign", "--by", LEAD, str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f'by: "{LEAD}"' in result.stdout and load_rulebook(path).sign_off.signed
    refused = subprocess.run([TRIAGE, "sign", "--by", "  ", str(path)], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "say who signs" in refused.stderr


def test_a_rule_book_whose_policy_fails_cannot_be_signed(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    rule = "  - id: breathless_at_rest\n    level: emergency\n"
    path.write_text(default_rules_path().read_text().replace(rule, rule.replace("emergency", "urgent")), "utf-8")
    with pytest.raises(RulebookError, match="not proved: Short of breath at rest"):
        sign_file(path, LEAD, WHEN)
    assert "signature:" not in path.read_text()


@pytest.mark.slow
def test_require_signed_refuses_a_draft_and_a_changed_rule_book(signed: Path) -> None:
    assert settings_from_env({"TRIAGE_REQUIRE_SIGNED": "true"})["REQUIRE_SIGNED"] is True
    create_app({"SECRET_KEY": "x", "RULES_PATH": str(signed), "REQUIRE_SIGNED": True})  # signed: starts
    with pytest.raises(RulebookError, match=r"rules.yaml:1: TRIAGE_REQUIRE_SIGNED is set, and the rule book is DRAFT"):
        create_app({"SECRET_KEY": "x", "REQUIRE_SIGNED": True})
    one_character_changed(signed)
    with pytest.raises(RulebookError) as refused:
        create_app({"SECRET_KEY": "x", "RULES_PATH": str(signed), "REQUIRE_SIGNED": True})
    assert "the rule book is DRAFT: changed since it was signed by Dr A. Example" in str(refused.value)


@pytest.mark.slow
def test_serve_refuses_to_start_on_a_changed_rule_book_when_signing_is_required(signed: Path) -> None:
    one_character_changed(signed)
    env = {"TRIAGE_RULES": str(signed), "TRIAGE_SECRET_KEY": "x" * 32, "TRIAGE_REQUIRE_SIGNED": "true", "PATH": ""}
    result = subprocess.run([TRIAGE, "serve", "--port", "0"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "DRAFT: changed since it was signed" in result.stderr and "the app did not start" in result.stderr


def test_results_and_the_api_say_signed_by_whom_once_signed(signed: Path) -> None:
    client = create_app({"SECRET_KEY": "x", "RULES_PATH": str(signed)}).test_client()
    body = client.post("/api/v1/assessments", json={"answers": ALL_QUIET}).get_json()
    assert body["rulebook"]["status"] == "signed" and body["rulebook"]["signed_by"] == LEAD
    assert body["rulebook"]["notice"] is None
    draft = create_app({"SECRET_KEY": "x"}).test_client()
    body = draft.post("/api/v1/assessments", json={"answers": ALL_QUIET}).get_json()
    assert body["rulebook"]["status"] == "draft" and body["rulebook"]["notice"].startswith("Draft:")
    questionnaire = draft.get("/api/v1/questionnaire").get_json()
    assert questionnaire["rulebook"]["notice"] == "Draft: not yet reviewed by a clinician"
