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
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKeyError(key)
        found[key] = value
    return found


def read_json(data: bytes) -> Any:
    """`data` as JSON. Raises DuplicateKeyError, ValueError (not JSON, or a number too long) or
    RecursionError (nested too deeply)."""
    return json.loads(data, object_pairs_hook=_no_duplicates)
