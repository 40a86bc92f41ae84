"""Skeletons: a page rendered once with holes where what differs from one person to the next goes,
filled in by joining strings (see `triage.pages`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

HOLE = "\x00"  # the rule book loader refuses control characters, so no text can contain it


def hole(name: str) -> Markup:
    """A marker that a skeleton turns into a hole named `name`."""
    return Markup(f"{HOLE}{name}{HOLE}")


@dataclass(frozen=True)
class Skeleton:
    """A rendered page split at its holes: static text, hole name, static text, ..., static text;
    and the same in UTF-8, as the page is sent.

    A page is filled in as bytes: its text holds a few characters beyond ASCII (a dash, quotes),
    which make Python keep it at two bytes a character, so joining it as text and then encoding it
    moved four times the bytes that are sent (and took a tenth of a question page's time)."""

    parts: tuple[str, ...]
    encoded: tuple[bytes, ...]

    @classmethod
    def of(cls, html: str) -> Skeleton:
        parts = tuple(html.split(HOLE))
        if len(parts) % 2 == 0:
            raise ValueError("a hole marker is not closed")
        return cls(parts, tuple(part.encode() for part in parts))

    @property
    def holes(self) -> tuple[str, ...]:
        return self.parts[1::2]

    def fill(self, values: Mapping[str, str]) -> bytes:
        """The page in UTF-8, with each hole replaced by its value (KeyError if one is missing)."""
        parts = list(self.encoded)
        names = self.parts
        for i in range(1, len(parts), 2):
            parts[i] = values[names[i]].encode()
        return b"".join(parts)


def around(
    kept: dict[Hashable, tuple[str, str]], key: Hashable, macro: Callable[..., Markup], *args: Any
) -> tuple[str, str]:
    """What `macro` puts before and after its contents (its first argument), rendered the first
    time it is asked for (so in the language of that request) and kept in `kept`."""
    found = kept.get(key)
    if found is None:
        split = Skeleton.of(macro(hole("contents"), *args))
        found = kept[key] = (str(split.parts[0]), str(split.parts[2]))  # (Markup + str would escape)
    return found


def once(kept: dict[Hashable, Markup], key: Hashable, keep: bool, render: Callable[..., Markup], *args: Any) -> Markup:
    """`render(*args)`, or what it gave before for `key`; kept for next time when `keep`."""
    html = kept.get(key) if keep else None
    if html is None:
        html = render(*args)
        if keep:
            kept[key] = html
    return html
