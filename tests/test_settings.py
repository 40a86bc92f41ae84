"""Every setting checked at start-up: a value that cannot be used stops the app (or `triage serve`)
with one line naming the setting and what it must be, never a traceback and never a half-working app."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
from test_cli import TRIAGE

from triage import create_app
from triage.config import ConfigError, ensure_secret_key, settings_from_env
from triage.rulebook import RulebookError

KEY = "k" * 32
README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")

# Each setting, with a value that must be refused and the words the refusal must hold. (Issue 19's
# reproducers are among them: each gave a traceback, a 500 on every page, or an app that started.)
REFUSED = [
    ("TRIAGE_SECRET_KEY", "x", "at least 32 bytes"),
    ("TRIAGE_SECRET_KEY", "k" * 31, "at least 32 bytes"),
    ("TRIAGE_SECRET_KEY", "\udcff" * 40, "UTF-8"),  # bytes that are not UTF-8, as the environment holds them
    ("TRIAGE_FRAME_ANCESTORS", "https://clinic.example\nX-Injected: 1", "control characters"),
    ("TRIAGE_FRAME_ANCESTORS", "https://a.example; report-uri https://evil.example/r", "CSP sources"),
    ("TRIAGE_FRAME_ANCESTORS", "'none' https://a.example", "'none' stands alone"),
    ("TRIAGE_FRAME_ANCESTORS", "https://a.example,https://b.example", "CSP sources"),
    ("TRIAGE_HTTPS", "maybe", "true or false"),
    ("TRIAGE_REQUIRE_SIGNED", "sometimes", "true or false"),
    ("TRIAGE_STAFF_MODE", "2", "true or false"),
    ("TRIAGE_SESSION_IDLE_MINUTES", "9999999999", "from 1 to 1440"),
    ("TRIAGE_SESSION_IDLE_MINUTES", "9" * 20, "from 1 to 1440"),
    ("TRIAGE_SESSION_IDLE_MINUTES", "soon", "whole number"),
    ("TRIAGE_MAX_BODY_BYTES", "0", "whole number"),
    ("TRIAGE_RATE_LIMIT", "0 per minute", "at least 1 request"),
    ("TRIAGE_RATE_LIMIT", "lots", "'off' or a limit"),
    ("TRIAGE_RATE_LIMIT_STORAGE", "bogus://x", "memory:// or redis://"),
    ("TRIAGE_TRUSTED_PROXIES", "²", "whole number"),
    ("TRIAGE_TRUSTED_PROXIES", "-1", "whole number"),
    ("TRIAGE_CORS_ORIGINS", "*", "'*' and paths are not allowed"),
    ("TRIAGE_CORS_ORIGINS", "https://clinic.example/path", "'*' and paths are not allowed"),
    ("TRIAGE_RULES", "rules\x00.yaml", "control characters"),
    ("TRIAGE_LOCALE", "\udcc3", "UTF-8"),
    ("TRIAGE_OPENING_HOURS", "always", "write opening hours like"),
    ("TRIAGE_LANGUAGES", "fr_CA", "must list en"),
    ("TRIAGE_LANGUAGES", "en,fr_CA,fr_FR", "each language once"),
    ("TRIAGE_LANGUAGES", "en,français", "other languages such as fr_CA"),
]


@pytest.mark.parametrize(("name", "value", "words"), REFUSED)
def test_a_setting_that_cannot_be_used_is_refused_by_name(name: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as refused:
        settings_from_env({name: value})
    (line,) = str(refused.value).splitlines()
    assert line.startswith(name) and words in line


def test_every_setting_that_cannot_be_used_is_listed_at_once() -> None:
    with pytest.raises(ConfigError) as refused:
        settings_from_env({"TRIAGE_HTTPS": "maybe", "TRIAGE_RATE_LIMIT": "0 per minute", "TRIAGE_CORS_ORIGINS": "*"})
    assert [line.split()[0] for line in str(refused.value).splitlines()] == [
        "TRIAGE_HTTPS",
        "TRIAGE_RATE_LIMIT",
        "TRIAGE_CORS_ORIGINS",
    ]


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("TRIAGE_TIMEZONE", "A" * 300, "TRIAGE_TIMEZONE must be a time zone"),
        ("TRIAGE_TIMEZONE", "../../etc/passwd", "TRIAGE_TIMEZONE must be a time zone"),
        ("TRIAGE_LOCALE", "xx_YY" * 20, "TRIAGE_LOCALE must be a language code"),
        ("TRIAGE_LANGUAGES", "en,de_DE", "translations/de_DE/LC_MESSAGES/rules.po:1: cannot read the de_DE catalog"),
    ],
)
def test_a_time_zone_or_language_that_cannot_be_used_stops_start_up(name: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        create_app({"SECRET_KEY": KEY, **settings_from_env({name: value})})


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRIAGE_CLINIC_PHONE", "1 ()()()()() ---"),  # gave the link tel:1
        ("TRIAGE_CLINIC_PHONE", "12"),
        ("TRIAGE_CLINIC_BOOKING_URL", "https://@evil.example:1/%0d%0a"),
        ("TRIAGE_CLINIC_BOOKING_URL", "https://user:secret@clinic.example/book"),
        ("TRIAGE_CLINIC_BOOKING_URL", "https:///no-host"),
        ("TRIAGE_CLINIC_BOOKING_URL", "https://clinic.example:99999/"),
        ("TRIAGE_CRISIS_LINE_PHONE", "call us"),
    ],
)
def test_a_phone_or_booking_link_a_person_could_not_use_is_refused(name: str, value: str) -> None:
    with pytest.raises(RulebookError, match=f"the setting {name} must be"):
        create_app({"SECRET_KEY": KEY, **settings_from_env({name: value})})


def test_usable_settings_are_read_as_written() -> None:
    settings = settings_from_env(
        {
            "TRIAGE_SECRET_KEY": KEY,
            "TRIAGE_FRAME_ANCESTORS": "'self'  https://clinic.example https://*.clinic.example:443",
            "TRIAGE_CORS_ORIGINS": "https://clinic.example, http://localhost:8080",
            "TRIAGE_SESSION_IDLE_MINUTES": "45",
            "TRIAGE_TRUSTED_PROXIES": "0",
            "TRIAGE_RATE_LIMIT": "10/second;500/hour",
            "TRIAGE_CRISIS_LINE_PHONE": "1-833-456-4566",
        }
    )
    assert settings["FRAME_ANCESTORS"] == "'self' https://clinic.example https://*.clinic.example:443"
    assert settings["CORS_ORIGINS"] == ("https://clinic.example", "http://localhost:8080")
    assert settings["SESSION_IDLE_MINUTES"] == 45 and settings["TRUSTED_PROXIES"] == 0
    app = create_app(settings)
    text = app.test_client().get("/").get_data(as_text=True)
    assert (
        "frame-ancestors 'self' https://clinic.example https://*.clinic.example:443"
        in (app.test_client().get("/").headers["Content-Security-Policy"])
    )
    assert text  # the app starts and serves its pages


@pytest.mark.parametrize("content", ["", "   \n", "short"])
def test_an_empty_or_short_secret_key_file_stops_start_up(tmp_path: Path, content: str) -> None:
    (tmp_path / "secret_key").write_text(content)
    with pytest.raises(ConfigError, match="empty or shorter than 32 bytes"):
        create_app({}, instance_path=str(tmp_path))


def test_the_secret_key_file_is_written_whole_and_private(tmp_path: Path) -> None:
    assert ensure_secret_key(tmp_path / "instance")
    key_file = tmp_path / "instance" / "secret_key"
    assert len(key_file.read_text()) == 64 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "instance").iterdir()] == ["secret_key"]  # no temporary file left
    assert not ensure_secret_key(tmp_path / "instance")  # kept as it is
    assert create_app({}, instance_path=str(tmp_path / "instance")).config["SECRET_KEY"] == key_file.read_text()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("TRIAGE_WORKERS", "two", "TRIAGE_WORKERS must be a whole number"),
        ("TRIAGE_PORT", "http", "TRIAGE_PORT must be a whole number from 1 to 65535"),
        ("TRIAGE_PORT", "70000", "TRIAGE_PORT must be a whole number from 1 to 65535"),
        ("TRIAGE_THREADS", "0", "TRIAGE_THREADS must be a whole number"),
        ("TRIAGE_HOST", "local host", "TRIAGE_HOST must be an address"),
        ("TRIAGE_FORWARDED_ALLOW_IPS", "everyone", "TRIAGE_FORWARDED_ALLOW_IPS must be IP addresses"),
        ("TRIAGE_SESSION_IDLE_MINUTES", "9999999999", "TRIAGE_SESSION_IDLE_MINUTES must be a whole number"),
    ],
)
def test_triage_serve_refuses_a_setting_by_name_without_a_traceback(
    tmp_path: Path, name: str, value: str, words: str
) -> None:
    env = {**os.environ, "TRIAGE_SECRET_KEY": KEY, name: value}
    result = subprocess.run([TRIAGE, "serve"], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and words in result.stderr, result.stderr


def test_every_setting_in_the_readme_is_tested() -> None:
    table = README[README.index("### Settings (environment variables)") :]
    table = table[: table.index("\n## ")]
    named = set(re.findall(r"`(TRIAGE_[A-Z_]+)`", table))
    named |= {f"TRIAGE_{service}_{part}" for service in ("CLINIC",) for part in ("PHONE", "BOOKING_URL")}
    tested = {name for name, *_ in REFUSED} | {
        "TRIAGE_TIMEZONE", "TRIAGE_LOCALE", "TRIAGE_CLINIC_PHONE", "TRIAGE_CLINIC_BOOKING_URL",
        "TRIAGE_CRISIS_LINE_PHONE", "TRIAGE_WORKERS", "TRIAGE_PORT", "TRIAGE_THREADS", "TRIAGE_HOST",
        "TRIAGE_FORWARDED_ALLOW_IPS",
        # The emergency number is checked by the rule book's loader, by name (test_web.py).
        "TRIAGE_EMERGENCY_NUMBER",
    }  # fmt: skip
    source = Path(__file__).read_text(encoding="utf-8")
    untested = sorted(name for name in named if name not in tested or name not in source)
    assert untested == [], f"settings in the README without a test here: {untested}"
    assert len(named) >= 20
