"""Settings from environment variables, with safe defaults. Nothing here reads a request."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from triage import dates
from triage.rulebook import SERVICE_FIELDS, SERVICE_NAMES


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the variable and what it accepts."""


DEFAULTS: Mapping[str, Any] = {
    "RULES_PATH": None,  # None: the built-in rules.yaml
    "EMERGENCY_NUMBER": None,  # None: the rule book's number
    "FRAME_ANCESTORS": "'self'",  # who may show the pages in a frame (CSP frame-ancestors)
    "HTTPS": False,  # Secure cookies and HSTS
    "SESSION_IDLE_MINUTES": 30,
    "MAX_CONTENT_LENGTH": 16 * 1024,
    "SESSION_COOKIE_NAME": "triage_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # The idle time runs from the last answer saved: reading a page does not re-sign the cookie.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "WTF_CSRF_TIME_LIMIT": 2 * 60 * 60,
    "STAFF_MODE": True,  # the front-desk call screen at /staff
    "RATE_LIMIT": "120 per minute",  # per client address, on form posts and the API; "off" to turn off
    "RATE_LIMIT_STORAGE": "memory://",  # e.g. redis://host:6379 to share counts between workers
    "TRUSTED_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-For is believed
    "CORS_ORIGINS": (),  # origins that may call the API from a browser
    "REQUIRE_SIGNED": False,  # refuse to start on a rule book no clinician signed (set it in production)
    "PAGE_SKELETONS": True,  # pages filled in from skeletons rendered once (triage.pages); off in some tests
    # The clinic's local services: (service, field, value) settings over the rule book's meta.services.
    "SERVICES": (),
    "TIMEZONE": None,  # the clinic's time zone for dates on results and call summaries; None: the server's
    "LOCALE": "en_CA",  # how dates are written
}


def settings_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """Read TRIAGE_* variables. Unknown values raise ConfigError rather than being guessed at."""
    settings: dict[str, Any] = {}
    if env.get("TRIAGE_SECRET_KEY"):
        settings["SECRET_KEY"] = env["TRIAGE_SECRET_KEY"]
    if env.get("TRIAGE_RULES"):
        settings["RULES_PATH"] = env["TRIAGE_RULES"]
    if env.get("TRIAGE_EMERGENCY_NUMBER"):
        settings["EMERGENCY_NUMBER"] = env["TRIAGE_EMERGENCY_NUMBER"]
    if env.get("TRIAGE_FRAME_ANCESTORS"):
        settings["FRAME_ANCESTORS"] = env["TRIAGE_FRAME_ANCESTORS"]
    if "TRIAGE_HTTPS" in env:
        settings["HTTPS"] = _flag("TRIAGE_HTTPS", env["TRIAGE_HTTPS"])
    if "TRIAGE_REQUIRE_SIGNED" in env:
        settings["REQUIRE_SIGNED"] = _flag("TRIAGE_REQUIRE_SIGNED", env["TRIAGE_REQUIRE_SIGNED"])
    if "TRIAGE_STAFF_MODE" in env:
        settings["STAFF_MODE"] = _flag("TRIAGE_STAFF_MODE", env["TRIAGE_STAFF_MODE"])
    if env.get("TRIAGE_RATE_LIMIT"):
        settings["RATE_LIMIT"] = _rate_limit(env["TRIAGE_RATE_LIMIT"])
    if env.get("TRIAGE_RATE_LIMIT_STORAGE"):
        settings["RATE_LIMIT_STORAGE"] = env["TRIAGE_RATE_LIMIT_STORAGE"]
    if env.get("TRIAGE_TRUSTED_PROXIES"):
        settings["TRUSTED_PROXIES"] = _whole_number("TRIAGE_TRUSTED_PROXIES", env["TRIAGE_TRUSTED_PROXIES"], minimum=0)
    if env.get("TRIAGE_CORS_ORIGINS"):
        settings["CORS_ORIGINS"] = tuple(o.strip() for o in env["TRIAGE_CORS_ORIGINS"].split(",") if o.strip())
    if env.get("TRIAGE_TIMEZONE"):
        settings["TIMEZONE"] = env["TRIAGE_TIMEZONE"]
    if env.get("TRIAGE_LOCALE"):
        settings["LOCALE"] = env["TRIAGE_LOCALE"]
    services = tuple(
        (service, part, env[f"TRIAGE_{service.upper()}_{part.upper()}"])
        for service in SERVICE_NAMES
        for part in SERVICE_FIELDS
        if f"TRIAGE_{service.upper()}_{part.upper()}" in env
    )
    if services:
        settings["SERVICES"] = services
    for name, key in (
        ("TRIAGE_SESSION_IDLE_MINUTES", "SESSION_IDLE_MINUTES"),
        ("TRIAGE_MAX_BODY_BYTES", "MAX_CONTENT_LENGTH"),
    ):
        if env.get(name):
            settings[key] = _whole_number(name, env[name])
    return settings


def finish(config: dict[str, Any], instance_path: Path) -> None:
    """Derived settings, and the secret key: from the setting, or the instance folder's file."""
    if not config.get("SECRET_KEY"):
        key_file = instance_path / "secret_key"
        if not key_file.is_file():
            raise ConfigError(
                "No secret key. Set TRIAGE_SECRET_KEY (the same value on every instance), "
                f"or run `triage serve`, which creates {key_file}."
            )
        config["SECRET_KEY"] = key_file.read_text(encoding="utf-8").strip()
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    config["SESSION_COOKIE_SECURE"] = bool(config["HTTPS"])
    config["PREFERRED_URL_SCHEME"] = "https" if config["HTTPS"] else "http"
    try:
        config["TIME_ZONE"] = dates.time_zone(config["TIMEZONE"])
        config["BABEL_LOCALE"] = dates.locale(config["LOCALE"])
    except dates.DateSettingError as error:
        raise ConfigError(str(error)) from None


def ensure_secret_key(instance_path: Path) -> bool:
    """Create the instance folder's secret key if there is none; True if one was created."""
    key_file = instance_path / "secret_key"
    if key_file.is_file():
        return False
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file.touch(mode=0o600)
    key_file.write_text(secrets.token_hex(32), encoding="utf-8")
    return True


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _whole_number(name: str, value: str, minimum: int = 1) -> int:
    if not value.strip().isdigit() or int(value) < minimum:
        raise ConfigError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return int(value)


def _rate_limit(value: str) -> str:
    """'off', or a limit like '60 per minute' or '10/second;500/hour' (checked by Flask-Limiter's parser)."""
    from limits import parse_many

    if value.strip().lower() == "off":
        return "off"
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(f"TRIAGE_RATE_LIMIT must be 'off' or a limit like '60 per minute', not {value!r}") from None
    return value
