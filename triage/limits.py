"""Rate limits on form posts and the API, per client address (Flask-Limiter).

Generous by default, configurable, or off. Counters live in memory unless a storage URI (such as
redis://) is set, which several workers or instances need in order to share one count. Behind a
reverse proxy the client address comes from X-Forwarded-For only for the configured number of
trusted proxies.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

FORM_POSTS = ("visitor.begin", "visitor.section", "visitor.start_again", "staff.call")
# How long a call to a shared store may take before the limiter gives up on it (redis-py options).
STORE_WAIT: dict[str, str | int] = {"socket_connect_timeout": 1, "socket_timeout": 1}


def store_state(app: Flask) -> str:
    """ "ok" when the rate-limit store answers (or counts are kept in memory), "degraded" when a
    shared store does not answer and counts are kept per worker meanwhile."""
    limiter: Limiter = app.extensions["triage"]["limiter"]
    if app.config["RATE_LIMIT"] == "off" or app.config["RATE_LIMIT_STORAGE"].startswith("memory://"):
        return "ok"
    try:
        answers = bool(limiter.storage.check())
    except Exception:  # a store that cannot be reached at all
        answers = False
    return "ok" if answers else "degraded"


def retry_after_only_when_refused(response: Response) -> Response:
    """Retry-After tells a client to wait (RFC 9110): only on a 429 or 503, not on an answer."""
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


def init_app(app: Flask) -> None:
    """Call after every blueprint is registered: the limits wrap the views that exist."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    rate = app.config["RATE_LIMIT"]
    if rate != "off":
        # Registered before the limiter's own hook, so that it runs after it (Flask runs these
        # hooks last registered first): Flask-Limiter adds Retry-After to every limited response.
        app.after_request(retry_after_only_when_refused)
    limited = frozenset(
        endpoint for endpoint in app.view_functions if endpoint in FORM_POSTS or endpoint.startswith(("api.", "fhir."))
    )

    def identity() -> str:
        """The request as Flask-Limiter knows it (its documented `request_identifier`): its
        endpoint, as by default, when a limit applies to it; otherwise none, which Flask-Limiter
        passes over at once (reading a page is never limited: without this, every page paid
        about 60 us for the limiter to find that out)."""
        endpoint = request.endpoint
        if endpoint not in limited or (endpoint in FORM_POSTS and request.method != "POST"):
            return ""
        return endpoint or ""

    storage = app.config["RATE_LIMIT_STORAGE"]
    # One limiter per app, so that two apps in one process never share counters. A shared store
    # (Redis) that is down, never started, or slow never takes the questions down: each call to it
    # waits a bounded time, and Flask-Limiter's documented in-memory fallback then counts in each
    # worker (it logs the switch once, and goes back to the store when it answers again).
    limiter = Limiter(
        get_remote_address,
        app=app,
        enabled=rate != "off",
        storage_uri=storage,
        storage_options=STORE_WAIT if not storage.startswith("memory://") else {},
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        headers_enabled=True,
        default_limits=[],
        request_identifier=identity,
    )
    app.extensions["triage"]["limiter"] = limiter
    if rate == "off":
        return
    for endpoint in limited:
        limit = limiter.limit(rate, methods=["POST"] if endpoint in FORM_POSTS else None)
        app.view_functions[endpoint] = limit(app.view_functions[endpoint])  # type: ignore[assignment]
