"""JSON that refuses a key given twice in any object: which value was meant cannot be told (the
standard library keeps the last one silently). For the API and `triage assess`."""

from __future__ import annotations

import json
from typing import Any

import orjson


class DuplicateKeyError(ValueError):
    """A JSON object that gives one key twice."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):  # a key given twice: find the first one repeated
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKeyError(key)
            seen.add(key)
    return found


# Made once: `json.loads` with a hook builds a new decoder on every call, which costs twice the
# decoding itself for an API request.
_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates)


def read_json(data: bytes) -> Any:
    """`data` as JSON (in UTF-8, -16 or -32, as `json.loads` reads bytes). Raises DuplicateKeyError,
    ValueError (not JSON, not text, or a number too long) or RecursionError (nested too deeply).

    The standard library's reading (above) is the meaning. Most bodies are read by orjson instead,
    several times faster, when that is sure to give the same: orjson read them, they hold no
    fraction (orjson reads a whole number too long for 64 bits as one), and no key was given
    twice, which shows in a count: every member of an object is written with one colon, so when
    the body holds no more colons than the objects read have keys, none was lost.
    """
    try:
        found = orjson.loads(data)
    except orjson.JSONDecodeError:
        found = _UNSURE
    if found is _UNSURE or _keys_unless_fractions(found) != data.count(b":"):
        return _DECODER.decode(data.decode(json.detect_encoding(data), "surrogatepass"))
    return found


_UNSURE = object()


def _keys_unless_fractions(value: Any) -> int:
    """How many keys the objects in `value` hold; -1 when it holds a fraction."""
    keys = 0
    pending = [value]
    while pending:
        item = pending.pop()
        kind = item.__class__
        if kind is dict:
            keys += len(item)
            pending += [inner for inner in item.values() if inner.__class__ in _NOT_PLAIN]
        elif kind is list:
            pending += [inner for inner in item if inner.__class__ in _NOT_PLAIN]
        elif kind is float:
            return -1
    return keys


_NOT_PLAIN = frozenset({dict, list, float})
