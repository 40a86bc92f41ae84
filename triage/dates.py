"""Dates and times as people write them, in the clinic's language and time zone (through Babel)."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime


def utc_now() -> datetime:
    """Now, in UTC (one place for the clock, so that tests can set it)."""
    return datetime.now(UTC)


class DateSettingError(ValueError):
    """A time zone or locale setting that does not exist."""


def time_zone(name: str | None) -> tzinfo | None:
    """The time zone called `name` (such as America/Edmonton); None for the server's own."""
    if not name:
        return None
    try:
        if len(name) > 64:
            raise ValueError("too long for a time zone")
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise DateSettingError(
            f"TRIAGE_TIMEZONE must be a time zone such as America/Edmonton, not {name[:80]!r}"
        ) from None


def locale(name: str) -> Locale:
    try:
        if len(name) > 32:
            raise ValueError("too long for a language code")
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        raise DateSettingError(
            f"TRIAGE_LOCALE must be a language code such as en_CA or fr_CA, not {name[:80]!r}"
        ) from None


@lru_cache(maxsize=8)
def _pattern(where: Locale) -> str:
    """The locale's long date-and-time pattern: the full date, then the short time and its zone."""
    date = where.date_formats["full"].pattern
    time = where.time_formats["short"].pattern
    return str(where.datetime_formats["long"]).replace("{1}", date).replace("{0}", f"{time} z")


def written(moment: datetime, zone: tzinfo | None, where: Locale) -> str:
    """`moment` as people write it, such as "Wednesday, November 25, 2026, 9:45 a.m. MST"."""
    zone = zone or moment.astimezone().tzinfo
    return str(format_datetime(moment, _pattern(where), tzinfo=zone, locale=where))
