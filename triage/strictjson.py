"""JSON that refuses a key given twice in any object: which value was meant cannot be told (the
standard library keeps the last one silently). For the API and `triage assess`."""

from __future__ import annotations

import json
from typing import Any


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
    ValueError (not JSON, not text, or a number too long) or RecursionError (nested too deeply)."""
    return _DECODER.decode(data.decode(json.detect_encoding(data), "surrogatepass"))
