"""The minute a result is made in: whether the clinic is closed then, by its opening hours in its
time zone, and the time as the result writes it. Both change once a minute at most, so each
language's is worked out at the first request of a minute and kept until the next."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

from babel import Locale
from flask import current_app
from markupsafe import Markup, escape

from triage import dates, languages
from triage.rulebook import Rulebook


class Minute(NamedTuple):
    number: int  # minutes since 1970 (UTC)
    closed: bool  # the clinic is closed (False when no opening hours are known)
    made: Markup  # the time as results write it, in the clinic's time zone and the language


def this_minute(book: Rulebook) -> Minute:
    """Now (`dates.utc_now`), for results in the language of `book`."""
    kept: dict[str, Minute] = current_app.extensions["triage"]["minutes"]
    number = int(dates.utc_now().timestamp() // 60)
    found = kept.get(book.language)
    if found is None or found.number != number:
        found = kept[book.language] = _minute(number, book)
    return found


def after_hours(book: Rulebook) -> bool:
    """Whether the clinic is closed now, by its opening hours (the setting, or the rule book's) in
    its time zone; False when no hours are known."""
    return this_minute(book).closed


def _minute(number: int, book: Rulebook) -> Minute:
    config = current_app.config
    moment = datetime.fromtimestamp(number * 60, UTC)
    zone = config["TIME_ZONE"]
    hours = config["OPENING_HOURS"] or book.meta.opening_hours
    where = config["BABEL_LOCALE"] if book.language == languages.SOURCE else _locale(book.language)
    closed = hours is not None and not hours.open_at(moment, zone)
    return Minute(number, closed, Markup(escape(dates.written(moment, zone, where))))


@lru_cache(maxsize=8)
def _locale(language: str) -> Locale:
    return Locale.parse(language)
