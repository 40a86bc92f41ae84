"""Work derived from a rule book (or one of its parts), done once per object.

Rule books and their parts are frozen, so what is worked out from one (the engine's plan, the
journey's order of pages) holds as long as the object lives. Objects are told apart by identity:
their own hash would walk every field, and some hold mappings. Nothing here is ever keyed by
anyone's answers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

Part = TypeVar("Part")
Derived = TypeVar("Derived")

KEPT_AT_MOST = 64  # rule books made and dropped (tests, `triage diff`): then start again


def once_per_object(make: Callable[[Part], Derived]) -> Callable[[Part], Derived]:
    """`make(part)`, worked out the first time it is asked for each object and kept."""
    kept: dict[int, tuple[Part, Derived]] = {}

    @wraps(make)
    def derived(part: Part) -> Derived:
        found = kept.get(id(part))
        if found is not None and found[0] is part:
            return found[1]
        value = make(part)
        if len(kept) >= KEPT_AT_MOST:
            kept.clear()
        kept[id(part)] = (part, value)  # the part kept too, so that its id is not reused
        return value

    return derived
