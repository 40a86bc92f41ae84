"""Security headers on every response. The pages load nothing from anywhere else.

The headers are the same for every response, so they are worked out once from the settings and
added by a thin WSGI wrapper, which costs almost nothing per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PERMISSIONS = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(self), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()"
)
# Answers show on pages and in API answers: keep these out of shared caches and browser history.
NOT_STORED = ("text/html", "text/plain", "application/json", "application/fhir+json")
NO_STORE = ("Cache-Control", "no-store")


def init_app(app: Flask) -> None:
    headers = fixed_headers(app.config["FRAME_ANCESTORS"], app.config["HTTPS"])
    app.wsgi_app = SecurityHeaders(app.wsgi_app, headers)  # type: ignore[method-assign]


def fixed_headers(frame_ancestors: str, https: bool) -> list[tuple[str, str]]:
    """The headers every response gets, worked out once from the settings."""
    headers = [
        ("Content-Security-Policy", content_security_policy(frame_ancestors)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Permissions-Policy", PERMISSIONS),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    ]
    if frame_ancestors == "'self'":
        headers.append(("X-Frame-Options", "SAMEORIGIN"))  # for browsers without CSP frame-ancestors
    if https:
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


def content_security_policy(frame_ancestors: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "manifest-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


class SecurityHeaders:
    """WSGI wrapper: the fixed headers on every response, and `Cache-Control: no-store` on pages,
    text and JSON (it replaces whatever the app set)."""

    def __init__(self, app: WSGIApplication, headers: list[tuple[str, str]]) -> None:
        self.app = app
        self.headers = headers

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        fixed = self.headers

        def start(
            status: str,
            headers: list[tuple[str, str]],
            exc_info: tuple[type[BaseException], BaseException, TracebackType] | None = None,
        ) -> object:
            kind = ""
            cache_control = False
            for name, value in headers:  # (one pass: this runs for every response)
                lowered = name.lower()
                if lowered == "content-type":
                    kind = value
                elif lowered == "cache-control":
                    cache_control = True
            if kind.partition(";")[0].strip().lower() in NOT_STORED:
                if cache_control:
                    headers = [(n, v) for n, v in headers if n.lower() != "cache-control"]
                return start_response(status, [*headers, NO_STORE, *fixed], exc_info)
            return start_response(status, headers + fixed, exc_info)

        return self.app(environ, start)  # type: ignore[arg-type]
