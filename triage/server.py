"""`triage serve`: the web app under gunicorn, a production WSGI server.

The app (and so the rule book) is built once in the master process before any worker starts, so a
broken rule book stops start-up with its `file:line` messages and nothing is served.

Workers are gunicorn's threaded workers (`gthread`): a connection that is idle between requests
waits in the worker's poller, not in a thread, and a new connection that sends nothing holds no
thread either, so idle or slow clients cannot take every worker away from everyone else (with
gunicorn's `sync` workers, two idle connections did). A client that trickles its headers does hold
a thread while it does, so each worker has many threads (`TRIAGE_THREADS`, default 64).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from triage import config, create_app
from triage.rulebook import RulebookError

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def escape_controls(text: str) -> str:
    """Control characters (and the backslash) written as escapes, so that one log record is one
    line whatever a client sent: a path of `/x%0d%0aFORGED` is logged as `/x\\x0d\\x0aFORGED`."""
    return _CONTROL.sub(lambda m: "\\\\" if m[0] == "\\" else f"\\x{ord(m[0]):02x}", text)


class EscapingFormatter(logging.Formatter):
    """A logging formatter that escapes control characters in each message (a traceback logged
    with it keeps its lines: those come from the server, not from a client)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (the logging module's name)
        record.message = escape_controls(record.message)
        return super().formatMessage(record)


class AccessLog(glogging.Logger):
    """Gunicorn's logger, with an access line of five fields: method, path without query string,
    status, size and duration, such as `GET /questions/breathing 200 4208 3ms`, and every line of
    both logs written through `EscapingFormatter`.

    No client address, referrer or agent: the log has nothing that could identify a person, and the
    pages put no answers in URLs. (Gunicorn's own access line gathers every header and environment
    value for its format on each request; this builds only these five.)
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(EscapingFormatter(self.error_fmt, self.datefmt))
        for handler in self.access_log.handlers:
            handler.setFormatter(EscapingFormatter(self.access_fmt))

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if not self.access_log.isEnabledFor(logging.INFO):
            return
        status = str(resp.status).split(None, 1)[0]
        ms = request_time.seconds * 1000 + request_time.microseconds // 1000
        # The path asked for: the app's script root (where it is mounted, and /fr for French, which
        # the app moves there from the path) and the rest.
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        method, size = environ.get("REQUEST_METHOD"), getattr(resp, "sent", None)
        log = self.access_log
        # A record made with the logger's own `makeRecord` and given to its `handle`: what `info`
        # does, less looking up which line of code logged it, which no access format prints.
        args = (method, path, status, size, ms)
        log.handle(log.makeRecord(log.name, logging.INFO, "triage.server", 0, "%s %s %s %s %sms", args, None))


class _Server(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def serve(host: str, port: int, workers: int, threads: int, forwarded_allow_ips: str = "127.0.0.1") -> int:
    if not os.environ.get("TRIAGE_SECRET_KEY"):
        instance = Path(Flask("triage").instance_path)
        if config.ensure_secret_key(instance):
            print(f"Created a secret key in {instance / 'secret_key'} (set TRIAGE_SECRET_KEY to share one).")
    try:
        app = create_app()
    except RulebookError as error:
        print("\n".join(error.lines()), file=sys.stderr)
        print(
            f"{len(error.problems)} problem(s): the rule book cannot be used, so the app did not start.",
            file=sys.stderr,
        )
        return 1
    except config.ConfigError as error:
        for line in str(error).splitlines():
            print(f"Cannot start: {line}", file=sys.stderr)
        return 1

    def when_ready(_server: Any) -> None:
        print(f"ALS red-flag triage is running at http://{host}:{port}/ (press Ctrl+C to stop)", flush=True)

    # The logging module's documented savings: no thread or multiprocessing names gathered for each
    # line, which no format here prints (the process id, which the error log prints, is kept).
    logging.logThreads = False
    logging.logMultiprocessing = False
    # Headers that only a proxy may set (X-Forwarded-*, and gunicorn's SCRIPT_NAME header, which
    # moves the app to another path) are believed only from trusted proxies, and only when the
    # settings say there are some.
    trusted = forwarded_allow_ips if app.config["TRUSTED_PROXIES"] else ""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "keepalive": 5,  # seconds an idle kept-alive connection waits in the poller
        "timeout": 30,
        "accesslog": "-",
        "logger_class": AccessLog,
        "errorlog": "-",
        "loglevel": "warning",
        "when_ready": when_ready,
        "forwarded_allow_ips": trusted,
    }
    _Server(app, options).run()
    return 0
