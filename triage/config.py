"""Settings from environment variables, with safe defaults. Nothing here reads a request."""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from triage import dates
from triage.hours import HoursError, OpeningHours, parse_hours
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
            settings[key] = check(name, _text(name, env[name]))
        except ConfigError as error:
            problems.append(str(error))

    read("TRIAGE_SECRET_KEY", "SECRET_KEY", secret_key)
    read("TRIAGE_RULES", "RULES_PATH", _plain)
    read("TRIAGE_EMERGENCY_NUMBER", "EMERGENCY_NUMBER", _plain)  # checked by the rule book's loader, by name
    read("TRIAGE_FRAME_ANCESTORS", "FRAME_ANCESTORS", frame_ancestors)
    read("TRIAGE_HTTPS", "HTTPS", _flag, when_empty=True)
    read("TRIAGE_REQUIRE_SIGNED", "REQUIRE_SIGNED", _flag, when_empty=True)
    read("TRIAGE_STAFF_MODE", "STAFF_MODE", _flag, when_empty=True)
    read("TRIAGE_RATE_LIMIT", "RATE_LIMIT", _rate_limit)
    read("TRIAGE_RATE_LIMIT_STORAGE", "RATE_LIMIT_STORAGE", rate_limit_storage)
    read("TRIAGE_TRUSTED_PROXIES", "TRUSTED_PROXIES", lambda n, v: whole_number(n, v, 0, 10))
    read("TRIAGE_CORS_ORIGINS", "CORS_ORIGINS", cors_origins)
    read("TRIAGE_TIMEZONE", "TIMEZONE", _plain)  # checked in `finish`, by name
    read("TRIAGE_LOCALE", "LOCALE", _plain)
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
                    services.append((service, part, _text(name, env[name])))  # checked by the loader, by name
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


MIN_SECRET_BYTES = 32
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(name: str, value: str) -> str:
    """A setting's value as text: UTF-8 (the environment may hold other bytes), no control characters."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError(f"{name} must be text in UTF-8, not bytes of another encoding") from None
    if _CONTROL.search(value):
        raise ConfigError(f"{name} must not hold control characters (such as a line break)")
    return value


def opening_hours(name: str, value: str) -> OpeningHours:
    try:
        return parse_hours(value)
    except HoursError as error:
        raise ConfigError(f"{name}: {error}") from None


def _plain(_name: str, value: str) -> str:
    return value


def secret_key(name: str, value: str) -> str:
    if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"{name} must be at least {MIN_SECRET_BYTES} bytes long (for example 64 hex digits from "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`)"
        )
    return value


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def whole_number(name: str, value: str, minimum: int = 1, maximum: int = 1_000_000) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", value.strip()) or not minimum <= int(value) <= maximum:
        raise ConfigError(f"{name} must be a whole number from {minimum} to {maximum}, not {value[:40]!r}")
    return int(value)


def _rate_limit(name: str, value: str) -> str:
    """'off', or a limit like '60 per minute' or '10/second;500/hour' (checked by Flask-Limiter's parser)."""
    from limits import parse_many

    if value.strip().lower() == "off":
        return "off"
    try:
        limits = parse_many(value)
    except ValueError:
        raise ConfigError(f"{name} must be 'off' or a limit like '60 per minute', not {value[:80]!r}") from None
    if not limits or any(limit.amount < 1 for limit in limits):
        raise ConfigError(f"{name} must allow at least 1 request (or be 'off'), not {value[:80]!r}")
    return value


STORAGE_SCHEMES = ("memory", "redis", "rediss", "redis+unix")


def rate_limit_storage(name: str, value: str) -> str:
    """memory:// or a Redis address; Redis needs the `redis` package (the project's `redis` extra)."""
    scheme = value.split("://", 1)[0].lower() if "://" in value else ""
    if scheme not in STORAGE_SCHEMES:
        raise ConfigError(
            f"{name} must be memory:// or redis://host:port (also rediss://, redis+unix://), not {value[:80]!r}"
        )
    if scheme != "memory" and importlib.util.find_spec("redis") is None:
        raise ConfigError(f"{name} is a Redis address, which needs the redis package: pip install '.[redis]'")
    return value


_ORIGIN = re.compile(r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::[0-9]{1,5})?", re.IGNORECASE)


_LANGUAGE = re.compile(r"en|[a-z]{2}_[A-Z]{2}")


def languages(name: str, value: str) -> tuple[str, ...]:
    """Language codes, comma-separated: en, and others such as fr_CA (each under /fr/)."""
    chosen = tuple(part.strip() for part in value.split(",") if part.strip())
    bad = [code for code in chosen if not _LANGUAGE.fullmatch(code)]
    prefixes = [code.split("_")[0] for code in chosen]
    if bad or not chosen or "en" not in chosen or len(set(prefixes)) != len(prefixes):
        raise ConfigError(
            f"{name} must list en and other languages such as fr_CA, separated by commas, each language "
            f"once, not {value[:80]!r}"
        )
    return chosen


def cors_origins(name: str, value: str) -> tuple[str, ...]:
    """Origins exactly as a browser sends them: https://host or https://host:port, comma-separated."""
    origins = tuple(o.strip() for o in value.split(",") if o.strip())
    bad = [o for o in origins if not _ORIGIN.fullmatch(o)]
    if bad or not origins:
        raise ConfigError(
            f"{name} must list origins such as https://clinic.example, separated by commas ('*' and paths "
            f"are not allowed), not {(bad[0] if bad else value)[:80]!r}"
        )
    return origins


# CSP source expressions allowed in frame-ancestors (CSP Level 3): 'self', 'none' (alone), a scheme
# such as https:, or a host with an optional scheme, *. subdomain wildcard, port and path.
_KEYWORD = re.compile(r"'(?:self|none)'", re.IGNORECASE)
_SCHEME_SOURCE = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_HOST_SOURCE = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://)?(?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(?:[0-9]{1,5}|\*))?"
    r"(?:/[A-Za-z0-9._~!$&'()*+=:@/%-]*)?",
    re.IGNORECASE,
)


