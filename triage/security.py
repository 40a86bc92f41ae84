"""Security headers on every response. The pages load nothing from anywhere else."""

from __future__ import annotations

from flask import Flask, Response, current_app

PERMISSIONS = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(self), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()"
)


def init_app(app: Flask) -> None:
    app.extensions["triage"]["headers"] = fixed_headers(app.config["FRAME_ANCESTORS"], app.config["HTTPS"])
    app.after_request(add_headers)


def fixed_headers(frame_ancestors: str, https: bool) -> dict[str, str]:
    """The headers every response gets, worked out once from the settings."""
    headers = {
        "Content-Security-Policy": content_security_policy(frame_ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": PERMISSIONS,
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if frame_ancestors == "'self'":
        headers["X-Frame-Options"] = "SAMEORIGIN"  # for browsers without CSP frame-ancestors
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
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


def add_headers(response: Response) -> Response:
    response.headers.update(current_app.extensions["triage"]["headers"])
    if response.mimetype in ("text/html", "text/plain", "application/json"):
        # Answers show on pages and in API answers: keep them out of shared caches and browser history.
        response.headers["Cache-Control"] = "no-store"
    return response
