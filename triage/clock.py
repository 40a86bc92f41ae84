"""The minute a result is made in: whether the clinic is closed then, by its opening hours in its
time zone, and the time as the result writes it. Both change once a minute at most, so each
language's minute is made at the first request of a minute and kept until the next; the time in
words is written only when a page first asks for it (the API never does, and so never loads the
calendar data of Babel's locales)."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import lru_cache

from babel import Locale
from flask import current_app
from markupsafe import Markup, escape

from triage import dates, languages
from triage.rulebook import Rulebook


class Minute:
    """One minute (since 1970, UTC), for results in one language."""

    __slots__ = ("_made", "_where", "_zone", "closed", "number")

    def __init__(self, number: int, closed: bool, zone: tzinfo | None, where: Locale) -> None:
        self.number = number
        self.closed = closed  # the clinic is closed (False when no opening hours are known)
        self._zone = zone
        self._where = where
        self._made: Markup | None = None

    @property
    def made(self) -> Markup:
        """The time as results write it, in the clinic's time zone and the language."""
        if self._made is None:
            moment = datetime.fromtimestamp(self.number * 60, UTC)
            self._made = Markup(escape(dates.written(moment, self._zone, self._where)))
        return self._made


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
    zone = config["TIME_ZONE"]
    hours = config["OPENING_HOURS"] or book.meta.opening_hours
    where = config["BABEL_LOCALE"] if book.language == languages.SOURCE else _locale(book.language)
    closed = hours is not None and not hours.open_at(datetime.fromtimestamp(number * 60, UTC), zone)
    return Minute(number, closed, zone, where)


@lru_cache(maxsize=8)
def _locale(language: str) -> Locale:
    return Locale.parse(language)
