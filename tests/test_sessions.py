"""The session cookie: with its serializer, signer and key kept (triage.sessions), it must accept and
refuse exactly what itsdangerous, the library that signs it, accepts and refuses.

The oracle is a stock itsdangerous serializer with Flask's settings for session cookies (salt, key
derivation, SHA-1) and the same keys. It writes cookies as Flask always has (compressed when that
is shorter), which is also how cookies written before this app stopped compressing look.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import BadData, URLSafeTimedSerializer

from triage import create_app

KEY, OLD_KEY = "a-key-for-the-session-tests", "the-key-before-it"
MAX_AGE = 1800
NOW = 1_800_000_000
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
sessions = st.dictionaries(st.text(max_size=12), json_values, max_size=6)


def oracle(*keys: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        list(keys), salt="cookie-session", signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1}
    )


def ours(*fallbacks: str) -> URLSafeTimedSerializer:
    app = create_app({"SECRET_KEY": KEY, "SECRET_KEY_FALLBACKS": list(fallbacks), "RATE_LIMIT": "off"})
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None
    return serializer  # type: ignore[no-any-return]


OURS = ours()


def at(when: int, action: Callable[[], Any]) -> tuple[str, Any]:
    """What `action` gives at time `when`: ("read", value) or ("refused", the exception's class)."""
    with mock.patch("time.time", return_value=float(when)):
        try:
            return "read", action()
        except BadData as error:
            return "refused", type(error).__name__


def tampered(text: str, change: tuple[str, int, str] | None) -> str:
    if change is None:
        return text
    how, index, char = change
    index %= len(text) + 1
    if how == "replace":
        return text[:index] + char + text[index + 1 :]
    if how == "insert":
        return text[:index] + char + text[index:]
    return text[:index]  # cut


changes = st.none() | st.tuples(
    st.sampled_from(["replace", "insert", "cut"]), st.integers(0, 2000), st.sampled_from(ALPHABET)
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(session=sessions, age=st.integers(-5, MAX_AGE + 5), change=changes)
def test_a_cookie_is_read_or_refused_as_the_library_reads_or_refuses_it(
    session: dict[str, Any], age: int, change: tuple[str, int, str] | None
) -> None:
    signed = at(NOW - age, lambda: oracle(KEY).dumps(session))[1]
    cookie = tampered(signed, change)
    expected = at(NOW, lambda: oracle(KEY).loads(cookie, max_age=MAX_AGE))
    assert at(NOW, lambda: OURS.loads(cookie, max_age=MAX_AGE)) == expected


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(session=sessions)
def test_the_cookies_written_are_read_back_and_by_the_library(session: dict[str, Any]) -> None:
    cookie = at(NOW, lambda: OURS.dumps(session))[1]
    assert at(NOW + MAX_AGE, lambda: OURS.loads(cookie, max_age=MAX_AGE)) == ("read", session)
    assert at(NOW + MAX_AGE, lambda: oracle(KEY).loads(cookie, max_age=MAX_AGE)) == ("read", session)
    assert at(NOW + MAX_AGE + 1, lambda: OURS.loads(cookie, max_age=MAX_AGE)) == ("refused", "SignatureExpired")


def test_a_compressed_cookie_from_before_is_still_read() -> None:
    session = {"answers": {f"question_{n}": "no" for n in range(20)}}
    cookie = at(NOW, lambda: oracle(KEY).dumps(session))[1]
    assert cookie.startswith("."), "the oracle compresses a session this repetitive"
    assert at(NOW, lambda: OURS.loads(cookie, max_age=MAX_AGE)) == ("read", session)


@pytest.mark.parametrize(
    ("signed_with", "fallbacks", "expected"),
    [
        (OLD_KEY, [OLD_KEY], ("read", {"answers": {"speech": "no"}})),  # the key was just rotated
        (OLD_KEY, [], ("refused", "BadTimeSignature")),  # an old key no longer trusted
        ("someone-else's-key", [OLD_KEY], ("refused", "BadTimeSignature")),
    ],
)
def test_keys_are_honoured_as_flask_honours_them(
    signed_with: str, fallbacks: list[str], expected: tuple[str, Any]
) -> None:
    cookie = at(NOW, lambda: oracle(signed_with).dumps({"answers": {"speech": "no"}}))[1]
    assert at(NOW, lambda: ours(*fallbacks).loads(cookie, max_age=MAX_AGE)) == expected
