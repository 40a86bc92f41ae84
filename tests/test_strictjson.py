"""The API's JSON reading (`read_json`) means what the standard library's strict reading means, for
any body: the same value, or the same refusal (orjson reads most bodies, faster)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.strictjson import DuplicateKeyError, _no_duplicates, read_json


def read_by_the_standard_library(data: bytes) -> Any:
    return json.loads(data, object_pairs_hook=_no_duplicates)


def outcome(read: Any, data: bytes) -> tuple[str, Any]:
    try:
        value = read(data)
    except DuplicateKeyError as twice:
        return "duplicate", twice.key
    except (ValueError, RecursionError) as error:
        return "refused", type(error).__name__ == "RecursionError"
    return "read", json.dumps(value, sort_keys=False) if not _has_nan(value) else repr(value)


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value) or math.isinf(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    return False


KEYS = st.sampled_from(["a", "b", "answers", "x:y", "é", "\\u003a"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.sampled_from(["yes", "a:b", "", "\u00e9", "\U0001f600"])
)


def written(value: Any) -> str:
    """JSON text of a value whose objects are lists of pairs (so a key may be given twice)."""
    if isinstance(value, tuple) and value and value[0] == "object":
        return "{" + ",".join(f"{json.dumps(key)}:{written(item)}" for key, item in value[1]) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(written(item) for item in value) + "]"
    return json.dumps(value)


BODIES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.tuples(st.just("object"), st.lists(st.tuples(KEYS, inner), max_size=4))
    ),
    max_leaves=12,
).map(written)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(BODIES)
def test_any_body_is_read_as_the_standard_library_reads_it(text: str) -> None:
    data = text.encode()
    assert outcome(read_json, data) == outcome(read_by_the_standard_library, data)


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 1, "a": 2}',
        b'{"a": {"b": 1, "b": 1}}',
        b'{"a": "x:y", "a": 2}',  # a colon inside a string as well as a key twice
        b'{"a": [{"c": 1}, {"c": 1, "c": 2}]}',
        b'{"answers": {"speech": "yes", "speech": "no"}}',
        b"18446744073709551616",  # orjson reads it as a fraction
        b'{"answers": {"age": 18446744073709551616}}',
        b"NaN",
        b"[1e400]",
        b'"\\ud800"',
        b"\xef\xbb\xbf{}",
        '{"a": 1}'.encode("utf-16"),
        b"[" * 3000 + b"]" * 3000,
        b"\xff",
        b"",
    ],
)
def test_bodies_orjson_reads_otherwise_are_read_as_the_standard_library_reads_them(data: bytes) -> None:
    assert outcome(read_json, data) == outcome(read_by_the_standard_library, data)
