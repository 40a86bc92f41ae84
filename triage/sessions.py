"""The session: Flask's signed cookie, with the work that is the same on every request done once.

Flask builds a new serializer for every request, and the serializer's signer derives its key again
for every signature. The keys and salt do not change while the app runs, so the serializer (through
`get_signing_serializer`) and the derived key (through the signer's `derive_key`) are kept. The
cookie is plain JSON (through the interface's `serializer` attribute): the session only ever holds
JSON values (the answers, the CSRF token and the permanent flag), so Flask's tagged JSON, which
brings back tuples, dates and bytes, is not needed. Reading, checking and writing the cookie is left
to Flask and itsdangerous as they ship.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

import orjson
from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response
from itsdangerous import Signer, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes


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
    """itsdangerous's serializer, making its signer once per salt (the signer holds nothing that
    changes from one cookie to the next)."""

    default_signer = _KeptKeySigner

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        signers: dict[str | bytes | None, Signer] = self.__dict__.setdefault("_signers", {})
        signer = signers.get(salt)
        if signer is None:
            signer = signers[salt] = super().make_signer(salt)
        return signer


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except on the JSON and FHIR APIs, which have no session at all: their
    requests are not read for a cookie, and a view that tried to store something there would fail."""

    serializer = _PlainJSON()  # type: ignore[assignment]
    # Flask's SHA-1, by the function HMAC recognises and runs in C (Flask's own wrapper is not, so
    # HMAC falls back to computing in Python); the same signatures.
    digest_method = staticmethod(hashlib.sha1)
    no_session_under: ClassVar[tuple[str, ...]] = ("/api/", "/fhir/")

    def __init__(self) -> None:
        self._serializer: tuple[object, URLSafeTimedSerializer | None] | None = None

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(self.no_session_under):
            return self.make_null_session(app)
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session.modified and not self.should_set_cookie(app, session):
            # Nothing to write, as on most page views: only say that the page depends on the cookie.
            if session.accessed:
                if response.headers.get("Vary") is None:
                    response.headers["Vary"] = "Cookie"  # what `vary.add` writes, without parsing no header
                else:
                    response.vary.add("Cookie")
            return
        super().save_session(app, session, response)

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
