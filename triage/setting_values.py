"""Each setting's value checked: what it must be, or a `ConfigError` that names the setting and
what it accepts (`triage.config` reads the TRIAGE_* variables with these)."""

from __future__ import annotations

import importlib.util
import re

from triage.hours import HoursError, OpeningHours, parse_hours


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the variable and what it accepts."""


MIN_SECRET_BYTES = 32
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def text(name: str, value: str) -> str:
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


def plain(_name: str, value: str) -> str:
    return value


def secret_key(name: str, value: str) -> str:
    if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"{name} must be at least {MIN_SECRET_BYTES} bytes long (for example 64 hex digits from "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`)"
        )
    return value


def flag(name: str, value: str) -> bool:
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


def rate_limit(name: str, value: str) -> str:
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


def host(name: str, value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9.:\[\]-]{1,253}", value):
        raise ConfigError(f"{name} must be an address to listen on, such as 127.0.0.1 or 0.0.0.0, not {value[:80]!r}")
    return value


def addresses(name: str, value: str) -> str:
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not parts or not all(p == "*" or re.fullmatch(r"[0-9A-Fa-f.:/]{2,49}", p) for p in parts):
        raise ConfigError(f"{name} must be IP addresses separated by commas, or *, not {value[:80]!r}")
    return ",".join(parts)
