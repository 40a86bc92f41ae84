"""The session: Flask's signed cookie, with the work that is the same on every request done once.

Flask builds a new serializer for every request (and building one serializes a test value), the
serializer builds a new signer for every cookie, and the signer derives its key again for every
signature. The keys and salt do not change while the app runs, so the serializer, its signer and
the derived key are kept. The cookie is plain JSON: the session only ever holds JSON values (the
answers, the CSRF token and the permanent flag), so Flask's tagged JSON, which brings back tuples,
dates and bytes, is not needed, and reads and writes the same text for these values.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import time
from typing import Any, ClassVar

import orjson
from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response
from itsdangerous import Signer, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode, bytes_to_int, want_bytes
from itsdangerous.exc import BadData
from itsdangerous.url_safe import URLSafeSerializerMixin

_UNREAD = object()  # a cookie the short way cannot read: the library's `loads` decides


class _PlainJSON:
    """JSON by orjson: compact, the same text as the standard library's for these values."""

    @staticmethod
    def dumps(value: Any) -> str:
        return orjson.dumps(value).decode()

    @staticmethod
    def loads(text: str | bytes) -> Any:
        return orjson.loads(text)


class _KeptKeySigner(TimestampSigner):
    """itsdangerous's timestamp signer, deriving each key once."""

    _derived: ClassVar[dict[tuple[bytes, bytes, str, Any], bytes]] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        kept = (key, self.salt, self.key_derivation, self.digest_method)
        derived = self._derived.get(kept)
        if derived is None:
            derived = self._derived[kept] = super().derive_key(key)
        return derived


class _KeptSignerSerializer(URLSafeTimedSerializer):
    """A serializer that makes its signer once per salt, and reads a cookie signed with the current
    key the short way round.

    itsdangerous unsigns in layers (the signature decoded and checked once for each key, the
    timestamp turned into a date, the payload decoded), and every page that reads answers pays for
    them. `loads` makes the same checks with the library's own functions, in one pass, for the
    usual cookie: signed with the current key and not expired. The signature is computed by the library's
    signer and compared in constant time; the age is checked as the library checks it; the payload
    is decoded by the library. Anything else (an older key, a bad or expired signature, a damaged
    payload) goes to the library's own `loads`, which decides, and raises, as it always does.
    """

    default_signer = _KeptKeySigner

    def loads(  # type: ignore[override]
        self,
        s: str | bytes,
        max_age: int | None = None,
        return_timestamp: bool = False,
        salt: str | bytes | None = None,
    ) -> Any:
        if not return_timestamp and salt is None:
            value = self._loads_current(want_bytes(s), max_age)
            if value is not _UNREAD:
                return value
        return super().loads(s, max_age=max_age, return_timestamp=return_timestamp, salt=salt)

    def dump_payload(self, obj: Any) -> bytes:
        """The payload base64-encoded, not compressed: the session is small (a cookie of about 800
        characters with every answer given), and decompressing costs more than reading the longer
        text. Compressed cookies, as written before, are still read."""
        return base64_encode(super(URLSafeSerializerMixin, self).dump_payload(obj))

    def _loads_current(self, text: bytes, max_age: int | None) -> Any:
        signer = self.make_signer(self.salt)
        signed, sep, signature = text.rpartition(signer.sep)
        if not sep or not hmac.compare_digest(signature, signer.get_signature(signed)):
            return _UNREAD
        payload, sep, stamp = signed.rpartition(signer.sep)
        try:
            age = int(time.time()) - bytes_to_int(base64_decode(stamp))
            if not sep or (max_age is not None and not 0 <= age <= max_age):
                return _UNREAD
            return self.load_payload(payload)
        except (BadData, struct.error):
            return _UNREAD

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        signers: dict[str | bytes | None, Signer] = self.__dict__.setdefault("_signers", {})
        signer = signers.get(salt)
        if signer is None:
            signer = signers[salt] = super().make_signer(salt)
        return signer


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except on the JSON API, which has no session at all: its
    requests are not read for a cookie, and a view that tried to store something there would fail."""

    serializer = _PlainJSON()  # type: ignore[assignment]
    # Flask's SHA-1, by the function HMAC recognises and runs in C (Flask's own wrapper is not, so
    # HMAC falls back to computing in Python); the same signatures.
    digest_method = staticmethod(hashlib.sha1)
    no_session_under = "/api/"

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(self.no_session_under):
            return self.make_null_session(app)
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session.modified and not self.should_set_cookie(app, session):
            # Nothing to write, as on most page views: only say that the page depends on the cookie.
            if session.accessed:
                if response.headers.getlist("Vary"):  # (`in` raises and catches an error when it is absent)
                    response.vary.add("Cookie")
                else:
                    response.headers["Vary"] = "Cookie"  # the same header, without parsing an empty one
            return
        super().save_session(app, session, response)

    def __init__(self) -> None:
        self._serializer: tuple[object, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._serializer is None or self._serializer[0] != keys:
            self._serializer = (keys, self._build(app))
        return self._serializer[1]

    def _build(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = [*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key]  # current key last
        return _KeptSignerSerializer(
            keys,
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
        )
