"""Settings from environment variables, with safe defaults (each value checked by
`triage.setting_values`). Nothing here reads a request."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from triage import dates
from triage.rulebook import SERVICE_FIELDS, SERVICE_NAMES
from triage.setting_values import (
    MIN_SECRET_BYTES,
    ConfigError,
    addresses,
    cors_origins,
    flag,
    frame_ancestors,
    host,
    languages,
    opening_hours,
    plain,
    rate_limit,
    rate_limit_storage,
    secret_key,
    text,
    whole_number,
)

__all__ = ["DEFAULTS", "ConfigError", "ensure_secret_key", "finish", "server_settings", "settings_from_env"]

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
    "LOCALE": "en_CA",  # how dates are written (in English; another language writes them its own way)
    # The languages offered, the first for anyone whose browser asks for none of them: English at
    # /, each other under its own path (/fr/ for fr_CA). Each needs complete catalogs.
    "LANGUAGES": ("en",),
    "PAGE_TRANSLATIONS": None,  # where the pages' catalogs are; None: translations/ (tests give another)
    "OPENING_HOURS": None,  # the clinic's opening hours (hours.OpeningHours); None: the rule book's
}


def settings_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """Read TRIAGE_* variables. A value that cannot be used raises ConfigError, naming every such
    setting and what it must be, rather than being guessed at."""
    settings: dict[str, Any] = {}
    problems: list[str] = []

    def read(name: str, key: str, check: Callable[[str, str], Any], *, when_empty: bool = False) -> None:
        if name not in env or (not env[name] and not when_empty):
            return
        try:
            settings[key] = check(name, text(name, env[name]))
        except ConfigError as error:
            problems.append(str(error))

    read("TRIAGE_SECRET_KEY", "SECRET_KEY", secret_key)
    read("TRIAGE_RULES", "RULES_PATH", plain)
    read("TRIAGE_EMERGENCY_NUMBER", "EMERGENCY_NUMBER", plain)  # checked by the rule book's loader, by name
    read("TRIAGE_FRAME_ANCESTORS", "FRAME_ANCESTORS", frame_ancestors)
    read("TRIAGE_HTTPS", "HTTPS", flag, when_empty=True)
    read("TRIAGE_REQUIRE_SIGNED", "REQUIRE_SIGNED", flag, when_empty=True)
    read("TRIAGE_STAFF_MODE", "STAFF_MODE", flag, when_empty=True)
    read("TRIAGE_RATE_LIMIT", "RATE_LIMIT", rate_limit)
    read("TRIAGE_RATE_LIMIT_STORAGE", "RATE_LIMIT_STORAGE", rate_limit_storage)
    read("TRIAGE_TRUSTED_PROXIES", "TRUSTED_PROXIES", lambda n, v: whole_number(n, v, 0, 10))
    read("TRIAGE_CORS_ORIGINS", "CORS_ORIGINS", cors_origins)
    read("TRIAGE_TIMEZONE", "TIMEZONE", plain)  # checked in `finish`, by name
    read("TRIAGE_LOCALE", "LOCALE", plain)
    read("TRIAGE_OPENING_HOURS", "OPENING_HOURS", opening_hours)
    read("TRIAGE_LANGUAGES", "LANGUAGES", languages)
    read("TRIAGE_SESSION_IDLE_MINUTES", "SESSION_IDLE_MINUTES", lambda n, v: whole_number(n, v, 1, 24 * 60))
    read("TRIAGE_MAX_BODY_BYTES", "MAX_CONTENT_LENGTH", lambda n, v: whole_number(n, v, 1024, 1024 * 1024))
    services = []
    for service in SERVICE_NAMES:
        for part in SERVICE_FIELDS:
            name = f"TRIAGE_{service.upper()}_{part.upper()}"
            if name in env:
                try:
                    services.append((service, part, text(name, env[name])))  # checked by the loader, by name
                except ConfigError as error:
                    problems.append(str(error))
    if services:
        settings["SERVICES"] = tuple(services)
    if problems:
        raise ConfigError("\n".join(problems))
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
        try:
            key = key_file.read_bytes()[:4096].decode("utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"the secret key file {key_file} cannot be read: {error}") from None
        if len(key.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ConfigError(
                f"the secret key file {key_file} is empty or shorter than {MIN_SECRET_BYTES} bytes "
                "(an interrupted first start can leave it so): delete it and run `triage serve` to make a new one"
            )
        config["SECRET_KEY"] = key
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    config["SESSION_COOKIE_SECURE"] = bool(config["HTTPS"])
    if config["HTTPS"] and config["FRAME_ANCESTORS"] not in ("'self'", "'none'"):
        # Shown in a frame on another site (the clinic's own page): a browser sends a cookie into
        # such a frame only if it is SameSite=None (and so Secure), kept for that site alone
        # (Partitioned, CHIPS). Flask's documented session settings do both.
        config["SESSION_COOKIE_SAMESITE"] = "None"
        config["SESSION_COOKIE_PARTITIONED"] = True
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
    # Written whole or not at all: a new file, readable by its owner only, renamed into place.
    descriptor, temporary = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_hex(32))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, key_file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def server_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The settings of `triage serve`: address, port, workers and threads, each checked by name."""
    found: dict[str, Any] = {"host": "127.0.0.1", "port": 8000, "workers": 2, "threads": 64}
    problems = []
    checks: dict[str, tuple[str, Callable[[str, str], Any]]] = {
        "TRIAGE_HOST": ("host", host),
        "TRIAGE_PORT": ("port", lambda n, v: whole_number(n, v, 1, 65535)),
        "TRIAGE_WORKERS": ("workers", lambda n, v: whole_number(n, v, 1, 64)),
        "TRIAGE_THREADS": ("threads", lambda n, v: whole_number(n, v, 1, 1024)),
        "TRIAGE_FORWARDED_ALLOW_IPS": ("forwarded_allow_ips", addresses),
    }
    for name, (key, check) in checks.items():
        if env.get(name):
            try:
                found[key] = check(name, text(name, env[name]))
            except ConfigError as error:
                problems.append(str(error))
    if problems:
        raise ConfigError("\n".join(problems))
    return found