def frame_ancestors(name: str, value: str) -> str:
    """The CSP frame-ancestors sources, one by one: nothing that could end the directive or add one."""
    sources = value.split()
    ok = all(_KEYWORD.fullmatch(s) or _SCHEME_SOURCE.fullmatch(s) or _HOST_SOURCE.fullmatch(s) for s in sources)
    if not sources or not ok or any(";" in s or "," in s for s in sources):
        raise ConfigError(
            f"{name} must be CSP sources separated by spaces, such as 'self' https://clinic.example, not {value[:80]!r}"
        )
    if any(s.lower() == "'none'" for s in sources) and len(sources) > 1:
        raise ConfigError(f"{name}: 'none' stands alone")
    return " ".join(sources)


def server_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The settings of `triage serve`: address, port, workers and threads, each checked by name."""
    found: dict[str, Any] = {"host": "127.0.0.1", "port": 8000, "workers": 2, "threads": 64}
    problems = []
    checks: dict[str, tuple[str, Callable[[str, str], Any]]] = {
        "TRIAGE_HOST": ("host", _host),
        "TRIAGE_PORT": ("port", lambda n, v: whole_number(n, v, 1, 65535)),
        "TRIAGE_WORKERS": ("workers", lambda n, v: whole_number(n, v, 1, 64)),
        "TRIAGE_THREADS": ("threads", lambda n, v: whole_number(n, v, 1, 1024)),
        "TRIAGE_FORWARDED_ALLOW_IPS": ("forwarded_allow_ips", _addresses),
    }
    for name, (key, check) in checks.items():
        if env.get(name):
            try:
                found[key] = check(name, _text(name, env[name]))
            except ConfigError as error:
                problems.append(str(error))
    if problems:
        raise ConfigError("\n".join(problems))
    return found


def _host(name: str, value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9.:\[\]-]{1,253}", value):
        raise ConfigError(f"{name} must be an address to listen on, such as 127.0.0.1 or 0.0.0.0, not {value[:80]!r}")
    return value


def _addresses(name: str, value: str) -> str:
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not parts or not all(p == "*" or re.fullmatch(r"[0-9A-Fa-f.:/]{2,49}", p) for p in parts):
        raise ConfigError(f"{name} must be IP addresses separated by commas, or *, not {value[:80]!r}")
    return ",".join(parts)
