"""Opening hours, as a clinic writes them ("Mon-Fri 08:00-17:00, Sat 09:00-12:00"), and whether a
moment falls within them in the clinic's time zone. Pure: the caller gives the moment (see
`triage.clock`)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ENTRY = re.compile(
    r"(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+(?P<open>\d{2}:\d{2})\s*-\s*(?P<close>\d{2}:\d{2})",
    re.IGNORECASE,
)


class HoursError(ValueError):
    """Opening hours that cannot be read; the message says how to write them."""


@dataclass(frozen=True)
class OpeningHours:
    # For each weekday (0 is Monday), the (open, close) times of the day, in order.
    days: tuple[tuple[tuple[datetime.time, datetime.time], ...], ...]

    def open_at(self, moment: datetime.datetime, zone: datetime.tzinfo | None) -> bool:
        """Whether the clinic is open at `moment` (aware), by the clock in `zone` (None: the server's)."""
        local = moment.astimezone(zone) if zone is not None else moment.astimezone()
        now = local.time().replace(tzinfo=None)
        return any(start <= now < end for start, end in self.days[local.weekday()])


HOW = "write opening hours like 'Mon-Fri 08:00-17:00, Sat 09:00-12:00' (24-hour times, days Mon to Sun)"


def parse_hours(text: str) -> OpeningHours:
    """Opening hours from their written form; HoursError if they cannot be read."""
    days: list[list[tuple[datetime.time, datetime.time]]] = [[] for _ in DAYS]
    entries = [part.strip() for part in re.split(r"[,;]", text) if part.strip()]
    if not entries or len(text) > 200:
        raise HoursError(HOW)
    for entry in entries:
        found = _ENTRY.fullmatch(entry)
        if found is None:
            raise HoursError(f"{HOW}; cannot read {entry[:40]!r}")
        first, last = found["first"].lower(), (found["last"] or found["first"]).lower()
        if first not in DAYS or last not in DAYS or DAYS.index(last) < DAYS.index(first):
            raise HoursError(f"{HOW}; the days of {entry[:40]!r} are not Mon to Sun in order")
        try:
            start = datetime.time.fromisoformat(found["open"])
            end = datetime.time.fromisoformat(found["close"])
        except ValueError:
            raise HoursError(f"{HOW}; {entry[:40]!r} has a time that does not exist") from None
        if end <= start:
            raise HoursError(f"{HOW}; in {entry[:40]!r} the clinic must close after it opens")
        for day in range(DAYS.index(first), DAYS.index(last) + 1):
            days[day].append((start, end))
    return OpeningHours(tuple(tuple(sorted(spans)) for spans in days))
