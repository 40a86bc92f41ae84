"""Security headers on every response. The pages load nothing from anywhere else."""

from __future__ import annotations

from flask import Flask, Response, current_app

PERMISSIONS = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(self), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()"
)


def init_app(app: Flask) -> None:
    app.after_request(add_headers)


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
    config = current_app.config
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(config["FRAME_ANCESTORS"])
    if config["FRAME_ANCESTORS"] == "'self'":
        headers["X-Frame-Options"] = "SAMEORIGIN"  # for browsers without CSP frame-ancestors
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Permissions-Policy"] = PERMISSIONS
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if response.mimetype in ("text/html", "text/plain", "application/json"):
        # Answers show on pages and in API answers: keep them out of shared caches and browser history.
        headers["Cache-Control"] = "no-store"
    if config["HTTPS"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response
